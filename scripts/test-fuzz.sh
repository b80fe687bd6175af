#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each one for FUZZ_SECONDS (default 20) on a copy
# of its committed seed corpus (fuzz/corpus/<target>; the copy keeps runs from growing it).
# Fails on any crash, leak of a panic or out-of-memory; the crashing input is left in
# fuzz/artifacts/<target>/. Installs cargo-fuzz if missing (idempotent).
#   bash scripts/test-fuzz.sh                      # CI: 20 s per target after the build, two at a time
#   FUZZ_SECONDS=600 bash scripts/test-fuzz.sh     # a long run
#   FUZZ_TARGETS="link record_decode" bash scripts/test-fuzz.sh
#   FUZZ_JOBS=1 ...                                # targets at once (default 2: one per core here)
# The toolchain is stable: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only flags, and no
# sanitizer is used (the targets are safe Rust; libFuzzer still catches panics and aborts).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-20}
targets=${FUZZ_TARGETS:-link jsonl_import record_decode batch_decode}
jobs=${FUZZ_JOBS:-2}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

cargo fuzz build --sanitizer none

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One target: its corpus copied to $work, libFuzzer's log kept in $work/<target>.log.
run_target() {
  local target=$1 dict=()
  mkdir -p "$work/$target"
  cp fuzz/corpus/"$target"/* "$work/$target/"
  [ -f "fuzz/dict/$target.dict" ] && dict=("-dict=fuzz/dict/$target.dict")
  # The memory limits make a huge allocation a reported crash instead of an exhausted machine.
  if cargo fuzz run --sanitizer none "$target" "$work/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -print_final_stats=1 "${dict[@]}" >"$work/$target.log" 2>&1; then
    summary "$target" ok
  else
    summary "$target" FAILED
    tail -n 40 "$work/$target.log"
    return 1
  fi
}

# One line per target: executions, corpus size, and the verdict.
summary() {
  local target=$1 verdict=$2 execs corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -n1)
  corpus=$(ls "$work/$target" | wc -l)
  printf 'fuzz %-14s %s: %s runs in %s s, corpus %s -> %s inputs\n' "$target" "$verdict" \
    "${execs:-?}" "$seconds" "$(ls fuzz/corpus/"$target" | wc -l)" "$corpus"
}

failed=0
pids=()
for target in $targets; do
  run_target "$target" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
exit "$failed"
