/* Unit tests of the checking framework itself (tests/harness/): the spy sees what this file's
 * own pthread calls do (it is compiled as an exercise would be: spy.h's macros are on), a check
 * that hangs is stopped by its watchdog with where its threads were blocked, and a
 * ThreadSanitizer report becomes one sentence. A grader is only as good as these. */
#define TL_EXERCISE_SOURCE "tests/unit/test_checks.c"
#include "spy.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "harness.h"
#include "harness_internal.h"

static void *do_nothing(void *arg)
{
    return arg;
}

static void counts_calls_and_joins(void)
{
    tl_spy_reset();
    pthread_t a, b;
    TL_CHECK(pthread_create(&a, NULL, do_nothing, NULL));
    TL_CHECK(pthread_create(&b, NULL, do_nothing, NULL));
    TL_ASSERT_EQ_LONG(tl_spy_count(TL_SPY_CREATE), 2, "pthread_create calls seen");
    TL_ASSERT_EQ_LONG(tl_spy_unjoined(), 2, "threads started and not joined yet");
    TL_CHECK(pthread_join(a, NULL));
    TL_CHECK(pthread_detach(b));
    TL_ASSERT_EQ_LONG(tl_spy_unjoined(), 0, "threads neither joined nor detached");
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    TL_CHECK(pthread_mutex_lock(&m));
    TL_ASSERT(tl_spy_holds(&m) && tl_spy_locks_held() == 1, "the spy does not see the lock held");
    TL_CHECK(pthread_mutex_unlock(&m));
    TL_ASSERT(!tl_spy_holds(&m) && tl_spy_locks_held() == 0, "the spy still sees the lock held");
    TL_ASSERT_EQ_LONG(tl_spy_count(TL_SPY_LOCK), 1, "locks seen");
    char *p = malloc(10), *q = strdup("x");
    TL_ASSERT_EQ_LONG(tl_spy_live_allocations(), 2, "allocations live after malloc and strdup");
    free(p);
    free(q);
    TL_ASSERT_EQ_LONG(tl_spy_live_allocations(), 0, "allocations live after freeing both");
    TL_ASSERT(strcmp(tl_spy_exercise_source(), TL_EXERCISE_SOURCE) == 0, "the exercise source");
}

static void fails_the_kth_create(void)
{
    tl_spy_reset();
    tl_spy_fail_create(2, EAGAIN);
    pthread_t a, b, c;
    TL_ASSERT_EQ_LONG(pthread_create(&a, NULL, do_nothing, NULL), 0, "the first create");
    TL_ASSERT_EQ_LONG(pthread_create(&b, NULL, do_nothing, NULL), EAGAIN, "the second create");
    TL_ASSERT_EQ_LONG(pthread_create(&c, NULL, do_nothing, NULL), 0, "the third create");
    TL_ASSERT_EQ_LONG(tl_spy_unjoined(), 2, "threads really started");
    TL_CHECK(pthread_join(a, NULL));
    TL_CHECK(pthread_join(c, NULL));
}

/* A waiter in the textbook loop: woken spuriously, it must be seen waiting again. */
static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cond = PTHREAD_COND_INITIALIZER;
static bool ready;
static int wake_ups;

static void *waiter(void *arg)
{
    (void)arg;
    TL_CHECK(pthread_mutex_lock(&wait_lock));
    while (!ready) {
        TL_CHECK(pthread_cond_wait(&wait_cond, &wait_lock));
        wake_ups++;
    }
    TL_CHECK(pthread_mutex_unlock(&wait_lock));
    return NULL;
}

static void waits_are_seen_and_woken(void)
{
    tl_spy_reset();
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, waiter, NULL));
    TL_ASSERT_FATAL(tl_spy_await_waiting(&wait_cond, 1, 2000), "the waiter was never seen waiting");
    long waits = tl_spy_count(TL_SPY_WAIT);
    TL_ASSERT_EQ_LONG(tl_spy_wake_spuriously(&wait_cond), 1, "waiters woken spuriously");
    TL_ASSERT_FATAL(tl_spy_await_count(TL_SPY_WAIT, waits + 1, 2000), "the waiter did not wait "
                    "again");
    TL_CHECK(pthread_mutex_lock(&wait_lock));
    TL_ASSERT_EQ_LONG(wake_ups, 1, "wake-ups the waiter saw before this");
    ready = true;
    TL_CHECK(pthread_cond_signal(&wait_cond));
    TL_CHECK(pthread_mutex_unlock(&wait_lock));
    TL_CHECK(pthread_join(t, NULL));
    TL_ASSERT_EQ_LONG(tl_spy_waiting(NULL), 0, "threads still waiting");
}

/* A hook runs in the calling thread, before the real call: at an unlock, the lock is held. */
static atomic_int unlocks_seen_held;

static void on_unlock(const tl_spy_event *e)
{
    atomic_fetch_add(&unlocks_seen_held, tl_spy_holds(e->object));
}

static void hooks_run_before_the_call(void)
{
    tl_spy_reset();
    tl_spy_on(TL_SPY_UNLOCK, on_unlock);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    TL_CHECK(pthread_mutex_lock(&m));
    TL_CHECK(pthread_mutex_unlock(&m));
    tl_spy_on(TL_SPY_UNLOCK, NULL);
    TL_ASSERT_EQ_LONG(atomic_load(&unlocks_seen_held), 1, "unlocks whose hook saw the lock held");
}

/* The body of a check that deadlocks on purpose: its thread waits for a mutex this thread
 * holds and never gives up. */
static pthread_mutex_t held_forever = PTHREAD_MUTEX_INITIALIZER;

static void *blocked_locker(void *arg)
{
    (void)arg;
    tl_spy_name_thread("the locker");
    TL_CHECK(pthread_mutex_lock(&held_forever));
    return NULL;
}

static void deadlocks_on_purpose(void)
{
    TL_CHECK(pthread_mutex_lock(&held_forever));
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, blocked_locker, NULL));
    TL_CHECK(pthread_join(t, NULL));
}

static void a_hang_is_explained(void)
{
    tl_child_result r;
    tl_child_run(deadlocks_on_purpose, 0.3, false, &r);
    TL_ASSERT_EQ_LONG(r.how, TL_HUNG, "the outcome of a check that deadlocks (TL_HUNG)");
    char text[4096] = "";
    size_t used = 0;
    for (size_t i = 0; i + 5 <= r.records.len;) {
        uint32_t len;
        memcpy(&len, r.records.data + i + 1, sizeof len);
        if (r.records.data[i] == TL_RECORD_BLOCKED && used + len < sizeof text) {
            memcpy(text + used, r.records.data + i + 5, len);
            used += len;
            text[used] = '\0';
        }
        i += 5 + len;
    }
    free(r.records.data);
    TL_ASSERT(strstr(text, "(the locker) waits to lock a mutex in blocked_locker (test_checks.c:") &&
              strstr(text, "which locked it at test_checks.c:") &&
              strstr(text, "waits in pthread_join in deadlocks_on_purpose"),
              "where the threads were blocked, as the watchdog said it:\n%s", text);
}

static void a_race_report_is_one_sentence(void)
{
    static const char report[] =
        "==================\n"
        "WARNING: ThreadSanitizer: data race (pid=4242)\n"
        "  Write of size 1 at 0x7b0400000010 by thread T2:\n"
        "    #0 event_set tests/unit/test_checks.c:31 (lab04+0x1234)\n"
        "    #1 setter labs/04-event-signaling/checks.c:40 (lab04+0x1300)\n"
        "\n"
        "  Previous read of size 1 at 0x7b0400000010 by thread T1 (mutexes: write M1):\n"
        "    #0 event_is_set /abs/tests/unit/test_checks.c:44:12 (lab04+0x1400)\n";
    char out[2048];
    tl_race_sentence(report, "build/check/lab04.races.log", out, sizeof out);
    TL_ASSERT(strstr(out, "data race: event_set writes at test_checks.c:31") != NULL &&
              strstr(out, "event_is_set reads at test_checks.c:44") != NULL &&
              strstr(out, "build/check/lab04.races.log") != NULL,
              "the sentence names both accesses and the log: %s", out);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("checking framework");
    tl_test(s, "the spy counts calls, joins, locks held and allocations", counts_calls_and_joins);
    tl_test(s, "the spy fails the k-th pthread_create and starts nothing", fails_the_kth_create);
    tl_test(s, "a waiter is seen waiting, woken spuriously, and seen waiting again",
            waits_are_seen_and_woken);
    tl_test(s, "a hook runs in the calling thread before the real call", hooks_run_before_the_call);
    tl_test(s, "a check that deadlocks is stopped and says who waits for what", a_hang_is_explained);
    tl_test(s, "a ThreadSanitizer report becomes one sentence", a_race_report_is_one_sentence);
}
