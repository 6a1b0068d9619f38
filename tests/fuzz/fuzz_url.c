/* Fuzzes url_resolve, url_normalise and the URL part helpers (labs/10-scraper/url.h).
 * Input: "BASE\nHREF" resolves HREF against BASE (HREF may hold more newlines: browsers remove
 * them); an input without a newline is normalised on its own. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include <curl/curl.h>

#include "fuzz.h"
#include "url.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* what lab10's main does first */
    return 0;
}

/* A status and *out as url.h promises them. */
static void check_status(url_status status, const char *out, const char *what)
{
    FUZZ_CHECK(status == URL_OK || status == URL_NOT_HTTP || status == URL_INVALID,
               "%s: status %d", what, (int)status);
    FUZZ_CHECK((status == URL_OK) == (out != NULL), "%s: status %d with *out %s", what,
               (int)status, out ? out : "NULL");
}

/* Is every segment of the path (up to '?') something other than "." and ".."? */
static bool no_dot_segments(const char *path)
{
    size_t end = strcspn(path, "?");
    for (size_t i = 0; i < end;) {
        size_t n = strcspn(path + i, "/?");
        if ((n == 1 && path[i] == '.') || (n == 2 && path[i] == '.' && path[i + 1] == '.'))
            return false;
        i += n + 1;
    }
    return true;
}

/* The normal form url.h promises for a URL_OK result. */
static void check_normal_form(const char *url)
{
    size_t len = strlen(url);
    FUZZ_CHECK(len <= URL_MAX_LEN, "result is %zu bytes, more than URL_MAX_LEN", len);
    bool https = strncmp(url, "https://", 8) == 0;
    FUZZ_CHECK(https || strncmp(url, "http://", 7) == 0, "not http(s): %s", url);
    FUZZ_CHECK(strchr(url, '#') == NULL, "fragment kept: %s", url);
    FUZZ_CHECK(strpbrk(url, " \t\r\n") == NULL, "whitespace kept: %s", url);

    const char *authority = url + (https ? 8 : 7);
    size_t alen = strcspn(authority, "/?");
    for (size_t i = 0; i < alen; i++)
        FUZZ_CHECK(!isupper((unsigned char)authority[i]), "host not lowercased: %s", url);
    FUZZ_CHECK(memchr(authority, '@', alen) == NULL, "user name kept: %s", url);
    const char *dflt = https ? ":443" : ":80";
    size_t dlen = strlen(dflt);
    FUZZ_CHECK(alen < dlen || strncmp(authority + alen - dlen, dflt, dlen) != 0,
               "default port kept: %s", url);
    FUZZ_CHECK(no_dot_segments(authority + alen), "dot segment kept: %s", url);

    char *again = NULL;
    url_status status = url_normalise(url, &again);
    FUZZ_CHECK(status == URL_OK && strcmp(again, url) == 0,
               "not idempotent: normalising %s gives status %d, %s", url, (int)status,
               again ? again : "NULL");
    free(again);

    char host[256], path[URL_MAX_LEN + 1];
    FUZZ_CHECK(url_host(url, host, sizeof host) || alen >= sizeof host, "no host in %s", url);
    FUZZ_CHECK(url_path_query(url, path, sizeof path) && path[0] == '/',
               "no path and query in %s", url);
    FUZZ_CHECK(url_same_host(url, url) || alen >= sizeof host, "not the same host as itself: %s",
               url);

    char *robots = NULL;
    status = url_robots_txt(url, &robots);
    check_status(status, robots, "url_robots_txt");
    if (status == URL_OK) {
        size_t rlen = strlen(robots), tail = strlen("/robots.txt");
        FUZZ_CHECK(rlen > tail && strcmp(robots + rlen - tail, "/robots.txt") == 0 &&
                       strncmp(robots, url, (size_t)(authority - url) + alen) == 0,
                   "robots.txt of %s is %s", url, robots);
    } else {
        FUZZ_CHECK(status == URL_INVALID && len + strlen("robots.txt") > URL_MAX_LEN,
                   "no robots.txt URL for %s", url);
    }
    free(robots);
}

/* The helpers on anything at all, into buffers of exactly `len` bytes (ASan sees overruns). */
static void poke_parts(const char *text, size_t len)
{
    char *buf = malloc(len);
    if (buf == NULL)
        abort();
    if (url_host(text, buf, len) || url_path_query(text, buf, len))
        FUZZ_CHECK(strlen(buf) < len, "a part of %s does not fit its buffer", text);
    (void)url_same_host(text, "http://h.test/");
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = fuzz_string(data, size);
    char *newline = strchr(input, '\n');
    const char *base = NULL, *href = input;
    if (newline != NULL) {
        *newline = '\0';
        base = input;
        href = newline + 1;
    }
    poke_parts(input, 1 + (size % 64));

    char *out = NULL;
    url_status status = url_resolve(base, href, &out);
    check_status(status, out, "url_resolve");
    if (status == URL_OK)
        check_normal_form(out);

    /* Against the normal form of a valid base, an href resolves as against the base itself
     * (one page, one spelling); an absolute href as on its own; "" and "#fragment" are the
     * base page. */
    char *self = NULL;
    if (base != NULL && strpbrk(base, " \t\r\f") == NULL && url_normalise(base, &self) == URL_OK) {
        char *again = NULL;
        url_status st = url_resolve(self, href, &again);
        FUZZ_CHECK(st == status && (out == NULL || strcmp(again, out) == 0),
                   "'%s' against %s gives status %d, %s; against its normal form %s: %d, %s",
                   href, base, (int)status, out ? out : "NULL", self, (int)st,
                   again ? again : "NULL");
        free(again);
        /* An absolute http(s) href does not depend on the base. */
        const char *h = href + strspn(href, " \t\n\r\f");
        if (strncasecmp(h, "http://", 7) == 0 || strncasecmp(h, "https://", 8) == 0) {
            char *alone = NULL;
            st = url_normalise(href, &alone);
            FUZZ_CHECK(st == status && (out == NULL || strcmp(alone, out) == 0),
                       "'%s' against %s gives status %d, %s; on its own: %d, %s", href, base,
                       (int)status, out ? out : "NULL", (int)st, alone ? alone : "NULL");
            free(alone);
        }
        static const char *const same[] = {"", "#", "#top", " \t"};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
            char *got = NULL;
            st = url_resolve(self, same[i], &got);
            FUZZ_CHECK(st == URL_OK && strcmp(got, self) == 0, "'%s' against %s: status %d, %s",
                       same[i], self, (int)st, got ? got : "NULL");
            free(got);
        }
    }
    free(self);
    free(out);
    free(input);
    return 0;
}
