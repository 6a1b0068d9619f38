# Chart 1 (lab00 step 1): wall time of N waits of D ms, one after another vs one thread each.
# Reads data_dir/lab00_waits_summary.csv (mode,delay_ms,tasks,runs,median_seconds,min_seconds,
# max_seconds); writes out_dir/lab00_waits.png and .svg. Run from the top of the kit.
load sprintf("%s/style.gp", system("dirname " . ARG0))
name = "lab00_waits"
file = sprintf("%s/%s_summary.csv", data_dir, name)
if (!data_ready(file)) {
    print sprintf("%s: skipped: no data in %s (plots/collect.sh skipped it, or has not run)", name, file)
    exit
}

stats file using 2 skip 1 nooutput name "delay"
stats file using 3 skip 1 nooutput name "tasks"
delay_ms = delay_max
is(mode) = strcol(1) eq mode

set title sprintf("Waiting for N downloads of %d ms: one after another vs one thread each", delay_ms)
set xlabel "downloads N (each one waits, like a network request)"
set ylabel "wall time (s)"
set xrange [0.5:tasks_max + 0.5]
set xtics 1
set yrange [0:*]
set key top left
set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'

do for [format in "png svg"] {
    eval use_terminal(format, name)
    plot file skip 1 using 3:(is("ideal") ? $5 : NaN) with lines lc rgb colour_ideal_threaded \
             lw ideal_width title sprintf("ideal with threads: one wait (%d ms), whatever N", delay_ms), \
         '' skip 1 using 3:(is("sequential") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_sequential lw 2.5 pt 7 ps 1.1 title sprintf("one after another: N × %d ms", delay_ms), \
         '' skip 1 using 3:(is("threaded") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_threaded lw 2.5 pt 5 ps 1.1 title "one thread each"
}
unset output
