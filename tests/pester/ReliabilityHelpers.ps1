# Helpers for tests/pester/Reliability.*.Tests.ps1 (issue 7): faults injected for real, from outside
# the engine. Child processes (as root, as the unprivileged user 'nobody', in a fresh PID namespace as
# in a container), scratch filesystems (size-limited tmpfs, loop-mounted ext4), file leases that pause
# the engine exactly when it opens a given source file, and tree snapshots.
. "$PSScriptRoot/common.ps1"

if (-not ('BlitTestNative' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

/// <summary>libc calls the reliability tests need and .NET does not offer.</summary>
public static class BlitTestNative
{
    [DllImport("libc", SetLastError = true)] private static extern int kill(int pid, int sig);
    [DllImport("libc")] public static extern uint geteuid();

    public const int SIGKILL = 9, SIGCONT = 18, SIGSTOP = 19;

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new IOException("kill(" + pid + ", " + signal + ") failed: errno " + Marshal.GetLastWin32Error());
    }
}

/// <summary>
/// A write lease (fcntl F_SETLEASE) on a file: whoever opens it blocks in open() until the lease is
/// released (or the kernel's lease-break-time, 45 s by default, passes). The test sees the attempt in
/// /proc/locks (BREAKING), so it knows the engine is at that file, and when to let it go.
/// </summary>
public sealed class BlitTestLease : IDisposable
{
    [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int fcntl(int fd, int cmd, int arg);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    private const int F_SETSIG = 10, F_SETLEASE = 1024, F_WRLCK = 1, F_UNLCK = 2, SIGURG = 23;

    private int _fd;
    private readonly string _inode;

    public BlitTestLease(string path, ulong inode)
    {
        Path = path;
        _inode = ":" + inode;
        _fd = open(path, 0);
        if (_fd < 0) throw new IOException("open " + path + ": errno " + Marshal.GetLastWin32Error());
        // The break notice is a signal to the holder: SIGIO would kill this process; SIGURG is ignored.
        if (fcntl(_fd, F_SETSIG, SIGURG) < 0 || fcntl(_fd, F_SETLEASE, F_WRLCK) < 0)
        {
            int errno = Marshal.GetLastWin32Error();
            close(_fd);
            throw new IOException("lease " + path + ": errno " + errno);
        }
    }

    public string Path { get; }

    /// <summary>True once another open() of the file is waiting on this lease.</summary>
    public bool IsBreaking
    {
        get
        {
            string pid = " " + Environment.ProcessId + " ";
            foreach (string line in File.ReadAllLines("/proc/locks"))
            {
                if (line.Contains("LEASE") && line.Contains(pid) && line.Contains("BREAKING")
                    && line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5].EndsWith(_inode, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>True once an open() waits on any of <paramref name="leases"/> (one read of /proc/locks).</summary>
    public static bool AnyBreaking(IEnumerable<BlitTestLease> leases)
    {
        string pid = " " + Environment.ProcessId + " ";
        var inodes = new HashSet<string>();
        foreach (BlitTestLease lease in leases) inodes.Add(lease._inode);
        foreach (string line in File.ReadAllLines("/proc/locks"))
        {
            if (!line.Contains("LEASE") || !line.Contains(pid) || !line.Contains("BREAKING")) continue;
            string dev = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5];
            if (inodes.Contains(dev.Substring(dev.LastIndexOf(':')))) return true;
        }
        return false;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            fcntl(_fd, F_SETLEASE, F_UNLCK);
            close(_fd);
            _fd = -1;
        }
    }
}
'@
}

$script:ModuleManifest = Join-Path $script:RepoRoot 'Blit.psd1'
$script:ChildScript = Join-Path $PSScriptRoot 'ReliabilityChild.ps1'

function New-RelScratch {
    <# A scratch directory under /tmp (not TestDrive: it may hold mounts and immutable files). #>
    param([string] $Name = 'rel')
    $dir = Join-Path ([IO.Path]::GetTempPath()) "blit-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
    $null = New-Item -ItemType Directory -Path $dir
    $dir
}

function Remove-RelScratch {
    param([Parameter(Mandatory)][string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { return }
    # Unmount anything still mounted below it, deepest first, then delete (rm copes with read-only dirs).
    Get-Content /proc/mounts | ForEach-Object { ($_ -split ' ')[1] } |
        Where-Object { $_ -like "$Path/*" } | Sort-Object -Descending { $_.Length } |
        ForEach-Object { umount -l $_ 2>$null }
    chattr -R -i $Path 2>$null
    rm -rf --one-file-system $Path
}

function Mount-ScratchFs {
    <# Mounts a small filesystem at $Path: a size-limited tmpfs, or ext4 in a loop-mounted image. #>
    param(
        [Parameter(Mandatory)][string] $Path,
        [Parameter(Mandatory)][ValidateSet('tmpfs', 'ext4')][string] $Type,
        [Parameter(Mandatory)][int] $SizeMiB,
        [int] $Inodes = 0
    )
    $null = New-Item -ItemType Directory -Force -Path $Path
    if ($Type -eq 'tmpfs') {
        $opts = "size=$($SizeMiB)m,mode=0755"
        if ($Inodes -gt 0) { $opts += ",nr_inodes=$Inodes" }
        mount -t tmpfs -o $opts blit-test $Path
    } else {
        $image = "$Path.img"
        truncate -s "$($SizeMiB)M" $image
        $inodeArgs = if ($Inodes -gt 0) { @('-N', $Inodes) } else { @() }
        mkfs.ext4 -q -F -m 0 @inodeArgs $image
        if ($LASTEXITCODE -ne 0) { throw "mkfs.ext4 $image failed" }
        mount -o loop $image $Path
    }
    if ($LASTEXITCODE -ne 0) { throw "mount $Type at $Path failed" }
}

function Dismount-ScratchFs {
    param([Parameter(Mandatory)][string] $Path)
    umount $Path 2>$null
    if (Test-Path "$Path.img") { Remove-Item -Force "$Path.img" }
}

function Wait-Until {
    <# Polls a condition (never a fixed sleep): returns when it is true, throws after the timeout. #>
    param([Parameter(Mandatory)][scriptblock] $Condition, [double] $TimeoutSeconds = 120, [string] $Because = 'condition')
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while (-not (& $Condition)) {
        if ($clock.Elapsed.TotalSeconds -gt $TimeoutSeconds) { throw "Timed out after $TimeoutSeconds s waiting for: $Because" }
        Start-Sleep -Milliseconds 5
    }
}

function Get-TempFile {
    <# Blit's temp files ('.~blit-*.tmp') anywhere below $Root. #>
    param([Parameter(Mandatory)][string] $Root)
    @(Get-ChildItem -LiteralPath $Root -Recurse -Force -Filter '.~blit-*' -ErrorAction SilentlyContinue)
}

function Get-TreeState {
    <#
    Every entry below $Root, symlinks not followed: path -> kind, size, mode, mtime and content hash
    (or link target). Equal states mean nothing was changed on disk.
    #>
    param([Parameter(Mandatory)][string] $Root, [switch] $NoRootEntry)
    $state = [ordered]@{}
    if (-not (Test-Path -LiteralPath $Root)) { return $state }
    $rootItem = Get-Item -LiteralPath $Root -Force
    $items = @(if (-not $NoRootEntry) { $rootItem }) + @(Get-ChildItem -LiteralPath $Root -Recurse -Force -ErrorAction Stop)
    foreach ($item in $items | Sort-Object FullName) {
        $rel = [IO.Path]::GetRelativePath($rootItem.FullName, $item.FullName)
        $mode = [Convert]::ToString([int]$item.UnixFileMode, 8)
        $desc = if ($item.LinkType) { "L $($item.LinkTarget)" }
        elseif ($item.PSIsContainer) { "D $mode $($item.LastWriteTimeUtc.Ticks)" }
        else { "F $($item.Length) $mode $($item.LastWriteTimeUtc.Ticks) $((Get-FileHash -LiteralPath $item.FullName -Algorithm SHA256).Hash)" }
        $state[$rel] = $desc
    }
    $state
}

function Compare-TreeState {
    <# Lines that differ between two Get-TreeState results (empty when equal). #>
    param($Expected, $Actual)
    $keys = @($Expected.Keys) + @($Actual.Keys) | Sort-Object -Unique
    foreach ($k in $keys) {
        if ($Expected[$k] -ne $Actual[$k]) { "$k : expected '$($Expected[$k])' actual '$($Actual[$k])'" }
    }
}

function Write-LargeFile {
    <# A file of $Size bytes: random first and last MiB (seeded; less for small files), zeros between. Cheap to make, slow to copy:
       the zeros are allocated (fallocate), not a hole, since Blit copies only the data of a file with holes. #>
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][long] $Size, [int] $Seed = 1)
    $rnd = [Random]::new($Seed)
    $chunk = [int][Math]::Min(1MB, [Math]::Floor($Size / 2))
    $head = [byte[]]::new($chunk); $tail = [byte[]]::new($chunk)
    $rnd.NextBytes($head); $rnd.NextBytes($tail)
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path -Parent)
    $fs = [IO.FileStream]::new($Path, [IO.FileStreamOptions]@{ Mode = 'Create'; Access = 'Write'; PreallocationSize = $Size })
    try {
        $fs.SetLength($Size)
        $fs.Write($head, 0, $head.Length)
        $null = $fs.Seek($Size - $tail.Length, 'Begin')
        $fs.Write($tail, 0, $tail.Length)
    } finally { $fs.Dispose() }
}

function Get-Inode {
    param([Parameter(Mandatory)][string] $Path)
    [uint64](stat -c %i -- $Path)
}

function New-Lease {
    param([Parameter(Mandatory)][string] $Path)
    [BlitTestLease]::new($Path, (Get-Inode $Path))
}

function Get-PwshLaunch {
    <# The dotnet host and pwsh.dll running these tests, to start the same PowerShell as a child. #>
    @{ Host = [Environment]::ProcessPath; Dll = Join-Path $PSHOME 'pwsh.dll' }
}

function Initialize-NobodyRuntime {
    <#
    Makes PowerShell and the built module usable by the unprivileged user 'nobody' under $Root: the
    NuGet cache that holds pwsh lives in /root (mode 700), so $PSHOME is hard-linked (copied if it must)
    to a world-readable place, and the module is copied. Returns the paths.
    #>
    param([Parameter(Mandatory)][string] $Root)
    $null = New-Item -ItemType Directory -Force -Path $Root
    $pwshDir = Join-Path $Root 'pwsh'
    if (-not (Test-Path $pwshDir)) {
        cp -al $PSHOME $pwshDir 2>$null
        if ($LASTEXITCODE -ne 0) { cp -a $PSHOME $pwshDir }
    }
    $moduleDir = Join-Path $Root 'module'
    $null = New-Item -ItemType Directory -Force -Path $moduleDir
    Copy-Item -Recurse -Force (Join-Path $script:RepoRoot 'bin') $moduleDir
    Copy-Item -Force $script:ModuleManifest $moduleDir
    Copy-Item -Force $script:ChildScript $Root
    $homeDir = Join-Path $Root 'home'
    $null = New-Item -ItemType Directory -Force -Path $homeDir
    chmod -R a+rX $Root
    chmod 1777 $homeDir
    @{ Dll = Join-Path $pwshDir 'pwsh.dll'; Manifest = Join-Path $moduleDir 'Blit.psd1'; Child = Join-Path $Root 'ReliabilityChild.ps1'; Home = $homeDir }
}

function Start-BlitChild {
    <#
    Runs ReliabilityChild.ps1 in a new pwsh process: each job mirrors one source to one destination
    with Invoke-BlitMirror and the child writes results, errors and warnings as JSON to $OutFile.
    -AsNobody runs it as uid/gid 65534 (needs -NobodyRuntime); -NewPidNamespace runs it as PID 1 of a
    fresh PID namespace, as in a container. Returns the started Process (the unshare process when
    -NewPidNamespace; Get-ChildPid finds the pwsh inside).
    #>
    param(
        [Parameter(Mandatory)][object[]] $Jobs,
        [Parameter(Mandatory)][string] $OutFile,
        [switch] $AsNobody,
        [hashtable] $NobodyRuntime,
        [switch] $NewPidNamespace,
        [hashtable] $Environment = @{}
    )
    $launch = Get-PwshLaunch
    $dll = $launch.Dll; $manifest = $script:ModuleManifest; $child = $script:ChildScript
    if ($AsNobody) { $dll = $NobodyRuntime.Dll; $manifest = $NobodyRuntime.Manifest; $child = $NobodyRuntime.Child }
    $jobsFile = "$OutFile.jobs.json"
    ConvertTo-Json -InputObject @($Jobs) -Depth 5 | Set-Content -LiteralPath $jobsFile -Encoding utf8NoBOM
    chmod a+r $jobsFile

    $argv = [Collections.Generic.List[string]]::new()
    if ($NewPidNamespace) { $argv.AddRange([string[]]@('unshare', '--pid', '--fork', '--mount-proc', '--')) }
    if ($AsNobody) { $argv.AddRange([string[]]@('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--')) }
    $argv.AddRange([string[]]@($launch.Host, $dll, '-NoProfile', '-NonInteractive', '-File', $child,
            '-ModuleManifest', $manifest, '-JobsFile', $jobsFile, '-OutFile', $OutFile))
    $psi = [Diagnostics.ProcessStartInfo]::new($argv[0])
    foreach ($a in $argv | Select-Object -Skip 1) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    if ($AsNobody) { $psi.Environment['HOME'] = $NobodyRuntime.Home }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $p = [Diagnostics.Process]::Start($psi)
    # Drain the pipes so the child never blocks on a full one; kept for failure messages.
    $p | Add-Member -NotePropertyName StdOut -NotePropertyValue $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member -NotePropertyName StdErr -NotePropertyValue $p.StandardError.ReadToEndAsync()
    $p
}

function Stop-BlitChildAtLease {
    <#
    Leases the -Pinned source files, starts a child mirroring -Source to -Destination, waits until a
    copy worker blocks on one of them, and kills the child with SIGKILL there: the mirror is stopped in
    the middle of its copy phase at a known place, without timing.
    #>
    param(
        [Parameter(Mandatory)][string] $Source,
        [Parameter(Mandatory)][string] $Destination,
        [Parameter(Mandatory)][string] $OutFile,
        [Parameter(Mandatory)][string[]] $Pinned
    )
    [BlitTestLease[]] $leases = foreach ($path in $Pinned) { New-Lease $path }
    $p = $null
    try {
        $p = Start-BlitChild -Jobs @(@{ Source = $Source; Destination = $Destination }) -OutFile $OutFile
        Wait-Until -Because 'a copy worker to reach a leased file' { [BlitTestLease]::AnyBreaking($leases) -or $p.HasExited }
        $p.HasExited | Should -BeFalse
        [BlitTestNative]::Signal($p.Id, [BlitTestNative]::SIGKILL)
        $p.WaitForExit(60000) | Should -BeTrue
    } finally {
        $leases.Dispose()
        if ($p -and -not $p.HasExited) { $p.Kill($true) }
    }
}

function Get-ChildPid {
    <# The pwsh started by Start-BlitChild: the process itself, or the child of its unshare. #>
    param([Parameter(Mandatory)][Diagnostics.Process] $Process)
    Wait-Until -TimeoutSeconds 60 -Because 'unshare to start its child' {
        (Get-Content "/proc/$($Process.Id)/task/$($Process.Id)/children" -ErrorAction SilentlyContinue) -match '\d'
    }
    [int]((Get-Content "/proc/$($Process.Id)/task/$($Process.Id)/children").Trim() -split ' ')[0]
}

function Wait-BlitChild {
    <# Waits for a Start-BlitChild process and returns its JSON report (one entry per job). #>
    param([Parameter(Mandatory)][Diagnostics.Process] $Process, [Parameter(Mandatory)][string] $OutFile, [int] $TimeoutSeconds = 600)
    if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Process.Kill($true)
        throw "The child pwsh did not finish within $TimeoutSeconds s"
    }
    if (-not (Test-Path -LiteralPath $OutFile)) {
        throw "The child pwsh (exit $($Process.ExitCode)) wrote no report to $OutFile. stdout: $($Process.StdOut.Result) stderr: $($Process.StdErr.Result)"
    }
    @(Get-Content -Raw -LiteralPath $OutFile | ConvertFrom-Json)
}

function Suspend-ProcessFully {
    <# SIGSTOP, then waits until every thread is stopped (a copy syscall in flight finishes its chunk first). #>
    param([Parameter(Mandatory)][int] $Id)
    [BlitTestNative]::Signal($Id, [BlitTestNative]::SIGSTOP)
    Wait-Until -TimeoutSeconds 60 -Because "every thread of process $Id to be stopped" {
        $states = foreach ($task in Get-ChildItem "/proc/$Id/task" -ErrorAction SilentlyContinue) {
            $stat = Get-Content -Raw "/proc/$Id/task/$($task.Name)/stat" -ErrorAction SilentlyContinue
            if ($stat) { $stat.Substring($stat.LastIndexOf(')') + 2, 1) }
        }
        @($states | Where-Object { $_ -notin 'T', 't', 'Z', 'X' }).Count -eq 0
    }
}

function Get-TreeDiff {
    <#
    Every difference between two trees, at native speed for trees of many files: type, size, mode,
    owner, mtime (to the nanosecond) and link target of each entry (GNU find, symlinks not followed),
    then the contents (diff -r --no-dereference). Empty when the trees are equal.
    #>
    param([Parameter(Mandatory)][string] $Expected, [Parameter(Mandatory)][string] $Actual, [switch] $NoOwner)
    $owner = if ($NoOwner) { '' } else { '%U:%G' }  # a mirror run by a user cannot give files away
    $list = {
        param($root)
        # Directory sizes differ between filesystems; files and links carry theirs.
        (find $root -mindepth 0 -type d -printf "%P|d|%m|$owner|%T@\n") + (find $root ! -type d -printf "%P|%y|%s|%m|$owner|%T@|%l\n") | Sort-Object
    }
    $e = & $list $Expected
    $a = & $list $Actual
    Compare-Object -ReferenceObject @($e) -DifferenceObject @($a) | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }
    diff -rq --no-dereference -- $Expected $Actual 2>&1
}
