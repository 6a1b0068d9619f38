/* Shared between the test side of the harness (harness.c), the child-process runner (child.c)
 * and the two programs built on it: the CUnit test runner (runner.c) and the check-table runner
 * (checks_run.c). */
#ifndef TL_HARNESS_INTERNAL_H
#define TL_HARNESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define TL_MAX_TESTS 512
#define TL_DEFAULT_TIMEOUT_S 10.0

/* What a test's process tells its runner, one record at a time. */
typedef enum {
    TL_RECORD_HINT = 'H',    /* tl_hint: what a failure from here on probably means */
    TL_RECORD_FAILURE = 'F', /* "file:line\tmessage" */
    TL_RECORD_BLOCKED = 'B', /* where the exercise's threads were blocked (spy.h) at the end */
} tl_record_kind;

/* Sends a record to the runner (or keeps it, when tests run in-process). */
void tl_report_record(tl_record_kind kind, const char *text);

/* What tl_test_name() says from now on. */
void tl_set_test_name(const char *name);

/* Runs fn with fatal assertions caught (they longjmp back here): the number of failed
 * assertions. */
int tl_run_body(void (*fn)(void));

/* ---- child.c: one test in a process of its own ---- */

typedef enum { TL_PASSED, TL_FAILED, TL_HUNG, TL_CRASHED, TL_RACED } tl_outcome;

typedef struct {
    char *data;
    size_t len, cap;
} tl_buffer;

void tl_buffer_append(tl_buffer *b, const void *bytes, size_t n);

typedef struct {
    tl_outcome how;
    char detail[256]; /* for HUNG / CRASHED / a surprising exit status */
    tl_buffer records;
    int pid;          /* the test's process (for its ThreadSanitizer log) */
    double seconds;   /* how long it ran */
} tl_child_result;

/* Runs fn in a child process (its own process group) for at most timeout_s seconds (scaled by
 * TL_TIMEOUT_SCALE). A watchdog thread in the child reports where the exercise's threads are
 * blocked (spy.h) just before the deadline; the parent kills the whole group if it is still
 * there a moment later. in_process: run it here instead (for a debugger; no deadline). */
void tl_child_run(void (*fn)(void), double timeout_s, bool in_process, tl_child_result *r);

/* Calls each(kind, text, len) for every complete record of r. */
void tl_child_records(const tl_child_result *r,
                      void (*each)(char kind, const char *text, size_t len, void *ctx), void *ctx);

/* checks_run.c: the first report of a ThreadSanitizer log, as one sentence naming the exercise's
 * functions, lines and source lines; `log` is where the full report is kept. */
void tl_race_sentence(const char *report, const char *log, char *out, size_t size);

/* The exit status a child uses when ThreadSanitizer found a race (TSAN_OPTIONS exitcode). */
#define TL_EXIT_RACE 66
/* The exit status of a child whose watchdog fired. */
#define TL_EXIT_HUNG 67

#endif
