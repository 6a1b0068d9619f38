/* Unit tests of common/cli.h: strict numbers, the option table, --fast, usage errors. */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

static void parse_long_accepts_plain_integers(void)
{
    long v = 0;
    TL_ASSERT(tl_parse_long("42", 0, 100, &v) && v == 42, "'42' in 0..100: got %ld", v);
    TL_ASSERT(tl_parse_long("-7", -10, 10, &v) && v == -7, "'-7' in -10..10: got %ld", v);
    TL_ASSERT(tl_parse_long("0", 0, 0, &v) && v == 0, "'0' in 0..0");
    TL_ASSERT(tl_parse_long("1000", 1, 1000, &v) && v == 1000, "upper bound is inclusive");
}

static void parse_long_rejects_garbage_and_range(void)
{
    static const char *bad[] = {"", " 5", "5 ", "+5", "-", "abc", "12x", "1e3", "0x10", "5.0",
                                "99999999999999999999999", "101", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long v = 77;
        bool ok = tl_parse_long(bad[i], 0, 100, &v);
        TL_ASSERT(!ok, "'%s' must be rejected for 0..100", bad[i]);
        TL_ASSERT(v == 77, "'%s': the target must not change on rejection (got %ld)", bad[i], v);
    }
    long v;
    TL_ASSERT(!tl_parse_long(NULL, 0, 1, &v), "NULL must be rejected");
}

static void parse_double_strict(void)
{
    double d = 0;
    TL_ASSERT(tl_parse_double("2.5", 0, 10, &d) && d == 2.5, "'2.5'");
    TL_ASSERT(tl_parse_double(".5", 0, 10, &d) && d == 0.5, "'.5'");
    TL_ASSERT(tl_parse_double("-1", -2, 0, &d) && d == -1, "'-1'");
    static const char *bad[] = {"", "nan", "inf", "-inf", "1e999", "0x1p3", "2.5s", " 1", "11", "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        TL_ASSERT(!tl_parse_double(bad[i], 0, 10, &d), "'%s' must be rejected for 0..10", bad[i]);
}

/* A small lab's option table, as labs write them. */
static long workers;
static double latency;
static bool verbose;
static const char *mode;
static const char *out;
static const tl_option options[] = {
    {"workers", TL_OPT_LONG, &workers, 1, 1000, "N", "workers in the pool", "2", NULL},
    {"latency", TL_OPT_DOUBLE, &latency, 0, 10, "S", "seconds per request", NULL, NULL},
    {"verbose", TL_OPT_FLAG, &verbose, 0, 0, NULL, "say more", NULL, NULL},
    {"mode", TL_OPT_CHOICE, &mode, 0, 0, "M", "how to run", NULL, "seq|threads|all"},
    {"out", TL_OPT_STRING, &out, 0, 0, "FILE", "where to write", NULL, NULL},
    {0},
};
static const tl_cli cli = {"labXX", "[options]", "A test lab.", options, true, 0};

static int parse(char *err, size_t len, tl_common_opts *common, int argc, ...)
{
    workers = 10, latency = 0.5, verbose = false, mode = "all", out = NULL;
    char *argv[16] = {"labXX"};
    va_list ap;
    va_start(ap, argc);
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    int first;
    err[0] = '\0';
    return tl_cli_parse(&cli, argc, argv, common, &first, err, len);
}

static void table_options_parse(void)
{
    char err[256];
    tl_common_opts c;
    int rc = parse(err, sizeof err, &c, 9, "--workers", "8", "--latency=1.5", "--verbose", "--mode",
                   "seq", "--out", "x.tsv");
    TL_ASSERT_EQ_LONG(rc, TL_CLI_RUN, "status");
    TL_ASSERT_EQ_LONG(workers, 8, "--workers");
    TL_ASSERT(latency == 1.5, "--latency: got %g", latency);
    TL_ASSERT(verbose, "--verbose sets the flag");
    TL_ASSERT(strcmp(mode, "seq") == 0, "--mode: got %s", mode);
    TL_ASSERT(out != NULL && strcmp(out, "x.tsv") == 0, "--out: got %s", out ? out : "NULL");
    TL_ASSERT(!c.csv && !c.quiet && !c.fast, "shared flags off by default");
    TL_ASSERT(c.seed >= 0 && !c.seed_given, "a seed is chosen when none is given");
}

static void shared_options_parse(void)
{
    char err[256];
    tl_common_opts c;
    int rc = parse(err, sizeof err, &c, 6, "--csv", "--quiet", "--fast", "--seed", "123");
    TL_ASSERT_EQ_LONG(rc, TL_CLI_RUN, "status");
    TL_ASSERT(c.csv && c.quiet && c.fast, "--csv --quiet --fast");
    TL_ASSERT(c.seed == 123 && c.seed_given, "--seed 123: got %ld", c.seed);
}

static void fast_lowers_only_unset_options(void)
{
    char err[256];
    tl_common_opts c;
    parse(err, sizeof err, &c, 2, "--fast");
    TL_ASSERT_EQ_LONG(workers, 2, "--fast alone uses the option's fast value");
    parse(err, sizeof err, &c, 4, "--workers", "9", "--fast");
    TL_ASSERT_EQ_LONG(workers, 9, "an explicit --workers wins over --fast");
}

static void usage_errors_name_the_option_and_range(void)
{
    static const struct {
        int argc;
        const char *args[3];
        const char *message;
    } cases[] = {
        {3, {"--workers", "abc"}, "labXX: --workers must be an integer from 1 to 1000, got 'abc'"},
        {3, {"--workers", "0"}, "labXX: --workers must be an integer from 1 to 1000, got '0'"},
        {2, {"--workers="}, "labXX: --workers must be an integer from 1 to 1000, got ''"},
        {3, {"--latency", "nan"}, "labXX: --latency must be a number from 0 to 10, got 'nan'"},
        {3, {"--mode", "fast"}, "labXX: --mode must be one of seq|threads|all, got 'fast'"},
        {2, {"--workers"}, "labXX: --workers needs a value (an integer from 1 to 1000)"},
        {2, {"--work"}, "labXX: --workers needs a value (an integer from 1 to 1000)"},
        {2, {"--seed"}, "labXX: --seed needs a value (an integer from 0 to 2147483647)"},
        {2, {"--mode"}, "labXX: --mode needs a value (one of seq|threads|all)"},
        {3, {"--out", ""}, "labXX: --out must be non-empty text, got ''"},
        {2, {"--out"}, "labXX: --out needs a value (non-empty text)"},
        {2, {"-x"}, "labXX: unknown option '-x' (see labXX --help)"},
        {2, {"-xy"}, "labXX: unknown option '-x' (see labXX --help)"},
        {2, {"--fast=1"}, "labXX: --fast takes no value, got '1'"},
        {2, {"--bogus"}, "labXX: unknown option '--bogus' (see labXX --help)"},
        {2, {"--verbose=1"}, "labXX: --verbose takes no value, got '1'"},
        {2, {"--csv=yes"}, "labXX: --csv takes no value, got 'yes'"},
        {2, {"--bogus=1"}, "labXX: unknown option '--bogus=1' (see labXX --help)"},
        {2, {"extra"}, "labXX: unexpected argument 'extra' (see labXX --help)"},
        {3, {"--seed", "-1"}, "labXX: --seed must be an integer from 0 to 2147483647, got '-1'"},
        /* Found by fuzzing (tests/fuzz/fuzz_cli.c): a short option that is not ASCII inside a
         * longer argument was reported as the program's name, and a newline in an argument
         * made the message two lines. */
        {2, {"-\xff" "1"}, "labXX: unknown option '-\xff' (see labXX --help)"},
        {3, {"--mode", "a\nb"}, "labXX: --mode must be one of seq|threads|all, got 'a?b'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256];
        tl_common_opts c;
        int rc = parse(err, sizeof err, &c, cases[i].argc, cases[i].args[0], cases[i].args[1]);
        TL_ASSERT(rc == 2, "%s: expected status 2, got %d", cases[i].args[0], rc);
        TL_ASSERT(strcmp(err, cases[i].message) == 0, "expected message \"%s\", got \"%s\"",
                  cases[i].message, err);
    }
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("cli");
    tl_test(s, "parse_long accepts plain integers in range", parse_long_accepts_plain_integers);
    tl_test(s, "parse_long rejects garbage and out-of-range values", parse_long_rejects_garbage_and_range);
    tl_test(s, "parse_double is strict", parse_double_strict);
    tl_test(s, "table options are parsed into their targets", table_options_parse);
    tl_test(s, "--csv --quiet --fast --seed", shared_options_parse);
    tl_test(s, "--fast lowers only options not given", fast_lowers_only_unset_options);
    tl_test(s, "usage errors name the option and its range", usage_errors_name_the_option_and_range);
}
