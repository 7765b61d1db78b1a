using System.Buffers;
using System.Text;
using Blit.Errors;
using Blit.Platform;

namespace Blit.Scanning;

/// <summary>
/// rsync's include/exclude rules, matched as rsync matches them (man rsync, "INCLUDE/EXCLUDE
/// PATTERN RULES"; exclude.c's rule_matches). The first rule that matches an entry decides;
/// no match means included. Paths are relative to the mirror's root, '/'-separated.
/// <list type="bullet">
/// <item>A trailing '/' matches directories only.</item>
/// <item>A pattern with no '/' (other than a trailing one) and no '**' matches the last name of the path.</item>
/// <item>A leading '/' anchors the pattern at the root; it matches the whole path.</item>
/// <item>Otherwise a pattern with '/' matches the path's last as many names as it has; one with
/// '**' (and no leading '**') is tried at the start and after every '/'; a leading '**' matches
/// from the root (an implied leading '/' lets <c>**/x</c> match a top-level <c>x</c>).</item>
/// <item><c>dir/***</c> matches <c>dir</c> itself and everything in it.</item>
/// <item>Wildcards (<see cref="WildMatch"/>) only when the pattern has '*', '?' or '['; otherwise
/// the pattern is literal, backslashes included.</item>
/// </list>
/// An excluded directory is not descended into, so nothing below it is copied or deleted,
/// whatever later rules say (rsync's traversal does the same).
/// </summary>
public sealed class ExcludeFilter
{
    /// <summary>No rules: every entry is included.</summary>
    public static ExcludeFilter None { get; } = new((IEnumerable<FilterRule>)[]);

    private readonly CompiledRule[] _rules;
    private readonly bool _ignoreCase;

    /// <summary>Exclude patterns, each read as an rsync <c>--exclude</c> argument (so <c>"+ p"</c> is an include).</summary>
    public ExcludeFilter(IEnumerable<string>? excludePatterns)
        : this((excludePatterns ?? []).Select(p => FilterRule.Parse(p, FilterAction.Exclude)).OfType<FilterRule>())
    {
    }

    /// <summary>
    /// The rules in the order they are tried. <paramref name="comparison"/> is the case rule:
    /// <see cref="StringComparison.Ordinal"/> is rsync's (and today's) behaviour;
    /// <see cref="StringComparison.OrdinalIgnoreCase"/> folds path and pattern to lower case
    /// first, for a destination whose names ignore case.
    /// </summary>
    public ExcludeFilter(IEnumerable<FilterRule> rules, StringComparison comparison = StringComparison.Ordinal)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (comparison is not (StringComparison.Ordinal or StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "Filters compare names ordinally, with or without case.");
        }
        _ignoreCase = comparison == StringComparison.OrdinalIgnoreCase;
        var compiled = new List<CompiledRule>();
        var kept = new List<FilterRule>();
        foreach (FilterRule rule in rules)
        {
            if (rule.Action == FilterAction.Clear)
            {
                compiled.Clear();
                kept.Clear();
                continue;
            }
            compiled.Add(Compile(rule, _ignoreCase));
            kept.Add(rule);
        }
        _rules = [.. compiled];
        Rules = kept;
    }

    /// <summary>The rules in effect, in order (after any '!' cleared the ones before it).</summary>
    public IReadOnlyList<FilterRule> Rules { get; }

    /// <summary>True when there are no rules: nothing is filtered.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>
    /// True when the entry at <paramref name="relativePath"/> is excluded: the first rule that
    /// matches it is an exclude. <paramref name="name"/> is its last component (kept for callers
    /// that have it at hand; the path decides).
    /// </summary>
    public bool IsExcluded(string relativePath, string name, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (_rules.Length == 0)
        {
            return false;
        }
        string path = _ignoreCase ? relativePath.ToLowerInvariant() : relativePath;
        // The name's own bytes: a byte that is not UTF-8 is one escaped char (NameEncoding), which
        // Encoding.UTF8 would turn into the three bytes of U+FFFD, so '?' would not match it.
        int max = NameEncoding.GetByteCount(path) + 2;
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = NameEncoding.Encode(path, buffer[1..]);
            return Decide(buffer[..(length + 2)], isDirectory);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The same for a path held as bytes (a Linux name need not be UTF-8). With an
    /// ignore-case rule only ASCII letters fold here, as in rsync's iwildmatch.
    /// </summary>
    public bool IsExcluded(ReadOnlySpan<byte> relativePath, bool isDirectory)
    {
        if (_rules.Length == 0)
        {
            return false;
        }
        int max = relativePath.Length + 2;
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            relativePath.CopyTo(buffer[1..]);
            if (_ignoreCase)
            {
                foreach (ref byte b in buffer.Slice(1, relativePath.Length))
                {
                    if (b is >= (byte)'A' and <= (byte)'Z')
                    {
                        b = (byte)(b + 32);
                    }
                }
            }
            return Decide(buffer[..(relativePath.Length + 2)], isDirectory);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary><paramref name="framed"/> is the path with one spare byte before and after it, for the implied '/'s.</summary>
    private bool Decide(Span<byte> framed, bool isDirectory)
    {
        framed[0] = (byte)'/';
        framed[^1] = (byte)'/';
        ReadOnlySpan<byte> path = framed[1..^1];
        if (path.Length > 0 && path[0] == '/')
        {
            path = path[1..];
        }
        if (path.Length == 0)
        {
            return false; // the root itself is never filtered
        }
        foreach (CompiledRule rule in _rules)
        {
            if (rule.Matches(framed, path, isDirectory))
            {
                return rule.Action == FilterAction.Exclude;
            }
        }
        return false;
    }

    private static CompiledRule Compile(FilterRule rule, bool ignoreCase)
    {
        string raw = rule.Pattern;
        if (string.IsNullOrEmpty(raw))
        {
            throw new BlitException(BlitErrorCode.InvalidExcludePattern, "A filter pattern is empty.");
        }
        byte[] pattern = Encoding.UTF8.GetBytes(ignoreCase ? raw.ToLowerInvariant() : raw);
        bool directoryOnly = false;
        if (pattern.Length > 1 && pattern[^1] == '/')
        {
            pattern = pattern[..^1];
            directoryOnly = true;
        }
        int slashes = pattern.AsSpan().Count((byte)'/');
        bool anchored = pattern[0] == '/';
        if (anchored && pattern.Length == 1)
        {
            throw new BlitException(BlitErrorCode.InvalidExcludePattern,
                $"The filter pattern '{raw}' names nothing: a leading '/' stands for the source root, which is never filtered.");
        }
        bool wild = pattern.AsSpan().IndexOfAny("*?["u8) >= 0;
        int starStar = wild ? pattern.AsSpan().IndexOf("**"u8) : -1;
        bool anyDepth = starStar >= 0;
        bool starStarPrefix = starStar == 0;
        bool dirAndContents = anyDepth && pattern.AsSpan().EndsWith("***"u8);
        if (wild && WildMatch.Defect(pattern) is string defect)
        {
            throw new BlitException(BlitErrorCode.InvalidExcludePattern,
                $"The filter pattern '{raw}' can never match: {defect}.");
        }
        int where = !anchored && slashes > 0 && !anyDepth ? slashes + 1
            : !anchored && anyDepth && !starStarPrefix ? -1
            : 0;
        return new CompiledRule(rule.Action, anchored ? pattern[1..] : pattern, directoryOnly, wild, anchored,
            lastNameOnly: slashes == 0 && !anyDepth, slashPrefix: starStarPrefix, slashSuffix: dirAndContents, where);
    }

    private sealed class CompiledRule(FilterAction action, byte[] pattern, bool directoryOnly, bool wild, bool anchored,
        bool lastNameOnly, bool slashPrefix, bool slashSuffix, int where)
    {
        public FilterAction Action { get; } = action;

        /// <param name="framed">The path with a '/' before and after it.</param>
        /// <param name="path">The path alone (a slice of <paramref name="framed"/>).</param>
        /// <param name="isDirectory">The entry is a directory (a trailing-slash pattern matches only those).</param>
        public bool Matches(ReadOnlySpan<byte> framed, ReadOnlySpan<byte> path, bool isDirectory)
        {
            if (directoryOnly && !isDirectory)
            {
                return false;
            }
            ReadOnlySpan<byte> text = path;
            if (lastNameOnly)
            {
                text = text[(text.LastIndexOf((byte)'/') + 1)..];
            }
            else
            {
                // The frame holds path at [framed.Length - path.Length - 1, framed.Length - 1).
                int start = framed.Length - path.Length - 1;
                int end = framed.Length - 1;
                // A leading '**' may match an implied '/' before the root's names: '**/x' matches 'x'.
                if (slashPrefix)
                {
                    start--;
                }
                // 'dir/***' matches the directory 'dir' through an implied '/' after it.
                if (slashSuffix && isDirectory)
                {
                    end++;
                }
                text = framed[start..end];
            }
            if (wild)
            {
                return WildMatch.Matches(pattern, text, where);
            }
            if (anchored)
            {
                return text.SequenceEqual(pattern);
            }
            // A literal: the path's tail, starting at a name.
            return text.EndsWith(pattern) && (text.Length == pattern.Length || text[text.Length - pattern.Length - 1] == '/');
        }
    }
}
