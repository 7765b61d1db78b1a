# Issue 7, item 3, through the cmdlet: source files deleted, grown, shrunk or swapped for a symlink
# after the scan and before their copy. A lease on the first file of the directory holds the copy
# worker there while the test changes the files after it (same batch, copied in name order), so
# every change lands between scan and copy, whatever the timing.
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'Source entries that change during a run (issue 7.3)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'changes'
        $src = Join-Path $scratch 'src'
        $dst = Join-Path $scratch 'dst'
        $outside = Join-Path $scratch 'outside'
        New-TestTree -Root $outside -Files @{ 'secret.txt' = 'outside: must not be copied' }
        $names = 'a-first.txt', 'b-vanish.txt', 'c-grow.txt', 'd-shrink.txt', 'e-symlink.txt', 'f-last.txt'
        foreach ($n in $names) { New-TestTree -Root $src -Files @{ "v/$n" = "old $n" } }
        $null = Invoke-BlitMirror $src $dst
        foreach ($n in $names) { [IO.File]::WriteAllText("$src/v/$n", "new version of $n") }
        $scannedMtime = @{}
        foreach ($n in $names) { $scannedMtime[$n] = (Get-Item "$src/v/$n").LastWriteTimeUtc }

        $lease = New-Lease "$src/v/a-first.txt"
        try {
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($m, $s, $d) Import-Module $m; Invoke-BlitMirror -Path $s -Destination $d -ThrottleLimit 1').
                AddArgument($ModuleManifest).AddArgument($src).AddArgument($dst)
            $async = $ps.BeginInvoke()
            Wait-Until -Because 'the copy to reach a-first.txt (after the scan)' { $lease.IsBreaking -or $async.IsCompleted }
            $heldAtFirstFile = $lease.IsBreaking
            Remove-Item "$src/v/b-vanish.txt"
            [IO.File]::AppendAllText("$src/v/c-grow.txt", ' grown after the scan')
            $f = [IO.File]::OpenWrite("$src/v/d-shrink.txt"); $f.SetLength(3); $f.Dispose()
            Remove-Item "$src/v/e-symlink.txt"
            $null = New-Item -ItemType SymbolicLink -Path "$src/v/e-symlink.txt" -Target "$outside/secret.txt"
        } finally {
            $lease.Dispose()
        }
        $result = $ps.EndInvoke($async)
        $errors = @($ps.Streams.Error)
        function ErrorFor([string] $Name) { @($errors | Where-Object TargetObject -eq "$src/v/$Name") }
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'held the copy at the first file of the directory, after the scan' {
        $heldAtFirstFile | Should -BeTrue
    }

    It 'reports a file deleted after the scan as SourceVanished and keeps its destination version' {
        (ErrorFor 'b-vanish.txt').FullyQualifiedErrorId | Should -Be 'SourceVanished,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        (ErrorFor 'b-vanish.txt').CategoryInfo.Category | Should -Be 'ObjectNotFound'
        [IO.File]::ReadAllText("$dst/v/b-vanish.txt") | Should -Be 'old b-vanish.txt'
    }

    It 'reports files that grew or shrank as SourceChanged, keeps their old versions, not stamped with the scanned mtime' {
        foreach ($n in 'c-grow.txt', 'd-shrink.txt') {
            (ErrorFor $n).FullyQualifiedErrorId | Should -Be 'SourceChanged,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
            [IO.File]::ReadAllText("$dst/v/$n") | Should -Be "old $n"
            (Get-Item "$dst/v/$n").LastWriteTimeUtc | Should -Not -Be $scannedMtime[$n]
        }
    }

    It 'reports a file swapped for a symlink as SourceChanged and copies nothing through it' {
        (ErrorFor 'e-symlink.txt').FullyQualifiedErrorId | Should -Be 'SourceChanged,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        [IO.File]::ReadAllText("$dst/v/e-symlink.txt") | Should -Be 'old e-symlink.txt'
    }

    It 'completes everything else' {
        $errors.Count | Should -Be 4
        $result.Errors | Should -Be 4
        [IO.File]::ReadAllText("$dst/v/a-first.txt") | Should -Be 'new version of a-first.txt'
        [IO.File]::ReadAllText("$dst/v/f-last.txt") | Should -Be 'new version of f-last.txt'
        Get-TempFile $dst | Should -BeNullOrEmpty
    }

    It 'copies the changed files on the next run and then matches the source' {
        $next = Invoke-BlitMirror $src $dst
        $next.Errors | Should -Be 0
        $next.FilesUpdated | Should -Be 2   # c-grow, d-shrink
        $next.SymlinksCopied | Should -Be 1 # e-symlink, now a symlink in the source
        $next.FilesDeleted | Should -Be 1   # b-vanish, gone from the source
        Get-TreeDiff $src $dst | Should -BeNullOrEmpty
        [IO.File]::ReadAllText("$outside/secret.txt") | Should -Be 'outside: must not be copied'
    }
}
