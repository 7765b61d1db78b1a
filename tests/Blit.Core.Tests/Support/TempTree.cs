using System.Diagnostics;
using Blit.Mirror;

namespace Blit.Tests.Support;

/// <summary>
/// The tests' one scratch directory: a new folder under the temp path, removed on dispose.
/// It holds a source ("src", made on first use), a destination ("dst", never made: the mirror
/// makes it), a tree outside both ("outside", made on first use; destination symlinks point
/// there, and it must never change), and anything else through <see cref="Combine"/>.
/// </summary>
internal sealed class TempTree : IDisposable
{
    private readonly string _source;
    private readonly string _outside;

    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "blit-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        _source = Path.Combine(Root, "src");
        _outside = Path.Combine(Root, "outside");
        Destination = Path.Combine(Root, "dst");
    }

    public string Root { get; }

    public string Source => MadeDirectory(_source);

    public string Destination { get; }

    public string Outside => MadeDirectory(_outside);

    public string Src(string relative) => Path.Combine(Source, relative);

    public string Dst(string relative) => Path.Combine(Destination, relative);

    public string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Writes an executable shell script named <paramref name="name"/> into bin/ here; returns that directory.</summary>
    public string WriteScript(string name, string body)
    {
        string bin = Combine("bin");
        Directory.CreateDirectory(bin);
        string path = Path.Combine(bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return bin;
    }

    public MirrorOptions Options(int throttle = 0) => new()
    {
        Source = Source,
        Destination = Destination,
        ThrottleLimit = throttle,
    };

    /// <summary>A whole mirror through <see cref="MirrorEngine.Run"/> with these options.</summary>
    public MirrorResult Mirror(bool checksum = false, bool force = false, string[]? exclude = null, int throttle = 0,
        RecordingListener? listener = null, string? source = null, string? dest = null) =>
        MirrorEngine.Run(new MirrorOptions
        {
            Source = source ?? Source,
            Destination = dest ?? Destination,
            Checksum = checksum,
            Force = force,
            Exclude = exclude ?? [],
            ThrottleLimit = throttle,
            EmitItems = listener is not null,
        }, listener);

    /// <summary>Scans and plans through <paramref name="fs"/> (the real file system when null).</summary>
    public MirrorSession Prepare(FaultInjectingFileSystem? fs = null, IMirrorListener? listener = null, int throttle = 0,
        CancellationToken cancellationToken = default) =>
        MirrorEngine.Prepare(Options(throttle), listener, null, cancellationToken, fs);

    /// <summary>A whole mirror through <paramref name="fs"/> (the real file system when null).</summary>
    public MirrorResult Run(FaultInjectingFileSystem? fs = null, IMirrorListener? listener = null, int throttle = 0,
        CancellationToken cancellationToken = default)
    {
        using MirrorSession session = Prepare(fs, listener, throttle, cancellationToken);
        return session.Execute(cancellationToken);
    }

    public void Dispose()
    {
        // rm copes with trees deeper than PATH_MAX; a user other than root first needs the
        // read-only directories some tests make writable again.
        if (!Remove())
        {
            RunQuietly("chmod", "-R", "u+rwx", Root);
            Remove();
        }
    }

    private bool Remove() => RunQuietly("rm", "-rf", "--one-file-system", Root) && !Directory.Exists(Root);

    private static bool RunQuietly(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    private static string MadeDirectory(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }
}
