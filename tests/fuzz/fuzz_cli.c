/* Fuzzes the strict number parsers and tl_cli_parse (common/cli.h).
 * Input: command-line arguments separated by NUL bytes (so an argument may hold a newline,
 * as one can from a shell). Each argument is also parsed as a number on its own. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"

enum { MAX_ARGS = 24 };

/* A lab's option table, every type once; one positional argument allowed. */
static long workers;
static double latency;
static bool verbose;
static const char *mode;
static const char *name;
static const tl_option options[] = {
    {"workers", TL_OPT_LONG, &workers, 1, 1000, "N", "workers in the pool", "2", NULL},
    {"latency", TL_OPT_DOUBLE, &latency, 0, 10, "S", "seconds per request", "0.1", NULL},
    {"verbose", TL_OPT_FLAG, &verbose, 0, 0, NULL, "say more", NULL, NULL},
    {"mode", TL_OPT_CHOICE, &mode, 0, 0, "M", "how to run", "seq", "seq|threads|all"},
    {"name", TL_OPT_STRING, &name, 0, 0, "TEXT", "a label", NULL, NULL},
    {0},
};
static const tl_cli cli = {"fuzz", "[options] [FILE]", "A fuzzed lab.", options, true, 1};

static int devnull = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    devnull = open("/dev/null", O_WRONLY);
    return 0;
}

/* Ranges the labs use, and the extremes. */
static const long long_ranges[][2] = {{1, 1000}, {0, 100}, {-10, 10}, {0, 2147483647L},
                                      {LONG_MIN, LONG_MAX}};

/* What tl_parse_long must accept: '-'? and digits whose value is in range, and the value must
 * round-trip (leading zeros and "-0" aside). Acceptance is checked both ways up to 18
 * significant digits (any such number fits a long). */
static void check_parse_long(const char *text)
{
    size_t sign = text[0] == '-', digits = strspn(text + sign, "0123456789");
    bool well_formed = digits > 0 && text[sign + digits] == '\0';
    const char *d = text + sign; /* the digits without leading zeros */
    while (d[0] == '0' && d[1] != '\0')
        d++;
    bool negative = sign && strcmp(d, "0") != 0;
    for (size_t i = 0; i < sizeof long_ranges / sizeof long_ranges[0]; i++) {
        long min = long_ranges[i][0], max = long_ranges[i][1], v = 12345;
        bool ok = tl_parse_long(text, min, max, &v);
        FUZZ_CHECK(ok || v == 12345, "'%s' rejected but the target changed to %ld", text, v);
        FUZZ_CHECK(!ok || well_formed, "'%s' accepted as %ld though not '-'? and digits", text, v);
        FUZZ_CHECK(!ok || (v >= min && v <= max), "'%s' accepted as %ld outside %ld..%ld", text,
                   v, min, max);
        if (!well_formed)
            continue;
        char printed[32];
        snprintf(printed, sizeof printed, "%ld", v);
        FUZZ_CHECK(!ok || (strcmp(printed + (v < 0), d) == 0 && (v < 0) == negative),
                   "'%s' accepted as %ld, which does not round-trip", text, v);
        if (strlen(d) > 18)
            continue;
        long exact = 0;
        for (const char *c = d; *c != '\0'; c++)
            exact = exact * 10 + (*c - '0');
        exact = negative ? -exact : exact;
        FUZZ_CHECK(ok == (exact >= min && exact <= max), "'%s' in %ld..%ld: accepted %d", text,
                   min, max, ok);
    }
}

static void check_parse_double(const char *text)
{
    double v = 12345;
    bool ok = tl_parse_double(text, -1e6, 1e6, &v);
    FUZZ_CHECK(ok || v == 12345, "'%s' rejected but the target changed to %g", text, v);
    FUZZ_CHECK(!ok || (isfinite(v) && v >= -1e6 && v <= 1e6), "'%s' accepted as %g", text, v);
    FUZZ_CHECK(!ok || strspn(text, "0123456789.eE+-") == strlen(text),
               "'%s' accepted as %g though not a decimal number", text, v);
}

/* tl_cli_parse with --help's output sent to /dev/null. */
static int parse_quietly(int argc, char **argv, tl_common_opts *common, int *first, char *err,
                         size_t errlen)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (devnull >= 0)
        dup2(devnull, STDOUT_FILENO);
    int status = tl_cli_parse(&cli, argc, argv, common, first, err, errlen);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    return status;
}

/* A usage error is one line naming the program; a quoted part was typed by the user (with
 * control characters shown as '?'). */
static void check_usage_error(const char *err, char **argv, int argc)
{
    FUZZ_CHECK(strncmp(err, "fuzz: ", 6) == 0 && err[6] != '\0', "usage error '%s'", err);
    FUZZ_CHECK(strchr(err, '\n') == NULL && strchr(err, '\r') == NULL,
               "usage error of more than one line: '%s'", err);
    const char *open = strchr(err, '\''), *close = strrchr(err, '\'');
    if (open == NULL || close == open)
        return;
    char *quoted = fuzz_string((const uint8_t *)open + 1, (size_t)(close - open - 1));
    bool typed = false;
    for (int i = 1; i < argc && !typed; i++) {
        char *shown = fuzz_string((const uint8_t *)argv[i], strlen(argv[i]));
        for (char *p = shown; *p != '\0'; p++)
            *p = iscntrl((unsigned char)*p) ? '?' : *p;
        typed = strstr(shown, quoted) != NULL;
        free(shown);
    }
    FUZZ_CHECK(typed, "usage error quotes '%s', which is no argument: '%s'", quoted, err);
    free(quoted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char *argv[MAX_ARGS + 2] = {"fuzz"};
    int argc = 1;
    for (size_t pos = 0; pos <= size && argc <= MAX_ARGS; argc++) {
        argv[argc] = text + pos;
        check_parse_long(argv[argc]);
        check_parse_double(argv[argc]);
        pos += strlen(argv[argc]) + 1;
    }
    argv[argc] = NULL;
    workers = 10, latency = 0.5, verbose = false, mode = "all", name = NULL;

    tl_common_opts common;
    int first = -1;
    char err[1024] = "";
    int status = parse_quietly(argc, argv, &common, &first, err, sizeof err);
    FUZZ_CHECK(status == TL_CLI_RUN || status == 0 || status == 2, "status %d", status);
    if (status == 2)
        check_usage_error(err, argv, argc); /* getopt permutes argv, but keeps every string */
    if (status == TL_CLI_RUN) {
        FUZZ_CHECK(first >= 1 && first <= argc && argc - first <= cli.max_args,
                   "first argument %d of %d", first, argc);
        FUZZ_CHECK(workers >= 1 && workers <= 1000, "--workers %ld", workers);
        FUZZ_CHECK(isfinite(latency) && latency >= 0 && latency <= 10, "--latency %g", latency);
        FUZZ_CHECK(strcmp(mode, "seq") == 0 || strcmp(mode, "threads") == 0 ||
                       strcmp(mode, "all") == 0, "--mode '%s'", mode);
        FUZZ_CHECK(common.seed >= 0 && common.seed <= 2147483647L, "--seed %ld", common.seed);
    }
    free(text);
    return 0;
}
