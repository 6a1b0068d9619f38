#include "pair_run.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "check.h"
#include "clock.h"
#include "locktrace.h"
#include "report.h"

static struct {
    pthread_mutex_t m;
    pthread_cond_t all_in; /* on the monotonic clock, set up once */
    pthread_once_t once;
    int arrived;
} gate = {.m = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static struct {
    pthread_mutex_t m;
    tl_stopwatch clock;
    int n;
    char line[24][TL_TEXT_MAX + 64]; /* room for a deadlock cycle in words */
} timeline = {.m = PTHREAD_MUTEX_INITIALIZER};

static void init_gate(void)
{
    tl_cond_init_monotonic(&gate.all_in);
}

bool pair_gate(void)
{
    struct timespec deadline = tl_deadline_monotonic(PAIR_BOUND_MS);
    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&gate.m));
    int target = (gate.arrived / 2 + 1) * 2; /* counting on, so the gate can be passed again */
    if (++gate.arrived == target)
        TL_CHECK(pthread_cond_broadcast(&gate.all_in));
    while (gate.arrived < target && rc == 0)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&gate.all_in, &gate.m, &deadline), ETIMEDOUT);
    bool both = gate.arrived >= target;
    TL_CHECK(pthread_mutex_unlock(&gate.m));
    return both;
}

void pair_note(const char *fmt, ...)
{
    TL_CHECK(pthread_mutex_lock(&timeline.m));
    if (timeline.n < (int)(sizeof timeline.line / sizeof timeline.line[0])) {
        char *line = timeline.line[timeline.n++];
        int used = snprintf(line, 16, "%8.1f ms  ", tl_stopwatch_ms(&timeline.clock));
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line + used, sizeof timeline.line[0] - (size_t)used, fmt, ap);
        va_end(ap);
    }
    TL_CHECK(pthread_mutex_unlock(&timeline.m));
}

void pair_run(void *(*fn)(void *), void *t1, void *t2, bool one_after_the_other)
{
    TL_CHECK(pthread_once(&gate.once, init_gate));
    gate.arrived = 0; /* no thread of the pair runs yet */
    timeline.n = 0;
    timeline.clock = tl_stopwatch_start();
    pthread_t id[2];
    TL_CHECK(pthread_create(&id[0], NULL, fn, t1));
    if (one_after_the_other)
        TL_CHECK(pthread_join(id[0], NULL));
    TL_CHECK(pthread_create(&id[1], NULL, fn, t2));
    if (!one_after_the_other)
        TL_CHECK(pthread_join(id[0], NULL));
    TL_CHECK(pthread_join(id[1], NULL)); /* every wait inside is bounded, so these joins are too */
    for (int i = 0; i < timeline.n; i++)
        tl_say("%s", timeline.line[i]);
}
