/* fetch.h — one HTTP GET with libcurl, done the careful way.
 *
 * A fetcher wraps one libcurl easy handle and is reused for request after request, so
 * libcurl keeps the connection to the site open between them (HTTP keep-alive): no new TCP
 * handshake per page. One fetcher is used by one thread at a time.
 *
 * Settings that matter for a crawler (fetch.c has the why of each):
 *   - http and https only, redirects NOT followed here: the crawler treats a 3xx as a page
 *     that points elsewhere, so that it can check the target (same host? robots.txt? seen
 *     already?) before anything is requested from it;
 *   - connect and total timeouts; a body size cap enforced while the body arrives;
 *   - compressed encodings accepted; a User-Agent naming the kit;
 *   - CURLOPT_NOSIGNAL, because signals and threads do not mix (call signal(SIGPIPE,
 *     SIG_IGN) in main as well: a peer closing a socket must not kill the process).
 * Call curl_global_init(CURL_GLOBAL_DEFAULT) once in main before any thread starts.
 */
#ifndef LAB10_FETCH_H
#define LAB10_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#define FETCH_USER_AGENT "threadlab-lab10/1.0 (a teaching crawler)"
#define FETCH_MAX_BODY (512 * 1024) /* bytes; a larger body is an error ("larger than ...") */

typedef struct {
    long status;             /* HTTP status code; 0 when no response arrived */
    char content_type[128];  /* "text/html; charset=utf-8"; "" when none was sent */
    char *location;          /* for a 3xx: where it points, resolved by libcurl; else NULL */
    long retry_after;        /* seconds a Retry-After header asked for (503, 429); else 0 */
    const char *body;        /* the body, NUL-terminated; owned by the fetcher until its next use */
    size_t body_len;
    char error[CURL_ERROR_SIZE + 64]; /* "" on success, else what went wrong, in words */
} fetch_result;

typedef struct fetcher fetcher;

/* A fetcher with a total time limit per request of timeout_ms. */
fetcher *fetcher_create(long timeout_ms);
void fetcher_destroy(fetcher *f);

/* A blocking GET of url. */
void fetcher_get(fetcher *f, const char *url, fetch_result *out);

/* The same in two halves, for curl_multi: fetcher_begin prepares a GET of url and returns
 * the easy handle to add to a multi handle; when the multi handle reports it done with
 * `result`, fetcher_end fills *out. fetcher_of finds the fetcher of an easy handle. */
CURL *fetcher_begin(fetcher *f, const char *url);
void fetcher_end(fetcher *f, CURLcode result, fetch_result *out);
fetcher *fetcher_of(CURL *easy);

/* Frees what a result owns (the location); the body belongs to the fetcher. */
void fetch_result_free(fetch_result *r);

#endif
