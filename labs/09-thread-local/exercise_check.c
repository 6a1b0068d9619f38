/* exercise_check.c — Step 4's checks of the student's sharded counter (exercise_check.h). */
#include "exercise_check.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "counter_stress.h"
#include "exercise.h"
#include "report.h"

enum { EXERCISE_TIMEOUT_MS = 30000 };

static int unfinished; /* [todo] lines printed for the exercise */

static void exercise_todo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void exercise_todo(const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    tl_verdict(TL_TODO, "%s — run `make check-lab09`", what);
    unfinished++;
}

void check_sharded_counter(long threads, long each)
{
    sharded_counter c;
    sharded_counter_init(&c, (int)threads);
    counter_stress_plan plan = {(int)threads, each, EXERCISE_TIMEOUT_MS};
    counter_stress_result r = counter_stress_run(&c, &plan);
    if (!r.finished) { /* c is leaked on purpose: the stuck threads may still use it */
        exercise_todo("your counter did not finish within %d s (expected well under one): does add or read "
                      "wait for something?", EXERCISE_TIMEOUT_MS / 1000);
        return;
    }
    sharded_counter_destroy(&c);
    tl_say("the reader made %ld reads while the writers were adding", r.reads);
    if (r.final_read != r.expected)
        exercise_todo("total = %ld (expected %ld)", r.final_read, r.expected);
    if (r.wrong_shard >= 0)
        exercise_todo("shard %d holds %ld (expected %ld): add must go to the shard it is given", r.wrong_shard,
                      r.wrong_shard_got, r.wrong_shard_expected);
    if (r.backwards > 0)
        exercise_todo("%ld reads went backwards, the first from %ld to %ld (expected each read >= the one "
                      "before)", r.backwards, r.drop_from, r.drop_to);

    /* Filled by hand, so a read that looks at one shard is caught even when add does the same. */
    sharded_counter_init(&c, 4);
    for (int s = 0; s < 4; s++)
        atomic_store(&c.shards[s].value, s + 1);
    long merged = sharded_counter_read(&c);
    sharded_counter_destroy(&c);
    if (merged != 10)
        exercise_todo("read of shards holding 1 2 3 4 = %ld (expected 10): read must sum every shard", merged);
    if (unfinished == 0)
        tl_verdict(TL_OK, "your sharded counter: total = %ld (expected %ld), each add in its own shard, %ld "
                   "reads during updates never went backwards", r.final_read, r.expected, r.reads);
}
