/* exercise.h — lab08's exercise: acquire with a timeout, and all-or-nothing acquisition of two
 * locks with back-off.
 *
 * Both work on plain pthread mutexes. lock_with_timeout is built on pthread_mutex_timedlock,
 * the standard call for it: its deadline is ABSOLUTE ("until 12:00:02.5"), not a duration, and
 * it is on CLOCK_REALTIME, the wall clock (README.md says what a clock jump does to it). The
 * alternative, a lock made of a mutex, a flag and a condition variable on CLOCK_MONOTONIC (as
 * common/locktrace.c does it), ignores clock jumps, but then every lock in the program must be
 * that kind; the exercise keeps the plain mutex everybody already uses.
 *
 * lock_both_or_neither avoids lab07's deadlock without a global lock order: a thread that cannot
 * get its second lock in time lets go of its first one, so the thread that holds the second and
 * waits for the first can go on. It never gives up while holding just one lock.
 */
#ifndef LAB08_EXERCISE_H
#define LAB08_EXERCISE_H

#include <pthread.h>

/* Takes m, waiting at most timeout_ms milliseconds.
 * Pre: the caller does not hold m (a precondition: no check tests what happens otherwise).
 * Returns 0: the caller holds m. A free m is taken at once. {lock_with_timeout.free}
 *         It returns as soon as m is free, not at the end of the timeout.
 *         {lock_with_timeout.as_soon_as_free}
 *         ETIMEDOUT: m was not taken, and at least timeout_ms have passed since the call; it
 *         returns soon after that (the deadline is right on any timeout, 999 ms or 3600 s).
 *         {lock_with_timeout.times_out}
 * A timeout of 0 or less never waits: m is taken only if it is free right now, else ETIMEDOUT
 * at once. {lock_with_timeout.zero} */
int lock_with_timeout(pthread_mutex_t *m, long timeout_ms);

/* Takes both first and second, or neither.
 * Pre: the caller holds neither; timeout_ms >= 1; overall_ms >= 0 (preconditions, not checked).
 * Each try takes first, then second, each with lock_with_timeout(timeout_ms): it never waits
 * for second without holding first. {lock_both_or_neither.order}
 * When a try fails it releases what it took: it never backs off, gives up or returns holding
 * one of them. {lock_both_or_neither.all_or_nothing}
 * Then it backs off: sleeps a short random time (e.g. 1 to timeout_ms ms), so other threads can
 * take the locks meanwhile and two threads doing this in opposite orders do not retry in
 * lockstep; and it tries again. {lock_both_or_neither.backs_off}
 * It keeps trying until overall_ms have passed since the call: a lock freed meanwhile is taken.
 * {lock_both_or_neither.retries}
 * Returns 0: the caller holds both. {lock_both_or_neither.free}
 *         ETIMEDOUT: the caller holds neither, at least overall_ms have passed, and not much
 *         more: no try outlasts the overall time. {lock_both_or_neither.gives_up}
 * (That the back-off is random rather than fixed is not checked: no run can tell them apart
 * every time.) */
int lock_both_or_neither(pthread_mutex_t *first, pthread_mutex_t *second, long timeout_ms, long overall_ms);

#endif
