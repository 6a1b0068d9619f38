/* Lab runs for lab05 (producer-consumer with condition): the starter and solution builds with
 * --fast, --use-if, --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab05"
#define RUN_MS 30000L /* a --fast run takes well under 1 s; scaled for sanitizer builds */

/* What every build prints for the demo with the defaults (2 consumers, 5 items). */
#define DEMO_VERDICTS                                                                              \
    "lab05 — producer-consumer with condition", "consumer 1", "consumer 2",                       \
        "[ok]   items taken exactly once = 5 (expected 5)",                                       \
        "[info] wake-ups that found the shelf empty = 5 (expected 5: every broadcast wakes all ",                           \
        "[ok]   consumers that exited = 2 (expected 2; ",                                         \
        "[ok]   waits that hit the 5000 ms bound = 0 (expected 0)", "Lesson: "

static void assert_no(const tl_run_result *r, const char *tag)
{
    TL_ASSERT(strstr(r->out, tag) == NULL, "the run printed %s:\n%s", tag, r->out);
}

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab05 --fast with the starter exercise must exit 0, show the demo's verdicts, and "
            "report the unfinished buffer as [todo] (not as a failure).");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[todo] get on an empty buffer and put on a full one wait, and wake-ups with nothing "
        "changed do not end them: woken with nothing changed (as a spurious wake-up), a get on an "
        "empty, open buffer returned true",
        "[todo] your exercise passes 3 checks, then fails the one above (expected all 8): "
        "`make check-lab05` runs every check, with hints", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab05 --fast with the reference solution must exit 0 and pass every check of the "
            "buffer (checks.c), with no [todo] and no [FAIL].");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[ok]   get on an empty buffer and put on a full one wait, and wake-ups with nothing "
        "changed do not end them",
        "[ok]   two puts back to back wake both consumers waiting on an empty buffer; two gets, "
        "both producers waiting on a full one",
        "[ok]   close() wakes every consumer waiting on an empty buffer and every producer waiting "
        "on a full one",
        "[ok]   your exercise passes all 8 checks (expected 8)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[todo]");
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_use_if_reproduces_empty_wakeups(void)
{
    tl_hint("--use-if must make every broadcast wake a consumer to an empty shelf (items x "
            "(consumers - 1) times), report it as [race], and still exit 0.");
    static const char *const args[] = {"--fast", "--use-if", "--consumers", "3", "--items", "4",
                                       NULL};
    static const char *const must[] = {
        "checking `if (shelf is empty)`", "woke: EMPTY! (if)",
        "[ok]   items taken exactly once = 4 (expected 4)",
        "[race] wake-ups that found the shelf empty = 8 (expected 0 with a correct check; ",
        "[ok]   consumers that exited = 3 (expected 3; ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_use_if_with_one_consumer_warns(void)
{
    tl_hint("With one consumer --use-if cannot show an empty wake-up: the lab must say so with "
            "[warn] and exit 0.");
    static const char *const args[] = {"--fast", "--use-if", "--consumers", "1", NULL};
    static const char *const must[] = {"[warn] wake-ups that found the shelf empty = 0 (expected 0 with one consumer",
                                       "[ok]   consumers that exited = 1 (expected 1; ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row and one demo row, nothing else (the exercise's "
            "checks print verdicts, not rows); the demo row carries the seed so the run can be "
            "repeated.");
    static const char *const args[] = {"--fast", "--csv", "--seed", "42", NULL};
    static const char *const must[] = {
        "part,mode,producers,consumers,items,passed,empty_wakeups,consumers_exited,seed\n"
        "demo,while,1,2,5,5,5,2,42\n",
        NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 2, "lines of CSV (header, demo)");
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   items taken exactly once = 5", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void starter_seed_is_printed(void)
{
    tl_hint("The seed must be printed (as --seed N) so a run can be repeated.");
    static const char *const with_seed[] = {"--fast", "--seed", "1234", NULL};
    static const char *const must[] = {"--seed 1234)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, with_seed, 0, must, RUN_MS);
    tl_run_result_free(&r);
    static const char *const without[] = {"--fast", NULL};
    static const char *const must_any[] = {", --seed ", NULL};
    r = tl_check_lab_run(LAB, false, without, 0, must_any, RUN_MS);
    tl_run_result_free(&r);
}

static void help_lists_every_option(void)
{
    tl_hint("--help must exit 0 and list every option with its default and range.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {
        "usage: lab05", "--items N", "--consumers N", "--max-delay-ms MS", "--use-if",
        "--seed N", "--fast", "--csv", "--quiet", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab05 runs");
    tl_test_timeout(runs, "starter --fast: demo ok, exercise todo", starter_run_shows_demo_and_todo,
                    40);
    tl_test_timeout(runs, "solution --fast: demo ok, exercise ok", solution_run_shows_demo_and_ok,
                    40);
    tl_test_timeout(runs, "solution --use-if: every broadcast wakes a consumer to an empty shelf",
                    solution_use_if_reproduces_empty_wakeups, 40);
    tl_test_timeout(runs, "solution --use-if --consumers 1: warns, exits 0",
                    solution_use_if_with_one_consumer_warns, 40);
    tl_test_timeout(runs, "solution --csv: header, demo row, exercise row", solution_csv_is_only_csv,
                    40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only,
                    40);
    tl_test_timeout(runs, "starter: the seed is printed so a run can be repeated",
                    starter_seed_is_printed, 40);
    tl_test_timeout(runs, "starter --help: every option listed", help_lists_every_option, 40);
}
