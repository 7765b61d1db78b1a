using System.Text.RegularExpressions;
using Blit.Platform;

namespace Blit.Planning;

/// <summary>
/// Compares a scanned source tree with the scanned destination and decides every action.
/// Pure: no I/O, so it is tested on hand-built listings.
/// </summary>
internal sealed partial class MirrorPlanner
{
    private readonly bool _checksum;
    private readonly bool _compareOwner;
    private readonly bool _canCreateDevices;

    public MirrorPlanner(bool checksum, bool compareOwner, bool canCreateDevices)
    {
        _checksum = checksum;
        _compareOwner = compareOwner;
        _canCreateDevices = canCreateDevices;
    }

    /// <summary>Names Blit gives its temp files and staged directories: <c>.~blit-PID-SEQ.tmp</c>.</summary>
    [GeneratedRegex(@"^\.~blit-[0-9a-f]+-[0-9a-f]+\.tmp$", RegexOptions.CultureInvariant)]
    internal static partial Regex TempNamePattern();

    public MirrorPlan Plan(DirListing source, FileMeta sourceRoot, DirListing? dest, FileMeta? destRoot)
    {
        var plan = new MirrorPlan();
        var root = new DirOp
        {
            RelativePath = string.Empty,
            Name = string.Empty,
            Parent = null,
            Source = sourceRoot,
            DestKind = destRoot is null ? null : EntryKind.Directory,
            MetadataDiffers = destRoot is null || MetaDiffers(sourceRoot, destRoot.Value),
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

    private bool MetaDiffers(in FileMeta src, in FileMeta dst) =>
        !src.SameMtime(dst)
        || (src.Kind != EntryKind.Symlink && src.Permissions != dst.Permissions)
        || (_compareOwner && (src.Uid != dst.Uid || src.Gid != dst.Gid));

    private void PlanDirectory(MirrorPlan plan, DirOp dirOp, DirListing source, DirListing? dest)
    {
        var subdirs = new List<(DirOp Op, DirListing? Src, DirListing? Dst)>();
        // Both listings are sorted by ordinal name, so one merge pass pairs them: no index, no hashing.
        TreeEntry[] destEntries = dest?.Entries ?? [];
        int next = 0;
        foreach (ref readonly TreeEntry s in source.Entries.AsSpan())
        {
            int di = -1;
            while (next < destEntries.Length)
            {
                int order = string.CompareOrdinal(destEntries[next].Name, s.Name);
                if (order < 0)
                {
                    next++; // only in the destination: the deletion pass below takes it
                    continue;
                }
                if (order == 0)
                {
                    di = next++;
                }
                break;
            }
            TreeEntry d = di >= 0 ? destEntries[di] : default;
            EntryKind? destKind = di >= 0 ? d.Kind : null;
            switch (s.Kind)
            {
                case EntryKind.Special:
                    PlanSpecial(plan, dirOp, source, s, destKind, d);
                    break;

                case EntryKind.Directory:
                    var child = new DirOp
                    {
                        RelativePath = source.ChildPath(s.Name),
                        Name = s.Name,
                        Parent = dirOp,
                        Source = s.Meta,
                        DestKind = destKind,
                        ReplacedDestTree = destKind == EntryKind.Directory ? null : d.Children,
                        MetadataDiffers = destKind != EntryKind.Directory || MetaDiffers(s.Meta, d.Meta),
                        SourceReadable = s.Children is not null,
                    };
                    subdirs.Add((child, s.Children, destKind == EntryKind.Directory ? d.Children : null));
                    break;

                case EntryKind.File:
                    PlanFile(plan, dirOp, s, destKind, d);
                    break;

                case EntryKind.Symlink:
                    if (destKind == EntryKind.Symlink && string.Equals(d.LinkTarget, s.LinkTarget, StringComparison.Ordinal))
                    {
                        if (MetaDiffers(s.Meta, d.Meta))
                        {
                            plan.Entries.Add(NewOp(MirrorAction.UpdateMetadata, dirOp, s, destKind, d));
                        }
                    }
                    else
                    {
                        plan.Entries.Add(NewOp(destKind is null ? MirrorAction.CreateSymlink : MirrorAction.ReplaceSymlink,
                            dirOp, s, destKind, d));
                    }
                    break;
            }
        }

        if (dest is not null)
        {
            TreeEntry[] sourceEntries = source.Entries;
            int si = 0;
            foreach (ref readonly TreeEntry d in dest.Entries.AsSpan())
            {
                while (si < sourceEntries.Length && string.CompareOrdinal(sourceEntries[si].Name, d.Name) < 0)
                {
                    si++;
                }
                if (si == sourceEntries.Length || !string.Equals(sourceEntries[si].Name, d.Name, StringComparison.Ordinal))
                {
                    plan.Deletions.Add(new DeleteOp
                    {
                        ParentPath = dest.RelativePath,
                        Parent = dirOp,
                        Name = d.Name,
                        Kind = d.Kind,
                        Tree = d.Children,
                        IsStaleTemp = d.Kind is EntryKind.File or EntryKind.Directory && TempNamePattern().IsMatch(d.Name),
                    });
                }
            }
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

    private void PlanSpecial(MirrorPlan plan, DirOp dirOp, DirListing source, in TreeEntry s, EntryKind? destKind, in TreeEntry d)
    {
        if (s.Meta.IsDevice && !_canCreateDevices)
        {
            // As rsync -a without the privilege: skipped, and the destination entry of that name is left alone.
            plan.SpecialsSkipped++;
            plan.SpecialPaths.Add(source.ChildPath(s.Name));
            return;
        }
        if (destKind == EntryKind.Special && s.Meta.SameSpecial(d.Meta))
        {
            if (MetaDiffers(s.Meta, d.Meta))
            {
                plan.Entries.Add(NewOp(MirrorAction.UpdateMetadata, dirOp, s, destKind, d));
            }
            return;
        }
        plan.Entries.Add(NewOp(MirrorAction.CreateSpecial, dirOp, s, destKind, d));
    }

    private void PlanFile(MirrorPlan plan, DirOp dirOp, in TreeEntry s, EntryKind? destKind, in TreeEntry d)
    {
        if (destKind is null)
        {
            plan.Entries.Add(NewOp(MirrorAction.CopyFile, dirOp, s, destKind, d));
            return;
        }
        if (destKind != EntryKind.File)
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d));
            return;
        }
        if (s.Meta.Size != d.Meta.Size)
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d));
            return;
        }
        if (_checksum)
        {
            // Decided after the content is compared; metadata is fixed either way.
            var op = NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d);
            op.CompareContent = true;
            plan.Entries.Add(op);
            return;
        }
        if (!s.Meta.SameMtime(d.Meta))
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateFile, dirOp, s, destKind, d));
        }
        else if (MetaDiffers(s.Meta, d.Meta))
        {
            plan.Entries.Add(NewOp(MirrorAction.UpdateMetadata, dirOp, s, destKind, d));
        }
        else
        {
            plan.UnchangedFiles++;
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
        op.Action = MirrorAction.UpdateMetadata;
        return MetaDiffers(op.Source, op.Dest);
    }

    private static EntryOp NewOp(MirrorAction action, DirOp dir, in TreeEntry s, EntryKind? destKind, in TreeEntry d) => new()
    {
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
