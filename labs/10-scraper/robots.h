/* robots.h — what a site's robots.txt allows us to fetch (RFC 9309, the Robots Exclusion
 * Protocol).
 *
 * The file is a list of groups: one or more "User-agent:" lines, then "Allow:" and
 * "Disallow:" rules. A crawler obeys the group naming its product token (case-insensitive),
 * or else the "*" group. A rule's path is a prefix of the URL's path and query, with "*"
 * matching any run of characters and a final "$" anchoring the end. When several rules
 * match, the longest wins; on a tie Allow wins. No matching rule: allowed.
 */
#ifndef LAB10_ROBOTS_H
#define LAB10_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* The crawler's product token, matched against "User-agent:" lines. */
#define ROBOTS_AGENT "threadlab"

/* Lines and rules beyond these are ignored: the file comes from a stranger. RFC 9309 asks
 * crawlers to read at least the first 500 KiB. */
#define ROBOTS_MAX_BYTES (500 * 1024)
#define ROBOTS_MAX_RULES 1000

typedef struct robots robots;

/* The rules for `agent` in a robots.txt body (not NUL-terminated; at most ROBOTS_MAX_BYTES
 * of it are read). Never fails: a file with nothing for us allows everything. */
robots *robots_parse(const char *text, size_t len, const char *agent);

/* Rules that allow everything (robots.txt missing, 4xx) or nothing (unreachable, 5xx: RFC
 * 9309 says to assume a complete disallow). */
robots *robots_allow_all(void);
robots *robots_disallow_all(void);

/* May we fetch this path and query ("/private/x.html?a=1")? */
bool robots_allowed(const robots *rules, const char *path_query);

/* Number of rules kept for our agent (for the lab's summary line). */
size_t robots_rule_count(const robots *rules);

void robots_free(robots *rules);

#endif
