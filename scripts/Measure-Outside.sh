#!/usr/bin/env bash
# Times Blit, rsync and cp -a copying one existing source tree, with an outside timer (hyperfine),
# to confirm Measure-BlitWorkload's in-process figures from outside the process. Use a tree that
# Measure-BlitWorkload built and kept (-KeepWorkspace), e.g. .../mixed-512MiB+50000files/source.
#
#   scripts/Measure-Outside.sh <source tree> <scratch directory on the same filesystem> [Runs]
#
# Each run starts with the destination removed and sync'd. Blit runs in a fresh pwsh, so its row
# includes pwsh start-up (about 0.8 s here); the 'pwsh-then-*' rows start the same pwsh, import
# Blit, exit, then run cp or rsync, so they pay the same start-up and the same delay between the
# clean-up and the copy (see Measure-CopyFloor.sh for why that delay matters on this VM). Compare
# pwsh-blit with those rows, and the bare tools with each other. Needs hyperfine, rsync and a
# built module (./build.sh build). Writes hyperfine's markdown and JSON into
# logs/<os>/outside_<UTC timestamp>/.
set -euo pipefail

src=${1:?usage: Measure-Outside.sh <source tree> <scratch directory> [Runs]}
root=${2:?usage: Measure-Outside.sh <source tree> <scratch directory> [Runs]}
runs=${3:-8}
repo=$(cd "$(dirname "$0")/.." && pwd)

for tool in hyperfine rsync cp; do
    command -v "$tool" >/dev/null || { echo "Measure-Outside: '$tool' is not installed" >&2; exit 2; }
done
[[ -d "$src" ]] || { echo "Measure-Outside: no source tree at '$src'" >&2; exit 2; }
[[ -f "$repo/bin/Blit.Cmdlets.dll" ]] || { echo "Measure-Outside: build first (./build.sh build)" >&2; exit 2; }
pwsh_cmd="dotnet pwsh"   # the repository's local tool (README); hyperfine runs from the repository root

mkdir -p "$root"
dst="$root/dst"
sync
find "$src" -type f -exec cat {} + >/dev/null   # every tool reads a cached source, as in Measure-BlitWorkload

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=macos ;; *) os=other ;; esac
out="$repo/logs/$os/outside_$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
{
    echo "# outside timer, $(date -u +%FT%TZ)"
    echo "source: $src ($(find "$src" -type f | wc -l) files, $(du -sh --apparent-size "$src" | cut -f1))"
    echo "filesystem: $(findmnt -n -o FSTYPE,SOURCE,TARGET --target "$root" 2>/dev/null || echo unknown)"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
    echo "$runs runs, 1 warm-up, destination removed and sync'd before each run"
} >"$out/README.txt"

# shellcheck source=bench/tool-rows.sh
source "$repo/scripts/bench/tool-rows.sh"
tool_rows "$src" "$dst"
cd "$repo"
hyperfine -N --warmup 1 --runs "$runs" \
    --prepare "sh -c 'rm -rf \"$dst\"; sync'" \
    "${TOOL_ROWS[@]}" \
    --export-markdown "$out/hyperfine.md" --export-json "$out/hyperfine.json"
rm -rf "$dst"

python3 - "$out/hyperfine.json" <<'PY' | tee -a "$out/README.txt" || true
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
median = lambda name: results[name]["median"]
print(f"medians: cp -a {median('cp-a'):.3f} s, rsync {median('rsync'):.3f} s")
print(f"with pwsh start-up in every row: pwsh-then-cp-a {median('pwsh-then-cp-a'):.3f} s, "
      f"pwsh-then-rsync {median('pwsh-then-rsync'):.3f} s, pwsh-blit {median('pwsh-blit'):.3f} s")
print(f"pwsh-then-rsync / pwsh-blit = {median('pwsh-then-rsync') / median('pwsh-blit'):.2f}x; "
      f"pwsh-then-cp-a / pwsh-blit = {median('pwsh-then-cp-a') / median('pwsh-blit'):.2f}x")
PY
echo "Measure-Outside: $out"
