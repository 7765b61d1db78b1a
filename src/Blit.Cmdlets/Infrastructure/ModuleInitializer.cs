using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Runs when the module is imported: loads Blit.Core — the copy precompiled for this platform when
/// the build made one (<see cref="PrecompiledCore"/>) — so that scripts can name its types
/// ([Blit.Gate.GateReport], [Blit.Benchmarking.ResultsFile]) before any cmdlet has run; PowerShell
/// resolves type names only in assemblies already loaded.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    /// <summary>Called by PowerShell once the module's assembly is loaded, before its cmdlets run.</summary>
    public void OnImport()
    {
        // First, before anything names a Blit.Core type: once the runtime has bound Blit.Core from
        // bin/, the precompiled copy can no longer be chosen.
        PrecompiledCore.TryLoad();
        LoadCore();
    }

    // Not inlined: this method names a Blit.Core type, so compiling it would bind Blit.Core.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadCore() => _ = typeof(Blit.Gate.GateReport).Assembly;
}
