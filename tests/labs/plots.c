/* `make plots` in miniature: plots/collect.sh --tiny writes every CSV with the columns the charts
 * read, and gnuplot draws every chart from them as PNG and SVG without a warning. A lab that is
 * not built (lab06 or lab10 while they are being written) must be skipped with a message, never
 * drawn from old data. Everything goes to a temporary directory: plots/data and plots/out, where
 * an instructor's real charts live, are left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "spawn.h"

#define COLLECT_MS 60000L /* --tiny takes a couple of seconds; scaled for sanitizer builds */
#define GNUPLOT_MS 30000L

typedef struct {
    const char *name;        /* plots/NAME.gp, DATA/NAME.csv, OUT/NAME.png */
    const char *labs[2];     /* the labs it times: without them it is skipped */
    const char *runs_header; /* DATA/NAME.csv: every run */
    const char *summary_header;
    long png_width; /* a slide's width */
} chart;

static const chart charts[] = {
    {"lab00_waits", {"lab00"}, "run,step,mode,tasks,threads,delay_ms,seconds,cores",
     "mode,delay_ms,tasks,runs,median_seconds,min_seconds,max_seconds", 1280},
    {"lab00_scaling", {"lab00"}, "run,step,mode,tasks,threads,delay_ms,seconds,cores",
     "work,cores,threads,runs,median_speedup,min_speedup,max_speedup", 1280},
    {"counters", {"lab01", "lab09"}, "run,lab,variant,threads,increments,seconds,per_second,lost",
     "lab,variant,threads,runs,median_per_second,min_per_second,max_per_second", 1280},
    {"lab06_pool", {"lab06"}, "run,mode,workers,tasks,seconds,ideal_seconds",
     "mode,tasks,workers,runs,median_seconds,min_seconds,max_seconds,median_ideal_seconds,"
     "min_ideal_seconds,max_ideal_seconds", 1280},
    {"lab10_crawl", {"lab10"},
     "run,mode,workers,latency_ms,pages,requests,errors,seconds,pages_per_s,ideal_speedup,ideal_seconds",
     "mode,workers,runs,median_seconds,min_seconds,max_seconds,median_speedup,min_speedup,max_speedup,"
     "median_ideal_speedup,min_ideal_speedup,max_ideal_speedup,median_ideal_seconds,min_ideal_seconds,"
     "max_ideal_seconds", 1600},
};
#define N_CHARTS (sizeof charts / sizeof charts[0])

/* The temporary directory every test of this program shares (made before the tests fork). */
static char work_dir[] = "/tmp/threadlab-plots-XXXXXX";
static pid_t work_dir_owner;

static void remove_work_dir(void)
{
    if (getpid() != work_dir_owner)
        return;
    char *const rm[] = {"rm", "-rf", work_dir, NULL};
    tl_run_result r = tl_run(rm, 10000);
    tl_run_result_free(&r);
}

static char *path_in(const char *sub, const char *name, const char *ext)
{
    static char buf[4][600];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s%s%s%s", work_dir, sub, name[0] ? "/" : "", name, ext);
    return p;
}

static bool is_executable(const char *path) { return access(path, X_OK) == 0; }

/* The chart's labs are built (lab10 may be the solution build: collect.sh prefers it). */
static bool labs_built(const chart *c)
{
    for (int i = 0; i < 2 && c->labs[i] != NULL; i++) {
        char starter[512], solution[512];
        if (!is_executable(tl_lab_path(c->labs[i], false, starter, sizeof starter)) &&
            !is_executable(tl_lab_path(c->labs[i], true, solution, sizeof solution)))
            return false;
    }
    return true;
}

/* The whole file, NUL-terminated, or NULL when it cannot be read. */
static char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = NULL;
    long len = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)len + 1);
        if (data != NULL && fread(data, 1, (size_t)len, f) != (size_t)len) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (data != NULL) {
        data[len] = '\0';
        if (size != NULL)
            *size = len;
    }
    return data;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Runs plots/collect.sh --tiny into WORK/data once; later tests reuse what it wrote. Returns its
 * stderr (the progress lines), or what the earlier run left in WORK/collect.log. */
static char *collect_tiny(void)
{
    const char *log = path_in("collect.log", "", "");
    if (!exists(log)) {
        char *const argv[] = {"plots/collect.sh", "--tiny", "--data", path_in("data", "", ""), NULL};
        tl_run_result r = tl_run(argv, COLLECT_MS);
        TL_ASSERT_FATAL(!r.timed_out && r.exit_code == 0,
                        "plots/collect.sh --tiny: expected exit status 0 within %ld ms, got %d%s\nstderr:\n%s",
                        COLLECT_MS, r.exit_code, r.timed_out ? " (timed out)" : "", r.err);
        FILE *f = fopen(log, "w");
        TL_ASSERT_FATAL(f != NULL, "cannot write %s", log);
        fputs(r.err, f);
        fclose(f);
        tl_run_result_free(&r);
    }
    char *err = slurp(log, NULL);
    TL_ASSERT_FATAL(err != NULL, "cannot read %s", log);
    return err;
}

static char *first_line(const char *text, char *buf, size_t len)
{
    size_t n = strcspn(text, "\n");
    if (n >= len)
        n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

/* The CSV's header is exactly `header` and at least `min_rows` rows follow it. */
static void check_csv(const char *path, const char *header, int min_rows)
{
    char *csv = slurp(path, NULL);
    TL_ASSERT(csv != NULL, "%s was not written", path);
    if (csv == NULL)
        return;
    char got[600];
    TL_ASSERT(strcmp(first_line(csv, got, sizeof got), header) == 0,
              "%s: header\n  expected %s\n  got      %s", path, header, got);
    int rows = tl_count_lines(csv) - 1;
    TL_ASSERT(rows >= min_rows, "%s: expected at least %d rows after the header, got %d:\n%s", path,
              min_rows, rows, csv);
    free(csv);
}

static void collect_writes_every_csv(void)
{
    tl_hint("plots/collect.sh --tiny --data DIR must run every sweep whose labs are built, writing "
            "DIR/NAME.csv (every run) and DIR/NAME_summary.csv (median, min, max) with the columns "
            "the .gp scripts read, and skip the others with a message naming the chart.");
    char *err = collect_tiny();
    check_csv(path_in("data", "machine", ".csv"), "cores,cpu,date,runs_per_point", 1);
    for (size_t i = 0; i < N_CHARTS; i++) {
        const chart *c = &charts[i];
        char progress[100];
        snprintf(progress, sizeof progress, "collect: %-14s ", c->name);
        TL_ASSERT(strstr(err, progress) != NULL, "no progress line for %s on stderr:\n%s", c->name, err);
        char summary[100];
        snprintf(summary, sizeof summary, "%s_summary", c->name);
        if (labs_built(c)) {
            check_csv(path_in("data", c->name, ".csv"), c->runs_header, 2);
            check_csv(path_in("data", summary, ".csv"), c->summary_header, 2);
        } else {
            char skipped[100];
            snprintf(skipped, sizeof skipped, "collect: %-14s skipped: ", c->name);
            TL_ASSERT(strstr(err, skipped) != NULL, "%s's labs are not built: expected \"%s\" on stderr:\n%s",
                      c->name, skipped, err);
            TL_ASSERT(!exists(path_in("data", c->name, ".csv")), "%s's labs are not built, yet %s exists",
                      c->name, path_in("data", c->name, ".csv"));
        }
    }
    free(err);
}

/* Width of a PNG from its IHDR chunk (big-endian, bytes 16..19), or -1 if it is not a PNG. */
static long png_width(const unsigned char *data, long size)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (size < 24 || memcmp(data, signature, sizeof signature) != 0 || memcmp(data + 12, "IHDR", 4) != 0)
        return -1;
    return (long)data[16] << 24 | (long)data[17] << 16 | (long)data[18] << 8 | (long)data[19];
}

static tl_run_result run_gnuplot(const chart *c, const char *data_dir)
{
    char vars[1400], script[200];
    snprintf(vars, sizeof vars, "data_dir='%s'; out_dir='%s'", data_dir, path_in("out", "", ""));
    snprintf(script, sizeof script, "plots/%s.gp", c->name);
    char *const argv[] = {"gnuplot", "-e", vars, script, NULL};
    tl_run_result r = tl_run(argv, GNUPLOT_MS);
    TL_ASSERT(!r.timed_out && r.exit_code == 0, "gnuplot %s: expected exit status 0, got %d%s\nstderr:\n%s",
              script, r.exit_code, r.timed_out ? " (timed out)" : "", r.err);
    return r;
}

static void gnuplot_draws_every_chart(void)
{
    tl_hint("gnuplot -e \"data_dir='DIR'; out_dir='OUT'\" plots/NAME.gp must draw OUT/NAME.png and "
            "OUT/NAME.svg from the CSV files without a single warning (gnuplot warns on stderr); "
            "a chart whose labs are not built must say it skipped and draw nothing.");
    free(collect_tiny());
    for (size_t i = 0; i < N_CHARTS; i++) {
        const chart *c = &charts[i];
        tl_run_result r = run_gnuplot(c, path_in("data", "", ""));
        const char *png = path_in("out", c->name, ".png"), *svg = path_in("out", c->name, ".svg");
        if (!labs_built(c)) {
            TL_ASSERT(strstr(r.err, "skipped") != NULL && tl_count_lines(r.err) == 1,
                      "%s: expected one line saying it skipped, got:\n%s", c->name, r.err);
            TL_ASSERT(!exists(png), "%s's labs are not built, yet %s was drawn", c->name, png);
            tl_run_result_free(&r);
            continue;
        }
        TL_ASSERT(r.err[0] == '\0', "gnuplot plots/%s.gp printed on stderr (a warning?):\n%s", c->name, r.err);
        long size = 0;
        unsigned char *image = (unsigned char *)slurp(png, &size);
        TL_ASSERT(image != NULL && size > 10000, "%s: expected a PNG of more than 10000 bytes, got %ld", png,
                  image ? size : -1L);
        if (image != NULL)
            TL_ASSERT_EQ_LONG(png_width(image, size), c->png_width, "PNG width in pixels (-1: not a PNG)");
        free(image);
        char *text = slurp(svg, &size);
        TL_ASSERT(text != NULL && strstr(text, "<svg") != NULL && strstr(text, "</svg>") != NULL,
                  "%s: expected a whole SVG document (<svg ... </svg>)", svg);
        free(text);
        tl_run_result_free(&r);
    }
}

static void chart_without_data_is_skipped(void)
{
    tl_hint("A plots/NAME.gp given a data directory without its CSV must exit 0, print that it "
            "skipped and why, and draw nothing: `make plots` goes on with the other charts.");
    const char *empty = path_in("empty", "", "");
    TL_ASSERT_FATAL(mkdir(empty, 0700) == 0 || exists(empty), "cannot make %s", empty);
    for (size_t i = 0; i < N_CHARTS; i++) {
        const chart *c = &charts[i];
        char *png = path_in("out", c->name, ".png");
        remove(png);
        tl_run_result r = run_gnuplot(c, empty);
        TL_ASSERT(strstr(r.err, "skipped: no data") != NULL && tl_count_lines(r.err) == 1,
                  "%s: expected one line saying \"skipped: no data\", got:\n%s", c->name, r.err);
        TL_ASSERT(!exists(png), "%s was drawn without data", png);
        tl_run_result_free(&r);
    }
}

static void collect_rejects_bad_options(void)
{
    tl_hint("plots/collect.sh must refuse a bad option before timing anything: --repeats 0 or abc "
            "exits 1 naming --repeats; an unknown option exits 2 with the usage.");
    static const struct {
        const char *args[3];
        int status;
        const char *must;
    } cases[] = {
        {{"--repeats", "0"}, 1, "--repeats"},
        {{"--repeats", "abc"}, 1, "--repeats"},
        {{"--repeats"}, 1, "--repeats needs a value"},
        {{"--bogus"}, 2, "usage: plots/collect.sh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[5] = {"plots/collect.sh", (char *)cases[i].args[0], (char *)cases[i].args[1], NULL};
        tl_run_result r = tl_run(argv, 10000);
        TL_ASSERT(r.exit_code == cases[i].status && strstr(r.err, cases[i].must) != NULL,
                  "plots/collect.sh %s %s: expected exit status %d and \"%s\" on stderr, got %d:\n%s",
                  cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "", cases[i].status,
                  cases[i].must, r.exit_code, r.err);
        TL_ASSERT(r.out[0] == '\0', "a refused option must print nothing on stdout, got:\n%s", r.out);
        tl_run_result_free(&r);
    }
}

void tl_register_suites(void)
{
    if (mkdtemp(work_dir) == NULL) {
        perror("plots: mkdtemp");
        exit(1);
    }
    work_dir_owner = getpid();
    atexit(remove_work_dir);
    CU_pSuite s = tl_suite("make plots, tiny");
    tl_test_timeout(s, "collect.sh --tiny: every CSV with the columns the charts read",
                    collect_writes_every_csv, 90);
    tl_test_timeout(s, "gnuplot: every chart as PNG and SVG, no warnings", gnuplot_draws_every_chart, 120);
    tl_test_timeout(s, "gnuplot: a chart without data is skipped, not drawn", chart_without_data_is_skipped, 60);
    tl_test(s, "collect.sh: bad options refused before any timing", collect_rejects_bad_options);
}
