using Blit.Platform;
using Xunit;

namespace Blit.Tests.Mirror;

/// <summary>
/// NameOrder sorts by 64-bit keys and compares strings only where keys tie: it must give exactly
/// the order string.CompareOrdinal gives, which the planner's merge depends on.
/// </summary>
public sealed class NameOrderTests
{
    private static string[] Sorted(IEnumerable<string> names)
    {
        TreeEntry[] entries = [.. names.Select(n => new TreeEntry { Name = n })];
        return [.. NameOrder.SortedCopy(entries, entries.Length).Select(e => e.Name)];
    }

    private static string[] Expected(IEnumerable<string> names)
    {
        string[] expected = [.. names];
        Array.Sort(expected, string.CompareOrdinal);
        return expected;
    }

    public static TheoryData<string[]> Cases => new()
    {
        // A shared prefix, then the distinguishing characters (the benchmark's shape).
        new[] { "f0000002.bin", "f0000010.bin", "f0000001.bin", "f0000100.bin" },
        // A name that is a prefix of others sorts first; keys pad with 0 past the end.
        new[] { "abc", "ab", "abcd", "a", "abcde", "abcdef" },
        // Ties on the first four code units after the shared prefix, decided later.
        new[] { "IMG_0001_b.jpg", "IMG_0001_a.jpg", "IMG_0001.jpg", "IMG_0002_a.jpg", "x" },
        // Ordinal, not culture: upper case before lower case, '.' before letters, non-ASCII and surrogates last.
        new[] { "b", "B", ".hidden", "a", "Ä", "é", "\U0001F600", "z", "\uFFFD", "_" },
        // One name, and names sharing everything but the last character.
        new[] { "only" },
        new[] { "same-prefix-that-is-long-1", "same-prefix-that-is-long-0", "same-prefix-that-is-long-10" },
        // One odd name breaks the shared prefix: the rest tie on their first four code units and are sorted further on.
        new[] { "f0235821.bin", "f0235002.bin", "extra00123.bin", "f0235820.bin", "f0235001.bin", "f0236000.bin" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sorts_as_CompareOrdinal_does(string[] names) => Assert.Equal(Expected(names), Sorted(names));

    [Fact]
    public void Sorts_random_names_with_heavy_ties_as_CompareOrdinal_does()
    {
        var random = new Random(20_261_201);
        const string alphabet = "aAb.0_é\u00FF";
        for (int round = 0; round < 200; round++)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            int count = random.Next(1, 400);
            string prefix = random.Next(3) switch { 0 => "common-", 1 => "f02358", _ => string.Empty };
            while (names.Count < count)
            {
                int length = random.Next(1, 14);
                names.Add(prefix + new string([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]));
            }
            Assert.Equal(Expected(names), Sorted(names));
        }
    }

    [Fact]
    public void An_empty_directory_sorts_to_an_empty_array() => Assert.Empty(NameOrder.SortedCopy([], 0));
}
