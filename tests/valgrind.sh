#!/usr/bin/env bash
# Every lab's short run (--fast) under valgrind; ends with one line "valgrind: N passed, N failed".
#   memcheck  solution and starter builds: no errors, no definitely or indirectly lost bytes
#   helgrind  solution builds: no errors beyond those tests/valgrind.supp lists, each with why
#   proof     helgrind again without the supp file's intentional:LAB:FUNCTION entries: each must
#             be reported, so they hide bugs the tool sees, not a tool that sees nothing
#   supp      (all labs only) every other entry of the supp file was used: none is stale
# A run passes only if the lab also exits 0, and with the reference solution prints no [todo].
# The exercise steps are left out (TL_CHECKS=0, see below). Child processes are checked too (lab00 runs itself
# again). The labs are every labs/NN-*/ (TL_LABS="lab02 lab08" picks some); `make valgrind` builds
# them (-O1 -g) and sets TL_BIN_DIR (starters), TL_SOLUTION_BIN_DIR and TL_LOG_DIR (each run's
# output and valgrind logs).
set -u
# The labs' exercise steps are left out (their checks pin CPUs, hold threads in signal handlers
# and read the spy's relaxed atomics, which helgrind reports; the graders' own layers and the
# sanitizer builds check the exercises): valgrind looks at the demos.
export TL_CHECKS=0
cd "$(dirname "$0")/.." || exit 1
starters=${TL_BIN_DIR:-build/valgrind/bin}
solutions=${TL_SOLUTION_BIN_DIR:-build/valgrind/solution}
logs=${TL_LOG_DIR:-build/valgrind/logs}
supp=tests/valgrind.supp
run_bound_s=600 # a run this slow is stuck: it is stopped and fails

command -v valgrind >/dev/null || { echo "valgrind: valgrind is not installed (apt-get install valgrind)"; exit 1; }
labs=${TL_LABS:-$(for d in labs/[0-9][0-9]-*/; do n=${d#labs/}; echo "lab${n%%-*}"; done)}
[ -n "$labs" ] || { echo "valgrind: no labs/NN-*/ found"; exit 1; }
mkdir -p "$logs" && rm -f "$logs"/*.log "$logs"/*.out "$logs"/*.supp || exit 1

# Runs beyond each lab's --fast: the options that show a bug on purpose, and lab10's fault pages
# (timeouts, resets, binary and deep pages: the crawler's error paths).
extra_runs=("lab05 --fast --use-if" "lab10 --fast --faults --timeout-ms 3000")

passed=0
failed=0
runs=0
line() { printf '%-9s %-8s %-5s %-20s %-4s %6.1f s%s\n' "$@"; }
count() { if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

# vg TOOL DIR LAB ARGS...: runs one lab under one tool (extra valgrind options in $vg_opts);
# sets $variant (starter or solution), $log_prefix (its logs are $log_prefix.PID.log), $out,
# $status and $seconds.
vg() {
  local tool=$1 dir=$2 lab=$3 start=$EPOCHREALTIME
  shift 3
  runs=$((runs + 1))
  [ "$dir" = "$starters" ] && variant=starter || variant=solution
  log_prefix=$logs/$(printf '%02d' "$runs")-$tool-$variant-$lab
  out=$log_prefix.out
  # --fair-sched: valgrind runs one thread at a time, and by default a thread that polls in a
  # loop (lab09's reader) can keep getting the turn while the writers it waits for starve: lab09
  # took 30 s, its check's bound, instead of half a second.
  local opts=(--tool="$tool" --fair-sched=yes --trace-children=yes --num-callers=30 --error-exitcode=99 -s
              --log-file="$log_prefix.%p.log")
  [ "$tool" = memcheck ] && opts+=(--leak-check=full --show-leak-kinds=definite,indirect
                                   --errors-for-leak-kinds=definite,indirect)
  timeout -k 10 "$run_bound_s" valgrind "${opts[@]}" ${vg_opts:-} "$dir/$lab" "$@" >"$out" 2>&1
  status=$?
  seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# The first error valgrind reported in the run's logs, for the failure message.
first_error() {
  local f
  for f in "$log_prefix".*.log; do
    grep -q 'ERROR SUMMARY: [1-9]' "$f" || continue
    sed 's/^==[0-9]*== \{0,1\}//' "$f" |
      awk '/^(Possible data race|Thread #[0-9]+(:|.s call| unlocked)|Invalid|Conditional|Use of unini|Syscall param|Mismatched|Source and dest|Lock at|[0-9,]+ .*bytes in .* (definitely|indirectly) lost)/ { on = 1 }
           on && /^$/ { exit } on { print "      " $0 }' | head -n 25
    echo "      (all of it: $f)"
    return
  done
}

# check TOOL DIR LAB ARGS...: one run; one line; counted. Clean: every process's log says
# "ERROR SUMMARY: 0 errors", the lab exited 0 and a solution build printed no [todo].
check() {
  local tool=$1 lab=$3 why='' f errors=0 summaries=0
  vg_opts="--suppressions=$supp" vg "$@"
  for f in "$log_prefix".*.log; do
    [ -e "$f" ] || continue
    local n; n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1) # -s prints it twice
    [ -n "$n" ] && summaries=$((summaries + 1)) && errors=$((errors + n))
  done
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then why="still running after $run_bound_s s: stopped"
  elif [ "$summaries" -eq 0 ]; then why="valgrind did not finish (status $status): see $out"
  elif [ "$errors" -gt 0 ]; then why="valgrind errors: $errors"
  elif [ "$status" -ne 0 ]; then why="the lab exited with status $status: see $out"
  elif [ "$variant" = solution ] && grep -q '\[todo\]' "$out"; then why="the reference solution's run printed [todo]: see $out"
  fi
  local result=ok; [ -n "$why" ] && result=FAIL
  line "$tool" "$variant" "$lab" "${*:4}" "$result" "$seconds" "${why:+  $why}"
  [ "$result" = ok ] || { [ "$errors" -gt 0 ] && first_error; }
  count "$result"
}

# ---- the runs ----
for lab in $labs; do check memcheck "$solutions" "$lab" --fast; done
for lab in $labs; do check memcheck "$starters" "$lab" --fast; done
for lab in $labs; do check helgrind "$solutions" "$lab" --fast; done
for run in "${extra_runs[@]}"; do
  set -- $run
  grep -qw "$1" <<<"$labs" || continue
  check memcheck "$solutions" "$@"
  check helgrind "$solutions" "$@"
done

# ---- every entry but the intentional ones hides something on some run: none is stale ----
if [ -z "${TL_LABS:-}" ]; then
  for name in $(awk '/^\{/ { getline name; gsub(/[ \t]/, "", name); if (name !~ /^intentional:/) print name }' "$supp"); do
    uses=$(cat "$logs"/*.log | awk -v n="$name" '$2 == "used_suppression:" && $4 == n { u += $3 } END { print u + 0 }')
    if [ "$uses" -gt 0 ]; then result=ok note="hid $uses reports"; else result=FAIL note="hid nothing on any run: remove it"; fi
    printf '%-9s %-41s %-4s   %s\n' supp "$name" "$result" "$note"
    count "$result"
  done
fi

# ---- the proof: each intentional entry hides something helgrind really reports ----
# The entries, as "LAB FUNCTION KIND" (the name is intentional:LAB:FUNCTION[:...], the kind the
# line after it), and the supp file without them.
intentional=$(awk '/^\{/ { getline name; getline kind; gsub(/[ \t]/, "", name); gsub(/[ \t]/, "", kind)
                           split(name, part, ":"); if (part[1] == "intentional") print part[2], part[3], kind }' "$supp")
without=$logs/without-intentional.supp
awk '/^\{/ { block = $0 "\n"; getline name; block = block name "\n"
             while ((getline l) > 0) { block = block l "\n"; if (l ~ /^\}/) break }
             if (name !~ /^[ \t]*intentional:/) printf "%s", block; next }
     { print }' "$supp" >"$without"
[ -n "$intentional" ] || { echo "valgrind: $supp has no intentional:LAB:FUNCTION entry to prove"; count FAIL; }
for lab in $(awk '{ print $1 }' <<<"$intentional" | sort -u | grep -Fxf <(printf '%s\n' $labs)); do
  vg_opts="--suppressions=$without --gen-suppressions=all" vg helgrind "$solutions" "$lab" --fast
  # What helgrind reported, as "KIND FUNCTION" for every function in every error's stack.
  reported=$(awk '/^\{/ { getline; getline kind; gsub(/[ \t]/, "", kind)
                          while ((getline l) > 0 && l !~ /^\}/) if (sub(/^[ \t]*fun:/, "", l)) print kind, l }' \
             "$log_prefix".*.log)
  while read -r l fn kind; do
    [ "$l" = "$lab" ] || continue
    if grep -Fqx "$kind $fn" <<<"$reported"; then
      result=ok note="helgrind reports ${kind#Helgrind:} in $fn without its suppression"
    else
      result=FAIL note="helgrind reports no ${kind#Helgrind:} in $fn without its suppression: see $log_prefix.*.log"
    fi
    line proof solution "$lab" --fast "$result" "$seconds" "  $note"
    count "$result"
  done <<<"$intentional"
done

echo
echo "valgrind: $passed passed, $failed failed (logs in $logs)"
[ "$failed" -eq 0 ]
