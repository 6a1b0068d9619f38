/* lab00 — threads: why start them, how to wait for them, how to get answers back.
 *   Step 1  N fake downloads one after another, then one thread each: the waits overlap.
 *   Step 2  create and join; each thread hands back its result AND its error in its own struct.
 *   Step 3  a detached ("daemon") heartbeat: what ending main does to it; pthread_exit instead.
 *   Step 4  I/O-bound work speeds up about T times, CPU-bound about min(T, cores): no GIL in C.
 *   Step 5  your run_all_threaded() (exercise.c), checked by counting and unable to hang the lab.
 * `./lab00 --help`; the lesson is in labs/00-threads/README.md. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "clock.h"
#include "exercise.h"
#include "report.h"

static long n_tasks = 3, delay_ms = 2000, n_threads = 4, io_ms = 50, primes_below = 1000000;
static long only_step;
static bool compare_python;
static const char *end_main = "no";

static const tl_option options[] = {
    {"tasks", TL_OPT_LONG, &n_tasks, 1, 64, "N", "fake downloads in Steps 1, 2 and 5", "3", NULL},
    {"delay-ms", TL_OPT_LONG, &delay_ms, 1, 10000, "MS",
     "how long one download takes (Steps 2 and 5 use at most 100)", "200", NULL},
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

/* tl_step numbers steps from 1; a single-step run (--step N) shows that step's own number. */
static void step_title(int number, const char *title)
{
    if (only_step == 0)
        tl_step("%s", title);
    else if (!tl_report_quiet())
        printf("\nStep %d. %s\n", number, title);
}

static void step_why_threads(long cores)
{
    step_title(1, "Why threads: the same downloads one after another, then one thread each");
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
    step_title(2, "Lifecycle: create, join, then read each thread's result and error");
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

enum { BEAT_MS = 50, BEATS = 6, MAIN_ENDS_AFTER = 3 };

/* ThreadSanitizer builds differ from a student's build in two ways that matter here: exit()
 * sleeps 1 s by default (so that other threads can still report races), and TSan runs a
 * helper thread of its own that never ends, so "the last thread ends" never happens. The demo
 * turns the first off and stands in for the second (in heartbeat()). */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifdef UNDER_TSAN
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#endif
static atomic_int beats; /* the heartbeat's own count; main only reads it */

/* Touches nothing but `beats` and stdout, and holds nothing that needs freeing, so being
 * stopped mid-sleep by exit() loses nothing (and leaves leak and race checkers nothing). */
static void *heartbeat(void *unused)
{
    (void)unused;
    for (int i = 1; i <= BEATS; i++) {
        tl_sleep_ms(BEAT_MS);
        printf("heartbeat: beat %d\n", i);
        fflush(stdout);
        atomic_store(&beats, i);
    }
    printf("heartbeat: done; the last thread ends, and the process with it\n");
    fflush(stdout);
#ifdef UNDER_TSAN
    exit(0); /* what the last thread ending does, which TSan's own thread would prevent */
#endif
    return NULL;
}

static int run_heartbeat(const char *how)
{
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, heartbeat, NULL));
    TL_CHECK(pthread_detach(t)); /* a "daemon": nobody will join it */
    struct timespec bound = tl_deadline_monotonic(5000);
    while (atomic_load(&beats) < MAIN_ENDS_AFTER && tl_ms_until(bound) > 0)
        tl_sleep_ms(1);
    if (strcmp(how, "pthread_exit") == 0) {
        printf("main: pthread_exit(): main's thread ends; the process lives while a thread does\n");
        fflush(stdout);
        pthread_exit(NULL);
    }
    printf("main: return from main, that is exit(): the process ends, every thread in it too\n");
    return 0;
}

/* Runs argv (searched on PATH) for at most timeout_ms, its stdout captured in out; returns
 * its exit status, or -1 if it could not start, died of a signal or was stopped at the bound. */
static int run_captured(char *const argv[], long timeout_ms, char *out, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    bool eof = false;
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    while (pid > 0 && !eof && tl_ms_until(deadline) > 0) {
        struct pollfd p = {fds[0], POLLIN, 0};
        char chunk[512];
        if (poll(&p, 1, (int)tl_ms_until(deadline)) <= 0)
            continue;
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        eof = got == 0 || (got < 0 && errno != EINTR);
        for (ssize_t i = 0; i < got && used + 1 < len; i++) /* the rest is drained, not kept */
            out[used++] = chunk[i];
    }
    out[used] = '\0';
    close(fds[0]);
    int status = -1;
    if (pid > 0 && !eof)
        kill(pid, SIGKILL);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return eof && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Shows what the heartbeat child printed; returns the beats after main's last line (-1: failed). */
static int beats_after_main_ended(const char *how)
{
    char out[2048];
    char *argv[] = {(char *)prog_path, "--end-main", (char *)how, NULL};
    int status = run_captured(argv, 10000, out, sizeof out), after = 0;
    bool main_ended = false;
    for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        tl_say("  | %s", line);
        if (strncmp(line, "main:", 5) == 0)
            main_ended = true;
        else if (main_ended && strstr(line, ": beat ") != NULL)
            after++;
    }
    return status == 0 && main_ended ? after : -1;
}

static void step_detached(void)
{
    step_title(3, "A detached (\"daemon\") heartbeat, still beating when main ends");
    tl_say("./lab00 --end-main return  (main returns after beat %d)", MAIN_ENDS_AFTER);
    int after = beats_after_main_ended("return");
    tl_expect(after == 0, TL_WARN, "beats after main returned: %d (expected 0: returning from main "
              "calls exit(), which ends the process and the heartbeat in it mid-sleep)", after);
    tl_say("./lab00 --end-main pthread_exit  (main calls pthread_exit after beat %d)", MAIN_ENDS_AFTER);
    after = beats_after_main_ended("pthread_exit");
    tl_expect(after == BEATS - MAIN_ENDS_AFTER, TL_FAIL, "beats after main called pthread_exit: %d "
              "(expected %d: the process lives until its last thread ends)", after, BEATS - MAIN_ENDS_AFTER);
}

/* ---- Step 4: I/O-bound vs CPU-bound ---- */

/* One task of Step 4: sleep (I/O-bound), or test first, first + stride, ... below `below`. */
typedef struct {
    pthread_t thread;
    long sleep_ms, first, stride, below, primes;
} share;

static void *do_share(void *arg)
{
    share *s = arg;
    tl_sleep_ms(s->sleep_ms);
    for (long k = s->first; k < s->below; k += s->stride) {
        bool prime = k >= 2;
        for (long d = 2; prime && d * d <= k; d++)
            prime = k % d != 0;
        s->primes += prime;
    }
    return NULL;
}

/* Seconds to do every share, one after another in this thread, or one thread each. */
static double time_shares(share *s, long n, bool threaded, long *primes)
{
    tl_stopwatch sw = tl_stopwatch_start();
    for (long i = 0; i < n; i++) {
        if (threaded)
            TL_CHECK(pthread_create(&s[i].thread, NULL, do_share, &s[i]));
        else
            do_share(&s[i]);
    }
    for (long i = 0; threaded && i < n; i++)
        TL_CHECK(pthread_join(s[i].thread, NULL));
    double seconds = tl_stopwatch_s(&sw);
    for (long i = 0; i < n; i++)
        *primes += s[i].primes;
    return seconds;
}

/* The same four runs in Python: argv is io_ms, threads, primes_below; prints four times. */
static const char python_script[] =
    "import sys, threading, time\n"
    "io_ms, n, below = (int(a) for a in sys.argv[1:4])\n"
    "def is_prime(k):\n"
    "    d = 2\n"
    "    while d * d <= k:\n"
    "        if k % d == 0: return False\n"
    "        d += 1\n"
    "    return k >= 2\n"
    "def io(i): time.sleep(io_ms / 1000)\n"
    "def cpu(i): sum(1 for k in range(i, below, n) if is_prime(k))\n"
    "def timed(work, threaded):\n"
    "    t0 = time.monotonic()\n"
    "    if threaded:\n"
    "        ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]\n"
    "        for t in ts: t.start()\n"
    "        for t in ts: t.join()\n"
    "    else:\n"
    "        for i in range(n): work(i)\n"
    "    return time.monotonic() - t0\n"
    "print(timed(io, False), timed(io, True), timed(cpu, False), timed(cpu, True))\n";
static const char *const modes[] = {"io-sequential", "io-threaded", "cpu-sequential", "cpu-threaded"};

static void compare_with_python(long t, long cores, double c_io, double c_cpu)
{
    char args[3][24], out[512];
    snprintf(args[0], sizeof args[0], "%ld", io_ms);
    snprintf(args[1], sizeof args[1], "%ld", t);
    snprintf(args[2], sizeof args[2], "%ld", primes_below / 10); /* CPython is 10-50x slower */
    char *argv[] = {"python3", "-c", (char *)python_script, args[0], args[1], args[2], NULL};
    tl_say("python3, the same work with Python threads (primes below %ld: compare speedups, not times)",
           primes_below / 10);
    double py[4];
    if (run_captured(argv, 60000, out, sizeof out) != 0 ||
        sscanf(out, "%lf %lf %lf %lf", &py[0], &py[1], &py[2], &py[3]) != 4) {
        tl_verdict(TL_WARN, "python3 did not finish the comparison within 60 s (it printed '%.60s')", out);
        return;
    }
    tl_verdict(TL_INFO, "I/O-bound speedup with %ld threads: C %.1fx, Python %.1fx (a sleeping Python "
               "thread lets go of the GIL)", t, c_io, py[0] / py[1]);
    tl_verdict(TL_INFO, "CPU-bound speedup with %ld threads: C %.1fx, Python %.1fx (the GIL lets one "
               "thread at a time run Python code)", t, c_cpu, py[2] / py[3]);
    for (int run = 0; run < 4; run++)
        tl_csv_row("4,python-%s,%ld,%ld,%ld,%.4f,%ld", modes[run], t, run % 2 ? t : 1,
                   run < 2 ? io_ms : 0, py[run], cores);
}

static void step_io_vs_cpu(long cores)
{
    step_title(4, "I/O-bound vs CPU-bound: what more threads buy");
    long t = n_threads, primes[4] = {0};
    double secs[4]; /* in the order of modes[] */
    share *s = tl_xcalloc((size_t)t, sizeof *s);
    for (int run = 0; run < 4; run++) {
        for (long i = 0; i < t; i++)
            s[i] = (share){.sleep_ms = run < 2 ? io_ms : 0, .first = i, .stride = t,
                           .below = run < 2 ? 0 : primes_below};
        secs[run] = time_shares(s, t, run % 2 == 1, &primes[run]);
    }
    free(s);
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
        compare_with_python(t, cores, io_speedup, cpu_speedup);
}

/* ---- Step 5: your exercise, on tasks with guard entries past the end, under a bound ---- */

enum { GUARDS = 4, GUARD_ID = 1000, GATE_MS = 500 };
static struct {
    long n;
    atomic_int calls[64], strays, arrived, running, max_running, finished;
} probe;

/* A fake download that first waits (bounded) until every task has started: so it can count
 * how many run at once, and it reads its task only after the caller's loop is over. */
static void probed_download(const task *t, task_result *out)
{
    int now = atomic_fetch_add(&probe.running, 1) + 1, max = atomic_load(&probe.max_running);
    while (now > max && !atomic_compare_exchange_weak(&probe.max_running, &max, now)) {
    }
    atomic_fetch_add(&probe.arrived, 1);
    struct timespec gate = tl_deadline_monotonic(GATE_MS);
    while (atomic_load(&probe.arrived) < probe.n && tl_ms_until(gate) > 0)
        tl_sleep_ms(1);
    if (t->id >= 0 && t->id < probe.n)
        atomic_fetch_add(&probe.calls[t->id], 1);
    else
        atomic_fetch_add(&probe.strays, 1);
    fake_download(t, out);
    atomic_fetch_sub(&probe.running, 1);
    atomic_fetch_add(&probe.finished, 1);
}

typedef struct {
    task *tasks;
    task_result *results;
    size_t n;
    int rc, finished_at_return;
    double seconds;
    atomic_bool returned; /* polled by main, so a hang in the exercise cannot hang the lab */
} exercise_call;

static void *call_exercise(void *arg)
{
    exercise_call *c = arg;
    tl_stopwatch sw = tl_stopwatch_start();
    c->rc = run_all_threaded(c->tasks, c->results, c->n, probed_download);
    c->seconds = tl_stopwatch_s(&sw);
    c->finished_at_return = atomic_load(&probe.finished);
    atomic_store(&c->returned, true);
    return NULL;
}

/* Why the exercise is not done yet, in one sentence; NULL when it is. */
static const char *exercise_problem(exercise_call *c, char *why, size_t len)
{
    long n = (long)c->n, missing = -1, repeated = -1;
    if (!atomic_load(&c->returned))
        return "run_all_threaded did not return within its bound: is a thread never joined?";
    if (c->finished_at_return < n)
        return "run_all_threaded returned before its threads had finished: join every one first";
    for (long id = 0; id < n; id++) {
        missing = missing < 0 && atomic_load(&probe.calls[id]) == 0 ? id : missing;
        repeated = repeated < 0 && atomic_load(&probe.calls[id]) > 1 ? id : repeated;
    }
    const char *amp_i = "every thread was given the address of the same variable, which the loop "
                        "kept changing (the &i bug)";
    if (missing >= 0 && repeated >= 0)
        snprintf(why, len, "task %ld ran 0 times and task %ld ran %d times: %s", missing, repeated,
                 atomic_load(&probe.calls[repeated]), amp_i);
    else if (atomic_load(&probe.strays) > 0)
        snprintf(why, len, "a thread was handed the entry past the end of tasks[]: %s", amp_i);
    else if (missing >= 0 || repeated >= 0)
        snprintf(why, len, "task %ld did not run exactly once: start one thread per task",
                 missing >= 0 ? missing : repeated);
    else if (c->rc != 0)
        snprintf(why, len, "run_all_threaded returned %d, expected 0", c->rc);
    else if (atomic_load(&probe.max_running) != n)
        snprintf(why, len, "at most %d of %ld tasks ran at the same time: start every thread before "
                 "joining any", atomic_load(&probe.max_running), n);
    for (long i = 0; i < n + GUARDS && why[0] == '\0'; i++) {
        task_result want = {-1, -1, -1}, got = c->results[i]; /* guards must stay untouched */
        if (i < n)
            fake_download(&(task){(int)i, 0, i == n - 1}, &want);
        if (got.task_id != want.task_id || got.value != want.value || got.error != want.error)
            snprintf(why, len, "results[%ld] = {task %d, value %ld, error %d}, expected {task %d, "
                     "value %ld, error %d}: %s", i, got.task_id, got.value, got.error, want.task_id,
                     want.value, want.error, i < n ? "read before the threads were joined?"
                                                   : "written past the end of results[]");
    }
    return why[0] != '\0' ? why : NULL;
}

static void step_exercise(long ms, long cores)
{
    step_title(5, "Exercise: your run_all_threaded() in labs/00-threads/exercise.c");
    size_t n = (size_t)n_tasks;
    exercise_call *c = tl_xcalloc(1, sizeof *c);
    c->tasks = tl_xcalloc(n + GUARDS, sizeof *c->tasks);
    c->results = tl_xcalloc(n + GUARDS, sizeof *c->results);
    c->n = n;
    for (size_t i = 0; i < n + GUARDS; i++) {
        c->tasks[i] = (task){i < n ? (int)i : GUARD_ID, (int)ms, i == n - 1};
        c->results[i] = (task_result){-1, -1, -1};
    }
    probe.n = n_tasks;
    pthread_t caller;
    TL_CHECK(pthread_create(&caller, NULL, call_exercise, c));
    struct timespec bound = tl_deadline_monotonic(n_tasks * (GATE_MS + ms) + 3000);
    while (!atomic_load(&c->returned) && tl_ms_until(bound) > 0)
        tl_sleep_ms(2);
    char why[512] = "";
    const char *problem = exercise_problem(c, why, sizeof why);
    if (problem == NULL)
        tl_verdict(TL_OK, "%ld tasks of %ld ms: each ran once, all %ld at the same time, results read "
                   "after join: %.2f s (the longest task, not the sum: %.2f s)", n_tasks, ms, n_tasks,
                   c->seconds, (double)(n_tasks * ms) / 1000);
    else
        tl_verdict(TL_TODO, "%s — run `make check-lab00`", problem);
    if (!atomic_load(&c->returned)) {
        TL_CHECK(pthread_detach(caller)); /* still inside the exercise: leave its memory alone */
        return;
    }
    tl_csv_row("5,exercise,%ld,%ld,%ld,%.4f,%ld", n_tasks, n_tasks, ms, c->seconds, cores);
    TL_CHECK(pthread_join(caller, NULL));
    if (c->finished_at_return < n_tasks)
        return; /* its threads may still be running and using the arrays: leave them alone */
    free(c->tasks);
    free(c->results);
    free(c);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    prog_path = argv[0];
    if (strcmp(end_main, "no") != 0)
        return run_heartbeat(end_main);
    if (compare_python && only_step != 0 && only_step != 4) {
        fprintf(stderr, "lab00: --compare-python runs Step 4 only, not --step %ld\n", only_step);
        return 2;
    }
    char out[64];
    if (compare_python && run_captured((char *[]){"python3", "-c", "pass", NULL}, 10000, out, sizeof out) != 0) {
        fprintf(stderr, "lab00: --compare-python needs python3 on PATH, and none could be run\n");
        return 2;
    }
    only_step = compare_python ? 4 : only_step;
    long cores = sysconf(_SC_NPROCESSORS_ONLN), short_ms = delay_ms < 100 ? delay_ms : 100;

    tl_report_init("lab00", &common);
    tl_header("threads");
    tl_csv_header("step,mode,tasks,threads,delay_ms,seconds,cores");
    if (only_step == 0 || only_step == 1)
        step_why_threads(cores);
    if (only_step == 0 || only_step == 2)
        step_lifecycle(short_ms);
    if (only_step == 0 || only_step == 3)
        step_detached();
    if (only_step == 0 || only_step == 4)
        step_io_vs_cpu(cores);
    if (only_step == 0 || only_step == 5)
        step_exercise(short_ms, cores);
    tl_lesson("threads let waits overlap. Give each thread its own argument and result, join it "
              "before you read what it wrote, and expect CPU-bound work to scale only up to the "
              "number of cores.");
    return tl_report_exit_status();
}
