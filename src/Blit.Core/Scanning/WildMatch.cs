namespace Blit.Scanning;

/// <summary>
/// rsync's wildcard matcher, over bytes (Linux names are bytes; '?' is one byte, as in rsync):
/// '*' is any run without '/', '**' (and '***') any run at all, '?' one byte other than '/',
/// '[...]' a class ('!' or '^' negates; ranges; '\' escapes; POSIX classes such as
/// '[:digit:]', ASCII only; never '/'), '\' makes the next byte literal. Behaviour, including
/// the early give-ups (which decide where an unanchored '**' pattern is retried), follows
/// rsync's lib/wildmatch.c.
/// </summary>
internal static class WildMatch
{
    /// <summary>Outcomes of one attempt; the two aborts tell callers that trying later offsets cannot help.</summary>
    private enum Outcome
    {
        NoMatch,
        Match,
        /// <summary>The text ran out: no later start can match either.</summary>
        AbortAll,
        /// <summary>A single '*' met a '/': only an enclosing '**' may try further.</summary>
        AbortToStarStar,
    }

    /// <summary>
    /// Matches <paramref name="pattern"/> against <paramref name="text"/>. <paramref name="where"/>:
    /// 0 matches the whole text; N &gt; 0 only its last N '/'-separated elements; -1 the whole
    /// text or any part of it that follows a '/'.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, int where)
    {
        if (where > 0)
        {
            int start = LastElements(text, where);
            return start >= 0 && Match(pattern, text[start..]) == Outcome.Match;
        }
        Outcome outcome = Match(pattern, text);
        if (outcome == Outcome.Match)
        {
            return true;
        }
        if (where == 0 || outcome == Outcome.AbortAll)
        {
            return false;
        }
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '/')
            {
                continue;
            }
            outcome = Match(pattern, text[(i + 1)..]);
            if (outcome is Outcome.Match or Outcome.AbortAll)
            {
                return outcome == Outcome.Match;
            }
        }
        return false;
    }

    /// <summary>
    /// The offset where the last <paramref name="count"/> elements of <paramref name="text"/>
    /// begin, or -1 when it has fewer elements.
    /// </summary>
    public static int LastElements(ReadOnlySpan<byte> text, int count)
    {
        for (int i = text.Length - 1; i >= 0; i--)
        {
            if (text[i] == '/' && --count == 0)
            {
                return i + 1;
            }
        }
        return count == 1 ? 0 : -1;
    }

    /// <summary>
    /// Null when <paramref name="pattern"/> can match something; otherwise why it never can
    /// (an unclosed '[', an unknown '[:class:]', a trailing '\'), which rsync accepts silently.
    /// </summary>
    public static string? Defect(ReadOnlySpan<byte> pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case (byte)'\\':
                    if (++i == pattern.Length)
                    {
                        return "it ends with a lone '\\'";
                    }
                    break;
                case (byte)'[':
                    int end = ScanClass(pattern, i + 1, 0, out _, out string? defect);
                    if (end < 0)
                    {
                        return defect;
                    }
                    i = end;
                    break;
            }
        }
        return null;
    }

    private static byte At(ReadOnlySpan<byte> s, int i) => i < s.Length ? s[i] : (byte)0;

    private static Outcome Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> t)
    {
        int ti = 0;
        for (int pi = 0; pi < p.Length; pi++, ti++)
        {
            byte pc = p[pi];
            if (ti == t.Length && pc != '*')
            {
                return Outcome.AbortAll;
            }
            byte tc = At(t, ti);
            switch (pc)
            {
                case (byte)'\\':
                    // A literal byte; a '\' ending the pattern matches nothing.
                    pi++;
                    if (pi == p.Length || tc != p[pi])
                    {
                        return Outcome.NoMatch;
                    }
                    continue;
                case (byte)'?':
                    if (tc == '/')
                    {
                        return Outcome.NoMatch;
                    }
                    continue;
                case (byte)'*':
                    bool anyDepth = At(p, pi + 1) == '*';
                    while (At(p, pi + 1) == '*')
                    {
                        pi++;
                    }
                    pi++;
                    if (pi == p.Length)
                    {
                        // Trailing '**' takes everything; a trailing '*' only what has no '/'.
                        return anyDepth || t[ti..].IndexOf((byte)'/') < 0 ? Outcome.Match : Outcome.NoMatch;
                    }
                    ReadOnlySpan<byte> rest = p[pi..];
                    for (; ti < t.Length; ti++)
                    {
                        Outcome inner = Match(rest, t[ti..]);
                        if (inner != Outcome.NoMatch)
                        {
                            if (!anyDepth || inner != Outcome.AbortToStarStar)
                            {
                                return inner;
                            }
                        }
                        else if (!anyDepth && t[ti] == '/')
                        {
                            return Outcome.AbortToStarStar;
                        }
                    }
                    return Outcome.AbortAll;
                case (byte)'[':
                    int end = ScanClass(p, pi + 1, tc, out bool matched, out _);
                    if (end < 0)
                    {
                        return Outcome.AbortAll;
                    }
                    if (!matched || tc == '/')
                    {
                        return Outcome.NoMatch;
                    }
                    pi = end;
                    continue;
                default:
                    if (tc != pc)
                    {
                        return Outcome.NoMatch;
                    }
                    continue;
            }
        }
        return ti == t.Length ? Outcome.Match : Outcome.NoMatch;
    }

    /// <summary>
    /// Reads the class that starts at <paramref name="i"/> (just after '[') and tests
    /// <paramref name="c"/> against it. Returns the index of the closing ']' (with
    /// <paramref name="matched"/> already negated where the class is), or -1 for a malformed class.
    /// </summary>
    private static int ScanClass(ReadOnlySpan<byte> p, int i, byte c, out bool matched, out string? defect)
    {
        matched = false;
        defect = null;
        byte pc = At(p, i);
        bool negated = pc is (byte)'!' or (byte)'^';
        if (negated)
        {
            pc = At(p, ++i);
        }
        byte prev = 0;
        bool hit = false;
        // The first byte is always a member, even ']': the class closes at a later ']'.
        while (true)
        {
            if (pc == 0)
            {
                defect = "its '[' is never closed";
                return -1;
            }
            if (pc == '\\')
            {
                pc = At(p, ++i);
                if (pc == 0)
                {
                    defect = "its '[' is never closed";
                    return -1;
                }
                hit |= c == pc;
            }
            else if (pc == '-' && prev != 0 && At(p, i + 1) != 0 && At(p, i + 1) != ']')
            {
                pc = At(p, ++i);
                if (pc == '\\')
                {
                    pc = At(p, ++i);
                    if (pc == 0)
                    {
                        defect = "its '[' is never closed";
                        return -1;
                    }
                }
                hit |= c >= prev && c <= pc;
                pc = 0; // a range cannot be the start of another
            }
            else if (pc == '[' && At(p, i + 1) == ':')
            {
                int nameStart = i + 2;
                int j = nameStart;
                while (At(p, j) != 0 && At(p, j) != ']')
                {
                    j++;
                }
                if (At(p, j) == 0)
                {
                    defect = "its '[' is never closed";
                    return -1;
                }
                if (j - nameStart - 1 < 0 || p[j - 1] != ':')
                {
                    // No ":]": the '[' is an ordinary member.
                    hit |= c == '[';
                }
                else
                {
                    ReadOnlySpan<byte> name = p[nameStart..(j - 1)];
                    bool? inClass = PosixClass(name, c);
                    if (inClass is null)
                    {
                        defect = $"'[:{System.Text.Encoding.UTF8.GetString(name)}:]' is not a character class";
                        return -1;
                    }
                    hit |= inClass.Value;
                    i = j;
                    pc = 0;
                }
            }
            else
            {
                hit |= c == pc;
            }
            prev = pc;
            pc = At(p, ++i);
            if (pc == ']')
            {
                break;
            }
        }
        matched = hit != negated;
        return i;
    }

    /// <summary>Membership in a POSIX class, ASCII only (as rsync's ctype tests are in its locale); null for an unknown name.</summary>
    private static bool? PosixClass(ReadOnlySpan<byte> name, byte c)
    {
        bool upper = c is >= (byte)'A' and <= (byte)'Z';
        bool lower = c is >= (byte)'a' and <= (byte)'z';
        bool digit = c is >= (byte)'0' and <= (byte)'9';
        bool graph = c is > 32 and < 127;
        return name switch
        {
            _ when name.SequenceEqual("alnum"u8) => upper || lower || digit,
            _ when name.SequenceEqual("alpha"u8) => upper || lower,
            _ when name.SequenceEqual("blank"u8) => c is (byte)' ' or (byte)'\t',
            _ when name.SequenceEqual("cntrl"u8) => c is < 32 or 127,
            _ when name.SequenceEqual("digit"u8) => digit,
            _ when name.SequenceEqual("graph"u8) => graph,
            _ when name.SequenceEqual("lower"u8) => lower,
            _ when name.SequenceEqual("print"u8) => graph || c == ' ',
            _ when name.SequenceEqual("punct"u8) => graph && !upper && !lower && !digit,
            _ when name.SequenceEqual("space"u8) => c is (byte)' ' or >= 9 and <= 13,
            _ when name.SequenceEqual("upper"u8) => upper,
            _ when name.SequenceEqual("xdigit"u8) => digit || c is >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F',
            _ => null,
        };
    }
}
