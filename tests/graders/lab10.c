/* Grader for lab10's exercise: the visited set (labs/10-scraper/exercise.h). The scraper's
 * own tests (URLs, HTML, robots.txt, the server, the crawl) are in tests/unit/test_scraper.c. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "check.h"
#include "crawl.h"
#include "exercise.h"
#include "harness.h"
#include "server.h"
#include "stress.h"

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    xmlInitParser();
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void new_once_then_seen(void)
{
    setup();
    tl_hint("visited_add returns true only the first time a URL is added, false after that");
    visited_set *set = visited_create();
    TL_ASSERT(!visited_contains(set, "http://a.test/"), "an empty set contains nothing");
    TL_ASSERT_EQ_LONG(visited_count(set), 0, "count of an empty set");
    TL_ASSERT(visited_add(set, "http://a.test/"), "first add of a URL: expected true (new), got false");
    TL_ASSERT(!visited_add(set, "http://a.test/"), "second add of the same URL: expected false, got true");
    TL_ASSERT(visited_contains(set, "http://a.test/"), "the set contains what was added");
    TL_ASSERT(visited_add(set, "http://a.test/other"), "a different URL is new");
    TL_ASSERT_EQ_LONG(visited_count(set), 2, "count after adding two URLs (one twice)");
    visited_destroy(set);
}

static void same_urls_from_eight_threads(void)
{
    setup();
    tl_hint("two threads can both look, both see the URL missing, and both answer \"new\": do "
            "the lookup and the insert inside ONE critical section (lock, look, add if missing, "
            "unlock), and return whether this call added it");
    stress_report r;
    visited_stress(8, 200, &r);
    TL_ASSERT(r.never_new == 0, "%ld URLs were never reported new (expected 0): the first add of "
              "a URL must return true", r.never_new);
    TL_ASSERT_FATAL(r.added_twice == 0, "8 threads adding the same 200 URLs: %ld URLs were "
                    "reported new more than once (expected 0), e.g. %s; \"new\" answers: %ld "
                    "(expected 200)", r.added_twice, r.example, r.new_answers);
    /* Taking out visited_think_time's pause makes the race rarer, not gone: many more URLs
     * (quick when the add is right) catch a check-then-add in two steps on every run. */
    tl_hint("removing the pause only hides the race: the lookup and the insert must be ONE "
            "critical section");
    visited_stress(8, 20000, &r);
    TL_ASSERT(r.added_twice == 0 && r.never_new == 0, "8 threads adding the same 20000 URLs: %ld "
              "reported new more than once (e.g. %s), %ld never (expected 0 and 0)", r.added_twice,
              r.example, r.never_new);
}

static void count_after_concurrent_adds(void)
{
    setup();
    tl_hint("visited_count counts distinct URLs; take the lock to read the table's size");
    stress_report r;
    visited_stress(8, 300, &r);
    TL_ASSERT_EQ_LONG(r.count, 300, "visited_count after 8 threads added the same 300 URLs");
}

typedef struct {
    visited_set *set;
    int id;
    long new_answers;
} disjoint_adder;

static void *add_own_urls(void *arg)
{
    disjoint_adder *a = arg;
    char url[64];
    for (int i = 0; i < 500; i++) {
        snprintf(url, sizeof url, "http://t%d.test/%d", a->id, i);
        a->new_answers += visited_add(a->set, url);
    }
    return NULL;
}

static void different_urls_are_all_new(void)
{
    setup();
    tl_hint("URLs no other thread adds must all be reported new");
    visited_set *set = visited_create();
    pthread_t ids[4];
    disjoint_adder adders[4];
    for (int t = 0; t < 4; t++) {
        adders[t] = (disjoint_adder){set, t, 0};
        TL_CHECK(pthread_create(&ids[t], NULL, add_own_urls, &adders[t]));
    }
    for (int t = 0; t < 4; t++) {
        TL_CHECK(pthread_join(ids[t], NULL));
        TL_ASSERT_EQ_LONG(adders[t].new_answers, 500, "\"new\" answers for a thread's own 500 URLs");
    }
    TL_ASSERT_EQ_LONG(visited_count(set), 2000, "visited_count after 4 threads x 500 different URLs");
    visited_destroy(set);
}

static void threaded_crawl_fetches_nothing_twice(void)
{
    setup();
    tl_hint("in the threaded crawl, every page of a level links to the same next page and 8 "
            "workers meet that link at once: with a check-then-add in two steps, several of "
            "them fetch it");
    char err[256];
    site_server *s = site_server_start(&(site_shape){.pages = 100, .fanout = 4}, 5, 0, err, sizeof err);
    TL_ASSERT_FATAL(s != NULL, "the local site did not start: %s", err);
    crawl_options opt = {.mode = CRAWL_THREADS, .workers = 8, .max_depth = 10, .max_pages = 1000,
                         .timeout_ms = 5000};
    crawl_result r;
    TL_ASSERT_FATAL(crawl_run(site_server_url(s), &opt, &r, err, sizeof err), "crawl: %s", err);
    char busiest[256];
    long most = site_server_busiest(s, busiest, sizeof busiest);
    TL_ASSERT(most == 1, "the most requests the server got for one URL: %ld for %s (expected 1)",
              most, busiest);
    size_t repeats = page_list_repeats(&r.pages, busiest, sizeof busiest);
    TL_ASSERT(repeats == 0, "URLs the crawl met more than once: %zu, e.g. %s (expected 0)", repeats,
              busiest);
    crawl_result_free(&r);
    site_server_stop(s);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("lab10 visited set");
    tl_test(s, "a URL is new once, then seen", new_once_then_seen);
    tl_test(s, "8 threads adding the same URLs: each is reported new exactly once", same_urls_from_eight_threads);
    tl_test(s, "the count is right after concurrent adds", count_after_concurrent_adds);
    tl_test(s, "different URLs from different threads are all new", different_urls_are_all_new);
    tl_test(s, "a threaded crawl of the local site fetches no URL twice", threaded_crawl_fetches_nothing_twice);
}
