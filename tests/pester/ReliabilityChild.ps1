<#
.SYNOPSIS
    Child process of the reliability tests: runs Invoke-BlitMirror for each job and reports as JSON.
.DESCRIPTION
    Started by Start-BlitChild (ReliabilityHelpers.ps1) in a separate pwsh, so a test can kill it, run it
    as another user or in a fresh PID namespace, or read its peak memory. Each job is
    @{ Source; Destination; Parameters = @{...} }. The report has, per job, the result's properties,
    every error (FullyQualifiedErrorId, TargetObject, message, category), every warning, and
    VmHWM (peak resident memory, KiB) before and after the job (reset between jobs).
#>
param(
    [Parameter(Mandatory)][string] $ModuleManifest,
    [Parameter(Mandatory)][string] $JobsFile,
    [Parameter(Mandatory)][string] $OutFile
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModuleManifest

function Get-PeakKiB { [long](@((Get-Content /proc/self/status) -match '^VmHWM:')[0] -replace '\D', '') }

$report = foreach ($job in @(Get-Content -Raw -LiteralPath $JobsFile | ConvertFrom-Json)) {
    $params = @{}
    if ($job.Parameters) { foreach ($p in $job.Parameters.PSObject.Properties) { $params[$p.Name] = $p.Value } }
    # Each job's peak on its own: collect the last job's garbage, then reset VmHWM to the current RSS.
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    try { [IO.File]::WriteAllText('/proc/self/clear_refs', '5') } catch { }
    $before = Get-PeakKiB
    $errs = $null; $warns = $null; $result = $null; $terminating = $null
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        $result = Invoke-BlitMirror -Path $job.Source -Destination $job.Destination @params `
            -ErrorAction Continue -ErrorVariable errs -WarningAction SilentlyContinue -WarningVariable warns
    } catch {
        $terminating = $_
    }
    [ordered]@{
        User         = (id -un)
        Pid          = $PID
        Seconds      = $clock.Elapsed.TotalSeconds
        PeakKiBBefore = $before
        PeakKiBAfter = Get-PeakKiB
        Result       = if ($result) { $result | Select-Object -Property * -ExcludeProperty Duration, ScanDuration } else { $null }
        Terminating  = if ($terminating) { [ordered]@{ Id = $terminating.FullyQualifiedErrorId; Message = $terminating.Exception.Message; Target = [string]$terminating.TargetObject } } else { $null }
        Errors       = @(foreach ($e in @($errs)) {
                [ordered]@{ Id = $e.FullyQualifiedErrorId; Target = [string]$e.TargetObject; Message = $e.Exception.Message; Category = [string]$e.CategoryInfo.Category }
            })
        Warnings     = @(foreach ($w in @($warns)) { [string]$w.Message })
    }
}
ConvertTo-Json -InputObject @($report) -Depth 6 | Set-Content -LiteralPath $OutFile -Encoding utf8NoBOM
