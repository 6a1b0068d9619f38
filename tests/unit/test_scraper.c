/* Tests of lab10's scraper (labs/10-scraper): URL resolution and normalisation, HTML
 * extraction, robots.txt, the local site's server, and the crawl in its three modes.
 * Unlike the other programs here it is linked with the lab's support files and the
 * reference visited set (solutions/10-scraper/exercise.c), by its own rule in GNUmakefile
 * (shared with test_scraper_faults.c, and the helpers in tests/unit/scraper/);
 * the exercise's own checks are in tests/graders/lab10.c. Every server here listens on
 * 127.0.0.1, is started by the test and stopped by it. */
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check.h"
#include "clock.h"
#include "crawl.h"
#include "exercise.h"
#include "fetch.h"
#include "harness.h"
#include "html.h"
#include "robots.h"
#include "scraper_fixture.h"
#include "server.h"
#include "site.h"
#include "url.h"

/* ---- URLs ---- */

typedef struct {
    const char *base, *href;
    url_status status;
    const char *want; /* for URL_OK */
} resolve_case;

#define B "http://h.test/dir/page?q=1#frag"

static const resolve_case resolve_cases[] = {
    /* libcurl 7.88 resolves these two to "http://h.test/dir/": they mean the page itself. */
    {B, "", URL_OK, "http://h.test/dir/page?q=1"},
    {B, "#results", URL_OK, "http://h.test/dir/page?q=1"},
    {"http://h.test/dir/page", "", URL_OK, "http://h.test/dir/page"},
    {"http://h.test/dir/page", "#top", URL_OK, "http://h.test/dir/page"},
    {B, "  ", URL_OK, "http://h.test/dir/page?q=1"},
    {B, "?z=2", URL_OK, "http://h.test/dir/page?z=2"},
    {B, "other.html", URL_OK, "http://h.test/dir/other.html"},
    {B, "page.html#section", URL_OK, "http://h.test/dir/page.html"},
    {B, "../up.html", URL_OK, "http://h.test/up.html"},
    {B, "./same.html", URL_OK, "http://h.test/dir/same.html"},
    {B, "../../../../above-root.html", URL_OK, "http://h.test/above-root.html"},
    {B, "/a/./b/../c", URL_OK, "http://h.test/a/c"},
    {B, "//other.test/x", URL_OK, "http://other.test/x"},
    {B, "read me.html", URL_OK, "http://h.test/dir/read%20me.html"},
    {B, "  /padded.html \n", URL_OK, "http://h.test/padded.html"},
    {B, "/wr\napped\t.html", URL_OK, "http://h.test/wrapped.html"},
    {B, "HTTP://EXAMPLE.COM:80/Path", URL_OK, "http://example.com/Path"},
    {B, "https://Example.COM:443/", URL_OK, "https://example.com/"},
    {B, "https://example.com:80/", URL_OK, "https://example.com:80/"},
    {B, "http://h.test:8080/a", URL_OK, "http://h.test:8080/a"},
    {B, "http://user:secret@h.test/", URL_OK, "http://h.test/"},
    {B, "http://h.test", URL_OK, "http://h.test/"},
    {B, "/x?", URL_OK, "http://h.test/x"},
    /* Found by fuzzing (tests/fuzz/fuzz_url.c): libcurl 7.88 resolves against the last '/'
     * even when it is in the base's fragment, which gave "http://h.test/a" here. */
    {"http://h.test/a#x/y", "d", URL_OK, "http://h.test/d"},
    {"http://h.test/dir/p?q#/frag/", "../up", URL_OK, "http://h.test/up"},
    /* Found by fuzzing: an IPv4 address spelled with %2E came out as "http://44.3/", which
     * libcurl reads back as 44.0.0.3: one host, two spellings. */
    {NULL, "http://44%2E3/", URL_OK, "http://44.0.0.3/"},
    {NULL, "http://127.1/", URL_OK, "http://127.0.0.1/"},
    {B, "mailto:teacher@example.com", URL_NOT_HTTP, NULL},
    {B, "javascript:void(0)", URL_NOT_HTTP, NULL},
    {B, "JavaScript:alert(1)", URL_NOT_HTTP, NULL},
    {B, "ftp://files.example.com/", URL_NOT_HTTP, NULL},
    {B, "file:///etc/passwd", URL_NOT_HTTP, NULL},
    {B, "data:text/html,<p>hi</p>", URL_NOT_HTTP, NULL},
    {B, "tel:+1-555-0100", URL_NOT_HTTP, NULL},
    {B, "http://", URL_INVALID, NULL},
    {B, "http://exa mple.com/", URL_INVALID, NULL},
    {NULL, "relative.html", URL_INVALID, NULL},
    {NULL, "", URL_INVALID, NULL},
    {NULL, "#top", URL_INVALID, NULL},
};

static void resolve_table(void)
{
    setup();
    tl_hint("url_resolve must give one spelling per page: see labs/10-scraper/url.h");
    for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
        const resolve_case *t = &resolve_cases[i];
        char *got = NULL;
        url_status status = url_resolve(t->base, t->href, &got);
        TL_ASSERT(status == t->status, "resolve '%s' against %s: expected status %d, got %d (%s)",
                  t->href, t->base ? t->base : "(no base)", t->status, status, got ? got : "NULL");
        if (t->want != NULL && got != NULL)
            TL_ASSERT(strcmp(got, t->want) == 0, "resolve '%s' against %s: expected %s, got %s",
                      t->href, t->base ? t->base : "(no base)", t->want, got);
        if (status != URL_OK)
            TL_ASSERT(got == NULL, "a failed resolve leaves *out NULL ('%s')", t->href);
        free(got);
    }
}

static void overlong_url_is_refused(void)
{
    setup();
    char *href = tl_xmalloc(URL_MAX_LEN + 100);
    memset(href, 'a', URL_MAX_LEN + 99);
    href[0] = '/';
    href[URL_MAX_LEN + 99] = '\0';
    char *got = NULL;
    TL_ASSERT(url_resolve("http://h.test/", href, &got) == URL_INVALID && got == NULL,
              "a %d-byte href must be refused", URL_MAX_LEN + 99);
    href[URL_MAX_LEN - 20] = '\0';
    TL_ASSERT(url_resolve("http://h.test/", href, &got) == URL_OK && got != NULL,
              "a %d-byte href is fine", URL_MAX_LEN - 20);
    free(got);
    free(href);
}

static void url_parts(void)
{
    setup();
    char buf[256];
    TL_ASSERT(url_host("http://WWW.Example.org:8080/x", buf, sizeof buf) && strcmp(buf, "www.example.org") == 0,
              "url_host lowercases: got %s", buf);
    TL_ASSERT(!url_host("not a url", buf, sizeof buf), "url_host of garbage is false");
    TL_ASSERT(url_same_host("http://a.test/x", "https://A.test:8443/y"), "same host across schemes and ports");
    TL_ASSERT(!url_same_host("http://a.test/x", "http://b.test/x"), "different hosts");
    TL_ASSERT(!url_same_host("http://a.test/x", "mailto:x@a.test"), "unparsable is never the same host");
    TL_ASSERT(url_path_query("http://h.test/dir/p.html?a=1&b=2", buf, sizeof buf) &&
              strcmp(buf, "/dir/p.html?a=1&b=2") == 0, "path and query: got %s", buf);
    TL_ASSERT(url_path_query("http://h.test", buf, sizeof buf) && strcmp(buf, "/") == 0,
              "path of a bare host: got %s", buf);
    TL_ASSERT(!url_path_query("http://h.test/long", buf, 4), "path that does not fit: false");
    char *robots = NULL;
    TL_ASSERT(url_robots_txt("https://h.test:8443/a/b?c", &robots) == URL_OK &&
              strcmp(robots, "https://h.test:8443/robots.txt") == 0, "robots.txt URL: got %s",
              robots ? robots : "NULL");
    free(robots);
    char *norm = NULL;
    TL_ASSERT(url_normalise("HTTP://H.TEST", &norm) == URL_OK && strcmp(norm, "http://h.test/") == 0,
              "normalise: got %s", norm ? norm : "NULL");
    free(norm);
}

/* ---- HTML ---- */

static void extract(const char *body, const char *type, html_page *page)
{
    TL_ASSERT_FATAL(html_extract(body, strlen(body), type, page), "html_extract failed on:\n%s", body);
}

static void html_title_and_words(void)
{
    setup();
    tl_hint("see labs/10-scraper/html.h for what counts as a title and as a word");
    html_page p;
    extract("<html><head><title>\n  Threads &amp;  Locks &mdash;\n\tcaf&eacute; &lt;3  </title>"
            "<style>p { x: y }</style><script>var a = 'not words';</script></head>"
            "<body><p>one two  three</p><noscript>hidden words</noscript>"
            "<script>more hidden</script><p>four<b>five</b></p><template>no</template></body></html>",
            "text/html", &p);
    TL_ASSERT(strcmp(p.title, "Threads & Locks \xe2\x80\x94 caf\xc3\xa9 <3") == 0,
              "title with entities and whitespace: got '%s'", p.title);
    TL_ASSERT_EQ_LONG(p.words, 5, "visible words (script, style, noscript, template and head excluded)");
    html_page_free(&p);

    extract("<p>no title here, just text</p>", "text/html", &p);
    TL_ASSERT(strcmp(p.title, "") == 0, "a page without <title>: expected \"\", got '%s'", p.title);
    TL_ASSERT_EQ_LONG(p.words, 5, "words of a page without head or body tags");
    html_page_free(&p);

    extract("<title>first</title><title>second</title>", NULL, &p);
    TL_ASSERT(strcmp(p.title, "first") == 0, "the first <title> wins: got '%s'", p.title);
    html_page_free(&p);
}

static void html_links_and_base(void)
{
    setup();
    html_page p;
    extract("<html><head><base href=\"/docs/\"><base href=\"/ignored/\"></head><body>"
            "<a href=\"a.html\">a</a><a name=\"no-href\">x</a><a href=\"\">empty</a>"
            "<A HREF=\"/upper.html\">upper</A><p>unclosed <a href=x.html>one<a href='y.html'>two"
            "</div></span><a href=\"q?a=1&amp;b=2\">amp</a>",
            "text/html; charset=utf-8", &p);
    TL_ASSERT(p.base_href && strcmp(p.base_href, "/docs/") == 0, "first <base href>: got %s",
              p.base_href ? p.base_href : "NULL");
    static const char *const want[] = {"a.html", "", "/upper.html", "x.html", "y.html", "q?a=1&b=2"};
    TL_ASSERT_EQ_LONG(p.link_count, 6, "links with an href, in malformed markup");
    for (size_t i = 0; i < 6 && i < p.link_count; i++)
        TL_ASSERT(strcmp(p.links[i], want[i]) == 0, "link %zu: expected '%s', got '%s'", i, want[i], p.links[i]);
    html_page_free(&p);

    extract("<a href=x>no base</a>", NULL, &p);
    TL_ASSERT(p.base_href == NULL, "no <base>: base_href is NULL");
    html_page_free(&p);
}

static void html_caps(void)
{
    setup();
    tl_hint("everything taken from a page is capped (HTML_MAX_LINKS, HTML_MAX_TITLE)");
    size_t n = HTML_MAX_LINKS + 500;
    char *body = tl_xmalloc(n * 24 + 1000);
    size_t len = (size_t)sprintf(body, "<title>");
    for (int i = 0; i < 300; i++)
        len += (size_t)sprintf(body + len, "caf\xc3\xa9 "); /* 6 bytes, multibyte at 3..4 */
    len += (size_t)sprintf(body + len, "</title>");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(body + len, "<a href=\"/p%zu\">x</a>", i);
    html_page p;
    TL_ASSERT_FATAL(html_extract(body, len, "text/html", &p), "html_extract failed");
    TL_ASSERT_EQ_LONG(p.link_count, HTML_MAX_LINKS, "links kept");
    TL_ASSERT_EQ_LONG(p.links_dropped, 500, "links dropped");
    size_t tlen = strlen(p.title);
    TL_ASSERT(tlen <= HTML_MAX_TITLE && tlen > HTML_MAX_TITLE - 6, "title capped near %d bytes: got %zu",
              HTML_MAX_TITLE, tlen);
    TL_ASSERT(tlen == 0 || ((unsigned char)p.title[tlen - 1] & 0x80) == 0 ||
              (unsigned char)p.title[tlen - 1] == 0xa9,
              "the cut title ends on a whole UTF-8 character");
    html_page_free(&p);
    free(body);
}

static void html_types_and_charsets(void)
{
    setup();
    TL_ASSERT(html_is_html("text/html"), "text/html");
    TL_ASSERT(html_is_html("Text/HTML; charset=UTF-8"), "case and parameters");
    TL_ASSERT(html_is_html("application/xhtml+xml"), "xhtml");
    TL_ASSERT(!html_is_html("text/htmlx"), "text/htmlx is not html");
    TL_ASSERT(!html_is_html("text/plain"), "text/plain");
    TL_ASSERT(!html_is_html("image/png"), "image/png");
    TL_ASSERT(!html_is_html(""), "empty");
    TL_ASSERT(!html_is_html(NULL), "none");
    html_page p;
    const char latin1[] = "<title>caf\xe9</title>";
    TL_ASSERT_FATAL(html_extract(latin1, strlen(latin1), "text/html; charset=ISO-8859-1", &p), "parse");
    TL_ASSERT(strcmp(p.title, "caf\xc3\xa9") == 0, "charset from Content-Type: got '%s'", p.title);
    html_page_free(&p);
    TL_ASSERT_FATAL(html_extract(latin1, strlen(latin1), "text/html; charset=no-such-charset", &p), "parse");
    html_page_free(&p);
    TL_ASSERT(!html_extract("", 0, "text/html", &p), "an empty body gives no document");
    TL_ASSERT(p.title != NULL && p.link_count == 0, "... and an empty but valid page");
    html_page_free(&p);
}

/* ---- robots.txt ---- */

static robots *parse(const char *text)
{
    return robots_parse(text, strlen(text), ROBOTS_AGENT);
}

static void robots_rules(void)
{
    tl_hint("robots.txt per RFC 9309: see labs/10-scraper/robots.h");
    robots *r = parse("# comment\nUser-agent: *\nDisallow: /private/\n\nUser-agent: SomeOtherBot\nDisallow: /\n");
    TL_ASSERT(!robots_allowed(r, "/private/secret.html"), "/private/ is disallowed for *");
    TL_ASSERT(robots_allowed(r, "/public.html"), "the rest is allowed");
    TL_ASSERT(robots_allowed(r, "/privateer"), "a rule is a prefix of the path, not a word");
    robots_free(r);

    r = parse("User-agent: *\nDisallow: /\n\nUser-Agent: ThreadLab\nuser-agent: other\nDISALLOW: /no/\n"
              "Allow: /no/but-yes\nCrawl-delay: 10\nSitemap: http://x/sitemap.xml\n");
    TL_ASSERT(robots_allowed(r, "/anything"), "our own group replaces the * group");
    TL_ASSERT(!robots_allowed(r, "/no/x"), "Disallow in our group (keys in any case)");
    TL_ASSERT(robots_allowed(r, "/no/but-yes.html"), "the longer Allow wins");
    TL_ASSERT_EQ_LONG(robots_rule_count(r), 2, "rules for us");
    robots_free(r);

    r = parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /tmp*/x\nAllow: /page\nDisallow: /page\n"
              "Disallow:\n");
    TL_ASSERT(!robots_allowed(r, "/docs/a.pdf"), "* and $: /docs/a.pdf");
    TL_ASSERT(robots_allowed(r, "/docs/a.pdf?download=1"), "$ anchors the end");
    TL_ASSERT(!robots_allowed(r, "/tmp123/x/y"), "* in the middle");
    TL_ASSERT(robots_allowed(r, "/page"), "equal length: Allow wins");
    robots_free(r);

    r = parse("User-agent: *\r\nDisallow: /a # trailing comment\r\n");
    TL_ASSERT(!robots_allowed(r, "/a/b"), "CRLF lines and trailing comments");
    robots_free(r);

    r = parse("Disallow: /no-group\nnonsense line\n");
    TL_ASSERT(robots_allowed(r, "/no-group"), "rules before any User-agent belong to nobody");
    robots_free(r);

    r = robots_allow_all();
    TL_ASSERT(robots_allowed(r, "/x"), "allow all");
    robots_free(r);
    r = robots_disallow_all();
    TL_ASSERT(!robots_allowed(r, "/"), "disallow all");
    robots_free(r);
}

/* A pattern of many stars against a long path must not take exponential time (the test's
 * deadline is the bound). */
static void robots_hostile_pattern_is_quick(void)
{
    char text[1200] = "User-agent: *\nDisallow: /";
    for (int i = 0; i < 300; i++)
        strcat(text, "*a");
    strcat(text, "$\n");
    robots *r = parse(text);
    char path[2100] = "/";
    memset(path + 1, 'a', 2000);
    path[2001] = 'b';
    path[2002] = '\0';
    TL_ASSERT(robots_allowed(r, path), "no match, found quickly");
    robots_free(r);
}

/* ---- the local site and its server ---- */

static site_shape small_site = {.pages = 30, .fanout = 4};

static void get(fetcher *f, site_server *s, const char *target, fetch_result *r)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", site_server_port(s), target);
    fetcher_get(f, url, r);
}

static void server_serves_the_site(void)
{
    setup();
    tl_hint("labs/10-scraper/server.c serves site_respond over HTTP/1.1 with keep-alive");
    site_server *s = start_server(&small_site, 0);
    fetcher *f = fetcher_create(5000);
    fetch_result r;
    get(f, s, "/", &r);
    TL_ASSERT(r.status == 200 && r.error[0] == '\0', "GET /: status %ld, error '%s'", r.status, r.error);
    TL_ASSERT(html_is_html(r.content_type), "GET /: Content-Type %s", r.content_type);
    TL_ASSERT(strstr(r.body, "<title>Page 0</title>") != NULL, "GET /: the home page");
    fetch_result_free(&r);
    get(f, s, SITE_ROBOTS, &r);
    TL_ASSERT(r.status == 200 && strncmp(r.content_type, "text/plain", 10) == 0 &&
              strstr(r.body, "Disallow: /private/") != NULL, "robots.txt: %ld %s", r.status, r.content_type);
    fetch_result_free(&r);
    get(f, s, SITE_MISSING, &r);
    TL_ASSERT_EQ_LONG(r.status, 404, "status of " SITE_MISSING);
    fetch_result_free(&r);
    get(f, s, SITE_MOVED, &r);
    TL_ASSERT(r.status == 301 && r.location && strstr(r.location, SITE_MOVED_TARGET),
              "moved: 301 to %s, got %ld %s", SITE_MOVED_TARGET, r.status, r.location ? r.location : "");
    fetch_result_free(&r);
    get(f, s, SITE_OFFHOST_REDIRECT, &r);
    TL_ASSERT(r.status == 302 && r.location && strcmp(r.location, SITE_OFFHOST_TARGET) == 0,
              "off-host redirect: got %ld %s", r.status, r.location ? r.location : "");
    fetch_result_free(&r);
    get(f, s, SITE_BIG, &r);
    TL_ASSERT(strstr(r.error, "cap") != NULL, "the big page is over the fetch cap: error '%s'", r.error);
    fetch_result_free(&r);
    get(f, s, "/l1/p1.html", &r);
    TL_ASSERT_EQ_LONG(r.status, 200, "a second request after the big page");
    fetch_result_free(&r);
    get(f, s, "/l9/p1.html", &r);
    TL_ASSERT_EQ_LONG(r.status, 404, "a page at the wrong level does not exist");
    fetch_result_free(&r);
    /* Keep-alive: one handle, one connection (the big page made libcurl close one). */
    TL_ASSERT(site_server_connections(s) <= 2, "keep-alive: %ld connections for 8 requests on one handle",
              site_server_connections(s));
    TL_ASSERT_EQ_LONG(site_server_requests(s), 8, "requests counted");
    TL_ASSERT_EQ_LONG(site_server_requests_for(s, "/"), 1, "requests for /");
    char busiest[64];
    TL_ASSERT_EQ_LONG(site_server_busiest(s, busiest, sizeof busiest), 1, "the busiest target's count");
    get(f, s, "/", &r);
    fetch_result_free(&r);
    TL_ASSERT(site_server_busiest(s, busiest, sizeof busiest) == 2 && strcmp(busiest, "/") == 0,
              "busiest target after a second GET /: %s", busiest);
    site_server_reset_counts(s);
    TL_ASSERT(site_server_requests(s) == 0 && site_server_requests_for(s, "/") == 0, "reset");
    fetcher_destroy(f);
    site_server_stop(s);
}

/* A raw HTTP exchange: sends `request`, returns what came back until the server closed the
 * connection or 2 s passed. */
static char *raw_exchange(site_server *s, const char *request)
{
    int fd = connect_to(site_server_port(s));
    TL_ASSERT_FATAL(send(fd, request, strlen(request), MSG_NOSIGNAL) == (ssize_t)strlen(request), "send");
    size_t cap = 1 << 16, len = 0;
    char *out = tl_xmalloc(cap);
    int64_t deadline = tl_now_ns() + 2000000000LL * (int64_t)tl_timeout_scale();
    while (len + 1 < cap && tl_now_ns() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, out + len, cap - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    close(fd);
    return out;
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

static void server_speaks_http(void)
{
    setup();
    site_server *s = start_server(&small_site, 0);
    char *out = raw_exchange(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /l1/p1.html HTTP/1.1\r\n"
                                "Host: x\r\nConnection: close\r\n\r\n");
    TL_ASSERT(count(out, "HTTP/1.1 200 OK") == 2, "two pipelined requests, two answers:\n%.300s", out);
    TL_ASSERT(count(out, "<title>") == 1, "HEAD has no body");
    TL_ASSERT(strstr(out, "Connection: close") != NULL, "Connection: close is honoured");
    free(out);
    out = raw_exchange(s, "GET / HTTP/1.0\r\n\r\n");
    TL_ASSERT(strstr(out, "HTTP/1.1 200") && strstr(out, "Connection: close"), "HTTP/1.0 closes");
    free(out);
    out = raw_exchange(s, "BREW /pot HTTP/1.1\r\n\r\n");
    TL_ASSERT(strstr(out, "HTTP/1.1 405") != NULL, "unknown method: 405, got %.60s", out);
    free(out);
    out = raw_exchange(s, "GET no-slash HTTP/1.1\r\n\r\n");
    TL_ASSERT(strstr(out, "HTTP/1.1 400") != NULL, "bad target: 400, got %.60s", out);
    free(out);
    out = raw_exchange(s, "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    TL_ASSERT(strstr(out, "HTTP/1.1 405") != NULL, "POST: 405, got %.60s", out);
    free(out);
    char big[SERVER_MAX_REQUEST + 100];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "GET /", 5);
    big[sizeof big - 1] = '\0';
    out = raw_exchange(s, big);
    TL_ASSERT(strstr(out, "HTTP/1.1 431") != NULL, "an endless request head: 431, got %.60s", out);
    free(out);
    TL_ASSERT_EQ_LONG(site_server_requests(s), 3, "well-formed GET/HEAD requests counted");
    site_server_stop(s);
}

/* Stopping joins every thread even while clients hold idle keep-alive connections and a
 * response is waiting out its latency. */
static void server_stops_with_clients_connected(void)
{
    setup();
    tl_hint("site_server_stop must wake every connection thread (idle or in its latency pause)");
    site_server *s = start_server(&small_site, 20000);
    int fds[5];
    for (int i = 0; i < 5; i++)
        fds[i] = connect_to(site_server_port(s));
    const char *req = "GET / HTTP/1.1\r\n\r\n";
    TL_ASSERT_FATAL(send(fds[0], req, strlen(req), MSG_NOSIGNAL) > 0, "send");
    for (int i = 0; i < 100 && site_server_requests(s) == 0; i++)
        tl_sleep_ms(10); /* until the request is inside its 20 s pause */
    TL_ASSERT_EQ_LONG(site_server_requests(s), 1, "the request arrived");
    tl_stopwatch sw = tl_stopwatch_start();
    site_server_stop(s);
    TL_ASSERT(tl_stopwatch_s(&sw) < 10, "stop took %.1f s with a 20 s latency pending", tl_stopwatch_s(&sw));
    for (int i = 0; i < 5; i++)
        close(fds[i]);
}

/* With every connection slot taken, one more client waits (in the listen queue) until a
 * slot frees, then is served. */
static void server_bounds_its_connections(void)
{
    setup();
    tl_hint("the server serves at most SERVER_MAX_CONNECTIONS connections at once (server.h)");
    site_server *s = start_server(&small_site, 0);
    int fds[SERVER_MAX_CONNECTIONS];
    for (int i = 0; i < SERVER_MAX_CONNECTIONS; i++)
        fds[i] = connect_to(site_server_port(s));
    for (int i = 0; i < 500 && site_server_connections(s) < SERVER_MAX_CONNECTIONS; i++)
        tl_sleep_ms(10);
    TL_ASSERT_FATAL(site_server_connections(s) == SERVER_MAX_CONNECTIONS, "accepted %ld of %d",
                    site_server_connections(s), SERVER_MAX_CONNECTIONS);
    int extra = connect_to(site_server_port(s)); /* the kernel completes the handshake; the server has no slot */
    const char *req = "GET / HTTP/1.1\r\n\r\n";
    TL_ASSERT_FATAL(send(extra, req, strlen(req), MSG_NOSIGNAL) > 0, "send");
    struct pollfd p = {.fd = extra, .events = POLLIN};
    TL_ASSERT(poll(&p, 1, 300) == 0, "a client beyond the limit was answered at once");
    close(fds[0]); /* frees a slot */
    TL_ASSERT(poll(&p, 1, (int)(5000 * tl_timeout_scale())) == 1, "the waiting client was not "
              "served after a slot freed");
    char head[32] = "";
    TL_ASSERT(recv(extra, head, sizeof head - 1, 0) > 0 && strncmp(head, "HTTP/1.1 200", 12) == 0,
              "the waiting client's answer: %s", head);
    site_server_stop(s); /* with 128 connections still open: all joined */
    close(extra);
    for (int i = 1; i < SERVER_MAX_CONNECTIONS; i++)
        close(fds[i]);
}

static void server_port_in_use_is_an_error(void)
{
    setup();
    site_server *s = start_server(&small_site, 0);
    char err[256] = "";
    site_server *again = site_server_start(&small_site, 0, site_server_port(s), err, sizeof err);
    TL_ASSERT(again == NULL && strstr(err, "cannot listen") != NULL, "a busy port: got '%s'", err);
    site_server_stop(again);
    site_server_stop(s);
}

static void site_words_match_the_parser(void)
{
    setup();
    tl_hint("site.c counts the words it writes; html.c must count the same visible words");
    site_shape shape = {.pages = 100, .fanout = 4};
    for (long i = 0; i < shape.pages; i += 7) {
        char path[64], title[64];
        site_page_path(&shape, i, path, sizeof path);
        site_response r;
        site_respond(&shape, "http://127.0.0.1:1", NULL, path, &r);
        html_page p;
        TL_ASSERT_FATAL(html_extract(r.body, r.body_len, r.content_type, &p), "parse %s", path);
        site_page_title(i, title, sizeof title);
        TL_ASSERT(strcmp(p.title, title) == 0, "%s: title '%s', expected '%s'", path, p.title, title);
        TL_ASSERT_EQ_LONG(p.words, site_page_words(&shape, i), path);
        html_page_free(&p);
        site_response_free(&r);
    }
    TL_ASSERT_EQ_LONG(site_levels(&shape), 5, "levels of 100 pages with fan-out 4 (1+4+16+64+15)");
    TL_ASSERT_EQ_LONG(site_levels(&(site_shape){.pages = 1, .fanout = 4}), 1, "levels of a home page alone");
    TL_ASSERT_EQ_LONG(site_levels(&(site_shape){.pages = 5, .fanout = 1}), 5, "levels of a chain");
}

/* ---- crawling ---- */

static void modes_agree_and_fetch_nothing_twice(void)
{
    setup();
    tl_hint("every mode crawls level by level: same records, each URL requested once");
    site_server *s = start_server(&(site_shape){.pages = 60, .fanout = 3}, 2);
    crawl_result results[3];
    for (crawl_mode m = CRAWL_SEQ; m <= CRAWL_MULTI; m++) {
        site_server_reset_counts(s);
        crawl_options opt = options(m);
        crawl_ok(s, &opt, &results[m]);
        check_fetched_once(&results[m], s, crawl_mode_name(m));
        TL_ASSERT_EQ_LONG(site_server_requests(s), results[m].requests, "server's count vs crawl's");
        /* Keep-alive: one connection per handle, plus one for robots.txt's handle in multi
         * mode (outside the multi handle's pool), plus one because libcurl drops the
         * connection on which it refused the big page. Without keep-alive: one per request. */
        long handles = m == CRAWL_SEQ ? 1 : opt.workers, allowed = handles + (m == CRAWL_MULTI) + 1;
        TL_ASSERT(site_server_connections(s) <= allowed, "%s: keep-alive, so at most %ld connections "
                  "for %ld requests; got %ld", crawl_mode_name(m), allowed, results[m].requests,
                  site_server_connections(s));
    }
    for (crawl_mode m = CRAWL_THREADS; m <= CRAWL_MULTI; m++) {
        char diff[1500];
        TL_ASSERT(page_list_same(&results[CRAWL_SEQ].pages, &results[m].pages, diff, sizeof diff),
                  "seq vs %s: %s", crawl_mode_name(m), diff);
        TL_ASSERT_EQ_LONG(results[m].rounds, results[CRAWL_SEQ].rounds, "rounds");
        TL_ASSERT_EQ_LONG(results[m].fetched, results[CRAWL_SEQ].fetched, "fetched");
    }
    for (int m = 0; m < 3; m++)
        crawl_result_free(&results[m]);
    site_server_stop(s);
}

static void every_edge_case_is_handled(void)
{
    setup();
    tl_hint("see the special cases listed in labs/10-scraper/site.h");
    site_shape shape = {.pages = 30, .fanout = 4};
    site_server *s = start_server(&shape, 0);
    crawl_options opt = options(CRAWL_THREADS);
    crawl_result r;
    crawl_ok(s, &opt, &r);
    for (size_t i = 0; site_never_requested[i] != NULL; i++)
        TL_ASSERT(site_server_requests_for(s, site_never_requested[i]) == 0, "%s must never be requested",
                  site_never_requested[i]);
    for (size_t i = 0; site_special_fetched[i] != NULL; i++)
        TL_ASSERT(site_server_requests_for(s, site_special_fetched[i]) == 1, "%s must be requested once, "
                  "got %ld", site_special_fetched[i], site_server_requests_for(s, site_special_fetched[i]));
    check_ordinary_pages(&r, s, &shape, "threads");
    static const expected_page want[] = {
        {SITE_MISSING, 1, 404, "", "HTTP 404", true},
        {SITE_MOVED, 1, 301, "", "redirect to", true},
        {SITE_MOVED_TARGET, 1, 200, "New home", "", true},
        {SITE_MOVED_HOME, 1, 301, "", "redirect to", true},
        {SITE_OFFHOST_REDIRECT, 1, 302, "", "redirect to " SITE_OFFHOST_TARGET, true},
        {SITE_OFFHOST_TARGET, 1, 0, "", "off-host", false},
        {SITE_EXTERNAL, 1, 0, "", "off-host", false},
        {SITE_MAILTO, 1, 0, "", "not an http(s) URL", false},
        {SITE_JAVASCRIPT, 1, 0, "", "not an http(s) URL", false},
        {SITE_DISALLOWED, 1, 0, "", "robots.txt", false},
        {SITE_QUERY, 1, 200, "Search: q=threads lang=c", "", true},
        {SITE_QUERY_OTHER, 2, 200, "Search: q=locks", "", true},
        {SITE_NO_TITLE, 1, 200, "", "", true},
        {SITE_ENTITIES, 1, 200, SITE_ENTITIES_TITLE, "", true},
        {SITE_TEXT_FILE, 1, 200, "", "not HTML", true},
        {SITE_BASE_PAGE, 1, 200, "Base", "", true},
        {SITE_BASE_TARGET, 2, 200, "Guide", "", true},
        {SITE_SPACES, 1, 200, "Read me", "", true},
        {SITE_BIG, 1, 200, "", "cap", true},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        check_page(&r, s, &want[i], "threads");
    TL_ASSERT_EQ_LONG(r.pages.count, shape.pages + sizeof want / sizeof want[0], "URLs met");
    TL_ASSERT_EQ_LONG(r.errors, 2, "failed fetches (the 404 and the big page)");
    crawl_result_free(&r);
    site_server_stop(s);
}

static void redirects_stop_after_the_limit(void)
{
    setup();
    tl_hint("a redirect's target is fetched in the next round at the same depth, at most "
            "CRAWL_MAX_REDIRECTS hops");
    site_server *s = start_server(&small_site, 0);
    char start[128];
    snprintf(start, sizeof start, "%shops/1", site_server_url(s));
    crawl_options opt = options(CRAWL_MULTI);
    crawl_result r;
    char err[256];
    TL_ASSERT_FATAL(crawl_run(start, &opt, &r, err, sizeof err), "crawl_run: %s", err);
    TL_ASSERT_EQ_LONG(r.fetched, CRAWL_MAX_REDIRECTS + 1, "URLs fetched: the start and 5 hops");
    for (int hop = 1; hop <= 10; hop++) {
        char path[32];
        snprintf(path, sizeof path, SITE_HOPS "%d", hop);
        long want = hop <= CRAWL_MAX_REDIRECTS + 1;
        TL_ASSERT(site_server_requests_for(s, path) == want, "%s requested %ld times, expected %ld",
                  path, site_server_requests_for(s, path), want);
        const crawl_page *p = find_path(&r, s, path);
        if (want)
            TL_ASSERT(p != NULL && p->depth == 0 && p->status == 301, "%s: a redirect at depth 0", path);
    }
    snprintf(start, sizeof start, SITE_HOPS "%d", CRAWL_MAX_REDIRECTS + 1);
    const crawl_page *last = find_path(&r, s, start);
    TL_ASSERT(last != NULL && strstr(last->reason, "too many redirects") != NULL,
              "the last hop says why it was not followed: %s", last ? last->reason : "not met");
    crawl_result_free(&r);
    site_server_stop(s);
}

static void robots_can_be_ignored(void)
{
    setup();
    site_server *s = start_server(&small_site, 0);
    crawl_options opt = options(CRAWL_MULTI);
    opt.ignore_robots = true;
    crawl_result r;
    crawl_ok(s, &opt, &r);
    TL_ASSERT_EQ_LONG(site_server_requests_for(s, SITE_DISALLOWED), 1, "--ignore-robots fetches " SITE_DISALLOWED);
    TL_ASSERT_EQ_LONG(site_server_requests_for(s, SITE_ROBOTS), 0, "--ignore-robots does not ask for robots.txt");
    crawl_result_free(&r);
    site_server_stop(s);
}

static void limits_are_the_same_in_every_mode(void)
{
    setup();
    tl_hint("--depth and --max-pages cut the crawl the same way in every mode (sorted, by level)");
    site_server *s = start_server(&small_site, 0);
    crawl_result first;
    for (crawl_mode m = CRAWL_SEQ; m <= CRAWL_MULTI; m++) {
        crawl_options opt = options(m);
        opt.max_pages = 12;
        crawl_result r;
        site_server_reset_counts(s);
        crawl_ok(s, &opt, &r);
        TL_ASSERT_EQ_LONG(r.fetched, 12, "URLs fetched with --max-pages 12");
        TL_ASSERT_EQ_LONG(site_server_requests(s), 13, "requests: 12 and robots.txt");
        if (m == CRAWL_SEQ) {
            first = r;
            continue;
        }
        char diff[1500];
        TL_ASSERT(page_list_same(&first.pages, &r.pages, diff, sizeof diff), "seq vs %s: %s",
                  crawl_mode_name(m), diff);
        crawl_result_free(&r);
    }
    crawl_result_free(&first);

    crawl_options opt = options(CRAWL_THREADS);
    opt.max_depth = 0;
    crawl_result r;
    crawl_ok(s, &opt, &r);
    TL_ASSERT(r.fetched == 1 && r.pages.count == 1 && r.pages.items[0].depth == 0,
              "--depth 0: the start page only; got %ld fetched, %zu met", r.fetched, r.pages.count);
    crawl_result_free(&r);
    opt.max_depth = 1;
    crawl_ok(s, &opt, &r);
    for (size_t i = 0; i < r.pages.count; i++)
        TL_ASSERT(r.pages.items[i].depth <= 2, "--depth 1: %s at depth %ld", r.pages.items[i].url,
                  r.pages.items[i].depth);
    TL_ASSERT(find_path(&r, s, SITE_BASE_TARGET) == NULL, "--depth 1 does not reach depth 2");
    crawl_result_free(&r);
    site_server_stop(s);
}

static void failures_are_recorded_not_fatal(void)
{
    setup();
    tl_hint("a failed request is a record with a reason; the crawl goes on");
    /* A port nobody listens on: take one from a server, then stop it. */
    site_server *s = start_server(&small_site, 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", site_server_port(s));
    site_server_stop(s);
    crawl_options opt = options(CRAWL_THREADS);
    crawl_result r;
    char err[256];
    TL_ASSERT_FATAL(crawl_run(url, &opt, &r, err, sizeof err), "crawl_run: %s", err);
    TL_ASSERT(r.pages.count == 1 && !r.pages.items[0].fetched &&
              strstr(r.pages.items[0].reason, "robots.txt"), "robots.txt unreachable: nothing "
              "fetched (RFC 9309); got %zu records, '%s'", r.pages.count,
              r.pages.count ? r.pages.items[0].reason : "");
    TL_ASSERT(strstr(r.robots_note, "unreachable") != NULL, "the note says why: %s", r.robots_note);
    crawl_result_free(&r);
    opt.ignore_robots = true;
    TL_ASSERT_FATAL(crawl_run(url, &opt, &r, err, sizeof err), "crawl_run: %s", err);
    TL_ASSERT(r.pages.count == 1 && r.pages.items[0].fetched && r.pages.items[0].status == 0 &&
              r.pages.items[0].reason[0] != '\0' && r.errors == 1,
              "refused connection: recorded with a reason; got '%s'",
              r.pages.count ? r.pages.items[0].reason : "");
    crawl_result_free(&r);

    s = start_server(&small_site, 3000);
    opt.timeout_ms = 200;
    TL_ASSERT_FATAL(crawl_run(site_server_url(s), &opt, &r, err, sizeof err), "crawl_run: %s", err);
    TL_ASSERT(r.pages.count == 1 && strstr(r.pages.items[0].reason, "timed out") != NULL && r.errors == 1,
              "a slow server: the request times out; got '%s'", r.pages.count ? r.pages.items[0].reason : "");
    crawl_result_free(&r);
    site_server_stop(s);

    TL_ASSERT(!crawl_run("ftp://127.0.0.1/", &opt, &r, err, sizeof err) && strstr(err, "http"),
              "a start URL that is not http(s) is refused: %s", err);
}

static atomic_long progress_calls;
static void count_progress(void *ctx, long done, long waiting)
{
    (void)ctx;
    (void)done;
    (void)waiting;
    atomic_fetch_add(&progress_calls, 1); /* called from several threads at once */
}

static void progress_is_reported_per_page(void)
{
    setup();
    site_server *s = start_server(&small_site, 0);
    crawl_options opt = options(CRAWL_THREADS);
    opt.progress = count_progress;
    crawl_result r;
    crawl_ok(s, &opt, &r);
    TL_ASSERT_EQ_LONG(atomic_load(&progress_calls), r.fetched, "progress calls, one per page fetched");
    double ideal1 = crawl_ideal_seconds(&r, 1, 10), ideal4 = crawl_ideal_seconds(&r, 4, 10);
    TL_ASSERT(ideal1 == (double)r.requests * 0.010, "ideal with 1 worker: requests x latency");
    TL_ASSERT(ideal4 < ideal1 && ideal4 * 4 >= ideal1, "ideal with 4 workers: between 1/4 and 1 of it");
    crawl_result_free(&r);
    site_server_stop(s);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("scraper: url");
    tl_test(s, "resolving and normalising hrefs (table, with libcurl 7.88's quirks)", resolve_table);
    tl_test(s, "an overlong URL is refused", overlong_url_is_refused);
    tl_test(s, "host, same host, path and query, robots.txt URL", url_parts);
    s = tl_suite("scraper: html");
    tl_test(s, "title (entities, whitespace, missing) and visible words", html_title_and_words);
    tl_test(s, "links and base href in malformed markup", html_links_and_base);
    tl_test(s, "links and title are capped", html_caps);
    tl_test(s, "content types and charsets", html_types_and_charsets);
    s = tl_suite("scraper: robots");
    tl_test(s, "groups, longest match, wildcards", robots_rules);
    tl_test(s, "a hostile pattern is matched quickly", robots_hostile_pattern_is_quick);
    s = tl_suite("scraper: site");
    tl_test(s, "serves the site with keep-alive and counts requests", server_serves_the_site);
    tl_test(s, "speaks HTTP/1.1: pipelining, HEAD, close, bad requests", server_speaks_http);
    tl_test(s, "stops promptly with clients connected", server_stops_with_clients_connected);
    tl_test(s, "connections beyond the limit wait for a free slot", server_bounds_its_connections);
    tl_test(s, "a port in use is an error", server_port_in_use_is_an_error);
    tl_test(s, "the site's word counts match the parser's", site_words_match_the_parser);
    s = tl_suite("scraper: crawl");
    tl_test_timeout(s, "seq, threads and multi agree and fetch nothing twice", modes_agree_and_fetch_nothing_twice, 20);
    tl_test(s, "every edge case of the site is handled as specified", every_edge_case_is_handled);
    tl_test(s, "redirects are followed, at most CRAWL_MAX_REDIRECTS hops", redirects_stop_after_the_limit);
    tl_test(s, "robots.txt can be ignored", robots_can_be_ignored);
    tl_test(s, "depth and page limits cut the same way in every mode", limits_are_the_same_in_every_mode);
    tl_test(s, "refused, unreachable and slow: recorded, not fatal", failures_are_recorded_not_fatal);
    tl_test(s, "progress is reported for each page", progress_is_reported_per_page);
}
