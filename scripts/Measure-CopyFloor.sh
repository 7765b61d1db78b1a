#!/usr/bin/env bash
# Times the floor under any large-file copy on one filesystem, beside rsync, cp -a and Blit,
# with an outside timer (hyperfine). The floor is `dd` writing the same number of bytes from
# /dev/zero: no source is read at all, so no copying tool can beat it by writing through the
# page cache. rsync's median over the floor's is the highest ratio any such tool can reach.
#
#   scripts/Measure-CopyFloor.sh /mnt/ext4/floor [SizeMiB] [Runs]
#
# Needs hyperfine, rsync and a built module (./build.sh build). Writes hyperfine's markdown and
# JSON into logs/<os>/limits_<UTC timestamp>/. Blit runs in a fresh pwsh each time, so its row
# includes pwsh start-up (about 0.8 s here). The 'pwsh-then-*' rows start the same pwsh, import
# Blit, exit, then run cp or rsync: they pay the same start-up and the same delay between the
# clean-up and the copy, which matters on VMs that hand freed memory back to the host (Firecracker
# free-page reporting: the memory a copy then writes into is slow to touch, for every tool;
# docs/performance.md). Compare pwsh-blit with those rows, and the bare tools with each other.
set -euo pipefail

root=${1:?usage: Measure-CopyFloor.sh <scratch directory on the filesystem to measure> [SizeMiB] [Runs]}
size_mib=${2:-1024}
runs=${3:-12}
repo=$(cd "$(dirname "$0")/.." && pwd)

for tool in hyperfine rsync cp dd; do
    command -v "$tool" >/dev/null || { echo "Measure-CopyFloor: '$tool' is not installed" >&2; exit 2; }
done
[[ -f "$repo/bin/Blit.Cmdlets.dll" ]] || { echo "Measure-CopyFloor: build first (./build.sh build)" >&2; exit 2; }
pwsh_cmd="dotnet pwsh"   # the repository's local tool (README); hyperfine runs from the repository root

mkdir -p "$root"
src="$root/src"
dst="$root/dst"
zero="$root/zero.bin"
if [[ ! -f "$src/big.bin" || $(stat -c %s "$src/big.bin") -ne $((size_mib << 20)) ]]; then
    mkdir -p "$src"
    head -c $((size_mib << 20)) /dev/urandom >"$src/big.bin"
fi
sync
cat "$src/big.bin" >/dev/null   # every tool reads a cached source, as in Measure-BlitWorkload

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=macos ;; *) os=other ;; esac
out="$repo/logs/$os/limits_$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
{
    echo "# copy floor, $(date -u +%FT%TZ)"
    echo "filesystem: $(findmnt -n -o FSTYPE,SOURCE,TARGET --target "$root" 2>/dev/null || echo unknown)"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
    echo "file: $size_mib MiB, $runs runs, 1 warm-up, destination removed and sync'd before each run"
} >"$out/README.txt"

# shellcheck source=bench/tool-rows.sh
source "$repo/scripts/bench/tool-rows.sh"
tool_rows "$src" "$dst"
cd "$repo"
hyperfine -N --warmup 1 --runs "$runs" \
    --prepare "sh -c 'rm -rf \"$dst\" \"$zero\"; sync'" \
    -n 'dd-write-only' "dd if=/dev/zero of=$zero bs=1M count=$size_mib status=none" \
    "${TOOL_ROWS[@]}" \
    --export-markdown "$out/hyperfine.md" --export-json "$out/hyperfine.json"
rm -rf "$dst" "$zero"

python3 - "$out/hyperfine.json" <<'EOF' | tee -a "$out/README.txt" || true
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
median = lambda name: results[name]["median"]
print(f"medians: dd {median('dd-write-only'):.3f} s, cp -a {median('cp-a'):.3f} s, rsync {median('rsync'):.3f} s")
print(f"ceiling for a page-cache copy: rsync / dd = {median('rsync') / median('dd-write-only'):.2f}x; rsync / cp -a = {median('rsync') / median('cp-a'):.2f}x")
print(f"with pwsh start-up in every row: pwsh-then-cp-a {median('pwsh-then-cp-a'):.3f} s, pwsh-then-rsync {median('pwsh-then-rsync'):.3f} s, pwsh-blit {median('pwsh-blit'):.3f} s")
EOF
echo "Measure-CopyFloor: $out"
