/* checks.c — lab09's checks (checks.h): the sharded counter of exercise.c. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checks.h"
#include "counter_stress.h"
#include "exercise.h"

/* ThreadSanitizer sleeps 1 s in every _exit by default (atexit_sleep_ms), so each check's process
 * in the race twin took a second, and with its default history it often cannot name the second
 * access of a race; the twin's TSAN_OPTIONS (checks_run.c) set neither. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "atexit_sleep_ms=0:history_size=7";
}

static void fill(sharded_counter *c, const long *values)
{
    for (int s = 0; s < c->nshards; s++)
        atomic_store(&c->shards[s].value, values[s]);
}

static void init_gives_aligned_zeroed_shards(void)
{
    for (int n = 1; n <= 8; n++) {
        sharded_counter c;
        sharded_counter_init(&c, n);
        TL_ASSERT_FATAL(c.nshards == n && c.shards != NULL, "init(c, %d) left nshards = %d, "
                        "shards = %p", n, c.nshards, (void *)c.shards);
        uintptr_t at = (uintptr_t)c.shards;
        TL_ASSERT(at % COUNTER_SHARD_ALIGN == 0, "init(c, %d): the shards start at %#lx, not on a "
                  "%d-byte boundary, so two shards can share a cache line", n, (unsigned long)at,
                  COUNTER_SHARD_ALIGN);
        for (int s = 0; s < n; s++)
            TL_ASSERT(atomic_load(&c.shards[s].value) == 0, "init(c, %d): shard %d holds %ld, "
                      "expected 0", n, s, (long)atomic_load(&c.shards[s].value));
        sharded_counter_destroy(&c);
    }
}

static void add_lands_in_its_shard(void)
{
    sharded_counter c;
    sharded_counter_init(&c, 8);
    for (int s = 0; s < 8; s++)
        sharded_counter_add(&c, s, s + 1);
    sharded_counter_add(&c, 5, 10);
    char held[200] = "";
    bool right = true;
    for (int s = 0; s < 8; s++) {
        long got = atomic_load(&c.shards[s].value);
        right = right && got == s + 1 + (s == 5 ? 10 : 0);
        snprintf(held + strlen(held), sizeof held - strlen(held), " %ld", got);
    }
    TL_ASSERT(right, "after add(c, s, s + 1) for s = 0..7, then add(c, 5, 10), the shards hold%s; "
              "expected 1 2 3 4 5 16 7 8", held);
    sharded_counter_destroy(&c);
}

/* The shard alone on a page that is read-only until its first write: that write faults, and the
 * handler adds 100 as if other threads had added between this add's read and its write, then
 * lets the write run again. One read-modify-write then leaves 100 + n; a store of a value read
 * earlier leaves n. */
#define AREA 65536
static _Alignas(AREA) unsigned char area[AREA];
static counter_shard *const trapped = (counter_shard *)(void *)area;
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

static void add_is_one_read_modify_write(void)
{
    long page = sysconf(_SC_PAGESIZE);
    TL_ASSERT_FATAL(page > 0 && page <= AREA, "page size %ld: this check needs at most %d", page,
                    AREA);
    sharded_counter c = {trapped, 1}; /* a counter over the check's own page */
    atomic_init(&trapped->value, 0);
    struct sigaction sa = {.sa_sigaction = on_write, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    TL_ASSERT_FATAL(mprotect(area, (size_t)page, PROT_READ) == 0, "mprotect: %s", strerror(errno));
    sharded_counter_add(&c, 0, 7);
    mprotect(area, (size_t)page, PROT_READ | PROT_WRITE);
    TL_ASSERT_FATAL(faults == 1, "add(c, 0, 7) did not write shard 0");
    TL_ASSERT_EQ_LONG(atomic_load(&trapped->value), 107, "shard 0 after add(c, 0, 7) when others "
                      "added 100 between its read and its write (7: the write overwrote them)");
}

static void read_sums_every_shard(void)
{
    sharded_counter c;
    sharded_counter_init(&c, 8);
    static const long small[8] = {1, 20, 300, 4000, 50000, 600000, 7000000, 80000000};
    fill(&c, small);
    long first = sharded_counter_read(&c), second = sharded_counter_read(&c);
    TL_ASSERT_EQ_LONG(first, 87654321, "read of shards holding 1 20 300 ... 80000000");
    TL_ASSERT(second == first, "a second read gave %ld, the first %ld: a read must not change the "
              "counter", second, first);
    const long big[8] = {INT_MAX, INT_MAX, INT_MAX, INT_MAX, 1, 1, 1, 1};
    fill(&c, big);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 4L * INT_MAX + 4,
                      "read of shards holding INT_MAX x 4 and 1 x 4 (the sum is a long)");
    sharded_counter_destroy(&c);
}

typedef struct {
    sharded_counter *c;
    int shard;
} writer;

static void *add_and_exit(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < 1000; i++)
        sharded_counter_add(w->c, w->shard, w->shard + 1);
    return NULL;
}

static void read_counts_finished_threads(void)
{
    sharded_counter c;
    sharded_counter_init(&c, 4);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 0, "read of a new counter");
    sharded_counter_add(&c, 3, 5);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 5, "read after add(c, 3, 5) returned");
    writer w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (writer){&c, i};
        pthread_create(&t[i], NULL, add_and_exit, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 5 + 1000 * (1 + 2 + 3 + 4),
                      "read once 4 threads had each added 1000 times to its shard and exited");
    sharded_counter_destroy(&c);
}

static void *freed;
static void on_free(const tl_spy_event *e)
{
    if (e->object == freed)
        freed = NULL;
}

static void destroy_frees_the_shards(void)
{
    tl_spy_reset();
    sharded_counter c;
    sharded_counter_init(&c, 8);
    freed = c.shards;
    tl_spy_on(TL_SPY_FREE, on_free);
    sharded_counter_destroy(&c);
    TL_ASSERT(freed == NULL, "destroy did not free the shards init allocated (%p)", freed);
    TL_ASSERT(tl_spy_live_allocations() <= 0, "%ld allocation(s) of init still live after destroy",
              tl_spy_live_allocations());
}

static counter_stress_result stress(int shards, int writers, long adds_each)
{
    sharded_counter c;
    sharded_counter_init(&c, shards);
    counter_stress_plan plan = {writers, adds_each, tl_check_ms(3000)};
    counter_stress_result r = counter_stress_run(&c, &plan);
    TL_ASSERT_FATAL(r.finished, "%d writers adding %ld times each did not finish within %ld ms",
                    writers, adds_each, plan.timeout_ms);
    sharded_counter_destroy(&c);
    return r;
}

static void shared_shard_loses_nothing(void)
{
    counter_stress_result r = stress(1, 4, 100000);
    TL_ASSERT_EQ_LONG(r.final_read, r.expected, "read after 4 writers x 100000 adds to one shared "
                      "shard");
}

static void writers_and_reader_at_once(void)
{
    counter_stress_result r = stress(8, 8, 50000);
    TL_ASSERT_EQ_LONG(r.final_read, r.expected, "read after 8 writers x 50000 adds, one shard each");
    TL_ASSERT(r.wrong_shard < 0, "shard %d holds %ld, expected %ld (each writer adds to its own)",
              r.wrong_shard, r.wrong_shard_got, r.wrong_shard_expected);
    TL_ASSERT(r.backwards == 0, "%ld of %ld reads taken while the writers added went backwards; "
              "the first from %ld to %ld", r.backwards, r.reads, r.drop_from, r.drop_to);
}

TL_CHECK_TABLE("lab09",
    {.name = "init gives nshards shards, all 0, the array aligned to a cache line",
     .promises = "init.zeroed init.aligned", .points = 1,
     .hints = {"malloc and calloc promise 16-byte alignment only; a shard's line must be its own",
               "the allocation in sharded_counter_init",
               "an allocator that takes an alignment, and every shard set to 0"},
     .run = init_gives_aligned_zeroed_shards},
    {.name = "add(c, s, n) adds n to shard s and to no other shard", .promises = "add.own_shard",
     .points = 2,
     .hints = {"a shard is the caller's: everything in one shard is one shared counter again",
               "which shard, and which amount, sharded_counter_add uses",
               "the shard index and n the caller passed, nothing else"},
     .run = add_lands_in_its_shard},
    {.name = "add is one indivisible read-modify-write: adds made by others between its read and "
             "its write are kept",
     .promises = "add.atomic", .points = 3,
     .hints = {"an atomic load, then an atomic store, is two steps: another thread's add in "
               "between is overwritten",
               "the update of the shard in sharded_counter_add (`x = x + n` on an atomic is a "
               "load and a store too)",
               "one atomic fetch-and-add; relaxed order is enough for a counter"},
     .run = add_is_one_read_modify_write},
    {.name = "read returns the sum of every shard, as a long, and changes nothing",
     .promises = "read.sums", .points = 2,
     .hints = {"merging means every shard, counted once, in a type wide enough for the total",
               "the loop (bounds, type of the total) in sharded_counter_read",
               "load each of the c->nshards shards and add it to a long"},
     .run = read_sums_every_shard},
    {.name = "read includes every add that returned before it, also from threads that exited",
     .promises = "read.between read.exact", .points = 2,
     .hints = {"a read must look at the shards now, not at anything remembered",
               "what sharded_counter_read reads: every shard, at the time of the call",
               "no cache, no copy: the sum of the live shards"},
     .flags = TL_CHECK_RACES, .run = read_counts_finished_threads},
    {.name = "destroy frees the shards init allocated", .promises = "destroy.frees", .points = 1,
     .hints = {"what init allocates, destroy must give back",
               "sharded_counter_destroy: is the array freed, or only forgotten?",
               "free the shards, then clear the fields"},
     .run = destroy_frees_the_shards},
    {.name = "4 threads adding to one shared shard at once lose nothing", .promises = "add.atomic",
     .points = 2,
     .hints = {"threads that share a shard race on it: each add must be atomic",
               "the update of the shard in sharded_counter_add",
               "one atomic read-modify-write, never a plain load and store"},
     .bound_s = 10, .flags = TL_CHECK_RACES, .run = shared_shard_loses_nothing},
    {.name = "8 writers and a polling reader at once: exact total, each add in its shard, reads "
             "never go backwards, no data race",
     .promises = "add.concurrent read.monotonic add.own_shard", .points = 3,
     .hints = {"a shard is written by one thread while another reads it: both sides must be "
               "atomic, and a read must not change what it reads",
               "every access to a shard's value in add and read",
               "atomic loads in read, atomic adds in add; nothing reset or subtracted"},
     .bound_s = 10, .flags = TL_CHECK_RACES, .run = writers_and_reader_at_once});
