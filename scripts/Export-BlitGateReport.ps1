<#
.SYNOPSIS
    Renders the gate's decisions as the reporting template (DESIGN.md §5), as the DEVLOG summary
    table, or as a dated DEVLOG entry, and optionally appends that entry to DEVLOG.md.
.DESCRIPTION
    Input is Compare-BlitBaseline's output: WorkloadDecision objects or one GateSummary
    (-Summary). The text comes from [Blit.Gate.GateReport], so the runbook, this script and the
    tests render the same report. Log paths are shown relative to -RelativeTo (default: the
    folder of -DevlogPath when appending, else the current location), so DEVLOG links work
    from the repository root.
.PARAMETER InputObject
    WorkloadDecision or GateSummary objects from Compare-BlitBaseline.
.PARAMETER Format
    Template (default): the §5 template per workload and the overall decision.
    Table: the DEVLOG summary table (Markdown). DevlogEntry: a dated DEVLOG entry.
.PARAMETER DevlogPath
    Append a dated DEVLOG entry to this file (created if missing). The report in -Format is
    still written to the pipeline.
.PARAMETER RelativeTo
    Folder that log paths and links are made relative to.
.PARAMETER Date
    The entry's date (default: now).
.EXAMPLE
    Measure-BlitWorkload -Quick | Compare-BlitBaseline | ./scripts/Export-BlitGateReport.ps1
.EXAMPLE
    Compare-BlitBaseline -Path logs/linux -Summary | ./scripts/Export-BlitGateReport.ps1 -Format Table -DevlogPath ./DEVLOG.md
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [Parameter(Mandatory, ValueFromPipeline)]
    [AllowEmptyCollection()]
    [object[]] $InputObject,

    [ValidateSet('Template', 'Table', 'DevlogEntry')]
    [string] $Format = 'Template',

    [string] $DevlogPath,

    [string] $RelativeTo,

    [datetimeoffset] $Date = [datetimeoffset]::UtcNow
)
begin {
    $ErrorActionPreference = 'Stop'
    if (-not (Get-Module Blit)) {
        Import-Module (Join-Path $PSScriptRoot '../Blit.psd1')
    }
    $decisions = [System.Collections.Generic.List[Blit.Gate.WorkloadDecision]]::new()
    $notes = [System.Collections.Generic.List[string]]::new()
    $baselinePath = $null
}
process {
    foreach ($item in $InputObject) {
        $value = if ($item -is [psobject]) { $item.psobject.BaseObject } else { $item }
        if ($value -is [Blit.Gate.GateSummary]) {
            $decisions.AddRange($value.Decisions)
            $notes.AddRange($value.Notes)
            $baselinePath = $value.BaselinePath
        }
        elseif ($value -is [Blit.Gate.WorkloadDecision]) {
            $decisions.Add($value)
        }
        elseif ($null -ne $value) {
            $err = [System.Management.Automation.ErrorRecord]::new(
                [System.ArgumentException]::new("Export-BlitGateReport takes Compare-BlitBaseline output (WorkloadDecision or GateSummary), not [$($value.GetType().FullName)]."),
                'InvalidArgument', [System.Management.Automation.ErrorCategory]::InvalidArgument, $value)
            $PSCmdlet.ThrowTerminatingError($err)
        }
    }
}
end {
    $summary = [Blit.Gate.GateSummary]::new($decisions, $notes, $baselinePath)
    if (-not $RelativeTo) {
        $RelativeTo = if ($DevlogPath) {
            Split-Path -Parent $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DevlogPath)
        }
        else { (Get-Location -PSProvider FileSystem).ProviderPath }
    }
    else {
        $RelativeTo = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($RelativeTo)
    }

    switch ($Format) {
        'Template' { [Blit.Gate.GateReport]::FormatSummary($summary, $RelativeTo) }
        'Table' { [Blit.Gate.GateReport]::FormatTable($summary, $RelativeTo) }
        'DevlogEntry' { [Blit.Gate.GateReport]::FormatDevlogEntry($summary, $Date, $RelativeTo) }
    }

    if ($DevlogPath) {
        $file = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DevlogPath)
        $entry = [Blit.Gate.GateReport]::FormatDevlogEntry($summary, $Date, $RelativeTo)
        $existing = if (Test-Path -LiteralPath $file) { [IO.File]::ReadAllText($file) } else { "# DEVLOG`n" }
        # One blank line between entries, whatever the file ended with.
        $text = $existing.TrimEnd("`r", "`n") + "`n`n" + $entry
        [IO.File]::WriteAllText($file, $text, [Text.UTF8Encoding]::new($false))
        Write-Verbose "Appended the gate entry to $file"
    }
}
