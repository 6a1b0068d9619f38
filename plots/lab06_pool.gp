# Chart 4 (lab06 part B): time for the simulated I/O tasks through a pool of W workers, beside
# running them one after another and the ideal (the work spread evenly, but never less than the
# longest task).
# Reads data_dir/lab06_pool_summary.csv (mode,tasks,workers,runs, then median_/min_/max_ of
# seconds and ideal_seconds; mode is pool or sequential); writes out_dir/lab06_pool.png and .svg.
load sprintf("%s/style.gp", system("dirname " . ARG0))
name = "lab06_pool"
file = sprintf("%s/%s_summary.csv", data_dir, name)
if (!data_ready(file)) {
    print sprintf("%s: skipped: no data in %s (plots/collect.sh skipped it, or has not run)", name, file)
    exit
}

is(mode) = strcol(1) eq mode
stats file using 2 skip 1 nooutput name "tasks"
stats file using (is("pool") ? $3 : NaN) skip 1 nooutput name "workers"
stats file using (is("sequential") ? $5 : NaN) skip 1 nooutput name "sequential"
stats file using (is("sequential") ? $8 : NaN) skip 1 nooutput name "total"

set title sprintf("%d simulated I/O tasks (%.2f s of waiting in all) through a pool of W workers", \
                  tasks_max, total_max)
set xlabel "pool workers W"
set ylabel "wall time (s)"
set logscale x 2
set xrange [0.8:workers_max * 1.25]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set yrange [0:sequential_max * 1.15]
# Right of the steep start and under the sequential line: no curve passes there.
set key at graph 0.98, graph 0.84 right top
set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'

do for [format in "png svg"] {
    eval use_terminal(format, name)
    plot file skip 1 using 3:(is("pool") ? $8 : NaN) with lines \
             lc rgb colour_ideal_threaded lw ideal_width title "ideal: max(total / W, longest task)", \
         sequential_max with lines lc rgb colour_sequential lw 2.5 \
             title sprintf("one after another: %.2f s", sequential_max), \
         '' skip 1 using 3:(is("pool") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_threaded lw 2.5 pt 5 ps 1.1 title "pool of W workers"
}
unset output
