# Dot-sourced by every test file: imports the built module from the repository root.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not (Get-Module Blit)) {
    Import-Module (Join-Path $script:RepoRoot 'Blit.psd1') -ErrorAction Stop
}

function New-TestTree {
    <# Creates files from a hashtable of relative path -> content (string) under $Root. #>
    param([Parameter(Mandatory)][string] $Root, [Parameter(Mandatory)][hashtable] $Files)
    foreach ($rel in $Files.Keys) {
        $full = Join-Path $Root $rel
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $full -Parent)
        [IO.File]::WriteAllText($full, [string]$Files[$rel])
    }
}

function Get-TreeListing {
    <# Relative path, type, length and mtime ticks of every entry below $Root (symlinks not followed). #>
    param([Parameter(Mandatory)][string] $Root)
    $rootFull = (Resolve-Path -LiteralPath $Root).Path
    Get-ChildItem -LiteralPath $rootFull -Recurse -Force -FollowSymlink:$false | ForEach-Object {
        $rel = [IO.Path]::GetRelativePath($rootFull, $_.FullName)
        $kind = if ($_.LinkType) { 'Link:' + $_.LinkTarget } elseif ($_.PSIsContainer) { 'Dir' } else { 'File:' + $_.Length }
        "$rel|$kind|$(if (-not $_.PSIsContainer -and -not $_.LinkType) { (Get-FileHash -LiteralPath $_.FullName).Hash })"
    } | Sort-Object
}

function pwsh-child {
    <# Runs a command in a fresh pwsh (the same one running the tests) and returns its output. #>
    param([Parameter(Mandatory)][string] $Command)
    $exe = (Get-Process -Id $PID).Path
    if ($exe -match 'dotnet$') { & $exe pwsh -NoProfile -NonInteractive -Command $Command 2>&1 }
    else { & $exe -NoProfile -NonInteractive -Command $Command 2>&1 }
}
