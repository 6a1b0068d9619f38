/* report.h — the one output style every lab shares (the output contract, README.md "How a lab works").
 *
 *     lab01 — race counter
 *
 *     Step 1. 100 threads each read the counter, pause, write it back plus one
 *       [race] unsafe counter = 12 (expected 100; 88 updates lost)
 *       [ok]   locked counter = 100 (expected 100)
 *
 *     Lesson: ...
 *
 * Verdict lines always carry both the expected and the observed value; tests parse them.
 * --quiet keeps only verdict lines; --csv prints only CSV rows (header row first) on stdout.
 * Colour is used only when stdout is a terminal and NO_COLOR is not set.
 */
#ifndef TL_REPORT_H
#define TL_REPORT_H

#include <stdbool.h>

#include "cli.h"

typedef enum {
    TL_OK,   /* [ok]    something that must hold, held */
    TL_FAIL, /* [FAIL]  something that must hold did not: the lab exits 1 */
    TL_RACE, /* [race]  the failure this demo exists to show, reproduced (a success of the demo) */
    TL_WARN, /* [warn]  the demo could not show its point here (say why); not a failure */
    TL_TODO, /* [todo]  the student's exercise is not finished yet; not a failure of the lab */
    TL_INFO, /* [info]  a measured figure worth keeping in --quiet output */
} tl_verdict_kind;

/* Call once after parsing options. prog names the lab in the header ("lab03"). */
void tl_report_init(const char *prog, const tl_common_opts *opts);

/* "lab03 — semaphore pool", then a blank line. */
void tl_header(const char *title);

/* "Step N. ...": numbered automatically from 1. */
void tl_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The next tl_step is numbered n: for a lab that runs only one of its steps (--step 4). */
void tl_step_number_next(int n);

/* A narrative line, indented two spaces; hidden by --quiet and --csv. */
void tl_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A verdict line: "  [ok]   <text>". Returns true unless kind is TL_FAIL. */
bool tl_verdict(tl_verdict_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* TL_OK when ok, else fail_kind: the common "expected vs observed" verdict. */
bool tl_expect(bool ok, tl_verdict_kind fail_kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "Lesson: ..." at the end; hidden by --quiet and --csv. */
void tl_lesson(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CSV output, only with --csv: the header is printed once, before the first row. */
void tl_csv_header(const char *columns);
void tl_csv_row(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool tl_report_csv(void);   /* --csv given */
bool tl_report_quiet(void); /* --quiet given (or --csv) */

/* 0 if no TL_FAIL verdict was printed, else 1: main's return value. */
int tl_report_exit_status(void);

#endif
