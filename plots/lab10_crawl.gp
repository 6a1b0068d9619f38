# Chart 5 (lab10): crawl time and speedup vs workers, for a thread pool and for curl_multi on one
# thread, beside the sequential crawl and the ideal the site's shape allows.
# Reads data_dir/lab10_crawl_summary.csv (mode,workers,runs, then median_/min_/max_ of seconds,
# speedup, ideal_speedup, ideal_seconds) and data_dir/lab10_crawl.csv (every run: its latency_ms
# and pages); writes out_dir/lab10_crawl.png and .svg. Run from the top of the kit.
load sprintf("%s/style.gp", system("dirname " . ARG0))
name = "lab10_crawl"
file = sprintf("%s/%s_summary.csv", data_dir, name)
runs_file = sprintf("%s/%s.csv", data_dir, name)
if (!data_ready(file) || !data_ready(runs_file)) {
    print sprintf("%s: skipped: no data in %s (plots/collect.sh skipped it, or has not run)", name, file)
    exit
}

is(mode) = strcol(1) eq mode
stats file using 2 skip 1 nooutput name "workers"
stats file using (is("seq") ? $4 : NaN) skip 1 nooutput name "sequential"
stats file using (is("threads") ? $10 : NaN) skip 1 nooutput name "best_speedup"
stats runs_file using (strcol(2) eq "seq" ? $4 : NaN) skip 1 nooutput name "latency"
stats runs_file using (strcol(2) eq "seq" ? $5 : NaN) skip 1 nooutput name "pages"

set logscale x 2
set xrange [0.8:workers_max * 1.25]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set xlabel "workers (requests in flight at once)"
set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'
chart_width = 1600

do for [format in "png svg"] {
    eval use_terminal(format, name)
    set multiplot layout 1, 2 margins 0.07, 0.98, 0.17, 0.82 spacing 0.09, 0 title sprintf("Crawling a local site of %d pages, %d ms per response: " . \
        "threads and curl\\_multi overlap the waits", pages_max, latency_max) font ',19'

    set title "crawl time (lower is better)"
    set ylabel "wall time (s)"
    set yrange [0:sequential_max * 1.1]
    # Right of the steep start and under the sequential line: no curve passes there.
    set key at graph 0.98, graph 0.85 right top
    plot file skip 1 using 2:(is("threads") ? $13 : NaN) with lines \
             lc rgb colour_ideal lw ideal_width title "ideal for this site", \
         sequential_max with lines lc rgb colour_sequential lw 2.5 \
             title sprintf("sequential: %.2f s", sequential_max), \
         '' skip 1 using 2:(is("threads") ? $4 : NaN):5:6 with yerrorlines \
             lc rgb colour_threaded lw 5 pt 5 ps 1.7 title "thread pool", \
         '' skip 1 using 2:(is("multi") ? $4 : NaN):5:6 with yerrorlines \
             lc rgb colour_other lw 2 pt 7 ps 0.9 title "curl\\_multi, 1 thread"

    unset label 1
    set title "speedup over the sequential crawl (higher is better)"
    set ylabel "speedup (× faster)"
    set yrange [0:best_speedup_max * 1.1]
    set key inside top left
    plot file skip 1 using 2:(is("threads") ? $10 : NaN) with lines \
             lc rgb colour_ideal lw ideal_width title "ideal for this site", \
         '' skip 1 using 2:(is("threads") ? $7 : NaN):8:9 with yerrorlines \
             lc rgb colour_threaded lw 5 pt 5 ps 1.7 title "thread pool", \
         '' skip 1 using 2:(is("multi") ? $7 : NaN):8:9 with yerrorlines \
             lc rgb colour_other lw 2 pt 7 ps 0.9 title "curl\\_multi, 1 thread"
    set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'
    unset multiplot
}
unset output
