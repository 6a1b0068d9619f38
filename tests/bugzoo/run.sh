#!/usr/bin/env bash
# The bug zoo: tests/bugzoo/NN-topic/NAME.c is a classic wrong answer to lab NN's exercise (its
# first line says which promise of exercise.h it breaks). Each must be rejected twice over: by
# the grader (built as $BUILD/bugzoo/NN-topic/NAME, with its ThreadSanitizer twin) and by the
# lab's own "Your exercise" step (NAME-lab/labNN --fast --quiet prints a [todo]). A variant
# either accepts is a defect of the checks, never a variant to drop.
#
# usage: tests/bugzoo/run.sh BUILD [RUNS] [JOBS]   (RUNS runs of each variant, JOBS at once;
#        BUGZOO_LABS="03 07" runs only those labs' variants)
# Prints one row per variant and run: lab, variant, the check that rejected it, seconds; then
# "N rejected, N accepted" and "bugzoo: N passed, N failed". Exits 1 if any was accepted.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
runs=${2:-1}
jobs=${3:-2}

one() { # one BUILD VARIANT-FILE RUN: prints "ok|ACCEPTED<TAB>lab<TAB>variant<TAB>why<TAB>seconds"
  local build=$1 src=$2 topic name nn grader lab start out first labout verdict why
  topic=$(basename "$(dirname "$src")"); name=$(basename "$src" .c); nn=${topic%%-*}
  grader=$build/bugzoo/$topic/$name; lab=$build/bugzoo/$topic/$name-lab/lab$nn
  start=$(date +%s.%N)
  out=$("$grader" --stop-at-first 2>&1)
  first=$(printf '%s\n' "$out" | sed -nE 's/^  (FAIL|HANG|CRASH|RACE) +lab[0-9]+ \/ (.*)$/\1: \2/p' | head -n 1)
  labout=$("$lab" --fast --quiet 2>&1)
  verdict=ok why=$first
  if [ -z "$first" ]; then
    verdict=ACCEPTED why="the grader passed it"
  elif ! printf '%s\n' "$labout" | grep -q '^  \[todo\]'; then
    verdict=ACCEPTED why="rejected by the grader ($first), but the lab's exercise step printed no [todo]"
  fi
  printf '%s\t%s\t%s\t%s\t%.1f\n' "$verdict" "lab$nn" "$name" "$why" \
    "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
}
export -f one

variants=$(for n in ${BUGZOO_LABS:-[0-9][0-9]}; do ls tests/bugzoo/$n-*/*.c 2>/dev/null; done)
if [ -z "$variants" ]; then
  echo "bugzoo: no variants under tests/bugzoo/"
  echo "bugzoo: 0 passed, 1 failed"
  exit 1
fi
rows=$(for r in $(seq "$runs"); do for v in $variants; do printf '%s\0%s\0%s\0' "$build" "$v" "$r"; done; done |
       xargs -0 -n 3 -P "$jobs" bash -c 'one "$0" "$1" "$2"')
rejected=0 accepted=0
printf '%-6s %-28s %-6s %s\n' lab variant secs "rejected by"
while IFS=$'\t' read -r verdict lab name why secs; do
  [ -n "$verdict" ] || continue
  if [ "$verdict" = ok ]; then
    rejected=$((rejected + 1)); printf '%-6s %-28s %6s %s\n' "$lab" "$name" "$secs" "$why"
  else
    accepted=$((accepted + 1)); printf '%-6s %-28s %6s ACCEPTED: %s\n' "$lab" "$name" "$secs" "$why"
  fi
done <<< "$rows"
echo "$rejected rejected, $accepted accepted"
echo "bugzoo: $rejected passed, $accepted failed"
[ "$accepted" -eq 0 ]
