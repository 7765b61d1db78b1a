@{
    # The one list of the module's files. Each entry: Module = the path in the module folder;
    # Built = where ./build.ps1 build leaves it (relative to the repository); From = what the
    # build copies there ({0} is the configuration; none: another step writes it).
    #   build.ps1                  copies From -> Built, then fails if a Built path is missing
    #   scripts/Build-Package.ps1  copies Built -> Module into out/Blit/<version>/ (plus Blit.psd1)
    #   tests/pester/Package.Tests.ps1  checks that folder holds exactly these (plus Blit.psd1)
    Files          = @(
        @{ Module = 'Blit.Cmdlets.dll'; Built = 'bin/Blit.Cmdlets.dll'; From = 'src/Blit.Cmdlets/bin/{0}/net8.0/Blit.Cmdlets.dll' }
        @{ Module = 'Blit.Core.dll'; Built = 'bin/Blit.Core.dll'; From = 'src/Blit.Cmdlets/bin/{0}/net8.0/Blit.Core.dll' }
        @{ Module = 'Blit.Cmdlets.deps.json'; Built = 'bin/Blit.Cmdlets.deps.json'; From = 'src/Blit.Cmdlets/bin/{0}/net8.0/Blit.Cmdlets.deps.json' }
        @{ Module = 'Blit.format.ps1xml'; Built = 'bin/Blit.format.ps1xml'; From = 'src/Blit.Cmdlets/Blit.format.ps1xml' }
        @{ Module = 'Blit.types.ps1xml'; Built = 'bin/Blit.types.ps1xml'; From = 'src/Blit.Cmdlets/Blit.types.ps1xml' }
        @{ Module = 'Blit.Pester.ps1'; Built = 'bin/Blit.Pester.ps1'; From = 'src/Blit.Cmdlets/Blit.Pester.ps1' }
        # Written by scripts/Build-Help.ps1 (the build's docs step).
        @{ Module = 'en-US/Blit.Cmdlets.dll-Help.xml'; Built = 'bin/en-US/Blit.Cmdlets.dll-Help.xml' }
        @{ Module = 'en-US/about_Blit.help.txt'; Built = 'en-US/about_Blit.help.txt' }
        # In the repository already.
        @{ Module = 'LICENSE'; Built = 'LICENSE' }
        @{ Module = 'CHANGELOG.md'; Built = 'CHANGELOG.md' }
    )
    # Optional: Blit.Core with native code for the build machine (ReadyToRun), written by the
    # build's precompile step as bin/<os>-<arch>/<this name> and packaged as <os>-<arch>/<this name>
    # when present. Without it the module runs bin/Blit.Core.dll's IL (PrecompiledCore.cs).
    Precompiled    = 'Blit.Core.dll'
    # Built but not packaged: the root Blit.psd1 makes the repository the module base, and
    # Get-Help looks for the cmdlet help under <module base>/en-US.
    RepositoryOnly = @('en-US/Blit.Cmdlets.dll-Help.xml')
}
