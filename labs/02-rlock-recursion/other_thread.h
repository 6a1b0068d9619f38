/* other_thread.h — ask a lock a question from a thread that is not its owner.
 *
 * What differs between lock kinds is how the OWNER's second lock behaves; "is it free for
 * somebody else?" can only be asked by another thread. This runs one call in a new thread and
 * joins it: the call must return on its own (a trylock, or a lock with a timeout).
 */
#ifndef LAB02_OTHER_THREAD_H
#define LAB02_OTHER_THREAD_H

/* What the call in the other thread gets, and where it puts its answer. */
typedef struct {
    void *lock; /* the lock to ask about */
    long ms;    /* how long it may wait, for calls that take a timeout */
    int rc;     /* its answer: 0 or an error code */
} other_thread_call;

/* Runs call(&c) with c = {lock, ms, -1} in a new thread, joins it, and returns c.rc. */
int from_other_thread(void *(*call)(void *), void *lock, long ms);

#endif
