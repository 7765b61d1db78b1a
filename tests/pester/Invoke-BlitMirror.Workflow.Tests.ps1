#Requires -Version 7.4
# Issue 15: what robocopy and rsync users reach for first, exercised as they would use it:
# -Verbose and -LogPath (robocopy /LOG, /V; rsync --log-file), a dry run as data (-WhatIf
# -PassThru), a copy-only mode (-NoDelete), batches that keep going, -LiteralPath, retries, and
# honest figures and help links.

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $ProgressPreference = 'SilentlyContinue'

    function Get-VerboseLine {
        <# The -Verbose messages of a run, captured with 4>&1 as a script would. #>
        param([object[]] $Output)
        @($Output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }

    function Get-ItemKey {
        <# A comparable line per MirrorItem. #>
        param([object[]] $Output)
        @($Output | Where-Object { $_ -is [Blit.Mirror.MirrorItem] } |
            ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Action, $_.RelativePath, $_.Kind, $_.Length } | Sort-Object)
    }
}

Describe 'Invoke-BlitMirror -Verbose and -LogPath (issue 15.1)' {
    BeforeEach {
        $src = Join-Path $TestDrive "src-$(New-Guid)"
        $dst = Join-Path $TestDrive "dst-$(New-Guid)"
        $log = Join-Path $TestDrive "log-$(New-Guid).log"
        New-TestTree -Root $src -Files @{ 'a.txt' = 'alpha'; 'sub/b.txt' = 'beta'; 'keep.log' = 'not mirrored' }
    }

    It 'writes a verbose line for the scan, the plan, each action and the figures' {
        $out = Invoke-BlitMirror $src $dst -Exclude '*.log' -Verbose 4>&1
        $lines = Get-VerboseLine $out
        $lines[0] | Should -BeExactly "Mirroring '$src' into '$dst': destination entries not in the source are deleted."
        $lines | Should -Contain ("CopyFile: '{0}' (5 bytes)" -f (Join-Path $dst 'a.txt'))
        $lines | Should -Contain ("CopyFile: '{0}' (4 bytes)" -f (Join-Path $dst 'sub/b.txt'))
        $lines | Should -Contain ("CreateDirectory: '{0}'" -f (Join-Path $dst 'sub'))
        $lines | Where-Object { $_ -like 'Scanned in * s: source 2 files, 2 directories, 0 symlinks (9 bytes); destination 0 files*' } |
            Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -like 'Plan: 2 directories to create, 2 files to copy and 0 to update (9 bytes)*' } | Should -Not -BeNullOrEmpty
        $lines[-1] | Should -BeLike 'Done in * s: 2 files copied, 0 updated (9 bytes)*0 errors, 0 retries.'
        @($out | Where-Object { $_ -is [Blit.Mirror.MirrorResult] }).Count | Should -Be 1
    }

    It 'writes a verbose line for each entry left alone, with the reason' {
        $null = Invoke-BlitMirror $src $dst -Exclude '*.log'
        New-TestTree -Root $dst -Files @{ 'extra.txt' = 'only here' }
        $lines = Get-VerboseLine (Invoke-BlitMirror $src $dst -Exclude '*.log' -NoDelete -Verbose 4>&1)
        $lines | Should -Contain ("Skip: '{0}' (Unchanged: same size, modification time and metadata)" -f (Join-Path $dst 'a.txt'))
        $lines | Should -Contain ("Skip: '{0}' (Unchanged: same size, modification time and metadata)" -f (Join-Path $dst 'sub/b.txt'))
        $lines | Should -Contain ("Skip: '{0}' (Excluded: matches -Exclude; not copied)" -f (Join-Path $dst 'keep.log'))
        $lines | Should -Contain ("Skip: '{0}' (NotDeleted: not in the source; kept (-NoDelete))" -f (Join-Path $dst 'extra.txt'))
        $lines | Where-Object { $_ -like 'CopyFile:*' } | Should -BeNullOrEmpty
    }

    It 'writes no verbose line without -Verbose' {
        $out = Invoke-BlitMirror $src $dst 4>&1
        Get-VerboseLine $out | Should -BeNullOrEmpty
    }

    It 'writes a log with a header, one line per action and a summary that Select-String finds' {
        $r = Invoke-BlitMirror $src $dst -Exclude '*.log' -RetryCount 2 -LogPath $log
        $text = Get-Content -LiteralPath $log
        $text | Should -Contain "Source      : $src"
        $text | Should -Contain "Destination : $dst"
        $text | Should -Contain 'Mode        : Mirror (destination entries not in the source are deleted)'
        $text | Should -Contain 'WhatIf      : False'
        $text | Should -Contain "Options     : -Exclude '*.log' -RetryCount 2"
        (Select-String -LiteralPath $log -Pattern '^Started     : \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$').Count | Should -Be 1
        $copies = Select-String -LiteralPath $log -Pattern '  CopyFile  '
        $copies.Count | Should -Be 2
        @($copies.Line -match ('^\S+Z  CopyFile +File +5  ' + [regex]::Escape((Join-Path $dst 'a.txt')) + '$')).Count |
            Should -Be 1 -Because 'one line per action: time, action, kind, bytes, path'
        (Select-String -LiteralPath $log -Pattern '  CreateDirectory  ').Count | Should -Be 1
        $text | Should -Contain 'Copied      : 2 new, 0 updated, 0 symlinks, 0 unchanged, 9 bytes'
        $text | Should -Contain 'Errors      : 0'
        $text | Should -Contain 'Result      : Success'
        Select-String -LiteralPath $log -Pattern 'Skip' | Should -BeNullOrEmpty -Because 'skips are logged only with -Verbose, as robocopy /V'
        $r.Success | Should -BeTrue
    }

    It 'logs errors and warnings, and the skips with -Verbose' {
        # An extraneous directory that holds an excluded file is kept, with a warning.
        $null = New-Item -ItemType Directory -Force (Join-Path $dst 'extra')
        Set-Content -LiteralPath (Join-Path $dst 'extra/x.keep') -Value 'kept'
        $null = Invoke-BlitMirror $src $dst -Exclude '*.keep' -LogPath $log -Verbose -WarningAction SilentlyContinue 4>$null
        (Select-String -LiteralPath $log -Pattern ('  WARNING +DirectoryNotEmpty  ' + [regex]::Escape((Join-Path $dst 'extra')))).Count | Should -Be 1
        $null = Invoke-BlitMirror $src $dst -LogPath $log -Verbose -WarningAction SilentlyContinue 4>$null
        (Select-String -LiteralPath $log -Pattern '  Skip +File +.*a\.txt  \(Unchanged: ').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern 'Blit .* :: Invoke-BlitMirror').Count | Should -Be 1 -Because 'without -Append the log is replaced'
    }

    It 'replaces the log without -Append and adds to it with -Append' {
        Set-Content -LiteralPath $log -Value 'an older log line'
        $null = Invoke-BlitMirror $src $dst -LogPath $log
        Get-Content -LiteralPath $log | Should -Not -Contain 'an older log line'
        $null = Invoke-BlitMirror $src $dst -LogPath $log -Append
        (Select-String -LiteralPath $log -Pattern '^Result      : Success$').Count | Should -Be 2
    }

    It 'puts every input of a pipeline into one log, a failed input as "Not run"' {
        $rows = @(
            [pscustomobject]@{ Path = $src; Destination = $dst }
            [pscustomobject]@{ Path = "$src-missing"; Destination = "$dst-2" }
        )
        $null = $rows | Invoke-BlitMirror -LogPath $log -ErrorAction SilentlyContinue
        (Select-String -LiteralPath $log -Pattern '^Result      : Success$').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern '^Result      : Not run \(SourceNotFound\)$').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern ('  ERROR +SourceNotFound  ' + [regex]::Escape("$src-missing"))).Count | Should -Be 1
    }

    It 'stops with LogPathUnusable before mirroring when the log cannot be written' {
        { Invoke-BlitMirror $src $dst -LogPath (Join-Path $TestDrive 'no-such-dir/x.log') } |
            Should -Throw -ErrorId 'LogPathUnusable,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        Test-Path $dst | Should -BeFalse
    }
}

Describe 'Invoke-BlitMirror -WhatIf as data (issue 15.1)' {
    BeforeEach {
        $src = Join-Path $TestDrive "src-$(New-Guid)"
        $dst = Join-Path $TestDrive "dst-$(New-Guid)"
        New-TestTree -Root $src -Files @{ 'a.txt' = 'alpha'; 'sub/b.txt' = 'beta'; 'sub/deep/c.txt' = 'gamma' }
        New-TestTree -Root $dst -Files @{ 'junk.txt' = 'j'; 'olddir/x.txt' = 'x'; 'sub/b.txt' = 'stale' }
    }

    It '-WhatIf -PassThru returns the MirrorItems a real run returns, and touches nothing' {
        $before = Get-TreeListing $dst
        $dry = Invoke-BlitMirror $src $dst -WhatIf -PassThru
        Get-TreeListing $dst | Should -Be $before
        $dry[-1].WhatIf | Should -BeTrue
        $planned = Get-ItemKey $dry
        $planned | Should -Not -BeNullOrEmpty
        $planned | Should -Contain 'Delete|junk.txt|File|0'
        $planned | Should -Contain 'Delete|olddir|Directory|0'

        $real = Invoke-BlitMirror $src $dst -PassThru
        Get-ItemKey $real | Should -Be $planned
        $real[-1].WhatIf | Should -BeFalse
    }

    It '-WhatIf without -PassThru returns only the result' {
        $out = @(Invoke-BlitMirror $src $dst -WhatIf)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType ([Blit.Mirror.MirrorResult])
    }

    It '-WhatIf writes the log of the dry run, and says so' {
        $log = Join-Path $TestDrive "whatif-$(New-Guid).log"
        $null = Invoke-BlitMirror $src $dst -WhatIf -LogPath $log
        $text = Get-Content -LiteralPath $log
        $text | Should -Contain 'WhatIf      : True (dry run: the actions below are planned, not done)'
        $text | Should -Contain 'Result      : WhatIf (nothing was changed)'
        (Select-String -LiteralPath $log -Pattern '  Delete +File .*junk\.txt$').Count | Should -Be 1
        Test-Path (Join-Path $dst 'junk.txt') | Should -BeTrue
    }
}

Describe 'Invoke-BlitMirror -NoDelete (issue 15.3)' {
    BeforeEach {
        $src = Join-Path $TestDrive "src-$(New-Guid)"
        $dst = Join-Path $TestDrive "dst-$(New-Guid)"
        New-TestTree -Root $src -Files @{ 'a.txt' = 'new alpha'; 'sub/b.txt' = 'beta' }
        New-TestTree -Root $dst -Files @{ 'a.txt' = 'old'; 'extra.txt' = 'only in the destination'; 'olddir/x.txt' = 'x' }
    }

    It 'copies and updates, keeps extraneous entries, and the result says deletions were not requested' {
        $r = Invoke-BlitMirror $src $dst -NoDelete
        $r.NoDelete | Should -BeTrue
        $r.FilesDeleted + $r.DirectoriesDeleted | Should -Be 0
        $r.FilesCopied + $r.FilesUpdated | Should -Be 2
        Get-Content (Join-Path $dst 'a.txt') | Should -Be 'new alpha'
        Get-Content (Join-Path $dst 'extra.txt') | Should -Be 'only in the destination'
        Get-Content (Join-Path $dst 'olddir/x.txt') | Should -Be 'x'
        ($r | Out-String) -replace "`e\[[0-9;]*m", '' | Should -Match '(?m)^Deleted\s+: none requested \(-NoDelete\)'
        ($r | Format-Table | Out-String -Width 200) | Should -Match '\(NoDelete\)'
    }

    It 'a mirror without it deletes them, and its result says deletions were requested' {
        $r = Invoke-BlitMirror $src $dst
        $r.NoDelete | Should -BeFalse
        Test-Path (Join-Path $dst 'extra.txt') | Should -BeFalse
    }

    It '-WhatIf plans no deletion' {
        $items = Invoke-BlitMirror $src $dst -NoDelete -WhatIf -PassThru
        $items | Where-Object { $_ -is [Blit.Mirror.MirrorItem] -and $_.Action -eq 'Delete' } | Should -BeNullOrEmpty
        $items[-1].FilesDeleted | Should -Be 0
    }

    It 'is not refused for an empty source, which then deletes nothing' {
        $empty = Join-Path $TestDrive "empty-$(New-Guid)"
        $null = New-Item -ItemType Directory $empty
        { Invoke-BlitMirror $empty $dst -ErrorAction Stop } | Should -Throw -ErrorId 'EmptySourceRefused,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        (Invoke-BlitMirror $empty $dst -NoDelete).FilesDeleted | Should -Be 0
        Test-Path (Join-Path $dst 'extra.txt') | Should -BeTrue
    }
}

Describe 'Invoke-BlitMirror batches (issue 15.4)' {
    BeforeEach {
        $root = Join-Path $TestDrive "batch-$(New-Guid)"
        New-TestTree -Root $root -Files @{ 'one/a.txt' = '1'; 'two/b.txt' = '22'; 'three/c.txt' = '333'; 'afile' = 'not a directory' }
    }

    It 'goes on past a CSV row with a missing source: a non-terminating error for that row' {
        $csv = Join-Path $root 'jobs.csv'
        @(
            'Path,Destination'
            "$root/one,$root/out/one"
            "$root/missing,$root/out/missing"
            "$root/two,$root/out/two"
        ) | Set-Content -LiteralPath $csv
        $results = Import-Csv $csv | Invoke-BlitMirror -ErrorVariable failed -ErrorAction SilentlyContinue
        $results.Count | Should -Be 2
        $results.Source | Should -Be @("$root/one", "$root/two")
        $results.Destination | Should -Be @("$root/out/one", "$root/out/two")
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'SourceNotFound,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].TargetObject | Should -Be "$root/missing"
        Test-Path "$root/out/two/b.txt" | Should -BeTrue
        Test-Path "$root/out/missing" | Should -BeFalse
    }

    It 'goes on past a refused destination in the middle' {
        $rows = @(
            [pscustomobject]@{ Path = "$root/one"; Destination = "$root/out/one" }
            [pscustomobject]@{ Path = "$root/two"; Destination = "$root/afile" }
            [pscustomobject]@{ Path = "$root/three"; Destination = "$root/three/inside" }
            [pscustomobject]@{ Path = "$root/three"; Destination = "$root/out/three" }
        )
        $results = $rows | Invoke-BlitMirror -ErrorVariable failed -ErrorAction SilentlyContinue
        $results.Destination | Should -Be @("$root/out/one", "$root/out/three")
        $failed.FullyQualifiedErrorId | Should -Be @(
            'DestinationNotDirectory,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
            'SameOrNestedPath,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand')
        $failed.CategoryInfo.Category | Should -Be @('InvalidArgument', 'InvalidArgument')
    }

    It 'stops at the bad row with -ErrorAction Stop' {
        $rows = @(
            [pscustomobject]@{ Path = "$root/missing"; Destination = "$root/out/missing" }
            [pscustomobject]@{ Path = "$root/two"; Destination = "$root/out/two" }
        )
        { $rows | Invoke-BlitMirror -ErrorAction Stop } | Should -Throw -ErrorId 'SourceNotFound,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        Test-Path "$root/out/two" | Should -BeFalse
    }

    It 'keeps a setup failure terminating for one direct call, so try/catch catches it' {
        $caught = $null
        try { Invoke-BlitMirror "$root/missing" "$root/out/x" } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'SourceNotFound,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
    }

    It 'refuses a second directory into the same destination (Get-ChildItem -Directory | ... -Destination X)' {
        $dirs = Get-ChildItem -LiteralPath $root -Directory | Sort-Object Name   # one, three, two
        $results = $dirs | Invoke-BlitMirror -Destination "$root/X" -ErrorVariable failed -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $results.Source | Should -Be "$root/one"
        $failed.Count | Should -Be 2
        $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'DestinationReused,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand' }
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        "$($failed[0])" | Should -Match ([regex]::Escape("$root/one"))
        Get-ChildItem -LiteralPath "$root/X" -Name | Should -Be 'a.txt' -Because 'the first mirror was not undone by the others'
    }

    It 'mirrors each directory into its own destination with a -Destination script block' {
        $results = Get-ChildItem -LiteralPath $root -Directory | Invoke-BlitMirror -Destination { Join-Path "$root/by-name" $_.Name }
        @($results).Count | Should -Be 3
        foreach ($r in $results) { $r.Destination | Should -Be (Join-Path "$root/by-name" (Split-Path -Leaf $r.Source)) }
        Get-Content "$root/by-name/three/c.txt" | Should -Be '333'
    }

    It 'merges several sources into one destination with -NoDelete' {
        $results = Get-ChildItem -LiteralPath $root -Directory | Invoke-BlitMirror -Destination "$root/merged" -NoDelete
        @($results).Count | Should -Be 3
        Get-ChildItem -LiteralPath "$root/merged" -Name | Sort-Object | Should -Be @('a.txt', 'b.txt', 'c.txt')
    }
}

Describe 'Invoke-BlitMirror -LiteralPath (issue 15.5)' {
    BeforeEach {
        $root = Join-Path $TestDrive "lit-$(New-Guid)"
        $null = New-Item -ItemType Directory -Path $root
        $bracket = Join-Path $root 'photos[1]'
        $plain = Join-Path $root 'photos1'
        $null = [IO.Directory]::CreateDirectory($bracket)
        $null = [IO.Directory]::CreateDirectory($plain)
        [IO.File]::WriteAllText((Join-Path $bracket 'literal.txt'), 'the literal one')
        [IO.File]::WriteAllText((Join-Path $plain 'wildcard.txt'), 'the wildcard match')
    }

    It 'is its own parameter set, with the aliases PowerShell''s cmdlets use' {
        $command = Get-Command Invoke-BlitMirror
        $command.ParameterSets.Name | Should -Be @('Path', 'LiteralPath')
        $command.DefaultParameterSet | Should -Be 'Path'
        $command.Parameters['LiteralPath'].Aliases | Sort-Object | Should -Be @('LP', 'PSPath')
        $command.Parameters['Path'].Aliases | Should -Not -Contain 'PSPath'
    }

    It 'takes the name as written' {
        (Invoke-BlitMirror -LiteralPath $bracket -Destination "$root/d1").Source | Should -Be $bracket
        Get-ChildItem "$root/d1" -Name | Should -Be 'literal.txt'
        (Invoke-BlitMirror -LP $bracket -Destination "$root/d2").Source | Should -Be $bracket
    }

    It 'binds Get-Item and Get-ChildItem output through PSPath' {
        $r = Get-Item -LiteralPath $bracket | Invoke-BlitMirror -Destination "$root/d3"
        $r.Source | Should -Be $bracket
        Get-ChildItem "$root/d3" -Name | Should -Be 'literal.txt'
        $all = Get-ChildItem -LiteralPath $root -Directory -Filter 'photos*' | Invoke-BlitMirror -Destination { Join-Path "$TestDrive/each" $_.Name }
        $all.Source | Sort-Object | Should -Be @($bracket, $plain)
        Get-ChildItem -LiteralPath "$TestDrive/each/photos[1]" -Name | Should -Be 'literal.txt'
    }

    It 'keeps -Path a wildcard: a name that is both is refused, not guessed' {
        $err = $null
        try { Invoke-BlitMirror -Path $bracket -Destination "$root/d4" -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidArgument,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        "$err" | Should -Match '-LiteralPath'
        Test-Path "$root/d4" | Should -BeFalse
    }

    It 'expands a -Path wildcard that matches one directory' {
        Remove-Item -LiteralPath $bracket -Recurse
        (Invoke-BlitMirror -Path $bracket -Destination "$root/d5").Source | Should -Be $plain
        (Invoke-BlitMirror -Path "$root/photo?1" -Destination "$root/d5").Source | Should -Be $plain
    }

    It 'refuses a -Path wildcard that matches several directories' {
        { Invoke-BlitMirror -Path "$root/photos*" -Destination "$root/d6" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        Test-Path "$root/d6" | Should -BeFalse
    }
}

Describe 'Invoke-BlitMirror -RetryCount and -RetryDelay (issue 15.6)' {
    # The retries themselves are exercised with injected EIO/ESTALE/ETIMEDOUT faults in
    # tests/Blit.Core.Tests/Reliability/RetryTests.cs; here, what a user sets and sees.
    It 'runs with retries configured and counts them in the result' {
        $src = Join-Path $TestDrive 'rsrc'
        New-TestTree -Root $src -Files @{ 'a.txt' = 'a' }
        $r = Invoke-BlitMirror $src (Join-Path $TestDrive 'rdst') -RetryCount 3 -RetryDelay 1
        $r.Retries | Should -Be 0
        $r.FilesCopied | Should -Be 1
        $r.PSObject.Properties['Retries'].TypeNameOfValue | Should -Be 'System.Int64'
    }

    It 'validates the ranges' {
        { Invoke-BlitMirror a b -RetryCount -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        { Invoke-BlitMirror a b -RetryDelay 3601 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
    }
}

Describe 'Honest figures and help links (issue 15.7)' {
    It 'counts in BytesCopied only the bytes of copies that completed' -Skip:(-not (Get-Command chattr -ErrorAction Ignore)) {
        $src = Join-Path $TestDrive 'bsrc'
        $dst = Join-Path $TestDrive 'bdst'
        New-TestTree -Root $src -Files @{ 'frozen.bin' = 'f' * 4000; 'free.txt' = 'free' }
        New-TestTree -Root $dst -Files @{ 'frozen.bin' = 'old' }
        # An immutable destination file: its new data is written to a temp file, whose rename over it fails.
        & chattr +i (Join-Path $dst 'frozen.bin') 2>$null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'this filesystem has no immutable attribute' ; return }
        try {
            $r = Invoke-BlitMirror $src $dst -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        finally {
            & chattr -i (Join-Path $dst 'frozen.bin') 2>$null
        }
        $errs.FullyQualifiedErrorId | Should -Be 'CopyFailed,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        $r.Errors | Should -Be 1
        $r.BytesCopied | Should -Be 4 -Because 'only free.txt arrived'
    }

    It 'Get-Help <Name> -Online opens no other project''s page' -ForEach @(
        @{ Name = 'Invoke-BlitMirror' }, @{ Name = 'Measure-BlitWorkload' }, @{ Name = 'Compare-BlitBaseline' }
    ) {
        (Get-Command $Name).HelpUri | Should -BeNullOrEmpty
        $err = $null
        try { Get-Help $Name -Online -ErrorAction Stop } catch { $err = $_ }
        "$err" | Should -Match 'URI\) of the Help topic is not specified'
        $links = @((Get-Help $Name -Full).relatedLinks.navigationLink)
        $links | Where-Object { $_.uri } | Should -BeNullOrEmpty
        $links.linkText | Should -Contain "Source of this help: docs/en-US/$Name.md in the Blit repository"
    }
}
