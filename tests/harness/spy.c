/* The recording side of spy.h. This file is NOT compiled with spy.h's macros: the calls below
 * are the real ones. Records are relaxed atomics in per-thread slots (see spy.h for why no
 * lock): counts may be read while threads run, and a watchdog may describe a stuck process. */
#include "spy.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

/* Set before main by the exercise object (spy.h, TL_EXERCISE_SOURCE); NULL in a program that
 * has none. A constructor, not a weak symbol: clang folded a weak definition's "" into every
 * read, and Mach-O's linker refuses an undefined weak one. */
static const char *exercise_source;

void tl_spy_set_exercise_source(const char *source)
{
    exercise_source = source;
}

const char *tl_spy_exercise_source(void)
{
    return exercise_source;
}

#define MAX_THREADS 512
#define MAX_HELD 16
#define MUTEX_TABLE 256

enum { IDLE, IN_WAIT, IN_LOCK, IN_JOIN, IN_SLEEP };

typedef struct {
    _Atomic int state;
    _Atomic(const void *) object;
    _Atomic(const void *) mutex; /* IN_WAIT: the mutex passed with the wait */
    _Atomic(const char *) file;
    _Atomic int line;
    _Atomic(const char *) func;
    _Atomic(const char *) name;
    _Atomic long mine[TL_SPY_CALL_KINDS];
    _Atomic(const void *) held[MAX_HELD];
    _Atomic long long last_deadline_ns; /* 0: none since the last forget */
    _Atomic long deadline_changes;
} thread_slot;

static thread_slot slots[MAX_THREADS];
static _Atomic int slot_count;
static _Thread_local int my_slot = -1; /* index + 1 into slots; 0 is "not assigned yet" */

/* Who holds which mutex, for "held by thread 2 since exercise.c:29": open addressing. */
typedef struct {
    _Atomic(const void *) mutex;
    _Atomic int owner; /* slot index + 1, 0 when free */
    _Atomic(const char *) file;
    _Atomic int line;
} owner_entry;
static owner_entry owners[MUTEX_TABLE];

static _Atomic long counts[TL_SPY_CALL_KINDS];
static _Atomic long live_allocations;
static _Atomic long started, finished_by_join;
static _Atomic int create_fail_countdown, create_fail_error;
static _Atomic(tl_spy_hook *) hooks[TL_SPY_CALL_KINDS];

static thread_slot *me(void)
{
    if (my_slot < 0) {
        int i = atomic_fetch_add_explicit(&slot_count, 1, memory_order_relaxed);
        my_slot = i < MAX_THREADS ? i : MAX_THREADS - 1; /* the last slot is shared past 511 */
    }
    return &slots[my_slot];
}

static int my_index(void)
{
    me();
    return my_slot;
}

void tl_spy_reset(void)
{
    for (int i = 0; i < TL_SPY_CALL_KINDS; i++) {
        atomic_store_explicit(&counts[i], 0, memory_order_relaxed);
        atomic_store_explicit(&hooks[i], NULL, memory_order_relaxed);
        for (int s = 0; s < MAX_THREADS; s++)
            atomic_store_explicit(&slots[s].mine[i], 0, memory_order_relaxed);
    }
    atomic_store_explicit(&live_allocations, 0, memory_order_relaxed);
    atomic_store_explicit(&started, 0, memory_order_relaxed);
    atomic_store_explicit(&finished_by_join, 0, memory_order_relaxed);
    atomic_store_explicit(&create_fail_countdown, 0, memory_order_relaxed);
}

long tl_spy_count(tl_spy_call call)
{
    return atomic_load_explicit(&counts[call], memory_order_relaxed);
}

long tl_spy_count_mine(tl_spy_call call)
{
    return atomic_load_explicit(&me()->mine[call], memory_order_relaxed);
}

long tl_spy_live_allocations(void)
{
    return atomic_load_explicit(&live_allocations, memory_order_relaxed);
}

long tl_spy_unjoined(void)
{
    return atomic_load_explicit(&started, memory_order_relaxed) -
           atomic_load_explicit(&finished_by_join, memory_order_relaxed);
}

void tl_spy_fail_create(int nth, int error)
{
    atomic_store_explicit(&create_fail_error, error, memory_order_relaxed);
    atomic_store_explicit(&create_fail_countdown, nth, memory_order_relaxed);
}

void tl_spy_on(tl_spy_call call, tl_spy_hook *hook)
{
    atomic_store_explicit(&hooks[call], hook, memory_order_relaxed);
}

void tl_spy_name_thread(const char *name)
{
    atomic_store_explicit(&me()->name, name, memory_order_relaxed);
}

/* Counts the call, then runs its hook (if any) in this thread. */
static void note(tl_spy_call call, const void *object, const void *mutex, TL_SPY_AT)
{
    atomic_fetch_add_explicit(&counts[call], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&me()->mine[call], 1, memory_order_relaxed);
    tl_spy_hook *hook = atomic_load_explicit(&hooks[call], memory_order_relaxed);
    if (hook != NULL)
        hook(&(tl_spy_event){call, object, mutex, file, line, func});
}

static void enter(int state, const void *object, const void *mutex, TL_SPY_AT)
{
    thread_slot *s = me();
    atomic_store_explicit(&s->object, object, memory_order_relaxed);
    atomic_store_explicit(&s->mutex, mutex, memory_order_relaxed);
    atomic_store_explicit(&s->file, file, memory_order_relaxed);
    atomic_store_explicit(&s->line, line, memory_order_relaxed);
    atomic_store_explicit(&s->func, func, memory_order_relaxed);
    atomic_store_explicit(&s->state, state, memory_order_relaxed);
}

static void leave(void)
{
    atomic_store_explicit(&me()->state, IDLE, memory_order_relaxed);
}

/* ---- the deadlines of timed waits ---- */

static void saw_deadline(const struct timespec *at)
{
    if (at == NULL)
        return;
    thread_slot *s = me();
    long long ns = (long long)at->tv_sec * 1000000000LL + at->tv_nsec;
    long long last = atomic_exchange_explicit(&s->last_deadline_ns, ns, memory_order_relaxed);
    if (last != 0 && last != ns)
        atomic_fetch_add_explicit(&s->deadline_changes, 1, memory_order_relaxed);
}

long tl_spy_deadline_changes_mine(void)
{
    return atomic_load_explicit(&me()->deadline_changes, memory_order_relaxed);
}

void tl_spy_forget_deadlines_mine(void)
{
    atomic_store_explicit(&me()->last_deadline_ns, 0, memory_order_relaxed);
    atomic_store_explicit(&me()->deadline_changes, 0, memory_order_relaxed);
}

/* ---- held mutexes: per thread, and who owns each ---- */

static owner_entry *owner_of(const void *m, bool insert)
{
    size_t h = ((uintptr_t)m >> 4) % MUTEX_TABLE;
    for (size_t i = 0; i < MUTEX_TABLE; i++) {
        owner_entry *e = &owners[(h + i) % MUTEX_TABLE];
        const void *cur = atomic_load_explicit(&e->mutex, memory_order_relaxed);
        if (cur == m)
            return e;
        if (cur == NULL) {
            if (!insert)
                return NULL;
            const void *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(&e->mutex, &expected, m,
                                                        memory_order_relaxed, memory_order_relaxed) ||
                expected == m)
                return e;
        }
    }
    return NULL; /* table full: ownership is then not reported */
}

static void took(const void *m, const char *file, int line)
{
    thread_slot *s = me();
    for (int i = 0; i < MAX_HELD; i++) {
        const void *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&s->held[i], &expected, m, memory_order_relaxed,
                                                    memory_order_relaxed))
            break;
    }
    owner_entry *e = owner_of(m, true);
    if (e != NULL) {
        atomic_store_explicit(&e->file, file, memory_order_relaxed);
        atomic_store_explicit(&e->line, line, memory_order_relaxed);
        atomic_store_explicit(&e->owner, my_index() + 1, memory_order_relaxed);
    }
}

static void released(const void *m)
{
    thread_slot *s = me();
    for (int i = 0; i < MAX_HELD; i++) {
        if (atomic_load_explicit(&s->held[i], memory_order_relaxed) == m) {
            atomic_store_explicit(&s->held[i], NULL, memory_order_relaxed);
            break;
        }
    }
    owner_entry *e = owner_of(m, false);
    if (e != NULL && atomic_load_explicit(&e->owner, memory_order_relaxed) == my_index() + 1)
        atomic_store_explicit(&e->owner, 0, memory_order_relaxed);
}

bool tl_spy_holds(const void *mutex)
{
    thread_slot *s = me();
    for (int i = 0; i < MAX_HELD; i++)
        if (atomic_load_explicit(&s->held[i], memory_order_relaxed) == mutex)
            return true;
    return false;
}

int tl_spy_locks_held(void)
{
    thread_slot *s = me();
    int n = 0;
    for (int i = 0; i < MAX_HELD; i++)
        n += atomic_load_explicit(&s->held[i], memory_order_relaxed) != NULL;
    return n;
}

int tl_spy_held_mutexes(const void **out, int max)
{
    thread_slot *s = me();
    int n = 0;
    for (int i = 0; i < MAX_HELD && n < max; i++) {
        const void *m = atomic_load_explicit(&s->held[i], memory_order_relaxed);
        if (m != NULL)
            out[n++] = m;
    }
    return n;
}

/* ---- waiting ---- */

int tl_spy_waiting(const void *cond)
{
    int n = 0, count = atomic_load_explicit(&slot_count, memory_order_relaxed);
    for (int i = 0; i < count && i < MAX_THREADS; i++)
        if (atomic_load_explicit(&slots[i].state, memory_order_relaxed) == IN_WAIT &&
            (cond == NULL || atomic_load_explicit(&slots[i].object, memory_order_relaxed) == cond))
            n++;
    return n;
}

/* Polls until done() or bound_ms (scaled) pass. */
static bool await(bool (*done)(const void *a, long b), const void *a, long b, long bound_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    double bound_s = (double)bound_ms / 1000.0 * tl_timeout_scale();
    while (!done(a, b)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 > bound_s)
            return false;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    return true;
}

static bool enough_waiting(const void *cond, long n)
{
    return tl_spy_waiting(cond) >= n;
}

bool tl_spy_await_waiting(const void *cond, int n, long bound_ms)
{
    return await(enough_waiting, cond, n, bound_ms);
}

int tl_spy_locking(const void *mutex)
{
    int n = 0, count = atomic_load_explicit(&slot_count, memory_order_relaxed);
    for (int i = 0; i < count && i < MAX_THREADS; i++)
        if (atomic_load_explicit(&slots[i].state, memory_order_relaxed) == IN_LOCK &&
            (mutex == NULL || atomic_load_explicit(&slots[i].object, memory_order_relaxed) == mutex))
            n++;
    return n;
}

static bool enough_locking(const void *mutex, long n)
{
    return tl_spy_locking(mutex) >= n;
}

bool tl_spy_await_locking(const void *mutex, int n, long bound_ms)
{
    return await(enough_locking, mutex, n, bound_ms);
}

static bool enough_calls(const void *call, long at_least)
{
    return tl_spy_count(*(const tl_spy_call *)call) >= at_least;
}

bool tl_spy_await_count(tl_spy_call call, long at_least, long bound_ms)
{
    return await(enough_calls, &call, at_least, bound_ms);
}

int tl_spy_wake_spuriously(const void *cond)
{
    pthread_mutex_t *m = NULL;
    int count = atomic_load_explicit(&slot_count, memory_order_relaxed);
    for (int i = 0; i < count && i < MAX_THREADS && m == NULL; i++)
        if (atomic_load_explicit(&slots[i].state, memory_order_relaxed) == IN_WAIT &&
            (cond == NULL || atomic_load_explicit(&slots[i].object, memory_order_relaxed) == cond)) {
            m = (pthread_mutex_t *)atomic_load_explicit(&slots[i].mutex, memory_order_relaxed);
            cond = atomic_load_explicit(&slots[i].object, memory_order_relaxed);
        }
    if (m == NULL)
        return 0;
    int n = tl_spy_waiting(cond);
    /* Taking their mutex orders this after each counted waiter released it inside the wait. */
    if (pthread_mutex_lock(m) != 0)
        return 0;
    pthread_cond_broadcast((pthread_cond_t *)cond);
    pthread_mutex_unlock(m);
    return n;
}

/* ---- describing a stuck process ---- */

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : (path ? path : "?");
}

static void thread_name(int i, char *buf, size_t size)
{
    const char *name = atomic_load_explicit(&slots[i].name, memory_order_relaxed);
    if (name != NULL)
        snprintf(buf, size, "thread %d (%s)", i + 1, name);
    else
        snprintf(buf, size, "thread %d", i + 1);
}

void tl_spy_describe_blocked(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    int count = atomic_load_explicit(&slot_count, memory_order_relaxed);
    for (int i = 0; i < count && i < MAX_THREADS && used + 1 < size; i++) {
        int state = atomic_load_explicit(&slots[i].state, memory_order_relaxed);
        if (state == IDLE)
            continue;
        const void *object = atomic_load_explicit(&slots[i].object, memory_order_relaxed);
        const char *file = base_name(atomic_load_explicit(&slots[i].file, memory_order_relaxed));
        int line = atomic_load_explicit(&slots[i].line, memory_order_relaxed);
        const char *func = atomic_load_explicit(&slots[i].func, memory_order_relaxed);
        char who[96], what[256] = "";
        thread_name(i, who, sizeof who);
        if (state == IN_WAIT) {
            snprintf(what, sizeof what, "waits on a condition variable in %s (%s:%d), for a signal "
                     "or broadcast that has not come", func, file, line);
        } else if (state == IN_LOCK) {
            owner_entry *e = owner_of(object, false);
            int owner = e ? atomic_load_explicit(&e->owner, memory_order_relaxed) : 0;
            char holder[160] = "a thread the checks cannot see";
            if (owner > 0) {
                char name[96];
                thread_name(owner - 1, name, sizeof name);
                snprintf(holder, sizeof holder, "%s%s, which locked it at %s:%d", name,
                         owner - 1 == i ? " — itself" : "",
                         base_name(atomic_load_explicit(&e->file, memory_order_relaxed)),
                         atomic_load_explicit(&e->line, memory_order_relaxed));
            }
            snprintf(what, sizeof what, "waits to lock a mutex in %s (%s:%d), held by %s", func,
                     file, line, holder);
        } else if (state == IN_JOIN) {
            snprintf(what, sizeof what, "waits in pthread_join in %s (%s:%d) for a thread that has "
                     "not ended", func, file, line);
        } else {
            snprintf(what, sizeof what, "sleeps in nanosleep in %s (%s:%d)", func, file, line);
        }
        int n = snprintf(buf + used, size - used, "%s %s\n", who, what);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used >= size && size > 0)
        buf[size - 1] = '\0';
}

/* ---- the wrapped calls ---- */

typedef struct {
    void *(*fn)(void *);
    void *arg;
    const char *name;
} start_info;

static void *spied_start(void *p)
{
    start_info info = *(start_info *)p;
    free(p);
    tl_spy_name_thread(info.name);
    return info.fn(info.arg);
}

int tl_spy_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg,
                          TL_SPY_AT)
{
    note(TL_SPY_CREATE, t, NULL, file, line, func);
    int countdown = atomic_load_explicit(&create_fail_countdown, memory_order_relaxed);
    if (countdown > 0) {
        atomic_store_explicit(&create_fail_countdown, countdown - 1, memory_order_relaxed);
        if (countdown == 1)
            return atomic_load_explicit(&create_fail_error, memory_order_relaxed);
    }
    start_info *info = malloc(sizeof *info);
    if (info == NULL)
        return EAGAIN;
    *info = (start_info){fn, arg, "started by the exercise"};
    int rc = pthread_create(t, a, spied_start, info);
    if (rc != 0)
        free(info);
    else
        atomic_fetch_add_explicit(&started, 1, memory_order_relaxed);
    return rc;
}

int tl_spy_pthread_join(pthread_t t, void **ret, TL_SPY_AT)
{
    note(TL_SPY_JOIN, NULL, NULL, file, line, func);
    enter(IN_JOIN, NULL, NULL, file, line, func);
    int rc = pthread_join(t, ret);
    leave();
    if (rc == 0)
        atomic_fetch_add_explicit(&finished_by_join, 1, memory_order_relaxed);
    return rc;
}

int tl_spy_pthread_detach(pthread_t t, TL_SPY_AT)
{
    note(TL_SPY_DETACH, NULL, NULL, file, line, func);
    int rc = pthread_detach(t);
    if (rc == 0)
        atomic_fetch_add_explicit(&finished_by_join, 1, memory_order_relaxed);
    return rc;
}

int tl_spy_mutex_lock(pthread_mutex_t *m, TL_SPY_AT)
{
    note(TL_SPY_LOCK, m, NULL, file, line, func);
    enter(IN_LOCK, m, NULL, file, line, func);
    int rc = pthread_mutex_lock(m);
    leave();
    if (rc == 0)
        took(m, file, line);
    return rc;
}

int tl_spy_mutex_trylock(pthread_mutex_t *m, TL_SPY_AT)
{
    note(TL_SPY_LOCK, m, NULL, file, line, func);
    int rc = pthread_mutex_trylock(m);
    if (rc == 0)
        took(m, file, line);
    return rc;
}

int tl_spy_mutex_timedlock(pthread_mutex_t *m, const struct timespec *at, TL_SPY_AT)
{
    note(TL_SPY_LOCK, m, NULL, file, line, func);
    saw_deadline(at);
    enter(IN_LOCK, m, NULL, file, line, func);
    int rc = pthread_mutex_timedlock(m, at);
    leave();
    if (rc == 0)
        took(m, file, line);
    return rc;
}

int tl_spy_mutex_unlock(pthread_mutex_t *m, TL_SPY_AT)
{
    note(TL_SPY_UNLOCK, m, NULL, file, line, func);
    released(m);
    return pthread_mutex_unlock(m);
}

int tl_spy_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a, TL_SPY_AT)
{
    note(TL_SPY_MUTEX_INIT, m, NULL, file, line, func);
    return pthread_mutex_init(m, a);
}

int tl_spy_mutex_destroy(pthread_mutex_t *m, TL_SPY_AT)
{
    note(TL_SPY_MUTEX_DESTROY, m, NULL, file, line, func);
    return pthread_mutex_destroy(m);
}

int tl_spy_cond_init(pthread_cond_t *c, const pthread_condattr_t *a, TL_SPY_AT)
{
    note(TL_SPY_COND_INIT, c, NULL, file, line, func);
    return pthread_cond_init(c, a);
}

void tl_spy_cond_inited(const void *c, TL_SPY_AT)
{
    note(TL_SPY_COND_INIT, c, NULL, file, line, func);
}

int tl_spy_cond_destroy(pthread_cond_t *c, TL_SPY_AT)
{
    note(TL_SPY_COND_DESTROY, c, NULL, file, line, func);
    return pthread_cond_destroy(c);
}

int tl_spy_cond_wait(pthread_cond_t *c, pthread_mutex_t *m, TL_SPY_AT)
{
    note(TL_SPY_WAIT, c, m, file, line, func);
    released(m);
    enter(IN_WAIT, c, m, file, line, func);
    int rc = pthread_cond_wait(c, m);
    leave();
    took(m, file, line);
    return rc;
}

int tl_spy_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *at,
                          TL_SPY_AT)
{
    note(TL_SPY_WAIT, c, m, file, line, func);
    saw_deadline(at);
    released(m);
    enter(IN_WAIT, c, m, file, line, func);
    int rc = pthread_cond_timedwait(c, m, at);
    leave();
    took(m, file, line);
    return rc;
}

int tl_spy_cond_signal(pthread_cond_t *c, TL_SPY_AT)
{
    note(TL_SPY_SIGNAL, c, NULL, file, line, func);
    return pthread_cond_signal(c);
}

int tl_spy_cond_broadcast(pthread_cond_t *c, TL_SPY_AT)
{
    note(TL_SPY_BROADCAST, c, NULL, file, line, func);
    return pthread_cond_broadcast(c);
}

int tl_spy_rwlock_rdlock(pthread_rwlock_t *l, TL_SPY_AT)
{
    note(TL_SPY_RDLOCK, l, NULL, file, line, func);
    enter(IN_LOCK, l, NULL, file, line, func);
    int rc = pthread_rwlock_rdlock(l);
    leave();
    return rc;
}

int tl_spy_rwlock_wrlock(pthread_rwlock_t *l, TL_SPY_AT)
{
    note(TL_SPY_WRLOCK, l, NULL, file, line, func);
    enter(IN_LOCK, l, NULL, file, line, func);
    int rc = pthread_rwlock_wrlock(l);
    leave();
    return rc;
}

int tl_spy_rwlock_unlock(pthread_rwlock_t *l, TL_SPY_AT)
{
    note(TL_SPY_RWUNLOCK, l, NULL, file, line, func);
    return pthread_rwlock_unlock(l);
}

int tl_spy_nanosleep(const struct timespec *d, struct timespec *rem, TL_SPY_AT)
{
    note(TL_SPY_SLEEP, d, NULL, file, line, func);
    enter(IN_SLEEP, d, NULL, file, line, func);
    int rc = nanosleep(d, rem);
    leave();
    return rc;
}

static void *allocated(void *p)
{
    if (p != NULL)
        atomic_fetch_add_explicit(&live_allocations, 1, memory_order_relaxed);
    return p;
}

void *tl_spy_allocated(void *p, const char *file, int line)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, "");
    return allocated(p);
}

void *tl_spy_malloc(size_t n, TL_SPY_AT)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    return allocated(malloc(n));
}

void *tl_spy_calloc(size_t n, size_t size, TL_SPY_AT)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    return allocated(calloc(n, size));
}

void *tl_spy_realloc(void *p, size_t n, TL_SPY_AT)
{
    if (p != NULL)
        return realloc(p, n); /* the same allocation, moved or resized */
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    return allocated(realloc(NULL, n));
}

char *tl_spy_strdup(const char *s, TL_SPY_AT)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    return allocated(strdup(s));
}

void *tl_spy_aligned_alloc(size_t alignment, size_t size, TL_SPY_AT)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    return allocated(aligned_alloc(alignment, size));
}

int tl_spy_posix_memalign(void **p, size_t alignment, size_t size, TL_SPY_AT)
{
    note(TL_SPY_ALLOC, NULL, NULL, file, line, func);
    int rc = posix_memalign(p, alignment, size);
    if (rc == 0)
        allocated(*p);
    return rc;
}

void tl_spy_free(void *p, TL_SPY_AT)
{
    if (p != NULL) {
        note(TL_SPY_FREE, p, NULL, file, line, func);
        atomic_fetch_sub_explicit(&live_allocations, 1, memory_order_relaxed);
    }
    free(p);
}
