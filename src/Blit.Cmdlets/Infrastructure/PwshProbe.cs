using System.Reflection.PortableExecutable;
using Blit.Benchmarking;
using Blit.Errors;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// What a cold benchmark run's pwsh runs on, asked of that pwsh itself (it need not be the one running the
/// benchmark): it is started once, imports the module, and prints its PowerShell and .NET versions and the files
/// System.Management.Automation and Blit.Core were loaded from. Each of those files is then read for native code
/// (ReadyToRun). Whether pwsh's own assemblies carry it decides most of a fresh pwsh's start-up: Microsoft's
/// pwsh packages are precompiled, the <c>dotnet tool</c> pwsh is IL only and JIT-compiles thousands of methods
/// before its first command (docs/performance.md).
/// </summary>
internal static class PwshProbe
{
    private const string Prefix = "blit-probe ";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>The "runs on" line for the log, e.g. "PowerShell 7.6.9 on .NET 10.0.12; pwsh IL only (…); Blit.Core precompiled (…)".</summary>
    public static string Describe(string exe, IReadOnlyList<string> prefix, string manifest, Func<string, string> quote)
    {
        string script =
            $"Import-Module -Name {quote(manifest)} -ErrorAction Stop; " +
            $"'{Prefix}ps=' + $PSVersionTable.PSVersion; '{Prefix}net=' + [Environment]::Version; " +
            $"'{Prefix}sma=' + [psobject].Assembly.Location; " +
            $"'{Prefix}core=' + ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'Blit.Core' }} | Select-Object -First 1).Location";
        // What the user named: the executable, or dotnet and the pwsh.dll it runs (the target is that file).
        string shown = string.Join(' ', prefix.Prepend(exe));
        string target = prefix.Count > 0 ? prefix[0] : exe;
        ChildProcessResult result;
        try
        {
            result = ChildProcess.Run(exe, prefix.Concat(["-NoProfile", "-NonInteractive", "-Command", script]), Patience);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw Refused(shown, target, ex.Message, ex);
        }
        catch (TimeoutException ex)
        {
            throw Refused(shown, target, $"it did not finish within {Patience.TotalSeconds:0} s", ex);
        }
        string error = result.Error.Trim();
        if (result.ExitCode != 0)
        {
            throw Refused(shown, target, $"exit code {result.ExitCode}{(error.Length > 0 ? ": " + error : string.Empty)}");
        }
        Dictionary<string, string> found = result.Output.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.StartsWith(Prefix, StringComparison.Ordinal) && line.Contains('='))
            .Select(line => line[Prefix.Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!found.TryGetValue("ps", out string? ps) || !found.TryGetValue("net", out string? net)
            || !found.TryGetValue("sma", out string? sma) || !found.TryGetValue("core", out string? core) || core.Length == 0)
        {
            throw Refused(shown, target, "it did not report its versions and loaded assemblies" + (error.Length > 0 ? ": " + error : string.Empty));
        }
        string shell = IsPrecompiled(sma) ? "pwsh precompiled" : "pwsh IL only, JIT-compiled at start-up";
        string blit = IsPrecompiled(core) ? "Blit.Core precompiled" : "Blit.Core as IL";
        return $"PowerShell {ps} on .NET {net}; {shell} ({sma}); {blit} ({core})";
    }

    /// <summary>True when the assembly file carries ReadyToRun native code (a managed native header).</summary>
    public static bool IsPrecompiled(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            using var reader = new PEReader(stream);
            return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            return false;
        }
    }

    private static BlitException Refused(string shown, string target, string why, Exception? inner = null) =>
        new(BlitErrorCode.InvalidArgument,
            $"Cold mode starts '{shown}' per Blit run, but it could not import the module and report what it runs on: {why}", target, inner);
}
