/* exercise.h — the crawler's visited set: which URLs it has already met.
 *
 * The crawl's workers all share one set. When a worker finds a link it asks "is this URL
 * new?" and, if so, adds it and crawls it. Asking and adding must be ONE step: if two
 * workers find the same link at the same moment and both ask before either adds, both hear
 * "new" and the page is fetched twice (the article's threaded scraper has exactly this bug:
 * its `if url not in visited: visited.add(url)` is two steps with no lock).
 *
 * The set is a libxml2 hash table (xmlHash: xmlHashCreate, xmlHashLookup, xmlHashAddEntry,
 * xmlHashSize, xmlHashFree) guarded by a mutex. libxml2's table is not thread-safe by
 * itself, so every use of it holds the set's lock. {table.locked}
 * Call xmlInitParser() once before threads.
 *
 * Each sentence ending in a {tag} is a promise that `make check-lab10` checks.
 */
#ifndef LAB10_EXERCISE_H
#define LAB10_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"

typedef struct visited_set visited_set;

/* An empty set of its own, sharing nothing with any other set. {create.empty}
 * Never NULL (out of memory is fatal). */
visited_set *visited_create(void);

/* Frees the set: the table, the mutex, the set itself. {destroy.frees}
 * No thread may be using it. */
void visited_destroy(visited_set *set);

/* Adds url to the set if it is not there yet.
 * Returns true if url was NOT in the set before this call (the caller now owns crawling it),
 * false if it was already there. {add.new_once}
 * Atomic: when any number of threads call visited_add with the same url at the same time,
 * exactly one of them gets true, ever. {add.atomic}
 * Safe to call from many threads at once. {add.threads} */
bool visited_add(visited_set *set, const char *url);

/* Whether url is in the set; it changes nothing. {contains.found}
 * Safe to call from many threads at once. {contains.threads} */
bool visited_contains(visited_set *set, const char *url);

/* How many distinct URLs the set holds. {count.distinct}
 * Safe to call from many threads at once. {count.threads} */
size_t visited_count(visited_set *set);

/* The time a real crawler spends between looking a URL up and adding it (logging it,
 * normalising it, deciding about it), made long enough that a check-then-add race loses on
 * every run instead of once in a million. The starter pauses here; a correct set does not
 * need to (and if it does, the pause is inside its lock, where it is harmless). */
static inline void visited_think_time(void)
{
    tl_sleep_us(300);
}

#endif
