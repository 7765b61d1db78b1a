namespace Blit.Platform;

/// <summary>
/// Puts a directory's entries in ordinal name order, the order the planner merges source and
/// destination listings in (<see cref="TreeEntry.CompareNames"/>). Every scanned directory is sorted,
/// twice per mirror (source and destination), so this is on the scan's hot path: a 1,000,000-entry
/// tree spent a tenth of its user time comparing names through a delegate. Here each name gets a
/// 64-bit key, the units after the prefix all names of the directory share (eight bytes of a name
/// held as bytes, four UTF-16 code units of a string; missing ones as 0), the keys are sorted as
/// plain numbers, and each run of entries whose keys tie is sorted the same way by the units that
/// follow. Distinct keys order the names as <see cref="TreeEntry.CompareNames"/> does.
/// </summary>
internal static class NameOrder
{
    private const int KeptBufferEntries = 1 << 14; // at most 192 KiB kept per thread; a huge directory allocates its own

    /// <summary>A kept listing of at least this many entries is allocated where the collector never moves it.</summary>
    internal const int PinnedEntries = 128;

    /// <summary>
    /// A scanned listing lives until the mirror is planned. Left to the collector's young generations, a
    /// million-entry tree's arrays were copied twice (gen0, gen1) while every thread waited; on the
    /// pinned-object heap they are never moved (a 1M no-op's pauses: 114-135 ms -> 31-42 ms). Small
    /// ones, and listings read and dropped (a tree being deleted), stay young: they are cheap to move,
    /// and a pinned array is freed only by a full collection.
    /// </summary>
    internal static bool Pin(bool keep, int count) => keep && count >= PinnedEntries;

    [ThreadStatic] private static ulong[]? t_keys;
    [ThreadStatic] private static int[]? t_order;

    /// <summary>The first <paramref name="count"/> entries of <paramref name="buffer"/>, sorted by ordinal name, in a new array of that size.</summary>
    /// <remarks>They must all hold their names the same way, as bytes or as strings (one backend made them).</remarks>
    /// <param name="buffer">The entries, in any order.</param>
    /// <param name="count">How many of them.</param>
    /// <param name="keep">The listing is kept until the mirror is planned: see <see cref="Pin"/>.</param>
    public static TreeEntry[] SortedCopy(TreeEntry[] buffer, int count, bool keep = false)
    {
        ulong[] keys = t_keys is { } k && k.Length >= count ? k : new ulong[Math.Max(count, 256)];
        int[] order = t_order is { } o && o.Length >= count ? o : new int[Math.Max(count, 256)];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        if (count > 0 && buffer[0].HasNameBytes)
        {
            SortRange<byte, ByteUnits>(buffer, keys, order, 0, count, 0);
        }
        else
        {
            SortRange<char, CharUnits>(buffer, keys, order, 0, count, 0);
        }
        var sorted = Pin(keep, count) ? GC.AllocateArray<TreeEntry>(count, pinned: true) : new TreeEntry[count];
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

    /// <summary>How a name is read as units, and how many of them make a 64-bit key.</summary>
    private interface IUnits<T> where T : unmanaged, IEquatable<T>
    {
        static abstract int PerKey { get; }

        static abstract ReadOnlySpan<T> Of(in TreeEntry entry);

        /// <summary><paramref name="key"/> shifted by one unit, with the unit of <paramref name="name"/> at <paramref name="at"/> (0 past its end) below.</summary>
        static abstract ulong Append(ulong key, ReadOnlySpan<T> name, int at);
    }

    private readonly struct ByteUnits : IUnits<byte>
    {
        public static int PerKey => 8;

        public static ReadOnlySpan<byte> Of(in TreeEntry entry) => entry.NameBytes;

        public static ulong Append(ulong key, ReadOnlySpan<byte> name, int at) => (key << 8) | (at < name.Length ? name[at] : 0u);
    }

    private readonly struct CharUnits : IUnits<char>
    {
        public static int PerKey => 4;

        public static ReadOnlySpan<char> Of(in TreeEntry entry) => entry.Name;

        public static ulong Append(ulong key, ReadOnlySpan<char> name, int at) => (key << 16) | (at < name.Length ? name[at] : 0u);
    }

    /// <summary>
    /// Sorts order[start..end), whose names all share their first <paramref name="depth"/> units: by the key
    /// after the prefix they all share, then each run of equal keys the same way, one key further on (a
    /// most-significant-digit radix sort over 64-bit digits; a run ends when its names do: they are then equal, as names hold no NUL).
    /// </summary>
    private static void SortRange<T, TUnits>(TreeEntry[] buffer, ulong[] keys, int[] order, int start, int end, int depth)
        where T : unmanaged, IEquatable<T>
        where TUnits : IUnits<T>
    {
        if (end - start < 2)
        {
            return;
        }
        int shared = depth + SharedPrefix<T, TUnits>(buffer, order, start, end, depth);
        bool longer = false;
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<T> name = TUnits.Of(buffer[order[i]]);
            ulong key = 0;
            for (int at = shared; at < shared + TUnits.PerKey; at++)
            {
                key = TUnits.Append(key, name, at);
            }
            keys[i] = key;
            longer |= name.Length > shared + TUnits.PerKey;
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
                SortRange<T, TUnits>(buffer, keys, order, run, next, shared + TUnits.PerKey);
            }
        }
    }

    /// <summary>How many units past <paramref name="depth"/> every name of order[start..end) shares.</summary>
    private static int SharedPrefix<T, TUnits>(TreeEntry[] buffer, int[] order, int start, int end, int depth)
        where T : unmanaged, IEquatable<T>
        where TUnits : IUnits<T>
    {
        ReadOnlySpan<T> first = TUnits.Of(buffer[order[start]]);
        first = first[Math.Min(depth, first.Length)..];
        int shared = first.Length;
        for (int i = start + 1; i < end && shared > 0; i++)
        {
            ReadOnlySpan<T> name = TUnits.Of(buffer[order[i]]);
            shared = first[..shared].CommonPrefixLength(name[Math.Min(depth, name.Length)..]);
        }
        return shared;
    }
}
