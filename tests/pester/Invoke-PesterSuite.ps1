<#
.SYNOPSIS
    Runs Blit's Pester tests in this (child) pwsh and writes "<passed> <failed>" to -ResultPath.
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
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')

$result = Invoke-Pester -Configuration $config
"$($result.PassedCount) $($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)" |
    Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
if ($result.Result -ne 'Passed') { exit 1 }
