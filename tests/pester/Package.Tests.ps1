#Requires -Version 7.4
# Packaging as a new user meets it: scripts/Build-Package.ps1 (what ./build.sh package runs after
# the build) writes the versioned module folder and publishes the .nupkg into a local repository;
# Install-PSResource installs it from there; a clean pwsh that sees only that install (and
# $PSHOME/Modules) imports Blit, lists exactly its three cmdlets and reads their help.
#
# Every step runs in a child pwsh whose HOME and XDG folders are under TestDrive, so the
# PSResourceGet repository store, the CurrentUser module path and pwsh's caches are the test's
# own: the user's settings are never read or written. That redirection is how Linux and macOS
# place those folders; on Windows they come from the shell, hence the skip there.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Version = (Import-PowerShellDataFile (Join-Path $RepoRoot 'Blit.psd1')).ModuleVersion
    $script:IsolatedHome = Join-Path $TestDrive 'home'
    $script:Out = Join-Path $TestDrive 'out'
    $script:UserModules = Join-Path $IsolatedHome '.local/share/powershell/Modules'
    $script:Store = Join-Path $IsolatedHome '.local/share/PSResourceGet/PSResourceRepository.xml'
    # As in a used account (.NET reports a missing data folder as '', and PSResourceGet would then use the current directory).
    foreach ($d in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force (Join-Path $IsolatedHome $d) }

    function Invoke-IsolatedPwsh {
        <#
        Runs $Script in a new pwsh (the same PowerShell as this one) with HOME and the XDG folders
        under TestDrive. The script's last output line must be JSON; returns it parsed, with the
        whole output and exit code for failure messages.
        #>
        param([Parameter(Mandatory)][string] $Script)
        $exe = (Get-Process -Id $PID).Path
        $arguments = @('-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script)))
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $arguments = @(Join-Path $PSHOME 'pwsh.dll') + $arguments }
        $names = 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'POWERSHELL_TELEMETRY_OPTOUT', 'POWERSHELL_UPDATECHECK'
        $saved = @{}; foreach ($n in $names) { $saved[$n] = [Environment]::GetEnvironmentVariable($n) }
        try {
            $env:HOME = $IsolatedHome
            $env:XDG_DATA_HOME = Join-Path $IsolatedHome '.local/share'
            $env:XDG_CONFIG_HOME = Join-Path $IsolatedHome '.config'
            $env:XDG_CACHE_HOME = Join-Path $IsolatedHome '.cache'
            $env:POWERSHELL_TELEMETRY_OPTOUT = '1'
            $env:POWERSHELL_UPDATECHECK = 'Off'
            $output = @(& $exe @arguments 2>&1 | ForEach-Object { "$_" })
            $code = $LASTEXITCODE
        }
        finally {
            foreach ($n in $names) { [Environment]::SetEnvironmentVariable($n, $saved[$n]) }
        }
        $text = $output -join [Environment]::NewLine
        $code | Should -Be 0 -Because "the child pwsh should succeed; its output:`n$text"
        $json = $output | Where-Object { $_ -match '^\s*[\[{]' } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because "the child pwsh should end with JSON; its output:`n$text"
        [pscustomobject]@{ Result = $json | ConvertFrom-Json; Output = $text }
    }
}

Describe 'Build-Package.ps1 and Install-PSResource' -Skip:(-not ($IsLinux -or $IsMacOS)) {
    BeforeAll {
        # 1. Package, into TestDrive, with a repository store that already has a repository of the user's.
        $script:Build = Invoke-IsolatedPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name UsersOwn -Uri '$TestDrive' -Priority 10
`$before = (Get-FileHash -LiteralPath '$Store').Hash
`$lines = @(& '$RepoRoot/scripts/Build-Package.ps1' -OutputPath '$Out')
[pscustomobject]@{ Before = `$before; After = (Get-FileHash -LiteralPath '$Store').Hash; Lines = `$lines; Repositories = @(Get-PSResourceRepository | ForEach-Object Name) } | ConvertTo-Json -Compress
"@
        $script:ModuleDir = Join-Path $Out "Blit/$Version"
        $script:Nupkg = Join-Path $Out "repository/Blit.$Version.nupkg"
    }

    It 'writes the versioned module folder with every file the module needs, and nothing else' {
        $files = Get-ChildItem -LiteralPath $ModuleDir -Recurse -File |
            ForEach-Object { [IO.Path]::GetRelativePath($ModuleDir, $_.FullName) -replace '\\', '/' } | Sort-Object
        # scripts/ModuleFiles.psd1 is the one list of the module's files; Blit.psd1 is generated.
        $list = Import-PowerShellDataFile (Join-Path $RepoRoot 'scripts/ModuleFiles.psd1')
        $precompiled = @(Get-ChildItem (Join-Path $RepoRoot 'bin') -Directory | Where-Object { Test-Path (Join-Path $_.FullName $list.Precompiled) } |
            ForEach-Object { "$($_.Name)/$($list.Precompiled)" })
        $expected = @($list.Files.Module) + $precompiled + 'Blit.psd1' | Sort-Object
        $expected | Should -Contain 'Blit.Core.dll'
        if ($IsLinux -and [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64') {
            $expected | Should -Contain 'linux-x64/Blit.Core.dll' -Because 'the build precompiles Blit.Core for the machine it runs on'
        }
        $files | Should -Be $expected -Because 'the folder is what Install-PSResource will lay down'
        $Build.Result.Lines | Should -Contain "Build-Package: module folder $ModuleDir"
    }

    It 'generates the package manifest from the root one, paths rewritten, metadata the same' {
        $root = Import-PowerShellDataFile (Join-Path $RepoRoot 'Blit.psd1')
        $package = Import-PowerShellDataFile (Join-Path $ModuleDir 'Blit.psd1')
        $package.RootModule | Should -Be 'Blit.Cmdlets.dll'
        $package.FormatsToProcess | Should -Be 'Blit.format.ps1xml'
        $package.TypesToProcess | Should -Be 'Blit.types.ps1xml'
        foreach ($key in 'ModuleVersion', 'GUID', 'Author', 'CompanyName', 'Copyright', 'Description', 'PowerShellVersion') {
            $package[$key] | Should -Be $root[$key] -Because $key
        }
        $package.PowerShellVersion | Should -Be '7.4'
        @($package.CompatiblePSEditions) | Should -Be @('Core')
        @($package.CmdletsToExport) | Should -Be @($root.CmdletsToExport)
        foreach ($key in 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
            $package.ContainsKey($key) | Should -BeTrue -Because "$key stays an explicit empty list, not the default '*'"
            @($package[$key]).Count | Should -Be 0
        }
        @($package.PrivateData.PSData.Tags) | Should -Be @($root.PrivateData.PSData.Tags)
        $package.PrivateData.PSData.ContainsKey('LicenseUri') | Should -BeFalse -Because 'there is no public license URL to point at'
        (Test-ModuleManifest (Join-Path $ModuleDir 'Blit.psd1')).Version | Should -Be ([version] $Version)
    }

    It 'publishes Blit.<version>.nupkg with Publish-PSResource into the local repository' {
        $Nupkg | Should -Exist
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($Nupkg)
        try {
            $entries = $zip.Entries.FullName
            foreach ($f in 'Blit.psd1', 'Blit.Cmdlets.dll', 'Blit.Core.dll', 'en-US/Blit.Cmdlets.dll-Help.xml', 'en-US/about_Blit.help.txt', 'LICENSE') {
                $entries | Should -Contain $f
            }
            $reader = [IO.StreamReader]::new($zip.GetEntry('Blit.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd(); $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $nuspec.package.metadata.id | Should -Be 'Blit'
        $nuspec.package.metadata.version | Should -Be $Version
        $nuspec.package.metadata.tags -split ' ' | Should -Contain 'PSEdition_Core'
    }

    It 'leaves the PSResourceGet repository store exactly as it was' {
        $Build.Result.After | Should -Be $Build.Result.Before
        $Build.Result.Repositories | Sort-Object | Should -Be @('PSGallery', 'UsersOwn')
    }

    It 'refuses to package a build with a missing file or of another version' {
        # A copy of the repository's packaging inputs, broken two ways.
        $fake = Join-Path $TestDrive 'fake-repo'
        $null = New-Item -ItemType Directory -Force (Join-Path $fake 'scripts'), (Join-Path $fake 'en-US')
        Copy-Item (Join-Path $RepoRoot 'scripts/Build-Package.ps1'), (Join-Path $RepoRoot 'scripts/ModuleFiles.psd1') (Join-Path $fake 'scripts')
        Copy-Item (Join-Path $RepoRoot 'bin') $fake -Recurse
        Copy-Item (Join-Path $RepoRoot 'en-US/about_Blit.help.txt') (Join-Path $fake 'en-US')
        Copy-Item (Join-Path $RepoRoot 'LICENSE'), (Join-Path $RepoRoot 'CHANGELOG.md'), (Join-Path $RepoRoot 'Blit.psd1') $fake
        Remove-Item (Join-Path $fake 'bin/Blit.types.ps1xml')
        $otherVersion = Join-Path $TestDrive 'other-version'
        Copy-Item $fake $otherVersion -Recurse
        Copy-Item (Join-Path $RepoRoot 'bin/Blit.types.ps1xml') (Join-Path $otherVersion 'bin')
        (Get-Content -Raw (Join-Path $otherVersion 'Blit.psd1')) -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion = '9.9.9'" |
            Set-Content (Join-Path $otherVersion 'Blit.psd1')
        $run = Invoke-IsolatedPwsh @"
`$messages = foreach (`$repo in '$fake', '$otherVersion') {
    try { & "`$repo/scripts/Build-Package.ps1" -OutputPath "`$repo/out"; 'no error' } catch { `$_.Exception.Message }
}
[pscustomobject]@{ Messages = @(`$messages); Written = @(Get-ChildItem -Recurse -File '$fake/out', '$otherVersion/out' -ErrorAction Ignore).Count } | ConvertTo-Json -Compress
"@
        $run.Result.Messages[0] | Should -BeLike '*expected bin/Blit.types.ps1xml*is missing*'
        $run.Result.Messages[1] | Should -BeLike "*bin/Blit.Cmdlets.dll is version $Version* but Blit.psd1 says 9.9.9*"
        $run.Result.Written | Should -Be 0
    }

    Context 'installed with Install-PSResource' {
        BeforeAll {
            # 2. Install from the local repository into the CurrentUser module path (under TestDrive).
            $script:Install = Invoke-IsolatedPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name BlitLocal -Uri '$Out/repository' -Trusted
`$installed = Install-PSResource -Name Blit -Repository BlitLocal -Scope CurrentUser -PassThru
[pscustomobject]@{ Name = `$installed.Name; Version = `$installed.Version.ToString(); Location = `$installed.InstalledLocation } | ConvertTo-Json -Compress
"@
            # 3. A clean pwsh that sees only that install and PowerShell's own modules.
            $script:Use = Invoke-IsolatedPwsh @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$UserModules' + [IO.Path]::PathSeparator + (Join-Path `$PSHOME 'Modules')
`$available = @(Get-Module -ListAvailable Blit | ForEach-Object ModuleBase)
Import-Module Blit
`$help = Get-Help Invoke-BlitMirror -Full
`$src = Join-Path '$TestDrive' 'use-src'; `$null = New-Item -ItemType Directory -Force `$src; Set-Content (Join-Path `$src 'a.txt') 'alpha'
`$ProgressPreference = 'SilentlyContinue'
`$view = Invoke-BlitMirror `$src (Join-Path '$TestDrive' 'use-dst') | Out-String
[pscustomobject]@{
    Available = `$available
    ModuleBase = (Get-Module Blit).ModuleBase
    Commands = @(Get-Command -Module Blit | ForEach-Object Name | Sort-Object)
    Synopsis = `$help.Synopsis
    Examples = @(`$help.examples.example).Count
    HelpSynopses = @('Measure-BlitWorkload', 'Compare-BlitBaseline' | ForEach-Object { (Get-Help `$_).Synopsis })
    About = (Get-Help about_Blit | Out-String)
    View = `$view
    PesterHelper = Test-Path (Join-Path (Get-Module Blit).ModuleBase 'Blit.Pester.ps1')
} | ConvertTo-Json -Compress
"@
            $script:InstalledDir = Join-Path $UserModules "Blit/$Version"
        }

        It 'installs Blit <version> into the CurrentUser module path' {
            $Install.Result.Name | Should -Be 'Blit'
            $Install.Result.Version | Should -Be $Version
            Join-Path $InstalledDir 'Blit.psd1' | Should -Exist
            Join-Path $InstalledDir 'en-US/Blit.Cmdlets.dll-Help.xml' | Should -Exist
        }

        It 'is the only Blit a clean pwsh finds, and the one it imports' {
            @($Use.Result.Available) | Should -Be @($InstalledDir)
            $Use.Result.ModuleBase | Should -Be $InstalledDir
        }

        It 'exports exactly the three cmdlets' {
            $Use.Result.Commands | Should -Be @('Compare-BlitBaseline', 'Invoke-BlitMirror', 'Measure-BlitWorkload')
        }

        It 'has the cmdlet help and about_Blit in the installed copy' {
            $Use.Result.Synopsis | Should -Be (Get-Help Invoke-BlitMirror).Synopsis
            $Use.Result.Synopsis | Should -Not -Match '^\s*Invoke-BlitMirror \['
            $Use.Result.Examples | Should -BeGreaterOrEqual 3
            $Use.Result.HelpSynopses | Should -Be @((Get-Help Measure-BlitWorkload).Synopsis, (Get-Help Compare-BlitBaseline).Synopsis)
            $Use.Result.About | Should -Match 'about_Blit'
        }

        It 'formats results with its views and ships Blit.Pester.ps1' {
            $Use.Result.View | Should -Match 'Throughput\s+: \d+[.,]\d MiB/s'
            $Use.Result.PesterHelper | Should -BeTrue
        }
    }
}
