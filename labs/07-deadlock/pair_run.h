/* pair_run.h — how lab07 runs its two demo threads: lined up by a gate, so that the deadlock
 * happens on every run, and recorded on a timeline that is printed once both have finished (so
 * the threads' lines never interleave mid-sentence, and main prints everything in order). */
#ifndef LAB07_PAIR_RUN_H
#define LAB07_PAIR_RUN_H

#include <stdbool.h>

/* Every wait of the gate, and of the demo's own threads, gives up after this. */
#define PAIR_BOUND_MS 5000L

/* Runs fn(t1) and fn(t2) on two threads, then prints (tl_say) the timeline they noted, each line
 * stamped with the milliseconds since the start. With one_after_the_other, the second thread
 * starts only after the first has finished. The gate is reset to wait for two threads. */
void pair_run(void *(*fn)(void *), void *t1, void *t2, bool one_after_the_other);

/* Waits until both threads of the pair have arrived here (the gate can be passed again, as a
 * second meeting point); false if the other did not come within PAIR_BOUND_MS. */
bool pair_gate(void);

/* Adds a line to the timeline (at most 24 per run; more are dropped). Any thread may call it. */
void pair_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
