/* lab05 — producer-consumer with a condition variable.
 *
 * A producer puts items on a shelf; consumers wait on a condition variable until there is one.
 * Step 1 checks the predicate in a `while` (take_item_while) or, with --use-if, in an `if`
 * (take_item_if); each thread's actions print in a column of their own. Step 2 is the clean
 * shutdown the Python original lacks: a done flag and a broadcast. Step 3 runs the checks of
 * the student's bounded buffer (exercise.c): the table of checks.c, as `make check-lab05` does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "report.h"

#define MAX_ITEMS 100
#define MAX_CONSUMERS 4
#define COLUMN 20
#define BOUND_MS 5000 /* every wait in the demo gives up after this; a correct run waits far less */

static long items = 5, consumers = 2, max_delay_ms = 400;
static bool use_if;

static const tl_option options[] = {
    {"items", TL_OPT_LONG, &items, 1, MAX_ITEMS, "N", "items the producer puts", NULL, NULL},
    {"consumers", TL_OPT_LONG, &consumers, 1, MAX_CONSUMERS, "N", "consumer threads", NULL, NULL},
    {"max-delay-ms", TL_OPT_LONG, &max_delay_ms, 0, 2000, "MS",
     "longest random pause before each put", "40", NULL},
    {"use-if", TL_OPT_FLAG, &use_if, 0, 0, NULL,
     "consumers check the predicate with `if` instead of `while` (the bug)", NULL, NULL},
    {0},
};

static const tl_cli cli = {
    "lab05", "[options]",
    "A producer puts items, consumers take them; they meet through a mutex and a condition\n"
    "variable. A woken consumer must check again that there is an item (a `while`, not an `if`):\n"
    "with several consumers one wake-up can find the buffer empty, and POSIX allows spurious\n"
    "wake-ups. When the producer is done it sets a flag and broadcasts, so every consumer exits.\n"
    "Then your bounded buffer (labs/05-producer-consumer-condition/exercise.c) is checked.",
    options, true, 0};

/* The demo's shelf: an unbounded FIFO under one mutex (the bounded one is your exercise). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t item_or_done;  /* consumers wait here */
    pthread_cond_t all_waiting;   /* the producer waits here until every consumer waits */
    long queue[MAX_ITEMS];
    int head, tail;               /* empty when head == tail */
    bool done;
    bool waiting[MAX_CONSUMERS];  /* set by a consumer before it waits, cleared by each broadcast */
    int times_taken[MAX_ITEMS];
    long empty_wakeups;
    int exited, gave_up;          /* consumers that saw done / whose wait timed out */
    bool gate_timed_out;
    tl_stopwatch clock;
} shelf = {.lock = PTHREAD_MUTEX_INITIALIZER};

typedef enum { TOOK_ITEM, WOKE_TO_EMPTY, DONE, GAVE_UP } take_result;

/* One row of the trace table: time, then a column per thread (0: producer); text goes in
 * `column`, or with column -1 every column gets its heading. */
static void print_row(const char *time, int column, const char *text)
{
    char line[256], heading[32];
    int n = snprintf(line, sizeof line, "%6s  ", time);
    for (int c = 0; c <= consumers; c++) {
        snprintf(heading, sizeof heading, c ? "consumer %d" : "producer", c);
        n += snprintf(line + n, sizeof line - (size_t)n, "%s%-*s", c ? "| " : "", COLUMN,
                      column < 0 ? heading : c == column ? text : "");
    }
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    tl_say("%s", line);
}

/* A trace line. Called with shelf.lock held, so lines appear in the order things happened. */
static void trace(int column, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(int column, const char *fmt, ...)
{
    char text[COLUMN + 8], time[16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(time, sizeof time, "%.0f", tl_stopwatch_ms(&shelf.clock));
    print_row(time, column, text);
}

/* Waits for the producer's next broadcast (bounded); false if it never came. */
static bool wait_for_wakeup(int me)
{
    shelf.waiting[me] = true;
    TL_CHECK(pthread_cond_signal(&shelf.all_waiting));
    struct timespec deadline = tl_deadline_monotonic(max_delay_ms + BOUND_MS);
    return TL_CHECK_EXPECT(pthread_cond_timedwait(&shelf.item_or_done, &shelf.lock, &deadline),
                           ETIMEDOUT) == 0;
}

/* Right: after every wake-up, look again; go on only when the predicate holds NOW. */
static take_result take_item_while(int me, long *item)
{
    while (shelf.head == shelf.tail && !shelf.done) {
        if (!wait_for_wakeup(me))
            return GAVE_UP;
        if (shelf.head == shelf.tail && !shelf.done) {
            shelf.empty_wakeups++;
            trace(me + 1, "woke: empty, waits");
        }
    }
    if (shelf.head == shelf.tail)
        return DONE;
    *item = shelf.queue[shelf.head++];
    return TOOK_ITEM;
}

/* Wrong: `if` looks once, then assumes the wake-up delivered an item for THIS consumer. */
static take_result take_item_if(int me, long *item)
{
    if (shelf.head == shelf.tail && !shelf.done && !wait_for_wakeup(me))
        return GAVE_UP;
    if (shelf.head == shelf.tail && shelf.done)
        return DONE;
    if (shelf.head == shelf.tail) {
        /* Real `if` code would now read queue[head], a slot nobody filled, and move head past
         * tail. We count it instead of reading garbage. */
        shelf.empty_wakeups++;
        trace(me + 1, "woke: EMPTY! (if)");
        return WOKE_TO_EMPTY;
    }
    *item = shelf.queue[shelf.head++];
    return TOOK_ITEM;
}

static void *consumer(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (bool more = true; more;) {
        long item = 0;
        TL_CHECK(pthread_mutex_lock(&shelf.lock));
        take_result r = use_if ? take_item_if(me, &item) : take_item_while(me, &item);
        if (r == TOOK_ITEM) {
            shelf.times_taken[item]++;
            trace(me + 1, "got item %ld", item);
        } else if (r == DONE || r == GAVE_UP) {
            *(r == DONE ? &shelf.exited : &shelf.gave_up) += 1;
            trace(me + 1, r == DONE ? "sees done, exits" : "gave up waiting");
            more = false;
        }
        TL_CHECK(pthread_mutex_unlock(&shelf.lock)); /* the item is used outside the lock */
    }
    return NULL;
}

/* The demo's gate: waits until every consumer is waiting, so that each broadcast wakes all of
 * them and the lesson shows on every run. Called with shelf.lock held. */
static void wait_until_all_waiting(void)
{
    struct timespec deadline = tl_deadline_monotonic(BOUND_MS);
    for (int c = 0; c < consumers; c++)
        while (!shelf.waiting[c] && !shelf.gate_timed_out)
            shelf.gate_timed_out = TL_CHECK_EXPECT(pthread_cond_timedwait(
                &shelf.all_waiting, &shelf.lock, &deadline), ETIMEDOUT) == ETIMEDOUT;
}

static void *producer(void *arg)
{
    uint64_t rng = (uint64_t)*(const long *)arg * 0x9E3779B97F4A7C15ULL + 1;
    for (long i = 0; i <= items; i++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; /* xorshift64: repeatable per seed */
        if (i < items)
            tl_sleep_ms((long)(rng % (uint64_t)(max_delay_ms + 1)));
        TL_CHECK(pthread_mutex_lock(&shelf.lock));
        wait_until_all_waiting();
        if (i < items) {
            shelf.queue[shelf.tail++] = i;
            trace(0, "put item %ld", i);
        } else {
            shelf.done = true; /* no more items: every consumer must wake up to see it */
            trace(0, "done, broadcast");
        }
        memset(shelf.waiting, 0, sizeof shelf.waiting);
        TL_CHECK(pthread_cond_broadcast(&shelf.item_or_done));
        TL_CHECK(pthread_mutex_unlock(&shelf.lock));
    }
    return NULL;
}

static void run_demo(long seed)
{
    tl_step("One producer puts %ld items after random pauses (up to %ld ms, --seed %ld); %ld %s "
            "them, each checking `%s (shelf is empty)`", items, max_delay_ms, seed, consumers,
            consumers == 1 ? "consumer takes" : "consumers take", use_if ? "if" : "while");
    print_row("t(ms)", -1, NULL);
    tl_cond_init_monotonic(&shelf.item_or_done);
    tl_cond_init_monotonic(&shelf.all_waiting);
    shelf.clock = tl_stopwatch_start();
    pthread_t threads[MAX_CONSUMERS + 1];
    for (long c = 0; c < consumers; c++)
        TL_CHECK(pthread_create(&threads[c], NULL, consumer, (void *)(intptr_t)c));
    TL_CHECK(pthread_create(&threads[consumers], NULL, producer, &seed));
    for (long t = 0; t <= consumers; t++) /* every wait inside is bounded, so these joins are too */
        TL_CHECK(pthread_join(threads[t], NULL));
    TL_CHECK(pthread_cond_destroy(&shelf.all_waiting));
    TL_CHECK(pthread_cond_destroy(&shelf.item_or_done));

    int once = 0;
    for (long i = 0; i < items; i++)
        once += shelf.times_taken[i] == 1;
    long expected_empty = items * (consumers - 1);
    tl_expect(once == items, TL_FAIL, "items taken exactly once = %d (expected %ld)", once, items);
    if (!use_if)
        tl_verdict(TL_INFO, "wake-ups that found the shelf empty = %ld (expected %ld: every "
                   "broadcast wakes all consumers, one gets the item; `while` sent the rest back "
                   "to wait)", shelf.empty_wakeups, expected_empty);
    else if (shelf.empty_wakeups > 0)
        tl_verdict(TL_RACE, "wake-ups that found the shelf empty = %ld (expected 0 with a correct "
                   "check; each time, `if` would have taken an item that was not there)",
                   shelf.empty_wakeups);
    else
        tl_verdict(TL_WARN, "wake-ups that found the shelf empty = 0 (expected 0 with one "
                   "consumer: only a rare spurious wake-up could do it; try --consumers 2)");

    tl_step("The producer set done and broadcast: every consumer wakes, finds the shelf empty "
            "and done, and exits");
    tl_expect(shelf.exited == consumers, TL_FAIL, "consumers that exited = %d (expected %ld; the "
              "Python original's second consumer waits forever here)", shelf.exited, consumers);
    tl_expect(!shelf.gate_timed_out && shelf.gave_up == 0, TL_FAIL,
              "waits that hit the %d ms bound = %d (expected 0)", BOUND_MS,
              shelf.gave_up + shelf.gate_timed_out);
    tl_csv_row("demo,%s,1,%ld,%ld,%d,%ld,%d,%ld", use_if ? "if" : "while", consumers, items, once,
               shelf.empty_wakeups, shelf.exited, seed);
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab05", &common);
    tl_header("producer-consumer with condition");
    tl_csv_header("part,mode,producers,consumers,items,passed,empty_wakeups,consumers_exited,seed");
    run_demo(common.seed);
    tl_checks_step(&tl_lab_checks);
    tl_lesson("A wake-up only means \"look again\": wait in a `while` loop that re-checks the "
              "predicate, and end consumers with a done flag plus a broadcast so every waiter sees it.");
    return tl_report_exit_status();
}
