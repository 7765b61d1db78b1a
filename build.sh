#!/usr/bin/env bash
# Blit's build script. Needs only the .NET SDK (pwsh comes from the local tool manifest).
#   ./build.sh build            build the module into bin/ (Import-Module ./Blit.psd1)
#   ./build.sh test [args]      every xunit and Pester test; ends with "N passed, N failed"
#   ./build.sh gate [args]      the quality gate at full sizes; args go to scripts/Invoke-BlitGate.ps1
#   ./build.sh package          versioned module folder + .nupkg under out/
#   ./build.sh docs             MAML help from docs/en-US into bin/en-US
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG=${CONFIG:-Release}
task=${1:-build}
[ $# -gt 0 ] && shift

pwsh() { dotnet pwsh -NoLogo -NoProfile -NonInteractive "$@"; }

bootstrap() {
    dotnet tool restore >/dev/null
}

docs() {
    pwsh -File scripts/Build-Help.ps1 -DocsPath docs/en-US -OutputPath bin/en-US -AboutOutputPath en-US
}

build() {
    bootstrap
    dotnet build Blit.PowerShell.sln -c "$CONFIG" -nologo -clp:NoSummary -v:quiet
    rm -rf bin
    mkdir -p bin
    local out="src/Blit.Cmdlets/bin/$CONFIG/net8.0"
    cp "$out/Blit.Cmdlets.dll" "$out/Blit.Core.dll" "$out/Blit.Cmdlets.deps.json" bin/
    cp src/Blit.Cmdlets/Blit.format.ps1xml src/Blit.Cmdlets/Blit.types.ps1xml src/Blit.Cmdlets/Blit.Pester.ps1 bin/
    docs
    local expected="bin/Blit.Cmdlets.dll bin/Blit.Core.dll bin/Blit.format.ps1xml bin/Blit.types.ps1xml bin/Blit.Pester.ps1"
    expected="$expected bin/en-US/Blit.Cmdlets.dll-Help.xml en-US/Blit.Cmdlets.dll-Help.xml en-US/about_Blit.help.txt"
    # A module folder missing any of these is broken: fail the build, not the user.
    for f in $expected; do
        [ -f "$f" ] || { echo "build: expected $f is missing" >&2; exit 1; }
    done
    echo "build: module ready (Import-Module ./Blit.psd1)"
}

run_tests() {
    build
    local results="$ROOT/TestResults"
    rm -rf "$results"
    mkdir -p "$results"
    local rc=0

    echo "== xunit"
    dotnet test tests/Blit.Core.Tests -c "$CONFIG" --no-build --nologo \
        --logger "trx;LogFileName=xunit.trx" --results-directory "$results" --logger "console;verbosity=minimal" || rc=1
    local xpass=0 xfail=0
    if [ -f "$results/xunit.trx" ]; then
        xpass=$(grep -o '<Counters [^>]*' "$results/xunit.trx" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')
        xfail=$(grep -o '<Counters [^>]*' "$results/xunit.trx" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*')
    else
        xfail=1
    fi

    # The portable backend (Windows, macOS) on Linux: the mirror suites again, expectations from its capabilities.
    echo "== xunit, portable backend (BLIT_BACKEND=portable)"
    BLIT_BACKEND=portable dotnet test tests/Blit.Core.Tests -c "$CONFIG" --no-build --nologo \
        --filter "(FullyQualifiedName~Blit.Tests.Mirror|FullyQualifiedName~Reliability|FullyQualifiedName~Destinations)&FullyQualifiedName!~AllocationTests" \
        --logger "trx;LogFileName=xunit-portable.trx" --results-directory "$results" --logger "console;verbosity=minimal" || rc=1
    if [ -f "$results/xunit-portable.trx" ]; then
        xpass=$((xpass + $(grep -o '<Counters [^>]*' "$results/xunit-portable.trx" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')))
        xfail=$((xfail + $(grep -o '<Counters [^>]*' "$results/xunit-portable.trx" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*')))
    else
        xfail=$((xfail + 1))
    fi

    echo "== Pester"
    dotnet restore tests/tools/Blit.TestTools.csproj -nologo -v:quiet >/dev/null
    pwsh -File tests/pester/Invoke-PesterSuite.ps1 -ResultPath "$results/pester.txt" "$@" || rc=1
    local ppass=0 pfail=1
    if [ -f "$results/pester.txt" ]; then
        read -r ppass pfail < "$results/pester.txt"
    fi

    echo "xunit: $xpass passed, $xfail failed; Pester: $ppass passed, $pfail failed"
    echo "$((xpass + ppass)) passed, $((xfail + pfail)) failed"
    [ "$rc" -eq 0 ] && [ "$((xfail + pfail))" -eq 0 ]
}

gate() {
    build
    pwsh -File scripts/Invoke-BlitGate.ps1 "$@"
}

package() {
    build
    pwsh -File scripts/Build-Package.ps1 "$@"
}

case "$task" in
    build) build ;;
    test) run_tests "$@" ;;
    gate) gate "$@" ;;
    package) package "$@" ;;
    docs) bootstrap; docs ;;
    *) echo "usage: ./build.sh build|test|gate|package|docs [args]" >&2; exit 2 ;;
esac
