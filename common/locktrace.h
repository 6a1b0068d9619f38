/* locktrace.h — named locks that know who holds them, so deadlocks can be seen and explained.
 *
 * A plain pthread mutex cannot tell you *who* holds it, so a deadlock is just a silent hang.
 * A traced lock (tl_tlock) has a name ("accounts.a") and knows its holder thread by name
 * ("T1"). On top of that, locktrace keeps two pictures of the whole process:
 *
 *   1. The wait-for graph, live: every traced lock points at its holder, every blocked thread
 *      at the lock it waits for. When a thread starts to wait and that closes a cycle
 *      (T1 holds A and waits for B; T2 holds B and waits for A), the thread that closed it is
 *      the victim: its lock call returns EDEADLK at once, and tl_last_deadlock() describes the
 *      cycle in words. The victim must back off (unlock what it holds); then the others go on.
 *
 *   2. The lock order, remembered (in the spirit of the Linux kernel's lockdep): "A was held
 *      while B was taken". The first time the opposite order shows up (B held while taking A)
 *      it is reported, even if the two never ran at the same time and nothing deadlocked.
 *
 * Detection latency. Every cycle is closed at the moment its last member starts to wait:
 * a "waits for" edge is only added by a thread that blocks, and a "held by" edge only by a
 * thread that is running (it just took the lock), so a running thread cannot be in a cycle.
 * So each lock call checks the graph right after it records what it waits for, and the
 * closing thread finds the cycle before it ever sleeps — detection costs no waiting at all.
 * Every waiter also re-checks on each wake-up and at least every TL_TLOCK_RECHECK_MS, a
 * backstop that bounds latency to that period even if the argument above had a hole.
 * The victim is the thread that finds the cycle, which is the one whose wait closed it; it
 * stops waiting in the same critical section, so the cycle is gone before any other member
 * can see it: exactly one victim per cycle, chosen deterministically.
 *
 * Lock order is kept per lock NAME, not per lock object (as lockdep keeps it per lock class):
 * two locks with the same name count as one, which survives destroy/init and keeps reports
 * readable. Give locks of different roles different names; taking a lock while holding another
 * of the same name is not checked. Only lock and timedlock record order; trylock never waits,
 * so it cannot deadlock, and records none (it still counts as held for later locks).
 * Only inversions of a pair are reported (A->B vs B->A), not longer order cycles (A->B->C->A).
 *
 * Reports are quiet by default (tests stay quiet): they are kept for tl_lockorder_reports(),
 * and passed to a handler if one is set with tl_lockorder_set_handler().
 *
 * Everything (every traced lock's state, the graph, the order table) is guarded by one
 * internal mutex: detection needs a consistent snapshot of all holders and waiters at once,
 * and one mutex leaves no lock order inside the tracer to get wrong. A traced lock is thus a
 * holder field plus a condition variable (on CLOCK_MONOTONIC) that waiters sleep on.
 * Locks are not fair: a thread arriving as the lock is released may take it before a waiter.
 *
 * Typical use (lab07):
 *
 *     tl_thread_set_name("T1");
 *     TL_CHECK(tl_tlock_lock(&from->lock));
 *     int rc = TL_CHECK_EXPECT(tl_tlock_lock(&to->lock), EDEADLK);
 *     if (rc == EDEADLK) {
 *         printf("%s: deadlock: %s\n", tl_thread_name(), tl_last_deadlock()->text);
 *         TL_CHECK(tl_tlock_unlock(&from->lock));        // back off, let the others finish
 *     }
 */
#ifndef TL_LOCKTRACE_H
#define TL_LOCKTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

/* Longest thread or lock name kept, including the terminating NUL; longer names are cut. */
#define TL_NAME_MAX 32
/* Room for a report sentence (a deadlock cycle of many threads is cut to fit, ending "..."). */
#define TL_TEXT_MAX 1024
/* Threads of one cycle described step by step in tl_deadlock_info (the text has them all). */
#define TL_CYCLE_MAX 16
/* Traced locks one thread may hold at once (like lockdep's MAX_LOCK_DEPTH); more is fatal. */
#define TL_HELD_MAX 32
/* The backstop: a waiter re-checks the wait-for graph at least this often. */
#define TL_TLOCK_RECHECK_MS 100

/* ---- thread names ---- */

/* Names the calling thread, e.g. "T1" (copied; cut to TL_NAME_MAX - 1 characters).
 * Unnamed threads are "main" (the thread that ran main) or "thread-N", N counting threads in
 * the order they first use locktrace. Only the thread itself can set its name. */
void tl_thread_set_name(const char *name);

/* The calling thread's name. The string belongs to the thread and lives as long as it. */
const char *tl_thread_name(void);

/* ---- traced locks ---- */

struct tl_thread_state; /* locktrace's per-thread bookkeeping (private) */

/* A traced lock. Declare it anywhere (static, in a struct), then tl_tlock_init it.
 * Every field is private to locktrace.c and guarded by its internal mutex. */
typedef struct tl_tlock {
    char name[TL_NAME_MAX];
    pthread_cond_t released;        /* broadcast on unlock; waiters sleep on it */
    bool held;
    struct tl_thread_state *holder; /* NULL when free, or when the holder exited holding it */
    char holder_name[TL_NAME_MAX];  /* kept so a report can name a holder that has exited */
    int64_t acquired_ns;            /* when the holder took it (monotonic clock) */
    int waiters;
    int order_class;                /* index of its name in the lock-order table */
} tl_tlock;

/* Pre: lock is not initialized (or was destroyed). Post: lock is free, named `name` (copied). */
void tl_tlock_init(tl_tlock *lock, const char *name);

/* Returns 0 and frees the lock's resources; EBUSY (lock untouched) if it is held or waited for. */
int tl_tlock_destroy(tl_tlock *lock);

/* Takes the lock, waiting as long as needed — unless waiting would deadlock.
 * Returns 0: the caller holds the lock.
 *         EDEADLK: the caller was chosen as the victim of a wait-for cycle, or already holds
 *                  this lock (a cycle of one). The lock was NOT taken; tl_last_deadlock()
 *                  describes the cycle. The caller must release locks to break it.
 * Before waiting it also checks the lock order (see the top of this file). */
int tl_tlock_lock(tl_tlock *lock);

/* Takes the lock only if it is free right now. Returns 0, or EBUSY (held, even by the caller). */
int tl_tlock_trylock(tl_tlock *lock);

/* Why a timed lock gave up: what lab08 prints. */
typedef struct {
    char lock[TL_NAME_MAX];   /* the lock not taken, e.g. "db" */
    char holder[TL_NAME_MAX]; /* the thread holding it when the caller gave up, e.g. "T2" */
    bool holder_exited;       /* the holder ended without unlocking: it will never be free */
    double waited_ms;         /* how long the caller waited: at least the timeout */
    double held_ms;           /* how long the holder had held it by then */
} tl_lock_timeout;

/* As tl_tlock_lock, but gives up after timeout_ms milliseconds (0 or less: do not wait).
 * Returns 0 (taken), EDEADLK (as tl_tlock_lock), or ETIMEDOUT: not taken; if `why` is not NULL
 * it is filled in. */
int tl_tlock_timedlock(tl_tlock *lock, long timeout_ms, tl_lock_timeout *why);

/* Releases the lock. Returns 0, or EPERM (nothing changes) if the caller does not hold it:
 * unlocking someone else's lock is a bug, never silently allowed. */
int tl_tlock_unlock(tl_tlock *lock);

/* True if the calling thread holds the lock (for assertions). */
bool tl_tlock_held_by_me(const tl_tlock *lock);

/* ---- deadlock reports ---- */

/* One thread in a wait-for cycle: it holds `holds` and waits for `waits_for`. */
typedef struct {
    char thread[TL_NAME_MAX];
    char holds[TL_NAME_MAX];
    char waits_for[TL_NAME_MAX];
} tl_cycle_step;

typedef struct {
    int length;                        /* threads in the cycle; 1 = re-locking your own lock */
    tl_cycle_step steps[TL_CYCLE_MAX]; /* steps[0] is the victim; then whom it waits for, ... */
    /* "T1 holds accounts.a, waits for accounts.b; T2 holds accounts.b, waits for accounts.a" */
    char text[TL_TEXT_MAX];
} tl_deadlock_info;

/* The calling thread's most recent EDEADLK from a lock call (length 0 if it never had one).
 * The struct belongs to the thread; the next EDEADLK overwrites it. */
const tl_deadlock_info *tl_last_deadlock(void);

/* ---- lock-order reports ---- */

/* One observed order: `thread` took `taken` while holding `held`. */
typedef struct {
    char thread[TL_NAME_MAX];
    char held[TL_NAME_MAX];
    char taken[TL_NAME_MAX];
} tl_lock_order;

typedef struct {
    tl_lock_order earlier; /* the order seen first, e.g. T1: accounts.b while holding accounts.a */
    tl_lock_order later;   /* the opposite order that triggered the report */
    char text[TL_TEXT_MAX];/* both orders and both threads, in one sentence */
} tl_lockorder_report;

/* Called once per inverted pair, in the thread taking the lock in the opposite order, before
 * it waits for that lock, with no locktrace mutex held (it may use locktrace and print). */
typedef void tl_lockorder_handler(const tl_lockorder_report *report, void *arg);

/* Sets (or with NULL removes) the handler. */
void tl_lockorder_set_handler(tl_lockorder_handler *handler, void *arg);

/* Copies the first min(max, count) reports since start (or reset) into out, oldest first;
 * only the first 16 are kept (out may be NULL when max is 0). Returns how many inversions
 * were reported in all. */
int tl_lockorder_reports(tl_lockorder_report *out, int max);

/* Forgets every lock order seen and every report, and removes the handler — for tests, and
 * for a lab that shows a second scenario. Locks, their holders and thread names are kept. */
void tl_locktrace_reset(void);

#endif
