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

    /// <summary>Names as the Linux backend holds them: bytes in one buffer the entries share.</summary>
    internal static TreeEntry[] ByteEntries(IEnumerable<byte[]> names)
    {
        byte[][] all = [.. names];
        byte[] buffer = [.. all.SelectMany(n => n)];
        var entries = new TreeEntry[all.Length];
        for (int i = 0, at = 0; i < all.Length; at += all[i].Length, i++)
        {
            entries[i].SetNameBytes(buffer, at, all[i].Length);
        }
        return entries;
    }

    private static byte[][] SortedBytes(IEnumerable<byte[]> names)
    {
        TreeEntry[] entries = ByteEntries(names);
        return [.. NameOrder.SortedCopy(entries, entries.Length).Select(e => e.NameBytes.ToArray())];
    }

    private static byte[][] ExpectedBytes(IEnumerable<byte[]> names)
    {
        byte[][] expected = [.. names];
        Array.Sort(expected, (a, b) => a.AsSpan().SequenceCompareTo(b));
        return expected;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sorts_names_held_as_bytes_by_byte(string[] names)
    {
        byte[][] utf8 = [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];
        Assert.Equal(ExpectedBytes(utf8), SortedBytes(utf8));
    }

    [Fact]
    public void Bytes_and_strings_order_U_FFFD_and_an_emoji_differently_and_each_sorts_its_own_way()
    {
        // UTF-16 puts the surrogate pair (D83D) before FFFD; UTF-8 puts EF BF BD before F0 9F.
        string[] names = ["\U0001F600", "\uFFFD"];
        Assert.Equal(["\U0001F600", "\uFFFD"], Sorted(names));
        TreeEntry[] bytes = ByteEntries(names.Select(System.Text.Encoding.UTF8.GetBytes));
        Assert.Equal(["\uFFFD", "\U0001F600"], NameOrder.SortedCopy(bytes, bytes.Length).Select(e => e.Name));
    }

    [Fact]
    public void Sorts_random_byte_names_with_heavy_ties_and_invalid_UTF8_by_byte()
    {
        var random = new Random(20_261_202);
        byte[] alphabet = [(byte)'a', (byte)'A', (byte)'.', (byte)'0', 0x80, 0xC3, 0xA9, 0xFF, 0x01];
        for (int round = 0; round < 200; round++)
        {
            var names = new HashSet<string>(StringComparer.Ordinal); // by their hex, to keep them distinct
            var list = new List<byte[]>();
            int count = random.Next(1, 400);
            byte[] prefix = random.Next(3) switch { 0 => "common-"u8.ToArray(), 1 => "f0235812"u8.ToArray(), _ => [] };
            while (list.Count < count)
            {
                byte[] name = [.. prefix, .. Enumerable.Range(0, random.Next(1, 20)).Select(_ => alphabet[random.Next(alphabet.Length)])];
                if (names.Add(Convert.ToHexString(name)))
                {
                    list.Add(name);
                }
            }
            Assert.Equal(ExpectedBytes(list), SortedBytes(list));
        }
    }

    [Fact]
    public void A_name_held_as_bytes_reads_as_its_lossless_string()
    {
        TreeEntry[] entries = ByteEntries([[(byte)'a', 0xFF, (byte)'b'], "é"u8.ToArray()]);
        Assert.Equal("a\uDCFFb", entries[0].Name);
        Assert.Equal("é", entries[1].Name);
        Assert.True(TreeEntry.NamesEqual(entries[1], new TreeEntry { Name = "é" }));
    }

    [Fact]
    public void A_listing_finds_an_entry_by_name_whether_it_holds_bytes_or_strings()
    {
        string[] names = ["\U0001F600", "\uFF21", "a", "a\uDCFF", "ab", "b"]; // "a\uDCFF": the byte 0xFF, not UTF-8
        TreeEntry[] strings = [.. names.Select(n => new TreeEntry { Name = n })];
        TreeEntry[] bytes = ByteEntries(["\U0001F600"u8.ToArray(), "\uFF21"u8.ToArray(), "a"u8.ToArray(), [(byte)'a', 0xFF],
            "ab"u8.ToArray(), "b"u8.ToArray()]);
        foreach (TreeEntry[] entries in new[] { strings, bytes })
        {
            var listing = new DirListing(string.Empty, NameOrder.SortedCopy(entries, entries.Length));
            foreach (string name in names)
            {
                int i = listing.IndexOf(name);
                Assert.True(i >= 0, name);
                Assert.Equal(name, listing.Entries[i].Name);
            }
            Assert.Equal(-1, listing.IndexOf("aa"));
            Assert.Equal(-1, listing.IndexOf("c"));
            Assert.Equal(-1, listing.IndexOf(string.Empty));
        }
        Assert.Equal(-1, new DirListing(string.Empty, []).IndexOf("a"));
    }

    [Fact]
    public void An_empty_directory_sorts_to_an_empty_array() => Assert.Empty(NameOrder.SortedCopy([], 0));
}
