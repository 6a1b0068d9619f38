#!/usr/bin/env bash
# Runs the test layers named as arguments and ends with one line "total: N passed, N failed".
#   unit            tests/unit/*: common/ pieces, contract style
#   graders         each lab's grader against the reference solution
#   runs            every lab binary in its short mode (starter and solution builds), bad input
#   solution-runs   only the solution builds' lab runs (what the sanitizer builds run)
#   selfcheck       starters fail their graders, solutions pass, TODO markers, README files exist
#   fuzz-corpus     each fuzz target on every file of its corpus (tests/fuzz/corpus/NAME)
#   bugzoo          every wrong answer in tests/bugzoo/ rejected by its grader and its lab
#   all             unit graders runs fuzz-corpus bugzoo selfcheck
# The GNUmakefile sets TL_BUILD, TL_BIN_DIR, TL_SOLUTION_BIN_DIR, TL_LABS, TL_SAN.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${TL_BUILD:-build}
layers=("$@")
[ ${#layers[@]} -eq 0 ] || [ "${layers[0]}" = all ] && layers=(unit graders runs fuzz-corpus bugzoo selfcheck)

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

# A lab's grader: its check table (labs/NN-topic/checks.c) linked with the student's exercise,
# or with the reference solution.
student_grader() { echo "$build/graders/$(lab_dir "$1")exercise"; }

solution_grader() {
  local dir; dir=$(lab_dir "$1"); echo "$build/graders/solutions/${dir#labs/}exercise"
}

starter_fails() { # the grader linked with the starter must report a failure (not pass, not vanish)
  local log; log=$("$(student_grader "$1")" --stop-at-first 2>&1)
  local rc=$?
  [ $rc -ne 0 ] && printf '%s\n' "$log" | grep -qE '^  (FAIL|HANG|CRASH|RACE) '
}

solution_passes() { # the graders layer's verdict, when this run had it; else a run of its own
  case " $graders_passed " in *" $1 "*) return 0 ;; esac
  case " $graders_failed " in *" $1 "*) return 1 ;; esac
  "$(solution_grader "$1")" >/dev/null 2>&1
}
graders_passed='' graders_failed=

promises_checked() { # every {tag} of exercise.h has a check, every check's tags exist (checks.h)
  local out; out=$("$(solution_grader "$1")" --promises "$(lab_dir "$1")exercise.h" 2>&1) && return 0
  printf '%s\n' "$out" | sed 's/^/        /'; return 1
}

bugzoo_size() { # at least 8 wrong answers, each saying on its first line which promise it breaks
  local dir n=0 f bad=0; dir=$(lab_dir "$1"); dir=tests/bugzoo/${dir#labs/}
  for f in "$dir"*.c; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    head -n 1 "$f" | grep -qE '^/\* Breaks \{[a-z0-9_.]+\}' ||
      { echo "        $f: its first line must be /* Breaks {promise.tag}: what it does wrong */"; bad=1; }
  done
  [ "$n" -ge 8 ] || echo "        ${dir} holds $n wrong answers (at least 8 wanted)"
  [ "$n" -ge 8 ] && [ $bad -eq 0 ]
}

selfcheck() {
  echo "== selfcheck: starters fail, solutions pass, markers and README files present =="
  local n dir
  for lab in ${TL_LABS}; do
    n=${lab#lab}; dir=$(lab_dir "$n"); dir=${dir%/}
    check "$lab: has a check table ($dir/checks.c)" test -f "$dir/checks.c"
    check "$lab: every promise of exercise.h has a check" promises_checked "$n"
    check "$lab: a bug zoo of at least 8 named wrong answers" bugzoo_size "$n"
    check "$lab: starter marks what to change with TODO(exercise)" grep -q 'TODO(exercise)' "$dir/exercise.c"
    check "$lab: solution exists" test -f "solutions/${dir#labs/}/exercise.c"
    check "$lab: README.md names only files that exist" readme_files_exist "$dir"
    if [ -x "$(student_grader "$n")" ]; then
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
      for lab in ${TL_LABS}; do
        before=$total_failed
        run_program "$(solution_grader "${lab#lab}")"
        if [ "$total_failed" -eq "$before" ]; then graders_passed+=" ${lab#lab}"; else graders_failed+=" ${lab#lab}"; fi
      done ;;
    runs)
      echo "== lab runs and bad input =="
      # The labs' exercise steps without their ThreadSanitizer twin: this layer checks what a
      # lab prints; the twin's verdicts are the graders' and the bug zoo's layers.
      export TL_RACE_CHECKS=0
      for t in "$build"/tests/labs/*; do [ -x "$t" ] && [ -f "$t" ] && run_program "$t"; done
      unset TL_RACE_CHECKS ;;
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
    bugzoo)
      echo "== the bug zoo: every wrong answer rejected by its grader and its lab =="
      run_program tests/bugzoo/run.sh "$build" 1 8 ;; # 8 at once: a check mostly waits, it hardly computes
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
