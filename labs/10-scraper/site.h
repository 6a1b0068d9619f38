/* site.h — the pages of the local test site: what each path returns.
 *
 * A generated site, the same on every run, made to look like what real sites throw at a
 * crawler. The ordinary pages form a tree: the home page "/" (level 0), its `fanout`
 * children "/l1/p1.html" .. (level 1), theirs (level 2), and so on until there are `pages`
 * of them. Page i's children are pages i*fanout+1 .. i*fanout+fanout, linked in every form
 * real pages use: absolute URLs, root-relative paths, "../" paths, with #fragments. Every
 * page also links back home and to its parent and its next sibling (pages already seen), to
 * itself with "#top", and carries a <script> and a <style> whose words must not be counted.
 *
 * The home page also links to the special cases below, one of each (they are level 1).
 * Nothing here knows about HTTP: server.c serves it.
 */
#ifndef LAB10_SITE_H
#define LAB10_SITE_H

#include <stddef.h>

typedef struct {
    long pages;      /* ordinary pages, the home page included */
    long fanout;     /* children per page */
    unsigned faults; /* SITE_FAULT_* bits: the faults served too (0: none, the default site) */
} site_shape;

/* The special cases, linked from the home page. */
#define SITE_ROBOTS "/robots.txt"             /* disallows /private/ for every agent */
#define SITE_DISALLOWED "/private/secret.html" /* exists, but robots.txt forbids it */
#define SITE_MISSING "/missing.html"          /* a broken link: 404 */
#define SITE_MOVED "/moved.html"              /* 301 to SITE_MOVED_TARGET */
#define SITE_MOVED_TARGET "/new-home.html"    /* reachable only through that redirect */
#define SITE_MOVED_HOME "/old-index.html"     /* 301 to "/", a page already seen */
#define SITE_OFFHOST_REDIRECT "/elsewhere.html" /* 302 to SITE_OFFHOST_TARGET */
#define SITE_OFFHOST_TARGET "http://www.example.com/elsewhere"
#define SITE_EXTERNAL "https://www.example.org/threads" /* a link to another site */
#define SITE_MAILTO "mailto:teacher@example.com"
#define SITE_JAVASCRIPT "javascript:void(0)"
#define SITE_QUERY "/find/search?q=threads&lang=c" /* links "" and "#results" to itself and
                                                     "?q=locks" (libcurl 7.88 would send
                                                     the first two to "/find/") */
#define SITE_QUERY_DIR "/find/"               /* must never be requested */
#define SITE_QUERY_OTHER "/find/search?q=locks"
#define SITE_NO_TITLE "/untitled.html"        /* a page without <title> */
#define SITE_ENTITIES "/entities.html"        /* title with entities and extra whitespace */
#define SITE_ENTITIES_TITLE "Threads & Locks \xe2\x80\x94 caf\xc3\xa9 <3" /* what it reads as */
#define SITE_TEXT_FILE "/files/notes.txt"     /* text/plain that looks like HTML */
#define SITE_NEVER_PARSED "/never-linked.html" /* linked only from inside SITE_TEXT_FILE */
#define SITE_BASE_PAGE "/base/index.html"     /* <base href="/docs/"> and a link "guide.html" */
#define SITE_BASE_TARGET "/docs/guide.html"   /* where that link really goes */
#define SITE_BASE_WRONG "/base/guide.html"    /* where it goes if <base> is ignored: must not be requested */
#define SITE_SPACES "/notes/read%20me.html"   /* linked as "notes/read me.html" */
#define SITE_BIG "/big.html"                  /* larger than the crawler's body cap */
#define SITE_BIG_BYTES (600 * 1024)
#define SITE_HOPS "/hops/"                     /* linked from nowhere: /hops/1 redirects to
                                                  /hops/2 ... to /hops/10, a page (for tests
                                                  of the redirect limit) */

/* Faults: what a hostile or broken site does to a crawler. Each one asked for in
 * site_shape.faults is linked from the home page (so it is at level 1); none is served
 * otherwise. Those marked "socket" are done by server.c at the socket level. */
#define SITE_FAULT_SLOW (1u << 0)      /* socket: SITE_SLOW answers after SERVER_SLOW_MS, longer
                                          than any crawler here waits */
#define SITE_FAULT_RESET (1u << 1)     /* socket: SITE_RESET sends its headers (Content-Length)
                                          and half its body, then resets the connection */
#define SITE_FAULT_500 (1u << 2)       /* SITE_ERROR_500: 500 Internal Server Error */
#define SITE_FAULT_503 (1u << 3)       /* SITE_ERROR_503: 503 with Retry-After */
#define SITE_FAULT_LOOP (1u << 4)      /* SITE_LOOP_A redirects to SITE_LOOP_B, and back */
#define SITE_FAULT_ENDLESS (1u << 5)   /* socket: SITE_ENDLESS, a body with no Content-Length
                                          that goes on far past the crawler's cap */
#define SITE_FAULT_BINARY (1u << 6)    /* SITE_BINARY: bytes (NULs among them) as text/html */
#define SITE_FAULT_BAD_UTF8 (1u << 7)  /* SITE_BAD_UTF8: invalid UTF-8 in title and text of a
                                          page that says it is utf-8 */
#define SITE_FAULT_DEEP (1u << 8)      /* SITE_DEEP: markup nested SITE_DEEP_LEVELS deep */
#define SITE_FAULT_LINKS (1u << 9)     /* SITE_LINKS: SITE_LINKS_COUNT distinct links to pages
                                          under SITE_LINKS_TARGET, which robots.txt disallows
                                          (so the crawl's budget and time stay the site's) */
#define SITE_FAULT_SILENT (1u << 10)   /* socket: a link to another port of 127.0.0.1 where a
                                          listener accepts connections and never answers */
#define SITE_FAULTS_ALL ((1u << 11) - 1)

#define SITE_SLOW "/faults/slow.html"
#define SITE_RESET "/faults/reset.html"
#define SITE_ERROR_500 "/faults/error.html"
#define SITE_ERROR_503 "/faults/busy.html"
#define SITE_RETRY_AFTER 120 /* seconds, in SITE_ERROR_503's Retry-After */
#define SITE_LOOP_A "/faults/loop-a.html"
#define SITE_LOOP_B "/faults/loop-b.html"
#define SITE_ENDLESS "/faults/endless.html"
#define SITE_BINARY "/faults/binary.html"
#define SITE_BAD_UTF8 "/faults/bad-utf8.html"
#define SITE_BAD_UTF8_LINK "caf\xe9.html" /* linked from SITE_BAD_UTF8: a Latin-1 byte, a 404 */
#define SITE_DEEP "/faults/deep.html"
#define SITE_DEEP_LEVELS 100000
#define SITE_LINKS "/faults/links.html"
#define SITE_LINKS_COUNT 10000
#define SITE_LINKS_TARGET "/private/many/" /* "/private/many/1.html" .. "/private/many/10000.html" */
#define SITE_SILENT_PATH "/silent.html"   /* the path linked on the silent listener */

/* The special paths a crawl fetches, and those it must never request (tests check both). */
extern const char *const site_special_fetched[];
extern const char *const site_never_requested[];
/* The paths of the fault pages (SITE_FAULTS_ALL but the silent listener's), NULL-terminated. */
extern const char *const site_fault_pages[];

/* How server.c sends a response: the socket-level faults. */
typedef enum {
    SITE_SEND_ALL,        /* all of it, with its Content-Length */
    SITE_SEND_LATE,       /* all of it, after SERVER_SLOW_MS (SITE_FAULT_SLOW) */
    SITE_SEND_HALF_RESET, /* headers and half the body, then a TCP reset (SITE_FAULT_RESET) */
    SITE_SEND_ENDLESS,    /* no Content-Length, the body over and over (SITE_FAULT_ENDLESS) */
} site_delivery;

typedef struct {
    int status;               /* 200, 301, 302, 404, 500, 503 */
    const char *reason;       /* "OK", "Moved Permanently", ... */
    const char *content_type; /* "text/html; charset=utf-8", ... */
    char *location;           /* for 3xx, else NULL */
    long retry_after;         /* seconds for a Retry-After header; 0 for none */
    site_delivery delivery;
    char *body;
    size_t body_len;
} site_response;

/* The response to a GET of `target` (path and query as sent on the request line). `origin`
 * ("http://127.0.0.1:8080") is used for the absolute links; `silent_origin` is that of the
 * listener that never answers (SITE_FAULT_SILENT; NULL: not linked). Free with
 * site_response_free. */
void site_respond(const site_shape *shape, const char *origin, const char *silent_origin,
                  const char *target, site_response *out);
void site_response_free(site_response *r);

/* The level of ordinary page i (0 for the home page), and the path of page i. */
int site_level(const site_shape *shape, long i);
void site_page_path(const site_shape *shape, long i, char *buf, size_t len);

/* How many levels the ordinary pages span (1 for a home page alone). */
int site_levels(const site_shape *shape);

/* The title and word count of ordinary page i, as the crawler should read them. */
void site_page_title(long i, char *buf, size_t len);
long site_page_words(const site_shape *shape, long i);

#endif
