#!/usr/bin/env bash
# Cross-builds `ssocreds.exe` for 64-bit Windows (x86_64-pc-windows-gnu) on Debian: installs the Rust target and
# Debian's mingw-w64 (the linker, and the C compiler ring needs) when missing, then builds
# target/x86_64-pc-windows-gnu/release/ssocreds.exe. The linker is set in .cargo/config.toml. Idempotent; prints
# the .exe's path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu

if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi
if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        mingw-w64 >/dev/null
fi

cargo build --release --locked -p ssocreds --target "$target"
exe="target/$target/release/ssocreds.exe"
printf 'windows binary: %s (%s bytes)\n' "$exe" "$(stat -c %s "$exe")"
