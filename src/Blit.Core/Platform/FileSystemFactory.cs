using Blit.Errors;
using Blit.Mirror;

namespace Blit.Platform;

/// <summary>
/// Picks the filesystem backend for this operating system: the system-call backend on Linux, the
/// portable backend (documented .NET APIs) on Windows, macOS and the rest. Contributors choose
/// the portable backend on Linux with BLIT_BACKEND=portable, to run the suites against it.
/// </summary>
internal static class FileSystemFactory
{
    /// <summary>"native" (the default), "portable", or "linux" on Linux; read at each mirror.</summary>
    public const string BackendVariable = "BLIT_BACKEND";

    public static IMirrorFileSystem Create(MirrorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.AllowClone);
    }

    public static IMirrorFileSystem Create(bool allowClone = true) =>
        Create(allowClone, Environment.GetEnvironmentVariable(BackendVariable));

    internal static IMirrorFileSystem Create(bool allowClone, string? setting)
    {
        string choice = setting is { Length: > 0 } ? setting.Trim().ToLowerInvariant() : "native";
        return choice switch
        {
            "native" or "linux" when OperatingSystem.IsLinux() => new LinuxFileSystem(allowClone),
            "native" or "portable" => new PortableFileSystem(allowClone),
            _ => throw new BlitException(BlitErrorCode.InvalidArgument,
                $"{BackendVariable}='{choice}' names no backend of this system; use 'native' or 'portable'" +
                (OperatingSystem.IsLinux() ? " (or 'linux')." : ".")),
        };
    }
}
