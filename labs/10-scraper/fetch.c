#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct fetcher {
    CURL *easy;
    char errbuf[CURL_ERROR_SIZE];
    char *body;
    size_t len, cap;
    bool too_large;
};

/* libcurl hands the body over in pieces. Stopping at the cap here, rather than after the
 * transfer, is what keeps a hostile or broken server from filling our memory (a server may
 * send no Content-Length, or lie in it). Returning less than asked aborts the transfer. */
static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
    fetcher *f = userdata;
    size_t n = size * count;
    if (n > FETCH_MAX_BODY - f->len) {
        f->too_large = true;
        return 0;
    }
    if (f->len + n + 1 > f->cap) {
        size_t cap = f->cap ? f->cap : 16 * 1024;
        while (cap < f->len + n + 1)
            cap *= 2;
        char *grown = realloc(f->body, cap);
        if (grown == NULL)
            TL_DIE("out of memory");
        f->body = grown;
        f->cap = cap;
    }
    memcpy(f->body + f->len, data, n);
    f->len += n;
    f->body[f->len] = '\0';
    return n;
}

#define SET(option, value)                                                                         \
    do {                                                                                           \
        CURLcode rc_ = curl_easy_setopt(f->easy, option, value);                                   \
        if (rc_ != CURLE_OK)                                                                       \
            TL_DIE("curl_easy_setopt(%s): %s", #option, curl_easy_strerror(rc_));                  \
    } while (0)

fetcher *fetcher_create(long timeout_ms)
{
    fetcher *f = tl_xcalloc(1, sizeof *f);
    f->easy = curl_easy_init();
    if (f->easy == NULL)
        TL_DIE("curl_easy_init failed");
    SET(CURLOPT_PRIVATE, (void *)f);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, (void *)f);
    SET(CURLOPT_ERRORBUFFER, f->errbuf);
    /* libcurl's timeouts otherwise use SIGALRM, which would hit any thread of the process. */
    SET(CURLOPT_NOSIGNAL, 1L);
    /* A link may say file:///etc/passwd or gopher://...: only the web is crawled. */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    /* The crawler decides about redirects itself (see fetch.h). */
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    /* Refuses up front a body whose announced length is over the cap; on_body covers the rest. */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX_BODY);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl can decode */
    SET(CURLOPT_USERAGENT, FETCH_USER_AGENT);
    return f;
}

void fetcher_destroy(fetcher *f)
{
    if (f == NULL)
        return;
    curl_easy_cleanup(f->easy);
    free(f->body);
    free(f);
}

CURL *fetcher_begin(fetcher *f, const char *url)
{
    f->len = 0;
    f->too_large = false;
    f->errbuf[0] = '\0';
    if (f->body != NULL)
        f->body[0] = '\0';
    SET(CURLOPT_URL, url);
    return f->easy;
}

fetcher *fetcher_of(CURL *easy)
{
    char *f = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &f);
    return (fetcher *)f;
}

void fetcher_end(fetcher *f, CURLcode result, fetch_result *out)
{
    *out = (fetch_result){.body = f->body ? f->body : "", .body_len = f->len};
    curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &out->status);
    const char *type = NULL;
    if (curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != NULL)
        snprintf(out->content_type, sizeof out->content_type, "%s", type);
    const char *location = NULL;
    if (out->status >= 300 && out->status < 400 &&
        curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != NULL) {
        out->location = strdup(location);
        if (out->location == NULL)
            TL_DIE("out of memory");
    }
    curl_off_t retry_after = 0; /* a date in the header comes back as seconds from now */
    if (curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        out->retry_after = (long)retry_after;
    if (f->too_large || result == CURLE_FILESIZE_EXCEEDED)
        snprintf(out->error, sizeof out->error, "larger than the %d KiB cap", FETCH_MAX_BODY / 1024);
    else if (result != CURLE_OK)
        snprintf(out->error, sizeof out->error, "%s",
                 f->errbuf[0] ? f->errbuf : curl_easy_strerror(result));
}

void fetcher_get(fetcher *f, const char *url, fetch_result *out)
{
    CURL *easy = fetcher_begin(f, url);
    fetcher_end(f, curl_easy_perform(easy), out);
}

void fetch_result_free(fetch_result *r)
{
    free(r->location);
    r->location = NULL;
}
