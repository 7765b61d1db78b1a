BeforeAll {
    . "$PSScriptRoot/common.ps1"
}

Describe 'Invoke-BlitMirror' {
    BeforeEach {
        $src = Join-Path $TestDrive "src-$(New-Guid)"
        $dst = Join-Path $TestDrive "dst-$(New-Guid)"
        New-TestTree -Root $src -Files @{ 'a.txt' = 'alpha'; 'sub/b.txt' = 'beta'; 'sub/deep/c.txt' = 'gamma' }
    }

    Context 'binding' {
        It 'takes the source and destination by position' {
            $r = Invoke-BlitMirror $src $dst
            $r.FilesCopied | Should -Be 3
            Get-TreeListing $dst | Should -Be (Get-TreeListing $src)
        }

        It 'takes -Path by property name from Get-Item (FullName) and -Destination by name' {
            $r = Get-Item $src | Invoke-BlitMirror -Destination $dst
            $r.Source | Should -Be $src
            $r.FilesCopied | Should -Be 3
        }

        It 'takes both paths by property name from objects' {
            $dst2 = "$dst-2"
            $results = @(
                [pscustomobject]@{ Path = $src; Destination = $dst }
                [pscustomobject]@{ Path = $src; Destination = $dst2 }
            ) | Invoke-BlitMirror
            $results.Count | Should -Be 2
            $results.Destination | Should -Be @($dst, $dst2)
            Get-TreeListing $dst2 | Should -Be (Get-TreeListing $src)
        }

        It 'resolves relative paths against the PowerShell location, not the process directory' {
            Push-Location $TestDrive
            try {
                $r = Invoke-BlitMirror -Path (Split-Path $src -Leaf) -Destination 'relative-dst'
                $r.Destination | Should -Be (Join-Path $TestDrive 'relative-dst')
                Test-Path (Join-Path $TestDrive 'relative-dst/sub/deep/c.txt') | Should -BeTrue
            } finally { Pop-Location }
        }

        It 'resolves PowerShell drives' {
            $null = New-PSDrive -Name BlitT -PSProvider FileSystem -Root $TestDrive
            try {
                $r = Invoke-BlitMirror -Path "BlitT:/$(Split-Path $src -Leaf)" -Destination 'BlitT:/drive-dst'
                $r.FilesCopied | Should -Be 3
                Test-Path (Join-Path $TestDrive 'drive-dst/a.txt') | Should -BeTrue
            } finally { Remove-PSDrive BlitT }
        }

        It 'resolves ~ to the home directory' {
            $home1 = Join-Path $TestDrive 'home'
            $null = New-Item -ItemType Directory $home1
            $old = $env:HOME
            $env:HOME = $home1
            try {
                # PowerShell's ~ is the FileSystem provider's Home, set when the provider loads.
                $provider = Get-PSProvider FileSystem
                $oldProviderHome = $provider.Home
                $provider.Home = $home1
                $r = Invoke-BlitMirror -Path $src -Destination '~/backup'
                $r.Destination | Should -Be (Join-Path $home1 'backup')
            } finally {
                $env:HOME = $old
                $provider.Home = $oldProviderHome
            }
        }

        It 'rejects a non-filesystem provider path with InvalidArgument' {
            { Invoke-BlitMirror -Path 'Env:' -Destination $dst -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        }

        It 'validates -ThrottleLimit' {
            { Invoke-BlitMirror $src $dst -ThrottleLimit -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
            (Invoke-BlitMirror $src $dst -ThrottleLimit 3).WorkerCount | Should -Be 3
        }
    }

    Context 'result' {
        It 'returns one typed result with raw numbers' {
            $r = Invoke-BlitMirror $src $dst
            $r | Should -BeOfType ([Blit.Mirror.MirrorResult])
            $r.FilesScanned | Should -Be 3
            $r.DirectoriesScanned | Should -Be 3
            $r.BytesCopied | Should -Be 14
            $r.Duration | Should -BeOfType ([timespan])
            $r.BytesPerSecond | Should -BeOfType ([double])
            $r.Errors | Should -Be 0
            $r.Success | Should -BeTrue
            $r.WorkerCount | Should -BeGreaterThan 0
            ($r.FilesKernelCopied + $r.FilesCloned + $r.FilesStreamed) | Should -Be 3
        }

        It 'copies nothing on a second run of an unchanged tree' {
            $null = Invoke-BlitMirror $src $dst
            $r = Invoke-BlitMirror $src $dst
            $r.FilesCopied + $r.FilesUpdated | Should -Be 0
            $r.FilesUnchanged | Should -Be 3
        }

        It '-PassThru emits one record per action, then the result' {
            $out = Invoke-BlitMirror $src $dst -PassThru
            $items = $out | Where-Object { $_ -is [Blit.Mirror.MirrorItem] }
            ($items | Where-Object Action -eq 'CopyFile').RelativePath | Sort-Object | Should -Be @('a.txt', 'sub/b.txt', 'sub/deep/c.txt')
            ($items | Where-Object Action -eq 'CreateDirectory').RelativePath | Should -Contain 'sub/deep'
            $out[-1] | Should -BeOfType ([Blit.Mirror.MirrorResult])
        }

        It '-ModifyWindow <Window>: a destination file <Apart> s older is <Outcome>' -ForEach @(
            # As rsync's --modify-window: times at most the window apart are equal.
            @{ Window = 2; Apart = 2; Outcome = 'left alone' }
            @{ Window = 2; Apart = 3; Outcome = 'copied again' }
            @{ Window = 1; Apart = 1.5; Outcome = 'copied again' }
            @{ Window = 0; Apart = 0.001; Outcome = 'copied again' }
        ) {
            $null = Invoke-BlitMirror $src $dst
            $when = [datetime]::new(2024, 5, 6, 7, 8, 9, [DateTimeKind]::Utc)
            (Get-Item "$src/a.txt").LastWriteTimeUtc = $when
            (Get-Item "$dst/a.txt").LastWriteTimeUtc = $when.AddSeconds(-$Apart)
            $r = Invoke-BlitMirror $src $dst -ModifyWindow $Window
            $r.ModifyWindow | Should -Be ([timespan]::FromSeconds($Window))
            $r.FilesUpdated | Should -Be ($Outcome -eq 'copied again' ? 1 : 0)
            (Get-Item "$dst/a.txt").LastWriteTimeUtc | Should -Be ($Outcome -eq 'copied again' ? $when : $when.AddSeconds(-$Apart))
        }

        It 'deletes extraneous entries and honours -Exclude' {
            New-TestTree -Root $dst -Files @{ 'junk.txt' = 'j'; 'keep.log' = 'protected' }
            $r = Invoke-BlitMirror $src $dst -Exclude '*.log'
            $r.FilesDeleted | Should -Be 1
            Test-Path (Join-Path $dst 'junk.txt') | Should -BeFalse
            Get-Content (Join-Path $dst 'keep.log') | Should -Be 'protected'
        }
    }

    Context '-WhatIf and -Confirm' {
        It '-WhatIf touches nothing and reports what it would do' {
            New-TestTree -Root $dst -Files @{ 'junk.txt' = 'j' }
            $before = Get-TreeListing $dst
            $r = Invoke-BlitMirror $src $dst -WhatIf
            Get-TreeListing $dst | Should -Be $before
            $r.WhatIf | Should -BeTrue
            $r.FilesCopied | Should -Be 3
            $r.FilesDeleted | Should -Be 1
        }

        It '-WhatIf counts what type changes delete, as the real run then does (issue 13.11)' {
            # The source has a file where the destination has a tree of 7 files, and a directory where it has a file.
            $tree = @{}
            foreach ($i in 1..7) { $tree["a.txt/d$($i % 3)/f$i"] = "$i" }
            $tree['sub'] = 'a file where the source has a directory'
            New-TestTree -Root $dst -Files $tree
            $planned = Invoke-BlitMirror $src $dst -WhatIf
            $done = Invoke-BlitMirror $src $dst
            $done.FilesDeleted | Should -Be 8
            $done.DirectoriesDeleted | Should -Be 4
            foreach ($p in 'FilesCopied', 'FilesUpdated', 'DirectoriesCreated', 'FilesDeleted', 'DirectoriesDeleted', 'BytesCopied', 'Errors') {
                $planned.$p | Should -Be $done.$p -Because $p
            }
            Get-TreeListing $dst | Should -Be (Get-TreeListing $src)
        }

        It '-WhatIf prints one "What if" line per action' {
            $lines = pwsh-child "Import-Module '$RepoRoot/Blit.psd1'; Invoke-BlitMirror '$src' '$dst' -WhatIf 6>&1 | Out-String"
            ($lines | Select-String -Pattern 'What if: Performing the operation "CopyFile"' -AllMatches).Matches.Count | Should -Be 3
            Test-Path $dst | Should -BeFalse
        }

        It '$WhatIfPreference is honoured' {
            $WhatIfPreference = $true
            try { $r = Invoke-BlitMirror $src $dst } finally { $WhatIfPreference = $false }
            $r.WhatIf | Should -BeTrue
            Test-Path (Join-Path $dst 'a.txt') | Should -BeFalse
        }
    }

    Context 'refusals and errors' {
        It 'refuses <Case> with <Id>' -ForEach @(
            @{ Case = 'a missing source'; Id = 'SourceNotFound'; Arrange = { param($s, $d) @{ Path = "$s-missing"; Destination = $d } } }
            @{ Case = 'a file as source'; Id = 'SourceNotDirectory'; Arrange = { param($s, $d) @{ Path = "$s/a.txt"; Destination = $d } } }
            @{ Case = 'the same path'; Id = 'SameOrNestedPath'; Arrange = { param($s, $d) @{ Path = $s; Destination = $s } } }
            @{ Case = 'a nested destination'; Id = 'SameOrNestedPath'; Arrange = { param($s, $d) @{ Path = $s; Destination = "$s/inner" } } }
            @{ Case = 'a file as destination'; Id = 'DestinationNotDirectory'; Arrange = { param($s, $d) Set-Content "$d-file" 'x'; @{ Path = $s; Destination = "$d-file" } } }
            @{ Case = 'a bad exclude pattern'; Id = 'InvalidExcludePattern'; Arrange = { param($s, $d) @{ Path = $s; Destination = $d; Exclude = '[oops' } } }
        ) {
            $params = & $Arrange $src $dst
            $err = $null
            try { Invoke-BlitMirror @params -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "$Id,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand"
            $err.Exception.Message | Should -Not -BeNullOrEmpty
            Test-Path $dst | Should -BeFalse
        }

        It 'refuses an empty source over a non-empty destination unless -Force' {
            $empty = Join-Path $TestDrive "empty-$(New-Guid)"
            $null = New-Item -ItemType Directory $empty
            New-TestTree -Root $dst -Files @{ 'precious.txt' = 'p' }
            { Invoke-BlitMirror $empty $dst -ErrorAction Stop } | Should -Throw -ErrorId 'EmptySourceRefused,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
            Test-Path (Join-Path $dst 'precious.txt') | Should -BeTrue
            (Invoke-BlitMirror $empty $dst -Force).FilesDeleted | Should -Be 1
        }

        It 'reports the error category' {
            $err = { Invoke-BlitMirror "$src-missing" $dst -ErrorAction Stop } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'recreates special files as rsync -a does, without warnings' {
            & mkfifo (Join-Path $src 'pipe')
            $r = Invoke-BlitMirror $src $dst -WarningVariable w -WarningAction SilentlyContinue
            $r.SpecialFilesCopied | Should -Be 1
            $r.SpecialFilesSkipped | Should -Be 0
            $w.Count | Should -Be 0
            $r.FilesCopied | Should -Be 3
            & stat -c %F (Join-Path $dst 'pipe') | Should -Be 'fifo'
        }
    }
}

Describe 'Invoke-BlitMirror progress' {
    BeforeAll {
        # Show progress from the first tick so even a small mirror exercises every update path
        # (ProgressTiming.FromEnvironment; docs/platforms.md).
        $env:BLIT_PROGRESS_DELAY_MS = '0'; $env:BLIT_PROGRESS_INTERVAL_MS = '0'
    }
    AfterAll {
        $env:BLIT_PROGRESS_DELAY_MS = $null; $env:BLIT_PROGRESS_INTERVAL_MS = $null
    }

    It 'writes progress records and completes the activity' {
        $src = Join-Path $TestDrive 'psrc'
        $files = @{}; foreach ($i in 1..300) { $files["d$($i % 3)/f$i.txt"] = 'x' * $i }
        New-TestTree -Root $src -Files $files
        # A new runspace (CurrentRunspace would send progress to the host, not the stream).
        $ps = [powershell]::Create()
        $null = $ps.AddScript('Import-Module $args[2]; $ProgressPreference = "Continue"; Invoke-BlitMirror $args[0] $args[1]').
            AddArgument($src).AddArgument((Join-Path $TestDrive 'pdst')).AddArgument((Join-Path $RepoRoot 'Blit.psd1'))
        $out = $ps.Invoke()
        $records = @($ps.Streams.Progress)
        $ps.Dispose()
        $out[0].FilesCopied | Should -Be 300
        $records.Count | Should -BeGreaterThan 1
        ($records | Where-Object PercentComplete -eq 100) | Should -Not -BeNullOrEmpty
        $records[-1].RecordType | Should -Be 'Completed'
        $records | Where-Object { $_.StatusDescription -match 'of 300 entries' } | Should -Not -BeNullOrEmpty
    }

    It 'writes no progress when $ProgressPreference is SilentlyContinue' {
        $src = Join-Path $TestDrive 'qsrc'
        New-TestTree -Root $src -Files @{ 'a' = 'a' }
        $ps = [powershell]::Create()
        $null = $ps.AddScript('Import-Module $args[2]; $ProgressPreference = "SilentlyContinue"; Invoke-BlitMirror $args[0] $args[1]').
            AddArgument($src).AddArgument((Join-Path $TestDrive 'qdst')).AddArgument((Join-Path $RepoRoot 'Blit.psd1'))
        $null = $ps.Invoke()
        @($ps.Streams.Progress).Count | Should -Be 0
        $ps.Dispose()
    }
}
