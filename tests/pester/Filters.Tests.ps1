# Filters as a user reaches for them: -Exclude, -Include, rule files, -DeleteExcluded and the
# warnings for patterns that cannot mean what they say. The matching rules themselves are held to
# rsync by the xunit table (tests/Blit.Core.Tests/Mirror/FilterTable).

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $MirrorId = 'Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'

    function Get-Names {
        <# Relative paths of the files below $Root, '/'-separated, in ordinal order. #>
        param([Parameter(Mandatory)][string] $Root)
        [string[]] $names = @(Get-ChildItem -LiteralPath $Root -Recurse -File -Force |
            ForEach-Object { [IO.Path]::GetRelativePath($Root, $_.FullName) })
        [Array]::Sort($names, [StringComparer]::Ordinal)
        $names
    }
}

Describe 'Invoke-BlitMirror filters' {
    BeforeEach {
        $src = Join-Path $TestDrive "src-$(New-Guid)"
        $dst = Join-Path $TestDrive "dst-$(New-Guid)"
        New-TestTree -Root $src -Files @{
            'README.md'           = 'readme'
            'src/main.c'          = 'int main(void) { return 0; }'
            'src/main.o'          = 'object'
            'src/notes~'          = 'backup'
            'build/app'           = 'binary'
            'logs/2024/run1.log'  = 'log'
            'cache/blob.bin'      = 'cached'
        }
    }

    It 'reads an exclude file with comments and blank lines' {
        $list = Join-Path $TestDrive "excludes-$(New-Guid).txt"
        # Written as an editor on Windows would: CRLF line ends.
        [IO.File]::WriteAllText($list, "# build output`r`n/build/`r`n*.o`r`n`r`n; editor files`r`n*~`r`n   `r`n")
        $r = Invoke-BlitMirror $src $dst -ExcludeFrom $list
        $r.Errors | Should -Be 0
        Get-Names $dst | Should -Be @('README.md', 'cache/blob.bin', 'logs/2024/run1.log', 'src/main.c')
    }

    It 'takes patterns from Get-Content, blank lines and all' {
        $list = Join-Path $TestDrive "plain-$(New-Guid).txt"
        Set-Content -LiteralPath $list -Value @('*.o', '', 'cache/', '')
        $r = Invoke-BlitMirror $src $dst -Exclude (Get-Content -LiteralPath $list) -ErrorAction Stop
        $r.Errors | Should -Be 0
        Test-Path (Join-Path $dst 'src/main.o') | Should -BeFalse
        Test-Path (Join-Path $dst 'cache') | Should -BeFalse
        Test-Path (Join-Path $dst 'src/main.c') | Should -BeTrue
    }

    It 'mirrors only what -Include names when everything else is excluded' {
        $r = Invoke-BlitMirror $src $dst -Include '*/', '*.c', '*.md' -Exclude '*'
        Get-Names $dst | Should -Be @('README.md', 'src/main.c')
        $r.FilesCopied | Should -Be 2
    }

    It 'tries -Include before -Exclude, whatever order they are written in' {
        $null = Invoke-BlitMirror $src $dst -Exclude '*.log' -Include 'run1.log'
        Test-Path (Join-Path $dst 'logs/2024/run1.log') | Should -BeTrue
    }

    It 'reads an include file, with + and - lines in either kind of file' {
        $list = Join-Path $TestDrive "includes-$(New-Guid).txt"
        Set-Content -LiteralPath $list -Value @('/README.md', '/src/', '- *.o', '/src/*')
        $null = Invoke-BlitMirror $src $dst -IncludeFrom $list -Exclude '*'
        Get-Names $dst | Should -Be @('README.md', 'src/main.c', 'src/notes~')
    }

    It 'keeps excluded destination entries, and deletes them with -DeleteExcluded' {
        $null = Invoke-BlitMirror $src $dst
        $kept = Invoke-BlitMirror $src $dst -Exclude 'cache/', '*.log'
        $kept.FilesDeleted | Should -Be 0
        Test-Path (Join-Path $dst 'cache/blob.bin') | Should -BeTrue

        $deleted = Invoke-BlitMirror $src $dst -Exclude 'cache/', '*.log' -DeleteExcluded
        $deleted.FilesDeleted | Should -Be 2
        Test-Path (Join-Path $dst 'cache') | Should -BeFalse
        Test-Path (Join-Path $dst 'logs/2024/run1.log') | Should -BeFalse
        Test-Path (Join-Path $dst 'logs/2024') | Should -BeTrue -Because 'directories are mirrored; only the excluded entries go'
    }

    It 'warns about a full path and says what to write instead' {
        $r = Invoke-BlitMirror $src $dst -Exclude "$src/cache" -WarningVariable warnings -WarningAction SilentlyContinue
        $r.Errors | Should -Be 0
        "$warnings" | Should -Match ([regex]::Escape("Write '/cache'"))
        Test-Path (Join-Path $dst 'cache/blob.bin') | Should -BeTrue -Because 'the pattern matches nothing, as in rsync'
    }

    It 'warns about a backslash used as a path separator' {
        $null = Invoke-BlitMirror $src $dst -Exclude 'logs\2024' -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match ([regex]::Escape("write 'logs/2024'"))
    }

    It 'does not warn about ordinary patterns' {
        $null = Invoke-BlitMirror $src $dst -Exclude '/build/', '*.o', 'file\*' -Include '*/' -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
    }

    It 'refuses a missing rule file before touching anything' {
        $err = $null
        try { Invoke-BlitMirror $src $dst -ExcludeFrom (Join-Path $TestDrive 'missing.txt') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be "FilterFileUnreadable,$MirrorId"
        $err.CategoryInfo.Category | Should -Be 'ReadError'
        Test-Path $dst | Should -BeFalse
    }
}
