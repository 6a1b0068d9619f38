/* Fuzzes robots_parse and robots_allowed (labs/10-scraper/robots.h).
 * Input: a robots.txt body. Its lines are also used as paths to ask about (with LF or CRLF
 * line ends, the answers agree), and as rule patterns whose meaning is checked: a rule
 * matches every path spelled out from its pattern. */
#include <ctype.h>
#include <stdbool.h>

#include "fuzz.h"
#include "robots.h"

enum { MAX_LINES = 64, MAX_PATTERN = 200 };

/* "/" + the line's bytes without whitespace and '#' (which would end the rule early). */
static char *pattern_from(const char *line)
{
    char *out = malloc(MAX_PATTERN + 1);
    if (out == NULL)
        abort();
    out[0] = '/';
    size_t n = 1;
    for (const char *c = line; *c != '\0' && n < MAX_PATTERN; c++)
        if (!isspace((unsigned char)*c) && *c != '#')
            out[n++] = *c;
    out[n] = '\0';
    return out;
}

/* A path the pattern must match: each '*' spelled as "a*b" or as nothing, a final '$'
 * dropped. */
static char *path_from(const char *pattern, bool *anchored)
{
    char *path = malloc(strlen(pattern) * 4 + 16);
    if (path == NULL)
        abort();
    size_t len = strlen(pattern), n = 0;
    *anchored = len > 0 && pattern[len - 1] == '$';
    for (size_t i = 0; i < len - (*anchored ? 1 : 0); i++) {
        if (pattern[i] == '*')
            n += (size_t)sprintf(path + n, "%s", i % 2 ? "" : "a*b");
        else
            path[n++] = pattern[i];
    }
    path[n] = '\0';
    return path;
}

static robots *parse_text(const char *text)
{
    return robots_parse(text, strlen(text), ROBOTS_AGENT);
}

/* The meaning of one rule: it matches what it spells, Allow wins a tie, our group wins. */
static void check_rule_meaning(const char *pattern)
{
    bool anchored;
    char *path = path_from(pattern, &anchored);
    char *text = malloc(2 * strlen(pattern) + 200);
    char *longer = malloc(strlen(path) + 8);
    if (text == NULL || longer == NULL)
        abort();
    sprintf(longer, "%sx?y=1", path);

    sprintf(text, "User-agent: *\nDisallow: %s\n", pattern);
    robots *r = parse_text(text);
    FUZZ_CHECK(robots_rule_count(r) == 1, "one rule in:\n%s", text);
    FUZZ_CHECK(!robots_allowed(r, path), "'%s' does not match '%s'", pattern, path);
    FUZZ_CHECK(anchored || !robots_allowed(r, longer), "'%s' does not match '%s' (a prefix)",
               pattern, longer);
    robots_free(r);

    sprintf(text, "User-agent: *\nDisallow: %s\nAllow: %s\n", pattern, pattern);
    r = parse_text(text);
    FUZZ_CHECK(robots_allowed(r, path), "Allow does not win the tie for '%s' on '%s'", pattern,
               path);
    robots_free(r);

    sprintf(text, "User-agent: *\nDisallow: %s\n\nuser-agent: THREADLAB\nDisallow: /%s\n",
            pattern, pattern);
    r = parse_text(text);
    FUZZ_CHECK(robots_rule_count(r) == 1 && robots_allowed(r, path),
               "our own group does not replace the * group:\n%s", text);
    robots_free(r);
    free(longer);
    free(text);
    free(path);
}

/* The same file with CRLF line ends (RFC 9309 allows CR, LF and CRLF). */
static robots *parse_crlf(const uint8_t *data, size_t size)
{
    char *crlf = malloc(2 * size + 1);
    if (crlf == NULL)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = (char)data[i];
    }
    robots *r = robots_parse(crlf, n, ROBOTS_AGENT);
    free(crlf);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    robots *r = robots_parse((const char *)data, size, ROBOTS_AGENT);
    size_t count = robots_rule_count(r);
    FUZZ_CHECK(count <= ROBOTS_MAX_RULES, "%zu rules kept", count);
    robots *crlf = parse_crlf(data, size);
    FUZZ_CHECK(robots_rule_count(crlf) == count, "%zu rules with LF line ends, %zu with CRLF",
               count, robots_rule_count(crlf));

    char *text = fuzz_string(data, size);
    char *save = NULL;
    int lines = 0;
    for (char *line = strtok_r(text, "\r\n", &save); line != NULL && lines < MAX_LINES;
         line = strtok_r(NULL, "\r\n", &save), lines++) {
        const char *colon = strchr(line, ':');
        const char *paths[] = {line, colon ? colon + 1 : "/"};
        for (size_t i = 0; i < 2; i++) {
            bool allowed = robots_allowed(r, paths[i]);
            FUZZ_CHECK(allowed || count > 0, "no rules, yet '%s' is not allowed", paths[i]);
            FUZZ_CHECK(allowed == robots_allowed(crlf, paths[i]),
                       "'%s': allowed %d with LF line ends, not with CRLF", paths[i], allowed);
        }
        if (lines < 8) {
            char *pattern = pattern_from(colon ? colon + 1 : line);
            check_rule_meaning(pattern);
            free(pattern);
        }
    }
    free(text);
    robots_free(crlf);
    robots_free(r);
    return 0;
}
