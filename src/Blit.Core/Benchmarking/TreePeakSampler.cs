using System.Diagnostics;
using System.Globalization;

namespace Blit.Benchmarking;

/// <summary>
/// Samples the peak memory (VmHWM) of a process and its descendants from /proc on a
/// background thread; the result is the sum over the tree's processes of their peaks.
/// </summary>
internal sealed class TreePeakSampler
{
    private readonly int _rootPid;
    private readonly TimeSpan _interval;
    private readonly Dictionary<int, long> _peaks = [];
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly bool _childrenFiles;

    /// <summary>The first samples come this often, so a process that lives a few milliseconds is still seen at its peak.</summary>
    public static readonly TimeSpan FastInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>How long the fast sampling lasts before <see cref="_interval"/> takes over.</summary>
    public static readonly TimeSpan FastPhase = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _age = Stopwatch.StartNew();

    public TreePeakSampler(int rootPid, TimeSpan interval)
    {
        _rootPid = rootPid;
        _interval = interval;
        _childrenFiles = File.Exists($"/proc/self/task/{Environment.ProcessId}/children");
        _thread = new Thread(Loop) { IsBackground = true, Name = "blit-bench-sampler" };
        _thread.Start();
    }

    /// <summary>Stops sampling and returns the summed peak (bytes); 0 when nothing was sampled.</summary>
    public long Stop()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        return _peaks.Values.Sum();
    }

    private void Loop()
    {
        do
        {
            Sample();
        }
        while (!_stop.Wait(_age.Elapsed < FastPhase ? FastInterval : _interval));
    }

    private void Sample()
    {
        foreach (int pid in Tree())
        {
            long hwm = ResourceUsage.ReadStatusKiB($"/proc/{pid}/status", "VmHWM:") * 1024;
            if (hwm > 0)
            {
                _peaks[pid] = Math.Max(_peaks.GetValueOrDefault(pid), hwm);
            }
        }
    }

    private List<int> Tree()
    {
        var result = new List<int> { _rootPid };
        if (_childrenFiles)
        {
            for (int i = 0; i < result.Count; i++)
            {
                try
                {
                    foreach (string task in Directory.EnumerateDirectories($"/proc/{result[i]}/task"))
                    {
                        foreach (string child in File.ReadAllText(Path.Combine(task, "children"))
                                     .Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            if (int.TryParse(child, NumberStyles.Integer, CultureInfo.InvariantCulture, out int c))
                            {
                                result.Add(c);
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The process ended between listing and reading.
                }
            }
            return result;
        }
        // No /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN off): build the tree from every process's parent.
        var parents = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            int ppid = ParentOf(dir);
            if (ppid > 0)
            {
                if (!parents.TryGetValue(ppid, out List<int>? kids))
                {
                    parents[ppid] = kids = [];
                }
                kids.Add(pid);
            }
        }
        for (int i = 0; i < result.Count; i++)
        {
            if (parents.TryGetValue(result[i], out List<int>? kids))
            {
                result.AddRange(kids);
            }
        }
        return result;
    }

    /// <summary>The ppid field of /proc/&lt;pid&gt;/stat (after the parenthesized command, which may hold spaces).</summary>
    internal static int ParentOf(string procDir)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(procDir, "stat"));
            return ParseParent(stat);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    internal static int ParseParent(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return 0;
        }
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int ppid)
            ? ppid
            : 0;
    }
}
