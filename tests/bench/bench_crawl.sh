#!/usr/bin/env bash
# make bench, crawl section: lab10 (built with the reference visited set, so no page is fetched
# twice) against its own local site. A benchmark: it prints figures and asserts nothing.
#   1. pages/s at 0 ms latency for each mode (the crawler's own overhead);
#   2. at 50 ms latency, time and efficiency against the ideal for 1, 2, 4, 8, 16 workers
#      (efficiency = ideal time / measured time; the ideal comes from the site's levels).
# usage: tests/bench/bench_crawl.sh LAB10 [--quick]
set -euo pipefail
lab10=${1:?usage: bench_crawl.sh LAB10 [--quick]}
workers="1 2 4 8 16"
[ "${2:-}" = --quick ] && workers="1 8"

echo "Crawl, 0 ms latency (pages/s; median of 3 runs):"
printf '  %-8s %8s %10s\n' mode pages pages/s
for mode in seq threads multi; do
  for run in 1 2 3; do "$lab10" --csv --mode "$mode" --latency-ms 0 | tail -n 1; done |
    sort -t, -k8 -n | sed -n 2p |
    awk -F, '{ printf "  %-8s %8d %10.0f\n", $1, $4, $8 }'
done

echo
echo "Crawl, 50 ms latency (one run per point):"
seq_s=$("$lab10" --csv --mode seq --latency-ms 50 | tail -n 1 | cut -d, -f7)
printf '  sequential: %.2f s\n' "$seq_s"
printf '  %-8s %7s %9s %9s %9s %10s\n' mode workers seconds speedup ideal efficiency
for mode in threads multi; do
  for w in $workers; do
    "$lab10" --csv --mode "$mode" --workers "$w" --latency-ms 50 | tail -n 1 |
      awk -F, -v seq="$seq_s" '{ printf "  %-8s %7d %9.3f %8.2fx %8.2fx %9.1f%%\n", $1, $2, $7, seq / $7, $9, 100 * $10 / $7 }'
  done
done
