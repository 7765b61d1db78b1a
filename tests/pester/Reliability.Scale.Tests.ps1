# Issue 7, item 5, the heavy shapes (tag Heavy; the default suite and .ci/run run them): 100,000
# entries in one directory, and a tree of 1,000,000 files in 1,000 directories whose mirror runs in a
# child pwsh that reports its peak resident memory (VmHWM). Both live on a tmpfs mounted for the test,
# so creating and removing millions of entries costs seconds, not minutes.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'Scale (issue 7.5)' -Tag 'Reliability', 'Heavy' {
    BeforeAll {
        $scratch = New-RelScratch 'scale'
        $fs = Join-Path $scratch 'tmpfs'
        # Zero-byte files take an inode each and no pages; 2.3M inodes cover both tests' sources and copies.
        Mount-ScratchFs -Path $fs -Type tmpfs -SizeMiB 1024 -Inodes 2300000
        function Get-EntryCount([string] $Root) { [long](find $Root -mindepth 1 -printf x | wc -c) }
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'mirrors 100,000 entries in one directory, re-runs as a no-op, and deletes half of them' {
        $src = "$fs/wide-src"; $dst = "$fs/wide-dst"
        $null = New-Item -ItemType Directory $src
        bash -c 'cd "$1" && seq -f "entry-%06g" 0 99999 | xargs touch && mkdir "dir with files" && touch "dir with files/x"' gen $src
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-BlitMirror $src $dst
        $copySeconds = $clock.Elapsed.TotalSeconds
        $r.Errors | Should -Be 0
        $r.FilesCopied | Should -Be 100001
        Get-EntryCount $dst | Should -Be 100002
        (ls -f $dst | Sort-Object) -join '/' | Should -BeExactly ((ls -f $src | Sort-Object) -join '/')

        $again = Invoke-BlitMirror $src $dst
        $again.FilesUnchanged | Should -Be 100001
        $again.FilesCopied + $again.FilesUpdated + $again.FilesDeleted | Should -Be 0

        bash -c 'cd "$1" && seq -f "entry-%06g" 0 2 99999 | xargs rm' gen $src
        $pruned = Invoke-BlitMirror $src $dst
        $pruned.FilesDeleted | Should -Be 50000
        Get-TreeDiff $src $dst | Should -BeNullOrEmpty
        Write-Host "    100k entries in one directory: copied in $([Math]::Round($copySeconds, 1)) s"
    }

    It 'mirrors a 1,000,000-file tree with peak memory under 1 GiB, then re-runs it as a no-op' {
        $src = "$fs/tree-src"; $dst = "$fs/tree-dst"
        $null = New-Item -ItemType Directory $src
        bash -c 'cd "$1" && for d in $(seq -f d%03g 0 999); do mkdir $d && (cd $d && touch $(seq -f f%03g 0 999)); done' gen $src
        Get-EntryCount $src | Should -Be 1001000

        $out = Join-Path $scratch 'million.json'
        $jobs = @(@{ Source = $src; Destination = $dst }, @{ Source = $src; Destination = $dst })
        $report = Wait-BlitChild (Start-BlitChild -Jobs $jobs -OutFile $out) $out -TimeoutSeconds 900
        $copy, $noop = $report
        $copy.Terminating | Should -BeNullOrEmpty
        $copy.Result.Errors | Should -Be 0
        $copy.Result.FilesCopied | Should -Be 1000000
        $copy.Result.DirectoriesCreated | Should -Be 1001
        Get-EntryCount $dst | Should -Be 1001000
        $copy.PeakKiBAfter | Should -BeLessThan 1048576 -Because 'memory stays bounded: about 0.4 KiB per entry plus pwsh'
        $noop.Result.FilesUnchanged | Should -Be 1000000
        $noop.Result.FilesCopied + $noop.Result.FilesUpdated + $noop.Result.FilesDeleted | Should -Be 0
        Write-Host ("    1M files: copy {0:N1} s, peak {1:N0} MiB (pwsh with the module: {2:N0} MiB); no-op {3:N1} s, peak {4:N0} MiB" -f
            $copy.Seconds, ($copy.PeakKiBAfter / 1024), ($copy.PeakKiBBefore / 1024), $noop.Seconds, ($noop.PeakKiBAfter / 1024))
    }
}
