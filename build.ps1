<#
.SYNOPSIS
    Blit's build: the one list of tasks. ./build.sh (Linux, macOS) hands every task to it.
.DESCRIPTION
    Tasks:
      build             build the module into bin/ (Import-Module ./Blit.psd1)
      test [args]       every xunit and Pester test; ends with "N passed, N failed"
                        (args go to tests/pester/Invoke-PesterSuite.ps1, e.g. -Tag Gate)
      gate [args]       the quality gate at full sizes; args go to scripts/Invoke-BlitGate.ps1
                        (cold runs use the pwsh-precompiled copy unless -PwshPath names a pwsh;
                        it is built only when some workload is measured cold)
      package [args]    versioned module folder + .nupkg under out/ (scripts/Build-Package.ps1)
      docs              MAML help from docs/en-US into bin/en-US and en-US/
      pwsh-precompiled  out/pwsh-precompiled/: the repository's pwsh (IL only) precompiled as
                        Microsoft's pwsh packages are, for measuring cold runs with -PwshPath;
                        reused while built from the same pwsh and crossgen2 (-Force: build again,
                        -Check: exit 0 when current, 1 when not)
    Needs only the .NET SDK: pwsh comes from the repository's local tool manifest. Started
    from Windows PowerShell, it restores that tool and runs itself again in it. On Linux,
    test and gate first check the OS packages they need (./build.sh setup, which holds the list);
    on Windows and macOS there is no package step: they say which tools the tests and the gate
    need and go on. (The tasks are run on Linux by this project; not on Windows or macOS.)
.EXAMPLE
    ./build.ps1 build
.EXAMPLE
    ./build.ps1 test -Path tests/pester/Views.Tests.ps1
.EXAMPLE
    ./build.ps1 gate -Quick
#>
# Not an advanced script on purpose: every argument after the task (-Quick, -Verbose, ...) is
# passed through in $args, not taken as a common parameter of this script.
param([string] $Task = 'build')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'; $env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
$passThrough = @($args)

if ($PSVersionTable.PSEdition -ne 'Core') {
    # Windows PowerShell: run this script in the repository's pwsh instead.
    & dotnet tool restore
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File $PSCommandPath $Task @passThrough
    exit $LASTEXITCODE
}

$config = if ($env:CONFIG) { $env:CONFIG } else { 'Release' }
$moduleFiles = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'scripts/ModuleFiles.psd1')

function Invoke-Native([string] $File, [string[]] $ArgumentList) {
    & $File @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$File $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-ChildPwsh([string[]] $ArgumentList) {
    Invoke-Native dotnet (@('pwsh', '-NoLogo', '-NoProfile', '-NonInteractive') + $ArgumentList)
}

function Assert-OsPackage {
    # The package list lives in build.sh (setup), which checks it before any .NET start-up. Elsewhere there is
    # no apt-get (nor bash, on Windows): say what the tests and the gate use there, and go on.
    if ($IsLinux) {
        if ($env:BLIT_OS_PACKAGES -ne 'checked') { Invoke-Native bash @('./build.sh', 'setup') }
    }
    elseif ($IsWindows) {
        'build: no OS-package step on Windows. The gate compares with robocopy (part of Windows); the differential ' +
        'tests need rsync on PATH (none ships with Windows) and fail without it; the loop-mount reliability tests are Linux-only.'
    }
    else {
        'build: no OS-package step on this OS. The gate and the differential tests use the rsync on PATH (macOS 15 ships ' +
        'openrsync, which accepts fewer flags: brew install rsync for rsync 3); the loop-mount reliability tests are Linux-only.'
    }
}

function Invoke-Docs {
    Invoke-ChildPwsh @('-File', 'scripts/Build-Help.ps1', '-DocsPath', 'docs/en-US', '-OutputPath', 'bin/en-US', '-AboutOutputPath', 'en-US')
}

function Invoke-Build {
    Invoke-Native dotnet @('tool', 'restore')
    Invoke-Native dotnet @('build', 'Blit.PowerShell.sln', '-c', $config, '-nologo', '-clp:NoSummary', '-v:quiet')
    Remove-Item bin -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory bin
    foreach ($file in $moduleFiles.Files | Where-Object { $_.From }) {
        Copy-Item -LiteralPath ($file.From -f $config) -Destination $file.Built
    }
    Invoke-Precompile
    Invoke-Docs
    # A module folder missing any of these is broken: fail the build, not the user.
    foreach ($path in @($moduleFiles.Files.Built) + $moduleFiles.RepositoryOnly) {
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw "build: expected $path is missing" }
    }
    'build: module ready (Import-Module ./Blit.psd1)'
}

function Get-Crossgen {
    # crossgen2, the ReadyToRun compiler of the SDK's own .NET version for the build machine's OS and
    # architecture (restoring scripts/precompile/Precompile.csproj downloads it), and that .NET's framework.
    $project = 'scripts/precompile/Precompile.csproj'
    Invoke-Native dotnet @('restore', $project, '-nologo', '-v:q')
    $properties = (& dotnet msbuild $project -nologo -getProperty:NuGetPackageRoot -getProperty:BundledNETCoreAppPackageVersion `
            -getProperty:HostRid -getProperty:NetCoreRoot | ConvertFrom-Json).Properties
    if ($LASTEXITCODE -ne 0) { throw "dotnet msbuild -getProperty failed with exit code $LASTEXITCODE" }
    $rid = $properties.HostRid
    if ($rid -notmatch '^(linux|osx|win)-(x64|arm64)$') { throw "no precompiled copy for the build machine's runtime identifier '$rid'" }
    $tools = Join-Path $properties.NuGetPackageRoot "microsoft.netcore.app.crossgen2.$rid/$($properties.BundledNETCoreAppPackageVersion)/tools"
    $crossgen = [pscustomobject]@{
        Path      = Join-Path $tools ($IsWindows ? 'crossgen2.exe' : 'crossgen2')
        Framework = Join-Path $properties.NetCoreRoot "shared/Microsoft.NETCore.App/$($properties.BundledNETCoreAppPackageVersion)"
        Rid       = $rid
        Os        = $Matches[1]
        Arch      = $Matches[2]
    }
    foreach ($path in $crossgen.Path, $crossgen.Framework) { if (-not (Test-Path -LiteralPath $path)) { throw "$path is missing" } }
    $crossgen
}

function Get-CrossgenReference([string] $Folder) {
    # One argument, '--reference:<folder>/*.dll', that crossgen2 expands itself. pwsh on Unix expands a
    # '*' in a native command's argument to the matching files, even from an array; '-r' and the
    # pattern as two arguments became '-r <first dll>' and every other dll an input to compile.
    # Nothing matches the joined form, so pwsh passes it as it is.
    '--reference:' + (Join-Path $Folder '*.dll')
}

function Invoke-Precompile {
    # bin/<os>-<arch>/Blit.Core.dll: Blit.Core's IL with native code for this machine's OS and
    # architecture (ReadyToRun), compiled by the crossgen2 of the SDK's own .NET version, so that a
    # fresh pwsh's first mirror does not wait for the JIT (PrecompiledCore.cs, docs/performance.md).
    # Optional: without it the module runs its plain IL, so a failure here is a warning.
    try {
        $crossgen = Get-Crossgen
        $null = New-Item -ItemType Directory -Force "bin/$($crossgen.Rid)"
        Invoke-Native $crossgen.Path @('bin/Blit.Core.dll', '-o', "bin/$($crossgen.Rid)/Blit.Core.dll", (Get-CrossgenReference $crossgen.Framework),
            '--targetos', $crossgen.Os, '--targetarch', $crossgen.Arch, '-O')
    }
    catch { Write-Warning "build: Blit.Core is not precompiled, the module runs its IL ($($_.Exception.Message))" }
}

function Test-Precompilable([string] $Path) {
    # A managed assembly without native code yet (not a native library, not already ReadyToRun).
    try {
        $stream = [IO.File]::OpenRead($Path)
        try {
            $reader = [Reflection.PortableExecutable.PEReader]::new($stream)
            $cor = $reader.PEHeaders.CorHeader
            return $null -ne $cor -and $cor.ManagedNativeHeaderDirectory.Size -eq 0
        }
        finally { $stream.Dispose() }
    }
    catch { return $false }
}

function Invoke-PrecompilePwsh {
    # out/pwsh-precompiled/: a copy of this repository's pwsh (the dotnet tool, whose assemblies are IL
    # only) with every assembly precompiled (ReadyToRun) by the SDK's crossgen2, as Microsoft's pwsh
    # packages are built (PublishReadyToRun in their Release configuration). It starts a fresh pwsh as
    # fast as an installed pwsh does, for measuring what a runbook sees:
    #   Measure-BlitWorkload -Mode Cold -PwshPath out/pwsh-precompiled/pwsh.dll   (docs/performance.md)
    # A copy built from the same pwsh by the same crossgen2 is reused (out/pwsh-precompiled.stamp says
    # what it was built from, and what the copy holds); -Force builds it again, -Check only says
    # whether it is current (exit 0) or not (exit 1).
    param([switch] $Force, [switch] $Check)
    Invoke-Native dotnet @('tool', 'restore')
    $toolHome = (& dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command '$PSHOME' | Select-Object -Last 1)
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath (Join-Path $toolHome 'pwsh.dll'))) { throw "pwsh-precompiled: the repository's pwsh was not found ($toolHome)" }
    $crossgen = Get-Crossgen
    $target = Join-Path $PSScriptRoot 'out/pwsh-precompiled'
    $stampPath = Join-Path $PSScriptRoot 'out/pwsh-precompiled.stamp'
    $stamp = (Get-PwshPrecompiledStamp $toolHome $crossgen) -join "`n"
    $built = Read-PwshPrecompiledStamp $stampPath
    # The copy must also still hold what was built: pwsh.dll alone does not start without the rest.
    $current = $built -and $built.Inputs -eq $stamp -and (Test-Path -LiteralPath (Join-Path $target 'pwsh.dll')) -and
        $built.Copy -eq (Get-PwshPrecompiledContent $target)
    if ($Check) {
        if ($current) { "pwsh-precompiled: current ($($built.Summary))"; exit 0 }
        "pwsh-precompiled: not current: $(if (-not $built) { 'never built' } elseif ($built.Inputs -ne $stamp) { 'built from another pwsh or crossgen2' } else { "$target is incomplete or changed since it was built" })"
        exit 1
    }
    if ($current -and -not $Force) {
        "pwsh-precompiled: up to date ($($built.Summary)); -Force builds it again"
        "pwsh-precompiled: dotnet $(Join-Path $target 'pwsh.dll')"
        return
    }
    Remove-Item -LiteralPath $stampPath -Force -ErrorAction Ignore
    if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Recurse -Force }
    Copy-Item -LiteralPath $toolHome -Destination $target -Recurse
    $work = Join-Path $PSScriptRoot 'out/pwsh-precompiled.tmp'
    $null = New-Item -ItemType Directory -Force $work
    $compiled = 0; $kept = [Collections.Generic.List[string]]::new()
    try {
        # The top folder's assemblies, and those that pwsh loads from runtimes/<os>/lib on this OS only
        # (on Windows runtimes/win/lib holds several; Microsoft's packages, built for one OS, have them
        # in the top folder and precompiled too).
        $families = @{ win = @('win'); linux = @('linux', 'unix'); osx = @('osx', 'unix') }[$crossgen.Os]
        $dlls = @(Get-ChildItem -LiteralPath $target -Filter *.dll -File) + @(foreach ($family in $families) {
                $lib = Join-Path $target "runtimes/$family/lib"
                if (Test-Path -LiteralPath $lib) { Get-ChildItem -LiteralPath $lib -Filter *.dll -File -Recurse }
            })
        $n = 0
        foreach ($dll in $dlls) {
            if (-not (Test-Precompilable $dll.FullName)) { continue }
            $out = Join-Path $work "$((++$n))-$($dll.Name)"   # two folders may hold one name
            $arguments = @($dll.FullName, '-o', $out, (Get-CrossgenReference $target), (Get-CrossgenReference $crossgen.Framework),
                '--targetos', $crossgen.Os, '--targetarch', $crossgen.Arch, '-O')
            & $crossgen.Path @arguments *> $null
            if ($LASTEXITCODE -eq 0 -and (Test-Path -LiteralPath $out)) { Move-Item -LiteralPath $out -Destination $dll.FullName -Force; $compiled++ }
            else { $kept.Add($dll.Name) }
        }
    }
    finally { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore }
    $version = (& dotnet (Join-Path $target 'pwsh.dll') -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()')
    if ($LASTEXITCODE -ne 0) { throw "pwsh-precompiled: the precompiled pwsh does not start" }
    $summary = "PowerShell $version, $compiled assemblies precompiled for $($crossgen.Rid)" +
        $(if ($kept.Count) { "; kept as IL (crossgen2 refused them): $($kept -join ', ')" } else { '' })
    Set-Content -LiteralPath $stampPath -Value (@($stamp -split "`n") + (Get-PwshPrecompiledContent $target) + "summary=$summary")
    "pwsh-precompiled: $summary"
    "pwsh-precompiled: dotnet $(Join-Path $target 'pwsh.dll')"
}

function Get-FolderFingerprint([string] $Folder) {
    # A folder's files in one line: one missing, added, resized or rewritten changes the count, the
    # size or the newest time.
    $files = @(Get-ChildItem -LiteralPath $Folder -Recurse -File -ErrorAction Ignore)
    $bytes = ($files | Measure-Object -Property Length -Sum).Sum
    $newest = [long] 0
    foreach ($file in $files) { $newest = [Math]::Max($newest, $file.LastWriteTimeUtc.Ticks) }
    "files=$($files.Count) bytes=$bytes newest=$newest"
}

function Get-PwshPrecompiledStamp([string] $ToolHome, $Crossgen) {
    # What out/pwsh-precompiled is built from: the pwsh's folder and its files (a new tool version is
    # another folder), and the crossgen2 (its path holds its version).
    "format=2", "source=$ToolHome", (Get-FolderFingerprint $ToolHome), "crossgen=$($Crossgen.Path)", "rid=$($Crossgen.Rid)"
}

# What out/pwsh-precompiled holds, as its stamp's copy= line.
function Get-PwshPrecompiledContent([string] $Target) { "copy=$(Get-FolderFingerprint $Target)" }

function Read-PwshPrecompiledStamp([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    $lines = @(Get-Content -LiteralPath $Path)
    $summary = $lines | Where-Object { $_ -like 'summary=*' } | Select-Object -First 1
    if (-not $summary) { return $null }
    [pscustomobject]@{
        Inputs  = ($lines | Where-Object { $_ -notlike 'summary=*' -and $_ -notlike 'copy=*' }) -join "`n"
        Copy    = $lines | Where-Object { $_ -like 'copy=*' } | Select-Object -First 1
        Summary = $summary.Substring(8)
    }
}

function Read-XunitCount([string] $Trx, [int] $ExitCode) {
    # Counts from the trx; no trx, an unreadable one, or a failed run it does not count: one failure.
    $passed = 0; $failed = 0; $note = $null
    try {
        $counters = ([xml] (Get-Content -LiteralPath $Trx -Raw -ErrorAction Stop)).TestRun.ResultSummary.Counters
        if ($null -eq $counters) { throw 'it has no ResultSummary counters' }
        $passed = [int] $counters.passed
        $failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
    catch { $failed = 1; $note = "no readable $Trx ($($_.Exception.Message))" }
    if ($ExitCode -ne 0 -and $failed -eq 0) { $failed = 1; $note = "dotnet test exited $ExitCode without a counted failure" }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Note = $note }
}

function Read-PesterCount([string] $CountFile, [int] $ExitCode) {
    # "<passed> <failed>" from Invoke-PesterSuite.ps1, written from Pester's result object before
    # anything else can fail; a missing or garbled file, or a failed run it does not count: one failure.
    $passed = 0; $failed = 0; $note = $null
    $text = if (Test-Path -LiteralPath $CountFile) { (Get-Content -LiteralPath $CountFile -Raw) } else { '' }
    if ($text -match '^\s*(\d+) (\d+)\s*$') { $passed = [int] $Matches[1]; $failed = [int] $Matches[2] }
    else { $failed = 1; $note = "no count in $CountFile" }
    if ($ExitCode -ne 0 -and $failed -eq 0) { $failed = 1; $note = "the Pester runner exited $ExitCode without a counted failure" }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Note = $note }
}

function Invoke-Test {
    Assert-OsPackage
    Invoke-Build
    $results = Join-Path $PSScriptRoot 'TestResults'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory $results

    '== xunit'
    & dotnet test tests/Blit.Core.Tests -c $config --no-build --nologo --logger 'trx;LogFileName=xunit.trx' `
        --results-directory $results --logger 'console;verbosity=minimal'
    $xunit = Read-XunitCount (Join-Path $results 'xunit.trx') $LASTEXITCODE

    # The portable backend (Windows, macOS) on Linux: the mirror suites again, their expectations
    # from its capabilities (docs/platforms.md). The allocation tests measure the Linux fast path.
    # Elsewhere the portable backend is the default, so the first pass has run it already.
    if ($IsLinux) {
        '== xunit, portable backend (BLIT_BACKEND=portable)'
        $env:BLIT_BACKEND = 'portable'
        try {
            & dotnet test tests/Blit.Core.Tests -c $config --no-build --nologo `
                --filter '(FullyQualifiedName~Blit.Tests.Mirror|FullyQualifiedName~Reliability|FullyQualifiedName~Destinations)&FullyQualifiedName!~AllocationTests' `
                --logger 'trx;LogFileName=xunit-portable.trx' --results-directory $results --logger 'console;verbosity=minimal'
            $portable = Read-XunitCount (Join-Path $results 'xunit-portable.trx') $LASTEXITCODE
        }
        finally { Remove-Item Env:BLIT_BACKEND }
    }
    else {
        $portable = [pscustomobject]@{ Passed = 0; Failed = 0; Note = $null }
    }

    '== Pester'
    Invoke-Native dotnet @('restore', 'tests/tools/Blit.TestTools.csproj', '-nologo', '-v:quiet')
    $countFile = Join-Path $results 'pester.txt'
    & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File tests/pester/Invoke-PesterSuite.ps1 -ResultPath $countFile @passThrough
    $pester = Read-PesterCount $countFile $LASTEXITCODE

    foreach ($note in @($xunit.Note, $portable.Note, $pester.Note) | Where-Object { $_ }) { "counted as 1 failed: $note" }
    $portableText = if ($IsLinux) { "$($portable.Passed) passed, $($portable.Failed) failed" } else { 'the first pass (the default backend on this OS)' }
    "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; xunit (portable backend): $portableText; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    $failed = $xunit.Failed + $portable.Failed + $pester.Failed
    "$($xunit.Passed + $portable.Passed + $pester.Passed) passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

switch ($Task) {
    'build' { Invoke-Build }
    'test' { Invoke-Test }
    'gate' {
        Assert-OsPackage
        Invoke-Build
        # Cold rows start pwsh as a runbook on an installed pwsh does: precompiled, as Microsoft's pwsh
        # packages are (this repository's dotnet tool pwsh is IL only and starts twice as slowly;
        # docs/performance.md). The runbook builds that copy only when it measures cold and no
        # -PwshPath names another pwsh.
        # The gate's exit code is its decision: 0 GO, 1 NO-GO, 2 could not run.
        # Given twice, a switch fails the runbook's binding, and that exit code (1) would read as NO-GO.
        $precompile = @(if ($passThrough -notcontains '-PrecompilePwsh') { '-PrecompilePwsh' })
        & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File scripts/Invoke-BlitGate.ps1 @precompile @passThrough
        exit $LASTEXITCODE
    }
    'package' { Invoke-Build; Invoke-ChildPwsh (@('-File', 'scripts/Build-Package.ps1') + $passThrough) }
    'docs' { Invoke-Native dotnet @('tool', 'restore'); Invoke-Docs }
    'pwsh-precompiled' {
        $unknown = @($passThrough | Where-Object { $_ -notin '-Force', '-Check' })
        if ($unknown.Count -or ($passThrough -contains '-Force' -and $passThrough -contains '-Check')) {
            [Console]::Error.WriteLine("usage: ./build.ps1 pwsh-precompiled [-Force | -Check]; got $($passThrough -join ' ')"); exit 2
        }
        Invoke-PrecompilePwsh -Force:($passThrough -contains '-Force') -Check:($passThrough -contains '-Check')
    }
    default { [Console]::Error.WriteLine("usage: ./build.ps1 build|test|gate|package|docs|pwsh-precompiled [args]"); exit 2 }
}
