BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'GateFixtures.ps1')
    $script:ExportReport = Join-Path $script:RepoRoot 'scripts/Export-BlitGateReport.ps1'
}

Describe 'Compare-BlitBaseline' {
    BeforeEach {
        # No run may pick up the repository's own logs as a baseline.
        Push-Location TestDrive:
    }
    AfterEach { Pop-Location }

    Context 'decisions from the pipeline' {
        It 'emits one typed GO decision per workload with both medians and the ratio' {
            $d = New-GoPair | Compare-BlitBaseline
            $d | Should -HaveCount 1
            $d | Should -BeOfType Blit.Gate.WorkloadDecision
            $d.Decision | Should -Be 'Go'
            $d.IsGo | Should -BeTrue
            $d.Workload | Should -Be 'SmallFiles'
            $d.SizeLabel | Should -Be '1000files'
            $d.BlitMedianSeconds | Should -Be 0.5
            $d.ComparatorMedianSeconds | Should -Be 1.0
            $d.Ratio | Should -Be 2.0
            $d.BlitMiBPerSecond | Should -Be 10.0
            $d.BlitMinSeconds | Should -Be 0.475
            $d.BlitMaxSeconds | Should -Be 0.525
            $d.Reasons | Should -Contain 'speed: ratio 2.00 ≥ threshold 0.95 (rsync 1.000 s / Blit 0.500 s, medians)'
        }

        It 'decides each workload and size separately' {
            $d = @(New-GoPair; New-NoGoPair; New-GoPair -Workload LargeFile -SizeLabel 8MiB) | Compare-BlitBaseline
            $d | Should -HaveCount 3
            ($d | ForEach-Object { "$($_.Workload) $($_.SizeLabel) $($_.Decision)" }) |
                Should -Be @('LargeFile 8MiB Go', 'SmallFiles 1000files Go', 'NoOp 1000files NoGo')
        }

        It 'is NO-GO with that reason for a workload without comparator figures' {
            $d = New-TestMeasurement -Tool blit -Median 0.5 | Compare-BlitBaseline
            $d.Decision | Should -Be 'NoGo'
            $d.Reasons | Should -BeLike 'no comparator figures*'
        }

        It 'is NO-GO for Blit runs that failed verification' {
            $d = @(New-TestMeasurement -Tool blit -Median 0.1 -FailedRuns 1; New-TestMeasurement -Tool rsync) | Compare-BlitBaseline
            $d.Decision | Should -Be 'NoGo'
            $d.Reasons | Should -BeLike 'Blit failed 1 of 5 measured runs*destination has 999 files*'
        }

        It 'applies -Threshold' {
            (New-GoPair | Compare-BlitBaseline -Threshold 2.0).IsGo | Should -BeTrue
            (New-GoPair | Compare-BlitBaseline -Threshold 2.01).IsGo | Should -BeFalse
        }
    }

    Context 'the overall decision (-Summary)' {
        It 'is one GateSummary a script tests in one line' {
            (New-GoPair | Compare-BlitBaseline -Summary).IsGo | Should -BeTrue
            (@(New-GoPair; New-NoGoPair) | Compare-BlitBaseline -Summary).IsGo | Should -BeFalse
        }

        It 'carries every decision and the NO-GO reasons prefixed by workload' {
            $s = @(New-GoPair; New-NoGoPair) | Compare-BlitBaseline -Summary
            $s | Should -BeOfType Blit.Gate.GateSummary
            $s.Decision | Should -Be 'NoGo'
            $s.Decisions | Should -HaveCount 2
            $s.GoCount | Should -Be 1
            $s.Reasons | Should -BeLike 'NoOp 1000files: speed: ratio 0.50 < threshold 0.95*'
            "$s" | Should -Be 'NO-GO (1 of 2 workloads GO)'
        }

        It 'is NO-GO when there is nothing to decide on' {
            $s = @() | Compare-BlitBaseline -Summary
            $s.IsGo | Should -BeFalse
            $s.Reasons | Should -Be 'no measurements: there is nothing to decide on'
        }

        It 'warns, and emits nothing, without -Summary and without measurements' {
            $out = @() | Compare-BlitBaseline -WarningVariable w -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $w | Should -BeLike 'No measurements to compare*'
        }
    }

    Context 'baselines (-BaselinePath)' {
        BeforeEach {
            $script:old = [datetimeoffset]::new(2025, 11, 27, 12, 0, 0, [timespan]::Zero)
            Save-TestResults -Directory TestDrive:/logs/linux/bench_smallfiles_1 -Measurement @(
                New-TestMeasurement -Tool blit -Median 0.5 -PeakMemory 100MB -Cpu 1.0 -Timestamp $old
                New-TestMeasurement -Tool rsync -Median 1.0 -Timestamp $old) | Out-Null
        }

        It 'finds earlier runs under ./logs by default and reports memory and CPU against them' {
            $d = New-GoPair | Compare-BlitBaseline
            $d.IsGo | Should -BeTrue
            $d.BaselineRuns | Should -Be 1
            $d.BaselineMemoryBytes | Should -Be 100MB
            $d.BaselineCpuSeconds | Should -Be 1.0
            $d.MemoryChange | Should -Be 0
            $d.BaselineFiles | Should -Be (Join-Path (Get-PSDrive TestDrive).Root 'logs/linux/bench_smallfiles_1/results.json')
        }

        It 'is NO-GO on a memory regression beyond -MemoryTolerance' {
            $pair = @(New-TestMeasurement -Tool blit -Median 0.5 -PeakMemory 130MB; New-TestMeasurement -Tool rsync)
            $d = $pair | Compare-BlitBaseline
            $d.IsGo | Should -BeFalse
            $d.Reasons | Should -BeLike 'memory regression: in-process growth 130.0 MiB vs baseline 100.0 MiB (+30.0 %)*'
            ($pair | Compare-BlitBaseline -MemoryTolerance 0.5).IsGo | Should -BeTrue
        }

        It 'is NO-GO on a CPU regression beyond -CpuTolerance' {
            $pair = @(New-TestMeasurement -Tool blit -Median 0.5 -Cpu 1.5; New-TestMeasurement -Tool rsync)
            ($pair | Compare-BlitBaseline).Reasons | Should -BeLike 'CPU regression: 1.500 s median vs baseline 1.000 s (+50.0 %)*'
            ($pair | Compare-BlitBaseline -CpuTolerance 0.6).IsGo | Should -BeTrue
        }

        It 'ignores earlier runs from another machine and says so' {
            $pair = @(New-TestMeasurement -Tool blit -Median 0.5 -PeakMemory 900MB -System (New-TestSystem -MachineName laptop)
                      New-TestMeasurement -Tool rsync -System (New-TestSystem -MachineName laptop))
            $d = $pair | Compare-BlitBaseline
            $d.IsGo | Should -BeTrue
            $d.BaselineRuns | Should -Be 0
            $d.Notes -like 'machine mismatch: 1 earlier run(s)*' | Should -HaveCount 1
            $d.Notes -like "*MachineName 'laptop' ≠ 'bench1'*" | Should -HaveCount 1
        }

        It 'says there is no baseline when the folder is missing, and still decides' {
            $d = New-GoPair | Compare-BlitBaseline -BaselinePath TestDrive:/nowhere
            $d.IsGo | Should -BeTrue
            $d.Notes | Should -BeLike "no baseline: '*nowhere' does not exist*"
        }

        It 'warns about unreadable files under the baseline folder and goes on' {
            Set-Content -LiteralPath TestDrive:/logs/linux/broken.json -Value 'x'
            $null = New-Item -ItemType Directory TestDrive:/logs/linux/broken
            Set-Content -LiteralPath TestDrive:/logs/linux/broken/results.json -Value '{ "kind": "other" }'
            $d = New-GoPair | Compare-BlitBaseline -WarningVariable w -WarningAction SilentlyContinue
            $d.BaselineRuns | Should -Be 1
            $w[0] | Should -BeLike '1 results file(s) under*could not be read*'
        }
    }

    Context 'reading results.json (-Path)' {
        BeforeEach {
            $script:goFile = Save-TestResults -Directory TestDrive:/in/linux/bench_smallfiles_x -Measurement @(New-GoPair)
            $script:noGoFile = Save-TestResults -Directory TestDrive:/in/linux/bench_noop_x -Measurement @(New-NoGoPair)
        }

        It 'reads a file' {
            (Compare-BlitBaseline -Path $goFile).IsGo | Should -BeTrue
        }

        It 'reads every results.json below a folder' {
            $d = Compare-BlitBaseline -Path TestDrive:/in
            $d | Should -HaveCount 2
            ($d | Where-Object Workload -EQ NoOp).IsGo | Should -BeFalse
        }

        It 'takes relative paths and wildcards through the PowerShell location' {
            (Compare-BlitBaseline -Path ./in/linux/bench_*_x/results.json) | Should -HaveCount 2
        }

        It 'takes files from Get-ChildItem by property name' {
            (Get-ChildItem -Recurse -Filter results.json TestDrive:/in | Compare-BlitBaseline -Summary).Decisions | Should -HaveCount 2
        }

        It 'round-trips: a decision from the file equals one from the objects' {
            $fromObjects = New-GoPair | Compare-BlitBaseline
            $fromFile = Compare-BlitBaseline -Path $goFile
            $fromFile.Reasons | Should -Be $fromObjects.Reasons
            $fromFile.Ratio | Should -Be $fromObjects.Ratio
            $fromFile.BlitMemoryBytes | Should -Be $fromObjects.BlitMemoryBytes
        }

        It 'reports a corrupt results.json as InvalidResultsFile and goes on with the others' {
            Set-Content -LiteralPath TestDrive:/in/linux/bench_noop_x/results.json -Value '{ "kind": "blit-benchmark-results", '
            $d = Compare-BlitBaseline -Path TestDrive:/in -ErrorVariable e -ErrorAction SilentlyContinue
            $e | Should -HaveCount 1
            $e[0].FullyQualifiedErrorId | Should -Be 'InvalidResultsFile,Blit.Cmdlets.Commands.CompareBlitBaselineCommand'
            $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $d | Should -HaveCount 1
        }

        It 'reports a foreign JSON file as InvalidResultsFile' {
            Set-Content -LiteralPath TestDrive:/foreign.json -Value '{ "kind": "something-else", "schema": 1 }'
            { Compare-BlitBaseline -Path TestDrive:/foreign.json -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidResultsFile,Blit.Cmdlets.Commands.CompareBlitBaselineCommand'
        }

        It 'reports a missing path as SourceNotFound' {
            { Compare-BlitBaseline -Path TestDrive:/missing.json -ErrorAction Stop } |
                Should -Throw -ErrorId 'SourceNotFound,Blit.Cmdlets.Commands.CompareBlitBaselineCommand'
        }
    }

    Context 'validation' {
        It 'refuses -<Name> <Value> as InvalidArgument' -ForEach @(
            @{ Name = 'Threshold'; Value = 0 }
            @{ Name = 'Threshold'; Value = -0.5 }
            @{ Name = 'Threshold'; Value = 101 }
            @{ Name = 'MemoryTolerance'; Value = -0.1 }
            @{ Name = 'MemoryTolerance'; Value = 1000 }
            @{ Name = 'CpuTolerance'; Value = -1 }
        ) {
            $splat = @{ $Name = $Value }
            { New-GoPair | Compare-BlitBaseline @splat } |
                Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.CompareBlitBaselineCommand' -ExpectedMessage "$Name *out of range*"
        }

        It 'declares its output types' {
            (Get-Command Compare-BlitBaseline).OutputType.Type |
                Should -Be @([Blit.Gate.WorkloadDecision], [Blit.Gate.GateSummary])
        }
    }

    Context 'views' {
        It 'shows a decisions table with medians, ratio, decision and reasons' {
            $text = @(New-GoPair; New-NoGoPair) | Compare-BlitBaseline | Format-Table | Out-String -Width 200
            $text | Should -Match 'SmallFiles\s+1000files\s+Warm\s+0[.,]500 s\s+rsync 1[.,]000 s\s+2[.,]00\s+GO'
            $text | Should -Match 'NoOp\s+1000files\s+Warm\s+1[.,]000 s\s+rsync 0[.,]500 s\s+0[.,]50\s+NO-GO\s+speed: ratio 0.50 < threshold 0.95'
        }

        It 'shows a summary with its decision and reasons' {
            $text = @(New-NoGoPair) | Compare-BlitBaseline -Summary | Out-String -Width 200
            $text | Should -Match 'Decision\s+: NO-GO'
            $text | Should -Match 'Workloads\s+: 0 of 1 GO'
        }

        It 'has no ANSI colour when the output is plain text' {
            $saved = $PSStyle.OutputRendering
            try {
                $PSStyle.OutputRendering = 'PlainText'
                $text = New-NoGoPair | Compare-BlitBaseline | Format-List | Out-String
                $text | Should -Not -Match "`e\["
                $text | Should -Match 'Decision\s+: NO-GO'
            }
            finally { $PSStyle.OutputRendering = $saved }
        }

        It 'keeps raw numbers in the objects (JSON without units)' {
            $json = New-GoPair | Compare-BlitBaseline | Select-Object Workload, Ratio, BlitMedianSeconds, Decision | ConvertTo-Json
            $o = $json | ConvertFrom-Json
            $o.Ratio | Should -Be 2
            $o.BlitMedianSeconds | Should -Be 0.5
        }
    }
}

Describe 'Export-BlitGateReport.ps1' {
    BeforeEach { Push-Location TestDrive: }
    AfterEach { Pop-Location }

    It 'renders the §5 template for each decision and the overall decision' {
        $log = Join-Path (Get-PSDrive TestDrive).Root 'logs/linux/bench_smallfiles_x/bench.log'
        $pair = @(New-TestMeasurement -Tool blit -Median 0.5 -LogPath $log; New-TestMeasurement -Tool rsync -Median 1.09 -LogPath $log)
        $text = $pair | Compare-BlitBaseline | & $ExportReport
        $lines = $text -split "`n"
        $lines[0] | Should -Be 'Platform: Ubuntu 24.04.1 LTS 6.8.0-49-generic (ext4, ssd)'
        $lines[1] | Should -Be 'Workload: SmallFiles 1000files — 1,000 files, 5.0 MiB (1 warmup, 5 runs)'
        $lines[2] | Should -BeLike '  blit mirror: 0.500 s median (10.0 MiB/s*'
        $lines[3] | Should -BeLike '  rsync -a --delete: 1.090 s median (4.6 MiB/s*'
        $lines | Should -Contain 'Decision: GO (blit 218 % of rsync throughput)'
        $lines | Should -Contain 'Logs: logs/linux/bench_smallfiles_x/bench.log'
        $lines | Should -Contain 'Overall: GO (1 of 1 workloads GO)'
    }

    It 'renders the DEVLOG table' {
        $text = New-NoGoPair | Compare-BlitBaseline -Summary | & $ExportReport -Format Table
        $text | Should -BeLike '| workload | blit | comparator | ratio | decision | log |*| NoOp 1000files | 1.000 s (5.0 MiB/s) | rsync 0.500 s (10.0 MiB/s) | 0.50 | **NO-GO** | — |*'
    }

    It 'appends dated entries to a DEVLOG, keeping what was there' {
        Set-Content -LiteralPath TestDrive:/DEVLOG.md -Value "# DEVLOG`n`nEarlier notes."
        New-GoPair | Compare-BlitBaseline | & $ExportReport -DevlogPath TestDrive:/DEVLOG.md -Date ([datetimeoffset]'2025-11-28T10:00:00Z') | Out-Null
        New-NoGoPair | Compare-BlitBaseline | & $ExportReport -DevlogPath TestDrive:/DEVLOG.md -Date ([datetimeoffset]'2025-11-29T10:00:00Z') | Out-Null
        $devlog = Get-Content -Raw TestDrive:/DEVLOG.md
        $devlog | Should -BeLike "# DEVLOG`n`nEarlier notes.`n`n## 2025-11-28 10:00 UTC — gate: GO (1 of 1 workloads GO)`n*"
        $devlog | Should -BeLike "*`n## 2025-11-29 10:00 UTC — gate: NO-GO (0 of 1 workloads GO)`n*NO-GO reasons:*- NoOp 1000files: speed: ratio 0.50*"
        ([regex]::Matches($devlog, '(?m)^## ')).Count | Should -Be 2
    }

    It 'refuses input that is not gate output' {
        { 'hello' | & $ExportReport } | Should -Throw -ErrorId 'InvalidArgument*'
    }
}
