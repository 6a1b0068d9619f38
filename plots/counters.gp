# Chart 3 (lab01 step 2 and lab09 step 3): increments per second of a shared counter as threads
# are added: unsafe (wrong), mutex, atomic, and a counter sharded per thread.
# Reads data_dir/counters_summary.csv (lab,variant,threads,runs,median_per_second,
# min_per_second,max_per_second) and data_dir/machine.csv; writes out_dir/counters.png and .svg.
load sprintf("%s/style.gp", system("dirname " . ARG0))
name = "counters"
file = sprintf("%s/%s_summary.csv", data_dir, name)
if (!data_ready(file)) {
    print sprintf("%s: skipped: no data in %s (plots/collect.sh skipped it, or has not run)", name, file)
    exit
}

is(lab, variant) = strcol(1) eq lab && strcol(2) eq variant
min(a, b) = a < b ? a : b
cores = machine_field(1) + 0
stats file using 3 skip 1 nooutput name "threads"
# The ideal: the sharded counter's one-thread rate, times every core that has a thread on it.
stats file using (is("lab09", "sharded") && $3 == 1 ? $5 : NaN) skip 1 nooutput name "sharded_one"
sharded_one_thread = sharded_one_max

set title "A shared counter as threads are added: increments per second (higher is better)"
set xlabel "threads incrementing at once"
set ylabel "increments per second (log scale)"
set logscale xy
set xrange [0.85:threads_max * 1.15]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set format y "%.0s %c"
# The top decade is left empty for the legend: no measurement comes near 10 G increments/s.
set yrange [1e7:1e11]
set key inside top center horizontal maxcols 2
set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'

do for [format in "png svg"] {
    eval use_terminal(format, name)
    plot file skip 1 using 3:(is("lab09", "sharded") ? sharded_one_thread * min($3, cores) : NaN) with lines \
             lc rgb colour_ideal_other lw ideal_width title sprintf("ideal: sharded's 1-thread rate × min(T, %d cores)", cores), \
         '' skip 1 using 3:(is("lab09", "sharded") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_other lw 2.5 pt 9 ps 1.3 title "sharded per thread, summed on read (lab09)", \
         '' skip 1 using 3:(is("lab01", "atomic") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_threaded lw 2.5 pt 5 ps 1.1 title "C11 atomic (lab01)", \
         '' skip 1 using 3:(is("lab01", "mutex") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_sequential lw 2.5 pt 7 ps 1.1 title "mutex (lab01)", \
         '' skip 1 using 3:(is("lab01", "unsafe-wrong") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_wrong lw 2 dt 3 pt 6 ps 1.1 title "unsafe counter++: WRONG total (lab01)"
}
unset output
