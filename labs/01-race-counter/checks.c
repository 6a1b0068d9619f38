/* checks.c — lab01's checks (checks.h): the two increments of exercise.c. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checks.h"
#include "clock.h"
#include "crowd.h"
#include "exercise.h"

enum { THREADS = 16, CALLS = 25 };

/* ThreadSanitizer sleeps 1 s in every _exit by default (atexit_sleep_ms), so each check's process
 * in the race twin took a second, and with its default history it often cannot name the second
 * access of a race; the twin's TSAN_OPTIONS (checks_run.c) set neither. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "atexit_sleep_ms=0:history_size=7";
}

/* What the spy's hooks saw, in the exercise's own thread. */
static locked_counter *watched;
static _Atomic long locks_of_watched, locks_of_others, unlocks_seen, value_at_unlock;

static void on_lock(const tl_spy_event *e)
{
    atomic_fetch_add(e->object == &watched->lock ? &locks_of_watched : &locks_of_others, 1);
}

static void on_unlock(const tl_spy_event *e) /* c->lock is still held here */
{
    if (e->object == &watched->lock && atomic_fetch_add(&unlocks_seen, 1) == 0)
        atomic_store(&value_at_unlock, watched->value);
}

static void watch(locked_counter *c)
{
    watched = c;
    tl_spy_reset();
    tl_spy_on(TL_SPY_LOCK, on_lock);
    tl_spy_on(TL_SPY_UNLOCK, on_unlock);
}

static void locked_adds_one_and_unlocks(void)
{
    static locked_counter c = LOCKED_COUNTER_INIT;
    watch(&c);
    counter_increment_locked(&c);
    TL_ASSERT_EQ_LONG(c.value, 1, "c->value after one call on a new counter");
    TL_ASSERT(tl_spy_locks_held() == 0, "counter_increment_locked returned still holding %d "
              "mutex(es) it locked", tl_spy_locks_held());
    int rc = pthread_mutex_trylock(&c.lock);
    TL_ASSERT(rc == 0, "c->lock is still locked after the call returned (trylock: %s)",
              strerror(rc));
}

static void locked_writes_before_unlock(void)
{
    static locked_counter c = LOCKED_COUNTER_INIT;
    watch(&c);
    counter_increment_locked(&c);
    TL_ASSERT(atomic_load(&locks_of_others) == 0, "counter_increment_locked locked %ld mutex(es) "
              "other than c->lock: only the counter's own mutex is shared by every caller",
              atomic_load(&locks_of_others));
    TL_ASSERT_FATAL(atomic_load(&locks_of_watched) > 0, "counter_increment_locked never locked "
                    "c->lock: with nothing to exclude them, calls overlap and lose updates");
    TL_ASSERT_FATAL(atomic_load(&locks_of_watched) == 1 && atomic_load(&unlocks_seen) == 1,
                    "one call locked c->lock %ld times and unlocked it %ld times, expected once "
                    "each: between two critical sections other threads slip in",
                    atomic_load(&locks_of_watched), atomic_load(&unlocks_seen));
    TL_ASSERT(atomic_load(&value_at_unlock) == 1, "c->value was %ld when c->lock was unlocked, "
              "expected 1: the new value must be written before the unlock",
              atomic_load(&value_at_unlock));
}

static atomic_bool call_returned;

static void *call_locked_once(void *c)
{
    counter_increment_locked(c);
    atomic_store(&call_returned, true);
    return NULL;
}

/* True once the caller is blocked in pthread_mutex_lock (the spy has no call for "n threads wait
 * for this mutex", so its description of blocked threads is read); false once it returned. */
static bool await_blocked_in_lock(long ms)
{
    char where[2048];
    for (long waited = 0; waited <= tl_check_ms(ms) && !atomic_load(&call_returned); waited++) {
        tl_spy_describe_blocked(where, sizeof where);
        if (strstr(where, "waits to lock a mutex") != NULL)
            return true;
        tl_sleep_ms(1);
    }
    return false;
}

static void locked_waits_and_keeps_holders_update(void)
{
    static locked_counter c = LOCKED_COUNTER_INIT;
    watch(&c);
    pthread_mutex_lock(&c.lock);
    pthread_t caller;
    pthread_create(&caller, NULL, call_locked_once, &c);
    bool waits = await_blocked_in_lock(2000);
    long while_held = c.value;
    c.value = 41; /* what other lock holders added meanwhile */
    pthread_mutex_unlock(&c.lock);
    pthread_join(caller, NULL);
    TL_ASSERT_FATAL(waits && atomic_load(&locks_of_watched) > 0, "counter_increment_locked did not "
                    "wait while this check held c->lock (c->value became %ld meanwhile): it must "
                    "lock c->lock, the mutex every caller shares", while_held);
    TL_ASSERT_EQ_LONG(c.value, 42, "c->value after the holder set 41 and the call added one (a "
                      "smaller value: c->value was read before c->lock was taken)");
}

static void call_locked_many(void *c)
{
    for (int i = 0; i < CALLS; i++)
        counter_increment_locked(c);
}

static void call_atomic_many(void *c)
{
    for (int i = 0; i < CALLS; i++)
        counter_increment_atomic(c);
}

static void crowd_counts(crowd_task task, void *c, long (*value)(void *))
{
    crowd_result r = crowd_run(THREADS, task, c, tl_check_ms(3000));
    TL_ASSERT_FATAL(r.finished, "%d threads x %d calls did not finish within %ld ms: does a call "
                    "return with the lock still held?", THREADS, CALLS, tl_check_ms(3000));
    TL_ASSERT_EQ_LONG(value(c), THREADS * CALLS, "c->value after 16 threads x 25 calls at once");
}

static long locked_value(void *c)
{
    return ((locked_counter *)c)->value;
}

static long atomic_value(void *c)
{
    return atomic_load(&((atomic_counter *)c)->value);
}

static void locked_crowd_loses_nothing(void)
{
    static locked_counter c = LOCKED_COUNTER_INIT;
    crowd_counts(call_locked_many, &c, locked_value);
}

static void atomic_adds_one_without_locks(void)
{
    static atomic_counter c = ATOMIC_COUNTER_INIT;
    tl_spy_reset();
    counter_increment_atomic(&c);
    TL_ASSERT_EQ_LONG(atomic_load(&c.value), 1, "c->value after one call on a new counter");
    long locks = tl_spy_count(TL_SPY_LOCK) + tl_spy_count(TL_SPY_RDLOCK) +
                 tl_spy_count(TL_SPY_WRLOCK) + tl_spy_count(TL_SPY_WAIT);
    TL_ASSERT(locks == 0, "counter_increment_atomic made %ld lock or wait call(s): the atomic "
              "version takes no lock", locks);
}

/* The counter alone on a page that is read-only until its first write: that write faults, and
 * the handler adds 100 as if other threads had incremented between this call's read and its
 * write, then lets the write run again. One read-modify-write then sees 100 and leaves 101; a
 * write of a value read earlier leaves 1. */
#define AREA 65536
static _Alignas(AREA) unsigned char area[AREA];
static atomic_counter *const trapped = (atomic_counter *)(void *)area;
static volatile sig_atomic_t faults;

__attribute__((no_sanitize("thread"))) static void on_write(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    long page = sysconf(_SC_PAGESIZE);
    if ((unsigned char *)si->si_addr < area || (unsigned char *)si->si_addr >= area + page ||
        faults++ > 0) {
        signal(sig, SIG_DFL); /* not ours: crash as it would have */
        return;
    }
    mprotect(area, (size_t)page, PROT_READ | PROT_WRITE);
    *(volatile long *)(void *)&trapped->value += 100;
}

static void atomic_is_one_read_modify_write(void)
{
    long page = sysconf(_SC_PAGESIZE);
    TL_ASSERT_FATAL(page > 0 && page <= AREA, "page size %ld: this check needs at most %d", page,
                    AREA);
    atomic_init(&trapped->value, 0);
    struct sigaction sa = {.sa_sigaction = on_write, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    TL_ASSERT_FATAL(mprotect(area, (size_t)page, PROT_READ) == 0, "mprotect: %s", strerror(errno));
    counter_increment_atomic(trapped);
    mprotect(area, (size_t)page, PROT_READ | PROT_WRITE);
    TL_ASSERT_FATAL(faults == 1, "counter_increment_atomic did not write c->value");
    TL_ASSERT_EQ_LONG(atomic_load(&trapped->value), 101, "c->value when 100 increments by other "
                      "threads landed between this call's read and its write (1: the write "
                      "overwrote them; 100: the call's own increment was lost)");
}

static void atomic_crowd_loses_nothing(void)
{
    static atomic_counter c = ATOMIC_COUNTER_INIT;
    crowd_counts(call_atomic_many, &c, atomic_value);
}

TL_CHECK_TABLE("lab01",
    {.name = "counter_increment_locked adds one and returns with c->lock unlocked",
     .promises = "increment_locked.adds_one increment_locked.unlocks", .points = 1,
     .hints = {"every path out of the function releases what it took",
               "the end of counter_increment_locked, after the write",
               "lock at the top, unlock at the bottom, nothing returns in between"},
     .run = locked_adds_one_and_unlocks},
    {.name = "counter_increment_locked locks only c->lock, once, and writes c->value before it "
             "unlocks",
     .promises = "increment_locked.holds_lock increment_locked.one_section", .points = 2,
     .hints = {"the read, the work and the write are one critical section, under the mutex that "
               "every caller shares",
               "where the lock and the unlock sit relative to the write of c->value; which mutex "
               "is locked (one declared in the function, or static, is not c->lock)",
               "lock c's own mutex, read, work, write, then unlock: one pair per call"},
     .run = locked_writes_before_unlock},
    {.name = "counter_increment_locked waits while another thread holds c->lock, and keeps what "
             "that thread wrote",
     .promises = "increment_locked.waits increment_locked.holds_lock", .points = 3,
     .hints = {"a value read before the lock is taken may be stale by the time the lock is yours",
               "the first line of counter_increment_locked: what runs before the lock",
               "take the lock first; only then read c->value"},
     .flags = TL_CHECK_RACES, .run = locked_waits_and_keeps_holders_update},
    {.name = "counter_increment_atomic adds one and takes no lock",
     .promises = "increment_atomic.adds_one increment_atomic.lock_free", .points = 1,
     .hints = {"an atomic operation needs no mutex: the hardware makes it indivisible",
               "any pthread_mutex_ or rwlock call in counter_increment_atomic",
               "one call from <stdatomic.h> does the whole increment"},
     .run = atomic_adds_one_without_locks},
    {.name = "counter_increment_atomic is one indivisible read-modify-write: increments made "
             "between its read and its write are kept",
     .promises = "increment_atomic.one_step", .points = 3,
     .hints = {"an atomic load followed by an atomic store is two steps; another thread can "
               "write in between, and the store then overwrites it",
               "the read and the write of c->value in counter_increment_atomic (an assignment "
               "`c->value = c->value + 1` is also a load and a store)",
               "an atomic fetch-and-add, or a compare-exchange that retries until it succeeds"},
     .run = atomic_is_one_read_modify_write},
    {.name = "16 threads x 25 calls of counter_increment_locked at once lose no update",
     .promises = "increment_locked.adds_one increment_locked.holds_lock", .points = 2,
     .hints = {"updates are lost when two threads read the same value",
               "which accesses of c->value are inside the critical section",
               "hold c->lock across the read, the work and the write"},
     .flags = TL_CHECK_RACES, .run = locked_crowd_loses_nothing},
    {.name = "16 threads x 25 calls of counter_increment_atomic at once lose no update",
     .promises = "increment_atomic.adds_one increment_atomic.one_step", .points = 2,
     .hints = {"updates are lost when a write is based on a stale read",
               "every access of c->value in counter_increment_atomic",
               "one atomic read-modify-write per call"},
     .flags = TL_CHECK_RACES, .run = atomic_crowd_loses_nothing});
