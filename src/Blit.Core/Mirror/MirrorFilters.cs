using Blit.Errors;
using Blit.Scanning;

namespace Blit.Mirror;

/// <summary>
/// Builds the filter of a mirror from its options and finds the patterns that cannot mean
/// what they say. Rule order, first match wins: Include, IncludeFrom, Exclude, ExcludeFrom —
/// the order of <c>rsync --include=… --include-from=… --exclude=… --exclude-from=…</c>.
/// </summary>
internal static class MirrorFilters
{
    /// <summary>The rules of <paramref name="options"/>, in the order they are tried (the -from files read now).</summary>
    public static IReadOnlyList<FilterRule> Rules(MirrorOptions options)
    {
        var rules = new List<FilterRule>();
        AddPatterns(rules, options.Include, FilterAction.Include);
        foreach (string file in options.IncludeFrom)
        {
            rules.AddRange(FilterRule.ReadFile(file, FilterAction.Include));
        }
        AddPatterns(rules, options.Exclude, FilterAction.Exclude);
        foreach (string file in options.ExcludeFrom)
        {
            rules.AddRange(FilterRule.ReadFile(file, FilterAction.Exclude));
        }
        return rules;
    }

    private static void AddPatterns(List<FilterRule> rules, IEnumerable<string> patterns, FilterAction action)
    {
        foreach (string pattern in patterns)
        {
            if (FilterRule.Parse(pattern, action) is FilterRule rule)
            {
                rules.Add(rule);
            }
        }
    }

    /// <summary>
    /// Warnings for rules that almost certainly do not say what was meant: a full path (patterns
    /// are relative to the source root), a backslash where paths use '/', spaces at either end.
    /// Not errors: each is a valid rsync pattern, just not a useful one.
    /// </summary>
    public static IEnumerable<BlitError> Warnings(IEnumerable<FilterRule> rules, string source, string destination)
    {
        source = Path.TrimEndingDirectorySeparator(source);
        destination = Path.TrimEndingDirectorySeparator(destination);
        foreach (FilterRule rule in rules)
        {
            if (rule.Action == FilterAction.Clear)
            {
                continue;
            }
            foreach (string why in Suspicions(rule.Pattern, source, destination))
            {
                yield return new BlitError(BlitErrorCode.SuspectFilterPattern, $"The filter pattern '{rule.Pattern}' {why}", null,
                    IsWarning: true);
            }
        }
    }

    private static IEnumerable<string> Suspicions(string pattern, string source, string destination)
    {
        bool wild = pattern.AsSpan().IndexOfAny('*', '?', '[') >= 0;
        if (pattern.Trim().Length != pattern.Length)
        {
            yield return "begins or ends with a space, so it matches only names that do too.";
        }
        if (Path.DirectorySeparatorChar == '/' && pattern.Contains('\\', StringComparison.Ordinal) && !OnlyEscapes(pattern, wild))
        {
            string slashed = pattern.Replace('\\', '/');
            yield return wild
                ? $"uses '\\', which only makes the next character literal; paths here are separated by '/': write '{slashed}'."
                : $"has no wildcard, so its '\\' is a plain character that matches only names containing one; paths here " +
                  $"are separated by '/': write '{slashed}'.";
        }
        if (pattern.Length > 1 && pattern[0] == '/')
        {
            bool dirOnly = pattern[^1] == '/';
            string path = pattern.TrimEnd('/');
            foreach ((string root, string role) in new[] { (source, "source"), (destination, "destination") })
            {
                if (path == root)
                {
                    yield return $"names the {role} itself, which no filter can exclude.";
                    yield break;
                }
                if (root != "/" && path.StartsWith(root + "/", StringComparison.Ordinal))
                {
                    string relative = path[root.Length..] + (dirOnly ? "/" : string.Empty);
                    yield return $"is a full path in the {role}, but patterns start at the source root: it would match " +
                                 $"'{Path.Join(source, path)}'. Write '{relative}'.";
                    yield break;
                }
            }
            if (!wild && Path.Exists(path) && !Path.Exists(Path.Join(source, path)))
            {
                yield return $"is a full path outside the source: a leading '/' anchors a pattern at the source root, so it " +
                             $"would match '{Path.Join(source, path)}', which does not exist.";
            }
        }
    }

    /// <summary>True when every '\' in a wildcard pattern escapes a character that needs it there.</summary>
    private static bool OnlyEscapes(string pattern, bool wild)
    {
        if (!wild)
        {
            return false;
        }
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                if (i + 1 == pattern.Length || "*?[]\\!^-".IndexOf(pattern[i + 1], StringComparison.Ordinal) < 0)
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
