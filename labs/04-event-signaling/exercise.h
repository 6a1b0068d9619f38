/* exercise.h — lab04's exercise: an event (Python's threading.Event) built from a mutex, a
 * condition variable, a flag and a generation counter.
 *
 * One thread announces "it happened" with event_set(); every thread blocked in event_wait()
 * wakes up, and later waiters pass straight through until event_clear() lowers the flag again.
 *
 * What a wait promises: it returns "set" when the flag was up when the call began, or was raised
 * at ANY moment during the call — even if someone cleared it again before the waiter got to run.
 * Re-checking only the flag after waking cannot keep that promise (`set(); clear();` would leave
 * the woken waiters looking at a flag that is down again). `generation` can: set() starts a new
 * generation each time it raises the flag, and a waiter returns as soon as the flag is up OR the
 * generation it started in has ended.
 *
 * The lab's last step and its grader (`make check-lab04`) check every promise tagged in braces
 * below (labs/04-event-signaling/checks.c); `make hint-lab04` gives a hint for the first failing.
 */
#ifndef LAB04_EXERCISE_H
#define LAB04_EXERCISE_H

#include <pthread.h>
#include <stdbool.h>

/* `lock` guards every other field: each function reads and writes them only while holding it,
 * is_set() too {event.locked}. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;   /* waited on by event_wait*; a CLOCK_MONOTONIC condvar */
    bool flag;                /* the event is set */
    unsigned long generation; /* how many times set() raised the flag; wraps harmlessly */
} event;

/* Post: *e is an event with the flag clear {init.clear}. */
void event_init(event *e);

/* Pre: no thread is waiting on *e or will use it again. Post: the mutex and condition variable
 * event_init made are destroyed {destroy.releases}. */
void event_destroy(event *e);

/* Raises the flag {set.raises} and wakes EVERY thread waiting at this moment {set.wakes_all}.
 * Setting a flag that is already set changes nothing: the flag stays up and no new generation
 * starts {set.already_set}. */
void event_set(event *e);

/* Lowers the flag {clear.lowers}. Threads woken by an earlier set() still return "set", even if
 * clear() runs before they get the mutex back {clear.keeps_wakeups}. It ends nobody's wait: a
 * thread waiting when clear() runs keeps waiting, through any wake-up, until a set()
 * {clear.ends_no_wait}. */
void event_clear(event *e);

/* The flag right now {is_set.flag}. */
bool event_is_set(event *e);

/* Returns at once if the flag is set; otherwise blocks until the next set() — a wake-up with no
 * set() behind it (a spurious one) does not end it {wait.blocks}. Waiting does not lower the
 * flag {wait.keeps_flag}. */
void event_wait(event *e);

/* As event_wait, for at most timeout_ms milliseconds: true if the flag was up when the call
 * began or was raised during it (even if lowered again since), with no set() missed between
 * looking at the flag and starting to wait {wait_ms.true_if_set}; false if the time ran out
 * first, not before timeout_ms and not long after, on the condition variable's clock
 * {wait_ms.times_out}. timeout_ms <= 0 returns the flag without blocking {wait_ms.zero}. Any
 * timeout a long holds works: 999 ms carries into the seconds, 3600 s does not overflow
 * {wait_ms.long}. The deadline is absolute: wake-ups with nothing set do not restart it
 * {wait_ms.deadline}. */
bool event_wait_ms(event *e, long timeout_ms);

#endif
