<#
.SYNOPSIS
    Packages the built module: a versioned module folder and a .nupkg in a local PSResource repository.

.DESCRIPTION
    Run after ./build.sh build (./build.sh package does both). Writes

      <OutputPath>/Blit/<version>/        the module folder, as Install-PSResource lays it out:
                                          Blit.psd1 (generated) and the files scripts/ModuleFiles.psd1
                                          lists (the assemblies, views, Blit.Pester.ps1, en-US/ with
                                          the cmdlet help and about_Blit where Get-Help looks: under
                                          the module base, LICENSE and CHANGELOG.md)
      <RepositoryPath>/Blit.<version>.nupkg  published with Publish-PSResource; the folder is a
                                          local file repository to install from

    The repository-root Blit.psd1 stays the single source of truth for the version and every
    other field: the package manifest is generated from it with New-ModuleManifest, only the
    paths into bin/ rewritten, and then compared with it field by field. A root manifest field
    this script does not know how to carry over is an error, not a silent omission; so is a
    missing file, or a bin/ built for another version.

    Publish-PSResource needs a registered repository. A temporary one (a unique name, trusted,
    pointing at -RepositoryPath) is registered for the publish and unregistered afterwards,
    and PSResourceGet's repository store (PSResourceRepository.xml under the user's local
    application data) is put back exactly as it was, byte for byte, or removed if it did not
    exist before.

.EXAMPLE
    ./build.sh package

    Builds, then runs this script: out/Blit/0.1.0/ and out/repository/Blit.0.1.0.nupkg.

.EXAMPLE
    ./scripts/Build-Package.ps1 -OutputPath /tmp/blit-out -RepositoryPath /srv/psrepo

    Packages an existing build into /tmp/blit-out/Blit/<version>/ and publishes the .nupkg into
    the folder /srv/psrepo (other packages there are left alone; an older Blit .nupkg of the same
    version is replaced).
#>
[CmdletBinding()]
param(
    # Where the versioned module folder goes (<OutputPath>/Blit/<version>); default out/ in the repository.
    [string] $OutputPath,
    # The local file repository the .nupkg is published into; default <OutputPath>/repository.
    [string] $RepositoryPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
if (-not $OutputPath) { $OutputPath = Join-Path $repoRoot 'out' }
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
if (-not $RepositoryPath) { $RepositoryPath = Join-Path $OutputPath 'repository' }
$RepositoryPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($RepositoryPath)

$sourceManifest = Join-Path $repoRoot 'Blit.psd1'
$manifest = Import-PowerShellDataFile -LiteralPath $sourceManifest
$moduleName = [IO.Path]::GetFileNameWithoutExtension($sourceManifest)
$version = [version] $manifest.ModuleVersion

# --- What goes into the module folder: scripts/ModuleFiles.psd1, the one list ------------------
$files = [ordered]@{}
$moduleFiles = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'ModuleFiles.psd1')
foreach ($file in $moduleFiles.Files) {
    $files[$file.Built] = $file.Module
}
foreach ($platform in Get-ChildItem -LiteralPath (Join-Path $repoRoot 'bin') -Directory) {
    if (Test-Path -LiteralPath (Join-Path $platform.FullName $moduleFiles.Precompiled) -PathType Leaf) {
        $files["bin/$($platform.Name)/$($moduleFiles.Precompiled)"] = "$($platform.Name)/$($moduleFiles.Precompiled)"
    }
}
$missing = @($files.Keys | Where-Object { -not (Test-Path -LiteralPath (Join-Path $repoRoot $_) -PathType Leaf) })
if ($missing) {
    throw "Build-Package: expected $($missing -join ', ') (under $repoRoot) is missing; run ./build.sh build first."
}
$assemblyVersion = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $repoRoot 'bin/Blit.Cmdlets.dll')).Version
if ($assemblyVersion.ToString(3) -ne $version.ToString(3)) {
    throw "Build-Package: bin/Blit.Cmdlets.dll is version $assemblyVersion but Blit.psd1 says $version; rebuild (./build.sh build), and keep VersionPrefix in Directory.Build.props equal to ModuleVersion."
}

$moduleRoot = Join-Path $OutputPath $moduleName
$moduleDir = Join-Path $moduleRoot $version.ToString()
Remove-Item -LiteralPath $moduleRoot -Recurse -Force -ErrorAction Ignore
foreach ($entry in $files.GetEnumerator()) {
    $target = Join-Path $moduleDir $entry.Value
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $target)
    Copy-Item -LiteralPath (Join-Path $repoRoot $entry.Key) -Destination $target
}

# --- The package manifest, generated from the root one ----------------------------------------
# Fields holding paths into bin/: the package folder is bin/'s content, so the prefix goes.
$pathFields = 'RootModule', 'FormatsToProcess', 'TypesToProcess', 'NestedModules', 'RequiredAssemblies', 'ScriptsToProcess', 'FileList'
# PrivateData.PSData fields New-ModuleManifest takes as parameters; empty ones are left out
# (an empty LicenseUri or ProjectUri is "none", and the .nuspec must not carry an empty URL).
$psDataFields = 'Tags', 'LicenseUri', 'ProjectUri', 'IconUri', 'ReleaseNotes', 'Prerelease', 'RequireLicenseAcceptance', 'ExternalModuleDependencies'

function ConvertTo-Canonical([object] $Value) {
    <# Sorted keys and one-element arrays as their element, so equal manifests compare equal as JSON. #>
    if ($Value -is [Collections.IDictionary]) {
        $sorted = [ordered]@{}
        foreach ($k in $Value.Keys | Sort-Object) { $sorted[$k] = ConvertTo-Canonical $Value[$k] }
        return $sorted
    }
    if ($Value -is [Collections.IEnumerable] -and $Value -isnot [string]) {
        $items = @($Value | ForEach-Object { ConvertTo-Canonical $_ })
        if ($items.Count -eq 1) { return $items[0] }
        return , $items
    }
    $Value
}

function ConvertTo-PackagePath([object] $Value) {
    foreach ($v in @($Value)) {
        if ($v -isnot [string] -or -not $v.StartsWith('bin/')) { throw "Build-Package: '$v' in Blit.psd1 does not point into bin/." }
        $v.Substring(4)
    }
}

$parameters = @{ Path = Join-Path $moduleDir "$moduleName.psd1" }
$expected = @{}
$newModuleManifest = (Get-Command New-ModuleManifest).Parameters
foreach ($key in $manifest.Keys) {
    $value = $manifest[$key]
    if ($key -eq 'PrivateData') {
        $extra = @($value.Keys | Where-Object { $_ -ne 'PSData' })
        if ($extra) { throw "Build-Package: Blit.psd1 PrivateData has $($extra -join ', '); only PSData is carried into the package manifest." }
        $psData = @{}
        $sourcePSData = if ($value.ContainsKey('PSData')) { $value.PSData } else { @{} }
        foreach ($field in $sourcePSData.Keys) {
            if ($field -notin $psDataFields) { throw "Build-Package: Blit.psd1 PSData field '$field' is not carried into the package manifest." }
            $v = $sourcePSData[$field]
            if ($null -eq $v -or ($v -is [string] -and $v -eq '')) { continue }
            $parameters[$field] = $v
            $psData[$field] = $v
        }
        $expected['PrivateData'] = @{ PSData = $psData }
        continue
    }
    if (-not $newModuleManifest.ContainsKey($key)) { throw "Build-Package: Blit.psd1 field '$key' is not carried into the package manifest." }
    if ($key -in $pathFields) {
        $value = if ($value -is [array]) { @(ConvertTo-PackagePath $value) } else { ConvertTo-PackagePath $value }
    }
    $parameters[$key] = $value
    $expected[$key] = $value
}
New-ModuleManifest @parameters
# New-ModuleManifest comments out an empty export list (VariablesToExport = @()), which would
# leave the default, '*'; keep the root manifest's explicit empty lists.
$text = [IO.File]::ReadAllText($parameters.Path)
foreach ($key in $expected.Keys) {
    if ($expected[$key] -is [array] -and $expected[$key].Count -eq 0) {
        $text = $text -replace "(?m)^#\s*$key = @\(\)", "$key = @()"
    }
}
[IO.File]::WriteAllText($parameters.Path, $text, [Text.UTF8Encoding]::new($false))

# The generated manifest must say exactly what the root one says (paths rewritten).
$generated = Import-PowerShellDataFile -LiteralPath $parameters.Path
$differences = foreach ($key in @($expected.Keys) + @($generated.Keys) | Sort-Object -Unique) {
    $want = ConvertTo-Json -Compress -Depth 5 -InputObject (ConvertTo-Canonical $expected[$key])
    $got = ConvertTo-Json -Compress -Depth 5 -InputObject (ConvertTo-Canonical $generated[$key])
    if ($want -ne $got) { "$key (expected $want, generated $got)" }
}
if ($differences) { throw "Build-Package: the package manifest differs from Blit.psd1: $($differences -join '; ')" }
$null = Test-ModuleManifest -Path $parameters.Path

# --- The .nupkg, through Publish-PSResource into a local file repository -----------------------
Import-Module Microsoft.PowerShell.PSResourceGet
$null = New-Item -ItemType Directory -Force -Path $RepositoryPath
$nupkg = Join-Path $RepositoryPath "$moduleName.$version.nupkg"
Remove-Item -LiteralPath $nupkg -Force -ErrorAction Ignore

# PSResourceGet keeps its store under the local application data folder; .NET reports that
# folder as '' while it does not exist, and PSResourceGet would then write into the current
# directory. Make sure it exists first (it always does in a used account).
$appData = [Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify')
$null = New-Item -ItemType Directory -Force -Path $appData
$storeDir = Join-Path $appData 'PSResourceGet'
$store = Join-Path $storeDir 'PSResourceRepository.xml'
$storeDirExisted = Test-Path -LiteralPath $storeDir
$storeBefore = if (Test-Path -LiteralPath $store) { [IO.File]::ReadAllBytes($store) } else { $null }
$repositoryName = 'BlitBuild-' + [guid]::NewGuid().ToString('N').Substring(0, 12)
$registered = $false
try {
    Register-PSResourceRepository -Name $repositoryName -Uri $RepositoryPath -Trusted
    $registered = $true
    Publish-PSResource -Path $moduleDir -Repository $repositoryName
}
finally {
    if ($registered) { Unregister-PSResourceRepository -Name $repositoryName -ErrorAction Continue }
    # Put the user's repository store back as it was (PSResourceGet creates it, with PSGallery, on first use).
    if ($null -eq $storeBefore) {
        Remove-Item -LiteralPath $store -Force -ErrorAction Ignore
        if (-not $storeDirExisted -and -not (Get-ChildItem -LiteralPath $storeDir -Force -ErrorAction Ignore)) {
            Remove-Item -LiteralPath $storeDir -Force -ErrorAction Ignore
        }
    }
    elseif (-not (Test-Path -LiteralPath $store) -or
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($store)) -ne [Convert]::ToBase64String($storeBefore)) {
        [IO.File]::WriteAllBytes($store, $storeBefore)
    }
}
if (-not (Test-Path -LiteralPath $nupkg -PathType Leaf)) { throw "Build-Package: Publish-PSResource wrote no $nupkg." }

"Build-Package: module folder $moduleDir"
"Build-Package: package $nupkg (local repository $RepositoryPath)"
