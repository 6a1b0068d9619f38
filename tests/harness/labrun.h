/* labrun.h — the checks the lab-run and bad-input test layers make of a lab binary.
 * Each lab has tests/labs/labNN.c with its runs and its bad inputs, built on these two calls. */
#ifndef TL_LABRUN_H
#define TL_LABRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "spawn.h"

/* Runs the lab (the starter build, or the build with the reference solution) with args
 * (NULL-terminated) for at most timeout_ms; asserts it exits with expect_exit and that each
 * string in must_contain (NULL-terminated) appears in its stdout. Returns the result for
 * further checks; free it with tl_run_result_free. */
tl_run_result tl_check_lab_run(const char *lab, bool solution, const char *const args[],
                               int expect_exit, const char *const must_contain[], long timeout_ms);

/* A usage error, rejected before anything happens: asserts exit status 2, nothing on stdout,
 * exactly one line on stderr that starts with "LAB: " and contains each string in must_contain
 * (e.g. the option's name and its range), and no side effect: the lab runs in a fresh empty
 * working directory that must still be empty afterwards. `what` names the case in failure
 * messages ("--workers, trailing garbage"; NULL: the arguments alone do). A lab still running
 * after 10 s (it started its demo instead) ends the test. */
void tl_check_bad_input(const char *lab, const char *what, const char *const args[],
                        const char *const must_contain[]);

/* Asserts every line of out is a verdict line ("  [tag] ..."): what --quiet promises. */
void tl_assert_verdict_lines_only(const char *out);

/* Asserts out has no [todo] and no [FAIL] verdict: what a run with the reference solution prints. */
void tl_assert_no_todo_or_fail(const char *out);

/* One bad command line (up to 3 arguments) and what its error line must mention (up to 2). */
typedef struct {
    const char *args[4];
    const char *must[3];
} tl_bad_input;

/* tl_check_bad_input for each of n cases: a lab's bad-input table in one call. */
void tl_check_bad_inputs(const char *lab, const tl_bad_input cases[], size_t n);

#endif
