#Requires -Version 7.4
# The README's runbook examples run as written: the code blocks are read from README.md itself,
# so an edit that breaks one fails here. The scheduled-mirror script runs in a child pwsh (it
# calls exit) that finds Blit by name, as a scheduler's pwsh would; the Pester gate file runs
# through Invoke-Pester -CI in a child pwsh, the command the README gives for CI.
# (Install and packaging are Package.Tests.ps1's; the help examples are Help.Tests.ps1's.)

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Readme = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'README.md')

    function Get-ReadmeBlock {
        <# The first fenced block of $Language after the line containing $After. #>
        param([string] $After, [string] $Language = 'powershell')
        $start = $Readme.IndexOf($After)
        $start | Should -BeGreaterOrEqual 0 -Because "README.md should contain '$After'"
        $m = [regex]::new('(?ms)^```' + $Language + '\s*\n(.*?)^```').Match($Readme, $start)
        $m.Success | Should -BeTrue -Because "a ```$Language block should follow '$After'"
        $m.Groups[1].Value
    }

    # Blit and Pester findable by name, as for an installed module: a module folder per name.
    $script:Modules = Join-Path $TestDrive 'modules'
    $null = New-Item -ItemType Directory -Force $Modules
    $null = New-Item -ItemType SymbolicLink -Path (Join-Path $Modules 'Blit') -Target $RepoRoot
    $pester = Split-Path (Get-Module Pester).Path
    $null = New-Item -ItemType SymbolicLink -Path (Join-Path $Modules 'Pester') -Target $pester

    function Invoke-Pwsh {
        <# Runs pwsh (this PowerShell) with $ArgumentList, Blit and Pester on PSModulePath; returns exit code and output. #>
        param([string[]] $ArgumentList, [string] $WorkingDirectory = $TestDrive)
        $exe = (Get-Process -Id $PID).Path
        $prefix = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
        $savedPath = $env:PSModulePath
        Push-Location $WorkingDirectory
        try {
            $env:PSModulePath = $Modules + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
            $output = @(& $exe @prefix @ArgumentList 2>&1 | ForEach-Object { "$_" })
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output -join [Environment]::NewLine }
        }
        finally {
            $env:PSModulePath = $savedPath
            Pop-Location
        }
    }
}

Describe 'README: a scheduled mirror with a log (mirror-job.ps1)' {
    BeforeAll {
        $script:Job = Join-Path $TestDrive 'mirror-job.ps1'
        Set-Content -LiteralPath $Job -Value (Get-ReadmeBlock -After '### A scheduled mirror with a log')
        $script:Src = Join-Path $TestDrive 'photos'
        New-TestTree -Root $Src -Files @{ 'a.jpg' = 'alpha'; 'trip/b.jpg' = 'beta'; 'trip/c.jpg' = 'gamma' }

        function Invoke-Job {
            <# Runs the job into a fresh log folder; returns the exit code, the output and the one log parsed. #>
            param([string] $Source, [string] $Destination, [string] $Name)
            $logs = Join-Path $TestDrive "logs-$Name"
            $run = Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', $Job, '-Source', $Source, '-Destination', $Destination, '-LogDirectory', $logs)
            $files = @(Get-ChildItem -LiteralPath $logs -Filter 'mirror_*.json' -ErrorAction Ignore)
            $files.Count | Should -Be 1 -Because "one dated log per run; output:`n$($run.Output)"
            $files[0].Name | Should -Match '^mirror_\d{8}T\d{6}Z\.json$'
            $run | Add-Member -PassThru Log (Get-Content -Raw -LiteralPath $files[0].FullName | ConvertFrom-Json)
        }
    }

    It 'mirrors, logs the result as JSON with raw numbers, and exits 0' {
        $dst = Join-Path $TestDrive 'backup-ok'
        $run = Invoke-Job $Src $dst 'ok'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Log.Result.FilesCopied | Should -Be 3
        $run.Log.Result.BytesCopied | Should -Be 14
        $run.Log.Result.BytesCopied | Should -BeOfType ([long])
        $run.Log.Result.Duration.Ticks | Should -BeGreaterThan 0
        $run.Log.Failures.Count | Should -Be 0
        Get-TreeListing $dst | Should -Be (Get-TreeListing $Src)
    }

    It 'exits 1 and logs each failure when some entries could not be written' {
        if (-not $IsLinux -or (id -u) -ne '0' -or -not (Get-Command chattr -ErrorAction Ignore)) {
            Set-ItResult -Skipped -Because 'an immutable directory (chattr +i, as root) is how this test makes a write fail'
        }
        $dst = Join-Path $TestDrive 'backup-locked'
        New-TestTree -Root $dst -Files @{ 'trip/old.jpg' = 'kept' }
        chattr +i (Join-Path $dst 'trip')
        try { $run = Invoke-Job $Src $dst 'locked' }
        finally { chattr -i (Join-Path $dst 'trip') }
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Log.Result.Errors | Should -BeGreaterThan 0
        $run.Log.Failures.Count | Should -Be $run.Log.Result.Errors
        $run.Log.Failures[0].Error | Should -BeLike '*,Blit.Cmdlets.Commands.InvokeBlitMirrorCommand'
        Get-Content -Raw (Join-Path $dst 'a.jpg') | Should -Be 'alpha' -Because 'the rest of the mirror was done'
    }

    It 'exits 2 and logs why when the mirror cannot run' {
        $run = Invoke-Job (Join-Path $TestDrive 'no-such-source') (Join-Path $TestDrive 'backup-none') 'missing'
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Log.Error | Should -BeLike 'SourceNotFound,*'
        $run.Log.Message | Should -Match 'no-such-source'
    }

    It 'shows a cron line and systemd units that run this script with pwsh' {
        $cron = Get-ReadmeBlock -After 'With **cron**' -Language ''
        $cron | Should -Match '^30 2 \* \* \* pwsh -NoProfile -NonInteractive -File /usr/local/lib/blit/mirror-job\.ps1 -Source \S+ -Destination \S+\s*$'
        $service = Get-ReadmeBlock -After '/etc/systemd/system/blit-mirror.service' -Language 'ini'
        $service | Should -Match '(?m)^Type=oneshot$'
        $service | Should -Match '(?m)^ExecStart=/usr/bin/pwsh -NoProfile -NonInteractive -File /usr/local/lib/blit/mirror-job\.ps1 '
        $timer = Get-ReadmeBlock -After '/etc/systemd/system/blit-mirror.timer' -Language 'ini'
        $timer | Should -Match '(?m)^OnCalendar=\*-\*-\* 02:30:00$'
        if (Get-Command systemd-analyze -ErrorAction Ignore) {
            # Offline check of both units, with ExecStart pointing at this machine's pwsh.
            $units = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'units')
            $exe = (Get-Process -Id $PID).Path
            $pwshCommand = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { "$exe $(Join-Path $PSHOME 'pwsh.dll')" } else { $exe }
            Set-Content (Join-Path $units 'blit-mirror.service') ($service -replace '/usr/bin/pwsh', $pwshCommand -replace '/usr/local/lib/blit/mirror-job\.ps1', $Job)
            Set-Content (Join-Path $units 'blit-mirror.timer') $timer
            $verify = systemd-analyze verify --man=no (Join-Path $units 'blit-mirror.service') (Join-Path $units 'blit-mirror.timer') 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 0 -Because $verify
        }
    }
}

Describe 'README: a CI gate with Pester' {
    It 'runs with Invoke-Pester -CI and passes on GO' {
        $ci = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'ci/tests')
        Set-Content -LiteralPath (Join-Path $ci 'Blit.Gate.Tests.ps1') -Value (Get-ReadmeBlock -After '### A CI gate with Pester')
        $command = [regex]::Match($Readme, "pwsh -NoProfile -Command '([^']+)'").Groups[1].Value
        $command | Should -Be 'Invoke-Pester ./tests/Blit.Gate.Tests.ps1 -CI'
        $run = Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-Command', $command) -WorkingDirectory (Split-Path $ci)
        $run.ExitCode | Should -Be 0 -Because $run.Output
        ($run.Output -replace "`e\[[0-9;]*m", '') | Should -Match 'Tests Passed: 1, Failed: 0'
        Get-ChildItem -Recurse (Join-Path $TestDrive 'ci/logs') -Filter results.json | Should -Not -BeNullOrEmpty
    }
}

Describe 'README: results read well and export cleanly' {
    It 'runs the export example: numbers stay numbers in the CSV files' {
        $dir = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'export')
        New-TestTree -Root (Join-Path $dir 'photos') -Files @{ 'a.jpg' = 'alpha'; 'b/c.jpg' = 'gamma' }
        $code = Get-ReadmeBlock -After 'Results read well on screen and export cleanly:'
        Push-Location $dir
        try {
            $ProgressPreference = 'SilentlyContinue'
            $WarningPreference = 'SilentlyContinue'
            $null = & ([scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n$code")) | Out-String
        }
        finally { Pop-Location }
        $history = @(Import-Csv (Join-Path $dir 'mirror-history.csv'))
        $history.Count | Should -Be 1
        $history[0].BytesCopied | Should -Be '10'
        $history[0].FilesCopied | Should -Be '2'
        $bench = @(Import-Csv (Join-Path $dir 'bench.csv'))
        # NoOp is measured warm and cold by default: blit and rsync in each mode.
        $bench.Tool | Should -Be @('blit', 'rsync', 'blit', 'rsync')
        $bench.Mode | Should -Be @('Warm', 'Warm', 'Cold', 'Cold')
        $bench | ForEach-Object { $_.MedianSeconds | Should -Match '^\d+(\.\d+)?(E-?\d+)?$'; $_.MiBPerSecond | Should -Match '^\d+(\.\d+)?(E-?\d+)?$' }
    }
}

Describe 'README: log and dry-run workflow' {
    It 'runs as written: the dry run is data, the copy keeps extras, the log has both runs' {
        $dir = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'workflow')
        New-TestTree -Root (Join-Path $dir 'photos') -Files @{ 'a.jpg' = 'alpha'; 'trip/b.jpg' = 'beta' }
        New-TestTree -Root (Join-Path $dir 'backup/photos') -Files @{ 'old.jpg' = 'gone from the source' }
        $code = Get-ReadmeBlock -After '## Log and dry-run workflow'
        Push-Location $dir
        try {
            $ProgressPreference = 'SilentlyContinue'
            $output = & ([scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n$code")) 4>$null | Out-String
        }
        finally { Pop-Location }
        $output | Should -Match 'old\.jpg'                       # the dry run lists the deletion
        Test-Path (Join-Path $dir 'backup/photos/old.jpg') | Should -BeFalse   # the final mirror deleted it
        $log = Join-Path $dir 'photos.log'
        (Select-String -LiteralPath $log -Pattern '^Mode        : NoDelete').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern '^Mode        : Mirror').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern '  Delete +File .*old\.jpg$').Count | Should -Be 1
        (Select-String -LiteralPath $log -Pattern '^Result      : Success$').Count | Should -Be 2
    }
}
