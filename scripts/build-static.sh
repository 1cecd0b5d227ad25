#!/usr/bin/env bash
# Builds `ssocreds` as one static binary (x86_64 Linux, musl, static-pie): no libc, Python or AWS CLI needed on the
# machine that runs it. Installs the musl target and Debian's musl-tools (for ring's C code) when missing, then runs
# the binary once against the fake portal as a smoke test. Prints the binary's path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl

if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
fi
if ! command -v musl-gcc >/dev/null; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq musl-tools >/dev/null
fi

cargo build --release --locked -p ssocreds --target "$target"
binary="target/$target/release/ssocreds"
if ldd "$binary" 2>&1 | grep -q "=>"; then
    echo "error: $binary is dynamically linked" >&2
    exit 1
fi

# Smoke test: the static binary fetches credentials from the fake portal.
cargo build -q --locked -p ssocreds-tests --bin fake-portal
out=$(target/debug/fake-portal run --demo -- "$binary" export --cache tests/fixtures/demo-cache.json \
    --account-id 111122223333 --role-name ReadOnly)
grep -q '^export AWS_SESSION_TOKEN=' <<<"$out" || { echo "error: the static binary's export failed" >&2; exit 1; }

printf 'static binary: %s (%s bytes) works\n' "$binary" "$(stat -c %s "$binary")"
