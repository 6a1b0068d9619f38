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
    long pages;  /* ordinary pages, the home page included */
    long fanout; /* children per page */
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

/* The special paths a crawl fetches, and those it must never request (tests check both). */
extern const char *const site_special_fetched[];
extern const char *const site_never_requested[];

typedef struct {
    int status;               /* 200, 301, 302, 404 */
    const char *reason;       /* "OK", "Moved Permanently", ... */
    const char *content_type; /* "text/html; charset=utf-8", ... */
    char *location;           /* for 3xx, else NULL */
    char *body;
    size_t body_len;
} site_response;

/* The response to a GET of `target` (path and query as sent on the request line). `origin`
 * ("http://127.0.0.1:8080") is used for the absolute links. Free with site_response_free. */
void site_respond(const site_shape *shape, const char *origin, const char *target,
                  site_response *out);
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
