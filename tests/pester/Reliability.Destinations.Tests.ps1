# Issue 7, item 4: odd destinations. Symlinks in the destination that point outside the tree are
# replaced or deleted as links, never written, chmodded or deleted through (swaps during a run are in
# tests/Blit.Core.Tests/Reliability/DestinationSwapTests.cs). Blit's temp files live beside their
# final name, so a destination on another filesystem than $TMPDIR (or than the source) works the same.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'Destination symlinks pointing outside the tree (issue 7.4)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'dstlinks'
        $src = Join-Path $scratch 'src'
        $dst = Join-Path $scratch 'dst'
        $outside = Join-Path $scratch 'outside'
        New-TestTree -Root $outside -Files @{ 'file.txt' = 'outside file'; 'dir/x.txt' = 'outside x'; 'dir2/y.txt' = 'outside y'; 'deep/z.txt' = 'outside z' }
        chmod 640 "$outside/file.txt"
        New-TestTree -Root $src -Files @{
            'fileLink'            = 'source file where the destination has a link to a file'
            'dirLink/inner.txt'   = 'source directory where the destination has a link to a directory'
            'dangling'            = 'source file where the destination has a dangling link'
            'sub/deepLink/z.txt'  = 'source tree below a destination link'
            'meta.txt'            = 'same content'
        }
        chmod 600 "$src/meta.txt"
        $null = New-Item -ItemType Directory "$dst/sub" -Force
        $null = New-Item -ItemType SymbolicLink -Path "$dst/fileLink" -Target "$outside/file.txt"
        $null = New-Item -ItemType SymbolicLink -Path "$dst/dirLink" -Target "$outside/dir"
        $null = New-Item -ItemType SymbolicLink -Path "$dst/extraLink" -Target "$outside/dir2"
        $null = New-Item -ItemType SymbolicLink -Path "$dst/dangling" -Target "$outside/missing"
        $null = New-Item -ItemType SymbolicLink -Path "$dst/sub/deepLink" -Target "$outside/deep"
        $null = New-Item -ItemType SymbolicLink -Path "$dst/meta.txt" -Target "$outside/file.txt"
        $outsideBefore = Get-TreeState $outside
        $r = Invoke-BlitMirror $src $dst
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'leaves the outside tree exactly as it was (contents, modes, mtimes, entries)' {
        Compare-TreeState $outsideBefore (Get-TreeState $outside) | Should -BeNullOrEmpty
    }

    It 'replaces each link by the source entry and deletes the extraneous link itself' {
        $r.Errors | Should -Be 0
        foreach ($rel in 'fileLink', 'dirLink', 'dangling', 'sub/deepLink', 'meta.txt') {
            (Get-Item "$dst/$rel" -Force).LinkType | Should -BeNullOrEmpty -Because "$rel is no longer a link"
        }
        Test-Path -LiteralPath "$dst/extraLink" | Should -BeFalse
        Get-TreeDiff $src $dst | Should -BeNullOrEmpty
    }
}

Describe 'A destination on another filesystem (issue 7.4)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'otherfs'
        $mounts = @{ tmpfs = Join-Path $scratch 'tmpfs'; ext4 = Join-Path $scratch 'ext4' }
        Mount-ScratchFs -Path $mounts.tmpfs -Type tmpfs -SizeMiB 64
        Mount-ScratchFs -Path $mounts.ext4 -Type ext4 -SizeMiB 64
        # $TMPDIR is a read-only, empty directory on a third filesystem (the scratch's): Blit must not need it.
        $tmpDir = Join-Path $scratch 'tmpdir'
        $null = New-Item -ItemType Directory $tmpDir
        $tree = @{ 'a.txt' = 'a'; 'sub/b.txt' = 'b'; 'empty.txt' = '' }
        $oldTmp = $env:TMPDIR
    }
    AfterAll {
        $env:TMPDIR = $oldTmp
        Remove-RelScratch $scratch
    }

    It 'mirrors <From> to <To> with $TMPDIR read-only (unused), and leaves no temp file' -ForEach @(
        @{ From = 'ext4'; To = 'tmpfs' }
        @{ From = 'tmpfs'; To = 'ext4' }
    ) {
        $source = Join-Path $mounts[$From] 'src'
        New-TestTree -Root $source -Files $tree
        Write-LargeFile "$source/big.bin" 12MB -Seed 9
        $dst = Join-Path $mounts[$To] 'dst'
        @((stat -c %d $source), (stat -c %d $mounts[$To]), (stat -c %d $tmpDir) | Sort-Object -Unique).Count | Should -Be 3 -Because 'three filesystems'
        chmod 555 $tmpDir
        $env:TMPDIR = $tmpDir
        try {
            $r = Invoke-BlitMirror $source $dst
        } finally {
            $env:TMPDIR = $oldTmp
        }
        $r.Errors | Should -Be 0
        $r.FilesStreamed + $r.FilesKernelCopied + $r.FilesCloned | Should -BeGreaterThan 0
        Get-TreeDiff $source $dst | Should -BeNullOrEmpty
        Get-ChildItem -Force $tmpDir | Should -BeNullOrEmpty
        Get-TempFile $dst | Should -BeNullOrEmpty
    }
}
