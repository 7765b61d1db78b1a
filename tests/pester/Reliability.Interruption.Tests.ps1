# Issue 7, item 1: a mirror stopped (PowerShell's Stop(), i.e. StopProcessing) or killed (SIGKILL) in
# the middle of a large-file update and of a 10,000-file run. Every destination file is its old or its
# new version, never truncated; Stop() leaves no temp file; after SIGKILL the next run removes the temp
# files and completes the mirror. The stop points are not timed: a partial temp file seen on disk (the
# process frozen with SIGSTOP before it is killed), or file leases that hold the engine at known files.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"

    function Start-MirrorInRunspace {
        <# Invoke-BlitMirror in a runspace of this process, so the test can Stop() it as Ctrl+C would. #>
        param([string] $Source, [string] $Destination)
        $ps = [powershell]::Create()
        $null = $ps.AddScript('param($m, $s, $d) Import-Module $m; Invoke-BlitMirror -Path $s -Destination $d').
            AddArgument($ModuleManifest).AddArgument($Source).AddArgument($Destination)
        @{ PowerShell = $ps; Async = $ps.BeginInvoke() }
    }
}

Describe 'Interruption (issue 7.1)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'interrupt'
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    Context 'in the middle of a large-file update' {
        BeforeAll {
            # The old tree has a 4 MiB big.bin; the new one a 1 GiB big.bin, which the kernel copies in
            # 64 MiB chunks (about a second here): long enough to be caught half-written.
            $oldSrc = Join-Path $scratch 'large-old'
            New-TestTree -Root $oldSrc -Files @{ 'notes.txt' = 'notes'; 'sub/small.txt' = 'small' }
            Write-LargeFile "$oldSrc/big.bin" 4MB -Seed 1
            $oldHash = (Get-FileHash "$oldSrc/big.bin").Hash
            $src = Join-Path $scratch 'large-src'
            $null = Invoke-BlitMirror $oldSrc $src
            $newSize = 1GB
            Write-LargeFile "$src/big.bin" $newSize -Seed 2

            function New-OldDestination([string] $Name) {
                $d = Join-Path $scratch $Name
                $null = Invoke-BlitMirror $oldSrc $d
                $d
            }
            function Assert-CompletedMirror([string] $Destination) {
                (Get-Item "$Destination/big.bin").Length | Should -Be $newSize
                cmp -s "$src/big.bin" "$Destination/big.bin"
                $LASTEXITCODE | Should -Be 0 -Because 'big.bin is the new version, byte for byte'
                Get-TreeDiff $src $Destination | Should -BeNullOrEmpty
                Get-TempFile $Destination | Should -BeNullOrEmpty
            }
        }

        It 'Stop() keeps the old file, removes the partial temp file, and the next run completes' {
            $dst = New-OldDestination 'large-stop'
            $run = Start-MirrorInRunspace $src $dst
            # Once the progress bar shows (after 0.5 s), writes on the pipeline thread throw after Stop():
            # the cmdlet must still wait for the engine to remove its temp file before it returns.
            Wait-Until -Because 'a partial temp file of big.bin and a progress record' {
                (@(Get-TempFile $dst | Where-Object Length -gt 0).Count -gt 0 -and $run.PowerShell.Streams.Progress.Count -gt 0) -or
                $run.Async.IsCompleted
            }
            $partial = @(Get-TempFile $dst)[0].Length
            $run.PowerShell.Stop()

            $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped' -Because 'the run was still copying'
            $partial | Should -BeLessThan $newSize
            (Get-FileHash "$dst/big.bin").Hash | Should -Be $oldHash
            Get-TempFile $dst | Should -BeNullOrEmpty -Because 'Stop() removes the temp file before the cmdlet returns'

            $r = Invoke-BlitMirror $src $dst
            $r.Errors | Should -Be 0
            $r.FilesUpdated | Should -Be 1
            Assert-CompletedMirror $dst
        }

        It 'SIGKILL of PID 1 in a fresh PID namespace (as in a container) keeps the old file; the next run there removes the temp file and completes' {
            $dst = New-OldDestination 'large-kill'
            $out = Join-Path $scratch 'large-kill.json'
            $p = Start-BlitChild -Jobs @(@{ Source = $src; Destination = $dst }) -OutFile $out -NewPidNamespace
            try {
                $pwshPid = Get-ChildPid $p
                Wait-Until -Because 'a partial temp file of big.bin' {
                    @(Get-TempFile $dst | Where-Object Length -gt 0).Count -gt 0 -or $p.HasExited
                }
                Suspend-ProcessFully $pwshPid
                # Frozen in the middle of the copy: the proof that the kill lands there.
                $temp = @(Get-TempFile $dst)
                $temp.Count | Should -Be 1
                $temp[0].Length | Should -BeLessThan $newSize
                (Get-FileHash "$dst/big.bin").Hash | Should -Be $oldHash
                [BlitTestNative]::Signal($pwshPid, [BlitTestNative]::SIGKILL)
                $p.WaitForExit(60000) | Should -BeTrue
            } finally {
                if (-not $p.HasExited) { $p.Kill($true) }
            }
            Test-Path $out | Should -BeFalse -Because 'the child never finished'
            (Get-FileHash "$dst/big.bin").Hash | Should -Be $oldHash
            @(Get-TempFile $dst).Count | Should -Be 1 -Because 'nothing can clean up after SIGKILL'

            # The next run is PID 1 again, so its first temp name is the one the killed run left.
            $out2 = Join-Path $scratch 'large-kill-next.json'
            $report = Wait-BlitChild (Start-BlitChild -Jobs @(@{ Source = $src; Destination = $dst }) -OutFile $out2 -NewPidNamespace) $out2
            $report[0].Pid | Should -Be 1
            $report[0].Terminating | Should -BeNullOrEmpty
            $report[0].Errors | Should -BeNullOrEmpty
            $report[0].Result.Errors | Should -Be 0
            Assert-CompletedMirror $dst
        }
    }

    Context 'in the middle of a 10,000-file run' {
        BeforeAll {
            # 100 directories of 100 files to update and 10 new ones. d000's files are the largest, so its batch is copied
            # first. The last file of every directory is leased: each copy worker stops at the end of
            # its first batch, so a stop there finds about a hundred files per worker done and the
            # rest not, whatever the timing.
            $oldSrc = Join-Path $scratch 'many-old'
            $src = Join-Path $scratch 'many-src'
            $rels = foreach ($d in 0..99) { foreach ($f in 0..99) { 'd{0:000}/f{1:000}.txt' -f $d, $f } }
            $newOnly = foreach ($d in 0..99) { foreach ($f in 0..9) { 'd{0:000}/n{1}.txt' -f $d, $f } }
            function OldContent([string] $Rel) { "old $Rel" }
            function NewContent([string] $Rel) { if ($Rel.StartsWith('d000/')) { "new $Rel " + ('x' * 2048) } else { "new $Rel and more" } }
            # Written by bash (20,000 files in a few seconds); the contents are those of OldContent/NewContent.
            bash -c @'
set -e
pad=$(printf 'x%.0s' $(seq 2048))
for d in $(seq -f %03g 0 99); do
  mkdir -p "$1/d$d" "$2/d$d"
  for f in $(seq -f %03g 0 99); do
    r=d$d/f$f.txt
    printf 'old %s' "$r" > "$1/$r"
    if [ "$d" = 000 ]; then printf 'new %s %s' "$r" "$pad" > "$2/$r"; else printf 'new %s and more' "$r" > "$2/$r"; fi
  done
  for f in 0 1 2 3 4 5 6 7 8 9; do printf 'only new d%s/n%s.txt' "$d" "$f" > "$2/d$d/n$f.txt"; done
done
'@ gen $oldSrc $src
            $LASTEXITCODE | Should -Be 0
            $pinned = foreach ($d in 0..99) { "$src/d{0:000}/f099.txt" -f $d }

            function New-OldDestination([string] $Name) {
                $d = Join-Path $scratch $Name
                $null = Invoke-BlitMirror $oldSrc $d
                New-TestTree -Root $d -Files @{ 'd050/extraneous.txt' = 'extra'; 'gone/x.txt' = 'extra' }
                $d
            }
            function Get-OldNewCount([string] $Destination) {
                $old = 0; $new = 0
                foreach ($rel in $rels) {
                    $content = [IO.File]::ReadAllText("$Destination/$rel")
                    if ($content -ceq (OldContent $rel)) { $old++ }
                    elseif ($content -ceq (NewContent $rel)) { $new++ }
                    else { throw "$rel is neither its old nor its new version: '$content'" }
                }
                # Files new in this run: complete or absent, never partial, never a temp name.
                foreach ($rel in $newOnly) {
                    if (Test-Path -LiteralPath "$Destination/$rel") {
                        [IO.File]::ReadAllText("$Destination/$rel") | Should -BeExactly "only new $rel"
                    }
                }
                @{ Old = $old; New = $new }
            }
        }

        It 'Stop() leaves every file old or new and no temp file; the next run completes' {
            $dst = New-OldDestination 'many-stop'
            [BlitTestLease[]] $leases = foreach ($path in $pinned) { New-Lease $path }
            try {
                $run = Start-MirrorInRunspace $src $dst
                Wait-Until -Because 'a copy worker to reach a leased file' { [BlitTestLease]::AnyBreaking($leases) -or $run.Async.IsCompleted }
                $stopping = $run.PowerShell.BeginStop($null, $null)
            } finally {
                $leases.Dispose() # the blocked opens return and meet the cancellation
            }
            $run.PowerShell.EndStop($stopping)
            $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'

            $counts = Get-OldNewCount $dst
            # Interrupted in the middle: files before the leased ones were copied, and each worker was held
            # at a leased file (about 100 done per worker, with today's one-batch-per-directory plan).
            $counts.New | Should -BeGreaterThan 0 -Because 'files before the leased ones were copied'
            $counts.Old | Should -BeGreaterThan 0 -Because 'every worker was held at a leased file'
            Get-TempFile $dst | Should -BeNullOrEmpty
            Test-Path "$dst/gone/x.txt" | Should -BeTrue -Because 'stopped before the deletion phase'

            $r = Invoke-BlitMirror $src $dst
            $r.Errors | Should -Be 0
            $r.FilesUpdated | Should -Be $counts.Old
            Get-TreeDiff $src $dst | Should -BeNullOrEmpty
            Get-TempFile $dst | Should -BeNullOrEmpty
        }

        It 'SIGKILL leaves every file old or new; the next run removes the temp files and completes' {
            $dst = New-OldDestination 'many-kill'
            Stop-BlitChildAtLease -Source $src -Destination $dst -OutFile (Join-Path $scratch 'many-kill.json') -Pinned $pinned

            $counts = Get-OldNewCount $dst
            $counts.New | Should -BeGreaterThan 0
            $counts.Old | Should -BeGreaterThan 0

            $r = Invoke-BlitMirror $src $dst
            $r.Errors | Should -Be 0
            $r.FilesUpdated | Should -Be $counts.Old
            Get-TreeDiff $src $dst | Should -BeNullOrEmpty
            Get-TempFile $dst | Should -BeNullOrEmpty
        }
    }
    Context 'in the middle of filling a new directory' {
        # A directory new to the destination is built under a temp name and renamed into place when
        # its files are written. A lease holds the engine at one of its files; SIGKILL there must
        # leave the new tree invisible under its own name, and the next run must remove it.
        It 'SIGKILL leaves no new directory under its name, only the staged one; the next run removes it and completes' {
            $src = Join-Path $scratch 'newdir-src'
            $files = @{}
            foreach ($i in 0..199) { $files['fresh/f{0:000}.txt' -f $i] = "fresh $i" }
            $files['fresh/inner/x.txt'] = 'x'
            New-TestTree -Root $src -Files $files
            $dst = Join-Path $scratch 'newdir-dst'
            $null = New-Item -ItemType Directory -Path $dst
            $pinned = foreach ($i in 0..199) { "$src/fresh/f{0:000}.txt" -f $i }
            Stop-BlitChildAtLease -Source $src -Destination $dst -OutFile (Join-Path $scratch 'newdir-kill.json') -Pinned $pinned

            Test-Path -LiteralPath "$dst/fresh" | Should -BeFalse -Because 'the new tree is seen complete or not at all'
            $staged = @(Get-ChildItem -LiteralPath $dst -Force -Filter '.~blit-*')
            $staged.Count | Should -Be 1
            $staged[0].PSIsContainer | Should -BeTrue

            $r = Invoke-BlitMirror $src $dst
            $r.Errors | Should -Be 0
            $r.FilesCopied | Should -Be 201
            Get-TreeDiff $src $dst | Should -BeNullOrEmpty
            Get-TempFile $dst | Should -BeNullOrEmpty
        }
    }
}
