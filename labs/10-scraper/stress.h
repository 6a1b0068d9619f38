/* stress.h — many threads adding the same URLs to one visited set at once: the test that
 * tells an atomic add-if-new from a check-then-add (used by the lab and by its grader). */
#ifndef LAB10_STRESS_H
#define LAB10_STRESS_H

#include <stdbool.h>

typedef struct {
    long urls;          /* distinct URLs added (by every thread) */
    long new_answers;   /* visited_add calls that returned true, all threads together */
    long added_twice;   /* URLs for which more than one call returned true */
    long never_new;     /* URLs for which no call returned true */
    long count;         /* visited_count afterwards */
    char example[96];   /* a URL reported new more than once, if any */
} stress_report;

/* `threads` threads wait at a common start line, then each adds the same `urls` URLs in
 * the same order to one fresh set. A correct set answers "new" exactly once per URL. */
void visited_stress(int threads, long urls, stress_report *out);

typedef enum { STRESS_FINISHED, STRESS_HUNG, STRESS_CRASHED } stress_outcome;

/* visited_stress with `urls` URLs, then, if no URL was reported new twice, once more with
 * 50 times as many: a check-then-add without the starter's pause loses that race far less
 * often, but over that many URLs it loses it every time. *out is the second run's report
 * unless the first already failed. */
void visited_stress_thorough(int threads, long urls, stress_report *out);

/* visited_stress_thorough in a child process, so that a student's set that deadlocks or crashes
 * cannot take the caller down with it: STRESS_HUNG after timeout_ms (the child is killed),
 * STRESS_CRASHED with *signal set when it dies. Call it before starting any thread (fork
 * copies only the calling thread). */
stress_outcome visited_stress_isolated(int threads, long urls, long timeout_ms,
                                       stress_report *out, int *signal);

#endif
