using Blit.Platform;

namespace Blit.Planning;

/// <summary>
/// Compares a scanned source tree with the scanned destination and decides every action.
/// Pure: no I/O, so it is tested on hand-built listings.
/// </summary>
internal sealed class MirrorPlanner
{
    private readonly bool _checksum;
    private readonly DestinationRules _rules;
    private readonly IReadOnlyDictionary<string, DestinationRules>? _mountRules;
    private readonly bool _recordUnchanged;
    private readonly bool _canCreateDevices;

    /// <param name="checksum">Compare same-size files by content.</param>
    /// <param name="rules">How the destination compares entries.</param>
    /// <param name="mountRules">Other filesystems mounted inside the destination, by the destination
    /// relative path of their mount point: the subtree below is compared by their rules.</param>
    /// <param name="recordUnchanged">List the entries left alone (for -Verbose skip reasons).</param>
    /// <param name="canCreateDevices">Devices can be made (root): else they are skipped, as rsync -a does.</param>
    public MirrorPlanner(bool checksum, DestinationRules rules, IReadOnlyDictionary<string, DestinationRules>? mountRules = null,
        bool recordUnchanged = false, bool canCreateDevices = true)
    {
        _checksum = checksum;
        _rules = rules;
        _mountRules = mountRules;
        _recordUnchanged = recordUnchanged;
        _canCreateDevices = canCreateDevices;
    }

    /// <summary>Exact names and mtimes, owners compared when <paramref name="compareOwner"/> (tests, native filesystems).</summary>
    public MirrorPlanner(bool checksum, bool compareOwner, bool canCreateDevices = true, bool recordUnchanged = false)
        : this(checksum, new DestinationRules(FileSystemCapabilities.Assumed("native", compareOwner), null, compareOwner),
            recordUnchanged: recordUnchanged, canCreateDevices: canCreateDevices)
    {
    }

    public MirrorPlan Plan(DirListing source, FileMeta sourceRoot, DirListing? dest, FileMeta? destRoot)
    {
        var plan = new MirrorPlan { Unchanged = _recordUnchanged ? [] : null };
        var root = new DirOp
        {
            RelativePath = string.Empty,
            Name = string.Empty,
            Parent = null,
            Source = sourceRoot,
            DestKind = destRoot is null ? null : EntryKind.Directory,
            MetadataDiffers = destRoot is null || MetaDiffers(_rules, sourceRoot, destRoot.Value),
            Rules = _rules,
        };
        AddDir(plan, root);
        PlanDirectory(plan, root, source, dest);
        return plan;
    }

    private static void AddDir(MirrorPlan plan, DirOp op)
    {
        op.Index = plan.Directories.Count;
        plan.Directories.Add(op);
    }

    private static bool MetaDiffers(DestinationRules rules, in FileMeta src, in FileMeta dst) =>
        !rules.SameMtime(src, dst)
        || (rules.ComparePermissions && src.Kind != EntryKind.Symlink && src.Permissions != dst.Permissions)
        || (rules.CompareOwner && (src.Uid != dst.Uid || src.Gid != dst.Gid));

    /// <summary>
    /// Pairs each source entry with the destination entry of the same name by the destination's
    /// rule: <paramref name="pairOf"/>[i] is the destination index for source entry i (-1: none,
    /// -2: its name is one name on the destination with an earlier source entry's), and
    /// <paramref name="claimed"/> marks the destination entries that have a source entry.
    /// </summary>
    private static void Pair(DestinationRules rules, TreeEntry[] sourceEntries, TreeEntry[] destEntries, int[] pairOf, bool[] claimed)
    {
        if (sourceEntries.Length > 0 && destEntries.Length > 0 && sourceEntries[0].HasNameBytes != destEntries[0].HasNameBytes)
        {
            // Bytes and strings sort differently (TreeEntry): a merge of the two would miss pairs and copy and delete them.
            throw new InvalidOperationException("The source and destination listings hold their names differently (bytes and strings).");
        }
        if (rules.Capabilities.ExactNames)
        {
            // Both listings are sorted by ordinal name, so one merge pass pairs them: no hashing.
            int next = 0;
            for (int i = 0; i < sourceEntries.Length; i++)
            {
                pairOf[i] = -1;
                if (sourceEntries[i].Vanished)
                {
                    continue; // gone from the source: its destination counterpart is deleted
                }
                while (next < destEntries.Length)
                {
                    int order = TreeEntry.CompareNames(destEntries[next], sourceEntries[i]);
                    if (order < 0)
                    {
                        next++; // only in the destination: the deletion pass takes it
                        continue;
                    }
                    if (order == 0 && !destEntries[next].Vanished)
                    {
                        claimed[next] = true;
                        pairOf[i] = next;
                    }
                    if (order == 0)
                    {
                        next++;
                    }
                    break;
                }
            }
            return;
        }
        // Case-insensitive (or normalizing) destination: 'report.doc' there is the entry that
        // 'Report.DOC' in the source names. An exact match wins over a folded one.
        // Each name as a string once (names held as bytes decode on every read).
        string[] sourceNames = Array.ConvertAll(sourceEntries, static e => e.Name);
        string[] destNames = Array.ConvertAll(destEntries, static e => e.Name);
        var destByKey = new Dictionary<string, int>(destEntries.Length, StringComparer.Ordinal);
        for (int j = 0; j < destEntries.Length; j++)
        {
            if (destEntries[j].Vanished)
            {
                continue;
            }
            string key = rules.Capabilities.NameKey(destNames[j]);
            if (!destByKey.TryGetValue(key, out int seen) ||
                (!string.Equals(destNames[seen], destNames[j], StringComparison.Ordinal) &&
                 Array.Exists(sourceNames, name => string.Equals(name, destNames[j], StringComparison.Ordinal))))
            {
                destByKey[key] = j;
            }
        }
        // Of two source names that are one name there, the one the destination already holds
        // exactly keeps it (nothing there is overwritten); else the first in ordinal order.
        var sourceKeys = new Dictionary<string, int>(sourceEntries.Length, StringComparer.Ordinal);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < sourceEntries.Length; i++)
            {
                if (sourceEntries[i].Vanished)
                {
                    pairOf[i] = -1;
                    continue;
                }
                string key = rules.Capabilities.NameKey(sourceNames[i]);
                bool exact = destByKey.TryGetValue(key, out int j) &&
                             string.Equals(destNames[j], sourceNames[i], StringComparison.Ordinal);
                if (exact != (pass == 0))
                {
                    continue;
                }
                if (!sourceKeys.TryAdd(key, i))
                {
                    pairOf[i] = -2;
                    continue;
                }
                pairOf[i] = destByKey.TryGetValue(key, out j) ? j : -1;
                if (pairOf[i] >= 0)
                {
                    claimed[pairOf[i]] = true;
                }
            }
        }
    }

    private void PlanDirectory(MirrorPlan plan, DirOp dirOp, DirListing source, DirListing? dest)
    {
        var subdirs = new List<(DirOp Op, DirListing? Src, DirListing? Dst)>();
        TreeEntry[] sourceEntries = source.Entries;
        TreeEntry[] destEntries = dest?.Entries ?? [];
        int[] pairOf = sourceEntries.Length == 0 ? [] : new int[sourceEntries.Length];
        bool[] claimed = destEntries.Length == 0 ? [] : new bool[destEntries.Length];
        DestinationRules rules = dirOp.Rules;
        Pair(rules, sourceEntries, destEntries, pairOf, claimed);
        for (int i = 0; i < sourceEntries.Length; i++)
        {
            ref readonly TreeEntry s = ref sourceEntries[i];
            int di = pairOf[i];
            if (s.Vanished)
            {
                continue; // gone from the source: its destination counterpart is deleted below
            }
            if (di == -2)
            {
                // Two source names, one destination name: mirroring both would overwrite one with
                // the other. The one Pair chose is mirrored; this one is an error.
                string key = rules.Capabilities.NameKey(s.Name);
                string first = s.Name;
                for (int k = 0; k < sourceEntries.Length; k++)
                {
                    if (pairOf[k] != -2 && string.Equals(rules.Capabilities.NameKey(sourceEntries[k].Name), key, StringComparison.Ordinal))
                    {
                        first = sourceEntries[k].Name;
                        break;
                    }
                }
                plan.NameCollisions.Add((source.ChildPath(first), source.ChildPath(s.Name)));
                continue;
            }
            TreeEntry d = di >= 0 ? destEntries[di] : default;
            EntryKind? destKind = di >= 0 ? d.Kind : null;
            // A destination entry whose name differs from the source's only by the destination's
            // rule (case, normalization) is renamed to the source's name, never copied and deleted.
            string? destName = di >= 0 && !TreeEntry.NamesEqual(d, s) ? d.Name : null;
            switch (s.Kind)
            {
                case EntryKind.Special:
                    PlanSpecial(plan, dirOp, source, s, destKind, d, destName);
                    break;

                case EntryKind.Directory:
                    // A directory where another filesystem is mounted is compared, with all below it, by that one's rules.
                    DestinationRules childRules = destKind == EntryKind.Directory && d.Children is { } mounted &&
                        _mountRules is not null && _mountRules.TryGetValue(mounted.RelativePath, out DestinationRules? m) ? m : rules;
                    string dirName = s.Name;
                    var child = new DirOp
                    {
                        RelativePath = source.ChildPath(dirName),
                        Name = dirName,
                        Parent = dirOp,
                        Source = s.Meta,
                        DestKind = destKind,
                        DestName = destName,
                        MetadataDiffers = destKind != EntryKind.Directory || MetaDiffers(childRules, s.Meta, d.Meta),
                        SourceReadable = s.Children is not null,
                        Rules = childRules,
                    };
                    subdirs.Add((child, s.Children, destKind == EntryKind.Directory ? d.Children : null));
                    break;

                case EntryKind.File:
                    PlanFile(plan, dirOp, s, destKind, d, destName);
                    break;

                case EntryKind.Symlink:
                    if (!rules.Capabilities.Symlinks)
                    {
                        // Said once per run with the count; a destination entry of that name is kept.
                        plan.SymlinksSkipped++;
                        break;
                    }
                    if (destKind == EntryKind.Symlink && string.Equals(d.LinkTarget, s.LinkTarget, StringComparison.Ordinal))
                    {
                        if (MetaDiffers(rules, s.Meta, d.Meta))
                        {
                            plan.Entries.Add(NewOp(d.Meta.HasOtherLinks ? MirrorAction.ReplaceSymlink : MirrorAction.UpdateMetadata,
                                dirOp, s, destKind, d, destName));
                        }
                        else if (destName is not null)
                        {
                            plan.Entries.Add(NewOp(MirrorAction.Rename, dirOp, s, destKind, d, destName));
                        }
                        else
                        {
                            plan.Unchanged?.Add((source.ChildPath(s.Name), EntryKind.Symlink));
                        }
                    }
                    else
                    {
                        plan.Entries.Add(NewOp(destKind is null ? MirrorAction.CreateSymlink : MirrorAction.ReplaceSymlink,
                            dirOp, s, destKind, d, destName));
                    }
                    break;
            }
        }

        for (int j = 0; j < destEntries.Length; j++)
        {
            if (claimed[j] || destEntries[j].Vanished)
            {
                continue; // paired, or already gone
            }
            ref readonly TreeEntry d = ref destEntries[j];
            string name = d.Name;
            plan.Deletions.Add(new DeleteOp
            {
                ParentPath = dest!.RelativePath,
                Parent = dirOp,
                Name = name,
                Kind = d.Kind,
                Tree = d.Children,
                IsStaleTemp = d.Kind is EntryKind.File or EntryKind.Directory && TempName.Pattern().IsMatch(name),
            });
        }

        // Pre-order: a directory comes before everything inside it.
        foreach (var (op, src, dst) in subdirs)
        {
            AddDir(plan, op);
            if (src is not null)
            {
                PlanDirectory(plan, op, src, dst);
            }
        }
    }

    private void PlanSpecial(MirrorPlan plan, DirOp dirOp, DirListing source, in TreeEntry s, EntryKind? destKind, in TreeEntry d,
        string? destName)
    {
        if ((s.Meta.IsDevice && !_canCreateDevices) || !dirOp.Rules.Capabilities.SpecialFiles)
        {
            // As rsync -a without the privilege, or a destination that holds no special files
            // (exFAT): skipped, and the destination entry of that name is left alone.
            plan.SpecialsSkipped++;
            plan.SpecialPaths.Add(source.ChildPath(s.Name));
            return;
        }
        if (destKind == EntryKind.Special && s.Meta.SameSpecial(d.Meta))
        {
            if (MetaDiffers(dirOp.Rules, s.Meta, d.Meta))
            {
                plan.Entries.Add(NewOp(MirrorAction.UpdateMetadata, dirOp, s, destKind, d, destName));
            }
            else if (destName is not null)
            {
                plan.Entries.Add(NewOp(MirrorAction.Rename, dirOp, s, destKind, d, destName));
            }
            return;
        }
        plan.Entries.Add(NewOp(MirrorAction.CreateSpecial, dirOp, s, destKind, d, destName));
    }

    private void PlanFile(MirrorPlan plan, DirOp dirOp, in TreeEntry s, EntryKind? destKind, in TreeEntry d, string? destName)
    {
        if (destKind is null)
        {
            plan.Entries.Add(NewOp(MirrorAction.CopyFile, dirOp, s, destKind, d, destName));
            return;
        }
        if (destKind != EntryKind.File)
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d, destName));
            return;
        }
        if (s.Meta.Size != d.Meta.Size)
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d, destName));
            return;
        }
        if (_checksum)
        {
            // Decided after the content is compared; metadata is fixed either way.
            var op = NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d, destName);
            op.CompareContent = true;
            plan.Entries.Add(op);
            return;
        }
        if (!dirOp.Rules.SameMtime(s.Meta, d.Meta))
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d, destName));
        }
        else if (MetaDiffers(dirOp.Rules, s.Meta, d.Meta))
        {
            // A file with other names (hard links, maybe outside the tree) is replaced: changing its
            // metadata in place would change theirs too, and the runs would never settle.
            plan.Entries.Add(NewOp(d.Meta.HasOtherLinks ? MirrorAction.UpdateFile : MirrorAction.UpdateMetadata, dirOp, s, destKind, d, destName));
        }
        else if (destName is not null)
        {
            plan.Entries.Add(NewOp(MirrorAction.Rename, dirOp, s, destKind, d, destName));
        }
        else
        {
            plan.UnchangedFiles++;
            plan.Unchanged?.Add((RelativePath.Join(dirOp.RelativePath, s.Name), EntryKind.File));
        }
    }

    /// <summary>With -Checksum: the same-size files whose content decides their action, in plan order.</summary>
    internal static List<EntryOp> ContentToCompare(MirrorPlan plan) => plan.Entries.FindAll(static e => e.CompareContent);

    /// <summary>
    /// Settles the actions of <paramref name="compared"/> by their content comparison
    /// (<paramref name="contentEqual"/>[i], null where it could not be compared: copied) and takes the
    /// files that need nothing out of the plan, as unchanged.
    /// </summary>
    internal void SettleCompared(MirrorPlan plan, List<EntryOp> compared, bool?[] contentEqual)
    {
        HashSet<EntryOp>? drop = null;
        for (int i = 0; i < compared.Count; i++)
        {
            EntryOp op = compared[i];
            if (contentEqual[i] is not { } equal)
            {
                op.CompareContent = false; // stays UpdateFile
            }
            else if (!ResolveCompared(op, equal))
            {
                (drop ??= new HashSet<EntryOp>(ReferenceEqualityComparer.Instance)).Add(op);
                plan.UnchangedFiles++;
                plan.Unchanged?.Add((op.RelativePath, EntryKind.File));
            }
        }
        if (drop is not null)
        {
            plan.Entries.RemoveAll(drop.Contains);
        }
    }

    /// <summary>
    /// After a content comparison: equal content needs at most a metadata fix. Returns false
    /// when the entry needs nothing at all.
    /// </summary>
    internal bool ResolveCompared(EntryOp op, bool contentEqual)
    {
        op.CompareContent = false;
        if (!contentEqual)
        {
            return true; // stays UpdateFile
        }
        op.Action = op.Dest.HasOtherLinks ? MirrorAction.UpdateFile : MirrorAction.UpdateMetadata;
        if (MetaDiffers(op.Dir.Rules, op.Source, op.Dest))
        {
            return true;
        }
        op.Action = MirrorAction.Rename; // same content and metadata: at most a name fix
        return op.DestName is not null;
    }

    private static EntryOp NewOp(MirrorAction action, DirOp dir, in TreeEntry s, EntryKind? destKind, in TreeEntry d,
        string? destName) => new()
    {
        DestName = destName,
        Action = action,
        Dir = dir,
        Name = s.Name,
        Source = s.Meta,
        LinkTarget = s.LinkTarget,
        DestKind = destKind,
        Dest = d.Meta,
        ReplacedDestTree = destKind == EntryKind.Directory ? d.Children : null,
    };
}
