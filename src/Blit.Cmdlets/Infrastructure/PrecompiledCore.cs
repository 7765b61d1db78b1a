using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Chooses which Blit.Core the module runs. <c>bin/Blit.Core.dll</c> is plain IL and runs on every
/// OS and runtime. Where the build could, it also wrote <c>bin/&lt;os&gt;-&lt;arch&gt;/Blit.Core.dll</c>:
/// the same IL with native code precompiled (ReadyToRun) against .NET <see cref="PrecompiledFor"/>,
/// so a fresh pwsh's first mirror does not wait for the JIT (docs/performance.md, issue 17). It is
/// loaded when it exists for this OS and architecture and the runtime is that .NET or later; a
/// runtime that cannot use its native code falls back to its IL, so the choice can cost speed, never
/// correctness. <c>BLIT_PRECOMPILED=0</c> keeps the plain IL (for comparisons and diagnosis).
/// </summary>
internal static class PrecompiledCore
{
    /// <summary>The .NET major version the precompiled copy is compiled against (the build's SDK).</summary>
    internal const int PrecompiledFor = 10;

    /// <summary>The environment variable that turns the precompiled copy off ("0").</summary>
    internal const string Switch = "BLIT_PRECOMPILED";

    private const string CoreName = "Blit.Core";

    /// <summary>
    /// The folder name of this platform's precompiled copy ("linux-x64", "osx-arm64", "win-x64"), or
    /// null on an OS the build never precompiles for.
    /// </summary>
    internal static string? PlatformFolder()
    {
        string? os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : null;
        return os is null ? null : os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
    }

    /// <summary>The precompiled copy this process would load, or null when it would keep the IL (and why not, in <paramref name="reason"/>).</summary>
    internal static string? Choose(string moduleDirectory, int runtimeMajor, string? switchValue, Func<string, bool> exists, out string reason)
    {
        string? folder = PlatformFolder();
        string? path = folder is null ? null : Path.Combine(moduleDirectory, folder, CoreName + ".dll");
        (string? chosen, reason) =
            switchValue == "0" ? (null, $"{Switch}=0")
            : runtimeMajor < PrecompiledFor ? (null, $"the runtime is .NET {runtimeMajor}; the precompiled copy is for .NET {PrecompiledFor} or later")
            : path is null || !exists(path) ? (null, $"no precompiled copy for {folder ?? "this OS"} in {moduleDirectory}")
            : (path, "precompiled for " + folder);
        return chosen;
    }

    /// <summary>
    /// <see cref="Choose"/> for this process: this module's folder, this runtime, this environment. (The cold
    /// benchmark asks its fresh pwsh which one that loaded: <see cref="PwshProbe"/>.)
    /// </summary>
    internal static string? ChooseForThisProcess(out string reason)
    {
        string? directory = Path.GetDirectoryName(typeof(PrecompiledCore).Assembly.Location);
        if (string.IsNullOrEmpty(directory))
        {
            reason = "the module's folder is not known";
            return null;
        }
        return Choose(directory, Environment.Version.Major, Environment.GetEnvironmentVariable(Switch), File.Exists, out reason);
    }

    /// <summary>Loads the precompiled Blit.Core when <see cref="Choose"/> picks one and no Blit.Core is loaded yet.</summary>
    internal static void TryLoad()
    {
        if (AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == CoreName))
        {
            return;
        }
        if (ChooseForThisProcess(out _) is { } path)
        {
            // The default context, where PowerShell loads the module itself. A by-name bind does
            // not look at assemblies loaded by path, so answer the binds of "Blit.Core" (from
            // Blit.Cmdlets) before the handler that would find the IL copy beside it.
            Assembly core = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == CoreName ? core : null;
        }
    }
}
