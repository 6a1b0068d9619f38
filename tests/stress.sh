#!/usr/bin/env bash
# `make stress`: runs test programs over and over, to shake out flakes that one run of
# `make test` is unlikely to meet (a lost wake-up that needs one unlucky interleaving in a
# thousand). Not part of `make test`: it takes minutes, and a flake found here is a bug to fix.
#
#   tests/stress.sh RUNS JOBS PROGRAM...
#     RUNS  how many times each program runs
#     JOBS  copies running at once (2 or more: the copies compete for the cores, which shifts
#           the interleavings more than running alone does)
#
# Every run of every program must pass. A failing run's output is kept under
# $TL_BUILD/stress/ and its failing tests are counted by name. Ends with
# "stress: N passed, N failed" (runs, not tests) and exits 1 if any run failed.
set -u
cd "$(dirname "$0")/.." || exit 1
runs=${1:?usage: tests/stress.sh RUNS JOBS PROGRAM...}
jobs=${2:?usage: tests/stress.sh RUNS JOBS PROGRAM...}
shift 2
[ $# -gt 0 ] || { echo "stress: no test programs given" >&2; exit 2; }
. tests/sanitizer_env.sh # when TL_SAN names a sanitizer build
logs=${TL_BUILD:-build}/stress
rm -rf "$logs"
mkdir -p "$logs"

# One copy: runs every program `runs` times in turn; a failed run leaves its log behind.
loop() {
  local copy=$1 i prog name
  for ((i = 1; i <= runs; i++)); do
    for prog in "${programs[@]}"; do
      name=$(basename "$prog")
      if "$prog" >"$logs/$name.$copy.$i.log" 2>&1; then
        rm -f "$logs/$name.$copy.$i.log"
      fi
    done
  done
}

programs=("$@")
start=$(date +%s)
echo "stress: ${#programs[@]} programs x $runs runs x $jobs copies at once (logs of failed runs: $logs/)"
for ((c = 1; c <= jobs; c++)); do loop "$c" & done
wait

total=$((${#programs[@]} * runs * jobs))
failed=0
for prog in "${programs[@]}"; do
  name=$(basename "$prog")
  bad=$(ls "$logs" | grep -c "^$name\.")
  failed=$((failed + bad))
  if [ "$bad" -eq 0 ]; then
    printf '  ok    %-20s %d runs\n' "$name" $((runs * jobs))
  else
    printf '  FLAKY %-20s %d of %d runs failed; the tests that failed, and how often:\n' \
      "$name" "$bad" $((runs * jobs))
    # The runner prints "  FAIL|HANG|CRASH  suite / test ..." for each failed test.
    cat "$logs/$name".*.log | sed -n 's/^  \(FAIL\|HANG\|CRASH\) \+\(.*\)$/\1 \2/p' |
      cut -c1-100 | sort | uniq -c | sort -rn | sed 's/^/          /'
  fi
done
echo "stress: $((total - failed)) passed, $failed failed ($(($(date +%s) - start)) s)"
[ "$failed" -eq 0 ]
