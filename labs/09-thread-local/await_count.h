/* await_count.h — wait, with a bound, until enough threads have said "I am here".
 *
 * Step 1's handlers read back what they stored only once every handler has stored its value,
 * and Step 3's counting threads start adding only when main says go. Each such wait polls an
 * atomic count, and gives up after a bound instead of hanging the lab.
 */
#ifndef LAB09_AWAIT_COUNT_H
#define LAB09_AWAIT_COUNT_H

#include <stdatomic.h>
#include <stdbool.h>

/* Waits until *count reaches target, polling, but never longer than timeout_ms; false if the
 * bound ran out first. */
bool await_count(atomic_int *count, int target, long timeout_ms);

#endif
