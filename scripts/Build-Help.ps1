<#
.SYNOPSIS
    Builds Blit's help from PlatyPS markdown: MAML for the cmdlets, plain text for the about topics.

.DESCRIPTION
    docs/en-US holds one markdown file per cmdlet, in the schema PlatyPS' New-MarkdownHelp
    writes (schema 2.0.0), plus about_*.md topics. This script turns them into what Get-Help
    reads:

      <OutputPath>/<external help file>       MAML, in the file the cmdlet markdown names in its
                                              front matter (Blit.Cmdlets.dll-Help.xml), next to
                                              the assembly: bin/en-US, for a module folder made
                                              from bin/.
      <AboutOutputPath>/<external help file>  the same MAML, and
      <AboutOutputPath>/about_*.help.txt      the about topics, in the culture folder under the
                                              module base.

    Why the MAML is written twice: for a cmdlet of a module, Get-Help searches the module base
    (<ModuleBase>/<culture>/, falling back to en-US), not the assembly's folder. Blit.psd1 at
    the repository root makes the root the module base, so from a clone Get-Help finds the
    MAML only in <repo>/en-US/ (-AboutOutputPath), beside the about topics.

    With -Converter Auto (the default) PlatyPS' New-ExternalHelp does the work when PlatyPS is
    installed; otherwise the converter in this file does. PlatyPS is not on the registries
    Blit's build machines reach, so the converter here is the one that normally runs.

    The converter fails on markdown it cannot read, with a message naming the file, the line
    and the section, and then writes nothing: broken help is a build error, never a silently
    wrong Get-Help page.

.EXAMPLE
    ./scripts/Build-Help.ps1 -DocsPath docs/en-US -OutputPath bin/en-US -AboutOutputPath en-US
#>
[CmdletBinding()]
param(
    # Folder holding the cmdlet markdown files and about_*.md.
    [Parameter(Mandatory)][string] $DocsPath,
    # Culture folder next to the module assembly, for the MAML files.
    [Parameter(Mandatory)][string] $OutputPath,
    # Culture folder under the module base, for the about_*.help.txt files and the MAML files.
    [Parameter(Mandatory)][string] $AboutOutputPath,
    # Auto: PlatyPS when installed, else the built-in converter. Tests force BuiltIn.
    [ValidateSet('Auto', 'PlatyPS', 'BuiltIn')][string] $Converter = 'Auto'
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Stop-Doc raises its errors through the script's cmdlet context, so that they read
# "Build-Help.ps1: <file>:<line>: ..." rather than pointing at a throw statement in here.
$script:Cmdlet = $PSCmdlet

# ============================================================================================
# Reading markdown: lines, front matter, sections, blocks
# ============================================================================================

# Every piece of parsed markdown remembers the file and line it came from, so that an error
# can say where. A "line" is @{ Number; Text }.

function Stop-Doc {
    <# Fails the build with "<file>:<line>: <section>: <problem>" (error id MalformedHelpMarkdown). #>
    param([string] $File, [int] $Line, [string] $Section, [string] $Message)
    $where = if ($Section) { "$($File):$($Line): $($Section): " } else { "$($File):$($Line): " }
    $exception = [System.IO.InvalidDataException]::new("$where$Message")
    $script:Cmdlet.ThrowTerminatingError(
        [System.Management.Automation.ErrorRecord]::new($exception, 'MalformedHelpMarkdown', 'InvalidData', $File))
}

function Read-MarkdownLines {
    param([string] $Path)
    $number = 0
    foreach ($text in [System.IO.File]::ReadAllLines($Path)) {
        $number++
        [pscustomobject]@{ Number = $number; Text = $text.TrimEnd() }
    }
}

function Test-Fence {
    <# A line that opens or closes a fenced code block (```). #>
    param([string] $Text)
    $Text -match '^\s{0,3}```'
}

function Split-FrontMatter {
    <#
    Splits the YAML front matter (between two '---' lines at the top) from the body.
    Returns @{ Values = ordered key -> value; Body = lines }. No front matter: Values is empty.
    #>
    param([object[]] $Lines, [string] $File)
    $values = [ordered]@{}
    if ($Lines.Count -eq 0 -or $Lines[0].Text -ne '---') {
        return @{ Values = $values; Body = $Lines }
    }
    for ($i = 1; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        if ($line.Text -eq '---') {
            return @{ Values = $values; Body = @($Lines | Select-Object -Skip ($i + 1)) }
        }
        if ($line.Text -eq '') {
            continue
        }
        if ($line.Text -notmatch '^([A-Za-z][A-Za-z ]*):\s*(.*)$') {
            Stop-Doc $File $line.Number 'front matter' "expected 'key: value', found '$($line.Text)'"
        }
        $values[$Matches[1]] = $Matches[2]
    }
    Stop-Doc $File $Lines[0].Number 'front matter' "the front matter opened here is never closed with '---'"
}

function Split-Sections {
    <#
    Splits lines at headings of exactly -Level '#' characters, ignoring '#' lines inside code
    fences (PowerShell comments). Returns @{ Preamble = lines before the first heading;
    Sections = @( @{ Title; Line; Body } ) }. An unclosed code fence is an error.
    #>
    param([object[]] $Lines, [int] $Level, [string] $File, [string] $Context)
    $pattern = '^#{' + $Level + '}\s+(.*?)\s*$'
    $preamble = [System.Collections.Generic.List[object]]::new()
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $fenceLine = $null
    foreach ($line in $Lines) {
        if (Test-Fence $line.Text) {
            $fenceLine = if ($fenceLine) { $null } else { $line }
        }
        elseif (-not $fenceLine -and $line.Text -match $pattern) {
            $current = @{ Title = $Matches[1]; Line = $line.Number; Body = [System.Collections.Generic.List[object]]::new() }
            $sections.Add($current)
            continue
        }
        if ($current) { $current.Body.Add($line) } else { $preamble.Add($line) }
    }
    if ($fenceLine) {
        Stop-Doc $File $fenceLine.Number $Context 'this code block is never closed with ```'
    }
    @{ Preamble = $preamble.ToArray(); Sections = $sections.ToArray() }
}

function Get-Blocks {
    <#
    Splits section text into blocks: paragraphs (runs of non-blank lines) and fenced code
    blocks. Returns @( @{ Kind = 'Text'|'Code'; Line; Lines = string[]; Language } ).
    #>
    param([object[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $current = $null
    foreach ($line in $Lines) {
        if ($current -and $current.Kind -eq 'Code') {
            if (Test-Fence $line.Text) { $current = $null } else { $current.Lines.Add($line.Text) }
            continue
        }
        if (Test-Fence $line.Text) {
            $language = ($line.Text.Trim() -replace '^`+', '').Trim()
            $current = @{ Kind = 'Code'; Line = $line.Number; Language = $language; Lines = [System.Collections.Generic.List[string]]::new() }
            $blocks.Add($current)
        }
        elseif ($line.Text -eq '') {
            $current = $null
        }
        else {
            if (-not $current) {
                $current = @{ Kind = 'Text'; Line = $line.Number; Language = ''; Lines = [System.Collections.Generic.List[string]]::new() }
                $blocks.Add($current)
            }
            $current.Lines.Add($line.Text)
        }
    }
    $blocks
}

# ============================================================================================
# Markdown text to help text
# ============================================================================================

function ConvertTo-HelpText {
    <#
    Removes inline markdown that Get-Help would print literally: `code` (or ``code with a ` ``)
    keeps its content, **bold** its text, [text](https://...) becomes "text (https://...)", a
    link to another page just its text, and backslash escapes (\*, \<, ...) their character.
    #>
    param([string] $Text)
    $pattern = '(?<!`)(?<ticks>`+)(?!`) ?(?<code>.+?) ?(?<!`)\k<ticks>(?!`)' +
    '|\*\*(?<bold>.+?)\*\*' +
    '|\[(?<link>[^\]]+)\]\((?<uri>[^)]*)\)' +
    '|\\(?<escaped>[\\`*_{}\[\]()#+\-.!<>|])'
    [regex]::Replace($Text, $pattern, {
            param($m)
            if ($m.Groups['code'].Success) { return $m.Groups['code'].Value }
            if ($m.Groups['bold'].Success) { return $m.Groups['bold'].Value }
            if ($m.Groups['link'].Success) {
                $uri = $m.Groups['uri'].Value
                return $(if ($uri -match '^https?://') { "$($m.Groups['link'].Value) ($uri)" } else { $m.Groups['link'].Value })
            }
            $m.Groups['escaped'].Value
        })
}

function Test-ListItem {
    param([string] $Text)
    $Text -match '^\s*([-*+]|\d+[.)])\s+'
}

function ConvertTo-Paragraphs {
    <#
    Turns text and code blocks into MAML paragraphs. Wrapped lines of a paragraph are joined
    (Get-Help wraps to the console); list items and table rows keep their own lines; a code
    block becomes one paragraph with its lines indented.
    #>
    param([object[]] $Blocks)
    foreach ($block in $Blocks) {
        if ($block.Kind -eq 'Code') {
            ($block.Lines | ForEach-Object { "    $_" }) -join "`n"
            continue
        }
        $out = [System.Collections.Generic.List[string]]::new()
        foreach ($text in $block.Lines) {
            $keepBreak = (Test-ListItem $text) -or $text.TrimStart().StartsWith('|')
            if ($out.Count -eq 0 -or $keepBreak) {
                $out.Add((ConvertTo-HelpText $text.TrimEnd()))
            }
            else {
                $out[$out.Count - 1] += ' ' + (ConvertTo-HelpText $text.Trim())
            }
        }
        $out -join "`n"
    }
}

# ============================================================================================
# Cmdlet markdown (PlatyPS schema 2.0.0) to a command description
# ============================================================================================

$script:CommandSections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS',
'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'

# The keys of a parameter's ```yaml block. PlatyPS writes all but 'Accepted values' always.
$script:ParameterKeys = 'Type', 'Parameter Sets', 'Aliases', 'Accepted values', 'Required', 'Position',
'Default value', 'Accept pipeline input', 'Accept wildcard characters'
$script:OptionalParameterKeys = @('Accepted values')

function Read-ParameterYaml {
    <# One ```yaml block of a parameter: its metadata for the parameter sets it names. #>
    param([hashtable] $Block, [string] $File, [string] $Section)
    $values = @{}
    $number = $Block.Line
    foreach ($text in $Block.Lines) {
        $number++
        if ($text -eq '') { continue }
        if ($text -notmatch '^([A-Za-z ]+):\s*(.*)$' -or $Matches[1] -notin $script:ParameterKeys) {
            Stop-Doc $File $number $Section "unknown line in the yaml block: '$text' (expected one of: $($script:ParameterKeys -join ', '))"
        }
        $values[$Matches[1]] = $Matches[2].Trim()
    }
    foreach ($key in $script:ParameterKeys) {
        if (-not $values.ContainsKey($key) -and $key -notin $script:OptionalParameterKeys) {
            Stop-Doc $File $Block.Line $Section "the yaml block has no '$($key):' line"
        }
    }
    foreach ($key in 'Required', 'Accept wildcard characters') {
        if ($values[$key] -notin 'True', 'False') {
            Stop-Doc $File $Block.Line $Section "'$($key):' must be True or False, not '$($values[$key])'"
        }
    }
    if ($values['Position'] -notmatch '^(Named|\d+)$') {
        Stop-Doc $File $Block.Line $Section "'Position:' must be Named or a number, not '$($values['Position'])'"
    }
    if ($values['Accept pipeline input'] -notmatch '^(False|True( \((ByValue|ByPropertyName)(, (ByValue|ByPropertyName))?\))?)$') {
        Stop-Doc $File $Block.Line $Section ("'Accept pipeline input:' must be False or True (ByValue), True (ByPropertyName) " +
            "or True (ByPropertyName, ByValue), not '$($values['Accept pipeline input'])'")
    }
    if ($values['Type'] -eq '') {
        Stop-Doc $File $Block.Line $Section "'Type:' is empty"
    }
    $sets = @($values['Parameter Sets'] -split ',' | ForEach-Object Trim | Where-Object { $_ })
    if ($sets.Count -eq 0) {
        Stop-Doc $File $Block.Line $Section "'Parameter Sets:' is empty (use (All) for every set)"
    }
    $accepted = if ($values['Accepted values']) { @($values['Accepted values'] -split ',' | ForEach-Object Trim) } else { @() }
    @{
        Type           = $values['Type']
        Sets           = $sets
        Aliases        = @($values['Aliases'] -split ',' | ForEach-Object Trim | Where-Object { $_ })
        AcceptedValues = $accepted
        Required       = $values['Required'] -eq 'True'
        Position       = if ($values['Position'] -eq 'Named') { 'named' } else { $values['Position'] }
        DefaultValue   = if ($values['Default value']) { $values['Default value'] } else { 'None' }
        PipelineInput  = $values['Accept pipeline input']
        Globbing       = $values['Accept wildcard characters'] -eq 'True'
    }
}

function Read-Parameters {
    <#
    ## PARAMETERS: '### -Name', its description, then one ```yaml block (PlatyPS writes one
    per group of parameter sets where the metadata differs). '### CommonParameters' is
    Get-Help's own business and is skipped.
    #>
    param([hashtable] $Section, [string] $File)
    $parameters = [System.Collections.Generic.List[object]]::new()
    foreach ($sub in (Split-Sections $Section.Body 3 $File '## PARAMETERS').Sections) {
        $where = "## PARAMETERS > ### $($sub.Title)"
        if ($sub.Title -eq 'CommonParameters') { continue }
        if ($sub.Title -notmatch '^-([A-Za-z][A-Za-z0-9_]*)$') {
            Stop-Doc $File $sub.Line $where "a parameter heading must be '### -Name' (or '### CommonParameters')"
        }
        $name = $Matches[1]
        if ($parameters | Where-Object { $_.Name -eq $name }) {
            Stop-Doc $File $sub.Line $where "-$name is documented twice"
        }
        $blocks = @(Get-Blocks $sub.Body)
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        if ($yaml.Count -eq 0) {
            Stop-Doc $File $sub.Line $where 'the parameter has no ```yaml block (Type, Parameter Sets, Required, ...)'
        }
        $firstYaml = [array]::IndexOf($blocks, $yaml[0])
        $after = @($blocks | Select-Object -Skip $firstYaml | Where-Object { $_ -notin $yaml })
        if ($after.Count -gt 0) {
            Stop-Doc $File $after[0].Line $where 'only ```yaml blocks may follow the parameter description'
        }
        $parameters.Add(@{
                Name        = $name
                Line        = $sub.Line
                Description = @(ConvertTo-Paragraphs ($blocks | Select-Object -First $firstYaml))
                Entries     = @($yaml | ForEach-Object { Read-ParameterYaml $_ $File $where })
            })
    }
    $parameters
}

function Read-Syntax {
    <#
    ## SYNTAX: one code block per parameter set. With several sets each has a heading,
    '### SetName' or '### SetName (Default)'; with one set there is no heading.
    Returns the set names ('__AllParameterSets' for the single unnamed set).
    #>
    param([hashtable] $Section, [string] $File, [string] $Name)
    $split = Split-Sections $Section.Body 3 $File '## SYNTAX'
    $parts = if ($split.Sections.Count -eq 0) {
        @{ Title = '__AllParameterSets'; Line = $Section.Line; Body = $split.Preamble }
    }
    else {
        if (Get-Blocks $split.Preamble) {
            Stop-Doc $File $Section.Line '## SYNTAX' 'text before the first ### parameter set heading'
        }
        $split.Sections
    }
    foreach ($part in $parts) {
        $where = if ($split.Sections.Count) { "## SYNTAX > ### $($part.Title)" } else { '## SYNTAX' }
        $blocks = @(Get-Blocks $part.Body)
        if ($blocks.Count -ne 1 -or $blocks[0].Kind -ne 'Code') {
            Stop-Doc $File $part.Line $where 'expected exactly one ``` code block with the syntax line'
        }
        $first = ($blocks[0].Lines | Where-Object { $_ } | Select-Object -First 1)
        if (-not $first -or $first.Trim() -notmatch ('^' + [regex]::Escape($Name) + '(\s|$)')) {
            Stop-Doc $File $blocks[0].Line $where "the syntax block must start with the command name '$Name'"
        }
        $part.Title -replace '\s*\(Default\)$', ''
    }
}

function Read-Examples {
    <#
    ## EXAMPLES: '### Example N: title', optional introduction text, one or more code blocks
    (joined), then remarks.
    #>
    param([hashtable] $Section, [string] $File)
    foreach ($sub in (Split-Sections $Section.Body 3 $File '## EXAMPLES').Sections) {
        $where = "## EXAMPLES > ### $($sub.Title)"
        $blocks = @(Get-Blocks $sub.Body)
        $code = @($blocks | Where-Object { $_.Kind -eq 'Code' })
        if ($code.Count -eq 0) {
            Stop-Doc $File $sub.Line $where 'the example has no ``` code block'
        }
        $firstCode = [array]::IndexOf($blocks, $code[0])
        @{
            Title        = ConvertTo-HelpText $sub.Title
            Introduction = @(ConvertTo-Paragraphs ($blocks | Select-Object -First $firstCode))
            Code         = ($code | ForEach-Object { $_.Lines -join "`n" }) -join "`n`n"
            Remarks      = @(ConvertTo-Paragraphs ($blocks | Select-Object -Skip $firstCode | Where-Object { $_.Kind -eq 'Text' }))
        }
    }
}

function Read-TypeList {
    <# ## INPUTS / ## OUTPUTS: '### TypeName' headings, each with an optional description. #>
    param([hashtable] $Section, [string] $File)
    $split = Split-Sections $Section.Body 3 $File "## $($Section.Title)"
    if (Get-Blocks $split.Preamble) {
        Stop-Doc $File $Section.Line "## $($Section.Title)" "write each type as a '### TypeName' heading (or '### None')"
    }
    foreach ($sub in $split.Sections) {
        @{ Type = ConvertTo-HelpText $sub.Title; Description = @(ConvertTo-Paragraphs (Get-Blocks $sub.Body)) }
    }
}

function Read-Links {
    <# ## RELATED LINKS: one link per line, '[text](uri)' or plain text (a leading '- ' is allowed). #>
    param([hashtable] $Section, [string] $File)
    foreach ($line in $Section.Body) {
        $text = $line.Text.Trim() -replace '^[-*]\s+', ''
        if ($text -eq '') { continue }
        if ($text -match '^\[([^\]]+)\]\(([^)]*)\)$') {
            $linkText, $uri = $Matches[1], $Matches[2]
            # Links to other markdown pages mean nothing in a console: keep only web addresses.
            @{ Text = $linkText; Uri = $(if ($uri -match '^https?://') { $uri } else { '' }) }
        }
        elseif ($text -match '[\[\]()]') {
            Stop-Doc $File $line.Number '## RELATED LINKS' "expected '[text](uri)' or plain text, found '$text'"
        }
        else {
            @{ Text = $text; Uri = '' }
        }
    }
}

function Read-CommandMarkdown {
    <# Reads one cmdlet's markdown file into a command description (hashtables and strings). #>
    param([string] $Path, [string] $File)
    $front = Split-FrontMatter @(Read-MarkdownLines $Path) $File
    foreach ($key in 'external help file', 'schema') {
        if (-not $front.Values[$key]) {
            Stop-Doc $File 1 'front matter' "'$($key):' is missing (PlatyPS front matter: external help file, Module Name, online version, schema)"
        }
    }
    if ($front.Values['schema'] -ne '2.0.0') {
        Stop-Doc $File 1 'front matter' "schema '$($front.Values['schema'])' is not supported (expected 2.0.0)"
    }

    $top = Split-Sections $front.Body 1 $File 'title'
    if ($top.Sections.Count -ne 1) {
        Stop-Doc $File ($front.Body | Select-Object -First 1).Number 'title' "expected exactly one '# Command-Name' heading, found $($top.Sections.Count)"
    }
    $name = $top.Sections[0].Title
    $stem = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($name -notmatch '^([A-Za-z]+)-([A-Za-z0-9]+)$' -or $name -ne $stem) {
        Stop-Doc $File $top.Sections[0].Line 'title' "the heading must be the Verb-Noun command name of the file ('# $stem'), not '# $name'"
    }
    $verb, $noun = $Matches[1], $Matches[2]

    $sections = @{}
    foreach ($section in (Split-Sections $top.Sections[0].Body 2 $File "# $name").Sections) {
        if ($section.Title -notin $script:CommandSections) {
            Stop-Doc $File $section.Line "## $($section.Title)" "unknown section (expected: $($script:CommandSections -join ', '))"
        }
        if ($sections.ContainsKey($section.Title)) {
            Stop-Doc $File $section.Line "## $($section.Title)" 'the section appears twice'
        }
        $sections[$section.Title] = $section
    }
    foreach ($title in $script:CommandSections) {
        if (-not $sections.ContainsKey($title)) {
            Stop-Doc $File $top.Sections[0].Line "## $title" 'the section is missing'
        }
    }
    foreach ($title in 'SYNOPSIS', 'DESCRIPTION') {
        if (-not (Get-Blocks $sections[$title].Body)) {
            Stop-Doc $File $sections[$title].Line "## $title" 'the section is empty'
        }
    }

    $sets = @(Read-Syntax $sections['SYNTAX'] $File $name)
    $parameters = @(Read-Parameters $sections['PARAMETERS'] $File)
    foreach ($parameter in $parameters) {
        foreach ($entry in $parameter.Entries) {
            foreach ($set in $entry.Sets) {
                if ($set -ne '(All)' -and $sets[0] -ne '__AllParameterSets' -and $set -notin $sets) {
                    Stop-Doc $File $parameter.Line "## PARAMETERS > ### -$($parameter.Name)" "parameter set '$set' is not in ## SYNTAX ($($sets -join ', '))"
                }
            }
        }
        if ($sets[0] -eq '__AllParameterSets' -and $parameter.Entries.Count -gt 1) {
            Stop-Doc $File $parameter.Line "## PARAMETERS > ### -$($parameter.Name)" '## SYNTAX has a single parameter set, so the parameter takes a single yaml block'
        }
    }

    @{
        Name          = $name
        Verb          = $verb
        Noun          = $noun
        HelpFile      = $front.Values['external help file']
        OnlineVersion = [string]$front.Values['online version']
        Synopsis      = (@(ConvertTo-Paragraphs (Get-Blocks $sections['SYNOPSIS'].Body)) -join ' ')
        Description   = @(ConvertTo-Paragraphs (Get-Blocks $sections['DESCRIPTION'].Body))
        Sets          = $sets
        Parameters    = $parameters
        Examples      = @(Read-Examples $sections['EXAMPLES'] $File)
        Inputs        = @(Read-TypeList $sections['INPUTS'] $File)
        Outputs       = @(Read-TypeList $sections['OUTPUTS'] $File)
        Notes         = @(ConvertTo-Paragraphs (Get-Blocks $sections['NOTES'].Body))
        Links         = @(Read-Links $sections['RELATED LINKS'] $File)
    }
}

# ============================================================================================
# Writing MAML
# ============================================================================================

$script:Namespaces = @{
    ''      = 'http://msh'
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

function Open-Element {
    <# Starts 'prefix:name' with attributes (an ordered dictionary). #>
    param([System.Xml.XmlWriter] $Writer, [string] $QualifiedName, [System.Collections.IDictionary] $Attributes = @{})
    $prefix, $local = if ($QualifiedName.Contains(':')) { $QualifiedName -split ':', 2 } else { '', $QualifiedName }
    $Writer.WriteStartElement($prefix, $local, $script:Namespaces[$prefix])
    foreach ($key in $Attributes.Keys) {
        $Writer.WriteAttributeString($key, [string]$Attributes[$key])
    }
}

function Write-Element {
    <# Writes <prefix:name attributes>text</prefix:name>. #>
    param([System.Xml.XmlWriter] $Writer, [string] $QualifiedName, [string] $Text, [System.Collections.IDictionary] $Attributes = @{})
    Open-Element $Writer $QualifiedName $Attributes
    $Writer.WriteString($Text)
    $Writer.WriteEndElement()
}

function Write-Paragraphs {
    <# <maml:description> (or another wrapper) with one <maml:para> per paragraph; always at least one. #>
    param([System.Xml.XmlWriter] $Writer, [string] $Wrapper, [string[]] $Paragraphs)
    Open-Element $Writer $Wrapper
    if (-not $Paragraphs) { $Paragraphs = @('') }
    foreach ($p in $Paragraphs) { Write-Element $Writer 'maml:para' $p }
    $Writer.WriteEndElement()
}

function Write-Parameter {
    <#
    One <command:parameter>. In a syntax item a switch has no value element (Get-Help shows
    [-Force], not [-Force <SwitchParameter>]); in the parameter list it has one.
    #>
    param([System.Xml.XmlWriter] $Writer, [hashtable] $Parameter, [hashtable] $Entry, [switch] $InSyntax)
    $isSwitch = $Entry.Type -in 'SwitchParameter', 'System.Management.Automation.SwitchParameter'
    Open-Element $Writer 'command:parameter' ([ordered]@{
            required      = $Entry.Required.ToString().ToLowerInvariant()
            variableLength = 'true'
            globbing      = $Entry.Globbing.ToString().ToLowerInvariant()
            pipelineInput = $Entry.PipelineInput
            position      = $Entry.Position
            aliases       = $(if ($Entry.Aliases) { $Entry.Aliases -join ', ' } else { 'none' })
        })
    Write-Element $Writer 'maml:name' $Parameter.Name
    Write-Paragraphs $Writer 'maml:description' $Parameter.Description
    if ($Entry.AcceptedValues) {
        Open-Element $Writer 'command:parameterValueGroup'
        foreach ($value in $Entry.AcceptedValues) {
            Write-Element $Writer 'command:parameterValue' $value ([ordered]@{ required = 'false'; variableLength = 'false' })
        }
        $Writer.WriteEndElement()
    }
    if (-not ($isSwitch -and $InSyntax)) {
        Write-Element $Writer 'command:parameterValue' $Entry.Type ([ordered]@{ required = (-not $isSwitch).ToString().ToLowerInvariant(); variableLength = 'false' })
    }
    Open-Element $Writer 'dev:type'
    Write-Element $Writer 'maml:name' $Entry.Type
    Write-Element $Writer 'maml:uri' ''
    $Writer.WriteEndElement()
    Write-Element $Writer 'dev:defaultValue' $Entry.DefaultValue
    $Writer.WriteEndElement()
}

function Get-SyntaxParameters {
    <#
    The parameters of one parameter set, each with its metadata for that set: positional
    ones first (by position), then the others in the order the markdown lists them.
    #>
    param([hashtable] $Command, [string] $Set)
    $inSet = foreach ($parameter in $Command.Parameters) {
        $entry = $parameter.Entries | Where-Object { $Set -eq '__AllParameterSets' -or $_.Sets -contains '(All)' -or $_.Sets -contains $Set } |
            Select-Object -First 1
        if ($entry) { @{ Parameter = $parameter; Entry = $entry } }
    }
    $positional = @($inSet | Where-Object { $_.Entry.Position -ne 'named' } | Sort-Object { [int]$_.Entry.Position })
    $named = @($inSet | Where-Object { $_.Entry.Position -eq 'named' })
    $positional + $named
}

function Write-TypeList {
    <# <command:inputTypes> or <command:returnValues>: a type name and a description each. #>
    param([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, [object[]] $Types)
    Open-Element $Writer $ListName
    foreach ($type in $Types) {
        Open-Element $Writer $ItemName
        Open-Element $Writer 'dev:type'
        Write-Element $Writer 'maml:name' $type.Type
        $Writer.WriteEndElement()
        Write-Paragraphs $Writer 'maml:description' $type.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command {
    param([System.Xml.XmlWriter] $Writer, [hashtable] $Command)
    Open-Element $Writer 'command:command'
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') {
        $Writer.WriteAttributeString('xmlns', $prefix, $null, $script:Namespaces[$prefix])
    }

    Open-Element $Writer 'command:details'
    Write-Element $Writer 'command:name' $Command.Name
    Write-Element $Writer 'command:verb' $Command.Verb
    Write-Element $Writer 'command:noun' $Command.Noun
    Write-Paragraphs $Writer 'maml:description' @($Command.Synopsis)
    $Writer.WriteEndElement()

    Write-Paragraphs $Writer 'maml:description' $Command.Description

    Open-Element $Writer 'command:syntax'
    foreach ($set in $Command.Sets) {
        Open-Element $Writer 'command:syntaxItem'
        Write-Element $Writer 'maml:name' $Command.Name
        foreach ($item in Get-SyntaxParameters $Command $set) {
            Write-Parameter $Writer $item.Parameter $item.Entry -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    Open-Element $Writer 'command:parameters'
    foreach ($parameter in $Command.Parameters) {
        Write-Parameter $Writer $parameter $parameter.Entries[0]
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'command:inputTypes' 'command:inputType' $Command.Inputs
    Write-TypeList $Writer 'command:returnValues' 'command:returnValue' $Command.Outputs

    Open-Element $Writer 'maml:alertSet'
    Write-Paragraphs $Writer 'maml:alert' $Command.Notes
    $Writer.WriteEndElement()

    Open-Element $Writer 'command:examples'
    foreach ($example in $Command.Examples) {
        Open-Element $Writer 'command:example'
        $dashes = '-' * [Math]::Max(2, [int]((64 - $example.Title.Length) / 2))
        Write-Element $Writer 'maml:title' "$dashes $($example.Title) $dashes"
        if ($example.Introduction) {
            # Get-Help prints the introduction and the code with nothing between them.
            Write-Paragraphs $Writer 'maml:introduction' @(($example.Introduction -join "`n`n") + "`n`n")
        }
        Write-Element $Writer 'dev:code' $example.Code
        # The empty last paragraph puts a blank line between the remarks and the next example's title.
        Write-Paragraphs $Writer 'dev:remarks' (@($example.Remarks) + '')
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    Open-Element $Writer 'command:relatedLinks'
    $links = @($Command.Links)
    if ($Command.OnlineVersion) {
        $links = @(@{ Text = 'Online Version:'; Uri = $Command.OnlineVersion }) + $links
    }
    foreach ($link in $links) {
        Open-Element $Writer 'maml:navigationLink'
        Write-Element $Writer 'maml:linkText' $link.Text
        Write-Element $Writer 'maml:uri' $link.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function ConvertTo-Maml {
    <# The MAML document (a string) for a set of commands. #>
    param([hashtable[]] $Commands)
    $settings = [System.Xml.XmlWriterSettings]@{
        Indent      = $true
        IndentChars = '  '
        NewLineChars = "`n"
        Encoding    = [System.Text.UTF8Encoding]::new($false)
    }
    $stream = [System.IO.MemoryStream]::new()
    $writer = [System.Xml.XmlWriter]::Create($stream, $settings)
    try {
        $writer.WriteStartDocument()
        Open-Element $writer 'helpItems' ([ordered]@{ schema = 'maml' })
        foreach ($command in $Commands) {
            Write-Command $writer $command
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
    [System.Text.Encoding]::UTF8.GetString($stream.ToArray())
}

# ============================================================================================
# about_*.md to about_*.help.txt
# ============================================================================================

function Format-Wrapped {
    <# Word-wraps text to $Width columns: $First on the first line, $Rest on the others. #>
    param([string] $Text, [string] $First, [string] $Rest, [int] $Width = 80)
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = $First
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $Width) {
            $lines.Add($line)
            $line = $Rest + $word
        }
        else {
            $line += $(if ($empty) { $word } else { " $word" })
        }
        $empty = $false
    }
    $lines.Add($line)
    $lines
}

function ConvertTo-AboutText {
    <#
    Renders an about topic the way PowerShell's own about_*.help.txt files look: TOPIC, then
    '## ' sections as UPPERCASE headings at the margin, '### ' subsections indented two spaces,
    text wrapped at 80 columns and indented four, code indented eight. Get-Help takes the
    topic's synopsis from the fifth line, so the first section must be a one-line 'Short
    description'.
    #>
    param([string] $Path, [string] $File)
    $front = Split-FrontMatter @(Read-MarkdownLines $Path) $File
    $top = Split-Sections $front.Body 1 $File 'title'
    $topic = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($top.Sections.Count -ne 1 -or $top.Sections[0].Title -ne $topic) {
        Stop-Doc $File 1 'title' "an about topic has exactly one '# $topic' heading"
    }
    $sections = (Split-Sections $top.Sections[0].Body 2 $File "# $topic").Sections
    if ($sections.Count -lt 2 -or $sections[0].Title -ne 'Short description' -or $sections[1].Title -ne 'Long description') {
        Stop-Doc $File $top.Sections[0].Line "# $topic" "the first sections must be '## Short description' and '## Long description'"
    }
    $short = @(Get-Blocks $sections[0].Body)
    if ($short.Count -ne 1 -or $short[0].Kind -ne 'Text') {
        Stop-Doc $File $sections[0].Line '## Short description' 'the section must be one paragraph'
    }
    $synopsis = ConvertTo-HelpText ($short[0].Lines -join ' ')
    if ($synopsis.Length -gt 76) {
        Stop-Doc $File $sections[0].Line '## Short description' ("Get-Help shows only the first line of the short description " +
            "as the topic's synopsis: keep it to 76 characters (it has $($synopsis.Length))")
    }

    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add("    $topic")
    foreach ($section in $sections) {
        $out.Add('')
        $out.Add($section.Title.ToUpperInvariant())
        $subsections = Split-Sections $section.Body 3 $File "## $($section.Title)"
        $parts = @(@{ Title = $null; Body = $subsections.Preamble }) + $subsections.Sections
        foreach ($part in $parts) {
            if ($part.Title) {
                $out.Add('')
                $out.Add('  ' + (ConvertTo-HelpText $part.Title))
            }
            $firstBlock = $true
            foreach ($block in Get-Blocks $part.Body) {
                if (-not $firstBlock) { $out.Add('') }
                $firstBlock = $false
                if ($block.Kind -eq 'Code') {
                    foreach ($code in $block.Lines) { $out.Add(("        $code").TrimEnd()) }
                    continue
                }
                if ($block.Lines[0] -match '^\s*#') {
                    Stop-Doc $File $block.Line "## $($section.Title)" 'only ##/### headings are supported in an about topic'
                }
                # A paragraph, a list (an item per marker line) or a table (kept as written).
                $item = $null
                foreach ($text in $block.Lines) {
                    if ($text.TrimStart().StartsWith('|')) {
                        $out.Add("    $($text.Trim())")
                    }
                    elseif (Test-ListItem $text) {
                        if ($item) { $out.AddRange([string[]](Format-Wrapped $item.Text $item.First $item.Rest)) }
                        $marker = ([regex]::Match($text.Trim(), '^([-*+]|\d+[.)])')).Value
                        $bullet = if ($marker -match '^\d') { $marker } else { '-' }
                        $item = @{ Text = ConvertTo-HelpText ($text.Trim().Substring($marker.Length).Trim()); First = "    $bullet "; Rest = ' ' * (5 + $bullet.Length) }
                    }
                    elseif ($item) {
                        $item.Text += ' ' + (ConvertTo-HelpText $text.Trim())
                    }
                    else {
                        $item = @{ Text = ConvertTo-HelpText $text.Trim(); First = '    '; Rest = '    ' }
                    }
                }
                if ($item) { $out.AddRange([string[]](Format-Wrapped $item.Text $item.First $item.Rest)) }
            }
        }
    }
    ($out -join "`n") + "`n"
}

# ============================================================================================
# Main
# ============================================================================================

function Get-DisplayPath {
    <# A path for messages: relative to the current directory when below it, else full. #>
    param([string] $Path)
    $relative = [System.IO.Path]::GetRelativePath((Get-Location).ProviderPath, $Path)
    if ($relative.StartsWith('..')) { $Path } else { $relative }
}

function Write-FileAtomically {
    <# Writes through a temp file and a rename, so a failure never leaves half a help file. #>
    param([string] $Path, [string] $Content)
    $temp = "$Path.tmp"
    [System.IO.File]::WriteAllText($temp, $Content, [System.Text.UTF8Encoding]::new($false))
    Move-Item -LiteralPath $temp -Destination $Path -Force
}

$docs = (Resolve-Path -LiteralPath $DocsPath).Path
$outputDir = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputPath)
$aboutDir = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($AboutOutputPath)
$files = @(Get-ChildItem -LiteralPath $docs -Filter '*.md' -File | Sort-Object Name)
if ($files.Count -eq 0) {
    throw "Build-Help: no markdown files in '$docs'."
}
$platyPS = Get-Module -ListAvailable platyPS | Sort-Object Version -Descending | Select-Object -First 1
if ($Converter -eq 'PlatyPS' -and -not $platyPS) {
    throw 'Build-Help: -Converter PlatyPS was asked for, but the platyPS module is not installed.'
}

if ($platyPS -and $Converter -ne 'BuiltIn') {
    $null = New-Item -ItemType Directory -Force -Path $outputDir, $aboutDir
    Import-Module $platyPS
    $null = New-ExternalHelp -Path $docs -OutputPath $outputDir -Force -ErrorAction Stop
    # PlatyPS writes about topics next to the MAML; they belong under the module base, and so
    # does a copy of the MAML (see the description above).
    Get-ChildItem -LiteralPath $outputDir -Filter 'about_*.help.txt' | Move-Item -Destination $aboutDir -Force
    Get-ChildItem -LiteralPath $outputDir -Filter '*-Help.xml' | Copy-Item -Destination $aboutDir -Force
    Write-Host "Build-Help: PlatyPS $($platyPS.Version) built help from $($files.Count) file(s) in $DocsPath"
    return
}

# Read everything first: any error stops the build before a single file is written.
$commands = [System.Collections.Generic.List[hashtable]]::new()
$abouts = [ordered]@{}
foreach ($file in $files) {
    $display = Get-DisplayPath $file.FullName
    if ($file.BaseName -like 'about_*') {
        $abouts["$($file.BaseName).help.txt"] = ConvertTo-AboutText $file.FullName $display
    }
    else {
        $commands.Add((Read-CommandMarkdown $file.FullName $display))
    }
}
$null = New-Item -ItemType Directory -Force -Path $outputDir, $aboutDir
$written = [System.Collections.Generic.List[string]]::new()
foreach ($group in $commands | Group-Object { $_.HelpFile }) {
    $maml = ConvertTo-Maml $group.Group
    foreach ($dir in @($outputDir, $aboutDir) | Select-Object -Unique) {
        $target = Join-Path $dir $group.Name
        Write-FileAtomically $target $maml
        $written.Add($target)
        Write-Host "Build-Help: $(Get-DisplayPath $target) ($($group.Count) command(s))"
    }
}
foreach ($name in $abouts.Keys) {
    $target = Join-Path $aboutDir $name
    Write-FileAtomically $target $abouts[$name]
    $written.Add($target)
    Write-Host "Build-Help: $(Get-DisplayPath $target)"
}

# Help a previous build wrote for a markdown file since deleted or renamed would still be
# found by Get-Help: the output folders hold only what this build wrote.
foreach ($dir in @($outputDir, $aboutDir) | Select-Object -Unique) {
    Get-ChildItem -LiteralPath $dir -File |
        Where-Object { ($_.Name -like '*-Help.xml' -or $_.Name -like 'about_*.help.txt') -and $_.FullName -notin $written } |
        ForEach-Object {
            Remove-Item -LiteralPath $_.FullName
            Write-Host "Build-Help: removed stale $(Get-DisplayPath $_.FullName)"
        }
}
