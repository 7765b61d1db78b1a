using System.Runtime.InteropServices;
using Blit.Errors;
using Blit.Mirror;

namespace Blit.Platform;

/// <summary>
/// Picks the filesystem backend for this operating system: the system-call backend on Linux.
/// Contributors can choose another with the environment variable <see cref="BackendVariable"/>.
/// </summary>
internal static class FileSystemFactory
{
    /// <summary>"native" (the default) or the name of a backend; read at each mirror.</summary>
    public const string BackendVariable = "BLIT_BACKEND";

    public static IMirrorFileSystem Create(MirrorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.AllowClone);
    }

    public static IMirrorFileSystem Create(bool allowClone = true)
    {
        string choice = Environment.GetEnvironmentVariable(BackendVariable) is { Length: > 0 } value
            ? value.Trim().ToLowerInvariant()
            : "native";
        return choice switch
        {
            "native" when OperatingSystem.IsLinux() => new LinuxFileSystem(allowClone),
            "linux" when OperatingSystem.IsLinux() => new LinuxFileSystem(allowClone),
            "native" => throw new BlitException(BlitErrorCode.PlatformNotSupported,
                $"This build of Blit mirrors on Linux only; {RuntimeInformation.OSDescription} is not supported yet."),
            _ => throw new BlitException(BlitErrorCode.InvalidArgument,
                $"{BackendVariable}='{choice}' names no backend this system has; use 'native'" + (OperatingSystem.IsLinux() ? " or 'linux'." : ".")),
        };
    }
}
