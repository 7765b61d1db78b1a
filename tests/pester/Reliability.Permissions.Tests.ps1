# Issue 7, items 3 and 4, where permissions matter: run as the unprivileged user 'nobody' (root reads
# and writes everything, so these faults only exist for a user). Unreadable source files and
# directories are reported, their destination entries are kept, and the rest of the run completes;
# read-only destination files and directories are replaced or deleted; entries the user may not touch
# are reported and left. Immutable files (chattr +i) stop even root, so those run as root.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'As an unprivileged user (issue 7.3, 7.4)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'nobody'
        chmod 755 $scratch
        $runtime = Initialize-NobodyRuntime (Join-Path $scratch 'runtime')
        $nobody = '65534:65534'

        # J1: an unreadable file and an unreadable directory (root-owned, mode 0600/0700).
        New-TestTree -Root "$scratch/j1/src" -Files @{ 'readable.txt' = 'new readable'; 'secret.txt' = 'new secret'; 'locked/inside.txt' = 'new inside'; 'open/ok.txt' = 'ok' }
        New-TestTree -Root "$scratch/j1/dst" -Files @{ 'readable.txt' = 'old readable'; 'secret.txt' = 'old secret'; 'locked/inside.txt' = 'old inside'; 'extra.txt' = 'extraneous' }
        chmod 600 "$scratch/j1/src/secret.txt"; chmod 700 "$scratch/j1/src/locked"

        # J2: only an unreadable file: the scan is complete, so extraneous entries still go.
        New-TestTree -Root "$scratch/j2/src" -Files @{ 'a.txt' = 'new a'; 'secret.txt' = 'new secret' }
        New-TestTree -Root "$scratch/j2/dst" -Files @{ 'a.txt' = 'old a'; 'secret.txt' = 'old secret'; 'extra.txt' = 'extraneous' }
        chmod 600 "$scratch/j2/src/secret.txt"

        # J3: a read-only destination (files 0444, directories 0555, the root too) to update and prune.
        New-TestTree -Root "$scratch/j3/src" -Files @{ 'f1.txt' = 'new f1'; 'ro-dir/g.txt' = 'new g'; 'ro-dir/keep.txt' = 'keep'; 'new-dir/n.txt' = 'n' }
        New-TestTree -Root "$scratch/j3/dst" -Files @{ 'f1.txt' = 'old f1'; 'ro-dir/g.txt' = 'old g'; 'ro-dir/keep.txt' = 'keep'; 'ro-dir/h.txt' = 'extraneous'; 'gone-dir/sub/x.txt' = 'extraneous'; 'gone.txt' = 'extraneous' }
        chmod 755 "$scratch/j3/src/ro-dir"; chmod 500 "$scratch/j3/src/new-dir"  # the mirror must restore these modes

        # J4: destination entries the user may not change: a root-owned directory holding an extraneous
        # file, a root-owned directory holding a file to update, a root-only directory it cannot read.
        New-TestTree -Root "$scratch/j4/src" -Files @{ 'fine.txt' = 'new fine'; 'rootdir2/u.txt' = 'new u'; 'private/p.txt' = 'new p' }
        New-TestTree -Root "$scratch/j4/dst" -Files @{ 'fine.txt' = 'old fine'; 'rootdir/stale.txt' = 'root owned, extraneous'; 'rootdir2/u.txt' = 'old u'; 'private/p.txt' = 'old p' }

        # J5: a destination whose parent the user cannot write.
        New-TestTree -Root "$scratch/j5/src" -Files @{ 'a.txt' = 'a' }
        $null = New-Item -ItemType Directory "$scratch/j5/rootonly"

        chmod -R a+rX "$scratch/j1/src/readable.txt" "$scratch/j1/src/open" "$scratch/j2/src/a.txt" "$scratch/j3/src" "$scratch/j4/src" "$scratch/j5/src"
        chown -R $nobody "$scratch/j1/dst" "$scratch/j2/dst" "$scratch/j3/dst" "$scratch/j4/dst"
        chown -R root:root "$scratch/j4/dst/rootdir" "$scratch/j4/dst/rootdir2" "$scratch/j4/dst/private"
        chmod 700 "$scratch/j4/dst/private"
        Get-ChildItem -Recurse -File "$scratch/j3/dst" | ForEach-Object { chmod 444 $_.FullName }
        chmod 555 "$scratch/j3/dst/ro-dir" "$scratch/j3/dst/gone-dir/sub" "$scratch/j3/dst/gone-dir" "$scratch/j3/dst"
        chmod 755 "$scratch/j1" "$scratch/j2" "$scratch/j3" "$scratch/j4" "$scratch/j5" "$scratch/j5/rootonly"
        $outDir = Join-Path $scratch 'out'
        $null = New-Item -ItemType Directory $outDir
        chmod 1777 $outDir

        $j4Before = @{ stale = Get-TreeState "$scratch/j4/dst/rootdir"; private = Get-TreeState "$scratch/j4/dst/private" }
        $jobs = foreach ($j in 'j1', 'j2', 'j3', 'j4') { @{ Source = "$scratch/$j/src"; Destination = "$scratch/$j/dst" } }
        $jobs = @($jobs) + @{ Source = "$scratch/j5/src"; Destination = "$scratch/j5/rootonly/dst" }
        $out = Join-Path $outDir 'report.json'
        $report = Wait-BlitChild (Start-BlitChild -Jobs $jobs -OutFile $out -AsNobody -NobodyRuntime $runtime) $out
        function Ids($Job) { @($Job.Errors | ForEach-Object { ($_.Id -split ',')[0] }) }
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'ran as nobody' {
        $report.Count | Should -Be 5
        $report[0].User | Should -Be 'nobody'
    }

    It 'reports an unreadable file and an unreadable directory, keeps their destination entries and deletes nothing' {
        $j = $report[0]
        $j.Terminating | Should -BeNullOrEmpty
        @(Ids $j | Sort-Object) | Should -Be @('SourceUnreadable', 'SourceUnreadable')
        ($j.Errors | Where-Object Target -eq "$scratch/j1/src/secret.txt").Message | Should -Match 'secret\.txt'
        ($j.Errors | Where-Object Target -eq "$scratch/j1/src/locked").Message | Should -Match 'Permission denied'
        $j.Result.Errors | Should -Be 2
        $j.Result.DeletionSkipped | Should -BeTrue
        $j.Warnings -match 'could not be read completely' | Should -Not -BeNullOrEmpty
        [IO.File]::ReadAllText("$scratch/j1/dst/secret.txt") | Should -Be 'old secret'
        [IO.File]::ReadAllText("$scratch/j1/dst/locked/inside.txt") | Should -Be 'old inside'
        [IO.File]::ReadAllText("$scratch/j1/dst/extra.txt") | Should -Be 'extraneous'
        [IO.File]::ReadAllText("$scratch/j1/dst/readable.txt") | Should -Be 'new readable'
        [IO.File]::ReadAllText("$scratch/j1/dst/open/ok.txt") | Should -Be 'ok'
        Get-TempFile "$scratch/j1/dst" | Should -BeNullOrEmpty
    }

    It 'reports an unreadable file, keeps its destination version, and completes the rest (deletions included)' {
        $j = $report[1]
        @(Ids $j) | Should -Be @('SourceUnreadable')
        $j.Errors[0].Target | Should -Be "$scratch/j2/src/secret.txt"
        $j.Errors[0].Category | Should -Be 'ReadError'
        $j.Result.DeletionSkipped | Should -BeFalse
        [IO.File]::ReadAllText("$scratch/j2/dst/secret.txt") | Should -Be 'old secret'
        [IO.File]::ReadAllText("$scratch/j2/dst/a.txt") | Should -Be 'new a'
        Test-Path "$scratch/j2/dst/extra.txt" | Should -BeFalse
    }

    It 'replaces and deletes read-only files and directories, then restores every mode' {
        $j = $report[2]
        $j.Errors | Should -BeNullOrEmpty
        $j.Result.Errors | Should -Be 0
        $j.Result.FilesDeleted | Should -Be 3
        Get-TreeDiff "$scratch/j3/src" "$scratch/j3/dst" -NoOwner | Should -BeNullOrEmpty
        Get-TempFile "$scratch/j3/dst" | Should -BeNullOrEmpty
    }

    It 'reports entries it may not change, leaves them as they were, and does the rest' {
        $j = $report[3]
        $j.Terminating | Should -BeNullOrEmpty
        $ids = Ids $j
        $ids | Should -Contain 'DeleteFailed'       # rootdir/stale.txt
        $ids | Should -Contain 'CopyFailed'         # rootdir2/u.txt: no temp file can be made there
        $ids | Should -Contain 'DestinationUnreadable' # private/
        $ids | Should -Not -Contain 'DiskFull'
        ($j.Errors | Where-Object { $_.Id -like 'DeleteFailed,*' }).Target | Should -Match 'rootdir'
        ($j.Errors | Where-Object { $_.Id -like 'CopyFailed,*' }).Target | Should -Be "$scratch/j4/dst/rootdir2/u.txt"
        [IO.File]::ReadAllText("$scratch/j4/dst/fine.txt") | Should -Be 'new fine'
        [IO.File]::ReadAllText("$scratch/j4/dst/rootdir2/u.txt") | Should -Be 'old u'
        Compare-TreeState $j4Before.stale (Get-TreeState "$scratch/j4/dst/rootdir") | Should -BeNullOrEmpty
        Compare-TreeState $j4Before.private (Get-TreeState "$scratch/j4/dst/private") | Should -BeNullOrEmpty
        Get-TempFile "$scratch/j4/dst" | Should -BeNullOrEmpty
    }

    It 'refuses a destination it cannot create with DestinationUnusable, creating nothing' {
        $j = $report[4]
        $j.Terminating.Id | Should -Be 'DestinationUnusable,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        $j.Terminating.Message | Should -Match ([regex]::Escape("$scratch/j5/rootonly/dst"))
        Get-ChildItem -Force "$scratch/j5/rootonly" | Should -BeNullOrEmpty
    }
}

Describe 'Immutable destination entries (chattr +i, as root) (issue 7.4)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'immutable'
        # chattr needs a filesystem with attributes (ext4); tmpfs has none.
        $mnt = Join-Path $scratch 'ext4'
        Mount-ScratchFs -Path $mnt -Type ext4 -SizeMiB 16
        $src = Join-Path $scratch 'src'
        $dst = Join-Path $mnt 'dst'
        New-TestTree -Root $src -Files @{ 'frozen.txt' = 'new frozen'; 'free.txt' = 'new free'; 'icedir/inner.txt' = 'new inner' }
        New-TestTree -Root $dst -Files @{ 'frozen.txt' = 'old frozen'; 'free.txt' = 'old free'; 'icedir/inner.txt' = 'old inner'; 'stuck.txt' = 'extraneous, immutable'; 'gone.txt' = 'extraneous' }
        chattr +i "$dst/frozen.txt" "$dst/stuck.txt" "$dst/icedir"
        $r = Invoke-BlitMirror $src $dst -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    }
    AfterAll {
        chattr -i "$dst/frozen.txt" "$dst/stuck.txt" "$dst/icedir" 2>$null
        Remove-RelScratch $scratch
    }

    It 'reports each entry it cannot replace or delete, keeps it, and does the rest' {
        $byTarget = @{}
        foreach ($e in $errs) { $byTarget[[string]$e.TargetObject] = $e.FullyQualifiedErrorId -replace ',.*' }
        $byTarget["$dst/frozen.txt"] | Should -Be 'CopyFailed'
        $byTarget["$dst/icedir/inner.txt"] | Should -Be 'CopyFailed'
        $byTarget["$dst/stuck.txt"] | Should -Be 'DeleteFailed'
        [IO.File]::ReadAllText("$dst/frozen.txt") | Should -Be 'old frozen'
        [IO.File]::ReadAllText("$dst/icedir/inner.txt") | Should -Be 'old inner'
        [IO.File]::ReadAllText("$dst/stuck.txt") | Should -Be 'extraneous, immutable'
        [IO.File]::ReadAllText("$dst/free.txt") | Should -Be 'new free'
        Test-Path "$dst/gone.txt" | Should -BeFalse
        $byTarget["$dst/icedir"] | Should -Be 'MetadataFailed' -Because 'an immutable directory keeps its metadata too'
        $r.Errors | Should -Be 4
        Get-TempFile $dst | Should -BeNullOrEmpty
    }
}
