using System.Text;
using System.Text.RegularExpressions;
using Blit.Errors;

namespace Blit.Scanning;

/// <summary>
/// rsync-style exclude patterns. A pattern without '/' matches an entry's name at any depth;
/// with a '/' (or '**') it matches the end of the relative path, or the whole path when it
/// starts with '/'. A trailing '/' matches directories only. '*' stops at '/', '**' does not,
/// '?' is one character, [...] a class. An excluded entry is neither copied nor deleted.
/// </summary>
public sealed class ExcludeFilter
{
    private readonly Rule[] _rules;

    private sealed record Rule(Regex Regex, bool DirectoryOnly, bool MatchPath);

    /// <summary>A filter of <paramref name="patterns"/>; throws <see cref="Errors.BlitException"/> (InvalidExcludePattern) for a malformed one.</summary>
    public ExcludeFilter(IEnumerable<string>? patterns)
    {
        var rules = new List<Rule>();
        foreach (string raw in patterns ?? [])
        {
            if (string.IsNullOrWhiteSpace(raw))
            {
                throw new BlitException(BlitErrorCode.InvalidExcludePattern, "An exclude pattern is empty.");
            }
            string p = raw;
            bool dirOnly = p.EndsWith('/');
            if (dirOnly)
            {
                p = p.TrimEnd('/');
            }
            bool anchored = p.StartsWith('/');
            if (anchored)
            {
                p = p.TrimStart('/');
            }
            if (p.Length == 0)
            {
                throw new BlitException(BlitErrorCode.InvalidExcludePattern, $"The exclude pattern '{raw}' names nothing.");
            }
            bool matchPath = anchored || p.Contains('/', StringComparison.Ordinal) || p.Contains("**", StringComparison.Ordinal);
            string body = GlobToRegex(p, raw);
            string regex = !matchPath ? "^" + body + "$" : anchored ? "^" + body + "$" : "(^|/)" + body + "$";
            rules.Add(new Rule(new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.Singleline), dirOnly, matchPath));
        }
        _rules = [.. rules];
    }

    /// <summary>True when there are no patterns.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>True when the entry at <paramref name="relativePath"/> (named <paramref name="name"/>) is excluded.</summary>
    public bool IsExcluded(string relativePath, string name, bool isDirectory)
    {
        foreach (Rule rule in _rules)
        {
            if (rule.DirectoryOnly && !isDirectory)
            {
                continue;
            }
            if (rule.Regex.IsMatch(rule.MatchPath ? relativePath : name))
            {
                return true;
            }
        }
        return false;
    }

    private static string GlobToRegex(string glob, string raw)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < glob.Length && glob[i + 1] == '*')
                    {
                        sb.Append(".*");
                        i++;
                    }
                    else
                    {
                        sb.Append("[^/]*");
                    }
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    int end = glob.IndexOf(']', i + 2);
                    if (end < 0)
                    {
                        throw new BlitException(BlitErrorCode.InvalidExcludePattern,
                            $"The exclude pattern '{raw}' has an unclosed '['.");
                    }
                    string cls = glob[(i + 1)..end];
                    bool negate = cls.StartsWith('!') || cls.StartsWith('^');
                    if (negate)
                    {
                        cls = cls[1..];
                    }
                    sb.Append('[').Append(negate ? "^" : string.Empty)
                      .Append(cls.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal))
                      .Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.ToString();
    }
}
