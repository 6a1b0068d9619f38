/* lab03 — semaphore pool: a counting semaphore lets at most N of M threads into a section.
 *
 * Step 1 runs the article's demo: 10 workers share a pool of 3 "connections" guarded by a
 * semaphore (common/sem.h), each holding one for a second. Every worker records when it got in
 * and out; after the run the lab prints the most that were inside at once and a timeline drawn
 * from those timestamps. Step 2 runs the same workers without the semaphore. Step 3 runs the
 * checks of the student's bounded semaphore (exercise.c): the table of checks.c, the same one
 * `make check-lab03` runs.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "event.h"
#include "report.h"
#include "sem.h"

#define MAX_WORKERS 100
#define MAX_COLUMNS 100
#define BOUND_MS 5000L /* added to every wait's expected length: the demo never hangs */

static long workers = 10, limit = 3, hold_ms = 1000;

static const tl_option options[] = {
    {"workers", TL_OPT_LONG, &workers, 1, MAX_WORKERS, "N", "worker threads, each needing a "
     "connection", NULL, NULL},
    {"limit", TL_OPT_LONG, &limit, 1, MAX_WORKERS, "N", "connections in the pool: the semaphore's "
     "permits", NULL, NULL},
    {"hold-ms", TL_OPT_LONG, &hold_ms, 10, 5000, "MS", "how long each worker holds its connection",
     "100", NULL},
    {0},
};

static const tl_cli cli = {
    "lab03", "[options]",
    "A semaphore holds N permits: acquire takes one, waiting while none is free; release gives\n"
    "it back. Guarding a pool of 3 connections with a 3-permit semaphore lets at most 3 of 10\n"
    "workers in at once. The lab measures the most inside at once, the total time (about\n"
    "ceil(10/3) holds) and draws a timeline from recorded timestamps; then runs the same workers\n"
    "without the semaphore (all 10 inside), then checks your bounded semaphore\n"
    "(labs/03-semaphore-pool/exercise.c). --csv: one row per worker and run, for a Gantt chart.",
    options, false, 0};

typedef struct {
    int64_t acquired_ns, released_ns; /* since the start gate opened */
} worker_log;

typedef struct {
    tl_sem *pool; /* NULL: no semaphore, everyone walks in */
    tl_event go;  /* the start gate: every worker asks for a connection at the same moment */
    int64_t start_ns;
    atomic_int inside, max_inside, gave_up, refused;
    worker_log log[MAX_WORKERS];
} pool_run;

typedef struct {
    pool_run *run;
    int id;
} worker_arg;

static long rounds(void) { return (workers + limit - 1) / limit; }

static void *worker(void *arg)
{
    pool_run *run = ((worker_arg *)arg)->run;
    worker_log *log = &run->log[((worker_arg *)arg)->id];
    if (!tl_event_wait_ms(&run->go, BOUND_MS) ||
        (run->pool != NULL && !tl_sem_acquire_ms(run->pool, rounds() * hold_ms + BOUND_MS))) {
        atomic_fetch_add(&run->gave_up, 1);
        return NULL;
    }
    log->acquired_ns = tl_now_ns() - run->start_ns;
    int now = atomic_fetch_add(&run->inside, 1) + 1;
    int seen = atomic_load(&run->max_inside);
    while (now > seen && !atomic_compare_exchange_weak(&run->max_inside, &seen, now))
        continue;
    tl_sleep_ms(hold_ms); /* "using the connection" */
    atomic_fetch_sub(&run->inside, 1);
    log->released_ns = tl_now_ns() - run->start_ns; /* before release: the next one gets in after */
    if (run->pool != NULL && tl_sem_release(run->pool) != 0)
        atomic_fetch_add(&run->refused, 1);
    return NULL;
}

/* Starts every worker, opens the gate, joins them all (each wait inside is bounded). Returns
 * the total time in ns: until the last connection was given back. */
static int64_t run_workers(pool_run *run)
{
    pthread_t threads[MAX_WORKERS];
    worker_arg args[MAX_WORKERS];
    tl_event_init(&run->go);
    for (int i = 0; i < workers; i++) {
        args[i] = (worker_arg){run, i};
        TL_CHECK(pthread_create(&threads[i], NULL, worker, &args[i]));
    }
    run->start_ns = tl_now_ns();
    tl_event_set(&run->go);
    int64_t total = 0;
    for (int i = 0; i < workers; i++) {
        TL_CHECK(pthread_join(threads[i], NULL));
        if (run->log[i].released_ns > total)
            total = run->log[i].released_ns;
    }
    tl_event_destroy(&run->go);
    return total;
}

/* One row per worker, one character per time slice, from the recorded timestamps: the state at
 * the middle of the slice. */
static void print_timeline(const pool_run *run, int64_t total_ns, int64_t slice_ns, int per_hold)
{
    int columns = (int)((total_ns + slice_ns - 1) / slice_ns);
    if (columns > MAX_COLUMNS)
        columns = MAX_COLUMNS;
    int tick = per_hold * ((8 + per_hold - 1) / per_hold); /* a label every few holds */
    char line[MAX_COLUMNS + 64];
    int n = snprintf(line, sizeof line, "%-11s", "time (s)");
    for (int c = 0; c < columns; c += tick)
        n += snprintf(line + n, sizeof line - (size_t)n, "%-*g", tick,
                      (double)c * (double)slice_ns / 1e9);
    while (line[n - 1] == ' ')
        line[--n] = '\0';
    tl_say("%s", line);
    for (int w = 0; w < workers; w++) {
        n = snprintf(line, sizeof line, "worker %3d ", w + 1);
        for (int c = 0; c < columns; c++) {
            int64_t mid = slice_ns * c + slice_ns / 2;
            const worker_log *log = &run->log[w];
            line[n++] = mid < log->acquired_ns ? '.' : mid < log->released_ns ? '#' : ' ';
        }
        while (line[n - 1] == ' ')
            n--;
        line[n] = '\0';
        tl_say("%s", line);
    }
}

static void report_run(const char *name, const pool_run *run, int64_t total_ns)
{
    for (int w = 0; w < workers; w++)
        tl_csv_row("%s,%d,%.1f,%.1f,%d,%.1f", name, w + 1, (double)run->log[w].acquired_ns / 1e6,
                   (double)run->log[w].released_ns / 1e6, atomic_load(&run->max_inside),
                   (double)total_ns / 1e6);
    if (atomic_load(&run->gave_up) != 0 || atomic_load(&run->refused) != 0)
        tl_verdict(TL_FAIL, "workers that gave up waiting = %d, releases refused = %d (expected 0 "
                   "and 0)", atomic_load(&run->gave_up), atomic_load(&run->refused));
}

static void demo(void)
{
    long expected = workers < limit ? workers : limit;
    int per_hold = (int)(60 / rounds());
    per_hold = per_hold > 10 ? 10 : per_hold < 1 ? 1 : per_hold;
    int64_t slice_ns = hold_ms * 1000000L / per_hold;

    tl_step("%ld workers share a pool of %ld connections (a semaphore with %ld permits); each "
            "holds one for %ld ms", workers, limit, limit, hold_ms);
    static tl_sem pool;
    static pool_run guarded, unguarded;
    tl_sem_init(&pool, (unsigned)limit, true);
    guarded.pool = &pool;
    int64_t total = run_workers(&guarded);
    tl_sem_destroy(&pool);
    tl_say("'.' waiting for a connection, '#' holding one; each column = %g ms", (double)slice_ns / 1e6);
    print_timeline(&guarded, total, slice_ns, per_hold);
    int max = atomic_load(&guarded.max_inside);
    if (max == expected)
        tl_verdict(TL_OK, "most connections in use at once = %d (expected %ld = %s)", max, expected,
                   expected == limit ? "--limit" : "--workers: the pool never runs out");
    else
        tl_verdict(max > limit ? TL_FAIL : TL_WARN, "most connections in use at once = %d (expected "
                   "%ld%s)", max, expected, max > limit ? "" : "; the workers did not overlap: a "
                   "very busy machine? try a larger --hold-ms");
    tl_verdict(TL_INFO, "total time = %.2f s (expected about %.2f s = ceil(%ld/%ld) = %ld rounds x "
               "%.2f s)", (double)total / 1e9, (double)(rounds() * hold_ms) / 1e3, workers, limit,
               rounds(), (double)hold_ms / 1e3);
    report_run("semaphore", &guarded, total);

    tl_step("The same %ld workers without the semaphore", workers);
    total = run_workers(&unguarded);
    print_timeline(&unguarded, total, slice_ns, per_hold);
    max = atomic_load(&unguarded.max_inside);
    if (workers <= limit)
        tl_verdict(TL_WARN, "most connections in use at once = %d (expected %ld: with --workers <= "
                   "--limit everyone fits, so there is nothing to contrast)", max, workers);
    else
        tl_verdict(max > limit ? TL_RACE : TL_WARN, "most connections in use at once = %d (expected "
                   "at most %ld: the pool has only %ld%s)", max, limit, limit, max > limit ?
                   ", so the extra workers use connections that do not exist" :
                   "; the workers did not overlap: try a larger --hold-ms");
    tl_verdict(TL_INFO, "total time = %.2f s: faster, because nothing stopped anyone", (double)total / 1e9);
    report_run("none", &unguarded, total);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab03", &common);
    tl_header("semaphore pool");
    tl_csv_header("run,worker,acquired_ms,released_ms,max_inside,total_ms");
    demo();
    tl_checks_step(&tl_lab_checks);
    tl_lesson("A semaphore with N permits lets at most N threads in at once; the rest wait their "
              "turn, so M jobs take about ceil(M/N) rounds. Bound it, so a release without an "
              "acquire is caught instead of quietly making the pool bigger.");
    return tl_report_exit_status();
}
