<#
.SYNOPSIS
    Blit's build script for pwsh (Windows, or anywhere pwsh runs). Same tasks as build.sh.
.EXAMPLE
    ./build.ps1 build
.EXAMPLE
    ./build.ps1 test
.EXAMPLE
    ./build.ps1 gate -Quick
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)][ValidateSet('build', 'test', 'gate', 'package', 'docs')][string] $Task = 'build',
    [Parameter(ValueFromRemainingArguments)][string[]] $Arguments = @()
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'
$config = if ($env:CONFIG) { $env:CONFIG } else { 'Release' }

function Invoke-Native([string] $File, [string[]] $ArgumentList) {
    & $File @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$File $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-ChildPwsh([string[]] $ArgumentList) {
    Invoke-Native dotnet (@('pwsh', '-NoLogo', '-NoProfile', '-NonInteractive') + $ArgumentList)
}

function Invoke-Docs {
    Invoke-ChildPwsh @('-File', 'scripts/Build-Help.ps1', '-DocsPath', 'docs/en-US', '-OutputPath', 'bin/en-US', '-AboutOutputPath', 'en-US')
}

function Invoke-Build {
    Invoke-Native dotnet @('tool', 'restore')
    Invoke-Native dotnet @('build', 'Blit.PowerShell.sln', '-c', $config, '-nologo', '-v:quiet')
    Remove-Item bin -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory bin
    $out = "src/Blit.Cmdlets/bin/$config/net8.0"
    Copy-Item "$out/Blit.Cmdlets.dll", "$out/Blit.Core.dll", "$out/Blit.Cmdlets.deps.json", 'src/Blit.Cmdlets/Blit.format.ps1xml', 'src/Blit.Cmdlets/Blit.Pester.ps1' bin/
    Invoke-Docs
    foreach ($f in 'bin/Blit.Cmdlets.dll', 'bin/Blit.Core.dll', 'bin/Blit.format.ps1xml', 'bin/Blit.Pester.ps1',
        'bin/en-US/Blit.Cmdlets.dll-Help.xml', 'en-US/Blit.Cmdlets.dll-Help.xml', 'en-US/about_Blit.help.txt') {
        if (-not (Test-Path $f)) { throw "build: expected $f is missing" }
    }
    'build: module ready (Import-Module ./Blit.psd1)'
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $PSScriptRoot 'TestResults'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory $results
    & dotnet test tests/Blit.Core.Tests -c $config --no-build --nologo --logger 'trx;LogFileName=xunit.trx' --results-directory $results
    $xunitOk = $LASTEXITCODE -eq 0
    [xml] $trx = Get-Content (Join-Path $results 'xunit.trx') -ErrorAction SilentlyContinue
    $xpass = [int] $trx.TestRun.ResultSummary.Counters.passed
    $xfail = if ($trx) { [int] $trx.TestRun.ResultSummary.Counters.failed } else { 1 }
    Invoke-Native dotnet @('restore', 'tests/tools/Blit.TestTools.csproj', '-v:quiet')
    & dotnet pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-PesterSuite.ps1 -ResultPath (Join-Path $results 'pester.txt') @Arguments
    $pesterOk = $LASTEXITCODE -eq 0
    $ppass, $pfail = if (Test-Path (Join-Path $results 'pester.txt')) { (Get-Content (Join-Path $results 'pester.txt')) -split ' ' } else { 0, 1 }
    "xunit: $xpass passed, $xfail failed; Pester: $ppass passed, $pfail failed"
    "$($xpass + [int]$ppass) passed, $($xfail + [int]$pfail) failed"
    if (-not ($xunitOk -and $pesterOk) -or ($xfail + [int]$pfail) -gt 0) { exit 1 }
}

switch ($Task) {
    'build' { Invoke-Build }
    'test' { Invoke-Test }
    'gate' { Invoke-Build; Invoke-ChildPwsh (@('-File', 'scripts/Invoke-BlitGate.ps1') + $Arguments) }
    'package' { Invoke-Build; Invoke-ChildPwsh (@('-File', 'scripts/Build-Package.ps1') + $Arguments) }
    'docs' { Invoke-Native dotnet @('tool', 'restore'); Invoke-Docs }
}
