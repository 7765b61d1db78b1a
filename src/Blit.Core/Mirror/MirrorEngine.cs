using System.Diagnostics;
using Blit.Errors;
using Blit.Execution;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Mirror;

/// <summary>
/// Entry point of the mirror: <c>Prepare</c> validates, scans both trees in parallel
/// and plans; the returned session lists the planned actions (for -WhatIf/-Confirm) and
/// executes them.
/// </summary>
public static class MirrorEngine
{
    /// <summary>Convenience: prepare and execute in one call.</summary>
    public static MirrorResult Run(MirrorOptions options, IMirrorListener? listener = null,
        MirrorProgress? progress = null, CancellationToken cancellationToken = default)
    {
        using MirrorSession session = Prepare(options, listener, progress, cancellationToken);
        return session.Execute(cancellationToken);
    }

    private static DirHandle OpenRoot(IMirrorFileSystem fs, string path, BlitErrorCode code, string role)
    {
        try
        {
            return fs.OpenRoot(path);
        }
        catch (NativeIOException ex)
        {
            throw new BlitException(code, $"Cannot open the {role} '{path}': {ex.Message}", path, ex);
        }
    }

    /// <summary>rsync's --modify-window (times within it are equal) as the planner's exclusive window in ns.</summary>
    private static long? WindowNs(TimeSpan? modifyWindow)
    {
        if (modifyWindow is not { } window)
        {
            return null;
        }
        if (window < TimeSpan.Zero)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, $"ModifyWindow cannot be negative; got {window}.");
        }
        return window.Ticks * 100 + 1;
    }

    /// <summary>
    /// Measures the destination (see <see cref="IMirrorFileSystem.ProbeDestination"/>); a destination
    /// still to be created is measured in its nearest existing parent, on whose filesystem it will be.
    /// </summary>
    private static FileSystemCapabilities ProbeDestination(IMirrorFileSystem fs, DirHandle? dstRoot, string destination)
    {
        if (dstRoot is not null)
        {
            return fs.ProbeDestination(dstRoot, TempName.New());
        }
        for (string? dir = Path.GetDirectoryName(destination); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }
            try
            {
                using DirHandle parent = fs.OpenRoot(dir);
                return fs.ProbeDestination(parent, TempName.New());
            }
            catch (IOException)
            {
                break;
            }
        }
        return FileSystemCapabilities.Assumed("unknown", fs.CanSetOwner);
    }

    /// <summary>
    /// Measures each filesystem mounted inside the destination tree (a USB disk under a NAS
    /// folder, say), keyed by the destination-relative path of its mount point. Only mount
    /// points that are directories of the scanned tree count (not excluded ones, not behind a symlink).
    /// </summary>
    private static Dictionary<string, DestinationRules> ProbeMounts(IMirrorFileSystem fs, DirHandle dstRoot, DirListing dest, long? windowNs)
    {
        var rules = new Dictionary<string, DestinationRules>(StringComparer.Ordinal);
        foreach (string relative in fs.MountPointsBelow(dstRoot))
        {
            if (!IsScannedDirectory(dest, relative))
            {
                continue;
            }
            try
            {
                using DirHandle mount = RelativePath.Open(fs, dstRoot, relative);
                rules[relative] = new DestinationRules(fs.ProbeDestination(mount, TempName.New()), windowNs, fs.CanSetOwner);
            }
            catch (IOException)
            {
                // Not reachable without following a link, or gone: the destination's rules apply.
            }
        }
        return rules;
    }

    private static bool IsScannedDirectory(DirListing root, string relative)
    {
        DirListing? current = root;
        foreach (string part in relative.Split('/'))
        {
            int i = current is null ? -1 : current.IndexOf(part);
            if (i < 0 || current!.Entries[i].Kind != EntryKind.Directory)
            {
                return false;
            }
            current = current.Entries[i].Children;
        }
        return current is not null;
    }

    /// <summary>Validates <paramref name="options"/>, scans both trees and plans; execute the returned session to mirror.</summary>
    public static MirrorSession Prepare(MirrorOptions options, IMirrorListener? listener = null,
        MirrorProgress? progress = null, CancellationToken cancellationToken = default) =>
        Prepare(options, listener, progress, cancellationToken, fileSystem: null);

    /// <summary>Tests pass a decorated filesystem to inject faults.</summary>
    internal static MirrorSession Prepare(MirrorOptions options, IMirrorListener? listener,
        MirrorProgress? progress, CancellationToken cancellationToken, IMirrorFileSystem? fileSystem)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ThrottleLimit < 0 || options.ThrottleLimit > 256)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"ThrottleLimit must be between 0 (automatic) and 256; got {options.ThrottleLimit}.");
        }
        if (options.RetryCount < 0 || options.RetryDelay < TimeSpan.Zero)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"RetryCount and RetryDelay must not be negative; got {options.RetryCount} and {options.RetryDelay}.");
        }
        var stopwatch = Stopwatch.StartNew();
        progress ??= new MirrorProgress();
        IReadOnlyList<FilterRule> filterRules = MirrorFilters.Rules(options);
        IMirrorFileSystem fs = fileSystem ?? FileSystemFactory.Create(options);
        PathRules.Check(fs, options);

        string source = options.Source;
        string destination = options.Destination;
        foreach (BlitError warning in MirrorFilters.Warnings(filterRules, source, destination))
        {
            listener?.OnError(warning);
        }
        FileMeta sourceMeta = fs.StatRoot(source);
        // A missing destination is created only when the plan is executed (-WhatIf touches nothing).
        bool destMissing = !Directory.Exists(destination);

        DirHandle srcRoot = OpenRoot(fs, source, BlitErrorCode.SourceUnreadable, "source");
        DirHandle? dstRoot = null;
        try
        {
            dstRoot = destMissing ? null : OpenRoot(fs, destination, BlitErrorCode.DestinationUnusable, "destination");
            // Before the scan, so the scan does not meet the probe's temp entry.
            FileSystemCapabilities capabilities = ProbeDestination(fs, dstRoot, destination);
            fs.UseDestination(capabilities);
            var rules = new DestinationRules(capabilities, WindowNs(options.ModifyWindow), fs.CanSetOwner);
            // Patterns match names as the destination does: where 'a.TMP' and 'a.tmp' are one name
            // there, '*.tmp' keeps both out (and protects both), as rsync does on such a filesystem.
            var exclude = new ExcludeFilter(filterRules,
                capabilities.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
            // --delete-excluded: the rules only hide source entries; the destination keeps nothing back.
            ExcludeFilter destinationFilter = options.DeleteExcluded ? ExcludeFilter.None : exclude;
            FileMeta? destMeta = destMissing ? null : fs.StatRoot(destination);
            Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Scanning);
            int scanWorkers = WorkerPlanner.ReadWorkers;
            var srcScanner = new TreeScanner(fs, exclude, scanWorkers, BlitErrorCode.SourceUnreadable, BlitErrorCode.SourceVanished);
            var dstScanner = new TreeScanner(fs, destinationFilter, scanWorkers, BlitErrorCode.DestinationUnreadable, BlitErrorCode.DestinationUnreadable);
            ScanResult? dstScan = null;
            Exception? dstFailure = null;
            var dstThread = new Thread(() =>
            {
                try
                {
                    dstScan = dstRoot is null
                        ? new ScanResult(new DirListing(string.Empty, []), [], new ScanCounts())
                        : dstScanner.Scan(dstRoot, cancellationToken);
                }
                catch (Exception ex)
                {
                    dstFailure = ex;
                }
            })
            { IsBackground = true, Name = "blit-scan-dest" };
            dstThread.Start();
            ScanResult srcScan;
            try
            {
                srcScan = srcScanner.Scan(srcRoot, cancellationToken);
            }
            finally
            {
                dstThread.Join();
            }
            if (dstFailure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(dstFailure).Throw();
            }
            foreach (BlitError e in srcScan.Errors.Concat(srcScan.Warnings).Concat(dstScan!.Errors).Concat(dstScan.Warnings))
            {
                listener?.OnError(e);
            }

            // With -NoDelete an empty source deletes nothing: there is nothing to refuse.
            if (!options.Force && !options.NoDelete && srcScan.Root.Entries.Length == 0 && dstScan.Root.Entries.Length > 0)
            {
                throw new BlitException(BlitErrorCode.EmptySourceRefused,
                    $"The source '{source}' is empty and the destination '{destination}' is not: mirroring would delete " +
                    $"everything in it. Use -Force if that is what you want.", destination);
            }

            Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Planning);
            Dictionary<string, DestinationRules> mountRules = dstRoot is null ? []
                : ProbeMounts(fs, dstRoot, dstScan.Root, WindowNs(options.ModifyWindow));
            var planner = new MirrorPlanner(options.Checksum, rules, mountRules, recordUnchanged: options.ReportSkips,
                canCreateDevices: fs.CanCreateDevices);
            MirrorPlan plan = planner.Plan(srcScan.Root, sourceMeta, dstScan.Root, destMeta);
            var session = new MirrorSession(options, fs, destinationFilter, planner, plan, srcScan, dstScan, srcRoot, dstRoot,
                listener, progress, stopwatch, rules, mountRules);
            if (options.Checksum)
            {
                session.CompareContents(cancellationToken);
            }
            srcRoot = null!;
            dstRoot = null;
            return session;
        }
        finally
        {
            srcRoot?.Dispose();
            dstRoot?.Dispose();
        }
    }
}
