<#
.SYNOPSIS
    Runs Blit's Pester tests in this (child) pwsh and writes "<passed> <failed>" to -ResultPath.
    The counts come from Pester's result object; a crash of Pester writes "0 1".
.DESCRIPTION
    Pester comes from the NuGet cache (tests/tools/Blit.TestTools.csproj downloads it), since
    the PowerShell Gallery is not reachable everywhere Blit is built. Run through
    ./build.sh test, which builds first; a loaded binary module cannot be unloaded, so each
    suite runs in a fresh pwsh.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ResultPath,
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [string[]] $Path = @($PSScriptRoot)
)
$ErrorActionPreference = 'Stop'
$nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pester = Join-Path $nugetRoot 'pester/6.2.0/tools/Pester.psd1'
if (-not (Test-Path $pester)) {
    throw "Pester 6.2.0 is not in the NuGet cache ($pester). Run: dotnet restore tests/tools/Blit.TestTools.csproj"
}
Import-Module $pester -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($Tag) { $config.Filter.Tag = $Tag }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
# No NUnit/JUnit report: nothing reads one, and its XML export failed on control characters in
# test messages, taking the counts with it. The counts come from Pester's result object.

try {
    $result = Invoke-Pester -Configuration $config
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    # A run that did not pass must show at least one failure, whatever the counters say.
    if ($result.Result -ne 'Passed' -and $failed -eq 0) { $failed = 1 }
    "$($result.PassedCount) $failed" | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
}
catch {
    # Pester itself crashed: what ran is unknown, so count one failure.
    '0 1' | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
    throw
}
if ($result.Result -ne 'Passed') { exit 1 }
