#!/usr/bin/env bash
# Runs the labs' timing sweeps and writes what the charts draw:
#   DATA/NAME.csv          every run, as the lab printed it, with the run number in front
#   DATA/NAME_summary.csv  one row per point: median, min and max over the runs (plots/summarize.awk)
#   DATA/machine.csv       cores, CPU, date, runs per point: each chart's footnote says how it was measured
# NAME is the chart's: lab00_waits, lab00_scaling, counters, lab06_pool, lab10_crawl; plots/NAME.gp
# draws it. A lab that is not built is skipped with a message, and its chart with it.
#
# usage: plots/collect.sh [--tiny] [--repeats N] [--data DIR]
#   --tiny        a few points, one run each, short delays: seconds instead of minutes (the test)
#   --repeats N   runs per point (default $REPEATS, else 3; with --tiny, 1)
#   --data DIR    where the CSV files go (default $PLOTS_DATA, else plots/data)
# Lab binaries: $TL_BIN_DIR (default .). The crawl times use $TL_SOLUTION_BIN_DIR/lab10 when it
# is there: the starter's unfinished visited set lets pages through twice, which skews the times.
set -euo pipefail

usage() { sed -n '/^# usage:/,/^# Lab binaries/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d'; }
die() { echo "collect.sh: $*" >&2; exit 1; }

tiny=0
repeats=
data_dir=${PLOTS_DATA:-plots/data}
while [ $# -gt 0 ]; do
  case $1 in
    --tiny) tiny=1 ;;
    --repeats) [ $# -ge 2 ] || die "--repeats needs a value"; repeats=$2; shift ;;
    --data) [ $# -ge 2 ] || die "--data needs a value"; data_dir=$2; shift ;;
    --help|-h) usage; exit 0 ;;
    *) { echo "collect.sh: unknown option '$1'"; usage; } >&2; exit 2 ;;
  esac
  shift
done
# --tiny is for speed: one run per point unless --repeats says otherwise.
if [ -z "${repeats}" ]; then
  if [ $tiny = 1 ]; then repeats=1; else repeats=${REPEATS:-3}; fi
fi
case $repeats in ''|*[!0-9]*|0) die "--repeats (or REPEATS) must be a whole number from 1, got '$repeats'" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${TL_BIN_DIR:-.}
mkdir -p "$data_dir"

# ---- progress on stderr: one line per point (rewritten in place on a terminal) ----
if [ -t 2 ]; then eol=$'\r\033[K'; else eol=''; fi
progress() { # progress CHART TEXT
  if [ -n "$eol" ]; then printf '%scollect: %-14s %s' "$eol" "$1" "$2" >&2
  else printf 'collect: %-14s %s\n' "$1" "$2" >&2; fi
}
done_line() { # done_line CHART FILE STARTED_AT
  printf '%scollect: %-14s done in %d s -> %s\n' "$eol" "$1" "$((SECONDS - $3))" "$2" >&2
}
skip() { # skip CHART REASON: the chart is left out, and any old data of it removed
  rm -f "$data_dir/$1.csv" "$data_dir/$1_summary.csv"
  printf 'collect: %-14s skipped: %s\n' "$1" "$2" >&2
}

lab_path() { # lab_path LAB [solution]: the binary to time, or nothing when it is not built
  if [ "${2:-}" = solution ] && [ -x "${TL_SOLUTION_BIN_DIR:-}/$1" ]; then echo "$TL_SOLUTION_BIN_DIR/$1"
  elif [ -x "$bin_dir/$1" ]; then echo "$bin_dir/$1"; fi
}

# csv_rows HEADER LAB ARGS...: runs the lab with --csv, checks its header is the one the chart
# expects (a renamed column must not silently draw the wrong line), prints the rows after it.
csv_rows() {
  local header=$1 out; shift
  out=$("$@" --csv) || die "$* --csv exited with status $?"
  [ "${out%%$'\n'*}" = "$header" ] ||
    die "$* --csv printed the header '${out%%$'\n'*}'; the charts expect '$header'"
  printf '%s\n' "${out#*$'\n'}"
}

# summarize RUNS SUMMARY KEYS VALUES: SUMMARY from the runs in RUNS, sorted by the series (the
# keys before the last) and then numerically by the last key (the x axis).
summarize() {
  local nkeys by_series=()
  nkeys=$(echo "$3" | tr ',' '\n' | wc -l)
  if [ "$nkeys" -gt 1 ]; then by_series=("-k1,$((nkeys - 1))"); fi
  awk -F, -v keys="$3" -v values="$4" -f "$here/summarize.awk" "$1" > "$2.tmp"
  { head -n 1 "$2.tmp"; tail -n +2 "$2.tmp" | sort -t, "${by_series[@]}" -k"$nkeys,${nkeys}n"; } > "$2"
  rm -f "$2.tmp"
}

# ---- chart 1: N waits of D ms, one after another vs one thread each (lab00 step 1) ----
lab00_waits() {
  local name=lab00_waits lab; lab=$(lab_path lab00)
  [ -n "$lab" ] || { skip $name "$bin_dir/lab00 is not built (make lab00)"; return; }
  local header=step,mode,tasks,threads,delay_ms,seconds,cores delay=100 tasks started=$SECONDS
  tasks=$(seq 1 16)
  [ $tiny = 1 ] && { delay=10; tasks="1 2 3"; }
  local out=$data_dir/$name.csv
  echo "run,$header" > "$out.tmp"
  for run in $(seq 1 "$repeats"); do
    for n in $tasks; do
      progress $name "run $run/$repeats: $n waits of $delay ms"
      csv_rows $header "$lab" --step 1 --tasks "$n" --delay-ms $delay | sed "s/^/$run,/" >> "$out.tmp"
    done
  done
  mv "$out.tmp" "$out"
  summarize "$out" "$data_dir/${name}_summary.csv" mode,delay_ms,tasks seconds
  done_line $name "$out" $started
}

# ---- chart 2: speedup of T threads, I/O-bound and CPU-bound (lab00 step 4) ----
lab00_scaling() {
  local name=lab00_scaling lab; lab=$(lab_path lab00)
  [ -n "$lab" ] || { skip $name "$bin_dir/lab00 is not built (make lab00)"; return; }
  local header=step,mode,tasks,threads,delay_ms,seconds,cores threads work=() started=$SECONDS
  threads=$(seq 1 8)
  [ $tiny = 1 ] && { threads="1 2"; work=(--io-ms 5 --primes-below 20000); }
  local out=$data_dir/$name.csv
  echo "run,$header" > "$out.tmp"
  for run in $(seq 1 "$repeats"); do
    for t in $threads; do
      progress $name "run $run/$repeats: $t threads"
      csv_rows $header "$lab" --step 4 --threads "$t" "${work[@]}" | sed "s/^/$run,/" >> "$out.tmp"
    done
  done
  mv "$out.tmp" "$out"
  # A speedup is the sequential time over the threaded time of the same run.
  awk -F, 'NR == 1 { print "run,work,threads,cores,speedup"; next }
           { split($3, m, "-"); t[$1 "," m[1] "," $4, m[2]] = $7; cores[$1 "," m[1] "," $4] = $8 }
           END { for (k in cores) print k "," cores[k] "," t[k, "sequential"] / t[k, "threaded"] }' \
      "$out" > "$data_dir/$name.speedup.tmp"
  summarize "$data_dir/$name.speedup.tmp" "$data_dir/${name}_summary.csv" work,cores,threads speedup
  rm -f "$data_dir/$name.speedup.tmp"
  done_line $name "$out" $started
}

# ---- chart 3: increments per second of shared counters (lab01) and a sharded one (lab09) ----
counters() {
  local name=counters lab01 lab09; lab01=$(lab_path lab01); lab09=$(lab_path lab09)
  [ -n "$lab01" ] || { skip $name "$bin_dir/lab01 is not built (make lab01)"; return; }
  [ -n "$lab09" ] || { skip $name "$bin_dir/lab09 is not built (make lab09)"; return; }
  local threads="1 2 4 8" increments=2000000 pause=() started=$SECONDS
  [ $tiny = 1 ] && { threads="1 2"; increments=20000; pause=(--pause-us 1); }
  local out=$data_dir/$name.csv
  # One file for both labs: lab09's rows have no `lost` column, so it is left empty.
  echo "run,lab,variant,threads,increments,seconds,per_second,lost" > "$out.tmp"
  for run in $(seq 1 "$repeats"); do
    for t in $threads; do
      progress $name "run $run/$repeats: $t threads (lab01, lab09)"
      csv_rows variant,threads,increments,seconds,per_second,lost \
          "$lab01" --threads "$t" --increments $increments "${pause[@]}" | sed "s/^/$run,lab01,/" >> "$out.tmp"
      csv_rows variant,threads,increments,seconds,per_second \
          "$lab09" --threads "$t" --increments $increments | sed "s/^/$run,lab09,/; s/$/,/" >> "$out.tmp"
    done
  done
  mv "$out.tmp" "$out"
  summarize "$out" "$data_dir/${name}_summary.csv" lab,variant,threads per_second
  done_line $name "$out" $started
}

# ---- chart 4: simulated I/O tasks through a pool of W workers (lab06 part B) ----
lab06_pool() {
  local name=lab06_pool lab; lab=$(lab_path lab06)
  [ -n "$lab" ] || { skip $name "$bin_dir/lab06 is not built (make lab06)"; return; }
  local header=mode,workers,tasks,seconds,ideal_seconds workers="1 2 4 8 16 32" started=$SECONDS
  # 20 tasks of 4 to 40 ms: the sequential sum is 0.44 s, so the sweep stays short.
  local work=(--tasks 20 --latency-ms 40)
  [ $tiny = 1 ] && { workers="1 2"; work=(--tasks 4 --latency-ms 10); }
  local out=$data_dir/$name.csv
  echo "run,$header" > "$out.tmp"
  for run in $(seq 1 "$repeats"); do
    for w in $workers; do
      progress $name "run $run/$repeats: $w workers (and one after another)"
      csv_rows $header "$lab" --part pool --workers "$w" "${work[@]}" | sed "s/^/$run,/" >> "$out.tmp"
    done
  done
  mv "$out.tmp" "$out"
  # Every run times the tasks one after another too: those rows make one point, (sequential, 1).
  summarize "$out" "$data_dir/${name}_summary.csv" mode,tasks,workers seconds,ideal_seconds
  done_line $name "$out" $started
}

# ---- chart 5: crawl time and speedup vs workers, threads and curl_multi (lab10) ----
lab10_crawl() {
  local name=lab10_crawl lab; lab=$(lab_path lab10 solution)
  [ -n "$lab" ] || { skip $name "$bin_dir/lab10 is not built (make lab10)"; return; }
  [ "$lab" = "$bin_dir/lab10" ] &&
    echo "collect: lab10_crawl    timing the starter lab10: if its visited set is unfinished, pages are fetched twice" >&2
  local header=mode,workers,latency_ms,pages,requests,errors,seconds,pages_per_s,ideal_speedup,ideal_seconds
  local workers="1 2 4 8 16 32" site=(--latency-ms 20) started=$SECONDS
  [ $tiny = 1 ] && { workers="1 2"; site=(--latency-ms 2 --pages 10); }
  local out=$data_dir/$name.csv
  echo "run,$header" > "$out.tmp"
  for run in $(seq 1 "$repeats"); do
    progress $name "run $run/$repeats: sequential"
    csv_rows $header "$lab" --mode seq "${site[@]}" | sed "s/^/$run,/" >> "$out.tmp"
    for w in $workers; do
      for mode in threads multi; do
        progress $name "run $run/$repeats: $mode, $w workers"
        csv_rows $header "$lab" --mode $mode --workers "$w" "${site[@]}" | sed "s/^/$run,/" >> "$out.tmp"
      done
    done
  done
  mv "$out.tmp" "$out"
  # A speedup is this run's sequential crawl time over the crawl's time.
  awk -F, 'NR == 1 { print $0 ",speedup"; next }
           { row[NR] = $0; run[NR] = $1; secs[NR] = $8; if ($2 == "seq") seq[$1] = $8 }
           END { for (i = 2; i <= NR; i++) print row[i] "," seq[run[i]] / secs[i] }' \
      "$out" > "$data_dir/$name.speedup.tmp"
  summarize "$data_dir/$name.speedup.tmp" "$data_dir/${name}_summary.csv" mode,workers \
      seconds,speedup,ideal_speedup,ideal_seconds
  rm -f "$data_dir/$name.speedup.tmp"
  done_line $name "$out" $started
}

# ---- where it was measured ----
machine() {
  local cpu
  cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1 | tr -s ' ' | tr -d ',')
  { echo "cores,cpu,date,runs_per_point"
    echo "$(getconf _NPROCESSORS_ONLN),${cpu:-unknown CPU},$(date +%Y-%m-%d),$repeats"; } \
      > "$data_dir/machine.csv"
}

echo "collect: $repeats run(s) per point$([ $tiny = 1 ] && echo ', tiny sweeps'); CSV files in $data_dir/" >&2
machine
lab00_waits
lab00_scaling
counters
lab06_pool
lab10_crawl
