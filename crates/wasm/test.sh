#!/usr/bin/env bash
# Tests the npm package `ssocreds` and the web page, from a clean clone:
#   1. installs the npm tools it needs (playwright-core, pinned by web/package-lock.json; typescript, pinned by
#      crates/wasm/package-lock.json; binaryen via npx);
#   2. builds the package (crates/wasm/build.sh), the page (web/build.mjs), the fake portal and the CLI;
#   3. runs the wrapper's wasm-bindgen tests, the Node tests of the packed package (against the fake portal; its
#      size caps; its types compiled with tsc --strict), and the page's tests in headless Chromium.
# Exits non-zero if anything fails; each runner prints its summary.
#
#   bash crates/wasm/test.sh
set -euo pipefail
crate_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$crate_dir/../.." && pwd)"
cd "$root"

say() { printf '\n== %s\n' "$*"; }
die() { printf 'crates/wasm/test.sh: error: %s\n' "$*" >&2; exit 1; }

[ -x /usr/bin/chromium ] ||
    die "/usr/bin/chromium is missing; the page tests need Debian's chromium: run scripts/setup.sh (apt-get install chromium)"
command -v node >/dev/null || die "node is missing; install Node.js 18 or later"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js $(node --version) is too old; the package and its tests need 18 or later"
command -v npm >/dev/null || die "npm is missing; install it with Node.js"

# Dev tools from npm, each folder reinstalled only when its lock changes: web/ has playwright-core (it drives the
# system Chromium and downloads no browser), crates/wasm/ has typescript (tsc, for the types test).
npm_ci() {
    local dir="$1" what="$2"
    local stamp="$dir/node_modules/.ssocreds-lock.sha256"
    local lock_hash
    lock_hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
        say "npm ci ($dir/: $what)"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
        echo "$lock_hash" >"$stamp"
    fi
}
npm_ci web playwright-core
npm_ci crates/wasm typescript

say "build: npm package, web page, fake portal, CLI"
bash crates/wasm/build.sh
node web/build.mjs
cargo build --quiet -p ssocreds-tests --bin fake-portal
cargo build --quiet -p ssocreds
export FAKE_PORTAL_BIN="$root/target/debug/fake-portal"

failed=()
run() {
    local name="$1"
    shift
    say "$name"
    if ! "$@"; then
        failed+=("$name")
    fi
}
# The runner is wasm-bindgen-test-runner in Node (.cargo/config.toml).
run "wasm-bindgen tests of the wrapper (cargo test --target wasm32-unknown-unknown)" \
    cargo test -p ssocreds-wasm --target wasm32-unknown-unknown
run "Node tests of the packed package: API, size caps, types (node --test crates/wasm/test/)" \
    node --test --test-reporter=spec crates/wasm/test/
run "browser tests of the page (node --test web/test/, headless Chromium)" \
    node --test --test-reporter=spec web/test/

if [ ${#failed[@]} -gt 0 ]; then
    printf '\ncrates/wasm/test.sh: FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
say "crates/wasm/test.sh: all passed (screenshots in web/test-output/)"
