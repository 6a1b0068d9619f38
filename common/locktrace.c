/* locktrace.c — traced locks, the wait-for graph and the lock-order checker.
 * The design (one internal mutex, when detection runs, who the victim is) is in locktrace.h. */
#include "locktrace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"

#define NS_PER_MS 1000000LL
#define REPORTS_KEPT 16

/* What locktrace knows about one thread. It lives in the thread's own thread-local storage;
 * other threads read it (under `graph`) only while it holds or waits for a traced lock, and
 * the thread-exit hook below unhooks it from every lock before that storage goes away. */
struct tl_thread_state {
    bool ready;
    char name[TL_NAME_MAX];
    tl_tlock *waiting_for; /* the one lock this thread is blocked on, or NULL */
    tl_tlock *held[TL_HELD_MAX];
    int n_held;
    tl_deadlock_info last_deadlock; /* only the thread itself touches it */
};

/* One learned order: this edge's owner class was held while `to` was taken, first by `thread`. */
struct order_edge {
    int to;
    char thread[TL_NAME_MAX];
};

/* All locks sharing a name form one class; `after` lists the classes taken while holding it. */
struct order_class {
    char name[TL_NAME_MAX];
    struct order_edge *after;
    int n_after, cap_after;
};

/* The one internal mutex: guards every tl_tlock, every thread's waiting_for/held/name as seen
 * by others, and everything below. */
static pthread_mutex_t graph = PTHREAD_MUTEX_INITIALIZER;
static int waiting_threads;
static int unnamed_threads;

static struct order_class *classes;
static int n_classes, cap_classes;
static tl_lockorder_report reports_kept[REPORTS_KEPT];
static int reports_total;
static tl_lockorder_handler *order_handler;
static void *order_handler_arg;

static _Thread_local struct tl_thread_state this_thread;
static pthread_t main_thread;
static pthread_once_t exit_hook_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_hook;

/* POSIX cannot tell whether a thread is the initial one, so remember it before main runs. */
__attribute__((constructor)) static void remember_main_thread(void)
{
    main_thread = pthread_self();
}

static void copy_name(char dst[TL_NAME_MAX], const char *src)
{
    size_t n = strlen(src);
    if (n >= TL_NAME_MAX)
        n = TL_NAME_MAX - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A thread that ends holding traced locks leaves them locked forever, as with a pthread mutex;
 * unhook them from its (about to vanish) state and say so, because it is always a bug. */
static void forget_exiting_thread(void *state)
{
    struct tl_thread_state *me = state;
    TL_CHECK(pthread_mutex_lock(&graph));
    for (int i = 0; i < me->n_held; i++) {
        me->held[i]->holder = NULL;
        fprintf(stderr, "locktrace: thread %s exited holding lock %s; nobody can unlock it now\n",
                me->name, me->held[i]->name);
    }
    me->n_held = 0;
    TL_CHECK(pthread_mutex_unlock(&graph));
}

static void create_exit_hook(void)
{
    TL_CHECK(pthread_key_create(&exit_hook, forget_exiting_thread));
}

/* The calling thread's state, set up on first use. Call it before taking `graph`. */
static struct tl_thread_state *self(void)
{
    struct tl_thread_state *me = &this_thread;
    if (!me->ready) {
        TL_CHECK(pthread_once(&exit_hook_once, create_exit_hook));
        TL_CHECK(pthread_mutex_lock(&graph));
        if (pthread_equal(pthread_self(), main_thread))
            copy_name(me->name, "main");
        else
            snprintf(me->name, sizeof me->name, "thread-%d", ++unnamed_threads);
        TL_CHECK(pthread_mutex_unlock(&graph));
        TL_CHECK(pthread_setspecific(exit_hook, me));
        me->ready = true;
    }
    return me;
}

void tl_thread_set_name(const char *name)
{
    struct tl_thread_state *me = self();
    TL_CHECK(pthread_mutex_lock(&graph));
    copy_name(me->name, name);
    for (int i = 0; i < me->n_held; i++)
        copy_name(me->held[i]->holder_name, me->name);
    TL_CHECK(pthread_mutex_unlock(&graph));
}

const char *tl_thread_name(void)
{
    return self()->name; /* only this thread writes it, so reading it needs no lock */
}

/* ---- the lock-order table (all with `graph` held) ---- */

static void *grow(void *array, int *cap, size_t elem_size)
{
    *cap = *cap ? *cap * 2 : 8;
    void *grown = realloc(array, (size_t)*cap * elem_size);
    if (grown == NULL)
        TL_DIE("locktrace: out of memory growing a table to %d entries", *cap);
    return grown;
}

static int class_of(const char *name)
{
    for (int i = 0; i < n_classes; i++)
        if (strcmp(classes[i].name, name) == 0)
            return i;
    if (n_classes == cap_classes)
        classes = grow(classes, &cap_classes, sizeof *classes);
    struct order_class *c = &classes[n_classes];
    copy_name(c->name, name);
    c->after = NULL;
    c->n_after = c->cap_after = 0;
    return n_classes++;
}

static const struct order_edge *find_edge(int from, int to)
{
    for (int i = 0; i < classes[from].n_after; i++)
        if (classes[from].after[i].to == to)
            return &classes[from].after[i];
    return NULL;
}

static void add_edge(int from, int to, const char *thread)
{
    struct order_class *c = &classes[from];
    if (c->n_after == c->cap_after)
        c->after = grow(c->after, &c->cap_after, sizeof *c->after);
    c->after[c->n_after].to = to;
    copy_name(c->after[c->n_after].thread, thread);
    c->n_after++;
}

static void fill_order(tl_lock_order *order, const char *thread, int held, int taken)
{
    copy_name(order->thread, thread);
    copy_name(order->held, classes[held].name);
    copy_name(order->taken, classes[taken].name);
}

/* Records "held -> lock" for each lock `me` holds. A pair is reported exactly once: when its
 * second direction is first added. Stops there, filling *report, so the caller can deliver it
 * outside the mutex and call again for the remaining held locks. */
static bool record_lock_order(const struct tl_thread_state *me, const tl_tlock *lock,
                              tl_lockorder_report *report)
{
    int taken = lock->order_class;
    for (int i = 0; i < me->n_held; i++) {
        int held = me->held[i]->order_class;
        if (held == taken || find_edge(held, taken) != NULL)
            continue;
        const struct order_edge *opposite = find_edge(taken, held);
        if (opposite != NULL) {
            fill_order(&report->earlier, opposite->thread, taken, held);
            fill_order(&report->later, me->name, held, taken);
        }
        add_edge(held, taken, me->name); /* after reading `opposite`: realloc may move edges */
        if (opposite == NULL)
            continue;
        snprintf(report->text, sizeof report->text,
                 "lock order inversion: %s took %s while holding %s; now %s takes %s while "
                 "holding %s. Run at the same time, these two orders can deadlock.",
                 report->earlier.thread, report->earlier.taken, report->earlier.held,
                 report->later.thread, report->later.taken, report->later.held);
        if (reports_total < REPORTS_KEPT)
            reports_kept[reports_total] = *report;
        reports_total++;
        return true;
    }
    return false;
}

/* Before waiting, so an inversion is reported even if this very call then hangs forever. */
static void check_lock_order(const struct tl_thread_state *me, const tl_tlock *lock)
{
    for (;;) {
        tl_lockorder_report report;
        TL_CHECK(pthread_mutex_lock(&graph));
        bool inverted = record_lock_order(me, lock, &report);
        tl_lockorder_handler *handler = order_handler;
        void *arg = order_handler_arg;
        TL_CHECK(pthread_mutex_unlock(&graph));
        if (!inverted)
            return;
        if (handler != NULL)
            handler(&report, arg);
    }
}

void tl_lockorder_set_handler(tl_lockorder_handler *handler, void *arg)
{
    TL_CHECK(pthread_mutex_lock(&graph));
    order_handler = handler;
    order_handler_arg = arg;
    TL_CHECK(pthread_mutex_unlock(&graph));
}

int tl_lockorder_reports(tl_lockorder_report *out, int max)
{
    TL_CHECK(pthread_mutex_lock(&graph));
    int total = reports_total;
    for (int i = 0; i < max && i < total && i < REPORTS_KEPT; i++)
        out[i] = reports_kept[i];
    TL_CHECK(pthread_mutex_unlock(&graph));
    return total;
}

void tl_locktrace_reset(void)
{
    TL_CHECK(pthread_mutex_lock(&graph));
    /* Classes stay: live locks keep their class index. Only what was learned goes. */
    for (int i = 0; i < n_classes; i++) {
        free(classes[i].after);
        classes[i].after = NULL;
        classes[i].n_after = classes[i].cap_after = 0;
    }
    reports_total = 0;
    order_handler = NULL;
    order_handler_arg = NULL;
    TL_CHECK(pthread_mutex_unlock(&graph));
}

/* ---- the wait-for graph (all with `graph` held) ---- */

/* Appends to a TL_TEXT_MAX buffer; a description too long for it ends in "...". */
__attribute__((format(printf, 3, 4))) static void text_add(char *text, size_t *used,
                                                             const char *fmt, ...)
{
    if (*used >= TL_TEXT_MAX - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text + *used, TL_TEXT_MAX - *used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= TL_TEXT_MAX - *used) {
        *used = TL_TEXT_MAX - 1;
        memcpy(text + TL_TEXT_MAX - 4, "...", 4);
    } else {
        *used += (size_t)n;
    }
}

/* Fills me->last_deadlock: `me` wants `wanted` and holds `mine`, which the last thread of the
 * cycle waits for. Each later thread holds what the previous one waits for. */
static void describe_cycle(struct tl_thread_state *me, const tl_tlock *wanted,
                           const tl_tlock *mine, int length)
{
    tl_deadlock_info *info = &me->last_deadlock;
    size_t used = 0;
    info->length = length;
    info->text[0] = '\0';
    const struct tl_thread_state *t = me;
    const tl_tlock *holds = mine, *waits = wanted;
    for (int i = 0; i < length; i++) {
        if (i < TL_CYCLE_MAX) {
            copy_name(info->steps[i].thread, t->name);
            copy_name(info->steps[i].holds, holds->name);
            copy_name(info->steps[i].waits_for, waits->name);
        }
        text_add(info->text, &used, "%s%s holds %s, waits for %s", i ? "; " : "", t->name,
                 holds->name, waits->name);
        holds = waits;
        t = waits->holder;
        waits = t->waiting_for;
    }
}

/* Follows me -> the lock I wait for -> its holder -> the lock that thread waits for -> ...
 * Each thread waits for at most one lock and each lock has at most one holder, so this is a
 * single path: it ends (a running or exited holder), comes back to me (a cycle through me),
 * or circles in a cycle I only lead into (stopped after `waiting_threads` steps).
 * Finding a cycle through me makes me its victim. That is one thread per cycle: the victim
 * stops waiting in the same critical section, which breaks the cycle before anyone else can
 * walk it — and as the first check of every wait runs before sleeping, the victim is the thread
 * whose wait closed the cycle. */
static bool is_deadlock_victim(struct tl_thread_state *me)
{
    int length = 0;
    const struct tl_thread_state *t = me;
    for (;;) {
        tl_tlock *waited = t->waiting_for;
        struct tl_thread_state *next = waited->holder;
        length++;
        if (next == me) {
            describe_cycle(me, me->waiting_for, waited, length);
            return true;
        }
        if (next == NULL || next->waiting_for == NULL || length >= waiting_threads)
            return false;
        t = next;
    }
}

static struct timespec monotonic_timespec(int64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000),
                             .tv_nsec = (long)(ns % 1000000000)};
}

/* Waits (with `graph` held, releasing it while asleep) until `lock` is free, `me` is a deadlock
 * victim, or the deadline passes. Checks the graph before the first sleep: that is the moment
 * a cycle closes. Re-checks on every wake-up, and wakes at least every TL_TLOCK_RECHECK_MS. */
static int wait_until_free(struct tl_thread_state *me, tl_tlock *lock, int64_t start_ns,
                           int64_t deadline_ns, tl_lock_timeout *why)
{
    me->waiting_for = lock;
    waiting_threads++;
    lock->waiters++;
    int rc = 0;
    while (lock->held) {
        if (is_deadlock_victim(me)) {
            rc = EDEADLK;
            break;
        }
        int64_t now = tl_now_ns();
        if (now >= deadline_ns) {
            rc = ETIMEDOUT;
            if (why != NULL) {
                copy_name(why->lock, lock->name);
                copy_name(why->holder, lock->holder_name);
                why->holder_exited = lock->holder == NULL;
                why->waited_ms = (double)(now - start_ns) / NS_PER_MS;
                why->held_ms = (double)(now - lock->acquired_ns) / NS_PER_MS;
            }
            break;
        }
        int64_t recheck = now + TL_TLOCK_RECHECK_MS * NS_PER_MS;
        struct timespec wake = monotonic_timespec(deadline_ns < recheck ? deadline_ns : recheck);
        TL_CHECK_EXPECT(pthread_cond_timedwait(&lock->released, &graph, &wake), ETIMEDOUT);
    }
    lock->waiters--;
    waiting_threads--;
    me->waiting_for = NULL;
    return rc;
}

static void take(tl_tlock *lock, struct tl_thread_state *me)
{
    if (me->n_held == TL_HELD_MAX)
        TL_DIE("locktrace: thread %s would hold more than %d traced locks at once (TL_HELD_MAX)",
               me->name, TL_HELD_MAX);
    lock->held = true;
    lock->holder = me;
    copy_name(lock->holder_name, me->name);
    lock->acquired_ns = tl_now_ns();
    me->held[me->n_held++] = lock;
}

/* timeout_ms < 0: no deadline. */
static int acquire(tl_tlock *lock, long timeout_ms, tl_lock_timeout *why)
{
    struct tl_thread_state *me = self();
    check_lock_order(me, lock);
    int64_t start_ns = tl_now_ns();
    int64_t deadline_ns = INT64_MAX;
    if (timeout_ms >= 0 && timeout_ms < (INT64_MAX - start_ns) / NS_PER_MS)
        deadline_ns = start_ns + timeout_ms * NS_PER_MS;

    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&graph));
    /* Re-locking a lock you hold needs no special case: the graph walk finds a cycle of one. */
    if (lock->held)
        rc = wait_until_free(me, lock, start_ns, deadline_ns, why);
    if (rc == 0)
        take(lock, me);
    TL_CHECK(pthread_mutex_unlock(&graph));
    return rc;
}

/* ---- traced locks ---- */

void tl_tlock_init(tl_tlock *lock, const char *name)
{
    copy_name(lock->name, name);
    tl_cond_init_monotonic(&lock->released);
    lock->held = false;
    lock->holder = NULL;
    lock->holder_name[0] = '\0';
    lock->acquired_ns = 0;
    lock->waiters = 0;
    TL_CHECK(pthread_mutex_lock(&graph));
    lock->order_class = class_of(lock->name);
    TL_CHECK(pthread_mutex_unlock(&graph));
}

int tl_tlock_destroy(tl_tlock *lock)
{
    TL_CHECK(pthread_mutex_lock(&graph));
    bool busy = lock->held || lock->waiters > 0;
    TL_CHECK(pthread_mutex_unlock(&graph));
    if (busy)
        return EBUSY;
    TL_CHECK(pthread_cond_destroy(&lock->released));
    return 0;
}

int tl_tlock_lock(tl_tlock *lock)
{
    return acquire(lock, -1, NULL);
}

int tl_tlock_timedlock(tl_tlock *lock, long timeout_ms, tl_lock_timeout *why)
{
    return acquire(lock, timeout_ms < 0 ? 0 : timeout_ms, why);
}

int tl_tlock_trylock(tl_tlock *lock)
{
    struct tl_thread_state *me = self();
    TL_CHECK(pthread_mutex_lock(&graph));
    bool was_free = !lock->held;
    if (was_free)
        take(lock, me);
    TL_CHECK(pthread_mutex_unlock(&graph));
    return was_free ? 0 : EBUSY;
}

int tl_tlock_unlock(tl_tlock *lock)
{
    struct tl_thread_state *me = self();
    TL_CHECK(pthread_mutex_lock(&graph));
    bool mine = lock->held && lock->holder == me;
    if (mine) {
        lock->held = false;
        lock->holder = NULL;
        for (int i = 0, j = 0; i < me->n_held; i++) /* keep the order locks were taken in */
            if (me->held[i] != lock)
                me->held[j++] = me->held[i];
        me->n_held--;
        /* Broadcast, not signal: a woken waiter may leave without the lock (timeout, victim),
         * and one signal would then strand the rest until their next re-check. */
        if (lock->waiters > 0)
            TL_CHECK(pthread_cond_broadcast(&lock->released));
    }
    TL_CHECK(pthread_mutex_unlock(&graph));
    return mine ? 0 : EPERM;
}

bool tl_tlock_held_by_me(const tl_tlock *lock)
{
    struct tl_thread_state *me = self();
    TL_CHECK(pthread_mutex_lock(&graph));
    bool mine = lock->held && lock->holder == me;
    TL_CHECK(pthread_mutex_unlock(&graph));
    return mine;
}

const tl_deadlock_info *tl_last_deadlock(void)
{
    return &self()->last_deadlock;
}
