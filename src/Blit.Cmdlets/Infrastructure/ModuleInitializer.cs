using System.Management.Automation;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Loads Blit.Core when the module is imported, so scripts can name its types
/// ([Blit.Gate.GateReport], [Blit.Benchmarking.ResultsFile]) before any cmdlet has run;
/// PowerShell resolves type names only in assemblies already loaded.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => _ = typeof(Blit.Gate.GateReport).Assembly;
}
