/* lab07 — deadlock: two threads take two locks in opposite orders. Step 1 shows the hang (with
 * plain mutexes, cut short by a time limit), step 2 has traced locks detect the cycle and make one
 * thread back off, step 3 takes the locks in one order, step 4 has the lock-order checker flag
 * the inversion on a run where nothing deadlocked, step 5 runs the checks of your transfer
 * (exercise.c; the table is checks.c). */
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "locktrace.h"
#include "pair_run.h"
#include "report.h"

#define MAX_ATTEMPTS 100         /* a victim retries at most this often */

static long hang_ms = 1000, backoff_ms = 50, rounds = 1000000;

static const tl_option options[] = {
    {"hang-ms", TL_OPT_LONG, &hang_ms, 1, 10000, "MS",
     "step 1: how long the deadlocked plain mutexes wait before the demo gives up", "100", NULL},
    {"backoff-ms", TL_OPT_LONG, &backoff_ms, 1, 1000, "MS", "step 2: how long the victim backs off", "10", NULL},
    {"rounds", TL_OPT_LONG, &rounds, 1, 10000000, "N", "step 3: rounds each thread takes both locks in order",
     "10000", NULL},
    {0},
};

static const char about[] =
    "Deadlock: T1 takes lock_a then lock_b while T2 takes lock_b then lock_a. Once each holds its\n"
    "first lock (a gate makes sure of it, every run), each waits for the other forever.\n"
    "Step 1 shows that hang with plain mutexes (cut short by a time limit). Step 2 uses traced\n"
    "locks (common/locktrace.h): the wait that closes the cycle fails with EDEADLK, the cycle is\n"
    "printed in words, and that thread (the victim) backs off and retries. Step 3 takes the locks\n"
    "in one global order: no deadlock is possible, none is detected, and it is timed. Step 4 runs\n"
    "the two orders one after the other: nothing hangs, yet the lock-order checker flags the\n"
    "inversion. Step 5 runs the checks of your transfer between accounts\n"
    "(labs/07-deadlock/exercise.c), as `make check-lab07` does.\n"
    "--csv prints order,locks,threads,rounds,deadlocks,seconds.";

static const tl_cli cli = {"lab07", "[options]", about, options, false, 0};

/* ---- Step 1: opposite orders on plain mutexes ---- */

typedef struct {
    const char *name, *first_name, *second_name;
    pthread_mutex_t *first, *second;
    int rc; /* of the timed wait for the second lock */
} plain_thread;

/* Takes its two locks with nothing to detect a cycle. (TSan's lock-order detector records no
 * order for a timed lock, so this deliberate inversion needs no entry in tests/tsan.supp.) */
static void *take_both_plain(void *arg)
{
    plain_thread *t = arg;
    TL_CHECK(pthread_mutex_lock(t->first)); /* free at this point: nobody else takes it first */
    pair_note("%s took %s", t->name, t->first_name);
    t->rc = ETIMEDOUT;
    if (pair_gate()) {
        pair_note("%s waits for %s", t->name, t->second_name);
        struct timespec deadline = tl_deadline_realtime(hang_ms); /* plain pthread_mutex_lock would hang */
        t->rc = TL_CHECK_EXPECT(pthread_mutex_timedlock(t->second, &deadline), ETIMEDOUT);
        pair_note("%s %s %s", t->name, t->rc == 0 ? "took" : "gave up waiting for", t->second_name);
        (void)pair_gate(); /* keep holding until both gave up, or one could win late */
    }
    if (t->rc == 0)
        TL_CHECK(pthread_mutex_unlock(t->second));
    TL_CHECK(pthread_mutex_unlock(t->first));
    return NULL;
}

static void show_plain_deadlock(void)
{
    tl_step("T1 takes lock_a then lock_b, T2 takes lock_b then lock_a (plain mutexes, %ld ms limit)", hang_ms);
    static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
    plain_thread t1 = {"T1", "lock_a", "lock_b", &a, &b, 0}, t2 = {"T2", "lock_b", "lock_a", &b, &a, 0};
    pair_run(take_both_plain, &t1, &t2, false);
    tl_verdict(t1.rc == ETIMEDOUT && t2.rc == ETIMEDOUT ? TL_RACE : TL_FAIL,
               "plain mutexes: %s, %s (expected neither: each waits for a lock the other holds; without "
               "the %ld ms limit both would wait forever)", t1.rc ? "T1 never got lock_b" : "T1 got lock_b",
               t2.rc ? "T2 never got lock_a" : "T2 got lock_a", hang_ms);
}

/* ---- Step 2: the same with traced locks: detected, one victim backs off ---- */

static tl_tlock lock_a, lock_b;

typedef struct {
    const char *name;
    tl_tlock *first, *second;
    int deadlocks;
    bool finished;
    char cycle[TL_TEXT_MAX];
} traced_thread;

/* 0, or what the wait ended with: EDEADLK (a cycle; we are the victim) or ETIMEDOUT. */
static int timed_take(tl_tlock *lock)
{
    int rc = tl_tlock_timedlock(lock, PAIR_BOUND_MS, NULL);
    return rc == EDEADLK ? rc : TL_CHECK_EXPECT(rc, ETIMEDOUT);
}

static void *take_both_traced(void *arg)
{
    traced_thread *t = arg;
    tl_thread_set_name(t->name);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS && !t->finished; attempt++) {
        if (timed_take(t->first) != 0)
            break; /* holding nothing, so it cannot be a victim: timed out, a bug in the demo */
        pair_note("%s took %s", t->name, t->first->name);
        if (attempt == 1 && !pair_gate())
            pair_note("%s: the other thread never came", t->name);
        pair_note("%s waits for %s", t->name, t->second->name);
        int rc = timed_take(t->second);
        if (rc == EDEADLK && t->deadlocks++ == 0)
            snprintf(t->cycle, sizeof t->cycle, "%s", tl_last_deadlock()->text);
        if (rc == EDEADLK)
            pair_note("%s got EDEADLK: %s. It backs off: releases %s, waits %ld ms, retries", t->name,
                 tl_last_deadlock()->text, t->first->name, backoff_ms);
        if (rc == 0) {
            pair_note("%s took %s: done", t->name, t->second->name);
            TL_CHECK(tl_tlock_unlock(t->second));
            t->finished = true;
        }
        TL_CHECK(tl_tlock_unlock(t->first));
        if (rc == EDEADLK)
            tl_sleep_ms(backoff_ms);
        else if (rc != 0)
            break;
    }
    return NULL;
}

static void show_detected_deadlock(void)
{
    tl_step("The same with traced locks: the wait that closes the cycle gets EDEADLK, and backs off");
    traced_thread t1 = {"T1", &lock_a, &lock_b, 0, false, ""}, t2 = {"T2", &lock_b, &lock_a, 0, false, ""};
    tl_stopwatch sw = tl_stopwatch_start();
    pair_run(take_both_traced, &t1, &t2, false);
    double ms = tl_stopwatch_ms(&sw);
    traced_thread *victim = t1.deadlocks > 0 ? &t1 : &t2;
    tl_verdict(t1.deadlocks + t2.deadlocks >= 1 ? TL_RACE : TL_FAIL,
               "deadlocks detected = %d (expected at least 1, every run): %s", t1.deadlocks + t2.deadlocks,
               victim->deadlocks > 0 ? victim->cycle : "no cycle found");
    tl_expect(t1.finished && t2.finished, TL_FAIL,
              "threads that finished = %d (expected 2: the victim %s backed off %ld ms and retried) in %.0f ms",
              t1.finished + t2.finished, victim->name, backoff_ms, ms);
    tl_csv_row("opposite,traced,2,1,%d,%.6f", t1.deadlocks + t2.deadlocks, ms / 1000);
}

/* ---- Step 3: one global order: lock_a, then lock_b, for everybody ---- */

static pthread_mutex_t plain_a = PTHREAD_MUTEX_INITIALIZER, plain_b = PTHREAD_MUTEX_INITIALIZER;
static long both_held_count; /* guarded by lock_a and lock_b (or plain_a and plain_b) */

typedef struct {
    bool traced;
    int failures; /* traced locks only: waits that ended in EDEADLK or ETIMEDOUT */
} ordered_thread;

static void *take_both_in_order(void *arg)
{
    ordered_thread *t = arg;
    for (long i = 0; i < rounds; i++) {
        if (!t->traced) { /* plain mutexes, in order: no wait can be circular, each hold is brief */
            TL_CHECK(pthread_mutex_lock(&plain_a));
            TL_CHECK(pthread_mutex_lock(&plain_b));
            both_held_count++;
            TL_CHECK(pthread_mutex_unlock(&plain_b));
            TL_CHECK(pthread_mutex_unlock(&plain_a));
        } else if (timed_take(&lock_a) != 0) {
            t->failures++;
        } else {
            if (timed_take(&lock_b) == 0) {
                both_held_count++;
                TL_CHECK(tl_tlock_unlock(&lock_b));
            } else {
                t->failures++;
            }
            TL_CHECK(tl_tlock_unlock(&lock_a));
        }
    }
    return NULL;
}

static void show_ordered(void)
{
    tl_step("Both threads take lock_a, then lock_b, %ld times each: one global order", rounds);
    tl_locktrace_reset();
    for (int traced = 1; traced >= 0; traced--) {
        ordered_thread t1 = {traced, 0}, t2 = {traced, 0};
        both_held_count = 0;
        tl_stopwatch sw = tl_stopwatch_start();
        pair_run(take_both_in_order, &t1, &t2, false);
        double s = tl_stopwatch_s(&sw);
        int inversions = tl_lockorder_reports(NULL, 0);
        if (traced)
            tl_expect(both_held_count == 2 * rounds && t1.failures + t2.failures == 0 && inversions == 0,
                      TL_FAIL, "traced locks: rounds = %ld, deadlocks = %d, lock-order reports = %d (expected "
                      "%ld, 0, 0) in %.3f s", both_held_count, t1.failures + t2.failures, inversions,
                      2 * rounds, s);
        else
            tl_expect(both_held_count == 2 * rounds, TL_FAIL, "plain mutexes: rounds = %ld (expected %ld; "
                      "nothing watches for cycles, the order alone rules them out) in %.3f s",
                      both_held_count, 2 * rounds, s);
        tl_csv_row("ordered,%s,2,%ld,%d,%.6f", traced ? "traced" : "plain", rounds, t1.failures + t2.failures, s);
    }
}

/* ---- Step 4: the two orders one after the other: no deadlock, still a bug ---- */

static void note_inversion(const tl_lockorder_report *report, void *unused)
{
    (void)unused;
    pair_note("lock-order checker: %s", report->text);
}

static void *take_both_once(void *arg)
{
    traced_thread *t = arg;
    tl_thread_set_name(t->name);
    if (timed_take(t->first) != 0)
        return NULL;
    if (timed_take(t->second) == 0) {
        pair_note("%s took %s, then %s", t->name, t->first->name, t->second->name);
        TL_CHECK(tl_tlock_unlock(t->second));
        t->finished = true;
    }
    TL_CHECK(tl_tlock_unlock(t->first));
    return NULL;
}

/* The same two orders on plain mutexes: nothing here notices, but valgrind's helgrind keeps a
 * lock-order graph of plain mutexes as locktrace does of traced locks, and reports this
 * inversion (tests/valgrind.supp lists it as intentional; `make valgrind` proves helgrind still
 * sees it). The locks are timed only to keep every wait bounded: they never wait. */
static void *take_both_plain_once(void *arg)
{
    plain_thread *t = arg;
    struct timespec deadline = tl_deadline_realtime(PAIR_BOUND_MS);
    t->rc = TL_CHECK_EXPECT(pthread_mutex_timedlock(t->first, &deadline), ETIMEDOUT);
    if (t->rc != 0)
        return NULL;
    t->rc = TL_CHECK_EXPECT(pthread_mutex_timedlock(t->second, &deadline), ETIMEDOUT);
    if (t->rc == 0) {
        pair_note("%s took %s, then %s (plain mutexes)", t->name, t->first_name, t->second_name);
        TL_CHECK(pthread_mutex_unlock(t->second));
    }
    TL_CHECK(pthread_mutex_unlock(t->first));
    return NULL;
}

static void show_lock_order_checker(void)
{
    tl_step("T1 takes lock_a then lock_b and ends; only then T2 takes lock_b then lock_a");
    tl_locktrace_reset();
    tl_lockorder_set_handler(note_inversion, NULL);
    traced_thread t1 = {"T1", &lock_a, &lock_b, 0, false, ""}, t2 = {"T2", &lock_b, &lock_a, 0, false, ""};
    pair_run(take_both_once, &t1, &t2, true);
    tl_lockorder_set_handler(NULL, NULL);
    tl_lockorder_report report;
    int inversions = tl_lockorder_reports(&report, 1);
    tl_expect(t1.finished && t2.finished, TL_FAIL,
              "threads that finished = %d (expected 2: they never ran at the same time, nothing hung)",
              t1.finished + t2.finished);
    tl_verdict(inversions == 1 ? TL_RACE : TL_FAIL,
               "lock-order inversions reported = %d (expected 1: %s took %s while holding %s, %s the reverse)",
               inversions, inversions ? report.earlier.thread : "T1", inversions ? report.earlier.taken : "lock_b",
               inversions ? report.earlier.held : "lock_a", inversions ? report.later.thread : "T2");
    plain_thread p1 = {"T1", "lock_a", "lock_b", &plain_a, &plain_b, 0};
    plain_thread p2 = {"T2", "lock_b", "lock_a", &plain_b, &plain_a, 0};
    pair_run(take_both_plain_once, &p1, &p2, true);
    tl_expect(p1.rc == 0 && p2.rc == 0, TL_FAIL,
              "plain mutexes, the same two orders: threads that finished = %d (expected 2, and no "
              "report: a plain mutex keeps no order; `valgrind --tool=helgrind ./lab07` does)",
              (p1.rc == 0) + (p2.rc == 0));
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab07", &common);
    tl_csv_header("order,locks,threads,rounds,deadlocks,seconds");
    tl_header("deadlock");
    tl_tlock_init(&lock_a, "lock_a");
    tl_tlock_init(&lock_b, "lock_b");

    show_plain_deadlock();
    show_detected_deadlock();
    show_ordered();
    show_lock_order_checker();
    tl_checks_step(&tl_lab_checks);

    TL_CHECK(tl_tlock_destroy(&lock_a));
    TL_CHECK(tl_tlock_destroy(&lock_b));
    tl_lesson("A deadlock needs a cycle of threads, each holding a lock the next one wants. Give the "
              "locks one global order and no cycle can form; and check the order with a tool, because a "
              "run that did not hang proves nothing.");
    return tl_report_exit_status();
}
