#!/usr/bin/env bash
# Size and speed of the npm package `ssocreds` and of the page, beside @aws-sdk/credential-provider-sso
# (installed from npm into a temporary folder in the same run). A benchmark, not a test: it prints figures
# (also written to bench/out/wasm.txt) and flags those over the goals of issue 11.
#
#   bash bench/wasm.sh            # BENCH_RUNS=N for more or fewer runs (default 15)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -x /usr/bin/chromium ] || { echo "bench/wasm.sh: /usr/bin/chromium is missing (scripts/setup.sh installs it)" >&2; exit 1; }
if [ ! -d web/node_modules/playwright-core ]; then
    npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
bash crates/wasm/build.sh
node web/build.mjs
node bench/wasm/bench.mjs
