/* The bad-input matrix: every option of every lab, given each kind of bad value its
 * type can be given, is refused before anything happens: exit 2, nothing on stdout, one line on
 * stderr that starts with "labNN: " and names the option and what it accepts, and no file
 * created (tl_check_bad_input). No list of options is kept here to go stale: each lab's options
 * are read from its own --help, in the format tl_cli_usage prints, and a line of it that cannot
 * be read fails the test instead of being skipped. The labs are TL_LABS (the GNUmakefile's list),
 * one test each. Rules only a lab knows (a URL, options that clash) stay in tests/labs/labNN.c. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



#include "harness.h"
#include "labrun.h"

#define MAX_LABS 64
#define MAX_OPTIONS 32
#define MAX_VALUES 16
#define HELP_MS 10000L

typedef enum { FLAG, INTEGER, NUMBER, CHOICE, TEXT } value_kind;

/* One option as --help describes it. */
typedef struct {
    char name[48]; /* "--workers" */
    value_kind kind;
    long min, max;         /* INTEGER */
    double low, high;      /* NUMBER */
    char first_choice[48]; /* CHOICE */
    char accepts[256];     /* as --help words it: "an integer from 1 to 100", "one of a|b" */
} option_spec;

typedef struct {
    int positionals; /* the [URL]-like words after [options] in the usage line */
    option_spec options[MAX_OPTIONS];
    size_t count;
} lab_spec;

/* A bad value and the kind of mistake it stands for. */
typedef struct {
    const char *kind;
    char text[48];
} bad_value;

/* ---- reading --help ---- */

/* The line at *cursor, NUL-terminated in place; NULL after the last. */
static char *next_line(char **cursor)
{
    char *line = *cursor;
    if (line == NULL || *line == '\0')
        return NULL;
    char *newline = strchr(line, '\n');
    if (newline != NULL)
        *newline = '\0';
    *cursor = newline ? newline + 1 : line + strlen(line);
    return line;
}

/* "usage: lab10 [options] [URL]": counts the positional arguments after "[options]". */
static bool read_usage(const char *lab, const char *line, int *positionals)
{
    char head[64];
    snprintf(head, sizeof head, "usage: %s [options]", lab);
    if (strncmp(line, head, strlen(head)) != 0)
        return false;
    *positionals = 0;
    for (const char *p = line + strlen(head); *p != '\0'; (*positionals)++) {
        size_t word = strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (p[0] != ' ' || p[1] != '[' || word == 0 || p[2 + word] != ']')
            return false;
        p += 3 + word;
    }
    return true;
}

/* One part of the "(...)" ending an option's help: a default, the --fast value, or what the
 * option accepts (counted in *accepts). False for anything tl_cli_usage does not write. */
static bool read_part(const char *part, option_spec *o, int *accepts)
{
    if (strncmp(part, "default ", 8) == 0 || strncmp(part, "default: ", 9) == 0 ||
        strncmp(part, "--fast: ", 8) == 0)
        return true;
    int end = -1;
    (*accepts)++;
    snprintf(o->accepts, sizeof o->accepts, "%s", part);
    if (sscanf(part, "an integer from %ld to %ld%n", &o->min, &o->max, &end) == 2 &&
        part[end] == '\0' && o->min <= o->max) {
        o->kind = INTEGER;
        return true;
    }
    end = -1;
    if (sscanf(part, "a number from %lf to %lf%n", &o->low, &o->high, &end) == 2 &&
        part[end] == '\0' && o->low <= o->high) {
        o->kind = NUMBER;
        return true;
    }
    if (strncmp(part, "one of ", 7) == 0 && part[7] != '\0' && strpbrk(part + 7, " ()") == NULL) {
        o->kind = CHOICE;
        snprintf(o->first_choice, sizeof o->first_choice, "%.*s", (int)strcspn(part + 7, "|"),
                 part + 7);
        return true;
    }
    if (strcmp(part, "non-empty text") == 0) {
        o->kind = TEXT;
        return true;
    }
    return false;
}

/* "  --workers N   worker threads (default 10; an integer from 1 to 100)" into o, and the column
 * where the help starts; NULL, or what is wrong with the line. */
static const char *read_option(const char *line, option_spec *o, int *column)
{
    *o = (option_spec){.kind = FLAG};
    size_t end = 4 + strspn(line + 4, "abcdefghijklmnopqrstuvwxyz0123456789-");
    if (strncmp(line, "  --", 4) != 0 || end == 4 || end - 2 >= sizeof o->name)
        return "it does not start with two spaces and --NAME";
    memcpy(o->name, line + 2, end - 2);
    const char *p = line + end;
    bool takes_value = p[0] == ' ' && isupper((unsigned char)p[1]);
    if (takes_value)
        p += 1 + strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    size_t gap = strspn(p, " ");
    if (gap < 2 || p[gap] == '\0')
        return "the option is not followed by two spaces and a line of help";
    *column = (int)(p + gap - line);
    if (!takes_value) {
        snprintf(o->accepts, sizeof o->accepts, "takes no value");
        return NULL;
    }
    const char *help = p + gap, *open = NULL;
    for (const char *q = strstr(help, " ("); q != NULL; q = strstr(q + 1, " ("))
        open = q;
    size_t len = strlen(help);
    if (open == NULL || help[len - 1] != ')')
        return "an option with a value must end its help with \"(...)\" saying what it accepts";
    char parts[256];
    snprintf(parts, sizeof parts, "%.*s", (int)(help + len - 1 - (open + 2)), open + 2);
    int accepts = 0;
    for (char *part = parts, *next; part != NULL; part = next) {
        next = strstr(part, "; ");
        if (next != NULL)
            *next = '\0', next += 2;
        if (!read_part(part, o, &accepts))
            return "a part of its \"(...)\" is not a default, a --fast value or what it accepts";
    }
    return accepts == 1 ? NULL : "its \"(...)\" must say exactly once what it accepts";
}

/* The lab's usage line and options, from its --help. A line that cannot be read fails the test;
 * the options read before and after it are still checked. */
static void read_help(const char *lab, lab_spec *spec)
{
    static const char *const args[] = {"--help", NULL};
    tl_run_result r = tl_check_lab_run(lab, false, args, 0, NULL, HELP_MS);
    char *cursor = r.out, *line = next_line(&cursor);
    *spec = (lab_spec){0};
    bool usage_read = line != NULL && read_usage(lab, line, &spec->positionals);
    TL_ASSERT(usage_read, "%s --help: the first line must be \"usage: %s [options]\" and any "
              "[ARGUMENTS], got \"%s\"", lab, lab, line ? line : "");
    while ((line = next_line(&cursor)) != NULL && strcmp(line, "options:") != 0)
        continue;
    TL_ASSERT(line != NULL, "%s --help: no \"options:\" line", lab);
    int column = 0;
    while (line != NULL && (line = next_line(&cursor)) != NULL && line[0] != '\0') {
        int at = 0;
        option_spec o;
        const char *wrong = read_option(line, &o, &at);
        TL_ASSERT(wrong == NULL, "%s --help: cannot read the option line \"%s\": %s", lab, line,
                  wrong ? wrong : "");
        TL_ASSERT(wrong != NULL || column == 0 || at == column, "%s --help: the help of %s starts "
                  "in column %d, the others' in column %d", lab, o.name, at, column);
        TL_ASSERT(spec->count < MAX_OPTIONS, "%s --help: more than %d options", lab, MAX_OPTIONS);
        if (wrong == NULL && spec->count < MAX_OPTIONS)
            spec->options[spec->count++] = o;
        column = column ? column : at;
    }
    TL_ASSERT(line != NULL, "%s --help: the options must end with an empty line", lab);
    tl_run_result_free(&r);
}

static const option_spec *find_option(const lab_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->count; i++)
        if (strcmp(spec->options[i].name, name) == 0)
            return &spec->options[i];
    return NULL;
}

/* ---- the bad values for each kind of option ---- */

static void add(bad_value v[], size_t *n, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends a value unless an earlier kind already gave the same text (for min 1, "zero" and
 * "just below the minimum" are both "0"). */
static void add(bad_value v[], size_t *n, const char *kind, const char *fmt, ...)
{
    bad_value b = {kind, ""};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b.text, sizeof b.text, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(v[i].text, b.text) == 0)
            return;
    v[(*n)++] = b;
}

static size_t bad_values(const option_spec *o, bad_value v[MAX_VALUES])
{
    size_t n = 0;
    add(v, &n, "empty", "%s", "");
    switch (o->kind) {
    case INTEGER:
        add(v, &n, "not a number", "abc");
        if (o->min >= 0)
            add(v, &n, "negative", "-1");
        if (o->min > 0)
            add(v, &n, "zero", "0");
        if (o->min > LONG_MIN)
            add(v, &n, "just below the minimum", "%ld", o->min - 1);
        if (o->max < LONG_MAX)
            add(v, &n, "just above the maximum", "%ld", o->max + 1);
        add(v, &n, "far too large (overflows a long)", "99999999999999999999");
        add(v, &n, "far too small (overflows a long)", "-99999999999999999999");
        add(v, &n, "trailing garbage", "%ldx", o->min);
        add(v, &n, "leading space", " %ld", o->min);
        add(v, &n, "a decimal point", "%ld.0", o->min);
        add(v, &n, "an exponent", "%lde0", o->min);
        break;
    case NUMBER: {
        double margin = fabs(o->high) * 1e-5 + 1e-5; /* --help rounds bounds to 6 digits */
        add(v, &n, "not a number", "abc");
        if (o->low >= 0)
            add(v, &n, "negative", "-1");
        if (o->low > 0)
            add(v, &n, "zero", "0");
        add(v, &n, "just below the minimum", "%.17g", o->low - (fabs(o->low) * 1e-5 + 1e-5));
        add(v, &n, "just above the maximum", "%.17g", o->high + margin);
        add(v, &n, "far too large (overflows a double)", "1e999");
        add(v, &n, "not a number (nan)", "nan");
        add(v, &n, "infinite", "inf");
        add(v, &n, "trailing garbage", "%gx", o->low);
        add(v, &n, "leading space", " %g", o->low);
        break;
    }
    case CHOICE: {
        char capitals[sizeof o->first_choice];
        for (size_t i = 0; i < sizeof capitals; i++)
            capitals[i] = (char)toupper((unsigned char)o->first_choice[i]);
        add(v, &n, "not one of the choices", "no-such-choice");
        add(v, &n, "trailing garbage", "%sx", o->first_choice);
        add(v, &n, "leading space", " %s", o->first_choice);
        add(v, &n, "in capitals", "%s", capitals);
        break;
    }
    case TEXT:
    case FLAG:
        break;
    }
    return n;
}

/* ---- the cases ---- */

static void check_option(const char *lab, const option_spec *o)
{
    char what[128];
    if (o->kind == FLAG) {
        char given[64];
        snprintf(given, sizeof given, "%s=1", o->name);
        snprintf(what, sizeof what, "%s, a flag given a value", o->name);
        const char *const args[] = {given, NULL};
        const char *const must[] = {o->name, o->accepts, "'1'", NULL};
        tl_check_bad_input(lab, what, args, must);
        return;
    }
    bad_value v[MAX_VALUES];
    size_t n = bad_values(o, v);
    for (size_t i = 0; i < n; i++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", v[i].text);
        snprintf(what, sizeof what, "%s, %s", o->name, v[i].kind);
        const char *const args[] = {o->name, v[i].text, NULL};
        const char *const must[] = {o->name, o->accepts, quoted, NULL};
        tl_check_bad_input(lab, what, args, must);
    }
    char glued[64];
    snprintf(glued, sizeof glued, "%s=", o->name);
    snprintf(what, sizeof what, "%s, empty after '='", o->name);
    const char *const empty_args[] = {glued, NULL};
    const char *const empty_must[] = {o->name, o->accepts, "''", NULL};
    tl_check_bad_input(lab, what, empty_args, empty_must);
    snprintf(what, sizeof what, "%s, missing value (last on the line)", o->name);
    const char *const last_args[] = {o->name, NULL};
    const char *const last_must[] = {o->name, "needs a value", o->accepts, NULL};
    tl_check_bad_input(lab, what, last_args, last_must);
}

/* What no lab accepts: unknown options, one positional argument too many, and --seed where the
 * lab has no randomness to seed. */
static void check_lab_wide(const char *lab, const lab_spec *spec)
{
    static const char *const unknown[] = {"--no-such-option", NULL};
    static const char *const unknown_must[] = {"unknown option '--no-such-option'", "--help", NULL};
    tl_check_bad_input(lab, "an unknown option", unknown, unknown_must);
    static const char *const letter[] = {"-x", NULL}, *const letters[] = {"-xy", NULL};
    static const char *const letter_must[] = {"unknown option '-x'", "--help", NULL};
    tl_check_bad_input(lab, "an unknown short option", letter, letter_must);
    tl_check_bad_input(lab, "unknown short options in one word", letters, letter_must);
    const char *extra[8] = {NULL};
    int words = spec->positionals < 6 ? spec->positionals : 6;
    for (int i = 0; i < words; i++)
        extra[i] = "arg";
    extra[words] = "extra";
    static const char *const extra_must[] = {"unexpected argument 'extra'", "--help", NULL};
    tl_check_bad_input(lab, "one positional argument too many", extra, extra_must);
    if (find_option(spec, "--seed") == NULL) {
        static const char *const seed[] = {"--seed", "1", NULL};
        static const char *const seed_must[] = {"unknown option '--seed'", NULL};
        tl_check_bad_input(lab, "--seed in a lab without randomness", seed, seed_must);
    }
}

static void lab_refuses_every_bad_input(void)
{
    const char *test = tl_test_name();
    char lab[32];
    snprintf(lab, sizeof lab, "%.*s", (int)strcspn(test, ":"), test);
    tl_hint("every bad command line must be refused before anything runs: exit 2, nothing on "
            "stdout, one line on stderr \"%s: --OPTION must be WHAT IT ACCEPTS, got 'VALUE'\", no "
            "file created. The options and their ranges are read from ./%s --help.", lab, lab);
    lab_spec spec;
    read_help(lab, &spec);
    static const char *const shared[] = {"--fast", "--csv", "--quiet", "--help"};
    size_t own = spec.count;
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        const option_spec *o = find_option(&spec, shared[i]);
        TL_ASSERT(o != NULL && o->kind == FLAG, "%s --help: lists no flag %s", lab, shared[i]);
        own -= o != NULL;
    }
    own -= find_option(&spec, "--seed") != NULL;
    TL_ASSERT(own >= 1, "%s --help: lists none of the lab's own options", lab);
    for (size_t i = 0; i < spec.count; i++)
        check_option(lab, &spec.options[i]);
    check_lab_wide(lab, &spec);
}

static void no_labs_given(void)
{
    TL_ASSERT(false, "TL_LABS names no lab: run this through `make test` (the GNUmakefile sets "
              "it)");
}

void tl_register_suites(void)
{
    static char names[MAX_LABS][64];
    CU_pSuite s = tl_suite("bad input matrix");
    const char *labs = getenv("TL_LABS");
    size_t n = 0;
    for (const char *p = labs ? labs : ""; *p != '\0' && n < MAX_LABS;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        snprintf(names[n], sizeof names[n], "%.*s: every option, every kind of bad value",
                 (int)len, p);
        tl_test_timeout(s, names[n++], lab_refuses_every_bad_input, 60);
        p += len;
    }
    if (n == 0)
        tl_test(s, "TL_LABS names the labs to check", no_labs_given);
}
