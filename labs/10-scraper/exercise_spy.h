/* exercise_spy.h — lab10's addition to tests/harness/spy.h (force-included after it into every
 * visited-set source): each call the exercise makes into libxml2's hash table is noted with
 * whether the calling thread held a mutex at that moment. ThreadSanitizer cannot see inside
 * libxml2, so a table read or written without the lock is caught this way instead, on every run
 * (checks.c: "every use of the table holds the lock"). */
#ifndef LAB10_EXERCISE_SPY_H
#define LAB10_EXERCISE_SPY_H

#include <libxml/hash.h>

/* Notes one table call (checks.c keeps the first one made with no mutex held). */
void visited_spy_table_call(const char *call, const char *func, int line);

#ifdef TL_EXERCISE_SOURCE
/* A program without the checks (the scraper's own tests) links the exercise too: there the
 * notes go nowhere. checks.c's definition replaces this one. */
__attribute__((weak)) void visited_spy_table_call(const char *call, const char *func, int line)
{
    (void)call, (void)func, (void)line;
}

#define TL_VISITED_SPY(call) visited_spy_table_call(#call, __func__, __LINE__)
#define xmlHashLookup(t, k) (TL_VISITED_SPY(xmlHashLookup), xmlHashLookup(t, k))
#define xmlHashAddEntry(t, k, p) (TL_VISITED_SPY(xmlHashAddEntry), xmlHashAddEntry(t, k, p))
#define xmlHashUpdateEntry(t, k, p, f)                                                             \
    (TL_VISITED_SPY(xmlHashUpdateEntry), xmlHashUpdateEntry(t, k, p, f))
#define xmlHashRemoveEntry(t, k, f) (TL_VISITED_SPY(xmlHashRemoveEntry), xmlHashRemoveEntry(t, k, f))
#define xmlHashSize(t) (TL_VISITED_SPY(xmlHashSize), xmlHashSize(t))
#endif

#endif
