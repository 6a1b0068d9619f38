# The look every chart shares, loaded first by each plots/NAME.gp (not a chart itself).
# Sizes and fonts are for a slide: 1280x720, text readable from the back of a room.
#
# Set before loading, or with gnuplot -e: data_dir (default plots/data), out_dir (default
# plots/out). A chart whose data is missing (its lab is not built) prints why and draws nothing.

if (!exists("data_dir")) data_dir = "plots/data"
if (!exists("out_dir")) out_dir = "plots/out"

# data_ready(file): the CSV exists and holds more than its header.
data_ready(file) = system(sprintf("f='%s'; test -f \"$f\" && test $(wc -l < \"$f\") -gt 1 && echo 1 || echo 0", file)) + 0

# machine_field(n): a field of data_dir/machine.csv (cores, cpu, date, runs_per_point).
machine_field(n) = system(sprintf("sed -n 2p '%s/machine.csv' 2>/dev/null | cut -d, -f%d", data_dir, n))

# The footnote under every chart: where and how it was measured, and what a point is.
footnote = sprintf("measured by make plots on %s cores (%s), %s. Each point: median of %s runs; bars: min to max.", \
                     machine_field(1), machine_field(2), machine_field(3), machine_field(4))

# use_terminal(format, name): the command that sends the next plot to out_dir/name.png or .svg.
chart_width = 1280
chart_height = 720
use_terminal(format, name) = (format eq "png" \
    ? sprintf("set terminal pngcairo size %d,%d enhanced rounded font 'DejaVu Sans,15' linewidth 1.5 background '#ffffff'", \
              chart_width, chart_height) \
    : sprintf("set terminal svg size %d,%d enhanced rounded font 'DejaVu Sans,15' linewidth 1.5 background '#ffffff'", \
              chart_width, chart_height)) \
    . sprintf("; set output '%s/%s.%s'", out_dir, name, format)
ignore = system(sprintf("mkdir -p '%s'", out_dir))

set datafile separator comma
set grid xtics ytics lc rgb '#d8d8d8' lw 1 dt 1
set border 3 lc rgb '#444444'
set tics nomirror out
set key opaque box lc rgb '#bbbbbb' samplen 2.5 spacing 1.2 width 1 Left reverse
set bars 1.5
set title font ',19'
set xlabel font ',16'
set ylabel font ',16'
set bmargin 6

# Colours that stay apart for colour-blind readers (Okabe and Ito). One meaning each, in every chart.
colour_sequential = '#D55E00'
colour_threaded = '#0072B2'
colour_other = '#009E73'
colour_cpu = '#E69F00'
colour_wrong = '#999999'
# An ideal is a wide pale band drawn under the measurements: where they sit on it, they are ideal.
ideal_width = 7
colour_ideal = '#d0d0d0'
colour_ideal_threaded = '#b3d4ec'
colour_ideal_cpu = '#f6dca8'
colour_ideal_other = '#b3e0d2'
