/* lab02 — rlock recursion: a lock its owner may take again (a recursive mutex), what happens
 * with locks that do not allow it, and a re-entrant lock built by hand. `./lab02 --help`; the
 * lesson is in labs/02-rlock-recursion/README.md. Beside this file: other_thread.c (one call
 * from another thread) and checks.c (Step 4: the checks of `make check-lab02`). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "other_thread.h"
#include "report.h"

static long depth = 10, relock_ms = 200;

static const tl_option options[] = {
    {"depth", TL_OPT_LONG, &depth, 1, 20, "N", "levels of the tree walked in Step 3", "6", NULL},
    {"relock-ms", TL_OPT_LONG, &relock_ms, 1, 5000, "MS",
     "how long Step 2 lets a plain mutex wait for itself", "50", NULL},
    {0},
};

static const char about[] =
    "A recursive mutex lets the thread that holds it lock it again: it counts the locks and is\n"
    "free only when every lock has been matched by an unlock. Step 1: outer() takes the lock and\n"
    "calls inner(), which takes it again. Step 2: the same with an error-checking mutex (the\n"
    "second lock returns EDEADLK) and with a plain one (it waits for itself: forever, or here\n"
    "until --relock-ms). Step 3: a tree sum that locks at every level. Step 4: your exercise, a\n"
    "re-entrant lock built from a mutex, a condition variable, an owner and a count.";

static void init_mutex(pthread_mutex_t *m, int type)
{
    pthread_mutexattr_t attr;
    TL_CHECK(pthread_mutexattr_init(&attr));
    TL_CHECK(pthread_mutexattr_settype(&attr, type));
    TL_CHECK(pthread_mutex_init(m, &attr));
    TL_CHECK(pthread_mutexattr_destroy(&attr));
}

/* Another thread's question (other_thread.c): is it free for somebody else? */
static void *trylock_mutex(void *arg)
{
    other_thread_call *c = arg;
    c->rc = pthread_mutex_trylock(c->lock); /* never waits: EBUSY when someone holds it */
    if (c->rc == 0)
        TL_CHECK(pthread_mutex_unlock(c->lock));
    return NULL;
}

/* ---- Steps 1-2: outer() takes the lock and calls inner(), which takes it again ---- */

static int relock_rc;       /* what inner()'s second lock returned */
static int busy_in_outer;   /* another thread's trylock after inner() returned */

static void inner(pthread_mutex_t *m)
{
    relock_rc = pthread_mutex_lock(m); /* not TL_CHECK: EDEADLK is the lesson, not a crash */
    if (relock_rc == 0)
        TL_CHECK(pthread_mutex_unlock(m));
}

static void outer(pthread_mutex_t *m)
{
    TL_CHECK(pthread_mutex_lock(m));
    inner(m);
    busy_in_outer = from_other_thread(trylock_mutex, m, 0);
    TL_CHECK(pthread_mutex_unlock(m));
}

static void step_recursive(void)
{
    tl_step("outer() locks a recursive mutex and calls inner(), which locks it again");
    pthread_mutex_t m;
    init_mutex(&m, PTHREAD_MUTEX_RECURSIVE);
    outer(&m);
    tl_expect(relock_rc == 0, TL_FAIL, "recursive mutex: inner()'s second lock returned %s "
              "(expected 0: the owner may lock it again)", tl_errno_name(relock_rc));
    tl_expect(busy_in_outer == EBUSY, TL_FAIL, "back in outer(), another thread's trylock returned "
              "%s (expected EBUSY: locked twice, unlocked once, still held)",
              tl_errno_name(busy_in_outer));
    int rc = from_other_thread(trylock_mutex, &m, 0);
    tl_expect(rc == 0, TL_FAIL, "after outer() returned, another thread's trylock returned %s "
              "(expected 0: two locks, two unlocks, free)", tl_errno_name(rc));
    TL_CHECK(pthread_mutex_destroy(&m));
}

static void step_not_recursive(void)
{
    tl_step("The same outer() and inner() with an error-checking mutex, then a plain one");
    pthread_mutex_t m;
    init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK);
    outer(&m);
    tl_expect(relock_rc == EDEADLK, TL_FAIL, "error-checking mutex: inner()'s second lock returned "
              "%s (expected EDEADLK: the owner asked for it again)", tl_errno_name(relock_rc));
    tl_say("A plain mutex would hang forever here: the thread waits for itself to unlock it.");
    TL_CHECK(pthread_mutex_destroy(&m));

    /* A plain (NORMAL) mutex has no owner check; a timed lock shows the wait without hanging. */
    init_mutex(&m, PTHREAD_MUTEX_NORMAL);
    TL_CHECK(pthread_mutex_lock(&m));
    struct timespec limit = tl_deadline_realtime(relock_ms); /* timedlock uses CLOCK_REALTIME */
    tl_stopwatch waited = tl_stopwatch_start();
    int rc = pthread_mutex_timedlock(&m, &limit);
    double ms = tl_stopwatch_ms(&waited);
    if (rc == ETIMEDOUT)
        tl_verdict(TL_OK, "plain mutex: the same second lock, limited to %ld ms, returned %s after "
                   "%.0f ms (expected ETIMEDOUT): without a limit it never returns", relock_ms,
                   tl_errno_name(rc), ms);
    else
        tl_verdict(TL_WARN, "plain mutex: the second lock returned %s (expected ETIMEDOUT; this C "
                   "library checks anyway: do not count on it elsewhere)", tl_errno_name(rc));
    TL_CHECK(pthread_mutex_unlock(&m));
    TL_CHECK(pthread_mutex_destroy(&m));
}

/* ---- Step 3: a recursive walk that locks at every level ---- */

static pthread_mutex_t tree_lock;
static long *tree, nodes;              /* a complete binary tree: node i has children 2i+1, 2i+2 */
static long held, deepest, locks, unlocks; /* changed only with tree_lock held */

/* The sum of the subtree at node i. It locks because it is also called from outside; it calls
 * itself for the children, so one thread locks again at every level on the way down. */
static long tree_sum(long i)
{
    if (i >= nodes)
        return 0;
    TL_CHECK(pthread_mutex_lock(&tree_lock));
    locks++;
    if (++held > deepest)
        deepest = held;
    long sum = tree[i] + tree_sum(2 * i + 1) + tree_sum(2 * i + 2);
    held--;
    unlocks++;
    TL_CHECK(pthread_mutex_unlock(&tree_lock));
    return sum;
}

static void step_tree_walk(void)
{
    nodes = (1L << depth) - 1;
    tl_step("A tree sum over %ld levels (%ld nodes) that locks a recursive mutex at every node",
            depth, nodes);
    tree = tl_xcalloc((size_t)nodes, sizeof *tree);
    for (long i = 0; i < nodes; i++)
        tree[i] = i + 1;
    init_mutex(&tree_lock, PTHREAD_MUTEX_RECURSIVE);
    tl_stopwatch walk = tl_stopwatch_start();
    long sum = tree_sum(0), expected = nodes * (nodes + 1) / 2;
    double seconds = tl_stopwatch_s(&walk);
    tl_expect(sum == expected, TL_FAIL, "sum = %ld (expected %ld)", sum, expected);
    tl_expect(deepest == depth, TL_FAIL, "deepest nesting: one thread held the lock %ld times at "
              "once (expected %ld, one per level)", deepest, depth);
    tl_expect(locks == nodes && unlocks == nodes, TL_FAIL, "balanced: %ld locks, %ld unlocks "
              "(expected %ld each, one per node)", locks, unlocks, nodes);
    int rc = from_other_thread(trylock_mutex, &tree_lock, 0);
    tl_expect(rc == 0, TL_FAIL, "afterwards another thread's trylock returned %s (expected 0: "
              "every lock undone)", tl_errno_name(rc));
    tl_csv_header("depth,nodes,locks,unlocks,deepest,seconds");
    tl_csv_row("%ld,%ld,%ld,%ld,%ld,%.6f", depth, nodes, locks, unlocks, deepest, seconds);
    TL_CHECK(pthread_mutex_destroy(&tree_lock));
    free(tree);
}

/* ---- Step 4: your exercise, checked by the table of checks.c ---- */

int main(int argc, char **argv)
{
    static const tl_cli cli = {"lab02", "[options]", about, options, false, 0};
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab02", &common);
    tl_header("rlock recursion");
    step_recursive();
    step_not_recursive();
    step_tree_walk();
    tl_checks_step(&tl_lab_checks);
    tl_lesson("a recursive lock counts its owner's locks and is free only when each one is undone; "
              "a plain lock taken twice by one thread waits for itself forever.");
    return tl_report_exit_status();
}
