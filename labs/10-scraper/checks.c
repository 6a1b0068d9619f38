/* checks.c — lab10's checks (tests/harness/checks.h): the visited set of exercise.c.
 *
 * libxml2 is not built with ThreadSanitizer, so a table call made without the lock is invisible
 * to it. exercise_spy.h notes every table call the exercise makes instead, with the mutexes the
 * thread held, and the checks below require one mutex — the set's — at every call. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "check.h"
#include "checks.h"
#include "crawl.h"
#include "exercise.h"
#include "exercise_spy.h"
#include "server.h"

#define MAX_ADDERS 8

/* ---- the table calls, as exercise_spy.h reports them ---- */

static _Atomic long table_calls, unlocked_calls;
static _Atomic(const void *) common_mutex; /* held at every call so far, or NULL */
static _Atomic bool no_common_mutex;
static _Atomic(const char *) unlocked_call, unlocked_func;
static _Atomic int unlocked_line;

void visited_spy_table_call(const char *call, const char *func, int line)
{
    const void *held[16];
    int n = tl_spy_held_mutexes(held, 16);
    atomic_fetch_add(&table_calls, 1);
    if (n == 0 && atomic_fetch_add(&unlocked_calls, 1) == 0) {
        atomic_store(&unlocked_call, call);
        atomic_store(&unlocked_func, func);
        atomic_store(&unlocked_line, line);
    }
    const void *expected = NULL;
    if (n > 0 && !atomic_compare_exchange_strong(&common_mutex, &expected, held[0]) &&
        expected != held[0]) {
        bool shared = false;
        for (int i = 0; i < n; i++)
            shared |= held[i] == expected;
        if (!shared)
            atomic_store(&no_common_mutex, true);
    }
}

/* Forgets the calls so far: the next set starts afresh (its mutex is another). */
static void forget_table_calls(void)
{
    atomic_store(&table_calls, 0);
    atomic_store(&unlocked_calls, 0);
    atomic_store(&common_mutex, NULL);
    atomic_store(&no_common_mutex, false);
}

/* Every table call since the last forget_table_calls held one and the same mutex. */
static void assert_table_locked(const char *during)
{
    TL_ASSERT(atomic_load(&unlocked_calls) == 0, "%s: %ld of %ld calls into the hash table held no "
              "mutex, the first %s in %s (exercise.c:%d) (expected every call under the set's lock)",
              during, atomic_load(&unlocked_calls), atomic_load(&table_calls),
              atomic_load(&unlocked_call), atomic_load(&unlocked_func), atomic_load(&unlocked_line));
    TL_ASSERT(atomic_load(&unlocked_calls) > 0 || !atomic_load(&no_common_mutex), "%s: the calls "
              "into the hash table held different mutexes, none of them at every call (expected "
              "the one lock of the set, held at every call)", during);
    forget_table_calls();
}

/* ---- libxml2's allocations, counted ---- */

static _Atomic long xml_live;

static void *counted_malloc(size_t n)
{
    void *p = malloc(n);
    if (p != NULL)
        atomic_fetch_add(&xml_live, 1);
    return p;
}

static void *counted_realloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (p == NULL && q != NULL)
        atomic_fetch_add(&xml_live, 1);
    return q;
}

static void counted_free(void *p)
{
    if (p != NULL)
        atomic_fetch_sub(&xml_live, 1);
    free(p);
}

static char *counted_strdup(const char *s)
{
    char *p = strdup(s);
    if (p != NULL)
        atomic_fetch_add(&xml_live, 1);
    return p;
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    xmlMemSetup(counted_free, counted_malloc, counted_realloc, counted_strdup);
    xmlInitParser();
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the checks ---- */

static void new_once_then_seen(void)
{
    setup();
    visited_set *set = visited_create(), *other = visited_create();
    TL_ASSERT(!visited_contains(set, "http://a.test/"), "an empty set contains a URL");
    TL_ASSERT_EQ_LONG(visited_count(set), 0, "visited_count of an empty set");
    TL_ASSERT(visited_add(set, "http://a.test/"), "the first add of a URL returned false "
              "(expected true: it was new)");
    TL_ASSERT(!visited_add(set, "http://a.test/"), "the second add of the same URL returned true "
              "(expected false: it was there)");
    TL_ASSERT(visited_contains(set, "http://a.test/"), "the set does not contain what was added");
    TL_ASSERT(!visited_contains(set, "http://a.test/x"), "the set contains a URL never added");
    TL_ASSERT(visited_add(set, "http://a.test/x"), "a URL asked about with visited_contains was "
              "then not new to visited_add (expected contains to change nothing)");
    TL_ASSERT_EQ_LONG(visited_count(set), 2, "visited_count after adding two URLs, one twice");
    TL_ASSERT(!visited_contains(other, "http://a.test/"), "a second set contains what was added to "
              "the first (expected every set to be its own)");
    TL_ASSERT_EQ_LONG(visited_count(other), 0, "visited_count of a second, empty set");
    visited_destroy(other);
    visited_destroy(set);
}

static void table_calls_hold_the_lock(void)
{
    setup();
    forget_table_calls();
    visited_set *set = visited_create();
    visited_add(set, "http://a.test/");
    visited_add(set, "http://a.test/");
    visited_contains(set, "http://a.test/");
    visited_count(set);
    assert_table_locked("add, add again, contains and count");
    visited_destroy(set);
}

/* The forced interleaving: thread A's add of a URL is stopped at its second lock call — between
 * a look-up and an insert made in two critical sections — while thread B adds the same URL to
 * the end. A set whose add is one critical section never takes a second lock, so B then runs
 * after A has finished. Either way, exactly one of them may answer "new". */
static visited_set *race_set;
static _Thread_local bool is_first_adder;
static _Thread_local int first_adder_locks;
static _Atomic int second_answer = -1;

static void *second_adder(void *arg)
{
    (void)arg;
    atomic_store(&second_answer, visited_add(race_set, "http://a.test/same"));
    return NULL;
}

static void run_second_adder(void)
{
    pthread_t b;
    TL_CHECK(pthread_create(&b, NULL, second_adder, NULL));
    TL_CHECK(pthread_join(b, NULL)); /* bounded by the check's own bound */
}

static void on_lock(const tl_spy_event *e)
{
    (void)e;
    if (is_first_adder && ++first_adder_locks == 2 && tl_spy_locks_held() == 0)
        run_second_adder();
}

static void add_is_one_step(void)
{
    setup();
    race_set = visited_create();
    tl_spy_on(TL_SPY_LOCK, on_lock);
    is_first_adder = true;
    bool first = visited_add(race_set, "http://a.test/same");
    is_first_adder = false;
    bool forced = atomic_load(&second_answer) != -1;
    if (!forced)
        run_second_adder();
    tl_spy_on(TL_SPY_LOCK, NULL);
    int second = atomic_load(&second_answer);
    TL_ASSERT(first + second == 1, "two adds of one URL, the second made %s: %s and %s (expected "
              "exactly one true)", forced ? "between the first's look-up and its insert" :
              "after the first", first ? "true" : "false", second ? "true" : "false");
    visited_destroy(race_set);
}

/* `threads` threads wait at a start line, then each adds the same `urls` URLs in order. */
typedef struct {
    visited_set *set;
    long urls;
    atomic_bool go;
    atomic_int ready;
} stress;

typedef struct {
    stress *s;
    bool *got_new;
    int own; /* >= 0: add URLs of its own (t<own>), not the shared ones */
} adder;

static void url_name(char *buf, size_t len, int own, long u)
{
    if (own >= 0)
        snprintf(buf, len, "http://t%d.test/%ld", own, u);
    else
        snprintf(buf, len, "http://127.0.0.1/stress/page%ld.html", u);
}

static void *add_all(void *arg)
{
    adder *a = arg;
    atomic_fetch_add(&a->s->ready, 1);
    while (!atomic_load(&a->s->go))
        ; /* a spin, so all start within a few microseconds of each other */
    char url[96];
    for (long u = 0; u < a->s->urls; u++) {
        url_name(url, sizeof url, a->own, u);
        a->got_new[u] = visited_add(a->s->set, url);
    }
    return NULL;
}

/* Runs the adders; returns how many URLs got "new" more or less than once (0 is right). */
static long run_adders(int threads, long urls, bool own, char *example, size_t size)
{
    forget_table_calls();
    stress s = {.set = visited_create(), .urls = urls};
    pthread_t ids[MAX_ADDERS];
    adder adders[MAX_ADDERS];
    for (int t = 0; t < threads; t++) {
        adders[t] = (adder){&s, tl_xcalloc((size_t)urls, sizeof(bool)), own ? t : -1};
        TL_CHECK(pthread_create(&ids[t], NULL, add_all, &adders[t]));
    }
    while (atomic_load(&s.ready) < threads)
        tl_sleep_ms(1);
    atomic_store(&s.go, true);
    for (int t = 0; t < threads; t++)
        TL_CHECK(pthread_join(ids[t], NULL));
    long wrong = 0;
    for (long u = 0; u < urls; u++) {
        int answers = 0;
        for (int t = 0; t < threads; t++)
            answers += adders[t].got_new[u];
        int expected = own ? threads : 1; /* own: each thread's URL u is new to it */
        if (answers != expected && wrong++ == 0)
            snprintf(example, size, "URL %ld: %d answers \"new\", expected %d", u, answers,
                     expected);
    }
    long count = (long)visited_count(s.set);
    long expected = own ? (long)threads * urls : urls;
    assert_table_locked(own ? "4 threads adding URLs of their own" : "8 threads adding the same URLs");
    TL_ASSERT(count == expected, "visited_count after %d threads added %s %ld URLs: %ld (expected "
              "%ld)", threads, own ? "their own" : "the same", urls, count, expected);
    for (int t = 0; t < threads; t++)
        free(adders[t].got_new);
    visited_destroy(s.set);
    return wrong;
}

static void same_urls_from_eight_threads(void)
{
    setup();
    static const long sizes[] = {200, 2000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char example[96] = "";
        long wrong = run_adders(MAX_ADDERS, sizes[i], false, example, sizeof example);
        TL_ASSERT_FATAL(wrong == 0, "8 threads adding the same %ld URLs at once: %ld were not answered "
                  "\"new\" exactly once, e.g. %s (expected 0)", sizes[i], wrong, example);
    }
}

static void own_urls_from_four_threads(void)
{
    setup();
    char example[96] = "";
    long wrong = run_adders(4, 500, true, example, sizeof example);
    TL_ASSERT(wrong == 0, "4 threads adding 500 URLs each, none shared: %ld answers \"not new\" "
              "(expected 0)", wrong);
}

static void destroy_frees_everything(void)
{
    setup();
    long xml_before = atomic_load(&xml_live);
    visited_set *set = visited_create();
    for (int i = 0; i < 100; i++) {
        char url[64];
        snprintf(url, sizeof url, "http://a.test/%d", i);
        visited_add(set, url);
    }
    visited_destroy(set);
    long xml_left = atomic_load(&xml_live) - xml_before;
    TL_ASSERT(xml_left <= 0, "create, 100 adds, destroy: %ld of libxml2's allocations are still "
              "live (expected 0: free the table)", xml_left);
    TL_ASSERT(tl_spy_live_allocations() <= 0 && tl_spy_count(TL_SPY_FREE) >= 1, "create then "
              "destroy left the set's own memory allocated (expected destroy to free it)");
    TL_ASSERT(tl_spy_count(TL_SPY_MUTEX_DESTROY) == tl_spy_count(TL_SPY_MUTEX_INIT), "create made "
              "%ld mutexes, destroy destroyed %ld (expected the same)",
              tl_spy_count(TL_SPY_MUTEX_INIT), tl_spy_count(TL_SPY_MUTEX_DESTROY));
}

static void threaded_crawl_fetches_nothing_twice(void)
{
    setup();
    char err[256];
    site_server *s = site_server_start(&(site_shape){.pages = 100, .fanout = 4}, 5, 0, err,
                                       sizeof err);
    TL_ASSERT_FATAL(s != NULL, "the local site did not start: %s", err);
    crawl_options opt = {.mode = CRAWL_THREADS, .workers = 8, .max_depth = 10, .max_pages = 1000,
                         .timeout_ms = 5000};
    crawl_result r;
    TL_ASSERT_FATAL(crawl_run(site_server_url(s), &opt, &r, err, sizeof err), "crawl: %s", err);
    char busiest[256];
    long most = site_server_busiest(s, busiest, sizeof busiest);
    TL_ASSERT(most == 1, "a threaded crawl (8 workers) of the local site asked for %s %ld times "
              "(expected once)", busiest, most);
    crawl_result_free(&r);
    site_server_stop(s);
}

TL_CHECK_TABLE("lab10",
    {.name = "a URL is new once, then seen; contains and count tell the truth; sets are apart",
     .promises = "create.empty add.new_once contains.found count.distinct", .points = 2,
     .hints = {"visited_add answers whether THIS call put the URL in; visited_contains only "
               "looks; each set has a table of its own",
               "visited_add's return value, visited_contains's side effects, visited_create",
               "look the URL up; if it is missing, insert it and answer true; otherwise false"},
     .run = new_once_then_seen},
    {.name = "every call into the hash table holds the set's lock",
     .promises = "table.locked contains.threads count.threads", .points = 2,
     .hints = {"libxml2's table is not thread-safe: a read racing a write can see it half-changed",
               "the calls to xmlHashLookup, xmlHashAddEntry and xmlHashSize, in every function",
               "lock the set's mutex before the table call and unlock it after, reads included"},
     .run = table_calls_hold_the_lock},
    {.name = "an add that comes between another add's look-up and its insert answers false",
     .promises = "add.atomic", .points = 3,
     .hints = {"check-then-act: if the look-up and the insert are two steps, another thread fits "
               "between them, and both hear \"new\"",
               "visited_add: how many times does it lock and unlock?",
               "one critical section: lock, look up, insert if missing, unlock, answer"},
     .run = add_is_one_step},
    {.name = "8 threads adding the same 200, then 2000 URLs: each is new exactly once",
     .promises = "add.atomic add.threads", .points = 2, .flags = TL_CHECK_RACES,
     .hints = {"taking the pause out only makes the race rarer, never gone",
               "visited_add, with 8 threads in it at once",
               "the look-up and the insert under one lock, held throughout"},
     .run = same_urls_from_eight_threads},
    {.name = "4 threads adding URLs of their own: every one is new, the count is all of them",
     .promises = "add.threads count.distinct", .points = 1, .flags = TL_CHECK_RACES,
     .hints = {"URLs nobody else adds are always new", "visited_add and visited_count",
               "count what the table holds, under the lock"},
     .run = own_urls_from_four_threads},
    {.name = "destroy frees the table, the set and its mutex", .promises = "destroy.frees",
     .points = 1,
     .hints = {"what create makes, destroy must unmake", "visited_destroy",
               "free the table (xmlHashFree), destroy the mutex, free the set"},
     .run = destroy_frees_everything},
    {.name = "a threaded crawl of the local site fetches no URL twice", .promises = "add.atomic",
     .points = 2, .bound_s = 20, .flags = TL_CHECK_RACES,
     .hints = {"8 workers meet the same link at once: a check-then-add lets several fetch it",
               "visited_add, as the crawl's workers call it", "one critical section for the "
               "look-up and the insert"},
     .run = threaded_crawl_fetches_nothing_twice});
