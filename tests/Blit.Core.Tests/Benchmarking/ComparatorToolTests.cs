using Blit.Benchmarking;
using Blit.Errors;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class ComparatorToolTests : IDisposable
{
    private readonly TempTree _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Script(string name, string body) => _temp.WriteScript(name, body);

    [Fact]
    public void FindOnPath_finds_executables_only()
    {
        string bin = Script("robocopy", "exit 0");
        File.WriteAllText(Path.Combine(bin, "notexec"), "x");
        string path = $"{_temp.Combine("empty")}{Path.PathSeparator}{bin}";
        Assert.Equal(Path.Combine(bin, "robocopy"), ComparatorTool.FindOnPath("robocopy", path));
        Assert.Null(ComparatorTool.FindOnPath("notexec", path));
        Assert.Null(ComparatorTool.FindOnPath("robocopy", _temp.Combine("empty")));
        Assert.Null(ComparatorTool.FindOnPath("robocopy", null));
    }

    [Fact]
    public void An_explicit_comparator_that_is_missing_is_an_error()
    {
        BlitException ex = Assert.Throws<BlitException>(() =>
            ComparatorTool.Select(ComparatorKind.Robocopy, null, _temp.Root, out _));
        Assert.Equal(BlitErrorCode.ComparatorNotFound, ex.Code);
        Assert.Contains("robocopy", ex.Message);
    }

    [Fact]
    public void Auto_without_a_comparator_warns_and_measures_blit_alone()
    {
        Assert.Null(ComparatorTool.Select(ComparatorKind.Auto, null, _temp.Root, out string? warning));
        Assert.NotNull(warning);
        Assert.Contains("rsync was not found", warning);
    }

    [Fact]
    public void None_selects_nothing_and_says_nothing()
    {
        Assert.Null(ComparatorTool.Select(ComparatorKind.None, null, "/usr/bin:/bin", out string? warning));
        Assert.Null(warning);
    }

    [Fact]
    public void Rsync_arguments_mirror_the_contents_with_trailing_slashes()
    {
        string bin = Script("rsync", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, null, bin, out _)!;
        Assert.Equal(["-a", "--delete", "/s/", "/d/"], tool.Arguments("/s", "/d"));
        Assert.Equal("rsync -a --delete /s/ /d/", tool.CommandLine("/s", "/d"));
        Assert.False(tool.FlagsOverridden);
        Assert.True(tool.IsSuccess(0));
        Assert.False(tool.IsSuccess(1));
        Assert.False(tool.IsSuccess(23));
        Assert.False(tool.IsSuccess(24));
    }

    [Fact]
    public void Robocopy_takes_source_and_destination_first_and_below_8_is_success()
    {
        string bin = Script("robocopy", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        IReadOnlyList<string> args = tool.Arguments("/s", "/d");
        Assert.Equal(["/s", "/d", "/MIR"], args.Take(3));
        Assert.Contains("/COPY:DAT", args);
        Assert.DoesNotContain(args, a => a.StartsWith("/COPYALL", StringComparison.Ordinal) || a == "/B" || a == "/ZB");
        for (int code = 0; code < 8; code++)
        {
            Assert.True(tool.IsSuccess(code), $"robocopy exit code {code} is success");
        }
        Assert.False(tool.IsSuccess(8));
        Assert.False(tool.IsSuccess(16));
        Assert.Contains("failure", tool.DescribeExit(8));
    }

    [Fact]
    public void Comparator_arguments_replace_the_default_flags()
    {
        string bin = Script("rsync", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, ["-rt", "--delete"], bin, out _)!;
        Assert.True(tool.FlagsOverridden);
        Assert.Equal(["-rt", "--delete", "/s/", "/d/"], tool.Arguments("/s", "/d"));
    }

    [Fact]
    public void A_run_measures_the_process_tree_and_keeps_the_exit_code()
    {
        // The work happens in a grandchild (dd under sh), with a 32 MiB buffer: the tree's CPU and peak must show it.
        string bin = Script("robocopy",
            "echo \"$@\" > \"$2/args.txt\"; dd if=/dev/zero of=/dev/null bs=32M count=40 2>/dev/null; sleep 0.2; exit 3");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        string dest = _temp.Combine("dest");
        Directory.CreateDirectory(dest);
        ProcessMeasurement m = tool.Run(_temp.Combine("src"), dest, flush: true, CancellationToken.None);
        Assert.Equal(3, m.ExitCode);
        Assert.True(tool.IsSuccess(m.ExitCode));
        Assert.True(m.WallSeconds >= 0.2, $"wall {m.WallSeconds}");
        Assert.True(m.CpuSeconds > 0, $"cpu {m.CpuSeconds}");
        Assert.True(m.PeakMemoryBytes >= 32L << 20, $"peak {m.PeakMemoryBytes}");
        Assert.StartsWith($"{_temp.Combine("src")} {dest} /MIR", File.ReadAllText(Path.Combine(dest, "args.txt")));
    }

    [Fact]
    public void Cancelling_a_run_kills_the_process()
    {
        string bin = Script("robocopy", "sleep 30");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => tool.Run(_temp.Root, _temp.Root, false, cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Rsync_probe_reads_the_version_and_accepts_the_default_flags()
    {
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, null, Environment.GetEnvironmentVariable("PATH"), out _)
            ?? throw new InvalidOperationException("rsync is required for this test (apt-get install rsync)");
        tool.Probe(_temp.Root, CancellationToken.None);
        Assert.Contains("rsync", tool.Version);
        Assert.False(Directory.Exists(_temp.Combine("probe-src")), "the probe cleans up after itself");
        Assert.False(Directory.Exists(_temp.Combine("probe-dst")), "the probe cleans up after itself");
    }

    [Fact]
    public void Rsync_probe_names_a_flag_it_rejects()
    {
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, ["-a", "--delete", "--no-such-blit-flag"],
            Environment.GetEnvironmentVariable("PATH"), out _)!;
        BlitException ex = Assert.Throws<BlitException>(() => tool.Probe(_temp.Root, CancellationToken.None));
        Assert.Equal(BlitErrorCode.ComparatorArgumentUnsupported, ex.Code);
        Assert.Contains("rejects --no-such-blit-flag", ex.Message);
        Assert.DoesNotContain("-a ", ex.Message.Split("rejects")[1]);
    }

    [Fact]
    public void Auto_is_robocopy_on_Windows_and_rsync_elsewhere_and_each_kind_gets_its_own_class()
    {
        Assert.Equal(ComparatorKind.Robocopy, ComparatorTool.Resolve(ComparatorKind.Auto, windows: true));
        Assert.Equal(ComparatorKind.Rsync, ComparatorTool.Resolve(ComparatorKind.Auto, windows: false));
        Assert.Equal(ComparatorKind.Cp, ComparatorTool.Resolve(ComparatorKind.Cp, windows: true));
        string bin = Script("rsync", "exit 0");
        Script("robocopy", "exit 0");
        Script("cp", "exit 0");
        Assert.IsType<RsyncTool>(ComparatorTool.Select(ComparatorKind.Rsync, null, bin, out _));
        Assert.IsType<RobocopyTool>(ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _));
        Assert.IsType<CpTool>(ComparatorTool.Select(ComparatorKind.Cp, null, bin, out _));
        Assert.IsType<RsyncTool>(ComparatorTool.Select(ComparatorKind.Auto, null, bin, out _)); // this test runs on Linux
        Assert.Equal("exit code 0", new RsyncTool(bin).SuccessRule);
        Assert.Equal("exit code below 8", new RobocopyTool(bin).SuccessRule);
    }

    [Fact]
    public void Cp_refuses_the_mirror_workloads_only()
    {
        var cp = new CpTool("/bin/cp");
        Assert.Null(cp.Refuses(new WorkloadSpec { Workload = Workload.SmallFiles }));
        Assert.Contains("not Incremental", cp.Refuses(new WorkloadSpec { Workload = Workload.Incremental }));
        Assert.Null(new RsyncTool("/usr/bin/rsync").Refuses(new WorkloadSpec { Workload = Workload.Incremental }));
    }

    [Fact]
    public void Command_lines_quote_for_the_shell_of_the_OS()
    {
        Assert.Equal("plain", CommandText.Quote("plain", windows: false));
        Assert.Equal("'a b'", CommandText.Quote("a b", windows: false));
        Assert.Equal("'it'\\''s'", CommandText.Quote("it's", windows: false));
        Assert.Equal(@"C:\bench\src", CommandText.Quote(@"C:\bench\src", windows: true));
        Assert.Equal("\"C:\\my bench\\src\"", CommandText.Quote(@"C:\my bench\src", windows: true));
        Assert.Equal("\"C:\\my dir\\\\\"", CommandText.Quote(@"C:\my dir\", windows: true)); // a trailing backslash doubled before the quote
        Assert.Equal("\"say \\\"hi\\\"\"", CommandText.Quote("say \"hi\"", windows: true));
        Assert.Equal("\"\"", CommandText.Quote(string.Empty, windows: true));
    }

    // rsync --version texts. The first is captured from the rsync installed on the test machine (Debian); the other
    // two are hand-written, not captured (no macOS here), in the shape their tools print: Apple's rsync 2.6.9 (macOS up
    // to 14) and openrsync (macOS 15 and later, as /usr/bin/rsync).
    private const string Rsync35Version = """
        rsync  version 3.5.0  protocol version 32
        Copyright (C) 1996-2026 by Andrew Tridgell, Wayne Davison, and others.
        Web site: https://rsync.samba.org/
        Capabilities:
            64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
            socketpairs, symlinks, symtimes, hardlinks, hardlink-specials,
        """;

    private const string Apple269Version = """
        rsync  version 2.6.9  protocol version 29
        Copyright (C) 1996-2006 by Andrew Tridgell, Wayne Davison, and others.
        <http://rsync.samba.org/>
        Capabilities: 64-bit files, socketpairs, hard links, symlinks, batchfiles,
                      inplace, IPv6, 64-bit system inums, 64-bit internal inums

        rsync comes with ABSOLUTELY NO WARRANTY.  This is free software, and you
        are welcome to redistribute it under certain conditions.  See the GNU
        General Public Licence for details.
        """;

    private const string OpenRsyncVersion = """
        openrsync: protocol version 29
        rsync version 2.6.9 compatible
        """;

    [Fact]
    public void The_version_text_tells_samba_rsync_from_apples_2_6_9_and_openrsync()
    {
        RsyncVersion linux = RsyncTool.ParseVersion(Rsync35Version);
        Assert.Equal((RsyncFlavor.Samba, "3.5.0", 32), (linux.Flavor, linux.Version, linux.Protocol));
        Assert.Equal("rsync  version 3.5.0  protocol version 32", linux.Description);
        Assert.False(linux.IsBefore3);
        Assert.Null(RsyncTool.Advice(linux));

        RsyncVersion apple = RsyncTool.ParseVersion(Apple269Version);
        Assert.Equal((RsyncFlavor.Samba, "2.6.9", 29), (apple.Flavor, apple.Version, apple.Protocol));
        Assert.True(apple.IsBefore3);
        Assert.Contains("predates rsync 3", RsyncTool.Advice(apple));

        RsyncVersion open = RsyncTool.ParseVersion(OpenRsyncVersion);
        Assert.Equal((RsyncFlavor.OpenRsync, "2.6.9", 29), (open.Flavor, open.Version, open.Protocol));
        Assert.Equal("openrsync: protocol version 29; rsync version 2.6.9 compatible", open.Description);
        Assert.False(open.IsBefore3);
        Assert.Contains("openrsync", RsyncTool.Advice(open));

        Assert.Equal(RsyncFlavor.Unknown, RsyncTool.ParseVersion("something else 1.0").Flavor);
        Assert.Null(RsyncTool.ParseVersion(string.Empty).Description);
    }

    [Theory]
    // Captured from rsync 3.5.0 on the test machine.
    [InlineData("rsync: --no-such-blit-flag: unknown option\nrsync error: syntax or usage error (code 1) at main.c(1886) [client=3.5.0]", "--no-such-blit-flag")]
    [InlineData("rsync: -Q: unknown option\nrsync error: syntax or usage error (code 1) at main.c(1886) [client=3.5.0]", "-Q")]
    // Hand-written, not captured: getopt_long (openrsync on macOS) for a long option, BSD getopt and glibc getopt for a letter.
    [InlineData("rsync: unrecognized option `--info=progress2'\nusage: rsync [-0468BCDEFHILOPRSTWVabcdefghiklmnopqrtuvxyz] [-e program]", "--info=progress2")]
    [InlineData("rsync: illegal option -- X\nusage: rsync [-0468BCDEFHILOPRSTWVabcdefghiklmnopqrtuvxyz] [-e program]", "-X")]
    [InlineData("rsync: invalid option -- 'X'", "-X")]
    public void An_unknown_flag_is_named_from_the_error_text(string output, string flag) =>
        Assert.Equal([flag], RsyncTool.RejectedFlags(output));

    // Hand-written, not captured (no Windows here): robocopy's answer to a parameter it does not know.
    private const string RobocopyInvalidParameter = """
        -------------------------------------------------------------------------------
           ROBOCOPY     ::     Robust File Copy for Windows
        -------------------------------------------------------------------------------

          Started : Monday, 1 December 2025 10:15:00
           Source - C:\bench\probe-src\
             Dest - C:\bench\probe-dst\

            Files : *.*

          Options : *.* /S /E /DCOPY:DAT /COPY:DAT /PURGE /MIR /R:0 /W:0

        ------------------------------------------------------------------------------

        ERROR : Invalid Parameter #4 : "/NOSUCH"

               Simple Usage :: ROBOCOPY source destination /MIR
        """;

    [Fact]
    public void Robocopy_names_the_parameter_it_calls_invalid()
    {
        Assert.Equal(["/NOSUCH"], RobocopyTool.RejectedFlags(RobocopyInvalidParameter));
        Assert.Empty(RobocopyTool.RejectedFlags("   ROBOCOPY     ::     Robust File Copy for Windows"));
    }

    [Fact]
    public void Robocopy_probe_lists_only_and_refuses_a_flag_robocopy_rejects()
    {
        string log = _temp.Combine("probe-args.txt");
        string bin = Script("robocopy",
            $"echo \"$@\" >> '{log}'; for a in \"$@\"; do [ \"$a\" = /NOSUCH ] && {{ echo 'ERROR : Invalid Parameter #3 : \"/NOSUCH\"'; exit 16; }}; done; exit 0");
        ComparatorTool good = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        good.Probe(_temp.Root, CancellationToken.None);
        string probe = File.ReadAllText(log).Trim();
        Assert.EndsWith("/NJS /L", probe); // list only: robocopy copies, timestamps and deletes nothing
        Assert.False(Directory.Exists(_temp.Combine("probe-src")), "the probe cleans up after itself");

        ComparatorTool bad = ComparatorTool.Select(ComparatorKind.Robocopy, ["/MIR", "/NOSUCH"], bin, out _)!;
        BlitException ex = Assert.Throws<BlitException>(() => bad.Probe(_temp.Root, CancellationToken.None));
        Assert.Equal(BlitErrorCode.ComparatorArgumentUnsupported, ex.Code);
        Assert.Contains("rejects /NOSUCH", ex.Message);
    }

    [Fact]
    public void A_robocopy_probe_that_fails_without_naming_a_parameter_is_left_to_the_runs()
    {
        string bin = Script("robocopy", "echo 'ERROR 5 (0x00000005) Accessing Source Directory'; exit 16");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        tool.Probe(_temp.Root, CancellationToken.None);
        Assert.Null(tool.Version); // a shell script has no file version
    }

    [Fact]
    public void Parent_pid_is_read_after_the_command_name()
    {
        Assert.Equal(45, TreePeakSampler.ParseParent("123 (rsync (x) y) S 45 123 123 0 -1"));
        Assert.Equal(0, TreePeakSampler.ParseParent("garbage"));
    }
}
