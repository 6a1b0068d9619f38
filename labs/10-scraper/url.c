#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "check.h"

/* href as a browser reads it: surrounding ASCII whitespace ignored, tabs and newlines inside
 * removed (HTML authors wrap long attributes). NULL when the result would be too long. */
static char *clean_href(const char *href)
{
    while (*href == ' ' || *href == '\t' || *href == '\n' || *href == '\r' || *href == '\f')
        href++;
    size_t len = strlen(href);
    while (len > 0 && strchr(" \t\n\r\f", href[len - 1]) != NULL)
        len--;
    if (len > URL_MAX_LEN)
        return NULL;
    char *clean = tl_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (href[i] != '\t' && href[i] != '\n' && href[i] != '\r')
            clean[n++] = href[i];
    clean[n] = '\0';
    return clean;
}

/* The scheme an href starts with ("mailto" in "mailto:x"), or false when it is relative.
 * RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static bool has_scheme(const char *href, char *scheme, size_t len)
{
    if (!isalpha((unsigned char)href[0]))
        return false;
    size_t n = 1;
    while (isalnum((unsigned char)href[n]) || href[n] == '+' || href[n] == '-' || href[n] == '.')
        n++;
    if (href[n] != ':' || n >= len)
        return false;
    for (size_t i = 0; i < n; i++)
        scheme[i] = (char)tolower((unsigned char)href[i]);
    scheme[n] = '\0';
    return true;
}

static bool is_http_scheme(const char *scheme)
{
    return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
}

/* The normal form of what u holds: see url.h. */
static url_status normalise_handle(CURLU *u, char **out)
{
    char *scheme = NULL, *host = NULL, *text = NULL;
    url_status status = URL_INVALID;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        goto done;
    if (!is_http_scheme(scheme)) {
        status = URL_NOT_HTTP;
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0')
        goto done;
    /* libcurl keeps the host as written; hosts are case-insensitive, so one spelling. */
    for (char *p = host; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    if (curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_URL, &text, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        goto done;
    /* Setting the host skips the parse that writes an IPv4 address in full ("44%2E3" comes
     * out as 44.3, which a parse reads as 44.0.0.3): parse the result once more, so its
     * spelling is the final one. */
    char *reparsed = NULL;
    if (curl_url_set(u, CURLUPART_URL, text, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &reparsed, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        goto done;
    curl_free(text);
    text = reparsed;
    if (strlen(text) > URL_MAX_LEN)
        goto done;
    *out = strdup(text);
    if (*out == NULL)
        TL_DIE("out of memory");
    status = URL_OK;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(text);
    return status;
}

url_status url_resolve(const char *base, const char *href, char **out)
{
    *out = NULL;
    char *clean = clean_href(href);
    if (clean == NULL)
        return URL_INVALID;
    char scheme[32];
    if (has_scheme(clean, scheme, sizeof scheme) && !is_http_scheme(scheme)) {
        free(clean); /* mailto:, javascript:, ftp:, data: ... never reach libcurl */
        return URL_NOT_HTTP;
    }
    CURLU *u = curl_url();
    if (u == NULL)
        TL_DIE("out of memory");
    url_status status = URL_INVALID;
    /* The base's fragment plays no part (RFC 3986 section 5.2.2), and libcurl 7.88 would
     * resolve "d" against the last '/' of http://h/a#x/y, fragment included. */
    if (base != NULL && (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
                         curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK))
        goto done;
    /* "" and "#frag" mean "this very document" (RFC 3986 section 5.2.2, and the fragment is
     * dropped anyway). libcurl 7.88 resolves both to the base's directory, so they never
     * reach it. */
    bool same_document = clean[0] == '\0' || clean[0] == '#';
    if (base == NULL || !same_document) {
        CURLUcode rc = curl_url_set(u, CURLUPART_URL, clean, 0);
        if (rc == CURLUE_UNSUPPORTED_SCHEME)
            status = URL_NOT_HTTP;
        if (rc != CURLUE_OK)
            goto done;
    }
    status = normalise_handle(u, out);
done:
    curl_url_cleanup(u);
    free(clean);
    return status;
}

url_status url_normalise(const char *url, char **out)
{
    return url_resolve(NULL, url, out);
}

/* Runs one curl_url_get on a parsed URL into buf. */
static bool get_part(const char *url, CURLUPart part, unsigned flags, char *buf, size_t len)
{
    CURLU *u = curl_url();
    if (u == NULL)
        TL_DIE("out of memory");
    char *text = NULL;
    bool ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, part, &text, flags) == CURLUE_OK && strlen(text) < len;
    if (ok)
        strcpy(buf, text);
    curl_free(text);
    curl_url_cleanup(u);
    return ok;
}

bool url_host(const char *url, char *buf, size_t len)
{
    if (!get_part(url, CURLUPART_HOST, 0, buf, len))
        return false;
    for (char *p = buf; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return true;
}

bool url_same_host(const char *a, const char *b)
{
    char host_a[256], host_b[256];
    return url_host(a, host_a, sizeof host_a) && url_host(b, host_b, sizeof host_b) &&
           strcmp(host_a, host_b) == 0;
}

bool url_path_query(const char *url, char *buf, size_t len)
{
    char path[URL_MAX_LEN + 1], query[URL_MAX_LEN + 1];
    if (!get_part(url, CURLUPART_PATH, 0, path, sizeof path))
        return false;
    if (!get_part(url, CURLUPART_QUERY, 0, query, sizeof query))
        query[0] = '\0'; /* CURLUE_NO_QUERY: there is none */
    size_t need = strlen(path) + (query[0] ? 1 + strlen(query) : 0) + 1;
    if (need > len)
        return false;
    strcpy(buf, path);
    if (query[0] != '\0') {
        strcat(buf, "?");
        strcat(buf, query);
    }
    return true;
}

url_status url_robots_txt(const char *url, char **out)
{
    return url_resolve(url, "/robots.txt", out);
}

const char *url_status_reason(url_status status)
{
    switch (status) {
    case URL_OK:
        return "";
    case URL_NOT_HTTP:
        return "not an http(s) URL: not crawled";
    case URL_INVALID:
        break;
    }
    return "not a valid URL";
}
