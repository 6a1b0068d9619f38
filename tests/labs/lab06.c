/* Lab runs for lab06 (producer-consumer with a queue, and the thread pool): the starter and
 * solution builds with --fast, --part, --csv, --quiet, --help. Usage errors:
 * tests/labs/bad_input_matrix.c. Timings are never asserted: only counts, orders and the lines
 * that must appear. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab06"
#define RUN_MS 30000L /* a --fast run takes about a second; scaled for sanitizer builds */

/* What every build prints for parts A and B with the defaults (10 items, queue of 3, 2
 * consumers; 20 tasks on 5 workers, task 10 failing). */
#define PART_A_VERDICTS                                                                            \
    "Step 1. One producer puts 10 items into a queue of maxsize 3; 2 consumers take them",        \
        "item   put at  waited for room  done at  by",                                            \
        "[ok]   the producer's last put returned at ",                                            \
        "(expected at least 60 ms = 3 rounds of 20 ms: it can never be more than 5 items ahead",  \
        "[info] puts that found the queue full = ",                                               \
        "[ok]   items processed when join() returned = 10 (expected 10: ",                        \
        "[ok]   consumers stopped by their sentinel = 2 (expected 2, one sentinel each; waits "    \
        "that hit their bound = 0)"
#define PART_B_VERDICTS                                                                            \
    "Step 3. 20 simulated I/O tasks (3 to 30 ms each)", "[info] default pool size here = ",       \
        "map() returned the results of   0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",    \
        "[ok]   map() results in submission order = 20 of 20 (expected 20",                       \
        "[info] one after another: ", "task 10's future: error ECONNRESET",                       \
        "submitted                       0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",    \
        "[ok]   futures as_completed() handed back = 20 (expected 20, each once)",                \
        "[ok]   futures with an error = 1, task 10's (expected 1, task 10's ECONNRESET",          \
        "[ok]   cancel(): 15 pending futures cancelled, 5 running ones refused; tasks that ran = " \
        "5 (expected 15, 5 and 5"

static void assert_no(const tl_run_result *r, const char *text)
{
    TL_ASSERT(strstr(r->out, text) == NULL, "the run printed %s:\n%s", text, r->out);
}

static void assert_only_lines_starting(const tl_run_result *r, const char *const prefixes[])
{
    for (const char *line = r->out; *line != '\0';) {
        bool known = false;
        for (int i = 0; prefixes[i] != NULL; i++)
            known = known || strncmp(line, prefixes[i], strlen(prefixes[i])) == 0;
        TL_ASSERT(known, "unexpected line: %.70s", line);
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : line + strlen(line);
    }
}

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab06 --fast with the starter exercise must exit 0, show both parts' verdicts, and "
            "report the unfinished queue as [todo] (not as a failure): the first check it fails.");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        "lab06 — producer-consumer with a queue, and the thread pool", PART_A_VERDICTS,
        PART_B_VERDICTS, "Step 6. Your exercise (labs/06-producer-consumer-queue/exercise.c): the "
        "15 checks of `make check-lab06`",
        "[ok]   items come out in the order they went in, also after the ring wraps around",
        "[todo] get(), get_ms(), put() and put_ms() woken with nothing changed wait again: put(), "
        "woken with the queue still full, returned OK (expected it to wait again)",
        "[todo] your exercise passes 7 checks, then fails the one above (expected all 15): `make "
        "check-lab06` runs every check, with hints", "Lesson: ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab06 --fast with the reference solution must exit 0, show both parts' verdicts "
            "and pass every check of the queue.");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        PART_A_VERDICTS, PART_B_VERDICTS,
        "Step 6. Your exercise (solutions/06-producer-consumer-queue/exercise.c): the 15 checks",
        "[ok]   get(), get_ms(), put() and put_ms() woken with nothing changed wait again",
        "[ok]   4 getters waiting, 4 quick puts (then 4 putters, 4 gets): every one goes on",
        "[ok]   shutdown() wakes all 3 waiting getters and all 3 waiting putters",
        "[ok]   4 producers and 4 consumers through one slot: every item exactly once",
        "[ok]   your exercise passes all 15 checks (expected 15)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[todo]");
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_pool_part_alone_keeps_numbers(void)
{
    tl_hint("--part pool runs Steps 3-5 only, numbered as in the full run; with --tasks <= "
            "--workers every task runs at once, so nothing is left to cancel.");
    static const char *const args[] = {"--fast", "--part", "pool", "--tasks", "3", "--workers",
                                       "4", NULL};
    static const char *const must[] = {
        "Step 3. 3 simulated I/O tasks", "Step 4. ", "Step 5. submit() 3 tasks",
        "[ok]   map() results in submission order = 3 of 3 (expected 3",
        "[ok]   futures with an error = 1, task 1's (expected 1, task 1's ECONNRESET",
        "[ok]   cancel(): 0 pending futures cancelled, 3 running ones refused; tasks that ran = 3 "
        "(expected 0, 3 and 3", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "Step 1.");
    assert_no(&r, "Step 6.");
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_few_items_warns(void)
{
    tl_hint("With --items no more than maxsize + consumers the producer never waits: the lab must "
            "say so with [warn] and still exit 0; join() and the sentinels work as ever.");
    static const char *const args[] = {"--fast", "--part", "queue", "--items", "4", NULL};
    static const char *const must[] = {
        "[warn] the producer never had to wait (expected: with 4 items and room for 5",
        "[ok]   items processed when join() returned = 4 (expected 4",
        "[ok]   consumers stopped by their sentinel = 2", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "Step 3.");
    tl_run_result_free(&r);
}

static void solution_one_consumer_one_slot(void)
{
    tl_hint("--consumers 1 --maxsize 1: the producer is at most 2 items ahead, so its last of 6 "
            "puts returns after at least 4 items' work.");
    static const char *const args[] = {"--fast", "--part", "queue", "--items", "6", "--maxsize",
                                       "1", "--consumers", "1", NULL};
    static const char *const must[] = {
        "(expected at least 80 ms = 4 rounds of 20 ms: it can never be more than 2 items ahead, "
        "1 queued + 1 in the consumers' hands)",
        "[ok]   consumers stopped by their sentinel = 1 (expected 1", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row and one row each for sequential and the pool, "
            "nothing else: a chart sweeps --workers with these rows.");
    static const char *const args[] = {"--fast", "--csv", "--tasks", "6", "--workers", "2", NULL};
    static const char *const must[] = {"mode,workers,tasks,seconds,ideal_seconds\nsequential,1,6,",
                                       ",0.0870\npool,2,6,", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 3, "lines of CSV (header, sequential, pool)");
    static const char *const rows[] = {"mode,", "sequential,", "pool,", NULL};
    assert_only_lines_starting(&r, rows);
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   items processed when join() returned = 10",
                                       "[ok]   map() results in submission order = 20", "[todo] ",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    static const char *const verdicts[] = {"  [", NULL};
    assert_only_lines_starting(&r, verdicts);
    tl_run_result_free(&r);
}

static void help_lists_every_option(void)
{
    tl_hint("--help must exit 0 and list every option with its default and range.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {
        "usage: lab06", "--items N", "--maxsize N", "--consumers N", "--work-ms MS", "--tasks N",
        "--workers N", "--latency-ms MS", "--part P", "all|queue|pool|exercise", "--fast", "--csv",
        "--quiet", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab06 runs");
    tl_test_timeout(runs, "starter --fast: demo ok, exercise todo", starter_run_shows_demo_and_todo,
                    40);
    tl_test_timeout(runs, "solution --fast: demo ok, exercise ok", solution_run_shows_demo_and_ok,
                    40);
    tl_test_timeout(runs, "solution --part pool --tasks 3 --workers 4: Steps 3-5, nothing to cancel",
                    solution_pool_part_alone_keeps_numbers, 40);
    tl_test_timeout(runs, "solution --part queue --items 4: no backpressure, warns",
                    solution_few_items_warns, 40);
    tl_test_timeout(runs, "solution --consumers 1 --maxsize 1: the producer stays 2 items ahead",
                    solution_one_consumer_one_slot, 40);
    tl_test_timeout(runs, "solution --csv: header, sequential row, pool row", solution_csv_is_only_csv,
                    40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only,
                    40);
    tl_test_timeout(runs, "starter --help: every option listed", help_lists_every_option, 40);
}
