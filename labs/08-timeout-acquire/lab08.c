/* lab08 — timeout acquire: a wait for a lock that gives up, and says why. Step 1: a worker
 * waits for the traced lock "db" with a timeout while a holder keeps it; it gives up, logs which
 * lock, which thread holds it, for how long, and its own stack, then retries and gets it. Step 2:
 * the same wait on a plain mutex with pthread_mutex_timedlock, and its absolute wall-clock
 * deadline. Step 3 checks your timed and all-or-nothing acquisition (exercise.c). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "event.h"
#include "locktrace.h"
#include "report.h"
#include "stack_trace.h"

#define BOUND_MS 10000L /* the demo's own waits for its helper threads give up after this */
#define TOLERANCE_MS 2.0 /* a deadline rounded to whole milliseconds may end this early */

static long hold_ms = 3000, timeout_ms = 2000;

static const tl_option options[] = {
    {"hold-ms", TL_OPT_LONG, &hold_ms, 1, 60000, "MS", "how long the holder keeps the lock", "300", NULL},
    {"timeout-ms", TL_OPT_LONG, &timeout_ms, 1, 60000, "MS", "how long each attempt to take it waits", "200", NULL},
    {0},
};

static const char about[] =
    "A lock that may be held for long must be waited for with a timeout, and a wait that gives up\n"
    "must say why. Step 1: a holder keeps the lock \"db\" for --hold-ms; a worker tries to take it\n"
    "with --timeout-ms, gives up, logs which lock, which thread holds it, how long it waited, how\n"
    "long the holder has held it, and a stack trace (backtrace()), then retries and succeeds once\n"
    "the holder lets go. Step 2: the same wait on a plain mutex with pthread_mutex_timedlock, whose\n"
    "deadline is an absolute time on the wall clock (CLOCK_REALTIME). Step 3 checks your\n"
    "lock_with_timeout and lock_both_or_neither (labs/08-timeout-acquire/exercise.c).\n"
    "--csv prints part,attempt,timeout_ms,result,waited_ms,holder_held_ms.";

static const tl_cli cli = {"lab08", "[options]", about, options, false, 0};

/* ---- Step 1: a traced lock, a timeout, and a log that explains it ---- */

static tl_tlock db;
static tl_event holder_has_db;
static tl_stopwatch since_db_taken; /* set by the holder before it sets holder_has_db */

static void *hold_db(void *unused)
{
    (void)unused;
    tl_thread_set_name("holder");
    TL_CHECK(tl_tlock_lock(&db)); /* free: the worker starts only after this */
    since_db_taken = tl_stopwatch_start();
    tl_event_set(&holder_has_db);
    tl_sleep_ms(hold_ms); /* a long query */
    TL_CHECK(tl_tlock_unlock(&db));
    return NULL;
}

typedef struct {
    int attempts;
    tl_lock_timeout first_why; /* why the first attempt gave up */
    int frames;                /* stack frames logged */
    bool got_it;
    double got_at_ms;
} worker_log;

/* The worker's three functions are neither static nor inlined, only so that the stack trace
 * shows their frames, named: the GNUmakefile links lab08 with -rdynamic (see stack_trace.h). */
__attribute__((noinline)) void log_lock_timeout(worker_log *log, const tl_lock_timeout *why)
{
    tl_say("worker gave up on lock \"%s\" after %.0f ms (timeout %ld ms): held by %s%s for %.0f ms", why->lock,
           why->waited_ms, timeout_ms, why->holder, why->holder_exited ? " (exited without unlocking)" : "",
           why->held_ms);
    if (log->attempts == 1) {
        tl_say("stack trace of worker at the time:");
        log->frames = stack_trace_say("    ");
    }
}

__attribute__((noinline)) void query_db_with_timeout(worker_log *log)
{
    int max_attempts = (int)(hold_ms / timeout_ms) + 2; /* enough to outlast the holder */
    while (log->attempts < max_attempts && !log->got_it) {
        log->attempts++;
        tl_lock_timeout why;
        double before = tl_stopwatch_ms(&since_db_taken);
        int rc = TL_CHECK_EXPECT(tl_tlock_timedlock(&db, timeout_ms, &why), ETIMEDOUT);
        if (rc == 0) {
            log->got_it = true;
            log->got_at_ms = tl_stopwatch_ms(&since_db_taken);
            tl_say("worker took \"db\" on attempt %d, after %.0f ms more", log->attempts, log->got_at_ms - before);
            tl_csv_row("traced,%d,%ld,taken,%.1f,", log->attempts, timeout_ms, log->got_at_ms - before);
            TL_CHECK(tl_tlock_unlock(&db));
        } else {
            if (log->attempts == 1)
                log->first_why = why;
            log_lock_timeout(log, &why);
            tl_csv_row("traced,%d,%ld,ETIMEDOUT,%.1f,%.1f", log->attempts, timeout_ms, why.waited_ms, why.held_ms);
        }
    }
}

__attribute__((noinline)) void *db_worker(void *arg)
{
    tl_thread_set_name("worker");
    query_db_with_timeout(arg);
    return NULL;
}

static void show_timed_out_wait(void)
{
    tl_step("\"holder\" keeps lock \"db\" for %ld ms; \"worker\" tries to take it, waiting %ld ms per attempt",
            hold_ms, timeout_ms);
    tl_tlock_init(&db, "db");
    tl_event_init(&holder_has_db);
    worker_log log = {0};
    pthread_t holder, worker;
    TL_CHECK(pthread_create(&holder, NULL, hold_db, NULL));
    bool held = tl_event_wait_ms(&holder_has_db, BOUND_MS);
    TL_CHECK(pthread_create(&worker, NULL, db_worker, &log));
    TL_CHECK(pthread_join(worker, NULL)); /* every wait in both threads is bounded */
    TL_CHECK(pthread_join(holder, NULL));
    tl_event_destroy(&holder_has_db);
    TL_CHECK(tl_tlock_destroy(&db));

    if (!held || hold_ms <= timeout_ms || log.attempts < 2) {
        tl_verdict(held ? TL_WARN : TL_FAIL, "worker took \"db\" on attempt %d (expected a timeout first: try "
                   "--hold-ms above --timeout-ms)", log.attempts);
        return;
    }
    const tl_lock_timeout *why = &log.first_why;
    tl_expect(why->waited_ms >= (double)timeout_ms, TL_FAIL,
              "first attempt: ETIMEDOUT after %.0f ms (expected ETIMEDOUT, not before the %ld ms timeout)",
              why->waited_ms, timeout_ms);
    tl_verdict(log.frames > 0 ? TL_INFO : TL_FAIL,
               "the log says: lock \"%s\", held by \"%s\" for %.0f ms, waited %.0f ms, %d stack frames (expected "
               "the lock, its holder, both times, a stack)", why->lock, why->holder, why->held_ms, why->waited_ms,
               log.frames);
    tl_expect(log.got_it, TL_FAIL, "retry: worker took \"db\" %.0f ms after the holder took it, on attempt %d "
              "(expected right after the holder let go, at %ld ms)", log.got_at_ms, log.attempts, hold_ms);
}

/* ---- Step 2: a plain mutex and pthread_mutex_timedlock ---- */

static pthread_mutex_t plain_db = PTHREAD_MUTEX_INITIALIZER;
static tl_event plain_held, plain_release;

static void *hold_plain_db(void *unused)
{
    (void)unused;
    TL_CHECK(pthread_mutex_lock(&plain_db)); /* free: main waits for it only after this */
    tl_event_set(&plain_held);
    (void)tl_event_wait_ms(&plain_release, timeout_ms + BOUND_MS);
    TL_CHECK(pthread_mutex_unlock(&plain_db));
    return NULL;
}

static void show_plain_timedlock(void)
{
    tl_step("The same wait on a plain mutex: pthread_mutex_timedlock with a deadline %ld ms from now", timeout_ms);
    tl_event_init(&plain_held);
    tl_event_init(&plain_release);
    pthread_t holder;
    TL_CHECK(pthread_create(&holder, NULL, hold_plain_db, NULL));
    (void)tl_event_wait_ms(&plain_held, BOUND_MS);

    tl_stopwatch sw = tl_stopwatch_start(); /* from when the deadline is set: printing it takes time */
    struct timespec deadline = tl_deadline_realtime(timeout_ms);
    struct tm wall;
    char clock_time[32] = "?";
    if (localtime_r(&deadline.tv_sec, &wall) != NULL)
        strftime(clock_time, sizeof clock_time, "%H:%M:%S", &wall);
    tl_say("the deadline is absolute, on the wall clock: %s.%03ld local time (CLOCK_REALTIME); were the",
           clock_time, deadline.tv_nsec / 1000000);
    tl_say("clock set back an hour now, the wait would last an hour longer (README.md: clock jumps)");
    int rc = TL_CHECK_EXPECT(pthread_mutex_timedlock(&plain_db, &deadline), ETIMEDOUT);
    double waited = tl_stopwatch_ms(&sw);
    if (rc == 0)
        TL_CHECK(pthread_mutex_unlock(&plain_db));
    tl_event_set(&plain_release);
    TL_CHECK(pthread_join(holder, NULL));
    tl_event_destroy(&plain_held);
    tl_event_destroy(&plain_release);

    tl_expect(rc == ETIMEDOUT && waited >= (double)timeout_ms - TOLERANCE_MS, TL_FAIL,
              "pthread_mutex_timedlock: %s after %.0f ms (expected ETIMEDOUT at the deadline, %ld ms on) — and "
              "that is all it says: no lock name, no holder, no held time", rc ? "ETIMEDOUT" : "taken", waited,
              timeout_ms);
    tl_csv_row("plain,1,%ld,%s,%.1f,", timeout_ms, rc ? "ETIMEDOUT" : "taken", waited);
}

/* ---- Step 3: your exercise, checked by the table of checks.c ---- */

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab08", &common);
    tl_csv_header("part,attempt,timeout_ms,result,waited_ms,holder_held_ms");
    tl_header("timeout acquire");

    show_timed_out_wait();
    show_plain_timedlock();
    tl_checks_step(&tl_lab_checks);

    tl_lesson("Wait for a lock with a deadline, and when it passes, log which lock, who holds it, for how "
              "long, and where you were: a timeout that only says \"timed out\" leaves you guessing.");
    return tl_report_exit_status();
}
