/* Unit tests of common/report.h: the output contract every lab and test relies on. Each test
 * runs in its own process (the harness forks), so stdout can be pointed at a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "report.h"

static FILE *capture_file;

/* Sends stdout to a temporary file; captured() returns what was printed since. */
static void capture_stdout(void)
{
    fflush(stdout);
    capture_file = tmpfile();
    TL_ASSERT_FATAL(capture_file != NULL, "tmpfile failed");
    dup2(fileno(capture_file), STDOUT_FILENO);
}

static const char *captured(void)
{
    static char text[8192];
    fflush(stdout);
    rewind(capture_file);
    size_t n = fread(text, 1, sizeof text - 1, capture_file);
    text[n] = '\0';
    return text;
}

static void start(bool csv, bool quiet)
{
    setenv("NO_COLOR", "1", 1);
    capture_stdout();
    tl_common_opts opts = {.csv = csv, .quiet = quiet};
    tl_report_init("labXX", &opts);
}

static void narrative_has_header_steps_verdicts_lesson(void)
{
    start(false, false);
    tl_header("a topic");
    tl_step("first");
    tl_say("some detail %d", 7);
    tl_verdict(TL_OK, "safe counter = %d (expected %d)", 100, 100);
    tl_step("second");
    tl_verdict(TL_RACE, "unsafe counter = 12 (expected 100; 88 updates lost)");
    tl_lesson("locks make compound actions atomic");
    const char *expected = "labXX — a topic\n"
                           "\nStep 1. first\n"
                           "  some detail 7\n"
                           "  [ok]   safe counter = 100 (expected 100)\n"
                           "\nStep 2. second\n"
                           "  [race] unsafe counter = 12 (expected 100; 88 updates lost)\n"
                           "\nLesson: locks make compound actions atomic\n";
    TL_ASSERT(strcmp(captured(), expected) == 0, "expected:\n%s\ngot:\n%s", expected, captured());
    TL_ASSERT_EQ_LONG(tl_report_exit_status(), 0, "exit status with no [FAIL]");
}

static void a_step_can_be_numbered_explicitly(void)
{
    start(false, false);
    tl_step_number_next(4);
    tl_step("only the fourth");
    tl_step("and the fifth");
    const char *expected = "\nStep 4. only the fourth\n\nStep 5. and the fifth\n";
    TL_ASSERT(strcmp(captured(), expected) == 0, "expected:\n%s\ngot:\n%s", expected, captured());
}

static void every_verdict_kind_has_its_tag(void)
{
    start(false, true);
    TL_ASSERT(tl_verdict(TL_OK, "a"), "TL_OK returns true");
    TL_ASSERT(!tl_verdict(TL_FAIL, "b"), "TL_FAIL returns false");
    tl_verdict(TL_RACE, "c");
    tl_verdict(TL_WARN, "d");
    tl_verdict(TL_TODO, "e");
    tl_verdict(TL_INFO, "f");
    const char *expected = "  [ok]   a\n  [FAIL] b\n  [race] c\n  [warn] d\n  [todo] e\n  [info] f\n";
    TL_ASSERT(strcmp(captured(), expected) == 0, "expected:\n%s\ngot:\n%s", expected, captured());
    TL_ASSERT_EQ_LONG(tl_report_exit_status(), 1, "exit status after a [FAIL]");
}

static void quiet_keeps_only_verdicts(void)
{
    start(false, true);
    tl_header("t");
    tl_step("s");
    tl_say("narrative");
    TL_ASSERT(!tl_expect(false, TL_RACE, "x = %d (expected %d)", 1, 2), "tl_expect returns the condition");
    tl_lesson("l");
    const char *expected = "  [race] x = 1 (expected 2)\n";
    TL_ASSERT(strcmp(captured(), expected) == 0, "expected:\n%s\ngot:\n%s", expected, captured());
    TL_ASSERT_EQ_LONG(tl_report_exit_status(), 0, "a reproduced race is not a failure: exit status");
}

static void csv_prints_header_once_then_rows_only(void)
{
    start(true, false);
    tl_csv_header("mode,seconds");
    tl_header("t");
    tl_step("s");
    tl_verdict(TL_OK, "hidden in csv mode");
    tl_csv_row("%s,%.1f", "seq", 6.0);
    tl_csv_row("%s,%.1f", "threads", 2.0);
    tl_lesson("l");
    const char *expected = "mode,seconds\nseq,6.0\nthreads,2.0\n";
    TL_ASSERT(strcmp(captured(), expected) == 0, "expected:\n%s\ngot:\n%s", expected, captured());
    TL_ASSERT(tl_report_csv() && tl_report_quiet(), "csv mode implies quiet");
    TL_ASSERT(!tl_verdict(TL_FAIL, "still counted"), "a failure in csv mode still counts");
    TL_ASSERT_EQ_LONG(tl_report_exit_status(), 1, "exit status after a [FAIL] in csv mode");
}

static void no_colour_when_not_a_terminal(void)
{
    unsetenv("NO_COLOR");
    capture_stdout(); /* a file, not a terminal */
    tl_common_opts opts = {0};
    tl_report_init("labXX", &opts);
    tl_verdict(TL_OK, "plain");
    TL_ASSERT(strchr(captured(), '\033') == NULL, "escape codes written to a file: %s", captured());
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("report");
    tl_test(s, "header, numbered steps, verdicts and lesson", narrative_has_header_steps_verdicts_lesson);
    tl_test(s, "a step can be numbered explicitly", a_step_can_be_numbered_explicitly);
    tl_test(s, "each verdict kind prints its tag", every_verdict_kind_has_its_tag);
    tl_test(s, "--quiet keeps verdict lines only", quiet_keeps_only_verdicts);
    tl_test(s, "--csv prints the header once, then rows only", csv_prints_header_once_then_rows_only);
    tl_test(s, "no colour when stdout is not a terminal", no_colour_when_not_a_terminal);
}
