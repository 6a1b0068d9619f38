# Chart 2 (lab00 step 4): speedup of T threads over one, for I/O-bound and CPU-bound work.
# Reads data_dir/lab00_scaling_summary.csv (work,cores,threads,runs,median_speedup,min_speedup,
# max_speedup); writes out_dir/lab00_scaling.png and .svg. Run from the top of the kit.
load sprintf("%s/style.gp", system("dirname " . ARG0))
name = "lab00_scaling"
file = sprintf("%s/%s_summary.csv", data_dir, name)
if (!data_ready(file)) {
    print sprintf("%s: skipped: no data in %s (plots/collect.sh skipped it, or has not run)", name, file)
    exit
}

stats file using 2 skip 1 nooutput name "cores"
stats file using 3 skip 1 nooutput name "threads"
cores = cores_max
is(work) = strcol(1) eq work
min(a, b) = a < b ? a : b

set title sprintf("Speedup of T threads on %d cores: waiting scales, computing stops at %d×", cores, cores)
set xlabel "threads T (each does 1/T of the work)"
set ylabel "speedup (× faster than one thread)"
set xrange [0.8:threads_max + 0.2]
set xtics 1
set yrange [0:threads_max + 0.5]
set ytics 1
set key top left
set label 1 footnote at screen 0.01, screen 0.025 font ',11' textcolor rgb '#666666'

do for [format in "png svg"] {
    eval use_terminal(format, name)
    plot file skip 1 using 3:(is("io") ? $3 : NaN) with lines \
             lc rgb colour_ideal_threaded lw ideal_width title "ideal for waiting: T", \
         '' skip 1 using 3:(is("cpu") ? min($3, $2) : NaN) with lines \
             lc rgb colour_ideal_cpu lw ideal_width title "ideal for computing: min(T, cores)", \
         '' skip 1 using 3:(is("io") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_threaded lw 2.5 pt 5 ps 1.1 title "I/O-bound: T tasks that sleep", \
         '' skip 1 using 3:(is("cpu") ? $5 : NaN):6:7 with yerrorlines \
             lc rgb colour_cpu lw 2.5 pt 7 ps 1.1 title "CPU-bound: counting primes, split T ways"
}
unset output
