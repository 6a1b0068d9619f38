/* Unit tests of common/bounded.h: a call that returns in time is joined; one that does not is
 * reported and left running, detached; a group counts its returned threads. The blocking calls
 * here wait on a gate the test opens itself, then the test waits (bounded) until their threads
 * have exited, so nothing is left running or leaked. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "bounded.h"
#include "check.h"
#include "clock.h"
#include "harness.h"

#define GATE_SAFETY_MS 10000L /* a closed gate opens by itself after this: no test waits forever */

/* A thread-exit detector: a pthread key's destructor runs as a thread ends, after its start
 * routine (here bounded.c's wrapper) has returned, so a count of them says "these threads are
 * gone", which a joined thread must already be. */
static pthread_key_t exit_key;
static atomic_int threads_exited;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void count_exit(void *unused)
{
    (void)unused;
    atomic_fetch_add(&threads_exited, 1);
}

static void make_exit_key(void)
{
    TL_CHECK(pthread_key_create(&exit_key, count_exit));
}

static void notice_my_exit(void)
{
    TL_CHECK(pthread_once(&exit_key_once, make_exit_key));
    TL_CHECK(pthread_setspecific(exit_key, &threads_exited));
}

/* Waits (bounded) until n threads noticed by notice_my_exit have exited. */
static int await_exits(int n, long ms)
{
    struct timespec deadline = tl_deadline_monotonic(ms);
    while (atomic_load(&threads_exited) < n && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1);
    return atomic_load(&threads_exited);
}

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t opened;
    bool open;
    int passed; /* calls that got through; guarded by lock */
} gate;

static void gate_init(gate *g)
{
    TL_CHECK(pthread_mutex_init(&g->lock, NULL));
    tl_cond_init_monotonic(&g->opened);
    g->open = false;
    g->passed = 0;
}

static void gate_open(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->lock));
    g->open = true;
    TL_CHECK(pthread_cond_broadcast(&g->opened));
    TL_CHECK(pthread_mutex_unlock(&g->lock));
}

static void gate_destroy(gate *g)
{
    TL_CHECK(pthread_cond_destroy(&g->opened));
    TL_CHECK(pthread_mutex_destroy(&g->lock));
}

/* Blocks until the gate opens (or the safety bound passes). */
static void pass_gate(void *arg)
{
    gate *g = arg;
    notice_my_exit();
    struct timespec deadline = tl_deadline_monotonic(GATE_SAFETY_MS);
    TL_CHECK(pthread_mutex_lock(&g->lock));
    int rc = 0;
    while (!g->open && rc == 0)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&g->opened, &g->lock, &deadline), ETIMEDOUT);
    g->passed += g->open;
    TL_CHECK(pthread_mutex_unlock(&g->lock));
}

static void add_one(void *arg)
{
    notice_my_exit();
    (*(long *)arg)++; /* no lock: the caller reads it only after the join */
}

static void a_quick_call_returns_true_and_is_joined(void)
{
    static long counter; /* static: THE RULE, should a call not return */
    counter = 0;
    atomic_store(&threads_exited, 0);
    bool returned = tl_call_bounded(add_one, &counter, 5000);
    TL_ASSERT(returned, "tl_call_bounded of a function that returns at once: false, expected true");
    TL_ASSERT_EQ_LONG(counter, 1, "what the function wrote, read right after the call");
    TL_ASSERT_EQ_LONG(atomic_load(&threads_exited), 1, "threads exited when the call returned "
                      "(a joined thread has)");
}

static void a_blocked_call_returns_false_after_the_deadline(void)
{
    tl_hint("tl_call_bounded must give up after its timeout, without joining the stuck thread");
    static gate g; /* static: the abandoned thread uses it until the test opens it */
    gate_init(&g);
    atomic_store(&threads_exited, 0);
    int64_t start_ns = tl_now_ns();
    bool returned = tl_call_bounded(pass_gate, &g, 50);
    double waited_ms = (double)(tl_now_ns() - start_ns) / 1e6;
    TL_ASSERT(!returned, "tl_call_bounded of a function blocked on a closed gate: true, expected "
              "false");
    TL_ASSERT(waited_ms >= 49.0, "gave up after %.1f ms, expected not before the 50 ms timeout",
              waited_ms);
    TL_ASSERT_EQ_LONG(atomic_load(&threads_exited), 0, "threads exited before the gate opened");
    gate_open(&g);
    TL_ASSERT_EQ_LONG(await_exits(1, GATE_SAFETY_MS), 1, "the abandoned thread exited once the "
                      "gate opened");
    TL_ASSERT_EQ_LONG(g.passed, 1, "calls through the gate"); /* it has exited: no lock needed */
    gate_destroy(&g);
}

static void many_calls_in_a_row(void)
{
    enum { CALLS = 200 };
    static long counter; /* static: THE RULE, should a call not return */
    counter = 0;
    atomic_store(&threads_exited, 0);
    int returned = 0;
    for (int i = 0; i < CALLS; i++)
        returned += tl_call_bounded(add_one, &counter, 5000);
    TL_ASSERT_EQ_LONG(returned, CALLS, "calls that returned true");
    TL_ASSERT_EQ_LONG(counter, CALLS, "increments seen by the caller");
    TL_ASSERT_EQ_LONG(atomic_load(&threads_exited), CALLS, "threads exited (all joined)");
}

static void a_group_counts_and_abandons_only_the_stuck(void)
{
    enum { QUICK = 3 };
    static gate g;
    gate_init(&g);
    atomic_store(&threads_exited, 0);
    static long counters[QUICK];
    memset(counters, 0, sizeof counters);
    tl_bounded_group *group = tl_bounded_group_new(QUICK + 1);
    int stuck = tl_bounded_start(group, pass_gate, &g);
    for (int i = 0; i < QUICK; i++)
        tl_bounded_start(group, add_one, &counters[i]);
    TL_ASSERT_EQ_LONG(tl_bounded_await(group, QUICK, 5000), QUICK, "threads returned (the quick "
                      "ones)");
    TL_ASSERT_EQ_LONG(tl_bounded_await(group, QUICK + 1, 20), QUICK, "threads returned after "
                      "waiting 20 ms for the stuck one too");
    TL_ASSERT(!tl_bounded_returned(group, stuck),
              "the thread at the closed gate counts as returned");
    TL_ASSERT(tl_bounded_returned(group, stuck + 1), "a quick thread does not count as returned");
    TL_ASSERT_EQ_LONG(tl_bounded_returned_count(group), QUICK, "tl_bounded_returned_count");
    TL_ASSERT(!tl_bounded_finish(group), "tl_bounded_finish with one thread stuck: true, expected "
              "false");
    for (int i = 0; i < QUICK; i++)
        TL_ASSERT_EQ_LONG(counters[i], 1, "a quick thread's increment");
    gate_open(&g);
    TL_ASSERT_EQ_LONG(await_exits(QUICK + 1, GATE_SAFETY_MS), QUICK + 1, "threads exited once the "
                      "gate opened");
    gate_destroy(&g);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("bounded");
    tl_test(s, "a quick call returns true, joined", a_quick_call_returns_true_and_is_joined);
    tl_test(s, "a blocked call returns false after its deadline, detached",
            a_blocked_call_returns_false_after_the_deadline);
    tl_test(s, "200 calls in a row all return true", many_calls_in_a_row);
    tl_test(s, "a group counts returned threads and abandons only the stuck one",
            a_group_counts_and_abandons_only_the_stuck);
}
