using System.Diagnostics;
using System.Runtime.InteropServices;
using Blit.Errors;
using Blit.Execution;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Mirror;

/// <summary>
/// Entry point of the mirror: <see cref="Prepare"/> validates, scans both trees in parallel
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

    public static MirrorSession Prepare(MirrorOptions options, IMirrorListener? listener = null,
        MirrorProgress? progress = null, CancellationToken cancellationToken = default) =>
        Prepare(options, listener, progress, cancellationToken, fileSystem: null);

    /// <summary>Tests pass a decorated filesystem to inject faults.</summary>
    internal static MirrorSession Prepare(MirrorOptions options, IMirrorListener? listener,
        MirrorProgress? progress, CancellationToken cancellationToken, IMirrorFileSystem? fileSystem)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OperatingSystem.IsLinux())
        {
            throw new BlitException(BlitErrorCode.PlatformNotSupported,
                $"This build of Blit mirrors on Linux only; {RuntimeInformation.OSDescription} is not supported yet.");
        }
        if (options.ThrottleLimit < 0 || options.ThrottleLimit > 256)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"ThrottleLimit must be between 0 (automatic) and 256; got {options.ThrottleLimit}.");
        }
        var stopwatch = Stopwatch.StartNew();
        progress ??= new MirrorProgress();
        var exclude = new ExcludeFilter(options.Exclude);
        IMirrorFileSystem fs = fileSystem ?? new LinuxFileSystem(options.AllowClone);
        PathRules.Check(fs, options);

        string source = options.Source;
        string destination = options.Destination;
        FileMeta sourceMeta = fs.StatRoot(source);
        // A missing destination is created only when the plan is executed (-WhatIf touches nothing).
        bool destMissing = !Directory.Exists(destination);

        DirHandle srcRoot = OpenRoot(fs, source, BlitErrorCode.SourceUnreadable, "source");
        DirHandle? dstRoot = null;
        try
        {
            dstRoot = destMissing ? null : OpenRoot(fs, destination, BlitErrorCode.DestinationUnusable, "destination");
            FileMeta? destMeta = destMissing ? null : fs.StatRoot(destination);
            Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Scanning);
            int scanWorkers = Math.Max(2, Environment.ProcessorCount);
            var srcScanner = new TreeScanner(fs, exclude, scanWorkers, BlitErrorCode.SourceUnreadable);
            var dstScanner = new TreeScanner(fs, exclude, scanWorkers, BlitErrorCode.DestinationUnreadable);
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
            foreach (BlitError e in srcScan.Errors.Concat(dstScan!.Errors))
            {
                listener?.OnError(e);
            }

            if (!options.Force && srcScan.Root.Entries.Length == 0 && dstScan.Root.Entries.Length > 0)
            {
                throw new BlitException(BlitErrorCode.EmptySourceRefused,
                    $"The source '{source}' is empty and the destination '{destination}' is not: mirroring would delete " +
                    $"everything in it. Use -Force if that is what you want.", destination);
            }

            Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Planning);
            var planner = new MirrorPlanner(options.Checksum, fs.CanSetOwner, fs.CanCreateDevices);
            MirrorPlan plan = planner.Plan(srcScan.Root, sourceMeta, dstScan.Root, destMeta);
            var session = new MirrorSession(options, fs, exclude, planner, plan, srcScan, dstScan, srcRoot, dstRoot,
                listener, progress, stopwatch);
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
