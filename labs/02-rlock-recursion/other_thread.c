/* other_thread.c — one call in a thread of its own, joined (other_thread.h). */
#include "other_thread.h"

#include <pthread.h>

#include "check.h"

int from_other_thread(void *(*call)(void *), void *lock, long ms)
{
    other_thread_call c = {lock, ms, -1};
    pthread_t other;
    TL_CHECK(pthread_create(&other, NULL, call, &c));
    TL_CHECK(pthread_join(other, NULL));
    return c.rc;
}
