/* median_round.h — which of Step 3's timed rounds to show.
 *
 * A timing on a shared machine is noisy. Step 3 runs each counter ROUNDS times and shows the
 * round of median time: one busy moment on the machine neither flatters nor sinks a variant
 * (the fastest round of the mutex would be the one whose threads happened not to overlap).
 */
#ifndef LAB09_MEDIAN_ROUND_H
#define LAB09_MEDIAN_ROUND_H

enum { ROUNDS = 3 };

/* One round of one counter: the total it counted and how long that took. */
typedef struct {
    long total;
    double seconds;
} counting_result;

/* The round of median time; but a round whose total is not `expected` wins, so that a wrong
 * total is shown. Reorders rounds[]. */
counting_result median_round(counting_result rounds[ROUNDS], long expected);

#endif
