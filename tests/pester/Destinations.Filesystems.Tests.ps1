# Issue 12: real destinations. Each filesystem is a loop image made and mounted here (root only),
# and the mirror is judged by what that filesystem can hold, as the run itself measured it:
# a second run of an unchanged tree copies nothing, mtimes are equal within the precision,
# a case-only rename keeps the file, two names that are one name there are an error, and
# what cannot be held (modes, symlinks) is said once with a count. ./build.sh test installs the
# packages (exfat-fuse, exfatprogs, ntfs-3g, btrfs-progs, xfsprogs, e2fsprogs).
BeforeDiscovery {
    $isRoot = (& id -u) -eq '0'
    $filesystems = @(
        @{ Name = 'ext4';      Mkfs = 'mkfs.ext4 -q -F';             Mount = 'loop';  CaseSensitive = $true;  Modes = $true;  Links = $true;  Precision = 1 }
        @{ Name = 'ext4-I128'; Mkfs = 'mkfs.ext4 -q -F -I 128';      Mount = 'loop';  CaseSensitive = $true;  Modes = $true;  Links = $true;  Precision = 1000000000 }
        @{ Name = 'xfs';       Mkfs = 'mkfs.xfs -q -f -m reflink=1'; Mount = 'loop';  CaseSensitive = $true;  Modes = $true;  Links = $true;  Precision = 1 }
        @{ Name = 'btrfs';     Mkfs = 'mkfs.btrfs -q -f';            Mount = 'loop';  CaseSensitive = $true;  Modes = $true;  Links = $true;  Precision = 1 }
        @{ Name = 'tmpfs';     Mkfs = '';                            Mount = 'tmpfs'; CaseSensitive = $true;  Modes = $true;  Links = $true;  Precision = 1 }
        @{ Name = 'exfat';     Mkfs = 'mkfs.exfat';                  Mount = 'exfat'; CaseSensitive = $false; Modes = $false; Links = $false; Precision = 1000000000 }
        @{ Name = 'ntfs';      Mkfs = 'mkfs.ntfs -F -Q -q';          Mount = 'ntfs';  CaseSensitive = $true;  Modes = $false; Links = $true;  Precision = 100 }
    )
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"

    function Mount-TestFilesystem {
        param([hashtable] $Fs, [string] $Image, [string] $MountPoint)
        $null = New-Item -ItemType Directory -Force $MountPoint
        if ($Fs.Mount -eq 'tmpfs') {
            mount -t tmpfs -o size=256m tmpfs $MountPoint
        } else {
            truncate -s 400M $Image
            $mkfs = $Fs.Mkfs -split ' '
            & $mkfs[0] @($mkfs | Select-Object -Skip 1) $Image *> $null
            if ($LASTEXITCODE -ne 0) { throw "$($Fs.Mkfs) failed (is its package installed?)" }
            switch ($Fs.Mount) {
                'loop' { mount -o loop $Image $MountPoint }
                'exfat' {
                    $script:loopDevice = losetup -f --show $Image
                    mount.exfat-fuse $script:loopDevice $MountPoint *> $null
                }
                'ntfs' { ntfs-3g $Image $MountPoint }
            }
        }
        if ($LASTEXITCODE -ne 0) { throw "mounting $($Fs.Name) on $MountPoint failed" }
    }

    function Dismount-TestFilesystem {
        param([string] $MountPoint)
        umount $MountPoint 2>$null
        if ($LASTEXITCODE -ne 0) { umount -l $MountPoint 2>$null }
        if ($script:loopDevice) { losetup -d $script:loopDevice 2>$null; $script:loopDevice = $null }
    }

    # mtime of every regular file below $Root as ns since the epoch, keyed by relative path.
    function Get-MtimeNs {
        param([string] $Root)
        $map = @{}
        foreach ($line in (& find $Root -type f -printf '%P %T@\n')) {
            $at = $line.LastIndexOf(' ')
            $sec, $frac = $line.Substring($at + 1) -split '\.'
            $map[$line.Substring(0, $at)] = [long]$sec * 1000000000 + [long]($frac.PadRight(9, '0').Substring(0, 9))
        }
        $map
    }
}

Describe 'Mirroring onto <Name>' -Tag 'Destinations' -ForEach $filesystems -Skip:(-not $isRoot) {
    BeforeAll {
        $scratch = Join-Path ([IO.Path]::GetTempPath()) "blit-fs-$Name-$PID"
        $mnt = Join-Path $scratch 'mnt'
        $image = Join-Path $scratch 'fs.img'
        $null = New-Item -ItemType Directory -Force $scratch
        Mount-TestFilesystem -Fs $_ -Image $image -MountPoint $mnt
        $src = Join-Path $scratch 'src'
        $dst = Join-Path $mnt 'mirror'
        $files = @{ 'report.doc' = 'quarterly'; 'Photos/a.jpg' = 'aaa'; 'Photos/b.jpg' = 'bbbb'; 'notes/todo.txt' = 'x' }
        foreach ($i in 1..40) { $files["bulk/f$i.bin"] = 'y' * $i }
        New-TestTree -Root $src -Files $files
        chmod 640 "$src/report.doc"
        # Times with nanoseconds, so a destination that rounds them shows it.
        & touch -d '2021-03-04 05:06:07.123456789' (Get-ChildItem -Recurse -File $src).FullName
        $null = New-Item -ItemType SymbolicLink -Path "$src/link" -Target 'report.doc'

        $first = Invoke-BlitMirror $src $dst -WarningVariable firstWarnings -WarningAction SilentlyContinue
        $second = Invoke-BlitMirror $src $dst -WarningAction SilentlyContinue
    }
    AfterAll {
        Dismount-TestFilesystem -MountPoint $mnt
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }

    It 'measures the destination: case rule, timestamp precision, modes, symlinks' {
        $caps = $first.DestinationFileSystem
        $caps.Measured | Should -BeTrue
        $caps.CaseSensitive | Should -Be $CaseSensitive
        $caps.TimestampPrecisionNs | Should -Be $Precision
        $caps.Permissions | Should -Be $Modes
        $caps.Symlinks | Should -Be $Links
    }

    It 'copies everything the first time without errors' {
        $first.Errors | Should -Be 0
        $first.FilesCopied | Should -Be 44
        $first.SymlinksCopied | Should -Be ($Links ? 1 : 0)
        $first.SymlinksSkipped | Should -Be ($Links ? 0 : 1)
    }

    It 'copies nothing on a second run of the unchanged tree' {
        $second.Errors | Should -Be 0
        $second.BytesCopied | Should -Be 0
        $second.FilesCopied + $second.FilesUpdated + $second.MetadataUpdated + $second.SymlinksCopied | Should -Be 0
        $second.FilesUnchanged | Should -Be 44
    }

    It 'copies nothing on a second run of entries dated <When>' -ForEach @(
        # ntfs-3g keeps 100 ns after 1970 but drops the fraction of an earlier time: each run
        # used to see a difference of up to a second and copy the file (and fix the directory) again.
        @{ When = 'before 1970'; Tree = 'old'; Files = @{ 'scan.tif' = 'scanned in 1962'; 'letters/1969.txt' = 'moon' }; Dir = 'letters'; Stamp = '@-236000000.75' }
        # ext4 with 128-byte inodes stores 2038-01-19 03:14:07 for any later time: each run used to
        # see the difference and copy the file (and fix the directory) again.
        @{ When = 'after what the filesystem holds'; Tree = 'late'; Files = @{ 'plan.txt' = 'for 2090'; 'future/x.txt' = 'x' }; Dir = 'future'; Stamp = '@3849000000.5' }
        # ext4 with 256-byte inodes stores 2446-05-10 22:38:55 and XFS 2486-07-02 20:20:24 for any later
        # time: the 2096 probe passed there, and each run copied the file again.
        @{ When = 'after what the filesystem holds (2446, 2486)'; Tree = 'far'; Files = @{ 'plan.txt' = 'for 3000'; 'future/z.txt' = 'z' }; Dir = 'future'; Stamp = '@32503680000.5'; OnTmpfs = $true }
        # ext4 (with either inode size) and XFS store 1901-12-13 20:45:52 for any earlier time: a
        # source that holds one (tmpfs here; btrfs, NTFS) was copied again on every run.
        @{ When = 'before what the filesystem holds'; Tree = 'early'; Files = @{ 'deed.txt' = 'from 1843'; 'past/y.txt' = 'y' }; Dir = 'past'; Stamp = '@-4000000000.5'; OnTmpfs = $true }
    ) {
        $from = Join-Path $scratch $Tree
        $null = New-Item -ItemType Directory -Force $from
        # The scratch directory's own filesystem may not hold the time either (ext4 does not hold 1843).
        if ($_.ContainsKey('OnTmpfs')) { mount -t tmpfs -o size=8m tmpfs $from }
        try {
            New-TestTree -Root $from -Files $Files
            & touch -d $Stamp @($Files.Keys | ForEach-Object { "$from/$_" }) "$from/$Dir"
            (& date -d $Stamp +%s) | Should -Be (& stat -c %Y "$from/$Dir") -Because 'the source must hold the time for this to test anything'
            $null = Invoke-BlitMirror $from "$mnt/$Tree" -WarningAction SilentlyContinue
            $again = Invoke-BlitMirror $from "$mnt/$Tree" -WarningAction SilentlyContinue
            $again.Errors | Should -Be 0
            $again.FilesCopied + $again.FilesUpdated + $again.MetadataUpdated | Should -Be 0
            foreach ($file in $Files.Keys) { Get-Content -Raw "$mnt/$Tree/$file" | Should -Be $Files[$file] }
        }
        finally {
            if ($_.ContainsKey('OnTmpfs')) { umount $from }
        }
    }

    It 'keeps every mtime within the measured precision' {
        $want = Get-MtimeNs $src
        $got = Get-MtimeNs $dst
        $got.Count | Should -Be $want.Count
        foreach ($k in $want.Keys) {
            [Math]::Abs($want[$k] - $got[$k]) | Should -BeLessThan ([Math]::Max($Precision, 1)) -Because $k
        }
    }

    It 'keeps modes where the filesystem holds them' -Skip:(-not $Modes) {
        (stat -c '%a' "$dst/report.doc") | Should -Be '640'
    }

    It 'says once, with a count, what it could not hold' -Skip:($Modes -and $Links) {
        $said = $firstWarnings -join "`n"
        if (-not $Links) { $said | Should -Match '1 symlink\(s\) not copied' }
        if (-not $Modes) { $said | Should -Match 'does not keep permission bits' }
        @($firstWarnings).Count | Should -BeLessOrEqual 2
    }

    It 'keeps the file when the source renames it by case only' {
        Rename-Item "$src/report.doc" 'Report.DOC'
        Rename-Item "$src/Photos" 'PHOTOS'
        $r = Invoke-BlitMirror $src $dst -WarningAction SilentlyContinue
        $r.Errors | Should -Be 0
        $names = (Get-ChildItem -LiteralPath $dst -Force).Name
        $names -ccontains 'Report.DOC' | Should -BeTrue
        $names -ccontains 'PHOTOS' | Should -BeTrue
        $names -ccontains 'report.doc' | Should -BeFalse -Because 'the old spelling is renamed, not kept beside the new one'
        (Get-Content -LiteralPath "$dst/Report.DOC") | Should -Be 'quarterly'
        (Get-ChildItem -LiteralPath "$dst/PHOTOS").Count | Should -Be 2
        if (-not $CaseSensitive) {
            $r.EntriesRenamed | Should -Be 2
            $r.BytesCopied | Should -Be 0
        }
    }

    It 'matches exclude patterns by the destination''s case rule' {
        Set-Content -LiteralPath "$dst/keep.tmp" 'only in the destination'
        $r = Invoke-BlitMirror $src $dst -Exclude '*.TMP' -WarningAction SilentlyContinue
        $r.Errors | Should -Be 0
        # Where keep.tmp and KEEP.TMP are one name, '*.TMP' protects it; elsewhere it is extraneous.
        Test-Path -LiteralPath "$dst/keep.tmp" | Should -Be (-not $CaseSensitive)
        Remove-Item -LiteralPath "$dst/keep.tmp" -ErrorAction SilentlyContinue
    }

    It 'reports two source names that are one name there, and loses nothing' {
        Set-Content -LiteralPath "$src/notes/TODO.txt" 'other'
        $r = Invoke-BlitMirror $src $dst -ErrorVariable collisions -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        if ($CaseSensitive) {
            $r.Errors | Should -Be 0
            (Get-Content -LiteralPath "$dst/notes/TODO.txt") | Should -Be 'other'
        } else {
            $r.Errors | Should -Be 1
            $collisions[0].FullyQualifiedErrorId | Should -BeLike 'NameCollision,*'
            "$($collisions[0])" | Should -Match "'notes/TODO.txt' and 'notes/todo.txt'"
            # The name the destination holds keeps its file; nothing was overwritten or deleted.
            (Get-ChildItem -LiteralPath "$dst/notes").Name | Should -Be 'todo.txt'
            (Get-Content -LiteralPath "$dst/notes/todo.txt") | Should -Be 'x'
            $r.FilesDeleted | Should -Be 0
        }
        Remove-Item -LiteralPath "$src/notes/TODO.txt"
    }
}

Describe 'A destination tree that crosses onto another filesystem' -Tag 'Destinations' -Skip:(-not $isRoot) {
    BeforeAll {
        # An ext4 destination with an exFAT disk mounted at usb/ inside it: each part by its own rules.
        $scratch = Join-Path ([IO.Path]::GetTempPath()) "blit-fs-cross-$PID"
        $outer = Join-Path $scratch 'outer'
        $null = New-Item -ItemType Directory -Force $scratch
        Mount-TestFilesystem -Fs @{ Name = 'ext4'; Mkfs = 'mkfs.ext4 -q -F'; Mount = 'loop' } -Image "$scratch/ext4.img" -MountPoint $outer
        $dst = Join-Path $outer 'mirror'
        $usb = Join-Path $dst 'usb'
        $null = New-Item -ItemType Directory -Force $usb
        truncate -s 64M "$scratch/exfat.img"; mkfs.exfat "$scratch/exfat.img" *> $null
        $exfatLoop = losetup -f --show "$scratch/exfat.img"
        mount.exfat-fuse $exfatLoop $usb *> $null
        $src = Join-Path $scratch 'src'
        New-TestTree -Root $src -Files @{ 'top.txt' = 'top'; 'usb/report.doc' = 'on the disk'; 'usb/Sub/x.txt' = 'x' }
        chmod 640 "$src/top.txt"
        & touch -d '2021-03-04 05:06:07.123456789' (Get-ChildItem -Recurse -File $src).FullName
        $first = Invoke-BlitMirror $src $dst -WarningAction SilentlyContinue -Verbose 4>&1 | Tee-Object -Variable firstOut |
            Where-Object { $_ -is [Blit.Mirror.MirrorResult] }
        $second = Invoke-BlitMirror $src $dst -WarningAction SilentlyContinue
    }
    AfterAll {
        umount $usb 2>$null
        losetup -d $exfatLoop 2>$null
        Dismount-TestFilesystem -MountPoint $outer
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }

    It 'measures the mounted disk too and says so' {
        $first.Errors | Should -Be 0
        $first.DestinationFileSystem.CaseSensitive | Should -BeTrue
        ($firstOut | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match "mounted at 'usb' in the destination: fuseblk, case-insensitive, 1 s mtimes"
    }

    It 'settles: the second run copies nothing on either filesystem' {
        $second.Errors | Should -Be 0
        $second.BytesCopied | Should -Be 0
        $second.FilesUpdated + $second.MetadataUpdated | Should -Be 0
        (stat -c '%a' "$dst/top.txt") | Should -Be '640'
    }

    It 'renames by case on the case-insensitive part' {
        Rename-Item "$src/usb/report.doc" 'Report.DOC'
        $r = Invoke-BlitMirror $src $dst -WarningAction SilentlyContinue
        $r.Errors | Should -Be 0
        $r.EntriesRenamed | Should -Be 1
        (Get-ChildItem -LiteralPath $usb -File).Name | Should -BeExactly 'Report.DOC'
    }
}
