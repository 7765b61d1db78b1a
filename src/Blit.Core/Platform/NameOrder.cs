namespace Blit.Platform;

/// <summary>
/// Puts a directory's entries in ordinal name order, the order the planner merges source and
/// destination listings in. Every scanned directory is sorted, twice per mirror (source and
/// destination), so this is on the scan's hot path: a 1,000,000-entry tree spent a tenth of its
/// user time comparing names through a delegate. Here each name gets a 64-bit key, the four UTF-16
/// code units after the prefix all names of the directory share (missing ones as 0), the keys are
/// sorted as plain numbers, and only entries whose keys tie are compared as strings. Distinct keys
/// order the names as <see cref="string.CompareOrdinal(string, string)"/> does; ties fall back to it.
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
        int shared = SharedPrefix(buffer, count);
        for (int i = 0; i < count; i++)
        {
            keys[i] = Key(buffer[i].Name, shared);
            order[i] = i;
        }
        Span<ulong> keySpan = keys.AsSpan(0, count);
        Span<int> orderSpan = order.AsSpan(0, count);
        keySpan.Sort(orderSpan);
        for (int start = 0, end; start < count; start = end)
        {
            for (end = start + 1; end < count && keys[end] == keys[start]; end++)
            {
            }
            if (end - start > 1)
            {
                orderSpan[start..end].Sort(new ByName(buffer));
            }
        }
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

    /// <summary>The length of the prefix every name shares.</summary>
    private static int SharedPrefix(TreeEntry[] buffer, int count)
    {
        if (count < 2)
        {
            return 0;
        }
        ReadOnlySpan<char> first = buffer[0].Name;
        int shared = first.Length;
        for (int i = 1; i < count && shared > 0; i++)
        {
            shared = first[..shared].CommonPrefixLength(buffer[i].Name);
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

    private readonly struct ByName(TreeEntry[] entries) : IComparer<int>
    {
        public int Compare(int x, int y) => string.CompareOrdinal(entries[x].Name, entries[y].Name);
    }
}
