/* url.h — URLs the way a crawler needs them.
 *
 * The visited set compares strings, so one page must have exactly one spelling: every URL
 * the crawler meets goes through url_resolve, which resolves it against the page it was
 * found on (libcurl's URL API does the RFC 3986 work) and normalises the result:
 *   - the fragment is dropped (page.html#intro is page.html),
 *   - scheme and host are lowercased, a default port (:80 for http, :443 for https) is dropped,
 *   - dot segments are removed (/a/./b/../c is /a/c), spaces are percent-encoded,
 *   - user name and password are dropped (a crawler has no business sending them).
 * Only http and https URLs come out; mailto:, javascript:, ftp: and friends are reported
 * as URL_NOT_HTTP so the crawler can record them and move on.
 *
 * libcurl 7.88 (Debian 12) resolves an empty href and a fragment-only href ("#top") to the
 * base's directory instead of the base itself, and resolves against a '/' in the base's
 * fragment; url_resolve handles these before asking libcurl (tests/unit/test_scraper.c
 * checks them).
 */
#ifndef LAB10_URL_H
#define LAB10_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Longer URLs are refused (URL_INVALID): real pages use far less, hostile pages far more. */
#define URL_MAX_LEN 2048

typedef enum {
    URL_OK,
    URL_NOT_HTTP, /* a scheme other than http or https: not crawled */
    URL_INVALID,  /* libcurl cannot parse it, or it is longer than URL_MAX_LEN */
} url_status;

/* Resolves href (from an <a href>, a <base href> or a Location header, as written) against
 * base, an absolute http(s) URL, and normalises the result. Leading and trailing whitespace
 * is ignored and tabs and newlines inside are removed, as browsers do. On URL_OK *out is a
 * malloc'd string the caller frees; otherwise *out is NULL. */
url_status url_resolve(const char *base, const char *href, char **out);

/* The normal form of an absolute URL (url_resolve without a base). */
url_status url_normalise(const char *url, char **out);

/* The lowercase host of a URL into buf ("127.0.0.1", "www.example.org"); false if the URL
 * cannot be parsed or the host does not fit. */
bool url_host(const char *url, char *buf, size_t len);

/* Both URLs parse and name the same host (ports and schemes may differ: http -> https on the
 * same site is still the same site). */
bool url_same_host(const char *a, const char *b);

/* The path and query of a URL ("/dir/page.html?q=1"): what robots.txt rules match and what
 * the local site counts. False if the URL cannot be parsed or the result does not fit. */
bool url_path_query(const char *url, char *buf, size_t len);

/* "scheme://host[:port]/robots.txt" for the site of url. */
url_status url_robots_txt(const char *url, char **out);

/* "not an http(s) URL", "not a valid URL" ("" for URL_OK): for the crawl's records. */
const char *url_status_reason(url_status status);

#endif
