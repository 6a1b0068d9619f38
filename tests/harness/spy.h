/* spy.h — what the exercise's code did, recorded call by call, for the checks to read.
 *
 * Every exercise source (a student's labs/NN-topic/exercise.c, a solution, a bug-zoo variant) is
 * compiled with `-include spy.h` and -DTL_EXERCISE_SOURCE='"path"'. The macros below turn each
 * pthread call it makes into a call of the matching tl_spy_ function, which notes who called
 * what, where (file, line, function), then makes the real call and returns its result. The
 * student writes, and reads, the plain POSIX call; nothing else is compiled with this header,
 * so the checks' own threads and locks, common/ and the lab's demo are never counted.
 *
 * What the checks learn from it (tl_spy_... below):
 *   - counts of each call, and of allocations still live (destroy must free what init took);
 *   - whether every thread the exercise started was joined (or detached);
 *   - which threads are blocked right now, in which call, on which object, and who holds the
 *     mutex they wait for — the words of a hang report, and the way a check waits until a
 *     thread is REALLY waiting before it acts (see checks.h: forced interleavings);
 *   - hooks that run in the exercise's thread at a chosen call (just before the real call), so
 *     a check can act at the exact point a bug would matter;
 *   - a pthread_create that fails on its k-th call, so error paths run.
 *
 * The records are relaxed atomics and per-thread slots, never a lock: a lock here would order
 * the exercise's threads behind their back and hide from ThreadSanitizer the very data races
 * it must report.
 */
#ifndef TL_SPY_H
#define TL_SPY_H

/* Everything the macros below rename is declared first, so a later #include of these headers
 * (guarded) does not meet the macros. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "clock.h"

typedef enum {
    TL_SPY_CREATE,
    TL_SPY_JOIN,
    TL_SPY_DETACH,
    TL_SPY_LOCK, /* pthread_mutex_lock, trylock and timedlock alike */
    TL_SPY_UNLOCK,
    TL_SPY_WAIT, /* pthread_cond_wait and pthread_cond_timedwait alike */
    TL_SPY_SIGNAL,
    TL_SPY_BROADCAST,
    TL_SPY_MUTEX_INIT,
    TL_SPY_MUTEX_DESTROY,
    TL_SPY_COND_INIT,
    TL_SPY_COND_DESTROY,
    TL_SPY_SLEEP, /* nanosleep */
    TL_SPY_ALLOC, /* malloc, calloc, strdup, aligned_alloc, posix_memalign, realloc(NULL, n) */
    TL_SPY_FREE,  /* free of a non-NULL pointer */
    TL_SPY_RDLOCK,
    TL_SPY_WRLOCK,
    TL_SPY_RWUNLOCK,
    TL_SPY_CALL_KINDS
} tl_spy_call;

/* One call, as a hook sees it. */
typedef struct {
    tl_spy_call call;
    const void *object; /* the mutex, condition variable, rwlock or pthread_t* of the call */
    const void *mutex;  /* for a wait: the mutex passed with it */
    const char *file;
    int line;
    const char *func;
} tl_spy_event;

typedef void tl_spy_hook(const tl_spy_event *e);

/* ---- for the checks ---- */

/* Forgets every count and hook, and every failure planned (the per-thread records stay). */
void tl_spy_reset(void);

/* Calls of this kind made by the exercise since the last reset. */
long tl_spy_count(tl_spy_call call);

/* Calls of this kind made by the calling thread since the last reset. */
long tl_spy_count_mine(tl_spy_call call);

/* Allocations made by the exercise (since the last reset) not freed yet. */
long tl_spy_live_allocations(void);

/* Threads the exercise started (since the last reset) that were neither joined nor detached. */
long tl_spy_unjoined(void);

/* The nth pthread_create from now on (1: the next one) fails with `error` and starts nothing. */
void tl_spy_fail_create(int nth, int error);

/* Runs hook in the exercise's thread just before each real call of this kind (for an unlock:
 * while the mutex is still held; for a wait: before it releases the mutex). NULL removes it. */
void tl_spy_on(tl_spy_call call, tl_spy_hook *hook);

/* Threads inside a wait on cond right now (cond NULL: on any condition variable). */
int tl_spy_waiting(const void *cond);

/* Waits, at most bound_ms (scaled by TL_TIMEOUT_SCALE), until at least n threads are inside a
 * wait on cond (NULL: any). True when they are. A thread counted here has not yet given its
 * mutex up; whoever takes that mutex next is ordered after the thread really sleeps. */
bool tl_spy_await_waiting(const void *cond, int n, long bound_ms);

/* Threads blocked right now locking mutex (NULL: any mutex or rwlock). */
int tl_spy_locking(const void *mutex);

/* Waits, at most bound_ms (scaled), until at least n threads are blocked locking mutex (NULL:
 * any). True when they are. */
bool tl_spy_await_locking(const void *mutex, int n, long bound_ms);

/* Wakes every thread waiting on cond (NULL: on the first condition variable anyone waits on)
 * without changing anything else: what a spurious wake-up looks like to them. It takes the
 * mutex they passed first, so they are truly asleep when the broadcast comes. Returns how many
 * were waiting. They may not have woken yet when it returns: to know a woken thread went back
 * to waiting, note tl_spy_count(TL_SPY_WAIT) before and tl_spy_await_count it past that. */
int tl_spy_wake_spuriously(const void *cond);

/* Waits, at most bound_ms (scaled), until tl_spy_count(call) >= at_least. True when it is. */
bool tl_spy_await_count(tl_spy_call call, long at_least, long bound_ms);

/* How many times the deadline passed to the calling thread's timed waits (cond_timedwait,
 * mutex_timedlock) changed from one wait to the next, since tl_spy_forget_deadlines_mine():
 * one timed call that re-waits after a wake-up must keep one deadline, so 0. */
long tl_spy_deadline_changes_mine(void);
void tl_spy_forget_deadlines_mine(void);

/* The calling thread holds this mutex (taken through the exercise's code and not released). */
bool tl_spy_holds(const void *mutex);

/* Mutexes the calling thread holds through the exercise's code. */
int tl_spy_locks_held(void);

/* The mutexes the calling thread holds (at most max of them into out); returns how many. */
int tl_spy_held_mutexes(const void **out, int max);

/* Names the calling thread in reports ("waiter 2"); the string must outlive the thread. */
void tl_spy_name_thread(const char *name);

/* Writes into buf, one sentence a line, where every thread that is inside a blocking call of
 * the exercise is blocked (which call, at which line, on what, held by whom). Empty when none.
 * Takes no lock, so a watchdog may call it while the exercise is stuck. */
void tl_spy_describe_blocked(char *buf, size_t size);

/* The exercise source this program was linked with ("labs/04-event-signaling/exercise.c"),
 * or NULL when no exercise was compiled with this header. */
const char *tl_spy_exercise_source(void);

/* ---- what the macros call ---- */
#define TL_SPY_AT const char *file, int line, const char *func
int tl_spy_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg,
                          TL_SPY_AT);
int tl_spy_pthread_join(pthread_t t, void **ret, TL_SPY_AT);
int tl_spy_pthread_detach(pthread_t t, TL_SPY_AT);
int tl_spy_mutex_lock(pthread_mutex_t *m, TL_SPY_AT);
int tl_spy_mutex_trylock(pthread_mutex_t *m, TL_SPY_AT);
int tl_spy_mutex_timedlock(pthread_mutex_t *m, const struct timespec *at, TL_SPY_AT);
int tl_spy_mutex_unlock(pthread_mutex_t *m, TL_SPY_AT);
int tl_spy_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a, TL_SPY_AT);
int tl_spy_mutex_destroy(pthread_mutex_t *m, TL_SPY_AT);
int tl_spy_cond_init(pthread_cond_t *c, const pthread_condattr_t *a, TL_SPY_AT);
int tl_spy_cond_destroy(pthread_cond_t *c, TL_SPY_AT);
int tl_spy_cond_wait(pthread_cond_t *c, pthread_mutex_t *m, TL_SPY_AT);
int tl_spy_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *at,
                          TL_SPY_AT);
int tl_spy_cond_signal(pthread_cond_t *c, TL_SPY_AT);
int tl_spy_cond_broadcast(pthread_cond_t *c, TL_SPY_AT);
int tl_spy_rwlock_rdlock(pthread_rwlock_t *l, TL_SPY_AT);
int tl_spy_rwlock_wrlock(pthread_rwlock_t *l, TL_SPY_AT);
int tl_spy_rwlock_unlock(pthread_rwlock_t *l, TL_SPY_AT);
int tl_spy_nanosleep(const struct timespec *d, struct timespec *rem, TL_SPY_AT);
void *tl_spy_malloc(size_t n, TL_SPY_AT);
void *tl_spy_calloc(size_t n, size_t size, TL_SPY_AT);
void *tl_spy_realloc(void *p, size_t n, TL_SPY_AT);
char *tl_spy_strdup(const char *s, TL_SPY_AT);
void *tl_spy_aligned_alloc(size_t alignment, size_t size, TL_SPY_AT);
int tl_spy_posix_memalign(void **p, size_t alignment, size_t size, TL_SPY_AT);
void tl_spy_free(void *p, TL_SPY_AT);
void *tl_spy_allocated(void *p, const char *file, int line);
void tl_spy_cond_inited(const void *c, TL_SPY_AT);

void tl_spy_set_exercise_source(const char *source);

#ifdef TL_EXERCISE_SOURCE
/* The exercise names itself before main, so a lab or grader can say which one it runs. */
__attribute__((constructor)) static void tl_spy_name_exercise(void)
{
    tl_spy_set_exercise_source(TL_EXERCISE_SOURCE);
}

/* Variadic, so an argument with a comma of its own (a compound literal) passes through whole. */
#define TL_SPY_HERE __FILE__, __LINE__, __func__
#define pthread_create(...) tl_spy_pthread_create(__VA_ARGS__, TL_SPY_HERE)
#define pthread_join(...) tl_spy_pthread_join(__VA_ARGS__, TL_SPY_HERE)
#define pthread_detach(...) tl_spy_pthread_detach(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_lock(...) tl_spy_mutex_lock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_trylock(...) tl_spy_mutex_trylock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_timedlock(...) tl_spy_mutex_timedlock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_unlock(...) tl_spy_mutex_unlock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_init(...) tl_spy_mutex_init(__VA_ARGS__, TL_SPY_HERE)
#define pthread_mutex_destroy(...) tl_spy_mutex_destroy(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_init(...) tl_spy_cond_init(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_destroy(...) tl_spy_cond_destroy(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_wait(...) tl_spy_cond_wait(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_timedwait(...) tl_spy_cond_timedwait(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_signal(...) tl_spy_cond_signal(__VA_ARGS__, TL_SPY_HERE)
#define pthread_cond_broadcast(...) tl_spy_cond_broadcast(__VA_ARGS__, TL_SPY_HERE)
#define pthread_rwlock_rdlock(...) tl_spy_rwlock_rdlock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_rwlock_wrlock(...) tl_spy_rwlock_wrlock(__VA_ARGS__, TL_SPY_HERE)
#define pthread_rwlock_unlock(...) tl_spy_rwlock_unlock(__VA_ARGS__, TL_SPY_HERE)
#define nanosleep(...) tl_spy_nanosleep(__VA_ARGS__, TL_SPY_HERE)
#define malloc(...) tl_spy_malloc(__VA_ARGS__, TL_SPY_HERE)
#define calloc(...) tl_spy_calloc(__VA_ARGS__, TL_SPY_HERE)
#define realloc(...) tl_spy_realloc(__VA_ARGS__, TL_SPY_HERE)
#define strdup(...) tl_spy_strdup(__VA_ARGS__, TL_SPY_HERE)
#define aligned_alloc(...) tl_spy_aligned_alloc(__VA_ARGS__, TL_SPY_HERE)
#define posix_memalign(...) tl_spy_posix_memalign(__VA_ARGS__, TL_SPY_HERE)
#define free(...) tl_spy_free(__VA_ARGS__, TL_SPY_HERE)
/* common/check.h's allocators too: the exercise's tl_xmalloc and tl_xcalloc are counted like
 * malloc, so freeing what they returned balances. */
#define tl_xmalloc_at(size, file, line) tl_spy_allocated(tl_xmalloc_at(size, file, line), file, line)
#define tl_xcalloc_at(count, size, file, line)                                                     \
    tl_spy_allocated(tl_xcalloc_at(count, size, file, line), file, line)
/* ... and clock.h's condition variable on the monotonic clock, counted as a cond init. */
#define tl_cond_init_monotonic(c) (tl_spy_cond_inited(c, TL_SPY_HERE), tl_cond_init_monotonic(c))
#endif

#endif
