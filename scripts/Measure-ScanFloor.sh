#!/usr/bin/env bash
# How far Blit's scan is from the floor: a C program that lists and statx's two trees, one
# thread per tree (scripts/bench/scan-floor.c), alternating with a fresh pwsh running an
# unchanged-tree Invoke-BlitMirror over the same two trees, with each run's CPU time.
#
#   scripts/Measure-ScanFloor.sh <source tree> <destination tree> [rounds] [pwsh.dll]
#
# Use a source tree Measure-BlitWorkload kept (-KeepWorkspace), e.g. .../noop-1000000files/source,
# and its .../blit destination (it must sit beside the source: it is mirrored onto, deletions
# included): the first, untimed Blit run makes it a mirror if it is not one,
# and every run after reads both trees from a warm cache. pwsh.dll defaults to the precompiled
# copy (./build.sh pwsh-precompiled) when there is one, else the repository's 'dotnet pwsh'.
# Needs gcc and GNU time. Writes logs/linux/scanfloor_<UTC>/scanfloor.log (docs/performance.md).
set -euo pipefail
src=${1:?usage: $0 SOURCE DEST [rounds] [pwsh.dll]}
dst=${2:?usage: $0 SOURCE DEST [rounds] [pwsh.dll]}
rounds=${3:-6}
repo=$(cd "$(dirname "$0")/.." && pwd)
[[ "$rounds" =~ ^[0-9]+$ ]] || { echo "Measure-ScanFloor: rounds must be a whole number, not '$rounds'" >&2; exit 2; }
[[ -d "$src" ]] || { echo "Measure-ScanFloor: no source tree at '$src'" >&2; exit 2; }
if [[ -n "${4:-}" && ! -f "$4" ]]; then echo "Measure-ScanFloor: no pwsh.dll at '$4'" >&2; exit 2; fi
# Absolute before the cd below (the destination may not exist yet).
src=$(realpath -m -- "$src"); dst=$(realpath -m -- "$dst")
pwsh_dll=$(realpath -m -- "${4:-$repo/out/pwsh-precompiled/pwsh.dll}")
# The destination is mirrored onto: whatever it holds that the source does not is deleted. So it
# must sit beside the source, as a kept workspace's blit/ sits beside its source/.
[[ "$(dirname -- "$src")" == "$(dirname -- "$dst")" && "$src" != "$dst" ]] || {
    echo "Measure-ScanFloor: the destination '$dst' must sit beside the source '$src' (as a kept workspace's" \
        "blit/ beside its source/): it is mirrored onto, and what it holds that the source does not is deleted" >&2
    exit 2
}
[[ -f "$repo/bin/Blit.Cmdlets.dll" ]] || { echo "Measure-ScanFloor: build first (./build.sh build)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "Measure-ScanFloor: gcc is not installed" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "Measure-ScanFloor: GNU time (/usr/bin/time) is not installed" >&2; exit 2; }
if [[ -f "$pwsh_dll" ]]; then pwsh=(dotnet "$pwsh_dll"); else pwsh=(dotnet pwsh); fi

out="$repo/logs/linux/scanfloor_$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
gcc -O2 -pthread -o "$bin" "$repo/scripts/bench/scan-floor.c"

# The paths reach pwsh through the environment, not spliced into its command (a ' in a path).
export SCANFLOOR_MODULE="$repo/Blit.psd1" SCANFLOOR_SRC="$src" SCANFLOOR_DST="$dst"
mirror="\$ErrorActionPreference = 'Stop'; Import-Module \$env:SCANFLOOR_MODULE;"
mirror+=" \$r = Invoke-BlitMirror -LiteralPath \$env:SCANFLOOR_SRC -Destination \$env:SCANFLOOR_DST;"
mirror+=" 'blit scan={0:n3} copied={1} updated={2} deleted={3}' -f \$r.ScanDuration.TotalSeconds, \$r.FilesCopied, \$r.FilesUpdated, \$r.FilesDeleted"
cd "$repo"
{
    echo "Scan floor: C (one thread per tree) against a fresh pwsh + Invoke-BlitMirror, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "Source: $src ($(findmnt -n -o FSTYPE,SOURCE --target "$src" | tr -s ' '))"
    echo "Destination: $dst"
    echo "pwsh: ${pwsh[*]}"
    echo "Kernel: $(uname -r); $(nproc) CPUs; commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    first=$("${pwsh[@]}" -NoProfile -NonInteractive -Command "$mirror" 2>&1) ||
        { echo "untimed first run failed: $first"; exit 1; }
    echo "untimed first run: $first"
    for ((r = 1; r <= rounds; r++)); do
        /usr/bin/time -f "  wall=%e user=%U sys=%S" "$bin" "$src" "$dst" 2>&1 | tr '\n' ' '
        echo "round=$r"
        /usr/bin/time -f "  wall=%e user=%U sys=%S maxrss=%MkB" "${pwsh[@]}" -NoProfile -NonInteractive -Command "$mirror" 2>&1 | tr '\n' ' '
        echo "round=$r"
    done
} | tee "$out/scanfloor.log"
echo "Log: $out/scanfloor.log"
