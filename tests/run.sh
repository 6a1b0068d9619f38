#!/usr/bin/env bash
# Runs the test layers named as arguments and ends with one line "total: N passed, N failed".
#   unit            tests/unit/*: common/ pieces, contract style
#   graders         each lab's grader against the reference solution
#   runs            every lab binary in its short mode (starter and solution builds), bad input
#   solution-runs   only the solution builds' lab runs (what the sanitizer builds run)
#   selfcheck       starters fail their graders, solutions pass, TODO markers, README files exist
#   fuzz-corpus     each fuzz target on every file of its corpus (tests/fuzz/corpus/NAME)
#   all             unit graders runs fuzz-corpus selfcheck
# The GNUmakefile sets TL_BUILD, TL_BIN_DIR, TL_SOLUTION_BIN_DIR, TL_GRADERS, TL_LABS, TL_SAN.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${TL_BUILD:-build}
layers=("$@")
[ ${#layers[@]} -eq 0 ] || [ "${layers[0]}" = all ] && layers=(unit graders runs fuzz-corpus selfcheck)

. tests/sanitizer_env.sh # TSAN_OPTIONS etc. for the build named by TL_SAN

total_passed=0
total_failed=0

# Runs one test program, shows its output, adds its "N passed, N failed" line to the totals.
run_program() {
  local out rc counts
  out=$("$@" 2>&1); rc=$?
  printf '%s\n' "$out"
  counts=$(printf '%s\n' "$out" | sed -n 's/^[^ ]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
  if [ -z "$counts" ]; then
    echo "run.sh: $1 ended (status $rc) without a summary line: counted as one failure"
    total_failed=$((total_failed + 1))
    return
  fi
  set -- $counts
  total_passed=$((total_passed + $1))
  total_failed=$((total_failed + $2))
  # A program that reports no failures but exits non-zero (a sanitizer report at exit) failed.
  if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
    echo "run.sh: exited with status $rc although every test passed: counted as one failure"
    total_failed=$((total_failed + 1))
  fi
}

check() { # check DESCRIPTION COMMAND...: one selfcheck item
  if "${@:2}"; then
    echo "  ok    $1"; total_passed=$((total_passed + 1))
  else
    echo "  FAIL  $1"; total_failed=$((total_failed + 1))
  fi
}

lab_dir() { ls -d labs/"$1"-*/ 2>/dev/null | head -n 1; }

readme_files_exist() { # every path-like `name` in the README exists (from the top or the lab dir)
  local dir=$1 missing=0 f
  for f in $(grep -o '`[^` ]*`' "$dir/README.md" | tr -d '`' |
             grep -E '^[A-Za-z0-9_./-]+\.(c|h|md|gp|sh|csv|png|svg|supp|txt)$|^(labs|common|solutions|tests|plots)/' |
             sort -u); do
    if [ ! -e "$f" ] && [ ! -e "$dir/$f" ]; then
      echo "        $dir/README.md names $f, which does not exist"; missing=1
    fi
  done
  return $missing
}

starter_fails() { # the grader linked with the starter must report a failure (not pass, not vanish)
  local log; log=$("$build/tests/graders/lab$1-student" 2>&1)
  local rc=$?
  [ $rc -ne 0 ] && printf '%s\n' "$log" | grep -qE '^  (FAIL|HANG|CRASH) '
}

solution_passes() { "$build/tests/graders/lab$1-solution" >/dev/null 2>&1; }

selfcheck() {
  echo "== selfcheck: starters fail, solutions pass, markers and README files present =="
  local n dir
  for lab in ${TL_LABS}; do
    n=${lab#lab}; dir=$(lab_dir "$n"); dir=${dir%/}
    check "$lab: has a grader (tests/graders/$lab.c)" test -f "tests/graders/$lab.c"
    check "$lab: starter marks what to change with TODO(exercise)" grep -q 'TODO(exercise)' "$dir/exercise.c"
    check "$lab: solution exists" test -f "solutions/${dir#labs/}/exercise.c"
    check "$lab: README.md names only files that exist" readme_files_exist "$dir"
    if [ -x "$build/tests/graders/$lab-student" ]; then
      check "$lab: the starter fails its grader" starter_fails "$n"
      check "$lab: the solution passes its grader" solution_passes "$n"
    fi
  done
}

for layer in "${layers[@]}"; do
  case $layer in
    unit)
      echo "== unit tests of common/ =="
      for t in "$build"/tests/unit/*; do [ -x "$t" ] && [ -f "$t" ] && run_program "$t"; done ;;
    graders)
      echo "== graders against the reference solutions =="
      for n in ${TL_GRADERS}; do run_program "$build/tests/graders/lab$n-solution"; done ;;
    runs)
      echo "== lab runs and bad input =="
      for t in "$build"/tests/labs/*; do [ -x "$t" ] && [ -f "$t" ] && run_program "$t"; done ;;
    solution-runs)
      echo "== lab runs (solution builds) =="
      for t in "$build"/tests/labs/*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        [ -n "$("$t" --list --only solution)" ] || continue # no solution build involved (plots)
        run_program "$t" --only solution
      done ;;
    fuzz-corpus)
      echo "== fuzz targets on their corpora and regression inputs =="
      for t in "$build"/tests/fuzz/*-replay; do [ -x "$t" ] && run_program "$t"; done ;;
    selfcheck)
      before_p=$total_passed; before_f=$total_failed
      selfcheck
      echo "selfcheck: $((total_passed - before_p)) passed, $((total_failed - before_f)) failed" ;;
    *) echo "run.sh: unknown layer '$layer'"; exit 2 ;;
  esac
done

echo
echo "total: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
