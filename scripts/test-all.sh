#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, then the gates (format, lints), the Rust tests
# (unit, end-to-end against the fake portal), the core's tests on wasm, and the npm package's Node and browser
# tests. Fails on the first failure; rewrites nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "setup"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (unit, end-to-end)"
cargo test --workspace --locked

step "sso-core tests on wasm32 (Node)"
cargo test -p sso-core --target wasm32-unknown-unknown --locked

if [ -f crates/wasm/test.sh ]; then
    step "npm package and web page (wasm-bindgen-test, node --test, Chromium)"
    bash crates/wasm/test.sh
fi

step "Windows: ssocreds.exe cross-built, tested under wine against the fake portal"
bash scripts/test-windows.sh

step "static (musl) binary: build and smoke test"
bash scripts/build-static.sh

step "all tests passed"
