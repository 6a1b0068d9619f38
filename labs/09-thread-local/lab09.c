/* lab09 — thread-local storage: state each thread owns needs no lock. The `about` text below
 * says what each step shows; the steps follow in order, each in its own section. Beside this
 * file: await_count.c (bounded waits), median_round.c (which of Step 3's rounds to show),
 * checks.c and counter_stress.c (Step 4: the checks of your exercise, shared with the grader). */
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "await_count.h"
#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "median_round.h"
#include "report.h"

enum { HANDLERS = 3, QUERIES_EACH = 4, WAIT_MS = 10000 };

static long thread_count = 4;
static long increments = 4000000;

static const tl_option options[] = {
    {"threads", TL_OPT_LONG, &thread_count, 1, 64, "N", "threads counting in step 3", "2", NULL},
    {"increments", TL_OPT_LONG, &increments, 1, 100000000, "N",
     "increments per thread in step 3", "500000", NULL},
    {0},
};

static const char about[] =
    "Thread-local storage: state each thread owns needs no lock.\n"
    "Step 1 stores a request id in a plain global and in _Thread_local storage from three\n"
    "threads: the global is overwritten, each thread-local copy stays its thread's own, and main\n"
    "sees its own unset copy. Step 2 uses pthread_key_create with a destructor to open one\n"
    "connection per thread on first use and close it at thread exit. Step 3 counts with one\n"
    "mutex-protected counter, then with a counter sharded per thread (padded to cache lines, and\n"
    "unpadded to show false sharing), and prints the throughput ratio. Step 4 checks your\n"
    "sharded counter (labs/09-thread-local/exercise.c; `make check-lab09` grades it).\n"
    "--csv prints variant,threads,increments,seconds,per_second (increments: the total);\n"
    "sweep with: for t in 1 2 4 8; do ./lab09 --csv --threads $t; done";

static const tl_cli cli = {"lab09", "[options]", about, options, false, 0};

/* ---- Step 1: _Thread_local ---- */

/* Atomic only so that the demo is not also a data race: the bug it shows is the sharing. */
static atomic_long shared_request_id;
static _Thread_local long request_id;        /* each thread's own, 0 until it sets it */
static _Thread_local char request_cache[40]; /* each thread's own, empty until it fills it */
static atomic_int handlers_ready;

typedef struct {
    long my_id;
    long shared_seen, local_seen;
    char cache_seen[40];
    void *where; /* &request_id, as this thread sees it */
    bool in_time;
} request_handler;

static void describe_cache(long id, char *buf, size_t len)
{
    snprintf(buf, len, "session of request %ld", id);
}

static void *handle_request(void *arg)
{
    request_handler *h = arg;
    atomic_store(&shared_request_id, h->my_id);
    request_id = h->my_id;
    describe_cache(h->my_id, request_cache, sizeof request_cache);
    atomic_fetch_add(&handlers_ready, 1);
    /* Read back only once every handler has written: any overwriting has happened by then. */
    h->in_time = await_count(&handlers_ready, HANDLERS, WAIT_MS);
    h->shared_seen = atomic_load(&shared_request_id);
    h->local_seen = request_id;
    snprintf(h->cache_seen, sizeof h->cache_seen, "%s", request_cache);
    h->where = &request_id;
    return NULL;
}

static void show_thread_local(void)
{
    tl_step("Three request handlers store their request id in a plain global and in _Thread_local");
    request_handler h[HANDLERS];
    pthread_t threads[HANDLERS];
    for (int i = 0; i < HANDLERS; i++) {
        h[i] = (request_handler){.my_id = 101 + i};
        TL_CHECK(pthread_create(&threads[i], NULL, handle_request, &h[i]));
    }
    int own_shared = 0, own_local = 0, in_time = 0;
    for (int i = 0; i < HANDLERS; i++) {
        TL_CHECK(pthread_join(threads[i], NULL));
        char want[40];
        describe_cache(h[i].my_id, want, sizeof want);
        own_shared += h[i].shared_seen == h[i].my_id;
        own_local += h[i].local_seen == h[i].my_id && strcmp(h[i].cache_seen, want) == 0;
        in_time += h[i].in_time;
        tl_say("handler %d set %ld: global reads %ld; _Thread_local reads %ld, cache \"%s\" at %p", i + 1,
               h[i].my_id, h[i].shared_seen, h[i].local_seen, h[i].cache_seen, h[i].where);
    }
    if (in_time < HANDLERS)
        tl_verdict(TL_FAIL, "%d of %d handlers saw the others start within %d s (expected all)", in_time,
                   HANDLERS, WAIT_MS / 1000);
    tl_verdict(own_shared < HANDLERS ? TL_RACE : TL_FAIL,
               "plain global: %d of %d handlers read another's request id (expected each its own)",
               HANDLERS - own_shared, HANDLERS);
    tl_expect(own_local == HANDLERS, TL_FAIL,
              "_Thread_local: %d of %d handlers read their own request id and cache (expected %d)", own_local,
              HANDLERS, HANDLERS);
    tl_expect(request_id == 0 && request_cache[0] == '\0', TL_FAIL,
              "main's request_id = %ld, cache = \"%s\" (expected 0 and \"\": main's own copy, never set)",
              request_id, request_cache);
}

/* ---- Step 2: pthread_key_create with a destructor ---- */

typedef struct {
    int id;
    int queries;
} connection;

static pthread_key_t connection_key;
static atomic_int connections_opened, connections_closed;

/* Called by pthreads at thread exit for a thread whose value for the key is not NULL. */
static void connection_close(void *value)
{
    atomic_fetch_add(&connections_closed, 1);
    free(value);
}

/* Opens this thread's connection on first use; every later call returns the same one. */
static connection *connection_of_this_thread(void)
{
    connection *conn = pthread_getspecific(connection_key);
    if (conn == NULL) {
        conn = tl_xcalloc(1, sizeof *conn);
        conn->id = atomic_fetch_add(&connections_opened, 1) + 1;
        TL_CHECK(pthread_setspecific(connection_key, conn));
    }
    return conn;
}

typedef struct {
    int connection_id, queries;
} query_worker;

static void *run_queries(void *arg)
{
    query_worker *w = arg;
    for (int q = 0; q < QUERIES_EACH; q++)
        connection_of_this_thread()->queries++;
    w->connection_id = connection_of_this_thread()->id;
    w->queries = connection_of_this_thread()->queries;
    return NULL; /* no close call here: the key's destructor closes the connection */
}

static void show_thread_specific(void)
{
    tl_step("Three workers each run %d queries on a per-thread connection (pthread_key_create with a "
            "destructor)", QUERIES_EACH);
    TL_CHECK(pthread_key_create(&connection_key, connection_close));
    query_worker w[HANDLERS] = {{0}};
    pthread_t threads[HANDLERS];
    for (int i = 0; i < HANDLERS; i++)
        TL_CHECK(pthread_create(&threads[i], NULL, run_queries, &w[i]));
    int one_connection = 0;
    for (int i = 0; i < HANDLERS; i++) {
        TL_CHECK(pthread_join(threads[i], NULL)); /* returns after the thread's destructors ran */
        one_connection += w[i].queries == QUERIES_EACH;
        tl_say("worker %d ran %d queries on connection #%d", i + 1, w[i].queries, w[i].connection_id);
    }
    TL_CHECK(pthread_key_delete(connection_key));
    int opened = atomic_load(&connections_opened), closed = atomic_load(&connections_closed);
    tl_expect(one_connection == HANDLERS, TL_FAIL,
              "%d of %d workers ran all %d queries on one connection (expected %d)", one_connection, HANDLERS,
              QUERIES_EACH, HANDLERS);
    tl_expect(opened == HANDLERS && closed == opened, TL_FAIL,
              "connections opened = %d, closed = %d (expected %d and %d: one per thread, closed at its exit)",
              opened, closed, HANDLERS, HANDLERS);
}

/* ---- Step 3: a mutex counter vs a sharded counter ---- */

typedef struct {
    pthread_mutex_t lock;
    long value;
} locked_counter;

/* A core must own a cache line to write it, so shards that share a line bounce it between
 * cores although no thread touches another's shard (false sharing). alignas(64) gives each
 * shard a line of its own; the unpadded variant is a plain atomic_long array, 8 to a line. */
typedef struct {
    alignas(64) atomic_long value;
} padded_shard;

typedef struct {
    locked_counter *counter; /* count_locked: the one shared counter */
    atomic_long *shard;      /* count_sharded: this thread's own shard */
    long increments;
    atomic_int *go;
} counting_thread;

static void *count_locked(void *arg)
{
    counting_thread *t = arg;
    (void)await_count(t->go, 1, WAIT_MS); /* a late start only blurs the timing */
    for (long i = 0; i < t->increments; i++) {
        TL_CHECK(pthread_mutex_lock(&t->counter->lock));
        t->counter->value++;
        TL_CHECK(pthread_mutex_unlock(&t->counter->lock));
    }
    return NULL;
}

/* No lock: nobody else adds to this shard. The add is still atomic (relaxed) so that a reader
 * could merge the shards while threads count, as in the exercise. */
static void *count_sharded(void *arg)
{
    counting_thread *t = arg;
    (void)await_count(t->go, 1, WAIT_MS);
    for (long i = 0; i < t->increments; i++)
        atomic_fetch_add_explicit(t->shard, 1, memory_order_relaxed);
    return NULL;
}

enum { MUTEX, SHARDED, SHARDED_UNPADDED, VARIANTS };
static const char *const variant_names[VARIANTS] = {"mutex", "sharded", "sharded-unpadded"};

/* One round of one variant: a fresh counter, `threads` threads released together, each adding
 * 1 `each` times; the total is merged after the joins. */
static counting_result count_once(int variant, long threads, long each)
{
    counting_thread *args = tl_xcalloc((size_t)threads, sizeof *args);
    pthread_t *ids = tl_xcalloc((size_t)threads, sizeof *ids);
    padded_shard *padded = aligned_alloc(alignof(padded_shard), (size_t)threads * sizeof *padded);
    atomic_long *unpadded = tl_xcalloc((size_t)threads, sizeof *unpadded);
    if (padded == NULL)
        TL_DIE("out of memory for %ld shards", threads);
    locked_counter locked = {.value = 0};
    TL_CHECK(pthread_mutex_init(&locked.lock, NULL));
    atomic_int go = 0;
    for (long i = 0; i < threads; i++) {
        atomic_init(&padded[i].value, 0);
        atomic_init(&unpadded[i], 0);
        args[i] = (counting_thread){&locked, variant == SHARDED ? &padded[i].value : &unpadded[i], each, &go};
        TL_CHECK(pthread_create(&ids[i], NULL, variant == MUTEX ? count_locked : count_sharded, &args[i]));
    }
    tl_stopwatch sw = tl_stopwatch_start();
    atomic_store(&go, 1);
    for (long i = 0; i < threads; i++)
        TL_CHECK(pthread_join(ids[i], NULL));
    counting_result r = {variant == MUTEX ? locked.value : 0, tl_stopwatch_s(&sw)};
    for (long i = 0; i < threads && variant != MUTEX; i++)
        r.total += atomic_load(variant == SHARDED ? &padded[i].value : &unpadded[i]);
    TL_CHECK(pthread_mutex_destroy(&locked.lock));
    free(args);
    free(ids);
    free(padded);
    free(unpadded);
    return r;
}

static void compare_counters(long threads, long each)
{
    tl_step("%ld threads each add 1, %ld times: to one mutex counter, then each to its own shard (median of %d)",
            threads, each, ROUNDS);
    long expected = threads * each;
    counting_result rounds[VARIANTS][ROUNDS];
    /* Rounds alternate between the variants, so a busy spell slows all of them, not one. */
    for (int round = 0; round < ROUNDS; round++)
        for (int v = 0; v < VARIANTS; v++)
            rounds[v][round] = count_once(v, threads, each);
    double per_second[VARIANTS];
    for (int v = 0; v < VARIANTS; v++) {
        counting_result r = median_round(rounds[v], expected);
        per_second[v] = (double)r.total / (r.seconds > 1e-9 ? r.seconds : 1e-9);
        tl_expect(r.total == expected, TL_FAIL, "%-16s total = %ld (expected %ld) in %.3f s: %.1f M increments/s",
                  variant_names[v], r.total, expected, r.seconds, per_second[v] / 1e6);
        tl_csv_row("%s,%ld,%ld,%.6f,%.0f", variant_names[v], threads, r.total, r.seconds, per_second[v]);
    }
    const char *plural = threads == 1 ? "" : "s";
    tl_verdict(TL_INFO, "sharded / mutex throughput = %.1fx with %ld thread%s (a measurement, not a test)",
               per_second[SHARDED] / per_second[MUTEX], threads, plural);
    tl_verdict(TL_INFO, "padded / unpadded shards = %.1fx with %ld thread%s (unpadded shards share cache lines)",
               per_second[SHARDED] / per_second[SHARDED_UNPADDED], threads, plural);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab09", &common);
    tl_csv_header("variant,threads,increments,seconds,per_second");
    tl_header("thread-local storage");

    show_thread_local();
    show_thread_specific();
    compare_counters(thread_count, increments);
    tl_checks_step(&tl_lab_checks);

    tl_lesson("State that belongs to one thread needs no lock: _Thread_local and pthread keys give each "
              "thread its own copy, and a sharded counter gives each thread its own cache line to add to, "
              "paying only on read, when it merges the shards.");
    return tl_report_exit_status();
}
