#!/usr/bin/env bash
# Times O_TMPFILE + linkat against O_CREAT|O_EXCL for 50,000 new 2 KiB files (scripts/bench/create-path.c),
# alternating, on 1 and 4 threads, with the CPU time of each run. Needs gcc and GNU time.
#   scripts/Measure-CreatePath.sh /mnt/ext4/bench [rounds]
# Writes logs/linux/createpath_<UTC>/createpath.log. Run it on a journaled ext4 loop mount (docs/performance.md).
set -euo pipefail
root=${1:?usage: $0 DIR [rounds]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/logs/linux/createpath_$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
bin=$(mktemp)
trap 'rm -f "$bin"; rm -rf "$root/blit-createpath"' EXIT
gcc -O2 -pthread -o "$bin" "$here/scripts/bench/create-path.c"
{
    echo "Create path: O_TMPFILE + linkat vs O_CREAT|O_EXCL, 50,000 files of 2 KiB, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "Directory: $root ($(findmnt -n -o FSTYPE,SOURCE --target "$root" | tr -s ' '))"
    echo "Kernel: $(uname -r); $(nproc) CPUs"
    for ((r = 1; r <= rounds; r++)); do
        for threads in 1 4; do
            for mode in tmpfile create; do
                rm -rf "$root/blit-createpath"; mkdir "$root/blit-createpath"; sync
                /usr/bin/time -f "  cpu user=%U sys=%S" "$bin" "$root/blit-createpath" "$mode" "$threads" 50000 2>&1 | tr '\n' ' '
                echo "round=$r"
            done
        done
    done
} | tee "$out/createpath.log"
echo "Log: $out/createpath.log"
