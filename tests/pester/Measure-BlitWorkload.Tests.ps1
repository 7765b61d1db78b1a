#Requires -Version 7.4
# Measure-BlitWorkload on small sizes: with rsync (the -Quick smoke test), with no comparator,
# with a fake robocopy on PATH (the Windows exit-code rules, exercised here), a deliberately
# broken comparator, input validation, path resolution, and Ctrl+C.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:CmdletId = 'Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand'
    $script:Sep = [IO.Path]::PathSeparator

    function New-Root([string] $Name) {
        (New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive $Name)).FullName
    }

    # Small trees for everything but the -Quick run itself.
    $script:Tiny = @{
        FileCount = 150; MinFileSizeKB = 1; MaxFileSizeKB = 2; FilesPerDirectory = 50
        SizeMB = 1; MixedSizeMB = 1; MixedFileCount = 40; MixedFileSizeKB = 2
        TouchCount = 4; DeleteCount = 3; AddCount = 2
        Runs = 2; Warmup = 1
    }
}

Describe 'Measure-BlitWorkload -Quick with rsync' {
    BeforeAll {
        $script:root = New-Root 'quick-root'
        $script:logs = Join-Path $TestDrive 'quick-logs'
        $script:results = @(Measure-BlitWorkload -Quick -Root $root -LogPath $logs -WarningVariable quickWarnings -WarningAction SilentlyContinue)
        $script:quickWarnings = $quickWarnings
    }

    It 'emits one typed measurement per workload, mode and tool: cold too for Tiny, NoOp and Incremental' {
        $results.Count | Should -Be 18
        $results | ForEach-Object { $_ | Should -BeOfType ([Blit.Benchmarking.WorkloadMeasurement]) }
        ($results | ForEach-Object { "$($_.Workload)/$($_.Mode)/$($_.Tool)" }) | Should -Be @(
            'LargeFile/Warm/blit', 'LargeFile/Warm/rsync', 'SmallFiles/Warm/blit', 'SmallFiles/Warm/rsync', 'Mixed/Warm/blit', 'Mixed/Warm/rsync',
            'Incremental/Warm/blit', 'Incremental/Warm/rsync', 'Incremental/Cold/blit', 'Incremental/Cold/rsync',
            'NoOp/Warm/blit', 'NoOp/Warm/rsync', 'NoOp/Cold/blit', 'NoOp/Cold/rsync',
            'Tiny/Warm/blit', 'Tiny/Warm/rsync', 'Tiny/Cold/blit', 'Tiny/Cold/rsync')
        $quickWarnings | Should -BeNullOrEmpty
    }

    It 'verifies every run of every tool' {
        foreach ($m in $results) {
            $m.Verified | Should -BeTrue -Because "$($m.Workload) $($m.Tool): $($m.Samples.Failure -join '; ')"
            $m.FailedRuns | Should -Be 0
        }
    }

    It 'uses the -Quick sizes and run counts' {
        $results | Where-Object Workload -NE 'Tiny' | ForEach-Object { $_.Samples.Count | Should -Be 3; $_.WarmupRuns | Should -Be 1 }
        $tiny = [Blit.Benchmarking.WorkloadSpec]::Quick('Tiny')[0]
        $results | Where-Object Workload -EQ 'Tiny' | ForEach-Object { $_.Samples.Count | Should -Be $tiny.Runs; $_.WarmupRuns | Should -Be $tiny.Warmup }
        $tiny.Runs | Should -BeGreaterThan 3 -Because 'Tiny needs more runs than the others to be stable at ms scale'
        ($results | Where-Object Workload -EQ 'Tiny')[0].SizeLabel | Should -Be '5entries'
        ($results | Where-Object Workload -EQ 'Tiny')[0].FileCount | Should -Be 2
        ($results | Where-Object Workload -EQ 'LargeFile')[0].TotalBytes | Should -Be (8MB)
        ($results | Where-Object Workload -EQ 'SmallFiles')[0].FileCount | Should -Be 2000
        ($results | Where-Object Workload -EQ 'Mixed')[0].FileCount | Should -Be 1001
        ($results | Where-Object Workload -EQ 'Incremental')[0].SizeLabel | Should -Be '2000files_t40_d20_a20'
        ($results | Where-Object Workload -EQ 'NoOp')[0].FileCount | Should -Be 2000
    }

    It 'has typed figures: seconds as doubles, bytes as longs' {
        $m = $results[2]
        $m.MedianSeconds | Should -BeOfType ([double])
        $m.Samples[0].WallSeconds | Should -BeOfType ([double])
        $m.TotalBytes | Should -BeOfType ([long])
        $m.MemoryGrowthBytes | Should -BeOfType ([long])
        $m.PeakMemoryBytes | Should -BeNullOrEmpty -Because 'warm Blit has no process of its own: its figure is in-process growth' 
        $m.MedianSeconds | Should -BeGreaterThan 0
        $m.MinSeconds | Should -BeLessOrEqual $m.MedianSeconds
        $m.MaxSeconds | Should -BeGreaterOrEqual $m.MedianSeconds
        $m.MiBPerSecond | Should -BeGreaterThan 0
        $m.FilesPerSecond | Should -BeGreaterThan 0
        ($results | Where-Object Tool -EQ 'rsync' | Select-Object -First 1).PeakMemoryBytes | Should -BeGreaterThan 0
    }

    It 'writes bench.log and results.json for each workload, and tags the objects with them' {
        foreach ($w in 'largefile', 'smallfiles', 'mixed', 'incremental', 'noop', 'tiny') {
            $dir = @(Get-ChildItem -Directory (Join-Path $logs 'linux') -Filter "bench_${w}_*")
            $dir.Count | Should -Be 1
            $dir[0].Name | Should -Match "^bench_${w}_\d{8}T\d{6}Z$"
            Join-Path $dir[0].FullName 'bench.log' | Should -Exist
            Join-Path $dir[0].FullName 'results.json' | Should -Exist
        }
        foreach ($m in $results) {
            $m.LogPath | Should -Exist
            $m.ResultsPath | Should -Be (Join-Path (Split-Path $m.LogPath) 'results.json')
        }
    }

    It 'writes a results.json that the gate can read back' {
        $m = $results | Where-Object Workload -EQ 'Incremental'
        $file = [Blit.Benchmarking.ResultsFile]::Load($m[0].ResultsPath)
        $file.Measurements.Count | Should -Be 4 -Because 'Incremental is measured warm and cold'
        $file.Measurements[1].Tool | Should -Be 'rsync'
        $file.Measurements[1].MedianSeconds | Should -Be $m[1].MedianSeconds
        ($file.Measurements | ForEach-Object { "$($_.Mode)/$($_.Tool)" }) | Should -Be @('Warm/blit', 'Warm/rsync', 'Cold/blit', 'Cold/rsync')
        $file.System.Platform | Should -Be 'linux'
    }

    It 'logs the commands, flags, every run, the summary and the system notes' {
        $log = Get-Content -Raw ($results | Where-Object Workload -EQ 'SmallFiles')[0].LogPath
        $log | Should -Match 'command: rsync -a --delete SRC/ DEST/ \(default flags\)'
        $log | Should -Match 'Measure-BlitWorkload -Quick'
        ([regex]::Matches($log, '\[(warm-up|run) \d\]\s+(blit|rsync)')).Count | Should -Be 8
        $log | Should -Match 'Summary SmallFiles 2000files'
        $log | Should -Match 'rsync median / blit median \(Warm\) = '
        $log | Should -Match 'blit planner: workers='
        $log | Should -Match 'CPU: .+ \(\d+ logical\)'
        $log | Should -Match 'Filesystem: \S+ on .+device kind: (ssd|rotational|virtual|memory|unknown)'
        $log | Should -Match 'Kernel: Linux'
        $log | Should -Match 'Blit history/telemetry: none'
        $log | Should -Match 'Cold cache \(-DropCaches\): off'
        $log | Should -Match 'Flush \(-Flush\): off'
    }

    It 'records the system notes and the planner choices on the objects' {
        $blit = $results | Where-Object Tool -EQ 'blit' | Select-Object -First 1
        $blit.System.CpuCount | Should -Be ([Environment]::ProcessorCount)
        $blit.System.MemoryBytes | Should -BeGreaterThan 0
        $blit.System.FileSystem | Should -Not -BeNullOrEmpty
        $blit.PlannerNotes | Should -Match 'workers=\d+, cloned=\d+, kernel-copied=\d+, streamed=\d+'
        $blit.IsComparator | Should -BeFalse
    }

    It 'measures Tiny cold in a fresh pwsh that imports this module, with a whole-process peak like rsync''s' {
        $cold = @($results | Where-Object { $_.Workload -eq 'Tiny' -and $_.Mode -eq 'Cold' })
        $cold.Tool | Should -Be @('blit', 'rsync')
        $blit = $cold[0]
        $blit.Verified | Should -BeTrue -Because ($blit.Samples.Failure -join '; ')
        $blit.PeakMemoryBytes | Should -BeGreaterThan $cold[1].PeakMemoryBytes -Because 'a whole pwsh holds more than rsync'
        $blit.MemoryGrowthBytes | Should -BeNullOrEmpty
        $blit.MemoryFigure | Should -Be 'ProcessPeak'
        $blit.Command | Should -Match ' -NoProfile -NonInteractive -Command .*Import-Module -Name .*Blit\.psd1.* -ErrorAction Stop; \$r = Invoke-BlitMirror -Path '
        $blit.Command | Should -BeLike "*$RepoRoot/Blit.psd1*"
        $blit.PlannerNotes | Should -Match 'workers=\d+'
        $blit.MedianSeconds | Should -BeGreaterThan ($results | Where-Object { $_.Workload -eq 'Tiny' -and $_.Mode -eq 'Warm' -and $_.Tool -eq 'blit' }).MedianSeconds
        $log = Get-Content -Raw $blit.LogPath
        $log | Should -Match 'Blit \(cold\): a fresh process per run'
        $log | Should -Match 'timing: the whole child process, start to exit'
        # What the fresh pwsh runs on, and which Blit.Core it loads (the one this session loaded).
        $core = ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Blit.Core' }).Location
        $expected = ($core -like '*/bin/Blit.Core.dll' ? 'Blit\.Core as IL' : 'Blit\.Core precompiled') + ' \(' + [regex]::Escape($core) + '\)'
        # This repository's pwsh is the dotnet tool, whose assemblies are IL only.
        $shell = 'pwsh (precompiled|IL only, JIT-compiled at start-up) \(' + [regex]::Escape([psobject].Assembly.Location) + '\)'
        $runsOn = "PowerShell $([regex]::Escape($PSVersionTable.PSVersion.ToString())) on \.NET $([regex]::Escape([Environment]::Version.ToString())); $shell; $expected"
        $log | Should -Match "runs on: $runsOn"
        $blit.RunsOn | Should -Match "^$runsOn$"
        $cold[1].RunsOn | Should -BeNullOrEmpty -Because 'only a cold Blit run says what its pwsh runs on'
        $log | Should -Match 'Summary Tiny 5entries, Warm'
        $log | Should -Match 'Summary Tiny 5entries, Cold'
        $log | Should -Match 'rsync median / blit median \(Cold\) = '
        ([Blit.Benchmarking.ResultsFile]::Load($blit.ResultsPath)).Measurements.Count | Should -Be 4
    }

    It 'removes the workspace' {
        Get-ChildItem -Force $root | Should -BeNullOrEmpty
    }
}

Describe 'Measure-BlitWorkload -PwshPath' {
    It 'refuses a path that is not a file, before any workload is built, saying what it is' {
        $root = New-Root 'pwsh-missing'
        { Measure-BlitWorkload Tiny -Mode Cold -PwshPath (Join-Path $root 'no-pwsh') -Root $root } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -ExpectedMessage "*no-pwsh' does not exist: name a pwsh executable or a pwsh.dll*"
        { Measure-BlitWorkload Tiny -Mode Cold -PwshPath $PSHOME -Root $root } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -ExpectedMessage "*' is a directory: name a pwsh executable or a pwsh.dll*"
        Get-ChildItem -Force $root | Should -BeNullOrEmpty
    }

    It 'runs a pwsh executable whose path has a space, and logs that path quoted' {
        $dir = Join-Path $TestDrive 'my pwsh'
        $null = New-Item -ItemType Directory $dir
        $pwsh = Join-Path $dir 'pwsh'
        # A pwsh executable: this repository's pwsh has no apphost, so a script stands in for one.
        $self = [Environment]::ProcessPath
        $target = [IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet' ? "'$self' '$(Join-Path $PSHOME 'pwsh.dll')'" : "'$self'"
        Set-Content -LiteralPath $pwsh -Value "#!/bin/sh`nexec $target `"`$@`""
        chmod +x $pwsh
        $r = @(Measure-BlitWorkload Tiny -Mode Cold -Runs 1 -Warmup 0 -Comparator None -PwshPath $pwsh -Root (New-Root 'pwsh-space') `
                -LogPath (Join-Path $TestDrive 'pwsh-space-logs'))
        $r[0].Verified | Should -BeTrue -Because ($r[0].Samples.Failure -join '; ')
        Get-Content -Raw $r[0].LogPath | Should -Match ('Blit \(cold\): a fresh process per run, default options: "' + [regex]::Escape($pwsh) + '" -NoProfile ')
    }

    It 'refuses a program that is not a pwsh able to import the module, saying what it did' -ForEach @(
        @{ Program = '/bin/false'; Why = '*could not import the module and report what it runs on: exit code 1*' }
        @{ Program = '/bin/echo'; Why = '*could not import the module and report what it runs on: it did not report*' }
    ) {
        { Measure-BlitWorkload Tiny -Mode Cold -PwshPath $Program -Root (New-Root 'pwsh-wrong') } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -ExpectedMessage $Why
    }

    It 'names the .dll it ran through dotnet, not dotnet alone, when that is refused' {
        $dll = Join-Path $TestDrive 'not-pwsh.dll'
        Set-Content -LiteralPath $dll -Value 'not an assembly'
        $e = { Measure-BlitWorkload Tiny -Mode Cold -PwshPath $dll -Root (New-Root 'pwsh-dll') } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -PassThru
        $e.Exception.Message | Should -BeLike "Cold mode starts '*dotnet $dll' per Blit run, but it could not import the module*"
        $e.TargetObject | Should -Be $dll
    }

    It 'starts the pwsh only once every other argument is accepted' -Skip:$IsWindows {
        # Asking the pwsh what it runs on starts it (a second or more); a bad -Runs is refused first.
        $marker = Join-Path $TestDrive 'probe-started'
        $pwsh = Join-Path $TestDrive 'recording-pwsh'
        Set-Content -LiteralPath $pwsh -Value "#!/bin/sh`ntouch '$marker'`nexit 1"
        chmod +x $pwsh
        { Measure-BlitWorkload Tiny -Mode Cold -Runs 0 -PwshPath $pwsh -Root (New-Root 'pwsh-order') } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -ExpectedMessage '*Runs must be between 1 and*'
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'the pwsh was started before -Runs 0 was refused'
        # So are a comparator that is not there and a log path that cannot be written.
        { Measure-BlitWorkload Tiny -Mode Cold -Comparator Robocopy -PwshPath $pwsh -Root (New-Root 'pwsh-order-tool') } |
            Should -Throw -ErrorId 'ComparatorNotFound,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand'
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'the pwsh was started before the missing comparator was refused'
        $logFile = Join-Path $TestDrive 'log-is-a-file'
        Set-Content -LiteralPath $logFile -Value 'x'
        { Measure-BlitWorkload Tiny -Mode Cold -Comparator None -PwshPath $pwsh -LogPath $logFile -Root (New-Root 'pwsh-order-log') } |
            Should -Throw -ErrorId 'LogPathUnusable,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand'
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'the pwsh was started before the unusable log path was refused'
        { Measure-BlitWorkload Tiny -Mode Cold -Runs 1 -PwshPath $pwsh -Root (New-Root 'pwsh-order2') } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand' -ExpectedMessage '*could not import the module*'
        Test-Path -LiteralPath $marker | Should -BeTrue -Because 'with good arguments the pwsh is asked what it runs on'
    }

    It 'says it is not used when no workload is measured cold, and measures the rest' {
        $r = @(Measure-BlitWorkload Tiny -Mode Warm -Runs 1 -Warmup 0 -Comparator None -PwshPath '/bin/false' -Root (New-Root 'pwsh-warm') `
                -LogPath (Join-Path $TestDrive 'pwsh-warm-logs') -WarningVariable warned -WarningAction SilentlyContinue)
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -Match '-PwshPath is not used: .* no workload is measured cold'
        $r.Count | Should -Be 1
        $r[0].RunsOn | Should -BeNullOrEmpty
    }
}

Describe 'Measure-BlitWorkload without a comparator' {
    It 'measures Blit alone with -Comparator None, -Quick values overridden, logs under ./logs of the current location' {
        $root = New-Root 'none-root'
        $here = New-Root 'none-cwd'
        Push-Location $here
        try {
            $r = @(Measure-BlitWorkload SmallFiles, NoOp -Quick -Mode Warm -Comparator None -Root $root -FileCount 100 -Runs 1 -Warmup 0 -WarningVariable warned)
        } finally {
            Pop-Location
        }
        $warned | Should -BeNullOrEmpty
        $r.Count | Should -Be 2
        $r.Tool | Should -Be @('blit', 'blit')
        $r | ForEach-Object { $_.Samples.Count | Should -Be 1; $_.WarmupRuns | Should -Be 0; $_.FileCount | Should -Be 100; $_.Verified | Should -BeTrue }
        $r[0].LogPath | Should -BeLike (Join-Path $here 'logs/linux/bench_smallfiles_*/bench.log')
        Get-Content -Raw $r[0].LogPath | Should -Match 'Comparator: none \(-Comparator None\)'
        # The header names this command as typed, not the assignment and parentheses around it.
        Get-Content -Raw $r[0].LogPath | Should -Match '(?m)^Command: Measure-BlitWorkload SmallFiles, NoOp -Quick -Mode Warm -Comparator None -Root \$root -FileCount 100 -Runs 1 -Warmup 0 -WarningVariable warned\r?$'
    }

    It 'warns and measures Blit alone when Auto finds no rsync' {
        $root = New-Root 'auto-root'
        $saved = $env:PATH
        $env:PATH = (New-Root 'empty-bin')
        try {
            $r = @(Measure-BlitWorkload SmallFiles @Tiny -Root $root -LogPath (Join-Path $TestDrive 'auto-logs') -WarningVariable warned -WarningAction SilentlyContinue)
        } finally {
            $env:PATH = $saved
        }
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'No comparator: rsync was not found on PATH'
        $r.Count | Should -Be 1
        $r[0].Tool | Should -Be 'blit'
        $r[0].Verified | Should -BeTrue
        Get-Content -Raw $r[0].LogPath | Should -Match 'Comparator: none \(not found'
    }
}

Describe 'Measure-BlitWorkload with a fake robocopy on PATH' {
    BeforeAll {
        $script:bin = New-Root 'robocopy-bin'
        $script:argsFile = Join-Path $TestDrive 'robocopy-args.txt'
        $script:codeFile = Join-Path $TestDrive 'robocopy-code.txt'
        # Records its arguments, copies like a mirror into the emptied destination, and exits with the code in codeFile.
        Set-Content -LiteralPath (Join-Path $bin 'robocopy') -Value @(
            '#!/bin/sh'
            "printf '%s\n' `"`$@`" > '$argsFile'"
            'cp -a "$1/." "$2/"'
            "exit `$(cat '$codeFile')"
        )
        chmod +x (Join-Path $bin 'robocopy')
        $script:savedPath = $env:PATH
        $env:PATH = "$bin$Sep$env:PATH"
    }
    AfterAll {
        $env:PATH = $savedPath
    }

    It 'treats exit code 1 as success and passes SRC DEST /MIR with flags that need no admin rights' {
        Set-Content -LiteralPath $codeFile -Value 1
        $r = @(Measure-BlitWorkload SmallFiles @Tiny -Comparator Robocopy -Root (New-Root 'rc1') -LogPath (Join-Path $TestDrive 'rc-logs'))
        $rc = $r | Where-Object Tool -EQ 'robocopy'
        $rc.Verified | Should -BeTrue -Because ($rc.Samples.Failure -join '; ')
        $rc.IsComparator | Should -BeTrue
        $a = @(Get-Content -LiteralPath $argsFile)
        $a[0] | Should -Match 'smallfiles-150files[/\\]source$'
        $a[1] | Should -Match 'smallfiles-150files[/\\]robocopy$'
        $a[2] | Should -Be '/MIR'
        $a | Should -Contain '/COPY:DAT'
        $a | Should -Not -Contain '/B'
        $a | Should -Not -Contain '/COPYALL'
        $rc.Command | Should -Match '^robocopy \S+ \S+ /MIR'
    }

    It 'treats exit code 8 as a failed run' {
        Set-Content -LiteralPath $codeFile -Value 8
        $r = @(Measure-BlitWorkload SmallFiles @Tiny -Comparator Robocopy -Root (New-Root 'rc8') -LogPath (Join-Path $TestDrive 'rc-logs'))
        $rc = $r | Where-Object Tool -EQ 'robocopy'
        $rc.Verified | Should -BeFalse
        $rc.FailedRuns | Should -Be 2
        $rc.Samples[0].Failure | Should -Match 'robocopy exit code 8'
        ($r | Where-Object Tool -EQ 'blit').Verified | Should -BeTrue
        Get-Content -Raw $rc.LogPath | Should -Match 'FAILED: robocopy exit code 8'
    }

    It 'uses -ComparatorArgument instead of the default flags' {
        Set-Content -LiteralPath $codeFile -Value 0
        $r = @(Measure-BlitWorkload SmallFiles @Tiny -Runs 1 -Comparator Robocopy -ComparatorArgument '/MIR', '/R:1' -Root (New-Root 'rcargs') -LogPath (Join-Path $TestDrive 'rc-logs'))
        @(Get-Content -LiteralPath $argsFile)[2..3] | Should -Be @('/MIR', '/R:1')
        @(Get-Content -LiteralPath $argsFile).Count | Should -Be 4
        Get-Content -Raw ($r[1].LogPath) | Should -Match '\(flags from -ComparatorArgument\)'
    }
}

Describe 'Measure-BlitWorkload catches a broken destination' {
    # rsync skips one base file and one added file: a full copy misses the first, an update pass the second.
    It 'marks every run of a comparator that copies wrongly as failed' {
        $r = @(Measure-BlitWorkload SmallFiles, Incremental @Tiny -Comparator Rsync -ComparatorArgument '-a', '--delete', '--exclude=f0000005.bin', '--exclude=n0000001.bin' -Root (New-Root 'broken') -LogPath (Join-Path $TestDrive 'broken-logs'))
        foreach ($m in $r | Where-Object Tool -EQ 'rsync') {
            $m.Verified | Should -BeFalse
            $m.FailedRuns | Should -Be $m.Samples.Count
            $m.Samples | ForEach-Object { $_.Failure | Should -Match 'verification failed: .*(f0000005|n0000001)\.bin' }
        }
        $r | Where-Object Tool -EQ 'blit' | ForEach-Object { $_.Verified | Should -BeTrue }
    }
}

Describe 'Measure-BlitWorkload Tiny' {
    It 'measures only the modes asked for, and -Runs and -Warmup apply to Tiny too' {
        $r = @(Measure-BlitWorkload Tiny -Mode Warm -Runs 2 -Warmup 0 -Comparator Rsync -Root (New-Root 'tiny-warm') -LogPath (Join-Path $TestDrive 'tiny-logs'))
        ($r | ForEach-Object { "$($_.Mode)/$($_.Tool)" }) | Should -Be @('Warm/blit', 'Warm/rsync')
        $r | ForEach-Object { $_.Samples.Count | Should -Be 2; $_.WarmupRuns | Should -Be 0; $_.Verified | Should -BeTrue }
        Get-Content -Raw $r[0].LogPath | Should -Match '\[run \d\]\s+blit .+ MiB growth; verified \(5 entries'
    }

    It 'reports a comparator that leaves a broken destination (no symlink) as failed runs' {
        $r = @(Measure-BlitWorkload Tiny -Mode Warm -Runs 2 -Warmup 0 -Comparator Rsync -ComparatorArgument '-a', '--delete', '--no-links' -Root (New-Root 'tiny-broken') -LogPath (Join-Path $TestDrive 'tiny-logs'))
        $rsync = $r | Where-Object Tool -EQ 'rsync'
        $rsync.Verified | Should -BeFalse
        $rsync.FailedRuns | Should -Be 2
        $rsync.Samples | ForEach-Object { $_.Failure | Should -Match 'verification failed: 1 entry missing from the destination \(link\)' }
        ($r | Where-Object Tool -EQ 'blit').Verified | Should -BeTrue
    }
}

Describe 'Measure-BlitWorkload input validation' {
    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'zero files'; Params = @{ Workload = 'SmallFiles'; FileCount = 0 }; Id = 'InvalidArgument' }
        @{ Case = 'a negative size'; Params = @{ Workload = 'LargeFile'; SizeMB = -5 }; Id = 'InvalidArgument' }
        @{ Case = 'an absurd size'; Params = @{ Workload = 'LargeFile'; SizeMB = 2000000 }; Id = 'InvalidArgument' }
        @{ Case = 'inverted file-size bounds'; Params = @{ Workload = 'SmallFiles'; MinFileSizeKB = 10; MaxFileSizeKB = 1 }; Id = 'InvalidArgument' }
        @{ Case = 'more changes than files'; Params = @{ Workload = 'Incremental'; FileCount = 100; TouchCount = 90; DeleteCount = 20 }; Id = 'InvalidArgument' }
        @{ Case = 'a negative mutation count'; Params = @{ Workload = 'Incremental'; AddCount = -1 }; Id = 'InvalidArgument' }
        @{ Case = 'zero runs'; Params = @{ Workload = 'NoOp'; Runs = 0 }; Id = 'InvalidArgument' }
        @{ Case = 'negative warm-up'; Params = @{ Workload = 'NoOp'; Warmup = -1 }; Id = 'InvalidArgument' }
        @{ Case = 'a root that does not exist'; Params = @{ Workload = 'NoOp'; Root = 'TESTDRIVE/no/such/dir' }; Id = 'BenchmarkRootNotFound' }
        @{ Case = 'a log path that is a file'; Params = @{ Workload = 'NoOp'; LogPath = 'TESTDRIVE/a-file' }; Id = 'LogPathUnusable' }
        @{ Case = 'robocopy when none is on PATH'; Params = @{ Workload = 'NoOp'; Comparator = 'Robocopy' }; Id = 'ComparatorNotFound' }
        @{ Case = 'a flag rsync rejects'; Params = @{ Workload = 'NoOp'; Comparator = 'Rsync'; ComparatorArgument = '-a', '--no-such-blit-flag' }; Id = 'ComparatorArgumentUnsupported' }
        @{ Case = 'cp on a workload that needs a mirror'; Params = @{ Workload = 'Incremental'; Comparator = 'Cp' }; Id = 'InvalidArgument' }
    ) {
        Set-Content -LiteralPath (Join-Path $TestDrive 'a-file') -Value 'x'
        $validationRoot = New-Root 'validation-root'
        $p = @{ Root = $validationRoot; LogPath = (Join-Path $TestDrive 'validation-logs'); FileCount = 100; Runs = 1; Warmup = 0 }
        foreach ($k in $Params.Keys) {
            $v = $Params[$k]
            $p[$k] = if ($v -is [string]) { $v.Replace('TESTDRIVE', $TestDrive) } else { $v }
        }
        $err = $null
        try { Measure-BlitWorkload @p -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be "$Id,$CmdletId"
        $err.Exception.Message | Should -Not -BeNullOrEmpty
        Get-ChildItem -Force $validationRoot | Should -BeNullOrEmpty -Because 'a refused benchmark leaves no workspace'
    }

    It 'rejects an unknown comparator name at binding' {
        { Measure-BlitWorkload NoOp -Comparator Bogus } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand'
    }
}

Describe 'Measure-BlitWorkload keeps the workspace on request' {
    It 'leaves the trees with -KeepWorkspace' {
        $root = New-Root 'keep-root'
        $r = @(Measure-BlitWorkload SmallFiles @Tiny -Runs 1 -Comparator None -KeepWorkspace -Root $root -LogPath (Join-Path $TestDrive 'keep-logs'))
        $ws = @(Get-ChildItem -Directory $root -Filter 'blit-bench-*')
        $ws.Count | Should -Be 1
        Join-Path $ws[0].FullName 'smallfiles-150files/source' | Should -Exist
        Get-Content -Raw $r[0].LogPath | Should -Match 'Workspace kept \(-KeepWorkspace\)'
    }
}

Describe 'Measure-BlitWorkload shows progress and stops on Ctrl+C' {
    It 'reports workload, tool and run k of n, then stops, removes the workspace and leaves no process behind' {
        $root = New-Root 'stop-root'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$RepoRoot/Blit.psd1'; Measure-BlitWorkload SmallFiles -FileCount 3000 -Runs 50 -Comparator Rsync -Root '$root' -LogPath '$TestDrive/stop-logs'")
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while ([DateTime]::UtcNow -lt $deadline -and -not ($ps.Streams.Progress | Where-Object StatusDescription -Match 'Run \d+ of 50: (blit|rsync)')) {
                Start-Sleep -Milliseconds 100
            }
            $progress = @($ps.Streams.Progress | Where-Object StatusDescription -Match 'SmallFiles 3000files: Run \d+ of 50: (blit|rsync)')
            $progress.Count | Should -BeGreaterThan 0
            $progress[0].Activity | Should -Be 'Measure-BlitWorkload'
            Get-ChildItem -Directory $root -Filter 'blit-bench-*' | Should -Not -BeNullOrEmpty
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
        } finally {
            $ps.Dispose()
        }
        Get-ChildItem -Force $root | Should -BeNullOrEmpty
        $stray = Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | ForEach-Object {
            try { [IO.File]::ReadAllText("$($_.FullName)/cmdline") } catch { '' }
        } | Where-Object { $_ -like "*$root*" }
        $stray | Should -BeNullOrEmpty
        Get-Content -Raw (Get-ChildItem -Recurse "$TestDrive/stop-logs" -Filter bench.log)[0].FullName | Should -Match 'Stopped \(cancelled\)'
    }
}
