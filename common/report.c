#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lab output is printed by main; these are written before any thread starts and read after. */
static const char *report_prog = "lab";
static bool csv_mode, quiet_mode, colour;
static int step_number, failures;
static const char *csv_columns;
static bool csv_header_done;

void tl_report_init(const char *prog, const tl_common_opts *opts)
{
    report_prog = prog;
    csv_mode = opts->csv;
    quiet_mode = opts->quiet || opts->csv;
    const char *no_colour = getenv("NO_COLOR");
    colour = !csv_mode && isatty(STDOUT_FILENO) && (no_colour == NULL || no_colour[0] == '\0');
    step_number = failures = 0;
    csv_columns = NULL;
    csv_header_done = false;
}

bool tl_report_csv(void) { return csv_mode; }
bool tl_report_quiet(void) { return quiet_mode; }

static void vline(const char *prefix, const char *fmt, va_list ap)
{
    fputs(prefix, stdout);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout); /* a student watching a slow step sees each line as it happens */
}

void tl_header(const char *title)
{
    if (quiet_mode)
        return;
    printf(colour ? "\033[1m%s — %s\033[0m\n" : "%s — %s\n", report_prog, title);
    fflush(stdout);
}

void tl_step(const char *fmt, ...)
{
    step_number++;
    if (quiet_mode)
        return;
    char prefix[32];
    snprintf(prefix, sizeof prefix, colour ? "\n\033[1mStep %d.\033[0m " : "\nStep %d. ", step_number);
    va_list ap;
    va_start(ap, fmt);
    vline(prefix, fmt, ap);
    va_end(ap);
}

void tl_step_number_next(int n)
{
    step_number = n - 1;
}

void tl_say(const char *fmt, ...)
{
    if (quiet_mode)
        return;
    va_list ap;
    va_start(ap, fmt);
    vline("  ", fmt, ap);
    va_end(ap);
}

static const struct {
    const char *tag;
    const char *colour;
} kinds[] = {
    [TL_OK] = {"ok", "\033[32m"},     [TL_FAIL] = {"FAIL", "\033[1;31m"},
    [TL_RACE] = {"race", "\033[33m"}, [TL_WARN] = {"warn", "\033[35m"},
    [TL_TODO] = {"todo", "\033[36m"}, [TL_INFO] = {"info", ""},
};

static bool vverdict(tl_verdict_kind kind, const char *fmt, va_list ap)
{
    if (kind == TL_FAIL)
        failures++;
    if (csv_mode)
        return kind != TL_FAIL;
    char tag[16], prefix[48];
    snprintf(tag, sizeof tag, "[%s]", kinds[kind].tag);
    if (colour)
        snprintf(prefix, sizeof prefix, "  %s%-6s\033[0m ", kinds[kind].colour, tag);
    else
        snprintf(prefix, sizeof prefix, "  %-6s ", tag);
    vline(prefix, fmt, ap);
    return kind != TL_FAIL;
}

bool tl_verdict(tl_verdict_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = vverdict(kind, fmt, ap);
    va_end(ap);
    return ok;
}

bool tl_expect(bool ok, tl_verdict_kind fail_kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vverdict(ok ? TL_OK : fail_kind, fmt, ap);
    va_end(ap);
    return ok;
}

void tl_lesson(const char *fmt, ...)
{
    if (quiet_mode)
        return;
    va_list ap;
    va_start(ap, fmt);
    vline(colour ? "\n\033[1mLesson:\033[0m " : "\nLesson: ", fmt, ap);
    va_end(ap);
}

void tl_csv_header(const char *columns)
{
    csv_columns = columns;
}

void tl_csv_row(const char *fmt, ...)
{
    if (!csv_mode)
        return;
    if (!csv_header_done && csv_columns != NULL) {
        puts(csv_columns);
        csv_header_done = true;
    }
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

int tl_report_exit_status(void)
{
    return failures > 0 ? 1 : 0;
}
