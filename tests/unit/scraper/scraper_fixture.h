/* scraper_fixture.h — what the tests of lab10's scraper (tests/unit/test_scraper*.c) share:
 * the process setup lab10's main does, a local site started on a free port, crawl options
 * for tests, and looking up what a crawl recorded. */
#ifndef TL_SCRAPER_FIXTURE_H
#define TL_SCRAPER_FIXTURE_H

#include "crawl.h"
#include "server.h"
#include "site.h"

/* What lab10's main does before any thread starts. Each test runs in a process of its own. */
void setup(void);

/* The local site on a free port of 127.0.0.1; a failure to start ends the test. */
site_server *start_server(const site_shape *shape, long latency_ms);

/* 4 workers, depth 10, 1000 pages, 5 s per request. */
crawl_options options(crawl_mode mode);

/* Crawls the site from its home page; a refused start URL ends the test. */
void crawl_ok(site_server *s, const crawl_options *opt, crawl_result *r);

/* The record of url, or of path on the server s; NULL when the crawl did not meet it. */
const crawl_page *find(const crawl_result *r, const char *url);
const crawl_page *find_path(const crawl_result *r, site_server *s, const char *path);

/* What a crawl must have recorded for one URL. */
typedef struct {
    const char *path_or_url; /* a path on the server, or a whole URL */
    long depth, status;
    const char *title;       /* the exact title; NULL: not checked */
    const char *reason_has;  /* a part of the reason ("" matches any) */
    bool fetched;
} expected_page;

/* Checks the record of want->path_or_url against want; `label` starts each message ("seq"). */
void check_page(const crawl_result *r, site_server *s, const expected_page *want, const char *label);

/* Checks that every ordinary page of the site (site.h) was met at its level with status 200,
 * its title and its word count. */
void check_ordinary_pages(const crawl_result *r, site_server *s, const site_shape *shape,
                          const char *label);

/* Checks that the server s answered no target twice and that r recorded no URL twice: what a
 * visited set that checks and adds in one step guarantees, whatever the site does. */
void check_fetched_once(const crawl_result *r, site_server *s, const char *label);

/* A TCP connection to 127.0.0.1:port; a failure ends the test. */
int connect_to(int port);

/* File descriptors this process has open (the entries of /proc/self/fd): the same before a
 * server starts and after it stops and the crawl ends, or something leaked one. */
long open_fds(void);

#endif
