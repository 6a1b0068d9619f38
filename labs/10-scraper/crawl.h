/* crawl.h — a breadth-first, same-host crawl, three ways.
 *
 *   CRAWL_SEQ      one request at a time: every page waits for the one before it.
 *   CRAWL_THREADS  a pool of `workers` threads, each with its own libcurl handle; while one
 *                  thread waits for the network, the others fetch and parse.
 *   CRAWL_MULTI    one thread, libcurl's multi interface: up to `workers` transfers in
 *                  flight, driven by an event loop (curl_multi_poll) — the C analogue of
 *                  Python's asyncio.
 *
 * All three crawl by level: every page at depth d is fetched (a "round") before any page
 * at depth d+1, so every mode meets the same URLs at the same depths, whatever order the
 * network answers in. A round's links are claimed in the visited set (exercise.h) by
 * whichever worker parsed them; the next level is those claimed links, sorted. A redirect
 * is a page that points elsewhere: its target is checked like a link (same host? allowed by
 * robots.txt? seen already?) and, if new, fetched at the same depth in one more round, at
 * most CRAWL_MAX_REDIRECTS deep. So nothing is requested twice, and nothing off-host or
 * disallowed is requested at all.
 *
 * Failures (no response, timeouts, HTTP >= 400, bodies over the cap) are recorded with a
 * reason and never stop the crawl. Every URL met gets a record (pages.h): fetched pages,
 * and links not followed with the reason why.
 */
#ifndef LAB10_CRAWL_H
#define LAB10_CRAWL_H

#include <stdbool.h>
#include <stddef.h>

#include "pages.h"

typedef enum { CRAWL_SEQ, CRAWL_THREADS, CRAWL_MULTI } crawl_mode;

#define CRAWL_MAX_REDIRECTS 5

typedef struct {
    crawl_mode mode;
    long workers;    /* threads, or transfers in flight (ignored by CRAWL_SEQ) */
    long max_depth;  /* links followed from the start page: 0 fetches the start page only */
    long max_pages;  /* URLs fetched at most (robots.txt not counted) */
    long timeout_ms; /* per request */
    bool ignore_robots;
    /* Called after each page, from whichever thread fetched it (so it must be thread-safe):
     * pages done so far, and URLs claimed but not yet done. May be NULL. */
    void (*progress)(void *ctx, long done, long waiting);
    void *progress_ctx;
} crawl_options;

typedef struct {
    crawl_mode mode;
    long workers;        /* requests at once: 1 for CRAWL_SEQ */
    page_list pages;     /* every URL met, sorted (page_list_sort) */
    long fetched;        /* URLs requested (robots.txt not counted) */
    long errors;         /* of those: no response, HTTP >= 400, too large */
    long requests;       /* HTTP requests sent, robots.txt included */
    double seconds;      /* wall-clock time of the whole crawl */
    long *round_sizes;   /* requests in each round; a round starts when the previous ends */
    size_t rounds;
    char robots_note[256]; /* what robots.txt said, in words */
} crawl_result;

/* Crawls from start_url. False, with a message in err, when start_url is not an http(s)
 * URL; otherwise true, whatever the crawl met. Free *out with crawl_result_free. */
bool crawl_run(const char *start_url, const crawl_options *opt, crawl_result *out, char *err,
               size_t errlen);

void crawl_result_free(crawl_result *r);

/* The crawl's time if each request took exactly latency_ms and nothing else took any time,
 * with `workers` requests at once: each round takes ceil(requests / workers) latencies. */
double crawl_ideal_seconds(const crawl_result *r, long workers, long latency_ms);

/* The speedup over one request at a time that this crawl's rounds allow at best:
 * requests / sum of ceil(round / workers). Latency cancels out. */
double crawl_ideal_speedup(const crawl_result *r);

/* "seq", "threads", "multi". */
const char *crawl_mode_name(crawl_mode mode);

#endif
