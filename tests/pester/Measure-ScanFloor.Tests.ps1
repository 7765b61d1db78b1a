# scripts/Measure-ScanFloor.sh, run once on a tiny tree from a copy of what it needs of the
# repository (its log goes under the copy's logs/), with the paths as a user types them:
# relative, with a space and a '. A copy, not links: TestDrive's cleanup must not reach the repository.
BeforeDiscovery {
    $canRun = $IsLinux -and (Get-Command gcc -ErrorAction Ignore) -and (Test-Path /usr/bin/time)
}

Describe 'Measure-ScanFloor.sh' -Skip:(-not $canRun) {
    BeforeAll {
        $repo = Resolve-Path "$PSScriptRoot/../.."
        $copy = Join-Path $TestDrive 'repo'
        $null = New-Item -ItemType Directory "$copy/scripts/bench"
        foreach ($name in 'Blit.psd1', 'bin', '.config', 'global.json') {
            Copy-Item -Recurse "$repo/$name" "$copy/$name"
        }
        Copy-Item "$repo/scripts/Measure-ScanFloor.sh" "$copy/scripts/"
        Copy-Item "$repo/scripts/bench/scan-floor.c" "$copy/scripts/bench/"
        $work = Join-Path $TestDrive 'work'
        $null = New-Item -ItemType Directory "$work/it's a tree/sub"
        Set-Content "$work/it's a tree/sub/f.txt" 'f'
        $null = New-Item -ItemType SymbolicLink -Path "$work/it's a tree/link" -Target 'sub'
    }

    It 'takes relative paths with a space and a quote from where it is run' {
        Push-Location $work
        try { $out = & bash "$copy/scripts/Measure-ScanFloor.sh" "it's a tree" 'the mirror' 1 2>&1 }
        finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        Get-Content -Raw "$work/the mirror/sub/f.txt" | Should -Be "f`n"
        $log = Get-Content -Raw (Get-ChildItem "$copy/logs/linux/scanfloor_*/scanfloor.log").FullName
        $log | Should -Match 'untimed first run: blit scan=\S+ copied=1 '
        # sub, sub/f.txt and the symlink (not followed) in each tree.
        $log | Should -Match 'scan-floor wall=\S+ entries=3 entries=3\s'
        $log | Should -Match 'blit scan=\S+ copied=0 updated=0 deleted=0'
    }

    It 'stops with exit code 1 when the untimed first run fails' {
        Set-Content -LiteralPath "$work/a file" 'not a directory'
        $out = & bash "$copy/scripts/Measure-ScanFloor.sh" "$work/it's a tree" "$work/a file" 1 2>&1
        $LASTEXITCODE | Should -Be 1
        ($out -join "`n") | Should -Match 'untimed first run failed: '
    }

    It 'refuses <What> with exit code 2, before any run' -ForEach @(
        @{ What = 'rounds that are not a number'; Rounds = 'six'; Pwsh = @() }
        @{ What = 'a pwsh.dll that is not there'; Rounds = '1'; Pwsh = @('/nonexistent/pwsh.dll') }
    ) {
        $never = Join-Path $TestDrive 'never'
        $null = & bash "$copy/scripts/Measure-ScanFloor.sh" "$work/it's a tree" $never $Rounds @Pwsh 2>&1
        $LASTEXITCODE | Should -Be 2
        Test-Path -LiteralPath $never | Should -BeFalse -Because 'no mirror may run on a refused argument'
    }

    It 'refuses a destination that does not sit beside the source, and deletes nothing there' {
        $elsewhere = Join-Path $TestDrive 'elsewhere'
        $null = New-Item -ItemType Directory $elsewhere
        Set-Content -LiteralPath "$elsewhere/keep.txt" 'mine'
        $out = & bash "$copy/scripts/Measure-ScanFloor.sh" "$work/it's a tree" $elsewhere 1 2>&1
        $LASTEXITCODE | Should -Be 2
        ($out -join "`n") | Should -Match 'must sit beside the source'
        Get-Content -LiteralPath "$elsewhere/keep.txt" | Should -Be 'mine'
    }
}
