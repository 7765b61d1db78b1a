using System.Diagnostics;
using Blit.Mirror;
using Blit.Scanning;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// rsync's include/exclude rules, patterns × paths: every case of FilterTable/cases.tsv over the
/// tree of FilterTable/tree.txt, against FilterTable/expected.tsv — which New-FilterTable.sh
/// derived by running rsync itself (which entries are copied, kept from deletion, and left by
/// --delete-excluded). A sample is re-derived live so the table cannot drift from rsync.
/// </summary>
public sealed class FilterTableTests
{
    private static readonly string TableDir = Path.Combine(AppContext.BaseDirectory, "Mirror", "FilterTable");

    private static readonly Lazy<string[]> Entries = new(() =>
        [.. File.ReadAllLines(Path.Combine(TableDir, "tree.txt")).Where(l => l.Length > 0 && l[0] != '#')]);

    private static readonly Lazy<Dictionary<string, string[]>> Cases = new(() =>
        File.ReadAllLines(Path.Combine(TableDir, "cases.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => f[1..]));

    private static readonly Lazy<ILookup<string, string>> Expected = new(() =>
        File.ReadAllLines(Path.Combine(TableDir, "expected.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .ToLookup(l => l[..l.IndexOf('\t')]));

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in Cases.Value.Keys)
        {
            data.Add(id);
        }
        return data;
    }

    /// <summary>The rsync options of a case as rules: --exclude and --include arguments, in order.</summary>
    private static List<FilterRule> RulesOf(string id)
    {
        var rules = new List<FilterRule>();
        foreach (string option in Cases.Value[id])
        {
            FilterRule? rule = option switch
            {
                _ when option.StartsWith("--exclude=", StringComparison.Ordinal) =>
                    FilterRule.Parse(option["--exclude=".Length..], FilterAction.Exclude),
                _ when option.StartsWith("--include=", StringComparison.Ordinal) =>
                    FilterRule.Parse(option["--include=".Length..], FilterAction.Include),
                _ => throw new InvalidDataException($"cases.tsv: {id}: unknown option '{option}'"),
            };
            rules.Add(rule!);
        }
        return rules;
    }

    private static void Build(string root)
    {
        Directory.CreateDirectory(root);
        foreach (string entry in Entries.Value)
        {
            string full = Path.Combine(root, entry);
            if (entry.EndsWith('/'))
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                File.WriteAllText(full, entry + "\n");
            }
        }
    }

    private static HashSet<string> Listing(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => Path.GetRelativePath(root, p) + (Directory.Exists(p) ? "/" : string.Empty))];

    private static MirrorResult Mirror(string source, string dest, string rulesFile, bool deleteExcluded)
    {
        var listener = new RecordingListener();
        MirrorResult result = MirrorEngine.Run(new MirrorOptions
        {
            Source = source,
            Destination = dest,
            ExcludeFrom = [rulesFile],
            DeleteExcluded = deleteExcluded,
            Force = true, // '*' leaves nothing in the source: that is the case, not a mistake
        }, listener);
        Assert.True(result.Errors == 0, string.Join('\n', listener.Errors.Select(e => e.Message)));
        return result;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Mirror_copies_keeps_and_deletes_what_rsync_does(string id)
    {
        using var t = new TempTree();
        Build(t.Source);
        // The rules go through an rsync filter file ("- p", "+ p", "!"): that keeps their order.
        string rulesFile = Path.Combine(t.Root, "rules");
        File.WriteAllLines(rulesFile, RulesOf(id).Select(r => r.ToString()));

        string copied = Path.Combine(t.Root, "copied");
        Mirror(t.Source, copied, rulesFile, deleteExcluded: false);

        string empty = Path.Combine(t.Root, "empty");
        Directory.CreateDirectory(empty);
        string kept = Path.Combine(t.Root, "kept");
        Build(kept);
        Mirror(empty, kept, rulesFile, deleteExcluded: false);

        string deleteExcluded = Path.Combine(t.Root, "deleteExcluded");
        Build(deleteExcluded);
        Mirror(t.Source, deleteExcluded, rulesFile, deleteExcluded: true);

        HashSet<string> c = Listing(copied), k = Listing(kept), d = Listing(deleteExcluded);
        string[] actual = [.. Entries.Value.Select(e => $"{id}\t{e}\t{Bit(c, e)}\t{Bit(k, e)}\t{Bit(d, e)}")];
        string[] expected = [.. Expected.Value[id]];
        Assert.NotEmpty(expected);
        var wrong = expected.Zip(actual).Where(p => p.First != p.Second).Select(p => $"rsync: {p.First}\n blit: {p.Second}").ToList();
        Assert.True(wrong.Count == 0, $"{string.Join(' ', Cases.Value[id])}\n(case path copied kept deleteExcluded)\n" + string.Join('\n', wrong));
        Assert.Equal(expected.Length, actual.Length);
    }

    private static int Bit(HashSet<string> set, string entry) => set.Contains(entry) ? 1 : 0;

    /// <summary>
    /// The matcher alone: where rsync copied an entry's parent, the entry was copied exactly when
    /// the first matching rule did not exclude it.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Filter_decides_each_entry_as_rsync_did(string id)
    {
        var filter = new ExcludeFilter(RulesOf(id));
        var rows = Expected.Value[id].Select(l => l.Split('\t')).ToDictionary(f => f[1], f => f[2] == "1");
        foreach ((string path, bool copied) in rows)
        {
            string bare = path.TrimEnd('/');
            int slash = bare.LastIndexOf('/');
            string parent = slash < 0 ? string.Empty : bare[..(slash + 1)];
            if (parent.Length > 0 && !rows[parent])
            {
                continue; // never visited by rsync: its fate says nothing about the rules
            }
            bool excluded = filter.IsExcluded(bare, bare[(slash + 1)..], isDirectory: path.EndsWith('/'));
            Assert.True(excluded == !copied, $"{string.Join(' ', Cases.Value[id])}: '{path}' {(copied ? "copied" : "excluded")} by rsync");
        }
    }

    /// <summary>The table is rsync's: a sample of cases, derived again now, gives the same rows.</summary>
    [Fact]
    public async Task Table_still_matches_rsync()
    {
        Assert.True(Tree.HasCommand("rsync"), "rsync is required (.ci/run installs it)");
        // Every ninth case, and the ones an earlier Blit got wrong; in table order, as the script writes them.
        string[] known = ["starstar-name", "starstar-name-starstar", "digit-class", "starstar-foo-star1", "foo-star3"];
        string[] ids = [.. Cases.Value.Keys.Where((id, i) => i % 9 == 0 || known.Contains(id))];
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(TableDir, "New-FilterTable.sh"));
        foreach (string id in ids)
        {
            psi.ArgumentList.Add(id);
        }
        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string[] live = (await p.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await stderr);
        string[] committed = [.. ids.SelectMany(id => Expected.Value[id])];
        Assert.Equal(committed, live);
    }
}
