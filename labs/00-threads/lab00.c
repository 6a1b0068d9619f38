/* lab00 — threads: why start them, how to wait for them, how to get answers back.
 *   Step 1  N fake downloads one after another, then one thread each: the waits overlap.
 *   Step 2  create and join; each thread hands back its result AND its error in its own struct.
 *   Step 3  a detached ("daemon") heartbeat: what ending main does to it; pthread_exit instead.
 *   Step 4  I/O-bound work speeds up about T times, CPU-bound about min(T, cores): no GIL in C.
 *   Step 5  your run_all_threaded() (exercise.c), run by the checks of `make check-lab00` (checks.c).
 * `./lab00 --help`; the lesson is in README.md. Beside this file, what is not the lesson: child.c
 * (Step 3's child), python_compare.c (--compare-python), workload.c (Step 4), run_captured.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checks.h"
#include "child.h"
#include "cli.h"
#include "clock.h"
#include "exercise.h"
#include "python_compare.h"
#include "report.h"
#include "workload.h"

static long n_tasks = 3, delay_ms = 2000, n_threads = 4, io_ms = 50, primes_below = 1000000;
static long only_step;
static bool compare_python;
static const char *end_main = "no";

static const tl_option options[] = {
    {"tasks", TL_OPT_LONG, &n_tasks, 1, 64, "N", "fake downloads in Steps 1 and 2", "3", NULL},
    {"delay-ms", TL_OPT_LONG, &delay_ms, 1, 10000, "MS",
     "how long one download takes (Step 2 uses at most 100)", "200", NULL},
    {"threads", TL_OPT_LONG, &n_threads, 1, 64, "T", "threads (and tasks) in Step 4", NULL, NULL},
    {"io-ms", TL_OPT_LONG, &io_ms, 1, 1000, "MS", "how long one I/O-bound (sleeping) task takes in Step 4",
     "20", NULL},
    {"primes-below", TL_OPT_LONG, &primes_below, 1000, 100000000, "N",
     "Step 4's CPU-bound work: count the primes below N", "500000", NULL},
    {"step", TL_OPT_LONG, &only_step, 0, 5, "N", "run only Step N (0: all of them)", NULL, NULL},
    {"compare-python", TL_OPT_FLAG, &compare_python, 0, 0, NULL,
     "run Step 4 only, with the same work done by Python threads beside it (needs python3)", NULL, NULL},
    {"end-main", TL_OPT_CHOICE, &end_main, 0, 0, "HOW",
     "run only Step 3's heartbeat, ending main with HOW", NULL, "no|return|pthread_exit"},
    {0},
};

static const char about[] =
    "Why threads: while one download waits, another can wait too. Step 1 times N fake downloads\n"
    "one after another and then one thread each; Step 2 starts and joins threads that hand back\n"
    "a result and an error in their own struct; Step 3 shows what ending main does to a detached\n"
    "(\"daemon\") thread; Step 4 compares I/O-bound and CPU-bound scaling (C threads use every\n"
    "core: there is no GIL; --compare-python shows Python's). Step 5 checks your\n"
    "run_all_threaded() in labs/00-threads/exercise.c.";
static const tl_cli cli = {"lab00", "[options]", about, options, false, 0};

static const char *prog_path; /* argv[0]: Step 3 runs this program again */

/* ---- Steps 1-2: a fake download waits like a network request, then reports bytes or an error */

static void fake_download(const task *t, task_result *out)
{
    tl_sleep_ms(t->delay_ms);
    *out = t->fail ? (task_result){t->id, 0, ETIMEDOUT} : (task_result){t->id, 1024L * (t->id + 1), 0};
}

/* One thread's own struct: its task in, its result and error out (Python: a Thread subclass
 * with .result and .error). Nobody else writes it while the thread runs. */
struct download {
    pthread_t thread;
    task task;
    task_result result;
};

static void *download_thread(void *arg)
{
    struct download *d = arg;
    fake_download(&d->task, &d->result);
    return NULL;
}

static struct download *make_downloads(long n, long ms, long fail_id)
{
    struct download *d = tl_xcalloc((size_t)n, sizeof *d);
    for (long i = 0; i < n; i++)
        d[i].task = (task){(int)i, (int)ms, i == fail_id};
    return d;
}

/* Start every thread, then join every thread, so that all the waits overlap. */
static void start_all_then_join_all(struct download *d, long n)
{
    for (long i = 0; i < n; i++)
        TL_CHECK(pthread_create(&d[i].thread, NULL, download_thread, &d[i]));
    for (long i = 0; i < n; i++)
        TL_CHECK(pthread_join(d[i].thread, NULL));
}

static void step_why_threads(long cores)
{
    tl_step("Why threads: the same downloads one after another, then one thread each");
    struct download *d = make_downloads(n_tasks, delay_ms, -1);
    tl_stopwatch sw = tl_stopwatch_start();
    for (long i = 0; i < n_tasks; i++)
        fake_download(&d[i].task, &d[i].result);
    double sequential = tl_stopwatch_s(&sw), ideal = (double)delay_ms / 1000;
    tl_say("%ld downloads of %ld ms, one after another: %.2f s", n_tasks, delay_ms, sequential);
    sw = tl_stopwatch_start();
    start_all_then_join_all(d, n_tasks);
    double threaded = tl_stopwatch_s(&sw);
    tl_say("the same downloads, one thread each:     %.2f s", threaded);
    if (n_tasks == 1)
        tl_verdict(TL_INFO, "one download: nothing to overlap, %.2f s either way (try --tasks 3)", threaded);
    else /* a timing, so never [FAIL]: a busy machine may stretch it */
        tl_expect(threaded < 0.75 * sequential, TL_WARN,
                  "threaded took %.2f s, ideal %.2f s (the longest); sequential %.2f s, ideal %.2f s "
                  "(the sum): speedup %.1fx, ideal %ldx", threaded, ideal, sequential,
                  ideal * (double)n_tasks, sequential / threaded, n_tasks);
    tl_csv_row("1,sequential,%ld,1,%ld,%.4f,%ld", n_tasks, delay_ms, sequential, cores);
    tl_csv_row("1,threaded,%ld,%ld,%ld,%.4f,%ld", n_tasks, n_tasks, delay_ms, threaded, cores);
    tl_csv_row("1,ideal,%ld,%ld,%ld,%.4f,%ld", n_tasks, n_tasks, delay_ms, ideal, cores);
    free(d);
}

static void step_lifecycle(long ms)
{
    tl_step("Lifecycle: create, join, then read each thread's result and error");
    long fail_id = n_tasks - 1; /* fails on purpose: an error must travel back too */
    struct download *d = make_downloads(n_tasks, ms, fail_id);
    start_all_then_join_all(d, n_tasks);
    long results = 0, errors = 0;
    for (long i = 0; i < n_tasks; i++) {
        task_result r = d[i].result;
        if (r.error != 0)
            tl_say("task %d: failed: %s (read after join, from its own struct)", r.task_id, strerror(r.error));
        else
            tl_say("task %d: %ld bytes", r.task_id, r.value);
        results += r.task_id == i && r.error == 0;
        errors += r.task_id == i && r.error == ETIMEDOUT;
    }
    tl_expect(results == n_tasks - 1 && errors == 1, TL_FAIL,
              "after join: %ld results and %ld error (expected %ld and 1: task %ld fails on purpose)",
              results, errors, n_tasks - 1, fail_id);
    free(d);
}

/* ---- Step 3: the heartbeat runs in a child process (this program with --end-main HOW) ---- */

#ifdef LAB00_UNDER_TSAN /* see child.h: the child's exit() must not sleep 1 s under TSan */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#endif

/* The child's main: a detached heartbeat (child.c), then main ends one way or the other. */
static int run_heartbeat(const char *how)
{
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, heartbeat, NULL));
    TL_CHECK(pthread_detach(t)); /* a "daemon": nobody will join it */
    heartbeat_wait_for_beat(MAIN_ENDS_AFTER);
    if (strcmp(how, "pthread_exit") == 0) {
        printf("main: pthread_exit(): main's thread ends; the process lives while a thread does\n");
        fflush(stdout);
        pthread_exit(NULL);
    }
    printf("main: return from main, that is exit(): the process ends, every thread in it too\n");
    return 0;
}

static void step_detached(void)
{
    tl_step("A detached (\"daemon\") heartbeat, still beating when main ends");
    tl_say("./lab00 --end-main return  (main returns after beat %d)", MAIN_ENDS_AFTER);
    int after = child_beats_after_main_ended(prog_path, "return");
    tl_expect(after == 0, TL_WARN, "beats after main returned: %d (expected 0: returning from main "
              "calls exit(), which ends the process and the heartbeat in it mid-sleep)", after);
    tl_say("./lab00 --end-main pthread_exit  (main calls pthread_exit after beat %d)", MAIN_ENDS_AFTER);
    after = child_beats_after_main_ended(prog_path, "pthread_exit");
    tl_expect(after == BEATS - MAIN_ENDS_AFTER, TL_FAIL, "beats after main called pthread_exit: %d "
              "(expected %d: the process lives until its last thread ends)", after, BEATS - MAIN_ENDS_AFTER);
}

/* ---- Step 4: I/O-bound vs CPU-bound (the work itself is in workload.c) ---- */

static const char *const modes[] = {"io-sequential", "io-threaded", "cpu-sequential", "cpu-threaded"};

static void step_io_vs_cpu(long cores)
{
    tl_step("I/O-bound vs CPU-bound: what more threads buy");
    long t = n_threads, primes[4] = {0};
    double secs[4]; /* in the order of modes[] */
    for (int run = 0; run < 4; run++) /* runs 0-1 sleep, 2-3 count primes; odd runs threaded */
        secs[run] = time_work(t, run < 2 ? io_ms : 0, run < 2 ? 0 : primes_below, run % 2 == 1,
                              &primes[run]);
    double io_speedup = secs[0] / secs[1], cpu_speedup = secs[2] / secs[3];
    tl_say("%ld tasks sleeping %ld ms: %.3f s one after another, %.3f s with %ld threads", t, io_ms,
           secs[0], secs[1], t);
    tl_say("primes below %ld in %ld shares: %.3f s one after another, %.3f s with %ld threads",
           primes_below, t, secs[2], secs[3], t);
    if (t == 1)
        tl_verdict(TL_INFO, "1 thread: nothing runs at the same time (try --threads 4)");
    else
        tl_expect(secs[1] < 0.75 * secs[0], TL_WARN, "I/O-bound speedup %.1fx (expected about %ldx: "
                  "sleeping threads all wait at once)", io_speedup, t);
    long cpu_ideal = t < cores ? t : cores; /* [info], never [FAIL]: others may be using a core */
    tl_verdict(TL_INFO, "CPU-bound speedup %.1fx (expected about %ldx = min(%ld threads, %ld cores): "
               "one core per running thread, no GIL)%s", cpu_speedup, cpu_ideal, t, cores,
               cpu_speedup < 0.75 * (double)cpu_ideal ? "; less here: another program may be busy "
                                                       "on a core, or this process kept off some" : "");
    if (cores == 1)
        tl_verdict(TL_INFO, "this machine has 1 core: CPU-bound threads can only take turns on it, "
                   "so they cannot be faster here");
    tl_expect(primes[2] == primes[3], TL_FAIL, "primes below %ld: %ld counted by %ld threads (expected "
              "%ld, as counted by one)", primes_below, primes[3], t, primes[2]);
    for (int run = 0; run < 4; run++)
        tl_csv_row("4,%s,%ld,%ld,%ld,%.4f,%ld", modes[run], t, run % 2 ? t : 1, run < 2 ? io_ms : 0,
                   secs[run], cores);
    if (compare_python)
        python_compare(io_ms, t, primes_below, cores, io_speedup, cpu_speedup);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    prog_path = argv[0];
    if (strcmp(end_main, "no") != 0)
        return run_heartbeat(end_main);
    if (compare_python && !python_compare_can_run(only_step))
        return 2; /* a usage error, said on stderr */
    only_step = compare_python ? 4 : only_step;
    long cores = sysconf(_SC_NPROCESSORS_ONLN), short_ms = delay_ms < 100 ? delay_ms : 100;

    tl_report_init("lab00", &common);
    tl_header("threads");
    tl_csv_header("step,mode,tasks,threads,delay_ms,seconds,cores");
    if (only_step != 0)
        tl_step_number_next((int)only_step); /* a single step keeps its own number */
    if (only_step == 0 || only_step == 1)
        step_why_threads(cores);
    if (only_step == 0 || only_step == 2)
        step_lifecycle(short_ms);
    if (only_step == 0 || only_step == 3)
        step_detached();
    if (only_step == 0 || only_step == 4)
        step_io_vs_cpu(cores);
    if (only_step == 0 || only_step == 5)
        tl_checks_step(&tl_lab_checks);
    tl_lesson("threads let waits overlap. Give each thread its own argument and result, join it "
              "before you read what it wrote, and expect CPU-bound work to scale only up to the "
              "number of cores.");
    return tl_report_exit_status();
}
