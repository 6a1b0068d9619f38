/* lab01 — race counter: why `counter = counter + 1` from many threads loses updates, and the
 * two ways to make it one indivisible step (a mutex, a C11 atomic). `./lab01 --help`; the
 * lesson is in labs/01-race-counter/README.md. Beside this file: crowd.c (threads released
 * together, waited for with a bound) and checks.c (Step 4: the checks of your exercise). */
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "crowd.h"
#include "report.h"

enum {
    RACERS = 100,          /* Step 1: the article's 100 threads */
    REGISTRARS = 8,        /* Step 3: threads registering the same name */
    VALIDATE_MS = 10,      /* Step 3: the gap between the check and the insert */
    UNSAFE_RUNS = 3,       /* Step 2: chances the unsafe loop gets to show its race */
};
#define DEMO_BOUND_MS 60000L /* the demo's own threads always finish; this is only a bound */

static long threads = 4, increments = 1000000, pause_us = 100;

static const tl_option options[] = {
    {"threads", TL_OPT_LONG, &threads, 1, 64, "N", "threads incrementing at once in Step 2", NULL,
     NULL},
    {"increments", TL_OPT_LONG, &increments, 1, 100000000, "N", "increments per thread in Step 2",
     NULL, NULL},
    {"pause-us", TL_OPT_LONG, &pause_us, 0, 10000, "US",
     "pause between the read and the write in Step 1 (the race window)", NULL, NULL},
    {0},
};

static const char about[] =
    "Threads that each do `counter = counter + 1` on one shared counter lose updates: the read,\n"
    "the add and the write are separate steps, and a write based on a stale read overwrites\n"
    "another thread's update. Step 1: 100 threads read, pause, write (the classic demo), then a\n"
    "mutex and a C11 atomic fix it. Step 2: plain counter++ without a pause, and what the mutex\n"
    "and the atomic cost per increment (--csv for charts). Step 3: the same race in a\n"
    "check-then-act (\"if absent, insert\"). Step 4: your exercise.";

/* Steps 1-2: the shared counter. `volatile` only stops the compiler from keeping it in a
 * register, or turning Step 2's loop of ++ into a single `+= increments` (gcc -O2 does), which
 * would hide the race. It does NOT make ++ safe: gcc emits a load, an add and a store; clang one
 * `add` to memory without the `lock` prefix, which the CPU also does as load, add, store. */
static volatile long counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long counter_atomic;

/* ---- Step 1: read, pause, write back ---- */

/* Unsafe on purpose (named in tests/tsan.supp): every thread that reads before the first
 * write-back sees the same value, and every one of them writes back that value plus one. */
static void increment_unsafe(void *unused)
{
    (void)unused;
    long seen = counter;
    tl_sleep_us(pause_us);
    counter = seen + 1;
}

/* The same window, but only one thread at a time can be inside it. */
static void increment_locked(void *unused)
{
    (void)unused;
    TL_CHECK(pthread_mutex_lock(&counter_lock));
    long seen = counter;
    tl_sleep_us(pause_us);
    counter = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&counter_lock));
}

/* The pause stays, but the read-modify-write is one indivisible step: no window is left. */
static void increment_atomic(void *unused)
{
    (void)unused;
    tl_sleep_us(pause_us);
    atomic_fetch_add(&counter_atomic, 1);
}

/* ---- Step 2: many plain increments, no pause ---- */

/* Unsafe on purpose (named in tests/tsan.supp): two cores can both load N and both store N+1. */
static void increment_many_unsafe(void *unused)
{
    (void)unused;
    for (long i = 0; i < increments; i++)
        counter++;
}

static void increment_many_locked(void *unused)
{
    (void)unused;
    for (long i = 0; i < increments; i++) {
        TL_CHECK(pthread_mutex_lock(&counter_lock));
        counter++;
        TL_CHECK(pthread_mutex_unlock(&counter_lock));
    }
}

static void increment_many_atomic(void *unused)
{
    (void)unused;
    for (long i = 0; i < increments; i++)
        atomic_fetch_add(&counter_atomic, 1);
}

/* The three ways to add one, side by side, for Step 1 and Step 2. */
static const struct {
    const char *name, *csv_name;
    crowd_task read_pause_write, plain_increments;
} variants[] = {
    {"unsafe", "unsafe-wrong", increment_unsafe, increment_many_unsafe},
    {"locked", "mutex", increment_locked, increment_many_locked},
    {"atomic", "atomic", increment_atomic, increment_many_atomic},
};
enum { UNSAFE, LOCKED, ATOMIC, VARIANTS };

/* Zeroes the counters, runs n threads of `increment` released together, returns the count. */
static long count_with(crowd_task increment, int n, double *seconds)
{
    counter = 0;
    atomic_store(&counter_atomic, 0);
    crowd_result r = crowd_run(n, increment, NULL, DEMO_BOUND_MS);
    if (!r.finished)
        TL_DIE("the demo's threads did not finish within %ld s", DEMO_BOUND_MS / 1000);
    *seconds = r.seconds;
    return counter + atomic_load(&counter_atomic); /* each variant uses one; the other stays 0 */
}

/* The safe variants must be exact; the unsafe one shows [race] with the updates lost, or an
 * honest [warn] when none were lost. */
static void report_count(int v, long got, long expected, const char *why_none_lost)
{
    if (v != UNSAFE)
        tl_expect(got == expected, TL_FAIL, "%s counter = %ld (expected %ld)", variants[v].name,
                  got, expected);
    else if (got < expected)
        tl_verdict(TL_RACE, "unsafe counter = %ld (expected %ld; %ld updates lost)", got, expected,
                   expected - got);
    else
        tl_verdict(TL_WARN, "unsafe counter = %ld (expected %ld; no update lost: %s)", got,
                   expected, why_none_lost);
}

static void step_read_pause_write(void)
{
    tl_step("%d threads each read the counter, pause %ld us, write it back plus one", RACERS,
            pause_us);
    tl_say("They start together behind a start gate, so they all read at about the same moment.");
    for (int v = 0; v < VARIANTS; v++) {
        double seconds;
        report_count(v, count_with(variants[v].read_pause_write, RACERS, &seconds), RACERS,
                     "the threads did not overlap this run; try a longer --pause-us");
    }
}

static void step_plain_increments(void)
{
    long expected = threads * increments, cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *why_none_lost =
        threads == 1  ? "one thread has nobody to race with; try --threads 4"
        : cores == 1 ? "one core, so the threads took turns and were never cut off between the "
                       "load and the store; the race is still there"
                     : "in every run the threads ran one after another, never at the same "
                       "time; the race is still there";
    tl_step("%ld threads x %ld plain `counter++`, no pause (%ld cores online)", threads,
            increments, cores);
    tl_csv_header("variant,threads,increments,seconds,per_second,lost");
    double ns[VARIANTS];
    for (int v = 0; v < VARIANTS; v++) {
        double seconds;
        long got = count_with(variants[v].plain_increments, (int)threads, &seconds);
        /* Whether this race shows is a matter of timing (on a busy machine the threads may run
         * one after another), so the unsafe loop gets a few runs; the verdict is the last run's. */
        int runs = 1;
        while (v == UNSAFE && got == expected && threads > 1 && runs < UNSAFE_RUNS) {
            got = count_with(variants[v].plain_increments, (int)threads, &seconds);
            runs++;
        }
        if (runs > 1 && got < expected)
            tl_say("The unsafe loop lost nothing in %d run%s before this one: races depend on "
                   "timing.", runs - 1, runs > 2 ? "s" : "");
        ns[v] = seconds * 1e9 / (double)expected;
        tl_csv_row("%s,%ld,%ld,%.6f,%.0f,%ld", variants[v].csv_name, threads, expected, seconds,
                   seconds > 0 ? (double)expected / seconds : 0.0, expected - got);
        report_count(v, got, expected, why_none_lost);
    }
    tl_verdict(TL_INFO, "cost per increment: mutex %.1f ns, atomic %.1f ns (unsafe %.1f ns, and "
                        "wrong)", ns[LOCKED], ns[ATOMIC], ns[UNSAFE]);
}

/* ---- Step 3: check-then-act ---- */

/* A tiny user table behind a read-write lock: lookups share it, inserts have it alone. Each
 * registrar inserts at most once, so REGISTRARS entries always fit. */
static struct {
    pthread_rwlock_t lock;
    const char *names[REGISTRARS];
    int size;
} users = {.lock = PTHREAD_RWLOCK_INITIALIZER};

/* How many times name is in the table; the caller holds users.lock. */
static int users_count(const char *name)
{
    int n = 0;
    for (int i = 0; i < users.size; i++)
        n += strcmp(users.names[i], name) == 0;
    return n;
}

/* Each step holds the lock, so there is no data race; but the check and the insert are two
 * steps, and between them every other thread checks too, finds the name absent, inserts it. */
static void register_unsafe(void *name)
{
    TL_CHECK(pthread_rwlock_rdlock(&users.lock));
    bool known = users_count(name) > 0;
    TL_CHECK(pthread_rwlock_unlock(&users.lock));
    if (!known) {
        tl_sleep_ms(VALIDATE_MS); /* e.g. validating the new user */
        TL_CHECK(pthread_rwlock_wrlock(&users.lock));
        users.names[users.size++] = name;
        TL_CHECK(pthread_rwlock_unlock(&users.lock));
    }
}

/* The whole compound action under one (exclusive) lock: nobody can check in between. */
static void register_locked(void *name)
{
    TL_CHECK(pthread_rwlock_wrlock(&users.lock));
    if (users_count(name) == 0) {
        tl_sleep_ms(VALIDATE_MS);
        users.names[users.size++] = name;
    }
    TL_CHECK(pthread_rwlock_unlock(&users.lock));
}

static void step_check_then_act(void)
{
    static char name[] = "alice";
    tl_step("%d threads register '%s' at once: if absent, validate (%d ms), insert", REGISTRARS,
            name, VALIDATE_MS);
    crowd_task register_variants[] = {register_unsafe, register_locked};
    for (int v = 0; v < 2; v++) {
        users.size = 0;
        if (!crowd_run(REGISTRARS, register_variants[v], name, DEMO_BOUND_MS).finished)
            TL_DIE("the registering threads did not finish within %ld s", DEMO_BOUND_MS / 1000);
        int n = users_count(name);
        if (v == 0)
            tl_verdict(n > 1 ? TL_RACE : TL_WARN, "unsafe registration: '%s' is in the table %d "
                       "times (expected 1; %d duplicates)", name, n, n - 1);
        else
            tl_expect(n == 1, TL_FAIL, "locked registration: '%s' is in the table %d time%s "
                      "(expected 1)", name, n, n == 1 ? "" : "s");
    }
}

int main(int argc, char **argv)
{
    static const tl_cli cli = {"lab01", "[options]", about, options, false, 0};
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab01", &common);
    tl_header("race counter");
    step_read_pause_write();
    step_plain_increments();
    step_check_then_act();
    tl_checks_step(&tl_lab_checks);
    tl_lesson("a read-modify-write of shared data is several steps; make it one (a mutex held "
              "across all of them, or one atomic operation), and lock a check-then-act as a "
              "whole, not step by step.");
    return tl_report_exit_status();
}
