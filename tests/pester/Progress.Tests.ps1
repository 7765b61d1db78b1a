#Requires -Version 7.4
# Progress as a user sees it: one activity per command, nothing for a quick run (the delay),
# updates throttled by time, each update its own record (a host that keeps records, such as a
# runspace's Progress stream or a job, must see the run advance), Completed last.
# Each run happens in a new runspace: in the current one progress goes to the host, not a stream.

BeforeAll {
    . $PSScriptRoot/common.ps1

    # The defaults (ProgressTiming.Default), read, never written.
    $default = [Blit.Cmdlets.Commands.InvokeBlitMirrorCommand].Assembly.GetType('Blit.Cmdlets.Infrastructure.ProgressTiming', $true).GetProperty('Default').GetValue($null)
    $script:DefaultDelay = $default.Delay
    $script:DefaultInterval = $default.Interval

    function Set-ProgressTiming([string] $Milliseconds) {
        <# Every update shown ('0'), or the defaults back ($null): BLIT_PROGRESS_DELAY_MS and _INTERVAL_MS. #>
        $env:BLIT_PROGRESS_DELAY_MS = $Milliseconds
        $env:BLIT_PROGRESS_INTERVAL_MS = $Milliseconds
    }

    function Invoke-WithProgress {
        <# Runs $Script (with $args) in a new runspace with progress on; returns output, records and seconds. #>
        param([string] $Script, [object[]] $ArgumentList = @())
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$RepoRoot/Blit.psd1'; `$ProgressPreference = 'Continue'; $Script")
            foreach ($a in $ArgumentList) { $null = $ps.AddArgument($a) }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $output = $ps.Invoke()
            $clock.Stop()
            $ps.Streams.Error | Should -BeNullOrEmpty
            [pscustomobject]@{ Output = $output; Records = @($ps.Streams.Progress); Seconds = $clock.Elapsed.TotalSeconds }
        }
        finally { $ps.Dispose() }
    }

    $script:Source = Join-Path $TestDrive 'src'
    $files = @{}
    foreach ($i in 1..600) { $files["d$($i % 6)/f$i.txt"] = 'x' * (10 * $i) }
    New-TestTree -Root $Source -Files $files
}

AfterAll {
    Set-ProgressTiming $null
}

Describe 'Invoke-BlitMirror progress' {
    AfterEach {
        Set-ProgressTiming $null
    }

    It 'shows the mirror advancing in separate records of one activity, Completed last' {
        Set-ProgressTiming '0'
        # -PassThru posts an item per action, so the pipeline thread samples progress often.
        $run = Invoke-WithProgress 'Invoke-BlitMirror $args[0] $args[1] -PassThru -ThrottleLimit 1' -ArgumentList $Source, (Join-Path $TestDrive 'dst-advance')
        $run.Output[-1].FilesCopied | Should -Be 600
        $records = $run.Records
        @($records | ForEach-Object ActivityId | Sort-Object -Unique) | Should -Be @(1)
        @($records | ForEach-Object Activity | Sort-Object -Unique).Count | Should -Be 1
        $records[-1].RecordType | Should -Be 'Completed'
        @($records | Where-Object RecordType -EQ 'Completed').Count | Should -Be 1
        # Kept records are snapshots: different figures, percent by bytes never going back.
        @($records | ForEach-Object StatusDescription | Sort-Object -Unique).Count | Should -BeGreaterThan 2
        $percents = @($records | Where-Object PercentComplete -GE 0 | ForEach-Object PercentComplete)
        $percents.Count | Should -BeGreaterThan 1
        $percents[0] | Should -BeLessThan 100
        $percents[-1] | Should -Be 100
        for ($i = 1; $i -lt $percents.Count; $i++) { $percents[$i] | Should -BeGreaterOrEqual $percents[$i - 1] }
        $records | Where-Object StatusDescription -Match '^[\d,.]+ of [\d,.]+ entries, .+ of .+ \([\d,.]+ MiB/s\)$' | Should -Not -BeNullOrEmpty
    }

    It 'throttles updates to one per interval' {
        $env:BLIT_PROGRESS_DELAY_MS = '0' # the interval stays the default
        $run = Invoke-WithProgress 'Invoke-BlitMirror $args[0] $args[1] -PassThru -ThrottleLimit 1' -ArgumentList $Source, (Join-Path $TestDrive 'dst-throttle')
        $processing = @($run.Records | Where-Object RecordType -EQ 'Processing').Count
        # One per 250 ms interval at most, plus the first and the final update.
        $processing | Should -BeLessOrEqual ([math]::Floor($run.Seconds / $DefaultInterval.TotalSeconds) + 2)
        $processing | Should -BeGreaterThan 0
    }

    It 'shows nothing for a run shorter than the delay' {
        $src = Join-Path $TestDrive 'one-file'
        New-TestTree -Root $src -Files @{ 'a.txt' = 'a' }
        $run = Invoke-WithProgress 'Invoke-BlitMirror $args[0] $args[1]' -ArgumentList $src, (Join-Path $TestDrive 'dst-quick')
        if ($run.Seconds -ge $DefaultDelay.TotalSeconds) {
            Set-ItResult -Inconclusive -Because "the one-file mirror took $($run.Seconds) s on this machine, longer than the delay"
        }
        $run.Records | Should -BeNullOrEmpty
    }
}

Describe 'Measure-BlitWorkload progress' {
    AfterEach { Set-ProgressTiming $null }

    It 'reports workload, run and tool in one activity, advancing, Completed last' {
        $env:BLIT_PROGRESS_DELAY_MS = '0'
        $root = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'bench')).FullName
        $run = Invoke-WithProgress 'Measure-BlitWorkload NoOp -Quick -FileCount 300 -Runs 2 -Warmup 0 -Comparator Rsync -Mode Warm -Root $args[0] -LogPath $args[1]' -ArgumentList $root, (Join-Path $TestDrive 'logs')
        $run.Output.Count | Should -Be 2
        $records = $run.Records
        @($records | ForEach-Object Activity | Sort-Object -Unique) | Should -Be @('Measure-BlitWorkload')
        $records[-1].RecordType | Should -Be 'Completed'
        $records | Where-Object StatusDescription -Match '^NoOp 300files: Run [12] of 2: (blit|rsync)$' | Should -Not -BeNullOrEmpty
        $percents = @($records | ForEach-Object PercentComplete)
        for ($i = 1; $i -lt $percents.Count; $i++) { $percents[$i] | Should -BeGreaterOrEqual $percents[$i - 1] }
    }
}
