/* lab10 — the web scraper: a breadth-first crawl of a local site three ways (one request at
 * a time, a pool of threads, libcurl's event loop), the speedup of each against the ideal,
 * and proof that all three found the same pages and fetched none twice. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "crawl.h"
#include "report.h"
#include "server.h"
#include "site.h"
#include "summary.h"
#include "url.h"

static const char about[] =
    "Crawls a web site breadth-first three ways and measures the speedup: sequentially, with a\n"
    "pool of threads (each with its own libcurl handle), and with libcurl's multi interface on\n"
    "one thread (an event loop, the C analogue of Python's asyncio). The site is served by the\n"
    "lab itself on 127.0.0.1, waiting --latency-ms before each response; all three crawls must\n"
    "find exactly the same pages and fetch none of them twice. With a URL, crawls that site\n"
    "instead (same host only, robots.txt obeyed). --serve only serves the local site until\n"
    "Ctrl-C, for a browser, wget or the Python version. --faults adds what broken and hostile\n"
    "sites do (timeouts, resets, 5xx, a redirect loop, endless, binary and malformed pages, a\n"
    "server that never answers). Exercise: the visited set's add-if-new as one atomic step\n"
    "(labs/10-scraper/exercise.c).";

static const char *mode_option = "auto", *dump_path = NULL;
static long workers = 0, depth = 5, max_pages = 0, latency_ms = 50, timeout_ms = 10000;
static long site_pages = 100, fanout = 4, port = 0;
static bool ignore_robots = false, serve = false, faults = false;

static const tl_option options[] = {
    {"mode", TL_OPT_CHOICE, &mode_option, 0, 0, "M", "crawls to run (auto: all on the local site, threads on a URL)", NULL, "auto|seq|threads|multi|all"},
    {"workers", TL_OPT_LONG, &workers, 0, 64, "N", "requests at once for threads and multi (0: 8, or 4 on a URL)", NULL, NULL},
    {"depth", TL_OPT_LONG, &depth, 0, 50, "N", "levels of links to follow from the start page", NULL, NULL},
    {"max-pages", TL_OPT_LONG, &max_pages, 0, 100000, "N", "URLs to fetch at most (0: 1000, or 100 on a URL)", NULL, NULL},
    {"latency-ms", TL_OPT_LONG, &latency_ms, 0, 5000, "MS", "local site: wait before each response", "5", NULL},
    {"timeout-ms", TL_OPT_LONG, &timeout_ms, 100, 600000, "MS", "give up on a request after", NULL, NULL},
    {"pages", TL_OPT_LONG, &site_pages, 1, 10000, "N", "local site: ordinary pages", "30", NULL},
    {"fanout", TL_OPT_LONG, &fanout, 1, 50, "N", "local site: links from each page to the next level", NULL, NULL},
    {"dump", TL_OPT_STRING, &dump_path, 0, 0, "FILE", "write every URL met, one tab-separated line each, sorted", NULL, NULL},
    {"ignore-robots", TL_OPT_FLAG, &ignore_robots, 0, 0, NULL, "fetch what robots.txt disallows", NULL, NULL},
    {"serve", TL_OPT_FLAG, &serve, 0, 0, NULL, "only serve the local site, until Ctrl-C", NULL, NULL},
    {"faults", TL_OPT_FLAG, &faults, 0, 0, NULL, "local site: serve its faults too (the slow ones wait out --timeout-ms)", NULL, NULL},
    {"port", TL_OPT_LONG, &port, 0, 65535, "N", "local site: port to listen on (0: any free one)", NULL, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

static const tl_cli cli = {"lab10", "[options] [URL]", about, options, false, 1};

/* ---- progress on stderr, from whichever thread finished a page ---- */

typedef struct {
    pthread_mutex_t lock;
    const char *mode;
    int64_t last_ns;
} progress_line;

static void show_progress(void *ctx, long done, long waiting)
{
    progress_line *p = ctx;
    TL_CHECK(pthread_mutex_lock(&p->lock));
    if (tl_now_ns() - p->last_ns > 100000000) { /* ten times a second is plenty */
        fprintf(stderr, "\r  %s: %ld pages done, %ld waiting   ", p->mode, done, waiting);
        p->last_ns = tl_now_ns();
    }
    TL_CHECK(pthread_mutex_unlock(&p->lock));
}

/* ---- --serve ---- */

static int serve_site(const site_shape *shape)
{
    /* Blocked here, before any thread starts, so every thread inherits the mask and only
     * sigwait below ever sees Ctrl-C: no handler runs in the middle of a thread's work. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    TL_CHECK(pthread_sigmask(SIG_BLOCK, &stop, NULL));
    char err[256];
    site_server *server = site_server_start(shape, latency_ms, (int)port, err, sizeof err);
    if (server == NULL) {
        fprintf(stderr, "lab10: %s\n", err);
        return 1;
    }
    printf("lab10: serving the local site at %s (%ld pages, %ld ms per response)\n",
           site_server_url(server), shape->pages, latency_ms);
    if (site_server_silent_url(server) != NULL)
        printf("  with its faults, linked from the home page (the server that never answers: %s)\n",
               site_server_silent_url(server));
    printf("  open it in a browser, or crawl it:  wget -r -l %ld -nv -P /tmp/lab10-site %s\n"
           "  Ctrl-C stops it.\n", depth, site_server_url(server));
    fflush(stdout);
    int sig;
    TL_CHECK(sigwait(&stop, &sig));
    long requests = site_server_requests(server), connections = site_server_connections(server);
    site_server_stop(server);
    printf("lab10: %s: served %ld requests on %ld connections; stopped\n",
           sig == SIGINT ? "interrupted" : "terminated", requests, connections);
    return 0;
}

/* ---- what the crawl found, and how fast ---- */

typedef struct {
    crawl_mode mode;
    long workers;
    crawl_result result;
    long most_requests;    /* local site: the most requests the server got for one URL */
    long forbidden;        /* local site: requests for URLs that must never be asked for */
    size_t repeats;        /* URLs recorded more than once */
    char repeated[256];    /* one such URL (or the server's busiest) */
} mode_run;

static const crawl_page *record_of(const crawl_result *r, const char *url)
{
    for (size_t i = 0; i < r->pages.count; i++)
        if (strcmp(r->pages.items[i].url, url) == 0)
            return &r->pages.items[i];
    return NULL;
}

/* "http://127.0.0.1:8080" from a normalised URL: what the table leaves out. */
static void origin_of(const char *url, char *buf, size_t len)
{
    const char *host = strstr(url, "://");
    host = host != NULL ? host + 3 : url;
    snprintf(buf, len, "%.*s", (int)(host - url + (ptrdiff_t)strcspn(host, "/")), url);
}

static void run_crawl(mode_run *run, bool first, const char *start_url, site_server *server,
                      FILE *dump, progress_line *progress)
{
    static const char *const how[] = {
        [CRAWL_SEQ] = "sequentially: one request at a time",
        [CRAWL_THREADS] = "with a pool of %ld threads, each with its own libcurl handle",
        [CRAWL_MULTI] = "with libcurl's multi interface: one thread, %ld transfers in flight",
    };
    char title[160], err[256];
    snprintf(title, sizeof title, how[run->mode], run->workers);
    tl_step("Crawl %s %s", server ? "it" : start_url, title);
    crawl_options opt = {run->mode, run->workers, depth, max_pages, timeout_ms, ignore_robots,
                         progress ? show_progress : NULL, progress};
    if (progress != NULL)
        progress->mode = crawl_mode_name(run->mode);
    if (server != NULL)
        site_server_reset_counts(server);
    if (!crawl_run(start_url, &opt, &run->result, err, sizeof err)) {
        fprintf(stderr, "lab10: %s\n", err);
        exit(2);
    }
    if (progress != NULL)
        fprintf(stderr, "\r%60s\r", "");
    const crawl_result *r = &run->result;
    if (first)
        tl_say("%s", r->robots_note);
    tl_verdict(TL_INFO, "%s: %zu URLs met, %ld fetched (%ld failed) in %.2f s: %.1f pages/s",
               crawl_mode_name(run->mode), r->pages.count, r->fetched, r->errors, r->seconds,
               r->fetched / r->seconds);
    char latency[24] = "", ideal[24] = "";
    if (server != NULL) {
        snprintf(latency, sizeof latency, "%ld", latency_ms);
        snprintf(ideal, sizeof ideal, "%.3f", crawl_ideal_seconds(r, run->workers, latency_ms));
    }
    tl_csv_row("%s,%ld,%s,%ld,%ld,%ld,%.3f,%.1f,%.2f,%s", crawl_mode_name(run->mode),
               run->workers, latency, r->fetched, r->requests, r->errors, r->seconds,
               r->fetched / r->seconds, crawl_ideal_speedup(r), ideal);
    if (dump != NULL)
        page_list_dump(&r->pages, crawl_mode_name(run->mode), dump);
    run->repeats = page_list_repeats(&r->pages, run->repeated, sizeof run->repeated);
    if (server == NULL)
        return;
    run->most_requests = site_server_busiest(server, run->repeated, sizeof run->repeated);
    for (size_t k = 0; site_never_requested[k] != NULL; k++)
        if (!ignore_robots || strcmp(site_never_requested[k], SITE_DISALLOWED) != 0)
            run->forbidden += site_server_requests_for(server, site_never_requested[k]);
}

/* Every crawl must meet the same records as the first, and fetch nothing twice. A failure
 * caused by the student's unfinished visited set is a [todo], not a failure of the lab. */
static void check_agreement(const mode_run *runs, size_t n, bool local, bool set_is_right)
{
    tl_step("Did every crawl meet the same URLs, and fetch each only once?");
    for (size_t i = 1; i < n; i++) {
        char diff[1400];
        bool same = page_list_same(&runs[0].result.pages, &runs[i].result.pages, diff, sizeof diff);
        tl_verdict(same ? TL_OK : !local ? TL_WARN : set_is_right ? TL_FAIL : TL_TODO,
                   "%s met the same %zu (URL, depth, status, title, words) as %s (expected the "
                   "same set)%s%s", crawl_mode_name(runs[i].mode),
                   runs[i].result.pages.count - runs[i].repeats,
                   crawl_mode_name(runs[0].mode), same ? "" : ": ", diff);
    }
    tl_verdict_kind twice = set_is_right ? TL_FAIL : TL_TODO;
    const char *blame = set_is_right ? "" : " (your visited_add let it through twice)";
    for (size_t i = 0; i < n; i++) {
        const mode_run *r = &runs[i];
        if (local)
            tl_expect(r->most_requests <= 1, twice, "%s fetched no URL twice: the server's most "
                      "requests for one URL = %ld (expected 1)%s%s%s", crawl_mode_name(r->mode),
                      r->most_requests, r->most_requests > 1 ? ": " : "",
                      r->most_requests > 1 ? r->repeated : "", r->most_requests > 1 ? blame : "");
        else
            tl_expect(r->repeats == 0, twice, "%s met no URL twice: repeats = %zu (expected 0)%s%s%s",
                      crawl_mode_name(r->mode), r->repeats, r->repeats ? ": " : "", r->repeated,
                      r->repeats ? blame : "");
    }
}

/* --faults: what each fault did to the first crawl, and whether every ordinary page came. */
static void report_faults(const crawl_result *r, const site_shape *shape, site_server *server,
                          const char *origin)
{
    tl_step("What the faults did to the %s crawl: each recorded with a reason, and the crawl "
            "went on", crawl_mode_name(r->mode));
    const char *urls[32];
    size_t n = 0;
    for (size_t k = 0; site_fault_pages[k] != NULL && n + 2 < sizeof urls / sizeof urls[0]; k++)
        urls[n++] = site_fault_pages[k];
    urls[n++] = site_server_silent_url(server);
    urls[n] = NULL;
    summary_records(r, origin, urls);
    long fine = 0;
    for (long i = 0; i < shape->pages; i++) {
        char path[64], url[400];
        site_page_path(shape, i, path, sizeof path);
        snprintf(url, sizeof url, "%s%s", origin, path);
        const crawl_page *p = record_of(r, url);
        fine += p != NULL && p->status == 200;
    }
    tl_expect(fine == shape->pages, TL_FAIL, "ordinary pages fetched with status 200 in spite of "
              "the faults = %ld (expected %ld)", fine, shape->pages);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    int first_arg = tl_cli_parse_or_exit(&cli, argc, argv, &common);
    const char *start_url = first_arg < argc ? argv[first_arg] : NULL;
    if ((serve || faults) && start_url != NULL) {
        fprintf(stderr, "lab10: --%s is for the local site and takes no URL, got '%s'\n",
                serve ? "serve" : "faults", start_url);
        return 2;
    }
    bool local = start_url == NULL;
    char *start = NULL;
    if (!local && url_normalise(start_url, &start) != URL_OK) {
        fprintf(stderr, "lab10: the URL must be an http:// or https:// URL, got '%s'\n", start_url);
        return 2;
    }
    /* Opened last: a usage error found after it would leave an empty file behind. */
    FILE *dump = NULL;
    if (dump_path != NULL && !serve && (dump = fopen(dump_path, "w")) == NULL) {
        fprintf(stderr, "lab10: --dump cannot write '%s': %s\n", dump_path, strerror(errno));
        free(start);
        return 2;
    }
    /* Polite defaults for somebody else's site. */
    long w = workers ? workers : local ? 8 : 4;
    max_pages = max_pages ? max_pages : local ? 1000 : 100;
    site_shape shape = {.pages = site_pages, .fanout = fanout, .faults = faults ? SITE_FAULTS_ALL : 0};
    signal(SIGPIPE, SIG_IGN); /* a peer closing a socket must not kill us */
    xmlInitParser();          /* libxml2 and libcurl: once, before any thread */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (serve) {
        int status = serve_site(&shape);
        curl_global_cleanup();
        xmlCleanupParser();
        return status;
    }

    /* The student's visited set is checked first, each check in a process of its own (before
     * any thread of the lab's starts): the crawls below use it, and the lab blames it for what
     * they get wrong only when it failed. */
    tl_checks_outcome *exercise = tl_checks_begin(&tl_lab_checks);
    bool set_is_right = tl_checks_passed(exercise);

    tl_report_init("lab10", &common);
    tl_header("web scraper: sequential vs thread pool vs event loop");
    tl_csv_header("mode,workers,latency_ms,pages,requests,errors,seconds,pages_per_s,ideal_speedup,ideal_seconds");
    site_server *server = NULL;
    char err[256], origin[300] = "";
    if (local) {
        tl_step("Start the local site: %ld pages over %d levels, %ld ms before each response",
                shape.pages, site_levels(&shape), latency_ms);
        server = site_server_start(&shape, latency_ms, (int)port, err, sizeof err);
        if (server == NULL)
            TL_DIE("%s", err);
        start_url = site_server_url(server);
        tl_say("serving %s (robots.txt disallows /private/; --serve to browse it)", start_url);
    }
    origin_of(start ? start : start_url, origin, sizeof origin);

    mode_run runs[3] = {{0}};
    size_t n = 0;
    bool all = strcmp(mode_option, "all") == 0 || (strcmp(mode_option, "auto") == 0 && local);
    for (crawl_mode m = CRAWL_SEQ; m <= CRAWL_MULTI; m++)
        if (all || strcmp(mode_option, crawl_mode_name(m)) == 0 ||
            (strcmp(mode_option, "auto") == 0 && m == CRAWL_THREADS))
            runs[n++] = (mode_run){.mode = m, .workers = m == CRAWL_SEQ ? 1 : w};
    progress_line progress = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bool show_progress_line = isatty(STDERR_FILENO) && !tl_report_quiet();
    if (tl_checks_hung_or_crashed(exercise))
        n = 0; /* the crawls use the student's set; it cannot be trusted to return */
    for (size_t i = 0; i < n; i++)
        run_crawl(&runs[i], i == 0, start_url, server, dump, show_progress_line ? &progress : NULL);
    if (dump != NULL)
        fclose(dump);
    if (n > 0) {
        tl_step("What the %s crawl met: %zu URLs (the first few, by depth)",
                crawl_mode_name(runs[0].mode), runs[0].result.pages.count);
        summary_table(&runs[0].result, origin, 14);
        if (faults)
            report_faults(&runs[0].result, &shape, server, origin);
        check_agreement(runs, n, local, set_is_right);
        if (local) {
            long forbidden = 0;
            for (size_t i = 0; i < n; i++)
                forbidden += runs[i].forbidden;
            tl_expect(forbidden == 0, TL_FAIL, "requests for URLs no crawl may ask for (robots.txt, "
                      "<base>, plain text, libcurl 7.88 quirks) = %ld (expected 0)", forbidden);
        } else {
            const crawl_page *home = record_of(&runs[0].result, start);
            bool fetched = home != NULL && home->fetched && home->status >= 200 && home->status < 400;
            tl_expect(fetched, TL_WARN, "the start page was fetched: status %ld (expected 200)%s%s",
                      home ? home->status : 0L, fetched ? "" : ": ", home ? home->reason : "not met");
        }
        const crawl_result *results[3];
        for (size_t i = 0; i < n; i++)
            results[i] = &runs[i].result;
        summary_speed(results, n);
    }
    tl_checks_end(exercise);
    tl_lesson("a crawler mostly waits for the network: threads or an event loop overlap the "
              "waits, up to the ideal each level's size allows; and the visited set they share "
              "must check-and-add in one step, or two workers fetch the same page.");
    for (size_t i = 0; i < n; i++)
        crawl_result_free(&runs[i].result);
    free(start);
    site_server_stop(server);
    curl_global_cleanup();
    xmlCleanupParser();
    return tl_report_exit_status();
}
