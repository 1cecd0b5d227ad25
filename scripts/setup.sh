#!/usr/bin/env bash
# Installs what the tests need, idempotently: the wasm target, wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock, and Debian's chromium, chromium-driver, fish, zsh, man-db and groff-base. npm
# packages are installed by crates/wasm/test.sh into git-ignored node_modules folders.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate exactly, or the bindings step fails.
wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wanted" ]; then
    cargo generate-lockfile
    wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$wanted" ]; then
    say "installing wasm-bindgen-cli $wanted (found: ${have:-none}); takes about 3 minutes"
    # Not --locked: its lock file pins a webpki-roots version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$wanted" --force
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v fish >/dev/null || missing+=(fish)
# The completion tests load `ssocreds completions zsh` in zsh; the man page test renders `ssocreds man`.
command -v zsh >/dev/null || missing+=(zsh)
command -v man >/dev/null || missing+=(man-db)
command -v groff >/dev/null || missing+=(groff-base)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
