<#
.SYNOPSIS
    Pester assertion for Blit's quality gate: Should -BeBlitGo.
.DESCRIPTION
    Registers the Should operator BeBlitGo with Pester. It passes when the gate's
    decision is GO and fails with every NO-GO reason in the failure message. It accepts:
      - WorkloadDecision objects (Compare-BlitBaseline's output): GO only if every one is GO;
      - a GateSummary (Compare-BlitBaseline -Summary);
      - WorkloadMeasurement objects (Measure-BlitWorkload's output): compared with
        Compare-BlitBaseline's defaults (baseline ./logs, threshold 0.95, +25 % tolerances).
    Nothing at all (an empty pipeline) is a failure: no figures is not a GO.

    The file ships beside Blit.Cmdlets.dll in the module folder. Import Pester and Blit, then
    dot-source it once per test file (e.g. in BeforeAll):

        Import-Module Blit
        . (Join-Path (Split-Path (Get-Module Blit).Path) 'Blit.Pester.ps1')

        It 'is faster than rsync' {
            Measure-BlitWorkload -Quick -Workload SmallFiles | Compare-BlitBaseline | Should -BeBlitGo
        }

    Registering twice is harmless (Pester ignores an identical operator).
#>
if (-not (Get-Command Add-ShouldOperator -ErrorAction Ignore)) {
    throw 'Blit.Pester.ps1 needs Pester (5 or later) imported first: Import-Module Pester.'
}

function Test-BlitGateIsGo {
    <#
    .SYNOPSIS
        Should -BeBlitGo: the Blit gate decided GO. Input: WorkloadDecision, GateSummary or WorkloadMeasurement objects.
    #>
    param($ActualValue, [switch] $Negate, [string] $Because)

    # Everything stays inside this one function: Pester invokes it from its own scope.
    $items = @($ActualValue | Where-Object { $null -ne $_ })
    $summaries = [System.Collections.Generic.List[object]]::new()
    $decisions = [System.Collections.Generic.List[object]]::new()
    $measurements = [System.Collections.Generic.List[object]]::new()
    foreach ($item in $items) {
        $value = if ($item -is [psobject]) { $item.psobject.BaseObject } else { $item }
        if ($value -is [Blit.Gate.GateSummary]) { $summaries.Add($value) }
        elseif ($value -is [Blit.Gate.WorkloadDecision]) { $decisions.Add($value) }
        elseif ($value -is [Blit.Benchmarking.WorkloadMeasurement]) { $measurements.Add($value) }
        else {
            return [pscustomobject]@{
                Succeeded      = $false
                FailureMessage = "Expected Blit gate output (WorkloadDecision, GateSummary or WorkloadMeasurement), but got [$($value.GetType().FullName)] '$value'."
            }
        }
    }
    if ($measurements.Count -gt 0) {
        $summaries.Add(($measurements | Compare-BlitBaseline -Summary))
    }
    if ($decisions.Count -gt 0) {
        $summaries.Add([Blit.Gate.GateSummary]::new([Blit.Gate.WorkloadDecision[]]$decisions.ToArray(), $null, $null))
    }

    $all = @($summaries | ForEach-Object { $_.Decisions })
    $noGo = @($all | Where-Object { -not $_.IsGo })
    $empty = $summaries.Count -eq 0 -or @($summaries | Where-Object { $_.Decisions.Count -eq 0 }).Count -gt 0
    $isGo = -not $empty -and $noGo.Count -eq 0
    $because = if ($Because) { " because $($Because.Trim())," } else { '' }
    $state = if ($empty) { 'there was nothing to decide on (no measurements or decisions)' }
             else { '{0} of {1} workloads are GO' -f ($all.Count - $noGo.Count), $all.Count }

    if ($Negate) {
        return [pscustomobject]@{
            Succeeded      = -not $isGo
            FailureMessage = "Expected the Blit gate to be NO-GO,$because but it was GO: $state."
        }
    }
    if ($isGo) {
        return [pscustomobject]@{ Succeeded = $true; FailureMessage = $null }
    }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("Expected the Blit gate to be GO,$because but it was NO-GO: $state.")
    foreach ($d in $noGo) {
        $lines.Add(('{0} {1}: NO-GO' -f $d.Workload, $d.SizeLabel))
        foreach ($r in $d.Reasons) { $lines.Add("  - $r") }
        foreach ($n in $d.Notes) { $lines.Add("  note: $n") }
    }
    [pscustomobject]@{ Succeeded = $false; FailureMessage = $lines -join [Environment]::NewLine }
}

Add-ShouldOperator -Name BeBlitGo -Test ${function:Test-BlitGateIsGo} -SupportsArrayInput
