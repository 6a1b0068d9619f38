/* bench_toolkit — how fast the toolkit's pieces are: a benchmark, not a test.
 *
 * It measures and prints figures; it asserts nothing about time (a loaded machine makes
 * every figure smaller, and that is not a bug). What it does check is that each run did
 * the work it claims (every task's result, every item, every increment), so a figure
 * never comes from a broken run.
 *
 * Each figure is calibrated first: the operation count is grown until one repetition takes
 * about --quick's or the full run's budget, so the whole bench takes about the same time on
 * a fast machine, a slow one, or under a sanitizer. The calibration run doubles as warm-up
 * (threads started, allocator primed). Then 5 repetitions (--quick: 3); the median is the
 * figure, the min-max its spread. Thread start-up is outside the timing: every thread waits at a
 * barrier, and the clock starts when main passes it.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "clock.h"
#include "event.h"
#include "pool.h"
#include "queue.h"
#include "report.h"

#define ITEM(i) ((void *)(uintptr_t)((i) + 1)) /* + 1: NULL is a valid item, but a bad witness */
#define POOL_TARGET_TASKS_PER_S 1e6           /* the pool's goal, 4 workers, submit + wait */
#define QUEUE_MAXSIZE 1024                    /* bounded: producers feel backpressure */
#define MAX_FIGURES 32
#define MAX_THREADS 8

static bool quick;

static const tl_option options[] = {
    {"quick", TL_OPT_FLAG, &quick, 0, 0, NULL,
     "short run (~5 s): smaller budget per repetition, 3 repetitions instead of 5", NULL, NULL},
    {0},
};

static const tl_cli cli = {
    "bench_toolkit", "[options]",
    "Throughput of the threadlab toolkit on this machine (a benchmark: it prints figures and\n"
    "asserts nothing about time). Each figure is the median of several repetitions, with the\n"
    "min-max spread:\n"
    "  - trivial tasks/s through tl_pool: submit N then result + free each, and tl_pool_map,\n"
    "    with 1, 2 and 4 workers (the target: >= 1,000,000 tasks/s with 4 workers);\n"
    "  - items/s through a tl_queue bounded at 1024, 1 producer/1 consumer and 4/4;\n"
    "  - round trips/s of a ping-pong between two threads over two tl_events;\n"
    "  - ns per operation of a pthread mutex lock+increment+unlock vs a C11 atomic increment,\n"
    "    uncontended and shared by 2 and 4 threads (wall time / all threads' operations);\n"
    "  - if python3 is on PATH, the same task loop through Python's ThreadPoolExecutor and the\n"
    "    ratio C/Python.\n"
    "Prints the figures step by step, then a table, then the same figures as CSV\n"
    "(benchmark,threads,unit,median,min,max,reps,ops_per_rep). --csv prints the CSV only.\n"
    "Every run is checked for doing its work (each task's result, each item, each increment);\n"
    "if one did not, that is a toolkit bug and the bench stops with exit status 1.\n"
    "The full run takes about 30 s on 2 cores; --quick (or --fast) about 5 s.",
    options, false, 0};

/* ---- the measuring harness ---- */

typedef struct bench bench;
struct bench {
    const char *name;  /* CSV: pool_submit_result, queue, ... */
    const char *label; /* table: "pool submit+result, 4 workers" */
    const char *unit;  /* "tasks/s", "items/s", "round trips/s" or "ns/op" */
    int threads;       /* workers, or threads taking part */
    size_t max_n;      /* cap on operations per repetition (memory, for the pool) */
    double (*run)(const bench *b, size_t n); /* does n operations, returns the seconds taken */
    tl_pool *pool;           /* the pool benches' */
    int producers, consumers; /* the queue benches' */
};

typedef struct {
    char name[40], label[64];
    const char *unit;
    int threads;
    double median, min, max;
    int reps;
    size_t ops;
} figure;

static figure figures[MAX_FIGURES];
static size_t figure_count;

static int reps(void) { return quick ? 3 : 5; }
static double budget_s(void) { return quick ? 0.06 : 0.25; }

static bool is_time_per_op(const char *unit) { return strcmp(unit, "ns/op") == 0; }

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts values[] and stores median, min and max into f. */
static void summarise(figure *f, double values[], int count)
{
    qsort(values, (size_t)count, sizeof *values, compare_doubles);
    f->min = values[0];
    f->max = values[count - 1];
    f->median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
    f->reps = count;
}

static figure *new_figure(const char *name, const char *label, const char *unit, int threads)
{
    if (figure_count == MAX_FIGURES)
        TL_DIE("more than %d figures: raise MAX_FIGURES", MAX_FIGURES);
    figure *f = &figures[figure_count++];
    *f = (figure){.unit = unit, .threads = threads};
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->label, sizeof f->label, "%s", label);
    return f;
}

/* Grows n until one run takes a good part of the budget, then scales it to the budget. */
static size_t calibrate(const bench *b)
{
    size_t n = 1000;
    for (;;) {
        double s = b->run(b, n);
        if (n >= b->max_n)
            return b->max_n;
        if (s >= budget_s() / 8) {
            double scaled = (double)n * budget_s() / s;
            return scaled > (double)b->max_n ? b->max_n : scaled < 1000 ? 1000 : (size_t)scaled;
        }
        n = n * 8 > b->max_n ? b->max_n : n * 8;
    }
}

/* "1,234,567" */
static const char *with_commas(double value, char *buf, size_t len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value);
    size_t n = strlen(digits), out = 0;
    for (size_t i = 0; i < n && out + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

/* A figure's value as the table shows it: rates with commas, times with one decimal. */
static const char *shown(const char *unit, double value, char *buf, size_t len)
{
    if (is_time_per_op(unit) || strcmp(unit, "x") == 0)
        snprintf(buf, len, "%.1f", value);
    else
        with_commas(value, buf, len);
    return buf;
}

static void say_figure(const figure *f)
{
    char med[32], lo[32], hi[32];
    tl_verdict(TL_INFO, "%s: %s %s (median of %d; min-max %s-%s)", f->label,
               shown(f->unit, f->median, med, sizeof med), f->unit, f->reps,
               shown(f->unit, f->min, lo, sizeof lo), shown(f->unit, f->max, hi, sizeof hi));
}

static const figure *measure(const bench *b)
{
    figure *f = new_figure(b->name, b->label, b->unit, b->threads);
    f->ops = calibrate(b);
    double values[8];
    for (int r = 0; r < reps(); r++) {
        double s = b->run(b, f->ops);
        values[r] = is_time_per_op(b->unit) ? s * 1e9 / (double)f->ops : (double)f->ops / s;
    }
    summarise(f, values, reps());
    say_figure(f);
    return f;
}

static double seconds_since(int64_t start_ns)
{
    double s = (double)(tl_now_ns() - start_ns) / 1e9;
    return s > 1e-9 ? s : 1e-9; /* a run too short for the clock still divides safely */
}

/* ---- threads that start together ---- */

/* Every thread of a run waits here with main, so the clock starts after they all exist. */
typedef struct {
    pthread_barrier_t gate;
    pthread_t threads[MAX_THREADS];
    int count;
} crew;

static void gate_wait(pthread_barrier_t *gate)
{
    TL_CHECK_EXPECT(pthread_barrier_wait(gate), PTHREAD_BARRIER_SERIAL_THREAD);
}

static void crew_init(crew *c, int threads)
{
    if (threads > MAX_THREADS)
        TL_DIE("%d threads: at most %d", threads, MAX_THREADS);
    TL_CHECK(pthread_barrier_init(&c->gate, NULL, (unsigned)threads + 1));
    c->count = 0;
}

static void crew_start(crew *c, void *(*body)(void *), void *arg)
{
    TL_CHECK(pthread_create(&c->threads[c->count++], NULL, body, arg));
}

/* Releases the crew (every thread must have been started) and returns the start time. */
static int64_t crew_go(crew *c)
{
    gate_wait(&c->gate);
    return tl_now_ns();
}

static void crew_join(crew *c, int first, int count)
{
    for (int i = first; i < first + count; i++)
        TL_CHECK(pthread_join(c->threads[i], NULL));
}

static void crew_destroy(crew *c)
{
    TL_CHECK(pthread_barrier_destroy(&c->gate));
}

/* Thread i's share of n operations spread over `threads`. */
static size_t share(size_t n, int threads, int i)
{
    return n / (size_t)threads + ((size_t)i < n % (size_t)threads);
}

/* ---- the thread pool ---- */

static int trivial_task(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static double run_pool_submit(const bench *b, size_t n)
{
    tl_future **futures = tl_xcalloc(n, sizeof *futures);
    int64_t start = tl_now_ns();
    for (size_t i = 0; i < n; i++)
        if ((futures[i] = tl_pool_submit(b->pool, trivial_task, ITEM(i), NULL)) == NULL)
            TL_DIE("tl_pool_submit returned NULL on a running pool");
    for (size_t i = 0; i < n; i++) {
        void *result;
        int status = tl_future_result(futures[i], TL_FUTURE_FOREVER, &result);
        if (status != TL_FUTURE_OK || result != ITEM(i))
            TL_DIE("task %zu: status %d, result %p (expected 0 and %p)", i, status, result, ITEM(i));
        tl_future_free(futures[i]);
    }
    double s = seconds_since(start);
    free(futures);
    return s;
}

static double run_pool_map(const bench *b, size_t n)
{
    void **args = tl_xcalloc(n, sizeof *args), **results = tl_xcalloc(n, sizeof *results);
    for (size_t i = 0; i < n; i++)
        args[i] = ITEM(i);
    int64_t start = tl_now_ns();
    int status = tl_pool_map(b->pool, trivial_task, args, n, results, NULL);
    double s = seconds_since(start);
    if (status != TL_FUTURE_OK || memcmp(args, results, n * sizeof *args) != 0)
        TL_DIE("tl_pool_map: status %d, or a result differs from its argument", status);
    free(results);
    free(args);
    return s;
}

static const figure *bench_pool(const char *name, const char *what, double (*run)(const bench *, size_t),
                                int workers)
{
    char label[64];
    snprintf(label, sizeof label, "pool %s, %d worker%s", what, workers, workers > 1 ? "s" : "");
    bench b = {.name = name, .label = label, .unit = "tasks/s", .threads = workers,
               .max_n = 400000, .run = run, .pool = tl_pool_create((size_t)workers)};
    const figure *f = measure(&b);
    tl_pool_destroy(b.pool);
    return f;
}

/* ---- the queue ---- */

typedef struct {
    tl_queue queue;
    size_t got[MAX_THREADS];  /* per consumer */
    uintptr_t sum[MAX_THREADS];
} queue_run;

typedef struct {
    queue_run *run;
    size_t first, count; /* a producer's items, or a consumer's index in `first` */
    crew *crew;
} queue_role;

static void *producer(void *arg)
{
    queue_role *role = arg;
    gate_wait(&role->crew->gate);
    for (size_t i = role->first; i < role->first + role->count; i++)
        if (tl_queue_put(&role->run->queue, ITEM(i)) != TL_QUEUE_OK)
            TL_DIE("tl_queue_put failed on an open queue");
    return NULL;
}

/* Drains until the graceful shutdown says nothing is left. */
static void *consumer(void *arg)
{
    queue_role *role = arg;
    gate_wait(&role->crew->gate);
    size_t got = 0;
    uintptr_t sum = 0;
    void *item;
    while (tl_queue_get(&role->run->queue, &item) == TL_QUEUE_OK) {
        got++;
        sum += (uintptr_t)item;
    }
    role->run->got[role->first] = got;
    role->run->sum[role->first] = sum;
    return NULL;
}

static double run_queue(const bench *b, size_t n)
{
    queue_run run;
    tl_queue_init(&run.queue, QUEUE_MAXSIZE, NULL);
    crew c;
    crew_init(&c, b->producers + b->consumers);
    queue_role roles[MAX_THREADS];
    size_t first = 0;
    for (int i = 0; i < b->producers; i++) {
        roles[i] = (queue_role){&run, first, share(n, b->producers, i), &c};
        first += roles[i].count;
        crew_start(&c, producer, &roles[i]);
    }
    for (int i = 0; i < b->consumers; i++) {
        roles[b->producers + i] = (queue_role){&run, (size_t)i, 0, &c};
        crew_start(&c, consumer, &roles[b->producers + i]);
    }
    int64_t start = crew_go(&c);
    crew_join(&c, 0, b->producers);
    tl_queue_shutdown(&run.queue, false, NULL); /* graceful: consumers drain, then stop */
    crew_join(&c, b->producers, b->consumers);
    double s = seconds_since(start);

    size_t got = 0;
    uintptr_t sum = 0;
    for (int i = 0; i < b->consumers; i++) {
        got += run.got[i];
        sum += run.sum[i];
    }
    if (got != n || sum != (uintptr_t)n * (n + 1) / 2)
        TL_DIE("queue: consumers got %zu items (expected %zu) or wrong ones", got, n);
    crew_destroy(&c);
    tl_queue_destroy(&run.queue);
    return s;
}

/* ---- event ping-pong ---- */

typedef struct {
    tl_event ping, pong;
    size_t rounds;
    crew *crew;
} ping_pong;

/* Each side lowers the flag it waited for BEFORE raising the other's, so the next set()
 * can never be erased by a late clear(). */
static void *ponger(void *arg)
{
    ping_pong *pp = arg;
    gate_wait(&pp->crew->gate);
    for (size_t i = 0; i < pp->rounds; i++) {
        tl_event_wait(&pp->ping);
        tl_event_clear(&pp->ping);
        tl_event_set(&pp->pong);
    }
    return NULL;
}

static double run_ping_pong(const bench *b, size_t n)
{
    (void)b;
    crew c;
    crew_init(&c, 1);
    ping_pong pp = {.rounds = n, .crew = &c};
    tl_event_init(&pp.ping);
    tl_event_init(&pp.pong);
    crew_start(&c, ponger, &pp);
    int64_t start = crew_go(&c);
    for (size_t i = 0; i < n; i++) {
        tl_event_set(&pp.ping);
        tl_event_wait(&pp.pong);
        tl_event_clear(&pp.pong);
    }
    double s = seconds_since(start);
    crew_join(&c, 0, 1);
    crew_destroy(&c);
    tl_event_destroy(&pp.pong);
    tl_event_destroy(&pp.ping);
    return s;
}

/* ---- mutex vs atomic increments ---- */

typedef struct {
    pthread_mutex_t mutex;
    long locked_counter;
    atomic_long atomic_counter;
    crew *crew;
} counters;

typedef struct {
    counters *shared;
    size_t count;
} incrementer;

static void *increment_with_mutex(void *arg)
{
    incrementer *me = arg;
    counters *c = me->shared;
    gate_wait(&c->crew->gate);
    for (size_t i = 0; i < me->count; i++) {
        TL_CHECK(pthread_mutex_lock(&c->mutex));
        c->locked_counter++;
        TL_CHECK(pthread_mutex_unlock(&c->mutex));
    }
    return NULL;
}

static void *increment_atomically(void *arg)
{
    incrementer *me = arg;
    gate_wait(&me->shared->crew->gate);
    for (size_t i = 0; i < me->count; i++)
        atomic_fetch_add(&me->shared->atomic_counter, 1);
    return NULL;
}

static double run_increments(const bench *b, size_t n, void *(*body)(void *))
{
    crew c;
    crew_init(&c, b->threads);
    counters shared = {.crew = &c};
    TL_CHECK(pthread_mutex_init(&shared.mutex, NULL));
    atomic_init(&shared.atomic_counter, 0);
    incrementer each[MAX_THREADS];
    for (int i = 0; i < b->threads; i++) {
        each[i] = (incrementer){&shared, share(n, b->threads, i)};
        crew_start(&c, body, &each[i]);
    }
    int64_t start = crew_go(&c);
    crew_join(&c, 0, b->threads);
    double s = seconds_since(start);
    long total = shared.locked_counter + atomic_load(&shared.atomic_counter);
    if (total != (long)n)
        TL_DIE("increments: counter = %ld (expected %zu): updates were lost", total, n);
    TL_CHECK(pthread_mutex_destroy(&shared.mutex));
    crew_destroy(&c);
    return s;
}

static double run_mutex(const bench *b, size_t n) { return run_increments(b, n, increment_with_mutex); }
static double run_atomic(const bench *b, size_t n) { return run_increments(b, n, increment_atomically); }

/* ---- Python's ThreadPoolExecutor, for comparison ---- */

/* The same loop as run_pool_submit: submit n, then result() each. Python starts its workers
 * lazily, so an untimed warm-up batch starts them first, as tl_pool_create does. Prints
 * "workers seconds" per repetition. */
static const char python_script[] =
    "import sys, time\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "def trivial(x):\n"
    "    return x\n"
    "n, reps = int(sys.argv[1]), int(sys.argv[2])\n"
    "for workers in map(int, sys.argv[3].split(',')):\n"
    "    with ThreadPoolExecutor(max_workers=workers) as ex:\n"
    "        for f in [ex.submit(trivial, i) for i in range(1000)]:\n"
    "            f.result(timeout=60)\n"
    "        for _ in range(reps):\n"
    "            start = time.perf_counter()\n"
    "            futures = [ex.submit(trivial, i) for i in range(n)]\n"
    "            for i, f in enumerate(futures):\n"
    "                if f.result(timeout=60) != i:\n"
    "                    sys.exit('wrong result')\n"
    "            print(workers, time.perf_counter() - start, flush=True)\n";

static volatile sig_atomic_t python_pid; /* for the overall bound to kill */

/* Runs the script; fills seconds[w][r] for each worker count in `workers`. False (with the
 * reason said) when python3 is missing or failed. */
static bool run_python(size_t n, const int workers[], int worker_kinds, double seconds[][8])
{
    int fds[2];
    if (pipe(fds) != 0)
        TL_DIE("pipe failed");
    char n_text[32], reps_text[16], workers_text[64] = "";
    snprintf(n_text, sizeof n_text, "%zu", n);
    snprintf(reps_text, sizeof reps_text, "%d", reps());
    for (int w = 0; w < worker_kinds; w++)
        snprintf(workers_text + strlen(workers_text), sizeof workers_text - strlen(workers_text),
                 "%s%d", w ? "," : "", workers[w]);
    fflush(stdout); /* the child must not inherit (and print) our buffered output */
    pid_t pid = fork();
    if (pid < 0)
        TL_DIE("fork failed");
    if (pid == 0) {
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(126);
        close(fds[0]);
        close(fds[1]);
        char *argv[] = {"python3", "-c", (char *)python_script, n_text, reps_text, workers_text, NULL};
        execvp(argv[0], argv);
        _exit(127); /* not found: the parent says so */
    }
    python_pid = pid;
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    if (out == NULL)
        TL_DIE("fdopen failed");
    int filled[8] = {0}, lines = 0, w_got;
    double s;
    while (fscanf(out, "%d %lf", &w_got, &s) == 2) {
        for (int w = 0; w < worker_kinds; w++)
            if (workers[w] == w_got && filled[w] < reps())
                seconds[w][filled[w]++] = s;
        lines++;
    }
    fclose(out);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        TL_DIE("waitpid failed");
    python_pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        tl_verdict(TL_INFO, "python3 not found on PATH: the comparison is skipped");
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || lines != worker_kinds * reps()) {
        tl_verdict(TL_WARN, "python3 failed (status %d, %d of %d figures): comparison skipped",
                   status, lines, worker_kinds * reps());
        return false;
    }
    return true;
}

static void compare_with_python(const figure *c_pool[], const int workers[], int worker_kinds)
{
    size_t n = quick ? 10000 : 20000; /* Python manages some 10^4 tasks/s: keep it seconds */
    double seconds[4][8];
    if (!run_python(n, workers, worker_kinds, seconds))
        return;
    for (int w = 0; w < worker_kinds; w++) {
        char label[64];
        snprintf(label, sizeof label, "Python ThreadPoolExecutor, %d worker%s", workers[w],
                 workers[w] > 1 ? "s" : "");
        figure *py = new_figure("python_submit_result", label, "tasks/s", workers[w]);
        double rates[8];
        for (int r = 0; r < reps(); r++)
            rates[r] = (double)n / seconds[w][r];
        summarise(py, rates, reps());
        py->ops = n;
        say_figure(py);

        /* The ratio's spread is the pessimistic and optimistic pairing of the two spreads. */
        snprintf(label, sizeof label, "C/Python submit+result, %d worker%s", workers[w],
                 workers[w] > 1 ? "s" : "");
        figure *ratio = new_figure("ratio_c_over_python", label, "x", workers[w]);
        ratio->median = c_pool[w]->median / py->median;
        ratio->min = c_pool[w]->min / py->max;
        ratio->max = c_pool[w]->max / py->min;
        ratio->reps = reps();
        ratio->ops = n;
        say_figure(ratio);
    }
}

/* ---- output ---- */

static void print_table(void)
{
    char med[32], lo[32], hi[32], range[72];
    printf("%-40s %14s  %-27s %s\n", "figure", "median", "min-max", "unit");
    for (size_t i = 0; i < figure_count; i++) {
        const figure *f = &figures[i];
        snprintf(range, sizeof range, "%s-%s", shown(f->unit, f->min, lo, sizeof lo),
                 shown(f->unit, f->max, hi, sizeof hi));
        printf("%-40s %14s  %-27s %s\n", f->label, shown(f->unit, f->median, med, sizeof med),
               range, f->unit);
    }
}

static void print_csv(void)
{
    printf("benchmark,threads,unit,median,min,max,reps,ops_per_rep\n");
    for (size_t i = 0; i < figure_count; i++) {
        const figure *f = &figures[i];
        const char *unit = is_time_per_op(f->unit)          ? "ns_per_op"
                           : strcmp(f->unit, "x") == 0      ? "ratio"
                           : strcmp(f->unit, "items/s") == 0 ? "items_per_s"
                           : strcmp(f->unit, "tasks/s") == 0 ? "tasks_per_s"
                                                             : "round_trips_per_s";
        printf("%s,%d,%s,%.6g,%.6g,%.6g,%d,%zu\n", f->name, f->threads, unit, f->median, f->min,
               f->max, f->reps, f->ops);
    }
}

/* The whole run is bounded: a stuck toolkit call (a lost wake-up, a deadlock) ends the bench
 * with a message instead of hanging `make bench`. */
static void on_overall_timeout(int sig)
{
    (void)sig;
    static const char message[] = "bench_toolkit: still running after the overall bound: a "
                                  "toolkit call is probably stuck (lost wake-up or deadlock)\n";
    if (python_pid > 0)
        kill((pid_t)python_pid, SIGKILL);
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(1);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    quick = quick || common.fast;
    tl_report_init("bench_toolkit", &common);
    struct sigaction on_alarm = {.sa_handler = on_overall_timeout};
    sigemptyset(&on_alarm.sa_mask);
    if (sigaction(SIGALRM, &on_alarm, NULL) != 0)
        TL_DIE("sigaction(SIGALRM) failed");
    alarm(quick ? 300 : 600); /* ~10x the expected time, for slow sanitizer builds */

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    char title[128];
    snprintf(title, sizeof title, "toolkit throughput (%ld CPUs online; %s run, %d repetitions "
             "per figure)", cpus, quick ? "quick" : "full", reps());
    tl_header(title);

    static const int workers[] = {1, 2, 4};
    enum { WORKER_KINDS = 3 };
    const figure *submit[WORKER_KINDS];
    tl_step("Thread pool (common/pool.h): trivial tasks, submit N then result + free each");
    for (int w = 0; w < WORKER_KINDS; w++)
        submit[w] = bench_pool("pool_submit_result", "submit+result", run_pool_submit, workers[w]);
    char rate[32];
    tl_verdict(submit[WORKER_KINDS - 1]->median >= POOL_TARGET_TASKS_PER_S ? TL_INFO : TL_WARN,
               "pool submit+result with 4 workers: %s tasks/s (the target: at least "
               "1,000,000; a loaded machine or a sanitizer build makes every figure smaller)",
               with_commas(submit[WORKER_KINDS - 1]->median, rate, sizeof rate));

    tl_step("Thread pool: tl_pool_map over N trivial tasks");
    for (int w = 0; w < WORKER_KINDS; w++)
        bench_pool("pool_map", "map", run_pool_map, workers[w]);

    tl_step("Queue (common/queue.h, maxsize %d): items through producers and consumers",
            QUEUE_MAXSIZE);
    static const int sides[] = {1, 4};
    for (int i = 0; i < 2; i++) {
        char label[64];
        snprintf(label, sizeof label, "queue %d producer%s / %d consumer%s", sides[i],
                 sides[i] > 1 ? "s" : "", sides[i], sides[i] > 1 ? "s" : "");
        bench b = {.name = i ? "queue_4p4c" : "queue_1p1c", .label = label, .unit = "items/s",
                   .threads = 2 * sides[i], .max_n = SIZE_MAX, .run = run_queue,
                   .producers = sides[i], .consumers = sides[i]};
        measure(&b);
    }

    tl_step("Event (common/event.h): ping-pong between two threads over two events");
    bench pp = {.name = "event_ping_pong", .label = "event ping-pong, 2 threads",
                .unit = "round trips/s", .threads = 2, .max_n = SIZE_MAX, .run = run_ping_pong};
    measure(&pp);

    tl_step("pthread mutex lock+increment+unlock vs C11 atomic increment (ns per operation)");
    static const int sharers[] = {1, 2, 4};
    for (int kind = 0; kind < 2; kind++) {
        for (int i = 0; i < 3; i++) {
            char label[64];
            snprintf(label, sizeof label, "%s, %s", kind ? "atomic increment" : "mutex increment",
                     sharers[i] == 1 ? "uncontended" : sharers[i] == 2 ? "2 threads" : "4 threads");
            bench b = {.name = kind ? "atomic_increment" : "mutex_increment", .label = label,
                       .unit = "ns/op", .threads = sharers[i], .max_n = SIZE_MAX,
                       .run = kind ? run_atomic : run_mutex};
            measure(&b);
        }
    }

    tl_step("Python's ThreadPoolExecutor: the same submit N, then result() each");
    compare_with_python(submit, workers, WORKER_KINDS);

    if (!tl_report_csv()) {
        tl_step("The figures");
        print_table();
        printf("\n");
    }
    print_csv();
    alarm(0);
    return tl_report_exit_status();
}
