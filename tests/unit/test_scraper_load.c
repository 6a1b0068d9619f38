/* The load test of lab10's crawler: the generated site at 10,000 pages, crawled with 64
 * workers by the thread pool and by the event loop. The crawl must complete with every page
 * at its level with status 200, the server asked for no URL twice, and as many file
 * descriptors open after the server stops as before it started. The time and the peak
 * memory are reported as [info] lines, never asserted (the machine is shared).
 *
 * Why the memory is bounded: what the crawl keeps for the whole crawl is O(pages) — one
 * record per URL met (a URL of at most URL_MAX_LEN, a title of at most HTML_MAX_TITLE, a
 * reason), one entry in the visited set and, in the server, one request count per target —
 * a few hundred bytes per page here. What it holds per request is bounded by the caps and
 * exists only for requests in flight, at most `workers` of them: a body of at most
 * FETCH_MAX_BODY (each handle's buffer grows to the largest body it fetched, not beyond),
 * libxml2's tree of that body (depth-capped), at most HTML_MAX_LINKS links, and on the
 * server's side a connection thread and the page it is sending. Nothing grows with the
 * number of links on a page or with the time the crawl takes. So the peak is about
 * base + pages x (a few hundred bytes) + workers x (stack touched + body + tree), in this
 * process, which also runs the server. Built like test_scraper.c (see GNUmakefile). */
#include <stdio.h>
#include <sys/resource.h>

#include "crawl.h"
#include "harness.h"
#include "scraper_fixture.h"
#include "server.h"
#include "site.h"

#define LOAD_PAGES 10000
#define LOAD_WORKERS 64

/* The peak resident set size of this process so far, in MiB (Linux: ru_maxrss in KiB). */
static double peak_rss_mib(void)
{
    struct rusage usage;
    TL_ASSERT_FATAL(getrusage(RUSAGE_SELF, &usage) == 0, "getrusage failed");
    return (double)usage.ru_maxrss / 1024.0;
}

static void crawl_under_load(crawl_mode mode)
{
    setup();
    tl_hint("%d pages with %d workers: nothing fetched twice, nothing left open, every page there",
            LOAD_PAGES, LOAD_WORKERS);
    const char *name = crawl_mode_name(mode);
    site_shape shape = {.pages = LOAD_PAGES, .fanout = 10};
    long fds = open_fds();
    double rss_before = peak_rss_mib();
    site_server *s = start_server(&shape, 0);
    crawl_options opt = options(mode);
    opt.workers = LOAD_WORKERS;
    opt.max_pages = 2 * LOAD_PAGES;
    opt.timeout_ms = (long)(10000 * tl_timeout_scale()); /* a page is slow here only if the machine is */
    crawl_result r;
    crawl_ok(s, &opt, &r);
    double rss_peak = peak_rss_mib();

    check_ordinary_pages(&r, s, &shape, name);
    check_fetched_once(&r, s, name);
    TL_ASSERT_EQ_LONG(site_server_requests(s), r.requests, "requests the server answered vs the crawl's");
    TL_ASSERT_EQ_LONG(r.errors, 2, "failed fetches (the site's 404 and its page over the cap)");
    printf("        [info] %s: %ld pages fetched by %d workers in %.2f s; peak RSS %.1f MiB "
           "(%.1f MiB before the server started)\n",
           name, r.fetched, LOAD_WORKERS, r.seconds, rss_peak, rss_before);
    fflush(stdout);
    crawl_result_free(&r);
    site_server_stop(s);
    TL_ASSERT(open_fds() == fds, "%s: %ld file descriptors open before the server started, %ld after "
              "it stopped and the crawl ended", name, fds, open_fds());
}

static void threads_under_load(void)
{
    crawl_under_load(CRAWL_THREADS);
}

static void multi_under_load(void)
{
    crawl_under_load(CRAWL_MULTI);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("scraper: load");
    tl_test_timeout(s, "10,000 pages, 64 threads", threads_under_load, 60);
    tl_test_timeout(s, "10,000 pages, 64 transfers in flight (curl_multi)", multi_under_load, 60);
}
