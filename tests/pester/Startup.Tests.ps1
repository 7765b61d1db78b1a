# How a fresh pwsh loads Blit: the precompiled Blit.Core (bin/<os>-<arch>/, ReadyToRun) when the
# build made one for this machine, the plain IL otherwise, and never both (issue 17, PrecompiledCore.cs).

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $script:Manifest = Join-Path $RepoRoot 'Blit.psd1'
    $script:Platform = ($IsLinux ? 'linux' : $IsMacOS ? 'osx' : 'win') + '-' +
        [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    $script:PrecompiledPath = Join-Path $RepoRoot "bin/$Platform/Blit.Core.dll"
    $script:Tree = Join-Path ([IO.Path]::GetTempPath()) "blit-startup-$PID"
    New-TestTree -Root (Join-Path $Tree 'src') -Files @{ 'a.txt' = 'a'; 'd/b.txt' = 'bb'; 'd/e/c.txt' = 'ccc' }

    function Get-FreshLoad([string] $Switch) {
        <# In a fresh pwsh: import Blit, mirror the small tree with -WhatIf, and report which Blit.Core
           copies are loaded and how many methods the pipeline thread had to JIT for that first mirror. #>
        $command = @"
`$env:BLIT_PRECOMPILED = '$Switch'
Import-Module '$Manifest' -ErrorAction Stop
`$before = [Runtime.JitInfo]::GetCompiledMethodCount(`$false)
`$r = Invoke-BlitMirror -Path '$Tree/src' -Destination '$Tree/dst' -WhatIf -PassThru
`$jitted = [Runtime.JitInfo]::GetCompiledMethodCount(`$false) - `$before
[pscustomobject]@{
    Cores = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Blit.Core' } | ForEach-Object Location)
    TypeFrom = [Blit.Gate.GateReport].Assembly.Location
    Jitted = `$jitted
    Planned = `$r.FilesCopied
} | ConvertTo-Json -Compress
"@
        $output = pwsh-child $command
        $json = @($output | Where-Object { $_ -is [string] -and $_.StartsWith('{') })
        if ($json.Count -ne 1) { throw "the child pwsh printed no result: $($output -join "`n")" }
        $json[0] | ConvertFrom-Json
    }
}

AfterAll {
    Remove-Item -LiteralPath $Tree -Recurse -Force -ErrorAction Ignore
}

Describe 'Loading Blit.Core in a fresh pwsh' {
    It 'loads exactly one Blit.Core, the plain IL, when BLIT_PRECOMPILED=0' {
        $load = Get-FreshLoad '0'
        @($load.Cores) | Should -Be @((Join-Path $RepoRoot 'bin/Blit.Core.dll'))
        $load.TypeFrom | Should -Be (Join-Path $RepoRoot 'bin/Blit.Core.dll')
        $load.Planned | Should -Be 3
    }

    It 'loads exactly one Blit.Core, the precompiled one, on the platform the build precompiled for' {
        if (-not (Test-Path -LiteralPath $PrecompiledPath)) {
            # The build precompiles on linux-x64 here; elsewhere it may not have (its warning says why).
            $IsLinux -and $Platform -eq 'linux-x64' | Should -BeFalse -Because "./build.sh build writes $PrecompiledPath on linux-x64"
            Set-ItResult -Skipped -Because "no precompiled Blit.Core for $Platform in bin/"
            return
        }
        $load = Get-FreshLoad ''
        @($load.Cores) | Should -Be @($PrecompiledPath) -Because 'two copies would make [Blit.*] type names ambiguous'
        $load.TypeFrom | Should -Be $PrecompiledPath
        $load.Planned | Should -Be 3
    }

    It 'runs the precompiled native code: the first mirror JITs far fewer methods than with the IL' {
        if (-not (Test-Path -LiteralPath $PrecompiledPath)) { Set-ItResult -Skipped -Because "no precompiled Blit.Core for $Platform in bin/"; return }
        $il = Get-FreshLoad '0'
        $native = Get-FreshLoad ''
        # About 330 fewer on linux-x64 (the engine's own methods); generic code over framework types
        # and PowerShell's own methods are JIT-compiled either way. A runtime that rejected the
        # native code would JIT as many as the IL does.
        $native.Jitted | Should -BeLessThan ($il.Jitted - 100) -Because "IL: $($il.Jitted) methods JIT-compiled, precompiled: $($native.Jitted)"
    }
}

Describe 'Choosing the precompiled copy' {
    BeforeAll {
        $type = [Blit.Cmdlets.Commands.InvokeBlitMirrorCommand].Assembly.GetType('Blit.Cmdlets.Infrastructure.PrecompiledCore', $true)
        $script:Choose = $type.GetMethod('Choose', [Reflection.BindingFlags] 'NonPublic, Static')
        $script:Folder = $type.GetMethod('PlatformFolder', [Reflection.BindingFlags] 'NonPublic, Static').Invoke($null, @())
        function Invoke-Choose([int] $Major, [string] $Switch, [bool] $Exists) {
            $arguments = [object[]] @('/m', $Major, $Switch, [Func[string, bool]] { param($p) $Exists }.GetNewClosure(), $null)
            $path = $Choose.Invoke($null, $arguments)
            [pscustomobject]@{ Path = $path; Reason = $arguments[4] }
        }
    }

    It 'names the folder after this OS and architecture, as the build does' {
        $Folder | Should -Be $Platform
    }

    It 'takes the precompiled copy on .NET <Major> when it exists' -ForEach @(@{ Major = 10 }, @{ Major = 11 }) {
        (Invoke-Choose $Major $null $true).Path | Should -Be ([IO.Path]::Combine('/m', $Platform, 'Blit.Core.dll'))
    }

    It 'keeps the IL on an older runtime (PowerShell 7.4 runs .NET 8), and says why' {
        $choice = Invoke-Choose 8 $null $true
        $choice.Path | Should -BeNullOrEmpty
        $choice.Reason | Should -Match '\.NET 8'
    }

    It 'keeps the IL when there is no copy for this platform, or BLIT_PRECOMPILED is 0' {
        (Invoke-Choose 10 $null $false).Path | Should -BeNullOrEmpty
        $off = Invoke-Choose 10 '0' $true
        $off.Path | Should -BeNullOrEmpty
        $off.Reason | Should -Match 'BLIT_PRECOMPILED=0'
    }
}

Describe 'A precompiled pwsh for cold runs (./build.sh pwsh-precompiled)' {
    # The dotnet tool pwsh this repository runs is IL only; Microsoft's pwsh packages are precompiled
    # (ReadyToRun). The task precompiles a copy so that cold runs can be measured as a runbook on an
    # installed pwsh sees them (Measure-BlitWorkload -PwshPath; docs/performance.md).
    BeforeAll {
        function Test-Native([string] $Path) {
            $stream = [IO.File]::OpenRead($Path)
            try { [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
            finally { $stream.Dispose() }
        }
        function Get-StartupJit([string] $PwshDll) {
            # Methods JIT-compiled before a fresh pwsh's first command has run.
            $out = & dotnet $PwshDll -NoProfile -NonInteractive -Command '[Runtime.JitInfo]::GetCompiledMethodCount($false)'
            [int] ($out | Select-Object -Last 1)
        }
        $script:Precompiled = Join-Path $RepoRoot 'out/pwsh-precompiled'
        Push-Location $RepoRoot
        try { $script:TaskOutput = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled 2>&1; $script:TaskExit = $LASTEXITCODE }
        finally { Pop-Location }
    }

    It 'precompiles every assembly of a copy of the repository''s pwsh, which is IL only' {
        $TaskExit | Should -Be 0 -Because ($TaskOutput -join "`n")
        # Built here, or (run before in this clone) reused: the line names what the copy holds either way.
        ($TaskOutput -join "`n") | Should -Match 'pwsh-precompiled: (up to date \()?PowerShell \S+, \d+ assemblies precompiled for '
        ($TaskOutput -join "`n") | Should -Not -Match 'kept as IL'
        Test-Native (Join-Path $PSHOME 'System.Management.Automation.dll') | Should -BeFalse -Because 'the dotnet tool pwsh ships IL only'
        Test-Native (Join-Path $Precompiled 'System.Management.Automation.dll') | Should -BeTrue
        Test-Native (Join-Path $Precompiled 'pwsh.dll') | Should -BeTrue
        # And those pwsh loads from runtimes/<os>/lib on this OS (not the other OSes' copies).
        $families = $IsWindows ? @('win') : $IsMacOS ? @('osx', 'unix') : @('linux', 'unix')
        $own = @(foreach ($family in $families) { Get-ChildItem (Join-Path $Precompiled "runtimes/$family/lib") -Filter *.dll -Recurse -File -ErrorAction Ignore })
        $own | Should -Not -BeNullOrEmpty -Because 'the tool pwsh has OS-specific assemblies (System.DirectoryServices.Protocols on Linux)'
        foreach ($dll in $own) { Test-Native $dll.FullName | Should -BeTrue -Because "$($dll.FullName) is loaded on this OS" }
        $other = Join-Path $Precompiled ($IsWindows ? 'runtimes/linux/lib' : 'runtimes/win/lib')
        @(Get-ChildItem $other -Filter *.dll -Recurse -File | Where-Object { Test-Native $_.FullName }) | Should -BeNullOrEmpty
    }

    It 'starts with a fraction of the JIT work of the IL pwsh' {
        $il = Get-StartupJit (Join-Path $PSHOME 'pwsh.dll')
        $native = Get-StartupJit (Join-Path $Precompiled 'pwsh.dll')
        # About 5,100 against 330 here; a runtime that rejected the native code would JIT as many.
        $native | Should -BeLessThan ($il / 4) -Because "IL pwsh: $il methods JIT-compiled before its first command, precompiled: $native"
    }

    It 'reuses the copy while it is built from the same pwsh and crossgen2, and -Check says when it is not' {
        $stamp = Join-Path $RepoRoot 'out/pwsh-precompiled.stamp'
        $sma = Join-Path $Precompiled 'System.Management.Automation.dll'
        $built = (Get-Item -LiteralPath $sma).LastWriteTimeUtc
        Push-Location $RepoRoot
        try {
            $again = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($again -join "`n")
            ($again -join "`n") | Should -Match 'pwsh-precompiled: up to date \(PowerShell \S+, \d+ assemblies precompiled for '
            (Get-Item -LiteralPath $sma).LastWriteTimeUtc | Should -Be $built
            $check = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled -Check 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
            $saved = Get-Content -LiteralPath $stamp
            try {
                # As if the tool pwsh had been updated since: another folder.
                Set-Content -LiteralPath $stamp -Value ($saved -replace '^source=.*', 'source=/elsewhere/powershell/0.0.0')
                $check = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled -Check 2>&1
                $LASTEXITCODE | Should -Be 1
                ($check -join "`n") | Should -Match 'not current: built from another pwsh or crossgen2'
            }
            finally { Set-Content -LiteralPath $stamp -Value $saved }
        }
        finally { Pop-Location }
    }

    It 'is not current once a file of the copy is missing, or given both -Force and -Check' {
        # pwsh.dll alone proves nothing: without System.Management.Automation.dll the copy does not start.
        $sma = Join-Path $Precompiled 'System.Management.Automation.dll'
        $aside = Join-Path $TestDrive 'System.Management.Automation.dll'
        Push-Location $RepoRoot
        try {
            Move-Item -LiteralPath $sma -Destination $aside
            try {
                $check = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled -Check 2>&1
                $LASTEXITCODE | Should -Be 1 -Because ($check -join "`n")
                ($check -join "`n") | Should -Match 'not current: .*out/pwsh-precompiled is incomplete or changed since it was built'
            }
            finally { Move-Item -LiteralPath $aside -Destination $sma }
            $check = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled -Check 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
            $both = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 pwsh-precompiled -Force -Check 2>&1
            $LASTEXITCODE | Should -Be 2 -Because ($both -join "`n")
            ($both -join "`n") | Should -BeLike '*usage: ./build.ps1 pwsh-precompiled `[-Force | -Check`]*'
        }
        finally { Pop-Location }
    }

    It 'is what the gate runbook measures cold runs with, given -PrecompilePwsh' {
        $root = Join-Path $TestDrive 'gate-cold-root'
        $null = New-Item -ItemType Directory $root
        $logs = Join-Path $TestDrive 'gate-cold-logs'
        $out = & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'scripts/Invoke-BlitGate.ps1') -PrecompilePwsh -Quick `
            -Workload Tiny -Mode Cold -Runs 1 -Warmup 0 -Root $root -LogPath $logs 2>&1
        ($out -join "`n") | Should -Match 'pwsh-precompiled: up to date'
        $log = Get-ChildItem $logs -Recurse -Filter bench.log | Select-Object -First 1
        $log | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        Get-Content -Raw $log.FullName | Should -Match ('runs on: .*pwsh precompiled \(' + [regex]::Escape($Precompiled))
    }

    It 'runs cold benchmark runs through -PwshPath, and the log says what they ran on' {
        $root = Join-Path $TestDrive 'pwsh-precompiled-root'
        $null = New-Item -ItemType Directory $root
        $r = @(Measure-BlitWorkload Tiny -Mode Cold -Runs 1 -Warmup 0 -Comparator None -PwshPath (Join-Path $Precompiled 'pwsh.dll') `
                -Root $root -LogPath (Join-Path $TestDrive 'pwsh-precompiled-logs'))
        $r.Count | Should -Be 1
        $r[0].Verified | Should -BeTrue -Because ($r[0].Samples.Failure -join '; ')
        $r[0].Command | Should -BeLike "*dotnet* $Precompiled/pwsh.dll -NoProfile -NonInteractive -Command *"
        $r[0].RunsOn | Should -Match ('; pwsh precompiled \(' + [regex]::Escape((Join-Path $Precompiled 'System.Management.Automation.dll')) + '\); Blit\.Core ')
        Get-Content -Raw $r[0].LogPath | Should -Match ('runs on: .*pwsh precompiled \(' + [regex]::Escape($Precompiled))
    }
}
