# Dot-sourced by the gate's test files (after common.ps1): synthetic measurements whose every
# figure the test chooses, so decisions are exact and the tests never depend on this machine.

function New-TestSystem {
    param([string] $MachineName = 'bench1', [string] $FileSystem = 'ext4', [int] $CpuCount = 2)
    [Blit.Benchmarking.SystemInfo]@{
        Platform        = 'linux'
        OperatingSystem = 'Ubuntu 24.04.1 LTS'
        Kernel          = '6.8.0-49-generic'
        CpuModel        = 'AMD EPYC 7B13'
        CpuCount        = $CpuCount
        MemoryBytes     = 24GB
        MachineName     = $MachineName
        FileSystem      = $FileSystem
        DeviceKind      = 'ssd'
        BlitVersion     = '0.1.0'
    }
}

function New-TestMeasurement {
    <# One tool's measurement: 5 runs at Median ± 5 %, the first -FailedRuns of them failed. #>
    param(
        [string] $Tool = 'blit',
        [double] $Median = 1.0,
        [long] $PeakMemory = 100MB,
        [double] $Cpu = 1.0,
        [Blit.Benchmarking.Workload] $Workload = 'SmallFiles',
        [string] $SizeLabel = '1000files',
        [long] $TotalBytes = 5MB,
        [long] $FileCount = 1000,
        [datetimeoffset] $Timestamp = [datetimeoffset]::new(2025, 11, 28, 12, 0, 0, [timespan]::Zero),
        [Blit.Benchmarking.SystemInfo] $System = (New-TestSystem),
        [int] $FailedRuns = 0,
        [string] $LogPath,
        [string] $ResultsPath,
        [Blit.Benchmarking.BenchmarkMode] $Mode = 'Warm'
    )
    # Warm Blit's memory figure is its in-process growth; every other measurement's is a whole-process peak.
    $growth = $Tool -eq 'blit' -and $Mode -eq 'Warm'
    $peakValue = if ($growth) { $null } else { $PeakMemory }
    $growthValue = if ($growth) { $PeakMemory } else { $null }
    $min = $Median * 0.95; $max = $Median * 1.05
    $samples = [Blit.Benchmarking.RunSample[]]@(1..5 | ForEach-Object {
        [Blit.Benchmarking.RunSample]@{
            Run             = $_
            WallSeconds     = $(if ($_ -eq 1) { $min } elseif ($_ -eq 5) { $max } else { $Median })
            CpuSeconds      = $Cpu
            PeakMemoryBytes = $peakValue
            MemoryGrowthBytes = $growthValue
            Verified        = $_ -gt $FailedRuns
            Failure         = $(if ($_ -le $FailedRuns) { 'destination has 999 files, source 1000' } else { $null })
        }
    })
    $isComparator = $Tool -ne 'blit'
    [Blit.Benchmarking.WorkloadMeasurement]@{
        Workload         = $Workload
        SizeLabel        = $SizeLabel
        TotalBytes       = $TotalBytes
        FileCount        = $FileCount
        Tool             = $Tool
        Command          = $(if ($isComparator) { "$Tool -a --delete /tmp/b/src/ /tmp/b/$Tool/" } else { 'Invoke-BlitMirror -Path /tmp/b/src -Destination /tmp/b/blit' })
        IsComparator     = $isComparator
        WarmupRuns       = 1
        Samples          = $samples
        MedianSeconds    = $Median
        MinSeconds       = $min
        MaxSeconds       = $max
        MedianCpuSeconds = $Cpu
        PeakMemoryBytes  = $peakValue
        MemoryGrowthBytes = $growthValue
        Mode             = $Mode
        MiBPerSecond     = $TotalBytes / 1MB / $Median
        FilesPerSecond   = $FileCount / $Median
        FailedRuns       = $FailedRuns
        Timestamp        = $Timestamp
        System           = $System
        LogPath          = $(if ($LogPath) { $LogPath } else { $null })
        ResultsPath      = $(if ($ResultsPath) { $ResultsPath } else { $null })
    }
}

function Save-TestResults {
    <# Writes measurements as a results.json (through the real ResultsFile.Save) and returns its path. #>
    param([Parameter(Mandatory)][string] $Directory, [Parameter(Mandatory)][Blit.Benchmarking.WorkloadMeasurement[]] $Measurement)
    $Directory = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Directory)
    $null = New-Item -ItemType Directory -Force -Path $Directory
    $path = Join-Path $Directory 'results.json'
    ([Blit.Benchmarking.ResultsFile]@{
        Timestamp    = $Measurement[0].Timestamp
        System       = $Measurement[0].System
        Measurements = $Measurement
    }).Save($path)
    $path
}

function New-GoPair {
    <# Blit twice as fast as rsync: a clear GO. #>
    param([Blit.Benchmarking.Workload] $Workload = 'SmallFiles', [string] $SizeLabel = '1000files')
    New-TestMeasurement -Tool blit -Median 0.5 -Workload $Workload -SizeLabel $SizeLabel
    New-TestMeasurement -Tool rsync -Median 1.0 -Workload $Workload -SizeLabel $SizeLabel
}

function New-NoGoPair {
    <# Blit at half rsync's speed: ratio 0.50, a clear NO-GO. #>
    param([Blit.Benchmarking.Workload] $Workload = 'NoOp', [string] $SizeLabel = '1000files')
    New-TestMeasurement -Tool blit -Median 1.0 -Workload $Workload -SizeLabel $SizeLabel
    New-TestMeasurement -Tool rsync -Median 0.5 -Workload $Workload -SizeLabel $SizeLabel
}

function Invoke-ChildPwsh {
    <#
    Runs a script in a fresh pwsh (the same PowerShell as this one, whether it is the `dotnet pwsh`
    tool or an installed pwsh) and returns its exit code and its output as one string.
    #>
    param([Parameter(Mandatory)][string] $File, [string[]] $Arguments = @())
    $exe = (Get-Process -Id $PID).Path
    [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
    $output = & $exe @prefix -NoLogo -NoProfile -NonInteractive -File $File @Arguments 2>&1
    [pscustomobject]@{
        ExitCode = $LASTEXITCODE
        Output   = (@($output | ForEach-Object { "$_" }) -join "`n")
    }
}

function Get-CpuTicks {
    <# Machine-wide busy CPU ticks and this process's own plus its waited-for children's (Linux /proc); $null elsewhere. #>
    if (-not (Test-Path /proc/stat) -or -not (Test-Path /proc/self/stat)) { return $null }
    $cpu = (Get-Content /proc/stat -TotalCount 1) -split '\s+'
    # cpu user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    $busy = [long]$cpu[1] + [long]$cpu[2] + [long]$cpu[3] + [long]$cpu[6] + [long]$cpu[7] + [long]$cpu[8]
    $stat = Get-Content /proc/self/stat -Raw
    $f = $stat.Substring($stat.LastIndexOf(')') + 2) -split ' '
    # Fields after the command: state is field 3, so utime (14), stime (15), cutime (16), cstime (17) are [11..14].
    $ours = [long]$f[11] + [long]$f[12] + [long]$f[13] + [long]$f[14]
    [pscustomobject]@{ Busy = $busy; Ours = $ours; Timestamp = [Diagnostics.Stopwatch]::GetTimestamp() }
}

function Measure-ForeignCpuShare {
    <#
    Runs $ScriptBlock (which must wait for any process it starts) and returns its output and the
    share of the machine's CPU capacity that *other* processes used meanwhile: (machine busy time
    - this process tree's CPU time) / (wall time x cores). $null where /proc is not available.
    #>
    param([Parameter(Mandatory)][scriptblock] $ScriptBlock)
    $before = Get-CpuTicks
    $output = & $ScriptBlock
    $after = Get-CpuTicks
    $share = $null
    if ($before -and $after) {
        $wall = ($after.Timestamp - $before.Timestamp) / [Diagnostics.Stopwatch]::Frequency
        $ticksPerSecond = 100   # USER_HZ: /proc/stat and /proc/<pid>/stat both count in it
        $foreign = ($after.Busy - $before.Busy) - ($after.Ours - $before.Ours)
        $share = [math]::Max(0.0, [double]$foreign / ($wall * $ticksPerSecond * [Environment]::ProcessorCount))
    }
    [pscustomobject]@{ Output = $output; ForeignCpuShare = $share }
}
