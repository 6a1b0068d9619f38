/* harness.h — what every test program in tests/ is built from.
 *
 * A test program defines tl_register_suites() and adds CUnit suites and tests with
 * tl_suite()/tl_test(). The runner (runner.c, which owns main) then runs every test in a
 * child process of its own, under a deadline:
 *   - a test that hangs is killed and reported in words ("did not finish within 10 s"),
 *     followed by the test's hint, so no test can stall `make test`;
 *   - a test that crashes (SIGSEGV, abort) is reported with the signal's name and the rest
 *     still run;
 *   - the exit status is 0 only when every test passed (CUnit's own runner exits 0 on
 *     failures), and the last line is "NAME: N passed, N failed".
 *
 * Assertions carry sentences, not just conditions: a grader says what it expected, what
 * it got, and what probably went wrong.
 */
#ifndef TL_HARNESS_H
#define TL_HARNESS_H

#include <stdbool.h>

/* CUnit keeps the registry of a test program's suites (registry.c); the assertions below do
 * not need it, so a lab can run checks without linking CUnit. The same typedef as CUnit's. */
typedef struct CU_Suite *CU_pSuite;

/* Defined by each test program: registers its suites and tests. */
void tl_register_suites(void);

/* A suite; CUnit errors (out of memory, duplicate names) are fatal. */
CU_pSuite tl_suite(const char *name);

/* A test with the default deadline (10 s, scaled by TL_TIMEOUT_SCALE for sanitizer builds). */
void tl_test(CU_pSuite suite, const char *name, void (*fn)(void));

/* A test with its own deadline in seconds. */
void tl_test_timeout(CU_pSuite suite, const char *name, void (*fn)(void), double seconds);

/* The sentence shown if the current test fails, hangs or crashes from here on: what probably
 * went wrong and what to do. Call it before running the code under test. */
void tl_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a passing or failing check; the message is only formatted on failure. A fatal
 * failure ends the current test at once (a longjmp back to whoever runs it). */
void tl_assert_at(bool ok, const char *file, int line, bool fatal, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define TL_ASSERT(cond, ...) tl_assert_at((cond), __FILE__, __LINE__, false, __VA_ARGS__)
#define TL_ASSERT_FATAL(cond, ...) tl_assert_at((cond), __FILE__, __LINE__, true, __VA_ARGS__)

/* "what: expected 100, got 37" */
#define TL_ASSERT_EQ_LONG(got, expected, what)                                                     \
    do {                                                                                           \
        long tl_got_ = (long)(got), tl_want_ = (long)(expected);                                   \
        TL_ASSERT(tl_got_ == tl_want_, "%s: expected %ld, got %ld", (what), tl_want_, tl_got_);    \
    } while (0)

/* The name of the test (or check) running now, as registered. */
const char *tl_test_name(void);

/* The deadline multiplier for this run (TL_TIMEOUT_SCALE, default 1): tests that wait for
 * something with their own bound use it so sanitizer builds are not reported as hangs. */
double tl_timeout_scale(void);

#endif
