using System.Diagnostics;

namespace Blit.Benchmarking;

/// <summary>What a <see cref="ChildProcess"/> run printed and how it ended.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Output">Everything it wrote to standard output.</param>
/// <param name="Error">Everything it wrote to standard error.</param>
public sealed record ChildProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// A helper process run to completion for what it prints, not measured: the comparators' probes (<c>rsync --version</c>,
/// <c>robocopy /L</c>), the system notes' commands, and the cold benchmark's question to its pwsh. (Measured runs go
/// through <see cref="ProcessMeter"/>.)
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> and waits for it, reading standard output and
    /// standard error apart. A cancellation kills its process tree and throws <see cref="OperationCanceledException"/>;
    /// so does running past <paramref name="timeout"/>, with <see cref="TimeoutException"/>. A file that cannot be
    /// started throws what <see cref="Process.Start(ProcessStartInfo)"/> throws (<see cref="System.ComponentModel.Win32Exception"/>).
    /// </summary>
    public static ChildProcessResult Run(string file, IEnumerable<string> arguments, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        Task<string> error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        bool exited;
        using (cancellationToken.Register(() => ComparatorTool.Kill(process)))
        {
            exited = process.WaitForExit(timeout ?? Timeout.InfiniteTimeSpan);
        }
        if (!exited)
        {
            ComparatorTool.Kill(process);
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} did not finish within {timeout!.Value.TotalSeconds:0} s.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        process.WaitForExit(); // the output streams are complete only after this
        return new ChildProcessResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
