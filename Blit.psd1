@{
    # The manifest at the repository root loads the build output of ./build.sh build (bin/).
    # ./build.sh package writes a copy of it, with paths rewritten, into out/Blit/<version>/.
    RootModule           = 'bin/Blit.Cmdlets.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d9a8e-3c1b-4b7e-9a55-0b7f2f6d2c41'
    Author               = 'Blit contributors'
    CompanyName          = 'Blit'
    Copyright            = '(c) Blit contributors. MIT License.'
    Description          = 'Fast, safe local directory mirroring (rsync -a --delete / robocopy /MIR semantics) with a built-in benchmark and GO/NO-GO quality gate.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('bin/Blit.format.ps1xml')
    CmdletsToExport      = @('Invoke-BlitMirror', 'Compare-BlitBaseline', 'Measure-BlitWorkload')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('mirror', 'rsync', 'robocopy', 'backup', 'sync', 'benchmark', 'Linux', 'PSEdition_Core')
            LicenseUri   = ''
            ProjectUri   = ''
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
