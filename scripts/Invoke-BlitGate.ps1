<#
.SYNOPSIS
    The gate runbook: measure every workload, compare with the comparator and the baseline,
    write the logs (and with -Devlog the DEVLOG entry), print the decisions, exit by the decision.
.DESCRIPTION
    ./build.sh gate runs this at the gate's full default sizes (DESIGN.md §4); arguments pass
    through (./build.sh gate -Quick). Steps:
      1. Measure-BlitWorkload (all workloads unless -Workload), logging under -LogPath: every workload
         warm, and Tiny, NoOp and Incremental cold too (a fresh pwsh per Blit run, timed whole; pass
         -Mode Warm or -Mode Cold to measure one mode only; -PwshPath names the pwsh of the cold runs,
         and ./build.sh gate passes -PrecompilePwsh to measure them with out/pwsh-precompiled);
         or, with -ResultsPath, re-decide from results.json files already logged.
      2. Compare-BlitBaseline -Summary against earlier runs under -BaselinePath (default: -LogPath).
      3. Print the decisions table and the §5 report; write them to
         <LogPath>/<platform>/gate_<yyyyMMddTHHmmssZ>/gate.log.
      4. With -Devlog, append a dated entry (summary table with log links) to DEVLOG.md.
    Exit code: 0 GO, 1 NO-GO, 2 the gate could not run (bad arguments, measuring failed, nothing
    to decide on).
    Parameters this script does not declare are passed to Measure-BlitWorkload
    (e.g. -SizeMB 512,1024 -KeepWorkspace); comma-separated values become arrays.
.PARAMETER Quick
    Measure at Measure-BlitWorkload's quick sizes (a smoke test, not a release decision).
.PARAMETER Workload
    Workloads to measure (default: all). Comma-separated from bash: -Workload SmallFiles,NoOp.
.PARAMETER ResultsPath
    Skip measuring: decide from these results.json files or folders (e.g. a previous run's logs).
.PARAMETER PwshPath
    The pwsh of the cold runs (Measure-BlitWorkload -PwshPath). Not used with -ResultsPath, which
    starts no pwsh.
.PARAMETER PrecompilePwsh
    When the run measures cold and names no -PwshPath: build (or reuse) the repository's precompiled
    pwsh, ./build.ps1 pwsh-precompiled, and measure the cold runs with it; if that fails, warn and
    use this pwsh. ./build.sh gate passes it. A run without cold measurements builds nothing.
.PARAMETER LogPath
    Where Measure-BlitWorkload logs and the gate report go (default: <repo>/logs).
.PARAMETER BaselinePath
    Earlier logged runs to compare memory and CPU with (default: -LogPath).
.PARAMETER Threshold
    Least comparator/Blit median ratio for GO (default 0.95).
.PARAMETER ColdThreshold
    Least ratio for GO of the cold measurements (Blit in a fresh pwsh); 0 (default) reports them without gating.
.PARAMETER MemoryTolerance
    Allowed rise of Blit's peak memory over the baseline, as a fraction (default 0.25).
.PARAMETER CpuTolerance
    Allowed rise of Blit's CPU seconds over the baseline, as a fraction (default 0.25).
.PARAMETER Devlog
    Append the dated summary entry to -DevlogPath.
.PARAMETER DevlogPath
    The DEVLOG to append to (default: <repo>/DEVLOG.md).
.PARAMETER MeasureArgument
    Everything else: passed to Measure-BlitWorkload.
.EXAMPLE
    ./build.sh gate -Quick
.EXAMPLE
    dotnet pwsh -File scripts/Invoke-BlitGate.ps1 -Workload LargeFile -SizeMB 1024 -Devlog
.EXAMPLE
    dotnet pwsh -File scripts/Invoke-BlitGate.ps1 -ResultsPath logs/linux/bench_smallfiles_20251128T120000Z
#>
[CmdletBinding(PositionalBinding = $false)]
param(
    [switch] $Quick,
    [string[]] $Workload,
    [string[]] $ResultsPath,
    [string] $PwshPath,
    [switch] $PrecompilePwsh,
    [string] $LogPath,
    [string] $BaselinePath,
    [double] $Threshold = 0.95,
    [double] $ColdThreshold = 0,
    [double] $MemoryTolerance = 0.25,
    [double] $CpuTolerance = 0.25,
    [switch] $Devlog,
    [string] $DevlogPath,
    [Parameter(ValueFromRemainingArguments)]
    [string[]] $MeasureArgument
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path

function ConvertTo-Splat {
    <# "-Name value -Switch -List a,b" (as bash passes them) -> a hashtable to splat. #>
    param([string[]] $Arguments)
    $splat = [ordered]@{}
    for ($i = 0; $i -lt $Arguments.Count; $i++) {
        $token = $Arguments[$i]
        if ($token -notmatch '^-([A-Za-z][\w]*)(:(.*))?$') {
            throw "Unexpected argument '$token': name Measure-BlitWorkload parameters as -Name value."
        }
        $name = $Matches[1]
        if ($Matches[2]) {
            $value = $Matches[3]
        }
        elseif ($i + 1 -lt $Arguments.Count -and $Arguments[$i + 1] -notmatch '^-[A-Za-z]') {
            $value = $Arguments[++$i]
        }
        else {
            $splat[$name] = $true
            continue
        }
        $splat[$name] = if ($value -like '*,*') { @($value -split ',' | Where-Object { $_ }) } else { $value }
    }
    $splat
}

function Test-ColdRun {
    <#
        True when Measure-BlitWorkload with these parameters measures some workload cold. Names are read
        as it binds them (-Mo is -Mode); a value it would refuse counts for nothing here, and it refuses it
        with its own error.
    #>
    param([System.Collections.IDictionary] $Measure)
    $command = Get-Command Measure-BlitWorkload -Module Blit
    $given = @{}
    foreach ($key in $Measure.Keys) {
        $parameter = try { $command.ResolveParameter($key) } catch { $null }
        if ($parameter) { $given[$parameter.Name] = $Measure[$key] }
    }
    if ($given.Contains('Mode')) { return @($given['Mode'] | ForEach-Object { $_ -as [Blit.Benchmarking.BenchmarkMode] }) -contains 'Cold' }
    $workloads = if ($given.Contains('Workload')) { @($given['Workload'] | ForEach-Object { $_ -as [Blit.Benchmarking.Workload] } | Where-Object { $null -ne $_ }) }
    else { [enum]::GetValues([Blit.Benchmarking.Workload]) }
    @($workloads | Where-Object { [Blit.Benchmarking.WorkloadSpec]::DefaultModes($_) -contains 'Cold' }).Count -gt 0
}

function Get-PrecompiledPwsh {
    <# The repository's precompiled pwsh (built or reused by ./build.ps1 pwsh-precompiled), or $null with a warning. #>
    Write-Host 'Cold runs: building or reusing the precompiled pwsh (./build.ps1 pwsh-precompiled; about a minute when it is built)'
    $output = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File (Join-Path $repoRoot 'build.ps1') pwsh-precompiled 2>&1
    $pwsh = Join-Path $repoRoot 'out/pwsh-precompiled/pwsh.dll'
    if ($LASTEXITCODE -eq 0 -and (Test-Path -LiteralPath $pwsh -PathType Leaf)) {
        $output | Where-Object { "$_" -like 'pwsh-precompiled: *' } | Select-Object -First 1 | Write-Host
        return $pwsh
    }
    Write-Warning "gate: cold runs use this pwsh, not a precompiled one: ./build.ps1 pwsh-precompiled failed ($(@($output)[-1]))"
    $null
}

try {
    Import-Module (Join-Path $repoRoot 'Blit.psd1')
    $LogPath = if ($LogPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LogPath) } else { Join-Path $repoRoot 'logs' }
    $BaselinePath = if ($BaselinePath) { $BaselinePath } else { $LogPath }
    $DevlogPath = if ($DevlogPath) { $DevlogPath } else { Join-Path $repoRoot 'DEVLOG.md' }
    # Refuse bad rules before measuring for an hour, not after.
    ([Blit.Gate.GateOptions]@{ Threshold = $Threshold; ColdThreshold = $ColdThreshold; MemoryTolerance = $MemoryTolerance; CpuTolerance = $CpuTolerance }).Validate()
    $compare = @{
        Summary         = $true
        BaselinePath    = $BaselinePath
        Threshold       = $Threshold
        ColdThreshold   = $ColdThreshold
        MemoryTolerance = $MemoryTolerance
        CpuTolerance    = $CpuTolerance
    }

    if ($ResultsPath) {
        if ($Quick -or $Workload -or $MeasureArgument) {
            throw '-ResultsPath decides from logged results; it takes no measuring arguments (-Quick, -Workload, Measure-BlitWorkload parameters).'
        }
        $paths = @($ResultsPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
        $summary = Compare-BlitBaseline -Path $paths @compare
    }
    else {
        if (-not (Get-Command Measure-BlitWorkload -Module Blit -ErrorAction Ignore)) {
            throw 'This build of Blit has no Measure-BlitWorkload; the gate cannot measure. (Decide from logged results with -ResultsPath.)'
        }
        $measure = ConvertTo-Splat @($MeasureArgument | Where-Object { $_ })
        $measure['LogPath'] = $LogPath
        if ($Quick) { $measure['Quick'] = $true }
        if ($Workload) { $measure['Workload'] = @($Workload | ForEach-Object { $_ -split ',' } | Where-Object { $_ }) }
        if (-not $PwshPath -and $PrecompilePwsh -and (Test-ColdRun $measure)) { $PwshPath = Get-PrecompiledPwsh }
        if ($PwshPath) { $measure['PwshPath'] = $PwshPath }
        Write-Host "Measuring $(if ($Quick) { 'at quick sizes' } else { 'at the gate''s full sizes' }); logs under $LogPath"
        $measurements = @(Measure-BlitWorkload @measure)
        $summary = $measurements | Compare-BlitBaseline @compare
    }
    # Nothing decided is not a NO-GO of Blit (exit 1) but a gate that did not run (exit 2): a
    # -ResultsPath folder without results.json, say.
    if ($summary.Decisions.Count -eq 0) {
        throw [Blit.Errors.BlitException]::new([Blit.Errors.BlitErrorCode]::InvalidArgument,
            "There is nothing to decide on: no measurements$(if ($ResultsPath) { " in $($ResultsPath -join ', ')" }).")
    }
}
catch {
    # Report the engine's own error (and its stable code) rather than PowerShell's wrappers.
    $ex = $_.Exception
    while ($ex -and $ex -isnot [Blit.Errors.BlitException] -and $ex.InnerException) { $ex = $ex.InnerException }
    if ($ex -isnot [Blit.Errors.BlitException]) { $ex = $_.Exception }
    Write-Host "gate: could not run: $($ex.Message)" -ForegroundColor Red
    $id = if ($ex -is [Blit.Errors.BlitException]) { [string]$ex.Code } elseif ($_.FullyQualifiedErrorId -ne $_.Exception.Message) { $_.FullyQualifiedErrorId }
    if ($id) { Write-Host "gate: error id $id" }
    exit 2
}

# Print: the decisions table (format view), then the §5 report with reasons and notes.
$summary.Decisions | Format-Table -AutoSize | Out-Host
$report = [Blit.Gate.GateReport]::FormatSummary($summary, $repoRoot)
Write-Host $report

# Write the gate's own log beside the measurements' logs.
# The same folder Measure-BlitWorkload logs under (logs/linux, logs/macos, logs/windows).
$platform = if ($summary.System) { $summary.System.Platform } else { [Blit.Benchmarking.SystemProbe]::PlatformName }
$stamp = [datetime]::UtcNow.ToString('yyyyMMddTHHmmssZ', [cultureinfo]::InvariantCulture)
$gateDir = Join-Path $LogPath (Join-Path $platform "gate_$stamp")
$null = New-Item -ItemType Directory -Force -Path $gateDir
$gateLog = Join-Path $gateDir 'gate.log'
$logText = $report + "`n" + [Blit.Gate.GateReport]::FormatTable($summary, $repoRoot)
[IO.File]::WriteAllText($gateLog, $logText, [Text.UTF8Encoding]::new($false))
$shown = [IO.Path]::GetRelativePath($repoRoot, $gateLog)
Write-Host "Gate log: $(if ($shown.StartsWith('..')) { $gateLog } else { $shown })"

if ($Devlog) {
    $summary | & (Join-Path $PSScriptRoot 'Export-BlitGateReport.ps1') -Format Table -DevlogPath $DevlogPath -RelativeTo $repoRoot | Out-Null
    Write-Host "DEVLOG entry appended to $DevlogPath"
}

$color = if ($summary.IsGo) { 'Green' } else { 'Red' }
Write-Host "Gate: $summary" -ForegroundColor $color
exit $(if ($summary.IsGo) { 0 } else { 1 })
