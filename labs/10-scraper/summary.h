/* summary.h — how lab10 shows what its crawls did: a table of the URLs met, and a table of
 * their speed against each other and against the ideal. Printed with report.h's tl_say, so
 * --quiet and --csv hide them; the speed figures also come out as [info] verdict lines. */
#ifndef LAB10_SUMMARY_H
#define LAB10_SUMMARY_H

#include <stddef.h>

#include "crawl.h"

/* The first `rows` URLs a crawl met, by depth then URL: depth, status, words, title, URL
 * (without `origin` when it starts with it, "http://127.0.0.1:8080") and why not, if not. */
void summary_table(const crawl_result *r, const char *origin, size_t rows);

/* The records of the URLs listed (NULL-terminated; a path stands for `origin` + path): status,
 * URL and the whole note. For --faults: what each fault did to the crawl. */
void summary_records(const crawl_result *r, const char *origin, const char *const urls[]);

/* One line per crawl: workers, pages fetched, seconds, pages/s, speedup over the first crawl
 * when that is CRAWL_SEQ, the ideal speedup of its rounds, and the efficiency (measured
 * speedup / ideal). */
void summary_speed(const crawl_result *const runs[], size_t n);

#endif
