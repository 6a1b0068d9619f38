#include "robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"

typedef struct {
    char *pattern; /* as written after "Allow:" / "Disallow:", trimmed */
    bool allow;
} rule;

struct robots {
    rule *rules;
    size_t count;
    bool disallow_everything;
};

/* Does `pattern` match `text`? '*' matches any run of characters; a final '$' means the
 * pattern must match all of text, otherwise a prefix of text is enough. Greedy matching that
 * remembers only the last '*': O(pattern x text) at worst, never exponential, whatever a
 * hostile robots.txt contains. */
static bool pattern_matches(const char *pattern, const char *text)
{
    size_t plen = strlen(pattern);
    bool anchored = plen > 0 && pattern[plen - 1] == '$';
    if (anchored)
        plen--;
    size_t pi = 0, ti = 0, star = (size_t)-1, resume = 0;
    for (;;) {
        if (pi == plen && (!anchored || text[ti] == '\0'))
            return true;
        if (pi < plen && pattern[pi] == '*') {
            star = pi++;
            resume = ti;
        } else if (pi < plen && text[ti] != '\0' && pattern[pi] == text[ti]) {
            pi++;
            ti++;
        } else if (star != (size_t)-1 && text[resume] != '\0') {
            pi = star + 1; /* let the last '*' swallow one more character */
            ti = ++resume;
        } else {
            return false;
        }
    }
}

bool robots_allowed(const robots *rules, const char *path_query)
{
    if (rules->disallow_everything)
        return false;
    size_t best_len = 0;
    bool allowed = true;
    for (size_t i = 0; i < rules->count; i++) {
        const rule *r = &rules->rules[i];
        size_t len = strlen(r->pattern);
        if (len < best_len || !pattern_matches(r->pattern, path_query))
            continue;
        /* Longest match wins; on a tie the less restrictive rule (Allow) wins. */
        if (len > best_len || r->allow)
            allowed = r->allow;
        best_len = len;
    }
    return allowed;
}

size_t robots_rule_count(const robots *rules)
{
    return rules->count;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* "  Disallow : /x  # why" -> key "Disallow", value "/x". False for blank and comment lines. */
static bool split_line(char *line, char **key, char **value)
{
    char *hash = strchr(line, '#');
    if (hash != NULL)
        *hash = '\0';
    char *colon = strchr(line, ':');
    if (colon == NULL)
        return false;
    *colon = '\0';
    *key = trim(line);
    *value = trim(colon + 1);
    return true;
}

/* Our product token matches a User-agent value when the value is the token, ignoring case
 * (RFC 9309 2.2.1); "*" matches only when no group names us. */
static bool names_agent(const char *value, const char *agent)
{
    return strcasecmp(value, agent) == 0;
}

robots *robots_parse(const char *text, size_t len, const char *agent)
{
    if (len > ROBOTS_MAX_BYTES)
        len = ROBOTS_MAX_BYTES;
    robots *rules = tl_xcalloc(1, sizeof *rules);
    rules->rules = tl_xcalloc(ROBOTS_MAX_RULES, sizeof *rules->rules);
    /* Two passes over the groups: rules for our own name, else those for "*". */
    rule *star = tl_xcalloc(ROBOTS_MAX_RULES, sizeof *star);
    size_t star_count = 0;
    bool named = false;

    bool in_agent_lines = false;     /* the previous line was a User-agent line */
    bool group_is_ours = false, group_is_star = false;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        char line[1024];
        size_t n = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;

        char *key, *value;
        if (!split_line(line, &key, &value))
            continue;
        if (strcasecmp(key, "user-agent") == 0) {
            if (!in_agent_lines)
                group_is_ours = group_is_star = false; /* a new group starts */
            in_agent_lines = true;
            group_is_ours |= names_agent(value, agent);
            group_is_star |= strcmp(value, "*") == 0;
            named |= group_is_ours;
            continue;
        }
        in_agent_lines = false;
        bool allow = strcasecmp(key, "allow") == 0;
        if (!allow && strcasecmp(key, "disallow") != 0)
            continue; /* Sitemap:, Crawl-delay: and unknown keys */
        if (value[0] == '\0')
            continue; /* "Disallow:" with no path allows everything: no rule */
        if (group_is_ours && rules->count < ROBOTS_MAX_RULES) {
            rules->rules[rules->count++] = (rule){strdup(value), allow};
            if (rules->rules[rules->count - 1].pattern == NULL)
                TL_DIE("out of memory");
        } else if (group_is_star && !group_is_ours && star_count < ROBOTS_MAX_RULES) {
            star[star_count++] = (rule){strdup(value), allow};
            if (star[star_count - 1].pattern == NULL)
                TL_DIE("out of memory");
        }
    }
    if (named) {
        for (size_t i = 0; i < star_count; i++)
            free(star[i].pattern);
        free(star);
    } else {
        free(rules->rules);
        rules->rules = star;
        rules->count = star_count;
    }
    return rules;
}

robots *robots_allow_all(void)
{
    return tl_xcalloc(1, sizeof(robots));
}

robots *robots_disallow_all(void)
{
    robots *rules = tl_xcalloc(1, sizeof *rules);
    rules->disallow_everything = true;
    return rules;
}

void robots_free(robots *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->count; i++)
        free(rules->rules[i].pattern);
    free(rules->rules);
    free(rules);
}
