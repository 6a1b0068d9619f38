#!/usr/bin/env bash
# Runs each libFuzzer target that `make fuzz` built for SECONDS and prints one line per target:
# the executions it reached and what it found. Exits 1 when any target found a crash (a broken
# invariant aborts, so it counts), a timeout (an input taking over 10 s), a leak or an input
# needing over 2 GB.
#   usage: tests/fuzz/fuzz.sh BUILD SECONDS NAME...
# Under BUILD: fuzzers/fuzz_NAME (the binaries), corpus/NAME (the inputs libFuzzer found; the
# committed tests/fuzz/corpus/NAME is only read), artifacts/NAME/ (crashing inputs), logs/NAME.log.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=$1 seconds=$2
shift 2
failed=0
causes='invariant broken|runtime error|ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer'
for name in "$@"; do
  bin=$build/fuzzers/fuzz_$name work=$build/corpus/$name art=$build/artifacts/$name/
  log=$build/logs/$name.log
  mkdir -p "$work" "$art" "$build/logs"
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art" "${dict[@]}" "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz_%s: %s runs in %s s, no crash (corpus: %s inputs in %s)\n' \
      "$name" "${runs:-?}" "${took:-?}" "$(ls "$work" | wc -l)" "$work"
  else
    failed=1
    unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    # The first report is the cause; libFuzzer's own "deadly signal" line comes after it.
    what=$(grep -a -m 1 -E "$causes" "$log")
    printf 'fuzz_%s: FAILED after %s runs (exit %d): %s\n' "$name" "${runs:-?}" "$rc" "$what"
    printf '  input: %s; again: %s %s; log: %s\n' "${unit:-none}" "$bin" "${unit:-}" "$log"
  fi
done
exit "$failed"
