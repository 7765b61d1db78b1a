#Requires -Version 7.4
# Views: every output type of every exported cmdlet has a table and a list view in
# Blit.format.ps1xml; real objects (small real runs, not hand-made ones) format through both
# without errors and in Blit's units; and the objects themselves export cleanly: Export-Csv /
# Import-Csv and ConvertTo-Json / ConvertFrom-Json give numbers back as numbers, never "1.2 MiB".

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # One case per declared output type, so a new cmdlet or output type is covered without
    # touching this file (and fails until it has views and sample objects).
    $outputTypes = Get-Command -Module Blit -CommandType Cmdlet |
        ForEach-Object { $_.OutputType.Type } | Sort-Object FullName -Unique |
        ForEach-Object { @{ Type = $_.FullName } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $ProgressPreference = 'SilentlyContinue'

    # --- Real objects of every output type, from small real runs ---------------------------
    $src = Join-Path $TestDrive 'src'
    $dst = Join-Path $TestDrive 'dst'
    New-TestTree -Root $src -Files @{ 'a.txt' = 'alpha'; 'sub/b.txt' = 'beta'; 'sub/deep/c.txt' = 'gamma'; 'old.txt' = 'old' }
    [IO.File]::WriteAllBytes((Join-Path $src 'sub/photo.bin'), [byte[]]::new(300000))
    $first = @(Invoke-BlitMirror $src $dst -PassThru)
    Remove-Item (Join-Path $src 'old.txt')
    [IO.File]::AppendAllText((Join-Path $src 'a.txt'), ' and more')
    $second = @(Invoke-BlitMirror $src $dst -PassThru)
    $whatIf = Invoke-BlitMirror $src (Join-Path $TestDrive 'dst-whatif') -WhatIf
    # Results of runs without -PassThru: a -PassThru result carries an extra type name (tested in 'Views in use').
    $plain = Invoke-BlitMirror $src (Join-Path $TestDrive 'dst-plain')
    $plainAgain = Invoke-BlitMirror $src (Join-Path $TestDrive 'dst-plain') -NoDelete

    $bench = @{ Quick = $true; Runs = 1; Warmup = 0; Root = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'bench')).FullName
                LogPath = (Join-Path $TestDrive 'logs'); WarningAction = 'SilentlyContinue' }
    # NoOp against rsync, warm and cold: decisions with every figure; LargeFile without a comparator: a NO-GO.
    $measurements = @(
        Measure-BlitWorkload -Workload NoOp -FileCount 100 -Comparator Rsync @bench
        Measure-BlitWorkload -Workload LargeFile -SizeMB 1 -Comparator None @bench
    )
    $decisions = @($measurements | Compare-BlitBaseline -BaselinePath $bench.LogPath -WarningAction SilentlyContinue)
    $summary = $measurements | Compare-BlitBaseline -BaselinePath $bench.LogPath -Summary -WarningAction SilentlyContinue

    $script:Samples = @{
        'Blit.Mirror.MirrorResult'              = @($plain, $plainAgain, $whatIf)
        'Blit.Mirror.MirrorItem'                = @($first[0..($first.Count - 2)]) + @($second[0..($second.Count - 2)])
        'Blit.Benchmarking.WorkloadMeasurement' = $measurements
        'Blit.Gate.WorkloadDecision'            = $decisions
        'Blit.Gate.GateSummary'                 = @($summary)
    }

    # What each type's views must show: Blit's units, not raw figures.
    $script:Units = @{
        'Blit.Mirror.MirrorResult'              = @('\d+[.,]\d KiB', '\d+[.,]\d MiB/s', '\d[.,]\d{3} s')
        'Blit.Mirror.MirrorItem'                = @('293[.,]0 KiB', '\d+ B\b')
        'Blit.Benchmarking.WorkloadMeasurement' = @('\d+[.,]\d MiB/s', '\d[.,]\d{3} s', '\d+[.,]\d (KiB|MiB)')
        'Blit.Gate.WorkloadDecision'            = @('\d[.,]\d{3} s', '\b(GO|NO-GO)\b')
        'Blit.Gate.GateSummary'                 = @('\bNO-GO\b', '\d+ of 3 GO')
    }

    function Get-ViewControl {
        <# The named control (TableControl, ListControl) of a type's views in the loaded format data. #>
        param([string] $TypeName, [string] $Control)
        Get-FormatData -TypeName $TypeName | ForEach-Object FormatViewDefinition |
            Where-Object { $_.Control.GetType().Name -eq $Control } | Select-Object -First 1
    }

    function Remove-Ansi([string] $Text) { $Text -replace "`e\[[0-9;]*m", '' }

    function Format-Text {
        <# Formats objects to text; -DisplayError puts #ERR where a view's expression fails. #>
        param([object[]] $InputObject, [ValidateSet('Table', 'List')][string] $As, [string] $View)
        $splat = @{ DisplayError = $true }
        if ($View) { $splat.View = $View }
        if ($As -eq 'Table') { $InputObject | Format-Table @splat | Out-String -Width 250 }
        else { $InputObject | Format-List @splat | Out-String -Width 250 }
    }

    # Numeric (and TimeSpan) properties of a type, by reflection: what must round-trip as numbers.
    function Get-NumericProperty {
        param([type] $Type)
        $numeric = [int], [long], [double], [float], [decimal]
        foreach ($p in $Type.GetProperties([Reflection.BindingFlags]'Public, Instance')) {
            $t = [Nullable]::GetUnderlyingType($p.PropertyType) ?? $p.PropertyType
            if ($t -in $numeric) { $p.Name }
        }
    }

    # Plain invariant numbers only: no unit, no group separator.
    $script:NumberPattern = '^-?\d+(\.\d+)?([eE][+-]?\d+)?$'
}

Describe 'Views for <Type>' -ForEach $outputTypes {
    BeforeAll {
        $objects = $Samples[$Type]
        $table = Get-ViewControl $Type TableControl
        $list = Get-ViewControl $Type ListControl
    }

    It 'has real sample objects from a run' {
        $objects | Should -Not -BeNullOrEmpty -Because "every output type needs sample objects in this file's BeforeAll"
        $objects | ForEach-Object { $_.GetType().FullName | Should -Be $Type }
    }

    It 'has a table view' {
        $table | Should -Not -BeNullOrEmpty
    }

    It 'has a list view' {
        $list | Should -Not -BeNullOrEmpty
    }

    It 'formats as its table view without errors, in Blit''s units' {
        $text = Remove-Ansi (Format-Text $objects -As Table -View $table.Name)
        $text | Should -Not -Match '#ERR'
        $headers = $table.Control.Headers | ForEach-Object Label
        $headerLine = ($text -split '\r?\n' | Where-Object { $_.Trim() })[0]
        foreach ($h in $headers) { $headerLine | Should -Match ([regex]::Escape($h)) }
        foreach ($pattern in $Units[$Type]) { $text | Should -Match $pattern }
        # A nested object or collection rendered by its type name means a column shows no data.
        $text | Should -Not -Match 'System\.Collections|Blit\.(Mirror|Gate|Benchmarking)\.'
    }

    It 'formats as its list view without errors, in Blit''s units' {
        $text = Remove-Ansi (Format-Text $objects -As List -View $list.Name)
        $text | Should -Not -Match '#ERR'
        $labels = $list.Control.Entries[0].Items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } }
        foreach ($l in $labels) { $text | Should -Match ('(?m)^' + [regex]::Escape($l) + '\s+:') }
        foreach ($pattern in $Units[$Type]) { $text | Should -Match $pattern }
        $text | Should -Not -Match 'System\.Collections|Blit\.(Mirror|Gate|Benchmarking)\.'
    }

    It 'formats with Format-Table and Format-List without naming a view' {
        (Format-Text $objects -As Table) | Should -Not -Match '#ERR'
        (Format-Text $objects -As List) | Should -Not -Match '#ERR'
        Remove-Ansi (Format-Text $objects -As Table) | Should -Match ([regex]::Escape(($table.Control.Headers | Select-Object -Last 1).Label))
    }

    It 'round-trips through Export-Csv and Import-Csv with every number a plain number' {
        $csv = Join-Path $TestDrive "$Type.csv"
        $objects | Export-Csv -LiteralPath $csv
        $rows = @(Import-Csv -LiteralPath $csv)
        $rows.Count | Should -Be $objects.Count
        # Every property is exported (the display set trims only the host's out-of-band list).
        $rows[0].psobject.Properties.Name | Should -Be @($objects[0].psobject.Properties.Name)
        $numeric = @(Get-NumericProperty ($Type -as [type]))
        $numeric | Should -Not -BeNullOrEmpty
        for ($i = 0; $i -lt $objects.Count; $i++) {
            foreach ($name in $numeric) {
                $original = $objects[$i].$name
                $value = $rows[$i].$name
                if ($null -eq $original) { $value | Should -BeNullOrEmpty; continue }
                $value | Should -Match $NumberPattern -Because "$name is a number, not display text"
                $back = [double]::Parse($value, [Globalization.CultureInfo]::InvariantCulture)
                [math]::Abs($back - [double]$original) | Should -BeLessOrEqual ([math]::Max(1, [math]::Abs([double]$original)) * 1e-9) -Because $name
            }
        }
    }

    It 'round-trips through ConvertTo-Json and ConvertFrom-Json with every number a JSON number' {
        $json = $objects | ConvertTo-Json -Depth 10 -WarningAction Stop
        $back = @($json | ConvertFrom-Json)
        $back.Count | Should -Be $objects.Count
        for ($i = 0; $i -lt $objects.Count; $i++) {
            foreach ($name in Get-NumericProperty ($Type -as [type])) {
                $original = $objects[$i].$name
                $value = $back[$i].$name
                if ($null -eq $original) { $value | Should -BeNullOrEmpty; continue }
                $value.GetType() | Should -BeIn @([int], [long], [double], [decimal], [bigint]) -Because "$name is a JSON number"
                [math]::Abs([double]$value - [double]$original) | Should -BeLessOrEqual ([math]::Max(1, [math]::Abs([double]$original)) * 1e-9) -Because $name
            }
        }
    }
}

Describe 'Views in use' {
    It 'covers only declared output types (no view for a type no cmdlet emits)' {
        $declared = Get-Command -Module Blit -CommandType Cmdlet | ForEach-Object { $_.OutputType.Type.FullName }
        $formatFile = (Get-Module Blit).ExportedFormatFiles | Where-Object { $_ -like '*Blit.format.ps1xml' }
        $formatFile | Should -Not -BeNullOrEmpty
        [xml] $xml = Get-Content -Raw -LiteralPath $formatFile
        $selected = @($xml.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName | Sort-Object -Unique)
        $selected | Should -Not -BeNullOrEmpty
        # 'Type#Tag' names a view for some objects of a declared type (the -PassThru result).
        foreach ($t in $selected) { ($t -replace '#.*$', '') | Should -BeIn $declared }
    }

    It 'shows a mirror result as its list by default, and as a table with Format-Table' {
        $one = Remove-Ansi ($Samples['Blit.Mirror.MirrorResult'][0] | Out-String -Width 200)
        $one | Should -Match '(?m)^Throughput\s+: \d+[.,]\d MiB/s'
        $one | Should -Match '(?m)^Destination FS\s+: \S+, case-(in)?sensitive, '
        $workers = $Samples['Blit.Mirror.MirrorResult'][0].WorkerCount
        $one | Should -Match ('(?m)^Strategy\s+: ' + $workers + ' ' + $(if ($workers -eq 1) { 'worker;' } else { 'workers;' }))
        $text = Remove-Ansi (Format-Text $Samples['Blit.Mirror.MirrorResult'] -As Table)
        $text | Should -Match '(?m)^Source\s+Destination\s+Copied\s+Updated\s+Deleted\s+Bytes\s+Duration\s+Throughput\s+Errors'
        $text | Should -Match '\(WhatIf\)'
        $text | Should -Match '\(NoDelete\)'
        Remove-Ansi ($plainAgain | Out-String -Width 200) | Should -Match '(?m)^Deleted\s+: none requested \(-NoDelete\)$'
    }

    It 'shows -PassThru output as the items table, then the result as its own list view' {
        # As the console shows it: the cmdlet's output, items then result, formatted in one go.
        $text = Remove-Ansi ($first | Out-String -Width 200)
        $text | Should -Match '(?m)^Action\s+Kind\s+Size\s+RelativePath'
        $text | Should -Match '(?m)^CopyFile\s+File\s+\d+[.,]\d KiB sub/photo.bin'
        $text | Should -Match '(?m)^Copied\s+: 5 new, 0 updated, 0 symlinks, 0 special, 0 unchanged$'
        $text | Should -Match '(?m)^Throughput\s+: \d+[.,]\d MiB/s$'
        $text | Should -Match '(?m)^Duration\s+: \d[.,]\d{3} s$'
        # Not the fallback: raw property names and figures.
        $text | Should -Not -Match '(?m)^(FilesCopied|BytesCopied)\s+:'
        $first[-1].psobject.TypeNames[0] | Should -Be 'Blit.Mirror.MirrorResult#PassThru'
        $first[-1] | Should -BeOfType ([Blit.Mirror.MirrorResult])
    }

    It 'gives the -PassThru result the same list as a plain result, item for item' {
        $views = Get-FormatData -TypeName 'Blit.Mirror.MirrorResult', 'Blit.Mirror.MirrorResult#PassThru' | ForEach-Object FormatViewDefinition |
            Where-Object { $_.Control -is [System.Management.Automation.ListControl] }
        $lists = @($views | ForEach-Object { ($_.Control.Entries[0].Items | ForEach-Object { "$($_.Label)=$($_.DisplayEntry.Value)" }) -join "`n" })
        $lists.Count | Should -Be 2
        $lists[1] | Should -BeExactly $lists[0]
        ($views | Where-Object Name -eq 'Blit.Mirror.MirrorResult#PassThru').Control.OutOfBand | Should -BeTrue
        ($views | Where-Object Name -eq 'Blit.Mirror.MirrorResult').Control.OutOfBand | Should -BeFalse -Because 'a plain result must format as a table row with Format-Table'
    }

    It 'shows a plain result after a table of other objects as a short property list' {
        $text = Remove-Ansi (@((Get-Item $src), $Samples['Blit.Mirror.MirrorResult'][0]) | Out-String -Width 200)
        $text | Should -Match '(?m)^FilesCopied\s+: 4$'
        $text | Should -Not -Match 'ScanDuration|FilesKernelCopied'
    }

    It 'shows durations of a minute or more as hours:minutes:seconds' {
        [Blit.Cmdlets.Infrastructure.Units]::Duration([timespan]::FromSeconds(125.4)) | Should -Be '0:02:05'
        [Blit.Cmdlets.Infrastructure.Units]::Duration([timespan]::FromHours(26.5)) | Should -Be '26:30:00'
        [Blit.Cmdlets.Infrastructure.Units]::Duration([timespan]::FromMilliseconds(1234)) | Should -Match '^1[.,]234 s$'
    }

    It 'shows sizes in B, KiB, MiB and GiB and rates in MiB/s' {
        $u = [Blit.Cmdlets.Infrastructure.Units]
        $u::Bytes(512) | Should -Be '512 B'
        $u::Bytes(1536) | Should -Match '^1[.,]5 KiB$'
        $u::Bytes(5MB) | Should -Match '^5[.,]0 MiB$'
        $u::Bytes(3GB) | Should -Match '^3[.,]00 GiB$'
        $u::Rate(512KB) | Should -Match '^0[.,]5 MiB/s$'
        $u::Rate(2GB) | Should -Match '^2[.,]048[.,]0 MiB/s$'
        $u::MiBPerSecond($null) | Should -Be '—'
    }

    Context 'GO and NO-GO colours' {
        BeforeAll {
            $saved = $PSStyle.OutputRendering
            $go = $Samples['Blit.Gate.WorkloadDecision'] | Where-Object IsGo | Select-Object -First 1
            $noGo = $Samples['Blit.Gate.WorkloadDecision'] | Where-Object { -not $_.IsGo } | Select-Object -First 1
        }
        AfterEach { $PSStyle.OutputRendering = $saved }

        It 'paints NO-GO red and GO green where the host renders colour' {
            if (-not $Host.UI.SupportsVirtualTerminal) { Set-ItResult -Skipped -Because 'this host does not render colour' }
            $PSStyle.OutputRendering = 'Ansi'
            $red = [regex]::Escape($PSStyle.Foreground.Red + 'NO-GO' + $PSStyle.Reset)
            Format-Text $noGo -As Table | Should -Match $red
            Format-Text $noGo -As List | Should -Match $red
            Format-Text $Samples['Blit.Gate.GateSummary'] -As Table | Should -Match $red
            Format-Text $Samples['Blit.Gate.GateSummary'] -As List | Should -Match $red
            if ($go) { Format-Text $go -As Table | Should -Match ([regex]::Escape($PSStyle.Foreground.Green + 'GO' + $PSStyle.Reset)) }
        }

        It 'writes plain GO / NO-GO when the output is plain text' {
            $PSStyle.OutputRendering = 'PlainText'
            foreach ($as in 'Table', 'List') {
                foreach ($o in $noGo, $Samples['Blit.Gate.GateSummary'][0]) {
                    $text = Format-Text $o -As $as
                    $text | Should -Not -Match "`e\["
                    $text | Should -Match 'NO-GO'
                }
            }
        }
    }
}
