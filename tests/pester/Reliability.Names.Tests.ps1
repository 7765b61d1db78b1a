# Issue 7, item 5, through the cmdlet: names are mirrored byte for byte (NFC and NFD stay distinct),
# including newlines, backslashes, leading dashes, wildcard characters and 255-byte names, in the
# tree and as the source and destination paths themselves. (Depth beyond PATH_MAX, zero-byte and
# sparse files are in tests/Blit.Core.Tests/Reliability/ShapeTests.cs, non-UTF-8 names in
# tests/Blit.Core.Tests/Mirror/ByteNameTests.cs; 100k entries in a
# directory and a 1M-entry tree in Reliability.Scale.Tests.ps1.)
BeforeAll {
    . "$PSScriptRoot/ReliabilityHelpers.ps1"
}

Describe 'Names (issue 7.5)' -Tag 'Reliability' {
    BeforeAll {
        $scratch = New-RelScratch 'names'
        $names = @(
            "caf$([char]0xE9)"                  # NFC
            "cafe$([char]0x301)"                # NFD: another name
            "line one`nline two"
            'back\slash'
            '-rf'
            '--delete'
            ' '
            'trailing space '
            "tab`there"
            '*?[a]{b}$HOME`x`'
            '...'
            '.~blit-1-1.tmp'                    # looks like a Blit temp file, but it is source data
            ('n' * 255)
            (([string][char]0xE9) * 127) + 'a'  # 255 bytes
            "$([char]::ConvertFromUtf32(0x1F600)) emoji"
        )
    }
    AfterAll {
        Remove-RelScratch $scratch
    }

    It 'mirrors every odd name exactly, and a second run changes nothing' {
        $src = Join-Path $scratch 'src'
        $dst = Join-Path $scratch 'dst'
        foreach ($n in $names) {
            [Text.Encoding]::UTF8.GetByteCount($n) | Should -BeLessOrEqual 255
            # String paths, not Join-Path: on Linux it turns 'back\slash' into 'back/slash'.
            $dir = "$src/dir $($n.Substring(0, [Math]::Min($n.Length, 100)))"
            $null = [IO.Directory]::CreateDirectory($dir)
            [IO.File]::WriteAllText("$src/$n", "file $n")
            [IO.File]::WriteAllText("$dir/inner", "inner $n")
        }
        $r = Invoke-BlitMirror -Path $src -Destination $dst
        $r.Errors | Should -Be 0
        $r.FilesCopied | Should -Be (2 * $names.Count)
        $srcNames = [IO.Directory]::GetFileSystemEntries($src) | ForEach-Object { [IO.Path]::GetFileName($_) } | Sort-Object -CaseSensitive
        $dstNames = [IO.Directory]::GetFileSystemEntries($dst) | ForEach-Object { [IO.Path]::GetFileName($_) } | Sort-Object -CaseSensitive
        ($dstNames -join '/') | Should -BeExactly ($srcNames -join '/')
        $dstNames | Should -Contain "caf$([char]0xE9)"
        $dstNames | Should -Contain "cafe$([char]0x301)"
        Get-TreeDiff $src $dst | Should -BeNullOrEmpty

        $again = Invoke-BlitMirror -Path $src -Destination $dst
        $again.FilesUnchanged | Should -Be (2 * $names.Count)
        $again.FilesCopied + $again.FilesUpdated + $again.FilesDeleted + $again.MetadataUpdated | Should -Be 0
    }

    It 'takes odd names as the source and destination paths themselves' {
        $src = Join-Path $scratch '-rf [src] $HOME'
        $dst = Join-Path $scratch "--delete dst`nwith newline"
        $null = [IO.Directory]::CreateDirectory($src)
        [IO.File]::WriteAllText("$src/a.txt", 'a')
        # [src] is a wildcard to -Path (issue 15.5): such a name is given with -LiteralPath.
        { Invoke-BlitMirror -Path $src -Destination $dst -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        $r = Invoke-BlitMirror -LiteralPath $src -Destination $dst
        $r.Source | Should -BeExactly $src
        $r.Destination | Should -BeExactly $dst
        [IO.File]::ReadAllText("$dst/a.txt") | Should -Be 'a'
    }

    It 'mirrors photos[1] as written with -LiteralPath, and never photos1 (which the wildcard matches)' {
        $right = Join-Path $scratch 'photos[1]'
        $decoy = Join-Path $scratch 'photos1'
        $dst = Join-Path $scratch 'backup'
        New-TestTree -Root $decoy -Files @{ 'decoy.txt' = 'wrong directory' }
        $null = [IO.Directory]::CreateDirectory($right)
        [IO.File]::WriteAllText("$right/right.txt", 'right directory')
        # The destination already holds a mirror of photos[1]: mirroring the decoy would delete it.
        $null = [IO.Directory]::CreateDirectory($dst)
        [IO.File]::WriteAllText("$dst/right.txt", 'right directory')

        # -Path reads [1] as a wildcard, which matches photos1, while photos[1] exists too: refused,
        # not guessed (issue 15.5), and nothing is touched.
        $err = $null
        try { Invoke-BlitMirror -Path $right -Destination $dst -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidArgument,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        "$err" | Should -Match 'LiteralPath'
        Test-Path -LiteralPath "$dst/right.txt" | Should -BeTrue

        $r = Invoke-BlitMirror -LiteralPath $right -Destination $dst
        $r.Source | Should -BeExactly $right
        $r.FilesDeleted | Should -Be 0
        Test-Path -LiteralPath "$dst/right.txt" | Should -BeTrue
        Test-Path -LiteralPath "$dst/decoy.txt" | Should -BeFalse

        $piped = Get-Item -LiteralPath $right | Invoke-BlitMirror -Destination $dst
        $piped.Source | Should -BeExactly $right
        Test-Path -LiteralPath "$dst/decoy.txt" | Should -BeFalse
    }
}
