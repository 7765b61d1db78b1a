#Requires -Version 7.4
# Tab completion and output types: every parameter with a fixed set of values (an enum, an enum
# array, or a ValidateSet) completes to exactly those values through TabExpansion2, as a user
# pressing Tab would see; and every cmdlet declares what it writes, so the pipeline (and
# completion after it) knows the types.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $cmdlets = @(Get-Command -Module Blit -CommandType Cmdlet)
    $fixedSets = foreach ($command in $cmdlets) {
        foreach ($p in $command.Parameters.Values | Where-Object Name -NotIn $commonParameters) {
            $type = if ($p.ParameterType.IsArray) { $p.ParameterType.GetElementType() } else { $p.ParameterType }
            $set = ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }).ValidValues
            $values = if ($type.IsEnum) { [Enum]::GetNames($type) } elseif ($set) { $set } else { $null }
            if ($values) { @{ Command = $command.Name; Parameter = $p.Name; Values = @($values | Sort-Object) } }
        }
    }
    $cmdletNames = $cmdlets | ForEach-Object { @{ Command = $_.Name } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    function Get-Completion([string] $Line) {
        <# The completion texts TabExpansion2 offers with the cursor at the end of $Line. #>
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'Completion of <Command> -<Parameter>' -ForEach $fixedSets {
    It 'offers every value' {
        Get-Completion "$Command -$Parameter " | Sort-Object | Should -Be $Values
    }

    It 'narrows to the values that start with what is typed' {
        $prefix = $Values[-1].Substring(0, 2)
        $expected = @($Values | Where-Object { $_ -like "$prefix*" })
        Get-Completion "$Command -$Parameter $prefix" | Sort-Object | Should -Be $expected
    }
}

Describe 'Completion of the parameters users pick from a list' -ForEach @(@{ Covered = @($fixedSets | ForEach-Object { "$($_.Command) -$($_.Parameter)" }) }) {
    It 'covers the fixed-set parameters there are' {
        # Guards the discovery above: if these stopped being enums, the data-driven cases would vanish silently.
        # Every other parameter takes free input: paths (completed as paths), patterns, numbers, switches.
        $Covered | Sort-Object | Should -Be @('Measure-BlitWorkload -Comparator', 'Measure-BlitWorkload -Mode', 'Measure-BlitWorkload -Workload')
    }

    It 'completes workloads by position and after a comma' {
        Get-Completion 'Measure-BlitWorkload ' | Should -Contain 'SmallFiles'
        Get-Completion 'Measure-BlitWorkload -Workload SmallFiles, N' | Should -Be @('NoOp')
        Get-Completion 'Measure-BlitWorkload -Quick -Comparator R' | Sort-Object | Should -Be @('Robocopy', 'Rsync')
    }

    It 'completes directories for the path parameters' {
        $null = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'complete-me-dir')
        Push-Location $TestDrive
        try {
            foreach ($line in 'Invoke-BlitMirror -Path ./complete-me', 'Invoke-BlitMirror ./x -Destination ./complete-me',
                'Measure-BlitWorkload -Root ./complete-me', 'Compare-BlitBaseline -BaselinePath ./complete-me') {
                Get-Completion $line | Should -Be @('./complete-me-dir') -Because $line
            }
        }
        finally { Pop-Location }
    }
}

Describe 'Output types of <Command>' -ForEach $cmdletNames {
    It 'declares [OutputType]' {
        (Get-Command $Command).OutputType | Should -Not -BeNullOrEmpty
    }

    It 'lets the pipeline complete members of its output' {
        # Completion after the pipe works from [OutputType] alone: the command is not run.
        $type = (Get-Command $Command).OutputType[0].Type
        $member = ($type.GetProperties() | Select-Object -First 1).Name
        $line = "$Command | Where-Object $($member.Substring(0, 3))"
        Get-Completion $line | Should -Contain $member
    }
}
