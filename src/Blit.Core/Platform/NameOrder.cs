namespace Blit.Platform;

/// <summary>
/// Puts a directory's entries in ordinal name order, the order the planner merges source and
/// destination listings in. Every scanned directory is sorted, twice per mirror (source and
/// destination), so this is on the scan's hot path: a 1,000,000-entry tree spent a tenth of its
/// user time comparing names through a delegate. Here each name gets a 64-bit key, the four UTF-16
/// code units after the prefix all names of the directory share (missing ones as 0), the keys are
/// sorted as plain numbers, and each run of entries whose keys tie is sorted the same way by the
/// code units that follow. Distinct keys order the names as <see cref="string.CompareOrdinal(string, string)"/> does.
/// </summary>
internal static class NameOrder
{
    private const int KeptBufferEntries = 1 << 14; // at most 192 KiB kept per thread; a huge directory allocates its own

    [ThreadStatic] private static ulong[]? t_keys;
    [ThreadStatic] private static int[]? t_order;

    /// <summary>The first <paramref name="count"/> entries of <paramref name="buffer"/>, sorted by ordinal name, in a new array of that size.</summary>
    public static TreeEntry[] SortedCopy(TreeEntry[] buffer, int count)
    {
        ulong[] keys = t_keys is { } k && k.Length >= count ? k : new ulong[Math.Max(count, 256)];
        int[] order = t_order is { } o && o.Length >= count ? o : new int[Math.Max(count, 256)];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        SortRange(buffer, keys, order, 0, count, 0);
        var sorted = new TreeEntry[count];
        for (int i = 0; i < count; i++)
        {
            sorted[i] = buffer[order[i]];
        }
        if (keys.Length <= KeptBufferEntries)
        {
            t_keys = keys;
            t_order = order;
        }
        return sorted;
    }

    /// <summary>
    /// Sorts order[start..end), whose names all share their first <paramref name="depth"/> code units: by the key
    /// after the prefix they all share, then each run of equal keys the same way, four code units further on (a
    /// most-significant-digit radix sort over 64-bit digits; a run ends when its names do: they are then equal, as names hold no NUL).
    /// </summary>
    private static void SortRange(TreeEntry[] buffer, ulong[] keys, int[] order, int start, int end, int depth)
    {
        if (end - start < 2)
        {
            return;
        }
        int shared = depth + SharedPrefix(buffer, order, start, end, depth);
        bool longer = false;
        for (int i = start; i < end; i++)
        {
            string name = buffer[order[i]].Name;
            keys[i] = Key(name, shared);
            longer |= name.Length > shared + 4;
        }
        keys.AsSpan(start, end - start).Sort(order.AsSpan(start, end - start));
        if (!longer)
        {
            return; // every name ends within the key: equal keys are equal names
        }
        for (int run = start, next; run < end; run = next)
        {
            for (next = run + 1; next < end && keys[next] == keys[run]; next++)
            {
            }
            if (next - run > 1)
            {
                SortRange(buffer, keys, order, run, next, shared + 4);
            }
        }
    }

    /// <summary>How many code units past <paramref name="depth"/> every name of order[start..end) shares.</summary>
    private static int SharedPrefix(TreeEntry[] buffer, int[] order, int start, int end, int depth)
    {
        ReadOnlySpan<char> first = buffer[order[start]].Name.AsSpan(Math.Min(depth, buffer[order[start]].Name.Length));
        int shared = first.Length;
        for (int i = start + 1; i < end && shared > 0; i++)
        {
            string name = buffer[order[i]].Name;
            shared = first[..shared].CommonPrefixLength(name.AsSpan(Math.Min(depth, name.Length)));
        }
        return shared;
    }

    /// <summary>The code units at [from, from + 4) as one big-endian number; past the end of the name, 0.</summary>
    private static ulong Key(string name, int from)
    {
        ulong key = 0;
        for (int i = from; i < from + 4; i++)
        {
            key = (key << 16) | (i < name.Length ? name[i] : 0u);
        }
        return key;
    }
}
