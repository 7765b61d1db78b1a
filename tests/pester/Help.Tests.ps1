# Help: every exported command has real help (built by ./build.sh from docs/en-US), the about
# topic is found, the documented examples run, and scripts/Build-Help.ps1 converts markdown
# correctly and refuses malformed markdown.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1

    # One case per exported command, so a new cmdlet is covered without touching this file;
    # one per parameter (-WhatIf and -Confirm included, the common parameters not).
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters
    $commands = foreach ($command in Get-Command -Module Blit -CommandType Cmdlet, Function) {
        $parameters = foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $commonParameters) {
            $sets = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            # Position and requiredness can differ between parameter sets; compare them when there is one.
            @{ Parameter = $parameter.Name; SingleSet = $sets.Count -eq 1 }
        }
        @{ Name = $command.Name; Parameters = @($parameters | Sort-Object { $_.Parameter }) }
    }

    # The ```powershell block of each example in the Invoke-BlitMirror markdown.
    $markdown = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'docs/en-US/Invoke-BlitMirror.md')
    $mirrorExamples = foreach ($m in [regex]::Matches($markdown, '(?ms)^### (Example [^\n]*?)\s*\n(.*?)(?=^##)')) {
        @{ Title = $m.Groups[1].Value; Code = [regex]::Match($m.Groups[2].Value, '(?ms)^```powershell\s*\n(.*?)^```').Groups[1].Value }
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    # PlatyPS writes '{{ Fill in the Synopsis }}', '{{ Fill Path Description }}', ... into new files.
    $script:Placeholder = '\{\{.*?\}\}'

    function Get-HelpText {
        <# The text of a help description (an array of para objects) as one string. #>
        param($Description)
        (@($Description) | ForEach-Object { $_.Text }) -join "`n"
    }
}

Describe 'Help for <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $metadata = (Get-Command $Name).Parameters
    }

    It 'has a synopsis of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match $Placeholder
        # Without a help file Get-Help makes the syntax line the synopsis.
        $help.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($Name) + '\s+\[')
    }

    It 'has a description' {
        $text = Get-HelpText $help.description
        $text.Trim() | Should -Not -BeNullOrEmpty
        $text | Should -Not -Match $Placeholder
    }

    It 'has at least three examples, each with code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($example in $examples) {
            $example.code.Trim() | Should -Not -BeNullOrEmpty -Because "$($example.title) needs code"
            $example.code | Should -Not -Match $Placeholder
            $example.title | Should -Not -Match $Placeholder
            Get-HelpText $example.remarks | Should -Not -Match $Placeholder
        }
    }

    It 'documents no parameter the command does not have' {
        $documented = @($help.parameters.parameter | ForEach-Object name)
        $documented | Where-Object { $_ -notin $Parameters.Parameter } | Should -BeNullOrEmpty
    }

    Context 'parameter -<Parameter>' -ForEach $Parameters {
        BeforeAll {
            $doc = $help.parameters.parameter | Where-Object name -EQ $Parameter
            $declared = $metadata[$Parameter]
            $attributes = @($declared.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        }

        It 'has a description' {
            $doc | Should -Not -BeNullOrEmpty -Because "-$Parameter must be in the PARAMETERS section"
            $text = Get-HelpText $doc.description
            $text.Trim() | Should -Not -BeNullOrEmpty
            $text | Should -Not -Match $Placeholder
        }

        It 'has the type, aliases and pipeline input the command declares' {
            $doc.type.name | Should -BeIn @($declared.ParameterType.Name, $declared.ParameterType.FullName)
            $aliases = if ($doc.aliases -eq 'none') { @() } else { @($doc.aliases -split ',\s*') }
            @($aliases | Sort-Object) | Should -Be @($declared.Aliases | Sort-Object)
            $byValue = [bool]($attributes | Where-Object ValueFromPipeline)
            $byName = [bool]($attributes | Where-Object ValueFromPipelineByPropertyName)
            $doc.pipelineInput -match 'ByValue' | Should -Be $byValue
            $doc.pipelineInput -match 'ByPropertyName' | Should -Be $byName
        }

        It 'has the position and requiredness the command declares' -Skip:(-not $SingleSet) {
            $position = if ($attributes[0].Position -lt 0) { 'named' } else { [string]$attributes[0].Position }
            $doc.position | Should -Be $position
            $doc.required | Should -Be $attributes[0].Mandatory.ToString().ToLowerInvariant()
        }
    }
}

Describe 'about_Blit' {
    BeforeAll {
        $topic = Get-Help about_Blit
        $text = [string]$topic
    }

    It 'is found by Get-Help, with a synopsis' {
        $topic.Name | Should -Be 'about_Blit'
        $topic.Category | Should -Be 'HelpFile'
        $topic.Synopsis | Should -Not -BeNullOrEmpty
    }

    It 'covers the mirror, the benchmark and the gate' {
        $text | Should -Match 'Invoke-BlitMirror'
        $text | Should -Match 'Measure-BlitWorkload'
        $text | Should -Match 'Compare-BlitBaseline'
        $text | Should -Match 'ratio = comparator median seconds / Blit median seconds'
        $text | Should -Match '0\.95'
    }

    It 'has no placeholder text' {
        $text | Should -Not -Match $Placeholder
    }
}

Describe 'Invoke-BlitMirror help examples' {
    BeforeAll {
        # These tests are about the examples' code, not progress display. Progress is off because
        # ProgressReporter.Tick throws OverflowException (now - TimeSpan.MinValue) on the first
        # update, once a run passes 0.5 s, which the first mirror in a process can (JIT).
        $ProgressPreference = 'SilentlyContinue'

        function New-ExampleSandbox {
            <#
            The world the examples assume: ./photos mirrored to ./backup/photos and changed since,
            ./project with entries to exclude, ./mirror/project with an obsolete file, ./empty.
            #>
            param([string] $Root)
            New-TestTree -Root $Root -Files @{
                'photos/2024/img1.jpg'                   = 'one'
                'photos/2024/img2.jpg'                   = 'two'
                'photos/2025/img3.jpg'                   = 'three'
                'project/README.md'                      = 'readme'
                'project/src/main.c'                     = 'int main(void) { return 0; }'
                'project/src/main.tmp'                   = 'scratch'
                'project/node_modules/left-pad/index.js' = 'module.exports = 1;'
                'project/build/main.o'                   = 'object'
                'mirror/project/obsolete.txt'            = 'old'
            }
            $null = New-Item -ItemType Directory -Path (Join-Path $Root 'empty')
            $null = Invoke-BlitMirror -Path (Join-Path $Root 'photos') -Destination (Join-Path $Root 'backup/photos')
            Remove-Item -LiteralPath (Join-Path $Root 'photos/2024/img1.jpg')
            Set-Content -LiteralPath (Join-Path $Root 'photos/2025/img13.jpg') -Value 'thirteen'
        }
    }

    It 'has runnable code in <Title>' -ForEach $mirrorExamples {
        $Code.Trim() | Should -Not -BeNullOrEmpty
        $sandbox = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        New-ExampleSandbox -Root $sandbox
        Push-Location -LiteralPath $sandbox
        try {
            # Any error in an example, even a non-terminating one, fails the test.
            $output = & ([scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n$Code")) | Out-String
        }
        finally {
            Pop-Location
        }
        $output.Trim() | Should -Not -BeNullOrEmpty -Because 'every example shows output'
    }
}

Describe 'scripts/Build-Help.ps1 (built-in converter)' {
    BeforeAll {
        $script:BuildHelp = Join-Path $RepoRoot 'scripts/Build-Help.ps1'

        # A small PlatyPS file with two parameter sets, a switch, aliases, inline markdown.
        $script:CommandMarkdown = @'
---
external help file: Fixture-Help.xml
Module Name: Fixture
online version: https://example.org/get-fixture
schema: 2.0.0
---

# Get-Fixture

## SYNOPSIS
Gets a **fixture** for the `converter` tests.

## SYNTAX

### ByName (Default)
```
Get-Fixture [-Name] <String> [-Force] [<CommonParameters>]
```

### ByPath
```
Get-Fixture -Path <String[]> [-Force] [<CommonParameters>]
```

## DESCRIPTION
The first paragraph,
wrapped over two lines.

- item one
- item two

## EXAMPLES

### Example 1: Get one fixture
```powershell
Get-Fixture -Name a
```

Gets the fixture named a.

### Example 2: Get fixtures by path
```powershell
Get-Fixture -Path ./x, ./y
```

```Output
x
y
```

Gets two fixtures.

## PARAMETERS

### -Name
The fixture's name.

```yaml
Type: String
Parameter Sets: ByName
Aliases: FixtureName, N

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: True
```

### -Path
Paths of the fixtures.

```yaml
Type: String[]
Parameter Sets: ByPath
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: True (ByPropertyName)
Accept wildcard characters: False
```

### -Force
Gets the fixture even when it is hidden.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### System.String
A fixture name.

## OUTPUTS

### System.Object

## NOTES
A note < & > about fixtures.

## RELATED LINKS

[Fixture site](https://example.org/fixture)

[about_Fixture](about_Fixture.md)
'@

        $script:AboutMarkdown = @'
# about_Fixture

## Short description
A fixture topic.

## Long description
The long description of the fixture topic, written long enough that it has to be wrapped at eighty columns.

### A subsection
- A list item that is also long enough to need wrapping, with a hanging indent below it.
- A short item.

```powershell
Get-Fixture -Name a
```
'@

        function Invoke-BuildHelp {
            <# Writes the markdown files into a fresh folder and runs the converter on them. #>
            param([hashtable] $Files)
            $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
            $docs = New-Item -ItemType Directory -Path (Join-Path $root 'docs')
            foreach ($name in $Files.Keys) {
                [IO.File]::WriteAllText((Join-Path $docs $name), $Files[$name])
            }
            $result = @{ Root = $root; Out = Join-Path $root 'out'; About = Join-Path $root 'mod/en-US' }
            & $BuildHelp -DocsPath $docs -OutputPath $result.Out -AboutOutputPath $result.About -Converter BuiltIn 6>$null
            $result
        }
    }

    Context 'a well-formed file' {
        BeforeAll {
            $built = Invoke-BuildHelp @{ 'Get-Fixture.md' = $CommandMarkdown; 'about_Fixture.md' = $AboutMarkdown }
            $mamlPath = Join-Path $built.Out 'Fixture-Help.xml'
            $xml = [xml](Get-Content -Raw -LiteralPath $mamlPath)
            $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
            $ns.AddNamespace('msh', 'http://msh')
            $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
            $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
            $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
            $command = $xml.SelectSingleNode('/msh:helpItems/command:command', $ns)
            function Select-Text([string] $XPath, [System.Xml.XmlNode] $Node = $command) {
                @($Node.SelectNodes($XPath, $ns) | ForEach-Object InnerText)
            }
        }

        It 'writes one command in a MAML helpItems document, to both output folders' {
            $xml.DocumentElement.LocalName | Should -BeExactly 'helpItems'
            $xml.DocumentElement.GetAttribute('schema') | Should -BeExactly 'maml'
            $command | Should -Not -BeNullOrEmpty
            Get-Content -Raw -LiteralPath (Join-Path $built.About 'Fixture-Help.xml') | Should -BeExactly (Get-Content -Raw -LiteralPath $mamlPath)
        }

        It 'writes name, verb, noun and the synopsis without markdown' {
            Select-Text 'command:details/command:name' | Should -BeExactly 'Get-Fixture'
            Select-Text 'command:details/command:verb' | Should -BeExactly 'Get'
            Select-Text 'command:details/command:noun' | Should -BeExactly 'Fixture'
            Select-Text 'command:details/maml:description/maml:para' | Should -BeExactly 'Gets a fixture for the converter tests.'
        }

        It 'joins wrapped lines and keeps list items on their own lines' {
            Select-Text 'maml:description/maml:para' | Should -BeExactly @('The first paragraph, wrapped over two lines.', "- item one`n- item two")
        }

        It 'writes one syntax item per parameter set, with that set''s parameters' {
            $items = @($command.SelectNodes('command:syntax/command:syntaxItem', $ns))
            $items.Count | Should -BeExactly 2
            Select-Text 'command:parameter/maml:name' $items[0] | Should -BeExactly @('Name', 'Force')
            Select-Text 'command:parameter/maml:name' $items[1] | Should -BeExactly @('Path', 'Force')
            # A switch has no value in the syntax: Get-Help shows [-Force], not [-Force <SwitchParameter>].
            $items[0].SelectSingleNode("command:parameter[maml:name='Force']/command:parameterValue", $ns) | Should -BeNullOrEmpty
        }

        It 'writes the parameter metadata from the yaml block' {
            $name = $command.SelectSingleNode("command:parameters/command:parameter[maml:name='Name']", $ns)
            $name.GetAttribute('required') | Should -BeExactly 'true'
            $name.GetAttribute('position') | Should -BeExactly '0'
            $name.GetAttribute('pipelineInput') | Should -BeExactly 'True (ByValue)'
            $name.GetAttribute('globbing') | Should -BeExactly 'true'
            $name.GetAttribute('aliases') | Should -BeExactly 'FixtureName, N'
            Select-Text 'maml:description/maml:para' $name | Should -BeExactly "The fixture's name."
            Select-Text 'command:parameterValue' $name | Should -BeExactly 'String'
            Select-Text 'dev:type/maml:name' $name | Should -BeExactly 'String'
            Select-Text 'dev:defaultValue' $name | Should -BeExactly 'None'

            $path = $command.SelectSingleNode("command:parameters/command:parameter[maml:name='Path']", $ns)
            $path.GetAttribute('position') | Should -BeExactly 'named'
            $path.GetAttribute('aliases') | Should -BeExactly 'none'
            $path.GetAttribute('pipelineInput') | Should -BeExactly 'True (ByPropertyName)'
            Select-Text 'dev:type/maml:name' $path | Should -BeExactly 'String[]'
        }

        It 'writes examples with title, code (all code blocks) and remarks' {
            $examples = @($command.SelectNodes('command:examples/command:example', $ns))
            $examples.Count | Should -BeExactly 2
            Select-Text 'maml:title' $examples[0] | Should -BeLike '*-- Example 1: Get one fixture --*'
            Select-Text 'dev:code' $examples[0] | Should -BeExactly 'Get-Fixture -Name a'
            (Select-Text 'dev:remarks/maml:para' $examples[0])[0] | Should -BeExactly 'Gets the fixture named a.'
            Select-Text 'dev:code' $examples[1] | Should -BeExactly "Get-Fixture -Path ./x, ./y`n`nx`ny"
        }

        It 'writes inputs, outputs, notes and related links' {
            Select-Text 'command:inputTypes/command:inputType/dev:type/maml:name' | Should -BeExactly 'System.String'
            Select-Text 'command:inputTypes/command:inputType/maml:description/maml:para' | Should -BeExactly 'A fixture name.'
            Select-Text 'command:returnValues/command:returnValue/dev:type/maml:name' | Should -BeExactly 'System.Object'
            Select-Text 'maml:alertSet/maml:alert/maml:para' | Should -BeExactly 'A note < & > about fixtures.'
            Select-Text 'command:relatedLinks/maml:navigationLink/maml:linkText' | Should -BeExactly @('Online Version:', 'Fixture site', 'about_Fixture')
            Select-Text 'command:relatedLinks/maml:navigationLink/maml:uri' | Should -BeExactly @('https://example.org/get-fixture', 'https://example.org/fixture', '')
        }

        It 'writes MAML that the PowerShell MAML schema accepts, but for what PlatyPS output also has' -Skip:(-not (Test-Path (Join-Path $PSHOME 'Schemas/PSMaml/Maml.xsd'))) {
            $schemas = [System.Xml.Schema.XmlSchemaSet]::new()
            $schemas.XmlResolver = [System.Xml.XmlUrlResolver]::new()
            $null = $schemas.Add([NullString]::Value, (Join-Path $PSHOME 'Schemas/PSMaml/Maml.xsd'))
            $settings = [System.Xml.XmlReaderSettings]@{ ValidationType = 'Schema'; Schemas = $schemas }
            $problems = [System.Collections.Generic.List[string]]::new()
            $settings.add_ValidationEventHandler({ param($source, $e) $problems.Add($e.Message) })
            $reader = [System.Xml.XmlReader]::Create($mamlPath, $settings)
            try { while ($reader.Read()) { } } finally { $reader.Dispose() }
            # PlatyPS's own MAML (for example the ThreadJob help shipped with PowerShell) departs
            # from Maml.xsd in exactly these ways, and Get-Help relies on them (verb, noun, aliases).
            $accepted = @(
                "*invalid child element 'verb'*"
                "*'aliases' attribute is not declared*"
                "*element 'type' in namespace 'http://schemas.microsoft.com/maml/dev/2004/10' has incomplete content*"
                "*invalid child element 'alertSet'*"
            )
            $unexpected = $problems | Where-Object { $p = $_; -not ($accepted | Where-Object { $p -like $_ }) }
            $unexpected | Should -BeNullOrEmpty
        }

        It 'is what Get-Help reads' {
            Set-Content -LiteralPath (Join-Path $built.Root 'mod/Fixture.psm1') -Value @'
function Get-Fixture {
    # .ExternalHelp Fixture-Help.xml
    [CmdletBinding(DefaultParameterSetName = 'ByName')]
    param(
        [Parameter(ParameterSetName = 'ByName', Mandatory, Position = 0, ValueFromPipeline)]
        [Alias('FixtureName', 'N')] [string] $Name,
        [Parameter(ParameterSetName = 'ByPath', Mandatory, ValueFromPipelineByPropertyName)] [string[]] $Path,
        [switch] $Force
    )
}
'@
            Import-Module (Join-Path $built.Root 'mod/Fixture.psm1') -Force
            try {
                $help = Get-Help Get-Fixture -Full
                $help.Synopsis | Should -Be 'Gets a fixture for the converter tests.'
                @($help.examples.example).Count | Should -Be 2
                Get-HelpText (Get-Help Get-Fixture -Parameter Path).description | Should -Be 'Paths of the fixtures.'
                (Get-Help about_Fixture).Synopsis | Should -Be 'A fixture topic.'
            }
            finally {
                Remove-Module Fixture
            }
        }

        It 'renders the about topic like PowerShell''s own about files' {
            $lines = (Get-Content -Raw -LiteralPath (Join-Path $built.About 'about_Fixture.help.txt')) -split "`n"
            $lines[0..4] | Should -Be @('TOPIC', '    about_Fixture', '', 'SHORT DESCRIPTION', '    A fixture topic.')
            $lines | Should -Contain 'LONG DESCRIPTION'
            $lines | Should -Contain '  A subsection'
            $lines | Should -Contain '        Get-Fixture -Name a'
            $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
            $item = [array]::IndexOf($lines, ($lines | Where-Object { $_ -like '    - A list item*' }))
            $lines[$item + 1] | Should -Match '^      \S' -Because 'a wrapped list item continues under its text'
        }
    }

    Context 'malformed markdown: <Case>' -ForEach @(
        @{ Case = 'a missing section'; Old = "## NOTES`nA note < & > about fixtures.`n"; New = ''; Expect = '*Get-Fixture.md:*## NOTES: the section is missing*' }
        @{ Case = 'an unknown section'; Old = '## NOTES'; New = '## NOTE'; Expect = '*Get-Fixture.md:*## NOTE: unknown section*' }
        @{ Case = 'a missing yaml block'; Old = "Gets the fixture even when it is hidden.`n`n``````yaml"; New = "Gets the fixture even when it is hidden.`n`n``````text"; Expect = '*Get-Fixture.md:*### -Force: the parameter has no *yaml block*' }
        @{ Case = 'a bad yaml value'; Old = "Required: False"; New = 'Required: Maybe'; Expect = "*Get-Fixture.md:*### -Force: 'Required:' must be True or False*" }
        @{ Case = 'an unknown yaml line'; Old = 'Type: String[]'; New = "Type: String[]`nColour: blue"; Expect = "*Get-Fixture.md:*### -Path: unknown line in the yaml block: 'Colour: blue'*" }
        @{ Case = 'an unclosed code fence'; Old = "Get-Fixture -Name a`n``````"; New = 'Get-Fixture -Name a'; Expect = '*Get-Fixture.md:*never closed*' }
        @{ Case = 'an example without code'; Old = "### Example 1: Get one fixture`n``````powershell`nGet-Fixture -Name a`n``````"; New = '### Example 1: Get one fixture'; Expect = '*Get-Fixture.md:*### Example 1: Get one fixture: the example has no*code block*' }
        @{ Case = 'front matter without schema'; Old = "schema: 2.0.0`n"; New = ''; Expect = "*Get-Fixture.md:1: front matter: 'schema:' is missing*" }
        @{ Case = 'a syntax line for another command'; Old = 'Get-Fixture -Path <String[]>'; New = 'Get-Fixtures -Path <String[]>'; Expect = "*Get-Fixture.md:*### ByPath: the syntax block must start with the command name 'Get-Fixture'*" }
        @{ Case = 'a parameter set missing from SYNTAX'; Old = 'Parameter Sets: ByPath'; New = 'Parameter Sets: ByFile'; Expect = "*Get-Fixture.md:*### -Path: parameter set 'ByFile' is not in ## SYNTAX*" }
        @{ Case = 'a title that is not the command'; Old = '# Get-Fixture'; New = '# Get-Fixtures'; Expect = '*Get-Fixture.md:*title: the heading must be*' }
        @{ Case = 'a parameter heading without a dash'; Old = '### -Path'; New = '### Path'; Expect = "*Get-Fixture.md:*### Path: a parameter heading must be '### -Name'*" }
    ) {
        It 'fails naming the file, line and section, and writes nothing' {
            $CommandMarkdown.Contains($Old) | Should -BeTrue -Because 'the test must really change the fixture'
            $broken = $CommandMarkdown.Replace($Old, $New)
            $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
            $docs = New-Item -ItemType Directory -Path (Join-Path $root 'docs')
            [IO.File]::WriteAllText((Join-Path $docs 'Get-Fixture.md'), $broken)
            [IO.File]::WriteAllText((Join-Path $docs 'about_Fixture.md'), $AboutMarkdown)
            { & $BuildHelp -DocsPath $docs -OutputPath "$root/out" -AboutOutputPath "$root/about" -Converter BuiltIn 6>$null } |
                Should -Throw -ExpectedMessage $Expect
            Get-ChildItem -LiteralPath $root | ForEach-Object Name | Should -Be 'docs'
        }
    }

    Context 'a rebuild' {
        It 'removes help files whose markdown is gone' {
            $root = Join-Path $TestDrive 'rebuild'
            $docs = New-Item -ItemType Directory -Path (Join-Path $root 'docs')
            [IO.File]::WriteAllText((Join-Path $docs 'Get-Fixture.md'), $CommandMarkdown)
            [IO.File]::WriteAllText((Join-Path $docs 'about_Fixture.md'), $AboutMarkdown)
            $arguments = @{ DocsPath = $docs; OutputPath = "$root/out"; AboutOutputPath = "$root/about"; Converter = 'BuiltIn' }
            & $BuildHelp @arguments 6>$null
            Test-Path "$root/about/about_Fixture.help.txt" | Should -BeTrue

            Remove-Item -LiteralPath (Join-Path $docs 'about_Fixture.md')
            & $BuildHelp @arguments 6>$null
            Test-Path "$root/about/about_Fixture.help.txt" | Should -BeFalse
            Test-Path "$root/about/Fixture-Help.xml" | Should -BeTrue
            Test-Path "$root/out/Fixture-Help.xml" | Should -BeTrue
        }
    }

    Context 'error reporting' {
        It 'points at the line of the problem' {
            $broken = $CommandMarkdown.Replace('Required: False', 'Required: Maybe')
            $line = [array]::IndexOf($broken -split "`n", '### -Force') + 1
            $docs = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'line/docs')
            [IO.File]::WriteAllText((Join-Path $docs 'Get-Fixture.md'), $broken)
            $yamlLine = $line + 3   # '### -Force', description, blank, then the yaml fence
            { & $BuildHelp -DocsPath $docs -OutputPath "$TestDrive/line/out" -AboutOutputPath "$TestDrive/line/about" -Converter BuiltIn 6>$null } |
                Should -Throw -ExpectedMessage "*Get-Fixture.md:$($yamlLine): ## PARAMETERS > ### -Force:*"
        }

        It 'refuses an about topic whose short description Get-Help would cut' {
            $long = $AboutMarkdown.Replace('A fixture topic.', 'A fixture topic whose short description goes on well past the one line Get-Help shows.')
            { Invoke-BuildHelp @{ 'about_Fixture.md' = $long } } | Should -Throw -ExpectedMessage '*about_Fixture.md:*## Short description: Get-Help shows only the first line*'
        }

        It 'exits non-zero when run as a script, as build.sh runs it' {
            $docs = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'exit/docs')
            [IO.File]::WriteAllText((Join-Path $docs 'Get-Fixture.md'), $CommandMarkdown.Replace('## SYNOPSIS', '## SYNOPSES'))
            # The same PowerShell as this one: 'dotnet pwsh.dll' for the .NET tool, else the pwsh executable.
            $pwsh = @([Environment]::ProcessPath)
            if ((Split-Path -Leaf $pwsh[0]) -like 'dotnet*') { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
            $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $BuildHelp `
                -DocsPath $docs -OutputPath "$TestDrive/exit/out" -AboutOutputPath "$TestDrive/exit/about" -Converter BuiltIn 2>&1 | Out-String
            $LASTEXITCODE | Should -Not -Be 0
            # The error view wraps the message to the console width.
            ($output -replace '\s+', ' ') | Should -BeLike '*Build-Help.ps1: */Get-Fixture.md:*## SYNOPSES: unknown section*'
            Test-Path "$TestDrive/exit/out/Fixture-Help.xml" | Should -BeFalse
        }

        It 'fails clearly when PlatyPS is asked for but not installed' -Skip:([bool](Get-Module -ListAvailable platyPS)) {
            { & $BuildHelp -DocsPath "$RepoRoot/docs/en-US" -OutputPath "$TestDrive/p/out" -AboutOutputPath "$TestDrive/p/about" -Converter PlatyPS } |
                Should -Throw -ExpectedMessage '*platyPS module is not installed*'
        }
    }
}
