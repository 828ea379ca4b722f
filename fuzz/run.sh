#!/usr/bin/env bash
# Run every fuzz target (or those named) for a fixed number of executions each, one after the
# other on one core, from its seed corpus in fuzz/corpus/<target>/. What the fuzzer adds goes to
# fuzz/target/work/<target>/, never into the seeds; a crash, a run over 1 s or over 2 GB stops
# the run and is written to fuzz/artifacts/<target>/ (see the README's "Fuzzing").
#
#   fuzz/run.sh                    # CI: RUNS (default 500) executions per target
#   RUNS=2000000 fuzz/run.sh feed  # a campaign of one target
#   fuzz/run.sh feed -- -max_total_time=600   # more libFuzzer options after --
#
# TIMEOUT (default 1) is the longest one input may run, in seconds. CI runs the dev build on a
# machine that may be busy and sets 10: an input that never ends still fails the run.
#
# It builds the dev profile (fuzz/Cargo.toml: quick to build, debug assertions and overflow
# checks on); FUZZ_BUILD=--release builds the optimised one a long campaign wants.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); runs on the stable toolchain
# through RUSTC_BOOTSTRAP=1, without a sanitizer.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
RUNS=${RUNS:-500}
TIMEOUT=${TIMEOUT:-1}
read -r -a build <<<"${FUZZ_BUILD:---dev}"
TARGETS=(policy_bytes policy_structured feed scan_input readers)

targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    targets+=("$1")
    shift
done
[ "${1:-}" = "--" ] && shift
[ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
if ! cargo fuzz build "${build[@]}" --sanitizer none >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
echo "fuzz build: $((SECONDS - start)) s"
for target in "${targets[@]}"; do
    mkdir -p "target/work/$target" "corpus/$target"
    start=$SECONDS
    status=0
    # The generator reads a few bytes per choice: start it with room for a whole policy
    # rather than libFuzzer's short first inputs.
    extra=()
    [ "$target" = policy_structured ] && extra=(-max_len=4096 -len_control=0)
    cargo fuzz run "${build[@]}" --sanitizer none "$target" "target/work/$target" "corpus/$target" -- \
        -runs="$RUNS" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout="$TIMEOUT" \
        -print_final_stats=1 "${extra[@]}" "$@" >"$log" 2>&1 || status=$?
    if [ $status -ne 0 ]; then
        # libFuzzer names the input that failed (artifacts/<target>/crash-…, timeout-…, oom-…).
        tail -n 60 "$log" >&2
        echo "fuzz $target: failed (exit $status), see fuzz/artifacts/$target/" >&2
        exit 1
    fi
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
    echo "fuzz $target: ok, $executions executions in $((SECONDS - start)) s ($rate/s), peak RSS $rss MB"
done
