using System.Globalization;
using Blit.Mirror;
using Blit.Planning;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// The wording of Invoke-BlitMirror's -Verbose lines and log: one place, so the verbose stream
/// and the log file say the same thing. Figures are invariant (a log is searched and parsed).
/// </summary>
internal static class MirrorText
{
    public static string Reason(SkipReason reason) => reason switch
    {
        SkipReason.Unchanged => "same size, modification time and metadata",
        SkipReason.Excluded => "matches -Exclude; not copied",
        SkipReason.ExcludedInDestination => "matches -Exclude; kept in the destination",
        SkipReason.NotDeleted => "not in the source; kept (-NoDelete)",
        SkipReason.SourceIncomplete => "not in the source; kept, because the source could not be read completely",
        SkipReason.Declined => "declined at the -Confirm prompt",
        _ => reason.ToString(),
    };

    public static string Start(MirrorOptions options) => options.NoDelete
        ? $"Copying '{options.Source}' into '{options.Destination}' (-NoDelete): nothing in the destination is deleted."
        : $"Mirroring '{options.Source}' into '{options.Destination}': destination entries not in the source are deleted.";

    public static string Scanned(MirrorSession session, MirrorResult plan) => Format(
        "Scanned in {0:0.000} s: source {1} files, {2} directories, {3} symlinks ({4} bytes); destination {5} files, {6} directories, {7} symlinks.",
        plan.ScanDuration.TotalSeconds, plan.FilesScanned, plan.DirectoriesScanned, plan.SymlinksScanned, plan.BytesScanned,
        session.DestinationFilesScanned, session.DestinationDirectoriesScanned, session.DestinationSymlinksScanned);

    public static string Plan(MirrorResult plan) => Format(
        "Plan: {0} directories to create, {1} files to copy and {2} to update ({3} bytes), {4} unchanged, {5} symlinks to write, " +
        "{6} metadata updates, {7} files and {8} directories to delete; {9} copy workers.",
        plan.DirectoriesCreated, plan.FilesCopied, plan.FilesUpdated, plan.BytesCopied, plan.FilesUnchanged, plan.SymlinksCopied,
        plan.MetadataUpdated, plan.FilesDeleted, plan.DirectoriesDeleted, plan.WorkerCount);

    public static string Done(MirrorResult r) => r.WhatIf
        ? "WhatIf: nothing was changed; the figures are those of the plan."
        : Format("Done in {0:0.000} s: {1} files copied, {2} updated ({3} bytes), {4} symlinks, {5} metadata updates, " +
                 "{6} directories created, {7} files and {8} directories deleted, {9} errors, {10} retries{11}.",
            r.Duration.TotalSeconds, r.FilesCopied, r.FilesUpdated, r.BytesCopied, r.SymlinksCopied, r.MetadataUpdated,
            r.DirectoriesCreated, r.FilesDeleted, r.DirectoriesDeleted, r.Errors, r.Retries,
            r.DeletionSkipped ? "; deletions were skipped" : string.Empty);

    public static string Item(MirrorItem item) =>
        item.Action is MirrorAction.CopyFile or MirrorAction.UpdateFile
            ? Format("{0}: '{1}' ({2} bytes)", item.Action, item.DestinationPath, item.Length)
            : Format("{0}: '{1}'", item.Action, item.DestinationPath);

    public static string Skip(MirrorSkip skip) => $"Skip: '{skip.DestinationPath}' ({skip.Reason}: {Reason(skip.Reason)})";

    public static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
