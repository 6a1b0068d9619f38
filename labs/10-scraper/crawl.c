#include "crawl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"
#include "fetch.h"
#include "html.h"
#include "pool.h"
#include "robots.h"
#include "url.h"

/* A list of URLs (a level to crawl, the links a page gave us). */
typedef struct {
    char **urls;
    size_t count, cap;
} url_list;

static void url_list_add(url_list *list, char *url) /* takes ownership */
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->urls = realloc(list->urls, list->cap * sizeof *list->urls);
        if (list->urls == NULL)
            TL_DIE("out of memory");
    }
    list->urls[list->count++] = url;
}

static int compare_urls(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void url_list_sort(url_list *list)
{
    if (list->count > 1) /* qsort's base must not be NULL, even for nothing to sort */
        qsort(list->urls, list->count, sizeof *list->urls, compare_urls);
}

static void url_list_free(url_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->urls[i]);
    free(list->urls);
    *list = (url_list){0};
}

static char *xstrdup(const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        TL_DIE("out of memory");
    return copy;
}

/* ---- the state of one crawl ---- */

typedef struct {
    const crawl_options *opt;
    char *start;            /* the start URL, normalised */
    char host[256];         /* its host: links elsewhere are not followed */
    visited_set *visited;   /* shared by every worker: the exercise */
    robots *rules;          /* read-only once the crawl starts */
    const char *refusal;    /* the reason recorded for what the rules forbid */
    long depth;             /* the level being fetched */
    fetcher **fetchers;     /* one per worker, reused for every request (keep-alive) */
    size_t fetcher_count;
    tl_pool *pool;          /* CRAWL_THREADS: the workers */
    pthread_mutex_t spare_lock; /* CRAWL_THREADS: guards the handles not in use */
    fetcher **spare;
    size_t spare_count;
    atomic_long done, claimed; /* for progress reports only */
} crawl;

/* What fetching one URL produced. Only the thread that fetched it writes it. */
typedef struct {
    crawl *c;
    const char *url;     /* borrowed from the round's list */
    crawl_page page;
    page_list skipped;   /* links met here for the first time, not to be crawled */
    url_list links;      /* links met here for the first time, to crawl at depth + 1 */
    char *redirect;      /* a 3xx's target, normalised; claimed later by the driver */
    bool failed;         /* no response, HTTP >= 400, or over the size cap */
} outcome;

/* Why a same-scheme URL is not crawled (NULL: it is crawled). */
static const char *not_crawled_because(const crawl *c, const char *url)
{
    char host[256], path[URL_MAX_LEN + 1];
    if (!url_host(url, host, sizeof host) || strcmp(host, c->host) != 0)
        return "off-host: not followed";
    if (!url_path_query(url, path, sizeof path) || !robots_allowed(c->rules, path))
        return c->refusal;
    return NULL;
}

/* Claims url in the visited set. Whoever claims it first either records why it is not
 * crawled (in `skipped`) or lists it to crawl (in `to_crawl`); everyone later ignores it.
 * Takes ownership of url; false when it was met before. Called by many workers at once:
 * the visited set's add-if-new is what makes "first" mean exactly one of them. */
static bool claim(crawl *c, char *url, long depth, page_list *skipped, url_list *to_crawl)
{
    if (!visited_add(c->visited, url)) {
        free(url); /* met before, by this worker or another */
        return false;
    }
    const char *why_not = not_crawled_because(c, url);
    if (why_not != NULL) {
        page_list_add(skipped, page_not_fetched(url, depth, why_not));
        free(url);
        return true;
    }
    url_list_add(to_crawl, url);
    atomic_fetch_add(&c->claimed, 1);
    return true;
}

/* A link found on a page at the current depth: a page of the next level, or a record. */
static void consider_link(crawl *c, outcome *o, const char *base, const char *href)
{
    char *url = NULL;
    url_status status = url_resolve(base, href, &url);
    if (status == URL_OK) {
        claim(c, url, c->depth + 1, &o->skipped, &o->links);
        return;
    }
    char key[256]; /* "mailto:...", "javascript:...", as written: the visited set's key */
    snprintf(key, sizeof key, "%s", href);
    if (visited_add(c->visited, key))
        page_list_add(&o->skipped, page_not_fetched(key, c->depth + 1, url_status_reason(status)));
}

/* Adds a note to a reason: "first note; second note". */
static void add_note(char *reason, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_note(char *reason, size_t len, const char *fmt, ...)
{
    size_t used = strlen(reason);
    if (used > 0 && used + 2 < len) {
        strcpy(reason + used, "; ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason + used, len - used, fmt, ap);
    va_end(ap);
}

/* The page's title, words and links; what did not go as it should, in `notes`. */
static void read_html(crawl *c, outcome *o, const fetch_result *r, char *notes, size_t len)
{
    html_page html;
    html_extract(r->body, r->body_len, r->content_type, &html);
    free(o->page.title);
    o->page.title = xstrdup(html.title);
    o->page.words = html.words;
    if (html.title_repairs > 0)
        add_note(notes, len, "%zu bytes of the title not UTF-8, each shown as U+FFFD", html.title_repairs);
    if (html.cut_at_depth > 0)
        add_note(notes, len, "markup nested deeper than %d levels: the rest not read", html.cut_at_depth);
    if (html.links_dropped > 0)
        add_note(notes, len, "%zu more links ignored (at most %d per page)", html.links_dropped,
                 HTML_MAX_LINKS);
    if (c->depth < c->opt->max_depth) {
        /* A <base href> changes what relative links are relative to; it is itself relative
         * to the page. */
        char *base = NULL;
        if (html.base_href == NULL || url_resolve(o->url, html.base_href, &base) != URL_OK)
            base = xstrdup(o->url);
        for (size_t i = 0; i < html.link_count; i++)
            consider_link(c, o, base, html.links[i]);
        free(base);
    }
    html_page_free(&html);
}

/* Turns a response into the page's record, its new links and its redirect. Called by
 * whichever thread fetched it, concurrently with the others. */
static void take_response(crawl *c, outcome *o, const fetch_result *r)
{
    char reason[CURL_ERROR_SIZE + URL_MAX_LEN + 64] = "";
    o->page = (crawl_page){.url = xstrdup(o->url), .depth = c->depth, .status = r->status,
                           .title = xstrdup(""), .fetched = true};
    if (r->error[0] != '\0') {
        snprintf(reason, sizeof reason, "%s", r->error);
    } else if (r->status >= 300 && r->status < 400) {
        if (r->location != NULL && url_normalise(r->location, &o->redirect) == URL_OK)
            snprintf(reason, sizeof reason, "redirect to %s", o->redirect);
        else
            snprintf(reason, sizeof reason, "HTTP %ld without a usable Location", r->status);
    } else if (r->status >= 400 || r->status < 200) {
        snprintf(reason, sizeof reason, "HTTP %ld", r->status);
        if (r->retry_after > 0) /* one pass over the site: nothing is fetched twice */
            add_note(reason, sizeof reason, "Retry-After: %ld s, not retried", r->retry_after);
    } else if (!html_is_html(r->content_type)) {
        snprintf(reason, sizeof reason, "not HTML (%s): not parsed",
                 r->content_type[0] ? r->content_type : "no Content-Type");
    } else if (html_looks_binary(r->body, r->body_len)) {
        snprintf(reason, sizeof reason, "binary data sent as %s: not parsed", r->content_type);
    } else {
        read_html(c, o, r, reason, sizeof reason);
    }
    o->page.reason = xstrdup(reason);
    o->failed = r->error[0] != '\0' || r->status >= 400 || r->status < 200;
    long done = atomic_fetch_add(&c->done, 1) + 1;
    if (c->opt->progress != NULL)
        c->opt->progress(c->opt->progress_ctx, done, atomic_load(&c->claimed) - done);
}

static void fetch_one(crawl *c, fetcher *f, outcome *o)
{
    fetch_result r;
    fetcher_get(f, o->url, &r);
    take_response(c, o, &r);
    fetch_result_free(&r);
}

/* ---- the three ways to run a round: fetch every URL in outs[0..n) ---- */

static void round_sequential(crawl *c, outcome *outs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fetch_one(c, c->fetchers[0], &outs[i]);
}

/* A pool task runs on whichever worker is free, so libcurl handles are not tied to threads:
 * a task borrows one from a small stack and gives it back. At most `workers` tasks run at
 * once and there are as many handles, so one is always there. Each handle keeps its
 * connection open between the tasks that use it (keep-alive). */
static fetcher *borrow_fetcher(crawl *c)
{
    TL_CHECK(pthread_mutex_lock(&c->spare_lock));
    if (c->spare_count == 0)
        TL_DIE("more tasks running than libcurl handles"); /* cannot happen: see above */
    fetcher *f = c->spare[--c->spare_count];
    TL_CHECK(pthread_mutex_unlock(&c->spare_lock));
    return f;
}

static void return_fetcher(crawl *c, fetcher *f)
{
    TL_CHECK(pthread_mutex_lock(&c->spare_lock));
    c->spare[c->spare_count++] = f;
    TL_CHECK(pthread_mutex_unlock(&c->spare_lock));
}

/* One URL, as a task for the pool (common/pool.h). */
static int fetch_task(void *arg, void **result)
{
    outcome *o = arg;
    (void)result; /* the outcome is written in place */
    fetcher *f = borrow_fetcher(o->c);
    fetch_one(o->c, f, o);
    return_fetcher(o->c, f);
    return 0;
}

/* Every URL of the round as a task; tl_pool_map returns when all have run. */
static void round_threads(crawl *c, outcome *outs, size_t n)
{
    void **args = tl_xcalloc(n, sizeof *args);
    void **results = tl_xcalloc(n, sizeof *results);
    for (size_t i = 0; i < n; i++)
        args[i] = &outs[i];
    int status = tl_pool_map(c->pool, fetch_task, args, n, results, NULL);
    if (status != TL_FUTURE_OK)
        TL_DIE("the thread pool did not run a crawl round (status %d)", status);
    free(args);
    free(results);
}

static void check_multi(CURLMcode rc, const char *what)
{
    if (rc != CURLM_OK)
        TL_DIE("%s: %s", what, curl_multi_strerror(rc));
}

/* One thread, up to fetcher_count transfers in flight: start transfers while there is
 * room, let libcurl move them along, collect the finished ones, sleep in curl_multi_poll
 * until a socket is ready (at most a second, so every wait is bounded). */
static void round_multi(crawl *c, CURLM *multi, outcome *outs, size_t n)
{
    size_t width = c->fetcher_count;
    size_t *slot_of = tl_xcalloc(width, sizeof *slot_of); /* fetcher k works on outs[slot_of[k]] */
    bool *busy = tl_xcalloc(width, sizeof *busy);
    size_t next = 0, in_flight = 0;
    while (next < n || in_flight > 0) {
        for (size_t k = 0; k < width && next < n; k++) {
            if (busy[k])
                continue;
            busy[k] = true;
            slot_of[k] = next;
            check_multi(curl_multi_add_handle(multi, fetcher_begin(c->fetchers[k], outs[next].url)),
                        "curl_multi_add_handle");
            next++;
            in_flight++;
        }
        int running;
        check_multi(curl_multi_perform(multi, &running), "curl_multi_perform");
        bool finished_any = false;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *easy = msg->easy_handle;
            CURLcode result = msg->data.result; /* read before remove: msg dies with it */
            check_multi(curl_multi_remove_handle(multi, easy), "curl_multi_remove_handle");
            fetcher *f = fetcher_of(easy);
            size_t k = 0;
            while (c->fetchers[k] != f)
                k++;
            fetch_result r;
            fetcher_end(f, result, &r);
            take_response(c, &outs[slot_of[k]], &r);
            fetch_result_free(&r);
            busy[k] = false;
            in_flight--;
            finished_any = true;
        }
        if (!finished_any && in_flight > 0)
            check_multi(curl_multi_poll(multi, NULL, 0, 1000, NULL), "curl_multi_poll");
    }
    free(slot_of);
    free(busy);
}

/* ---- robots.txt ---- */

static void add_round(crawl_result *out, size_t cap, size_t n)
{
    if (out->rounds == cap)
        TL_DIE("too many rounds"); /* cannot happen: cap covers every level and redirect */
    out->round_sizes[out->rounds++] = (long)n;
}


static void load_robots(crawl *c, crawl_result *out, size_t cap)
{
    c->refusal = "disallowed by robots.txt";
    if (c->opt->ignore_robots) {
        c->rules = robots_allow_all();
        snprintf(out->robots_note, sizeof out->robots_note, "robots.txt ignored (--ignore-robots)");
        return;
    }
    char *url = NULL;
    if (url_robots_txt(c->start, &url) != URL_OK)
        TL_DIE("no robots.txt URL for %s", c->start);
    fetch_result r;
    /* RFC 9309 asks crawlers to follow a few redirects for robots.txt (http -> https). */
    for (int hop = 0;; hop++) {
        fetcher_get(c->fetchers[0], url, &r);
        out->requests++;
        add_round(out, cap, 1);
        char *next = NULL;
        if (r.status < 300 || r.status >= 400 || hop == CRAWL_MAX_REDIRECTS || r.location == NULL ||
            url_normalise(r.location, &next) != URL_OK)
            break;
        free(url);
        url = next;
        fetch_result_free(&r);
    }
    if (r.status >= 200 && r.status < 300 && r.error[0] == '\0') {
        c->rules = robots_parse(r.body, r.body_len, ROBOTS_AGENT);
        snprintf(out->robots_note, sizeof out->robots_note, "%s: %zu Allow/Disallow rules for us", url,
                 robots_rule_count(c->rules));
    } else if (r.status >= 400 && r.status < 500) {
        c->rules = robots_allow_all();
        snprintf(out->robots_note, sizeof out->robots_note, "%s: HTTP %ld, so everything is allowed",
                 url, r.status);
    } else {
        c->rules = robots_disallow_all();
        c->refusal = "disallowed: robots.txt unreachable (RFC 9309)";
        snprintf(out->robots_note, sizeof out->robots_note,
                 "%s unreachable (%.80s), so nothing is allowed (RFC 9309)", url,
                 r.error[0] ? r.error : "server error");
    }
    fetch_result_free(&r);
    free(url);
}

/* ---- the crawl, level by level ---- */

/* Sorts a round's URLs and keeps as many as --max-pages still allows; the others are
 * recorded as not fetched. Sorting first makes the cut the same in every mode. */
static void apply_page_budget(crawl *c, url_list *round, crawl_result *out)
{
    url_list_sort(round);
    size_t budget = (size_t)(c->opt->max_pages - out->fetched);
    while (round->count > budget) {
        char *url = round->urls[--round->count];
        page_list_add(&out->pages, page_not_fetched(url, c->depth, "not fetched: --max-pages reached"));
        free(url);
    }
}

/* Adds `more` to the end of a record's reason. */
static void append_reason(crawl_page *page, const char *more)
{
    char *reason = tl_xmalloc(strlen(page->reason) + strlen(more) + 1);
    sprintf(reason, "%s%s", page->reason, more);
    free(page->reason);
    page->reason = reason;
}

static void run_round(crawl *c, CURLM *multi, outcome *outs, size_t n)
{
    switch (c->opt->mode) {
    case CRAWL_SEQ:
        round_sequential(c, outs, n);
        break;
    case CRAWL_THREADS:
        round_threads(c, outs, n);
        break;
    case CRAWL_MULTI:
        round_multi(c, multi, outs, n);
        break;
    }
}

/* Fetches one level: its URLs, then the targets of their redirects, and so on. Returns the
 * links claimed for the next level. */
static url_list crawl_level(crawl *c, CURLM *multi, url_list level, crawl_result *out, size_t cap)
{
    url_list next_level = {0};
    url_list round = level;
    for (int hop = 0; round.count > 0; hop++) {
        apply_page_budget(c, &round, out);
        if (round.count == 0)
            break;
        outcome *outs = tl_xcalloc(round.count, sizeof *outs);
        for (size_t i = 0; i < round.count; i++)
            outs[i] = (outcome){.c = c, .url = round.urls[i]};
        run_round(c, multi, outs, round.count);
        add_round(out, cap, round.count);
        out->requests += (long)round.count;
        out->fetched += (long)round.count;

        /* A redirect's target is claimed like a link (in the round's order, the same in
         * every mode): a new same-host one is fetched in the next round, at the same depth. */
        url_list targets = {0};
        for (size_t i = 0; i < round.count; i++) {
            outcome *o = &outs[i];
            if (o->redirect != NULL && hop == CRAWL_MAX_REDIRECTS) {
                append_reason(&o->page, ": too many redirects, not followed");
                free(o->redirect);
            } else if (o->redirect != NULL && !claim(c, o->redirect, c->depth, &out->pages, &targets)) {
                /* A redirect loop ends here, and so does a redirect to a page met through a
                 * link: the visited set cannot tell them apart, and neither needs a request. */
                append_reason(&o->page, ": met already, not requested again");
            }
            out->errors += o->failed;
            page_list_add(&out->pages, o->page);
            page_list_move(&out->pages, &o->skipped);
            for (size_t k = 0; k < o->links.count; k++)
                url_list_add(&next_level, o->links.urls[k]);
            free(o->links.urls);
        }
        free(outs);
        url_list_free(&round);
        round = targets;
    }
    url_list_free(&round);
    return next_level;
}

bool crawl_run(const char *start_url, const crawl_options *opt, crawl_result *out, char *err,
               size_t errlen)
{
    *out = (crawl_result){.mode = opt->mode, .workers = opt->mode == CRAWL_SEQ ? 1 : opt->workers};
    crawl c = {.opt = opt};
    if (url_normalise(start_url, &c.start) != URL_OK || !url_host(c.start, c.host, sizeof c.host)) {
        snprintf(err, errlen, "'%s' is not an http:// or https:// URL", start_url);
        free(c.start);
        return false;
    }
    tl_stopwatch clock = tl_stopwatch_start();
    atomic_init(&c.done, 0);
    atomic_init(&c.claimed, 1);
    c.visited = visited_create();
    c.fetcher_count = opt->mode == CRAWL_SEQ ? 1 : (size_t)opt->workers;
    c.fetchers = tl_xcalloc(c.fetcher_count, sizeof *c.fetchers);
    for (size_t k = 0; k < c.fetcher_count; k++)
        c.fetchers[k] = fetcher_create(opt->timeout_ms);
    if (opt->mode == CRAWL_THREADS) {
        c.pool = tl_pool_create(c.fetcher_count);
        TL_CHECK(pthread_mutex_init(&c.spare_lock, NULL));
        c.spare = tl_xcalloc(c.fetcher_count, sizeof *c.spare);
        for (size_t k = 0; k < c.fetcher_count; k++)
            return_fetcher(&c, c.fetchers[k]);
    }
    CURLM *multi = NULL;
    if (opt->mode == CRAWL_MULTI && (multi = curl_multi_init()) == NULL)
        TL_DIE("curl_multi_init failed");

    /* Rounds: robots.txt and its redirects, then per level one plus one per redirect hop. */
    size_t cap = (size_t)(CRAWL_MAX_REDIRECTS + 1) * (size_t)(opt->max_depth + 2) + 8;
    out->round_sizes = tl_xcalloc(cap, sizeof *out->round_sizes);
    load_robots(&c, out, cap);

    url_list level = {0};
    visited_add(c.visited, c.start);
    const char *why_not = not_crawled_because(&c, c.start); /* robots.txt may forbid even this */
    if (why_not == NULL)
        url_list_add(&level, xstrdup(c.start));
    else
        page_list_add(&out->pages, page_not_fetched(c.start, 0, why_not));
    for (c.depth = 0; level.count > 0; c.depth++)
        level = crawl_level(&c, multi, level, out, cap);

    page_list_sort(&out->pages);
    out->seconds = tl_stopwatch_s(&clock);
    if (multi != NULL)
        curl_multi_cleanup(multi);
    if (c.pool != NULL) {
        tl_pool_destroy(c.pool);
        TL_CHECK(pthread_mutex_destroy(&c.spare_lock));
        free(c.spare);
    }
    for (size_t k = 0; k < c.fetcher_count; k++)
        fetcher_destroy(c.fetchers[k]);
    free(c.fetchers);
    robots_free(c.rules);
    visited_destroy(c.visited);
    free(c.start);
    return true;
}

void crawl_result_free(crawl_result *r)
{
    page_list_free(&r->pages);
    free(r->round_sizes);
    *r = (crawl_result){0};
}

double crawl_ideal_seconds(const crawl_result *r, long workers, long latency_ms)
{
    long latencies = 0;
    for (size_t i = 0; i < r->rounds; i++)
        latencies += (r->round_sizes[i] + workers - 1) / workers;
    return (double)latencies * (double)latency_ms / 1000.0;
}

double crawl_ideal_speedup(const crawl_result *r)
{
    double ideal = crawl_ideal_seconds(r, r->workers, 1000);
    return ideal > 0 ? crawl_ideal_seconds(r, 1, 1000) / ideal : 1.0;
}

const char *crawl_mode_name(crawl_mode mode)
{
    switch (mode) {
    case CRAWL_SEQ:
        return "seq";
    case CRAWL_THREADS:
        return "threads";
    case CRAWL_MULTI:
        return "multi";
    }
    return "?";
}
