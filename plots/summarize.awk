# Reduces every run to one row per point: the median, min and max of each value column over
# the runs that share the key columns. The median is what a chart draws (one slow run from a
# busy machine does not move it); min and max become its error bar.
#
#   awk -F, -v keys=mode,tasks -v values=seconds -f plots/summarize.awk runs.csv
#   -> mode,tasks,runs,median_seconds,min_seconds,max_seconds
#
# Input: a CSV with a header row naming the columns. Rows come out in the order their key
# first appears; collect.sh sorts them.

function column_index(name,    i) {
    for (i = 1; i <= NF; i++)
        if ($i == name)
            return i
    printf "summarize.awk: no column '%s' in the header: %s\n", name, $0 > "/dev/stderr"
    failed = 1
    exit 1
}

# Median of the space-separated numbers in list (insertion sort: a point has a few runs).
function median_of(list,    v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) {
        t = v[i] + 0
        for (j = i - 1; j >= 1 && v[j] + 0 > t; j--)
            v[j + 1] = v[j]
        v[j + 1] = t
    }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

NR == 1 {
    nkeys = split(keys, key_name, ",")
    nvalues = split(values, value_name, ",")
    header = ""
    for (k = 1; k <= nkeys; k++) {
        key_col[k] = column_index(key_name[k])
        header = header key_name[k] ","
    }
    header = header "runs"
    for (k = 1; k <= nvalues; k++) {
        value_col[k] = column_index(value_name[k])
        header = header ",median_" value_name[k] ",min_" value_name[k] ",max_" value_name[k]
    }
    print header
    next
}

NF > 0 {
    key = $(key_col[1])
    for (k = 2; k <= nkeys; k++)
        key = key "," $(key_col[k])
    if (!(key in runs))
        order[++npoints] = key
    runs[key]++
    for (k = 1; k <= nvalues; k++) {
        x = $(value_col[k]) + 0
        all[key, k] = all[key, k] " " x
        if (runs[key] == 1 || x < low[key, k])
            low[key, k] = x
        if (runs[key] == 1 || x > high[key, k])
            high[key, k] = x
    }
}

END {
    if (failed)
        exit 1
    for (p = 1; p <= npoints; p++) {
        key = order[p]
        row = key "," runs[key]
        for (k = 1; k <= nvalues; k++)
            row = row sprintf(",%.10g,%.10g,%.10g", median_of(all[key, k]), low[key, k], high[key, k])
        print row
    }
}
