using System.Management.Automation;
using System.Text;
using Blit.Errors;
using Blit.Mirror;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Invoke-BlitMirror's -LogPath file, in the spirit of robocopy /LOG: for each mirror (each
/// pipeline input) a header (time, source, destination, options), one line per action done (or,
/// with -WhatIf, planned), per error and warning (and, with -Verbose, per entry left alone), then
/// a summary. Plain UTF-8 text with one event per line and fixed columns, so Select-String and
/// grep find what they look for. Lines come from the engine's worker threads: writes are locked.
/// </summary>
internal sealed class MirrorLog : IDisposable
{
    private const string Rule = "--------------------------------------------------------------------------------";
    private const string DoubleRule = "================================================================================";

    private readonly StreamWriter _writer;
    private readonly object _lock = new();

    private MirrorLog(StreamWriter writer, string path)
    {
        _writer = writer;
        FullPath = path;
    }

    public string FullPath { get; }

    /// <summary>Opens (creates, or with <paramref name="append"/> extends) the log; LogPathUnusable if it cannot.</summary>
    public static MirrorLog Open(string path, bool append)
    {
        try
        {
            var stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
            return new MirrorLog(new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" }, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.LogPathUnusable, $"Cannot write the log file '{path}': {ex.Message}", path, ex);
        }
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void Write(params string[] lines)
    {
        lock (_lock)
        {
            foreach (string line in lines)
            {
                _writer.WriteLine(line);
            }
        }
    }

    private void Flush()
    {
        lock (_lock)
        {
            _writer.Flush();
        }
    }

    public void Header(string source, string destination, bool noDelete, bool whatIf, string options)
    {
        string version = typeof(MirrorLog).Assembly.GetName().Version?.ToString(3) ?? string.Empty;
        Write(
            DoubleRule,
            $"Blit {version} :: Invoke-BlitMirror",
            $"Started     : {Now()}",
            $"Source      : {source}",
            $"Destination : {destination}",
            "Mode        : " + (noDelete ? "NoDelete (copy only: nothing in the destination is deleted)"
                                         : "Mirror (destination entries not in the source are deleted)"),
            "WhatIf      : " + (whatIf ? "True (dry run: the actions below are planned, not done)" : "False"),
            $"Options     : {(options.Length == 0 ? "(none)" : options)}",
            Rule);
        Flush();
    }

    public void Item(MirrorItem item) =>
        Write(MirrorText.Format("{0}  {1,-16} {2,-9} {3,15}  {4}", Now(), item.Action, item.Kind, item.Length, item.DestinationPath));

    public void Skip(MirrorSkip skip) =>
        Write(MirrorText.Format("{0}  {1,-16} {2,-9} {3,15}  {4}  ({5}: {6})", Now(), "Skip", skip.Kind, string.Empty,
            skip.DestinationPath, skip.Reason, MirrorText.Reason(skip.Reason)));

    public void Error(BlitError error) =>
        Write(MirrorText.Format("{0}  {1,-16} {2}  {3}  {4}", Now(), error.IsWarning ? "WARNING" : "ERROR", error.Code,
            error.Path ?? string.Empty, error.Message));

    /// <summary>A mirror that could not start (a missing source, a refusal): its error and "not run".</summary>
    public void Failure(string source, string destination, ErrorRecord record, bool headerWritten)
    {
        if (!headerWritten)
        {
            Write(DoubleRule, $"Started     : {Now()}", $"Source      : {source}", $"Destination : {destination}", Rule);
        }
        string id = record.FullyQualifiedErrorId.Split(',')[0];
        Write(
            MirrorText.Format("{0}  {1,-16} {2}  {3}  {4}", Now(), "ERROR", id, record.TargetObject, record.Exception.Message),
            Rule,
            $"Result      : Not run ({id})",
            DoubleRule);
        Flush();
    }

    public void Summary(MirrorResult r)
    {
        string outcome = r.WhatIf ? "WhatIf (nothing was changed)"
            : r.Errors == 0 ? "Success"
            : MirrorText.Format("{0} errors", r.Errors);
        if (r.DeletionSkipped)
        {
            outcome += "; deletions skipped";
        }
        Write(
            Rule,
            MirrorText.Format("Scanned     : {0} files, {1} directories, {2} symlinks, {3} bytes", r.FilesScanned, r.DirectoriesScanned,
                r.SymlinksScanned, r.BytesScanned),
            MirrorText.Format("Copied      : {0} new, {1} updated, {2} symlinks, {3} unchanged, {4} bytes", r.FilesCopied, r.FilesUpdated,
                r.SymlinksCopied, r.FilesUnchanged, r.BytesCopied),
            r.NoDelete
                ? MirrorText.Format("Deleted     : none requested (-NoDelete); {0} files, {1} directories of Blit's stale temps", r.FilesDeleted,
                    r.DirectoriesDeleted)
                : MirrorText.Format("Deleted     : {0} files, {1} directories", r.FilesDeleted, r.DirectoriesDeleted),
            MirrorText.Format("Created     : {0} directories; metadata updated on {1} entries", r.DirectoriesCreated, r.MetadataUpdated),
            MirrorText.Format("Errors      : {0}", r.Errors),
            MirrorText.Format("Retries     : {0}", r.Retries),
            MirrorText.Format("Ended       : {0} ({1:0.000} s)", Now(), r.Duration.TotalSeconds),
            $"Result      : {outcome}",
            DoubleRule);
        Flush();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
