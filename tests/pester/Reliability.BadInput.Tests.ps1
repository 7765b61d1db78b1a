# Issue 7, item 6: bad input to every cmdlet gives a clear error with a stable id
# (FullyQualifiedErrorId '<BlitErrorCode or PowerShell binding id>,<cmdlet>') and changes nothing on
# disk: the whole sandbox (sources, destinations, log and workspace roots) is snapshotted before and
# after each call, modes and mtimes included.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
    $MirrorId = 'Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
    $MeasureId = 'Blit.Cmdlets.Commands.MeasureBlitWorkloadCommand'
    $CompareId = 'Blit.Cmdlets.Commands.CompareBlitBaselineCommand'

    function Invoke-Refused {
        <# Runs $Call; returns the first error it raised (terminating or not), or $null. #>
        param([scriptblock] $Call)
        $ErrorActionPreference = 'Stop'  # seen by the cmdlets in $Call (same session state): non-terminating errors stop it too
        $caught = $null
        try { $null = & $Call 3>$null } catch { $caught = $_ }
        $caught
    }
}

Describe 'Bad input to Invoke-BlitMirror (issue 7.6)' -Tag 'Reliability' {
    BeforeAll {
        $box = New-RelScratch 'badinput'
        New-TestTree -Root "$box/src" -Files @{ 'a.txt' = 'a'; 'sub/b.txt' = 'b' }
        New-TestTree -Root "$box/dst" -Files @{ 'old.txt' = 'precious'; 'sub/c.txt' = 'c' }
        New-TestTree -Root "$box/other" -Files @{ 'x.txt' = 'x' }
        New-TestTree -Root "$box/twin1" -Files @{ 't.txt' = 't' }
        New-TestTree -Root "$box/twin2" -Files @{ 't.txt' = 't' }
        $null = New-Item -ItemType Directory "$box/empty", "$box/home"
        [IO.File]::WriteAllText("$box/a-file", 'a file')
        $null = New-Item -ItemType SymbolicLink -Path "$box/link-to-src" -Target "$box/src"
        $null = New-Item -ItemType SymbolicLink -Path "$box/src/loop-to-dst" -Target "$box/dst"
        New-TestTree -Root "$box/home" -Files @{ 'mine.txt' = 'in home' }
    }
    AfterAll {
        Remove-RelScratch $box
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a missing source'; Id = 'SourceNotFound'; Call = { Invoke-BlitMirror -Path "$box/missing" -Destination "$box/dst" } }
        @{ Case = 'a missing source on a missing drive'; Id = 'SourceNotFound'; Call = { Invoke-BlitMirror -Path 'NoSuchDrive:/x' -Destination "$box/dst" } }
        @{ Case = 'a file as source'; Id = 'SourceNotDirectory'; Call = { Invoke-BlitMirror -Path "$box/a-file" -Destination "$box/dst" } }
        @{ Case = 'a file as destination'; Id = 'DestinationNotDirectory'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/a-file" } }
        @{ Case = 'a destination below a file'; Id = 'DestinationUnusable'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/a-file/dst" } }
        @{ Case = 'the same directory'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/src" } }
        @{ Case = 'the same directory through a symlink'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/link-to-src" } }
        @{ Case = 'a destination inside the source'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/src/sub/new" } }
        @{ Case = 'a destination inside the source through a symlink'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/link-to-src/sub" } }
        @{ Case = 'a source inside the destination'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src/sub" -Destination "$box/src" } }
        @{ Case = 'the filesystem root as destination, even with -Force'; Id = 'SameOrNestedPath'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination '/' -Force -WhatIf } }
        @{ Case = 'an empty source over a non-empty destination'; Id = 'EmptySourceRefused'; Call = { Invoke-BlitMirror -Path "$box/empty" -Destination "$box/dst" } }
        @{ Case = 'the home directory as destination'; Id = 'DestinationIsHomeRefused'; Call = {
                $saved = $env:HOME; $env:HOME = "$box/home"
                try { Invoke-BlitMirror -Path "$box/src" -Destination "$box/home" } finally { $env:HOME = $saved } } }
        @{ Case = 'a wildcard matching two directories'; Id = 'InvalidArgument'; Call = { Invoke-BlitMirror -Path "$box/twin*" -Destination "$box/dst" } }
        @{ Case = 'a source on another provider'; Id = 'InvalidArgument'; Call = { Invoke-BlitMirror -Path 'Env:/' -Destination "$box/dst" } }
        @{ Case = 'a destination on another provider'; Id = 'InvalidArgument'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination 'Variable:/x' } }
        @{ Case = 'a destination on a missing drive'; Id = 'InvalidArgument'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination 'NoSuchDrive:/x' } }
        @{ Case = 'a missing exclude file'; Id = 'FilterFileUnreadable'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -ExcludeFrom "$box/missing.txt" } }
        @{ Case = 'an exclude pattern naming nothing'; Id = 'InvalidExcludePattern'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -Exclude '/' } }
        @{ Case = 'a negative -ThrottleLimit'; Id = 'ParameterArgumentValidationError'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -ThrottleLimit -1 } }
        @{ Case = 'an absurd -ThrottleLimit'; Id = 'ParameterArgumentValidationError'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -ThrottleLimit ([int]::MaxValue) } }
        @{ Case = 'a -ThrottleLimit that is not a number'; Id = 'CannotConvertArgumentNoMessage'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -ThrottleLimit 'lots' } }
        @{ Case = 'an empty -Path'; Id = 'ParameterArgumentValidationError'; Call = { Invoke-BlitMirror -Path '' -Destination "$box/dst" } }
        @{ Case = 'a null -Destination'; Id = 'ParameterArgumentValidationError'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination $null } }
        @{ Case = 'a null -Exclude'; Id = 'ParameterArgumentValidationError'; Call = { Invoke-BlitMirror -Path "$box/src" -Destination "$box/dst" -Exclude $null } }
    ) {
        $before = Get-TreeState $box
        $err = Invoke-Refused $Call
        $err | Should -Not -BeNullOrEmpty -Because 'bad input is refused'
        $err.FullyQualifiedErrorId | Should -Be "$Id,$MirrorId"
        $err.Exception.Message | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Not -Match 'Exception of type|Object reference'
        Compare-TreeState $before (Get-TreeState $box) | Should -BeNullOrEmpty -Because 'nothing is changed on disk'
    }
}

Describe 'Bad input to Measure-BlitWorkload (issue 7.6)' -Tag 'Reliability' {
    BeforeAll {
        $box = New-RelScratch 'badmeasure'
        $root = Join-Path $box 'root'
        $logs = Join-Path $box 'logs'
        $readOnly = Join-Path $box 'ro'
        $null = New-Item -ItemType Directory $root
        Mount-ScratchFs -Path $readOnly -Type tmpfs -SizeMiB 1
        mount -o remount,ro $readOnly
        [IO.File]::WriteAllText("$box/a-file", 'a file')
        $common = @{ Root = $root; LogPath = $logs; Comparator = 'None'; Quick = $true; Runs = 1; Warmup = 0 }
    }
    AfterAll {
        Remove-RelScratch $box
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a log path on a read-only filesystem (unwritable, even for root)'; Id = 'LogPathUnusable'; Params = @{ Workload = 'NoOp'; LogPath = 'BOX/ro/logs' } }
        @{ Case = 'a log path below a file'; Id = 'LogPathUnusable'; Params = @{ Workload = 'NoOp'; LogPath = 'BOX/a-file/logs' } }
        @{ Case = 'a workspace root on a read-only filesystem'; Id = 'BenchmarkRootUnusable'; Params = @{ Workload = 'NoOp'; Root = 'BOX/ro' } }
        @{ Case = 'a workspace root that is a file'; Id = 'BenchmarkRootUnusable'; Params = @{ Workload = 'NoOp'; Root = 'BOX/a-file' } }
        @{ Case = 'a missing workspace root'; Id = 'BenchmarkRootNotFound'; Params = @{ Workload = 'NoOp'; Root = 'BOX/missing' } }
        @{ Case = 'a negative file count'; Id = 'InvalidArgument'; Params = @{ Workload = 'SmallFiles'; FileCount = -1 } }
        @{ Case = 'an absurd file count'; Id = 'InvalidArgument'; Params = @{ Workload = 'SmallFiles'; FileCount = [int]::MaxValue } }
        @{ Case = 'zero files per directory'; Id = 'InvalidArgument'; Params = @{ Workload = 'SmallFiles'; FilesPerDirectory = 0 } }
        @{ Case = 'a file size that overflows'; Id = 'InvalidArgument'; Params = @{ Workload = 'SmallFiles'; MaxFileSizeKB = [int]::MaxValue } }
        @{ Case = 'a zero large-file size'; Id = 'InvalidArgument'; Params = @{ Workload = 'LargeFile'; SizeMB = 0 } }
        @{ Case = 'a large-file size that overflows'; Id = 'InvalidArgument'; Params = @{ Workload = 'LargeFile'; SizeMB = [int]::MaxValue } }
        @{ Case = 'a negative mixed size'; Id = 'InvalidArgument'; Params = @{ Workload = 'Mixed'; MixedSizeMB = -1 } }
        @{ Case = 'an absurd mixed file count'; Id = 'InvalidArgument'; Params = @{ Workload = 'Mixed'; MixedFileCount = [int]::MaxValue } }
        @{ Case = 'a negative touch count'; Id = 'InvalidArgument'; Params = @{ Workload = 'Incremental'; TouchCount = -5 } }
        @{ Case = 'an absurd run count'; Id = 'InvalidArgument'; Params = @{ Workload = 'NoOp'; Runs = [int]::MaxValue } }
        @{ Case = 'an empty comparator argument'; Id = 'ParameterArgumentValidationError'; Params = @{ Workload = 'NoOp'; Comparator = 'Rsync'; ComparatorArgument = '-a', '' } }
        @{ Case = 'an unknown workload'; Id = 'CannotConvertArgumentNoMessage'; Params = @{ Workload = 'Everything' } }
        @{ Case = 'an empty log path'; Id = 'ParameterArgumentValidationError'; Params = @{ Workload = 'NoOp'; LogPath = '' } }
    ) {
        $p = $common.Clone()
        foreach ($k in $Params.Keys) { $v = $Params[$k]; $p[$k] = if ($v -is [string]) { $v.Replace('BOX', $box) } else { $v } }
        $before = Get-TreeState $box
        $err = $null
        try { $null = Measure-BlitWorkload @p -ErrorAction Stop 3>$null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'bad input is refused'
        $err.FullyQualifiedErrorId | Should -Be "$Id,$MeasureId"
        $err.Exception.Message | Should -Not -BeNullOrEmpty
        Compare-TreeState $before (Get-TreeState $box) | Should -BeNullOrEmpty -Because 'no workspace and no log is left behind'
    }
}

Describe 'Bad input to Compare-BlitBaseline (issue 7.6)' -Tag 'Reliability' {
    BeforeAll {
        $box = New-RelScratch 'badgate'
        $files = @{
            'empty'            = ''
            'whitespace'       = "  `n  "
            'truncated'        = '{"kind": "blit-benchmark-results", "schema": 1, "measurements": ['
            'null'             = 'null'
            'array'            = '[]'
            'deeply-nested'    = ('[' * 10000) + (']' * 10000)
            'foreign'          = '{"name": "some-package", "version": "1.0.0", "dependencies": {}}'
            'another-kind'     = '{"kind": "something-else", "schema": 1, "measurements": []}'
            'future-schema'    = '{"kind": "blit-benchmark-results", "schema": 999, "measurements": []}'
            'wrong-types'      = '{"kind": "blit-benchmark-results", "schema": 1, "measurements": [{"workload": "NoOp", "tool": 7, "medianSeconds": "fast"}]}'
            'empty-measurement' = '{"kind": "blit-benchmark-results", "schema": 1, "measurements": [{}]}'
            'no-measurements'  = '{"kind": "blit-benchmark-results", "schema": 1}'
        }
        foreach ($name in $files.Keys) {
            $null = New-Item -ItemType Directory "$box/$name"
            [IO.File]::WriteAllText("$box/$name/results.json", $files[$name])
        }
        [IO.File]::WriteAllBytes("$box/binary.json", [byte[]](0..255))
        $null = New-Item -ItemType Directory "$box/logs"
        New-TestTree -Root "$box/logs" -Files @{ 'linux/old-run/bench.log' = 'an earlier run' }
    }
    AfterAll {
        Remove-RelScratch $box
    }

    It 'reports a corrupt or foreign results.json (<_>) as InvalidResultsFile' -ForEach @(
        'empty', 'whitespace', 'truncated', 'null', 'array', 'deeply-nested', 'foreign', 'another-kind',
        'future-schema', 'wrong-types', 'empty-measurement', 'no-measurements'
    ) {
        $file = "$box/$_/results.json"
        $before = Get-TreeState $box
        $err = $null
        try { $null = Compare-BlitBaseline -Path $file -BaselinePath "$box/logs" -ErrorAction Stop 3>$null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be "InvalidResultsFile,$CompareId"
        $err.TargetObject | Should -Be $file
        $err.Exception.Message | Should -Match ([regex]::Escape($file))
        Compare-TreeState $before (Get-TreeState $box) | Should -BeNullOrEmpty
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'binary garbage'; Id = 'InvalidResultsFile'; Call = { Compare-BlitBaseline -Path "$box/binary.json" -BaselinePath "$box/logs" } }
        @{ Case = 'a missing results path'; Id = 'SourceNotFound'; Call = { Compare-BlitBaseline -Path "$box/missing/results.json" -BaselinePath "$box/logs" } }
        @{ Case = 'a results path on another provider'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -Path 'Env:/' -BaselinePath "$box/logs" } }
        @{ Case = 'a baseline path that is a file'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -BaselinePath "$box/binary.json" } }
        @{ Case = 'a baseline path on another provider'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -BaselinePath 'Env:/' } }
        @{ Case = 'a negative threshold'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -Threshold -1 } }
        @{ Case = 'a zero threshold'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -Threshold 0 } }
        @{ Case = 'a NaN threshold'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -Threshold ([double]::NaN) } }
        @{ Case = 'an infinite threshold'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -Threshold ([double]::PositiveInfinity) } }
        @{ Case = 'a negative memory tolerance'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -MemoryTolerance -0.5 } }
        @{ Case = 'an absurd CPU tolerance'; Id = 'InvalidArgument'; Call = { Compare-BlitBaseline -InputObject @() -CpuTolerance 1e308 } }
        @{ Case = 'a null measurement list'; Id = 'ParameterArgumentValidationErrorNullNotAllowed'; Call = { Compare-BlitBaseline -InputObject $null } }
        @{ Case = 'strings instead of measurements'; Id = 'InputObjectNotBound'; Call = { 'GO', 'fast' | Compare-BlitBaseline } }
    ) {
        $before = Get-TreeState $box
        $err = Invoke-Refused $Call
        $err | Should -Not -BeNullOrEmpty -Because 'bad input is refused'
        $err.FullyQualifiedErrorId | Should -Be "$Id,$CompareId"
        $err.Exception.Message | Should -Not -BeNullOrEmpty
        Compare-TreeState $before (Get-TreeState $box) | Should -BeNullOrEmpty -Because 'nothing is changed on disk'
    }
}
