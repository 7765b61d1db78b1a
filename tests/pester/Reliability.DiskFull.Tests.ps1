# Issue 7, item 2: mirroring into a filesystem that fills up, for real: a size-limited tmpfs and a
# loop-mounted ext4 image. The error names the file; every old destination file is intact (or is
# its complete new version); nothing is deleted after the failure (neither extraneous entries nor
# a directory that a source file or symlink replaces); no partial file sits at a final name; no
# temp file is left; once there is room, the next run completes.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'Disk full on <Fs> (issue 7.2)' -Tag 'Reliability' -ForEach @(
    @{ Fs = 'tmpfs' }
    @{ Fs = 'ext4' }
) {
    BeforeAll {
        $scratch = New-RelScratch "diskfull-$Fs"
        # The old tree (about 7 MiB) fits the 24 MiB filesystem; the new one needs 70 MiB more.
        $oldSrc = Join-Path $scratch 'old'
        $src = Join-Path $scratch 'src'
        foreach ($i in 0..9) { Write-LargeFile "$oldSrc/keep/k$i.bin" 512KB -Seed (10 + $i) }
        Write-LargeFile "$oldSrc/grow.bin" 2MB -Seed 3
        New-TestTree -Root $oldSrc -Files @{ 'changed.txt' = 'old changed'; 'sub/swap/inside.txt' = 'a directory the source replaces by a symlink'; 'sub/swap/more.txt' = 'more'; 'sub/same.txt' = 'unchanged' }
        $null = Invoke-BlitMirror $oldSrc $src
        Write-LargeFile "$src/grow.bin" 40MB -Seed 4        # an update that cannot fit
        Write-LargeFile "$src/huge-new.bin" 30MB -Seed 5    # a new file that cannot fit
        [IO.File]::WriteAllText("$src/changed.txt", 'new changed, a little longer')
        Remove-Item -Recurse "$src/sub/swap"
        $null = New-Item -ItemType SymbolicLink -Path "$src/sub/swap" -Target '../keep'

        $mountCount = 0
        function New-FullDestination {
            <# A fresh small filesystem holding the old mirror plus extraneous files; returns the destination. #>
            $mnt = Join-Path $scratch "mnt$((++$script:mountCount))"
            Mount-ScratchFs -Path $mnt -Type $Fs -SizeMiB 24
            $d = Join-Path $mnt 'dst'
            $null = Invoke-BlitMirror $oldSrc $d
            New-TestTree -Root $d -Files @{ 'extra/e1.txt' = 'extraneous 1'; 'extra/e2.txt' = 'extraneous 2'; 'stray.txt' = 'extraneous 3' }
            $d
        }
        function Assert-NothingLost($Before, [string] $Destination) {
            # Every file that was there is still there, as its old version or its complete new one
            # (or its directory was replaced, before the failure, by the source's symlink: sub/swap).
            foreach ($rel in @($Before.Keys)) {
                if ($Before[$rel] -notlike 'F *') { continue }
                if ($rel -like 'sub/swap/*' -and (Get-Item "$Destination/sub/swap" -Force).LinkType) { continue }
                $now = Get-Item -LiteralPath (Join-Path $Destination $rel) -Force -ErrorAction SilentlyContinue
                $now | Should -Not -BeNullOrEmpty -Because "$rel was in the destination before"
                $hash = (Get-FileHash -LiteralPath $now.FullName).Hash
                $srcFile = Join-Path $src $rel
                $isOld = $Before[$rel].EndsWith(" $hash")
                $isNew = (Test-Path -LiteralPath $srcFile -PathType Leaf) -and (Get-FileHash -LiteralPath $srcFile).Hash -eq $hash
                ($isOld -or $isNew) | Should -BeTrue -Because "$rel must be its old or its complete new version"
            }
            # Every file that appeared is complete.
            foreach ($f in Get-ChildItem -LiteralPath $Destination -Recurse -File -Force) {
                $rel = [IO.Path]::GetRelativePath($Destination, $f.FullName)
                if ($Before.Contains($rel)) { continue }
                $f.Name | Should -Not -BeLike '.~blit-*' -Because 'no temp file is left'
                (Get-FileHash -LiteralPath $f.FullName).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $src $rel)).Hash -Because "$rel is new: complete or absent"
            }
        }
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'reports DiskFull naming the file, keeps every old file, deletes nothing and leaves no partial file' {
        $dst = New-FullDestination
        $before = Get-TreeState $dst

        $r = Invoke-BlitMirror $src $dst -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue

        $full = @($errs | Where-Object FullyQualifiedErrorId -eq 'DiskFull,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand')
        $full.Count | Should -BeGreaterThan 0
        foreach ($e in $full) {
            $e.CategoryInfo.Category | Should -Be 'QuotaExceeded'
            # Workers copy side by side, so a small file written while the disk filled can fail too:
            # every DiskFull names a source file this run was writing, and the message names it.
            $rel = [IO.Path]::GetRelativePath($dst, $e.TargetObject)
            Test-Path -LiteralPath (Join-Path $src $rel) -PathType Leaf | Should -BeTrue -Because "$rel is a file the mirror was writing"
            $e.Exception.Message | Should -Match ([regex]::Escape((Split-Path $e.TargetObject -Leaf)))
        }
        # The large writes that filled the disk are among them (a copy in progress runs to ENOSPC).
        @($full.TargetObject) -match '/(grow|huge-new)\.bin$' | Should -Not -BeNullOrEmpty
        $r.Errors | Should -BeGreaterOrEqual $full.Count
        $r.DeletionSkipped | Should -BeTrue
        @($warns) -match 'nothing was deleted' | Should -Not -BeNullOrEmpty

        Assert-NothingLost $before $dst
        (Get-FileHash "$dst/grow.bin").Hash | Should -Be (Get-FileHash "$oldSrc/grow.bin").Hash
        Test-Path "$dst/huge-new.bin" | Should -BeFalse
        foreach ($rel in 'extra/e1.txt', 'extra/e2.txt', 'stray.txt') { Test-Path "$dst/$rel" | Should -BeTrue -Because "$rel is extraneous but nothing is deleted after a disk-full" }
        Get-TempFile $dst | Should -BeNullOrEmpty
    }

    It 'replaces no directory after the failure (-ThrottleLimit 1: the largest file fails first, sub/swap comes last)' {
        $dst = New-FullDestination
        $before = Get-TreeState $dst

        $r = Invoke-BlitMirror $src $dst -ThrottleLimit 1 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        @($errs | Where-Object FullyQualifiedErrorId -like 'DiskFull,*').Count | Should -BeGreaterThan 0
        (Get-Item "$dst/sub/swap" -Force).LinkType | Should -BeNullOrEmpty -Because 'replacing a directory by a symlink deletes it, and nothing is deleted after the failure'
        [IO.File]::ReadAllText("$dst/sub/swap/inside.txt") | Should -Be 'a directory the source replaces by a symlink'
        Assert-NothingLost $before $dst
        Get-TempFile $dst | Should -BeNullOrEmpty
    }

    It 'completes on the next run once there is room' {
        $dst = New-FullDestination
        $null = Invoke-BlitMirror $src $dst -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $mnt = Split-Path $dst -Parent
        if ($Fs -eq 'tmpfs') {
            mount -o remount,size=128m $mnt
        } else {
            # Offline: growing a mounted ext4 needs CAP_SYS_RESOURCE, which containers often lack.
            umount $mnt
            truncate -s 128M "$mnt.img"
            e2fsck -fy "$mnt.img" 2>&1 | Out-Null
            resize2fs "$mnt.img" 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            mount -o loop "$mnt.img" $mnt
        }
        $LASTEXITCODE | Should -Be 0

        $r = Invoke-BlitMirror $src $dst
        $r.Errors | Should -Be 0
        $r.DeletionSkipped | Should -BeFalse
        Get-TreeDiff $src $dst | Should -BeNullOrEmpty
    }

    It 'reports DiskFull when the inodes run out, and deletes nothing' {
        $mnt = Join-Path $scratch 'inodes'
        Mount-ScratchFs -Path $mnt -Type $Fs -SizeMiB 8 -Inodes 64
        $manySrc = Join-Path $scratch 'many-dirs'
        New-TestTree -Root $manySrc -Files @{ 'keep.txt' = 'kept' }
        foreach ($i in 1..80) { New-TestTree -Root $manySrc -Files @{ "d$i/f.txt" = "file $i" } }
        $d = Join-Path $mnt 'dst'
        New-TestTree -Root $d -Files @{ 'keep.txt' = 'old kept'; 'extraneous.txt' = 'extra' }

        $r = Invoke-BlitMirror $manySrc $d -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        @($errs | Where-Object FullyQualifiedErrorId -like 'DiskFull,*').Count | Should -BeGreaterThan 0
        $r.DeletionSkipped | Should -BeTrue
        [IO.File]::ReadAllText("$d/extraneous.txt") | Should -Be 'extra'
        foreach ($f in Get-ChildItem $d -Recurse -File) {
            $f.Name | Should -Not -BeLike '.~blit-*'
        }
    }
}
