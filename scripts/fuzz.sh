#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a set time, one after the other (the machine has 2 cores), each on a
# corpus that starts as a copy of its committed seeds (fuzz/seeds/<target>/) and keeps what earlier runs found
# (fuzz/corpus/, not committed). Prints, per target: executions, executions per second, corpus size and crashes;
# appends a dated summary to bench/hardening-figures.md; exits 1 if any target crashed (the input that did is in
# fuzz/artifacts/<target>/).
#
#   FUZZ_SECONDS=30 scripts/fuzz.sh                 # every target, 30 s each (the default)
#   FUZZ_SECONDS=120 scripts/fuzz.sh merge_profile  # some targets only
#   FUZZ_SANITIZER=address scripts/fuzz.sh          # with AddressSanitizer (default none: the core forbids unsafe
#                                                   # code, so ASan finds little and halves the executions)
#   FUZZ_RECORD=0 scripts/fuzz.sh                   # do not append to bench/hardening-figures.md
#
# cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${FUZZ_SECONDS:-30}
sanitizer=${FUZZ_SANITIZER:-none}
record=${FUZZ_RECORD:-1}
figures=bench/hardening-figures.md
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi

cd fuzz
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${#targets[@]} targets (sanitizer: $sanitizer)"
cargo fuzz build -O --sanitizer "$sanitizer" >/dev/null

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rows=()
failed=0
total_execs=0
for target in "${targets[@]}"; do
    corpus=corpus/$target
    artifacts=artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    cp -n seeds/"$target"/* "$corpus"/ 2>/dev/null || true
    crashes_before=$(find "$artifacts" -type f | wc -l)
    log=$logs/$target.log
    status=0
    cargo fuzz run -O --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    execs=${execs:-0}
    # libFuzzer prints no rate when it stops on a crash.
    [ "${rate:-0}" = 0 ] && rate=$(( execs / seconds ))
    size=$(find "$corpus" -type f | wc -l)
    crashes=$(( $(find "$artifacts" -type f | wc -l) - crashes_before ))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1  # a failure without an artifact (build or harness error): count it, show the log
    fi
    if [ "$crashes" -gt 0 ]; then
        failed=1
        echo "!! $target crashed; log tail:" >&2
        grep -v '^#' "$log" | tail -40 >&2
    fi
    total_execs=$(( total_execs + execs ))
    printf '%-28s %6ss %12s execs %8s exec/s %6s corpus %3s crashes\n' \
        "$target" "$seconds" "$execs" "$rate" "$size" "$crashes"
    rows+=("| $target | $seconds | $execs | $rate | $size | $crashes |")
done
cd "$root"

echo "== total: ${#targets[@]} targets x ${seconds}s, $total_execs executions"

if [ "$record" = 1 ]; then
    if [ ! -f "$figures" ]; then
        printf '# Hardening figures\n\n## Fuzz runs (appended by scripts/fuzz.sh)\n' >"$figures"
    fi
    {
        printf '\n### %s, %s s per target, sanitizer %s, %s\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$seconds" "$sanitizer" \
            "$(nproc) cores"
        printf '| target | seconds | executions | exec/s | corpus | crashes |\n|---|---|---|---|---|---|\n'
        printf '%s\n' "${rows[@]}"
    } >>"$figures"
    # Cumulative figures over every recorded run: rows are `| target | seconds | executions | ...`.
    read -r total_seconds all_execs < <(awk -F'|' '$3 ~ /^ *[0-9]+ *$/ && $4 ~ /^ *[0-9]+ *$/ { s += $3; e += $4 }
        END { printf "%d %d\n", s, e }' "$figures")
    hours=$(awk -v s="$total_seconds" 'BEGIN { printf "%.2f", s / 3600 }')
    printf '\nCumulative after this run: %s fuzzing hours (one core), %s executions.\n' "$hours" "$all_execs" >>"$figures"
    echo "== recorded in $figures (cumulative: $hours h, $all_execs executions)"
fi
exit "$failed"
