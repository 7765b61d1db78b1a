#!/usr/bin/env bash
# Blit's build on Linux and macOS: checks the OS packages, then hands the task to build.ps1
# (the one task list) in the repository's pwsh. Needs only the .NET SDK.
#   ./build.sh build            build the module into bin/ (Import-Module ./Blit.psd1)
#   ./build.sh test [args]      every xunit and Pester test; ends with "N passed, N failed"
#   ./build.sh gate [args]      the quality gate at full sizes; args go to scripts/Invoke-BlitGate.ps1
#   ./build.sh package          versioned module folder + .nupkg under out/
#   ./build.sh docs             MAML help from docs/en-US into bin/en-US
#   ./build.sh pwsh-precompiled out/pwsh-precompiled: the repository's pwsh precompiled (ReadyToRun) as
#                               Microsoft's pwsh packages are, for cold runs (-PwshPath; docs/performance.md);
#                               reused while current (-Force: build again; -Check: exit 0 current, 1 not)
#   ./build.sh setup            only the OS-package step that test and gate begin with
set -euo pipefail
cd "$(dirname "$0")"

# The Debian packages the tests and the gate need, each with a command it provides (the check).
# rsync: the comparator and the differential tests; gcc and GNU time: the C programs of the
# measuring scripts (scripts/bench/) and their test; the rest make and mount the filesystems the
# reliability and real-destination tests run on (loop devices, chattr, FUSE).
PACKAGES=(
    rsync:rsync
    gcc:gcc
    time:time
    mount:losetup
    e2fsprogs:mkfs.ext4
    xfsprogs:mkfs.xfs
    btrfs-progs:mkfs.btrfs
    exfatprogs:mkfs.exfat
    exfat-fuse:mount.exfat-fuse
    ntfs-3g:mkntfs
    fuse3:fusermount3
)

has_command() {
    # sbin is not on a normal user's PATH, but that is where the mkfs tools are.
    local dir IFS=:
    for dir in $PATH:/usr/sbin:/sbin; do
        [ -f "$dir/$1" ] && [ -x "$dir/$1" ] && return 0
    done
    return 1
}

missing_packages() {
    local entry missing=()
    for entry in "${PACKAGES[@]}"; do
        has_command "${entry#*:}" || missing+=("${entry%%:*}")
    done
    echo "${missing[*]}"
}

setup() {
    [ "$(uname -s)" = Linux ] || return 0
    local missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "build: missing packages $missing; install them as root: apt-get update && apt-get install -y $missing" >&2
        exit 2
    fi
    echo "build: installing $missing"
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    missing=$(missing_packages)
    if [ -n "$missing" ]; then
        echo "build: apt-get install did not provide $missing" >&2
        exit 2
    fi
}

case "${1:-build}" in
    setup) setup; exit 0 ;;
    test|gate) setup; export BLIT_OS_PACKAGES=checked ;;
esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 "$@"
