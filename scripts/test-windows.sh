#!/usr/bin/env bash
# Builds ssocreds.exe (scripts/build-windows.sh) and runs it under Debian's wine against the fake portal on
# 127.0.0.1: the `windows` integration tests of the tests crate (tests/tests/windows), which a plain `cargo test`
# skips (#[ignore]) and this script runs with --ignored; and the CLI's own unit tests, built for Windows. Installs
# wine, wine64 and mingw-w64 when missing, and prepares a wine prefix under target/ once:
# - WINEDLLOVERRIDES=mscoree,mshtml= so that a fresh prefix does not try to download Mono and Gecko;
# - a stand-in bcryptprimitives.dll (tests/windows-helpers/bcryptprimitives.c, built with mingw): Rust 1.78+
#   programs need its ProcessPrng, which wine 8.0 lacks (the .exe would exit 53 at start);
# - hold-file.exe (tests/windows-helpers/hold-file.c), the "other program" that holds a file open;
# - record-url.exe (tests/windows-helpers/record-url.c), registered as the prefix's handler of http URLs: the
#   default browser that `ssocreds login` opens.
# Prints the .exe's size and how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "build ssocreds.exe"
bash scripts/build-windows.sh
exe="$root/target/x86_64-pc-windows-gnu/release/ssocreds.exe"

if ! command -v wine >/dev/null || [ ! -x /usr/lib/wine/wine64 ]; then
    step "install wine"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        wine wine64 mingw-w64 >/dev/null
fi

step "build the helpers"
helpers="$root/target/windows-helpers"
mkdir -p "$helpers"
x86_64-w64-mingw32-gcc -O2 -s -shared -o "$helpers/bcryptprimitives.dll" \
    tests/windows-helpers/bcryptprimitives.c -ladvapi32
for helper in hold-file record-url; do
    x86_64-w64-mingw32-gcc -O2 -s -municode -o "$helpers/$helper.exe" "tests/windows-helpers/$helper.c"
done

export WINEPREFIX="$root/target/wine-prefix"
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEDEBUG=-all
# Stop this prefix's wineserver (started persistent by the tests) however the script ends.
trap 'wineserver -k 2>/dev/null || true' EXIT
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    step "prepare the wine prefix $WINEPREFIX"
    wineboot -i >/dev/null 2>&1 || true
    wineserver -w
    [ -f "$WINEPREFIX/system.reg" ] || { echo "error: wineboot did not create $WINEPREFIX" >&2; exit 1; }
fi
cp "$helpers/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
browser="Z:$(tr / '\\' <<<"$helpers/record-url.exe")"
wine reg add 'HKLM\Software\Classes\http\shell\open\command' /ve /d "\"$browser\" \"%1\"" /f >/dev/null
version=$(wine "$exe" --version 2>&1) || { echo "error: wine cannot run $exe: $version" >&2; exit 1; }
echo "$version runs under $(wine --version)"

step "ssocreds' unit tests built for Windows, under wine"
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine cargo test --locked -q -p ssocreds --target x86_64-pc-windows-gnu

step "wine tests (cargo test -p ssocreds-tests --test windows -- --ignored)"
SSOCREDS_WINDOWS_EXE="$exe" SSOCREDS_WINDOWS_HELPERS="$helpers" \
    cargo test --locked -p ssocreds-tests --test windows -- --ignored

step "windows tests passed; ssocreds.exe is $(stat -c %s "$exe") bytes"
