#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* getopt_long `val` codes: the shared options, then table entries at OPT_BASE + index. All
 * are above any character, so an optopt below OPT_HELP is an unknown short option. */
enum { OPT_HELP = 256, OPT_CSV, OPT_QUIET, OPT_FAST, OPT_SEED, OPT_BASE };

#define SEED_MAX 2147483647L

bool tl_parse_long(const char *text, long min, long max, long *out)
{
    if (text == NULL || text[0] == '\0')
        return false;
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!isdigit((unsigned char)digits[0]))
        return false; /* rejects " 5", "+5", "-", "x"; strtol alone would accept some */
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool tl_parse_double(const char *text, double min, double max, double *out)
{
    if (text == NULL || text[0] == '\0')
        return false;
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!isdigit((unsigned char)digits[0]) && digits[0] != '.')
        return false; /* rejects "inf", "nan", " 1", "+1" */
    if (strpbrk(text, "xXpP") != NULL)
        return false; /* no hexadecimal floats from a command line */
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno == ERANGE || *end != '\0' || !isfinite(v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void errorf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void errorf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* The message quotes what the user typed, and it must stay one line. */
    for (char *p = err; *p != '\0'; p++)
        if (iscntrl((unsigned char)*p))
            *p = '?';
}

/* "an integer from 1 to 1000", as used in both --help and error messages. */
static void describe_range(const tl_option *o, char *buf, size_t len)
{
    switch (o->type) {
    case TL_OPT_LONG:
        snprintf(buf, len, "an integer from %ld to %ld", (long)o->min, (long)o->max);
        break;
    case TL_OPT_DOUBLE:
        snprintf(buf, len, "a number from %g to %g", o->min, o->max);
        break;
    case TL_OPT_CHOICE:
        snprintf(buf, len, "one of %s", o->choices);
        break;
    case TL_OPT_STRING:
        snprintf(buf, len, "non-empty text");
        break;
    case TL_OPT_FLAG:
        snprintf(buf, len, "no value");
        break;
    }
}

static bool is_choice(const char *choices, const char *text)
{
    size_t n = strlen(text);
    for (const char *c = choices; *c != '\0';) {
        size_t len = strcspn(c, "|");
        if (len == n && n > 0 && strncmp(c, text, n) == 0)
            return true;
        c += len;
        if (*c == '|')
            c++;
    }
    return false;
}

/* Stores text into o's value; false (with a message) when it is not acceptable. */
static bool set_value(const tl_cli *cli, const tl_option *o, const char *text, char *err,
                      size_t errlen)
{
    bool ok = true;
    switch (o->type) {
    case TL_OPT_LONG:
        ok = tl_parse_long(text, (long)o->min, (long)o->max, (long *)o->value);
        break;
    case TL_OPT_DOUBLE:
        ok = tl_parse_double(text, o->min, o->max, (double *)o->value);
        break;
    case TL_OPT_FLAG:
        *(bool *)o->value = true;
        break;
    case TL_OPT_STRING:
        ok = text[0] != '\0'; /* `--dump ""` is a mistake, not a file name */
        if (ok)
            *(const char **)o->value = text;
        break;
    case TL_OPT_CHOICE:
        ok = is_choice(o->choices, text);
        if (ok)
            *(const char **)o->value = text;
        break;
    }
    if (!ok) {
        char range[128];
        describe_range(o, range, sizeof range);
        errorf(err, errlen, "%s: --%s must be %s, got '%s'", cli->prog, o->name, range, text);
    }
    return ok;
}

/* --seed is parsed like a table option (same checks, same messages); only its default, taken
 * from the clock, and its line in --help differ. */
static tl_option seed_option(long *target)
{
    return (tl_option){"seed", TL_OPT_LONG, target, 0, SEED_MAX, "N", "random seed", NULL, NULL};
}

static size_t count_options(const tl_cli *cli)
{
    size_t n = 0;
    while (cli->options != NULL && cli->options[n].name != NULL)
        n++;
    return n;
}

int tl_cli_parse(const tl_cli *cli, int argc, char **argv, tl_common_opts *common,
                 int *first_arg, char *err, size_t errlen)
{
    size_t n = count_options(cli);
    struct option *longopts = tl_xcalloc(n + 6, sizeof *longopts);
    bool *given = tl_xcalloc(n + 1, sizeof *given);
    for (size_t i = 0; i < n; i++) {
        const tl_option *o = &cli->options[i];
        longopts[i] = (struct option){o->name, o->type == TL_OPT_FLAG ? no_argument : required_argument,
                                      NULL, OPT_BASE + (int)i};
    }
    size_t k = n;
    longopts[k++] = (struct option){"help", no_argument, NULL, OPT_HELP};
    longopts[k++] = (struct option){"csv", no_argument, NULL, OPT_CSV};
    longopts[k++] = (struct option){"quiet", no_argument, NULL, OPT_QUIET};
    longopts[k++] = (struct option){"fast", no_argument, NULL, OPT_FAST};
    if (cli->has_seed)
        longopts[k++] = (struct option){"seed", required_argument, NULL, OPT_SEED};

    *common = (tl_common_opts){.seed = -1};
    tl_option seed = seed_option(&common->seed);
    int status = TL_CLI_RUN;
    optind = 0; /* glibc: 0 restarts the scan from scratch, so tests may parse repeatedly */
    opterr = 0; /* our messages, not getopt's */
    int c;
    while (status == TL_CLI_RUN && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c >= OPT_BASE) {
            given[c - OPT_BASE] = true;
            if (!set_value(cli, &cli->options[c - OPT_BASE], optarg, err, errlen))
                status = 2;
            continue;
        }
        switch (c) {
        case 'h':
        case OPT_HELP:
            tl_cli_usage(cli);
            status = 0;
            break;
        case OPT_CSV:
            common->csv = true;
            break;
        case OPT_QUIET:
            common->quiet = true;
            break;
        case OPT_FAST:
            common->fast = true;
            break;
        case OPT_SEED:
            if (!set_value(cli, &seed, optarg, err, errlen))
                status = 2;
            common->seed_given = true;
            break;
        case ':': { /* last on the line; each option taking a value is --seed or in the table */
            const tl_option *o = optopt == OPT_SEED ? &seed : &cli->options[optopt - OPT_BASE];
            char range[128];
            describe_range(o, range, sizeof range);
            errorf(err, errlen, "%s: --%s needs a value (%s)", cli->prog, o->name, range);
            status = 2;
            break;
        }
        default: {
            const char *given_text = argv[optind - 1];
            const char *eq = strchr(given_text, '=');
            if (optopt != 0 && optopt < OPT_HELP) /* -x, perhaps inside "-xy"; any byte */
                errorf(err, errlen, "%s: unknown option '-%c' (see %s --help)", cli->prog,
                       (char)optopt, cli->prog);
            else if (eq != NULL && optopt != 0) /* a known flag given a value */
                errorf(err, errlen, "%s: %.*s takes no value, got '%s'", cli->prog,
                       (int)(eq - given_text), given_text, eq + 1);
            else
                errorf(err, errlen, "%s: unknown option '%s' (see %s --help)", cli->prog,
                       given_text, cli->prog);
            status = 2;
            break;
        }
        }
    }
    if (status == TL_CLI_RUN && argc - optind > cli->max_args) {
        errorf(err, errlen, "%s: unexpected argument '%s' (see %s --help)", cli->prog,
               argv[optind + cli->max_args], cli->prog);
        status = 2;
    }
    /* --fast lowers the options the user did not set explicitly. */
    for (size_t i = 0; status == TL_CLI_RUN && common->fast && i < n; i++) {
        const tl_option *o = &cli->options[i];
        if (o->fast != NULL && !given[i] && !set_value(cli, o, o->fast, err, errlen))
            TL_DIE("%s: the --fast value of --%s is outside its own range", cli->prog, o->name);
    }
    if (status == TL_CLI_RUN && cli->has_seed && !common->seed_given)
        common->seed = (long)(((unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16)) %
                              (unsigned long)SEED_MAX);
    *first_arg = optind;
    free(longopts);
    free(given);
    return status;
}

int tl_cli_parse_or_exit(const tl_cli *cli, int argc, char **argv, tl_common_opts *common)
{
    char err[512];
    int first_arg;
    int status = tl_cli_parse(cli, argc, argv, common, &first_arg, err, sizeof err);
    if (status == 2) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    if (status == 0)
        exit(0);
    return first_arg;
}

/* "--workers N" as shown in the left column of --help. */
static void option_label(const tl_option *o, char *buf, size_t len)
{
    if (o->type == TL_OPT_FLAG)
        snprintf(buf, len, "--%s", o->name);
    else
        snprintf(buf, len, "--%s %s", o->name, o->arg ? o->arg : "VALUE");
}

static void option_default(const tl_option *o, char *buf, size_t len)
{
    char range[128];
    describe_range(o, range, sizeof range);
    switch (o->type) {
    case TL_OPT_LONG:
        snprintf(buf, len, "default %ld; %s", *(long *)o->value, range);
        break;
    case TL_OPT_DOUBLE:
        snprintf(buf, len, "default %g; %s", *(double *)o->value, range);
        break;
    case TL_OPT_CHOICE:
        snprintf(buf, len, "%s; default %s", range, *(const char **)o->value);
        break;
    case TL_OPT_STRING: {
        const char *v = *(const char **)o->value;
        snprintf(buf, len, v ? "%s; default '%s'" : "%s; default: none", range, v);
        break;
    }
    case TL_OPT_FLAG:
        buf[0] = '\0';
        break;
    }
    if (o->fast != NULL) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s--fast: %s", used ? "; " : "", o->fast);
    }
}

void tl_cli_usage(const tl_cli *cli)
{
    size_t n = count_options(cli);
    int width = (int)strlen("--seed N");
    char label[96], dflt[256];
    for (size_t i = 0; i < n; i++) {
        option_label(&cli->options[i], label, sizeof label);
        if ((int)strlen(label) > width)
            width = (int)strlen(label);
    }
    printf("usage: %s %s\n\n%s\n\noptions:\n", cli->prog, cli->synopsis ? cli->synopsis : "[options]",
           cli->about);
    for (size_t i = 0; i < n; i++) {
        const tl_option *o = &cli->options[i];
        option_label(o, label, sizeof label);
        option_default(o, dflt, sizeof dflt);
        printf("  %-*s  %s%s%s%s\n", width, label, o->help, dflt[0] ? " (" : "", dflt,
               dflt[0] ? ")" : "");
    }
    printf("  %-*s  %s\n", width, "--fast", "short run, as used by `make tour` and the tests");
    printf("  %-*s  %s\n", width, "--csv", "print CSV rows (header first) instead of the narrative");
    printf("  %-*s  %s\n", width, "--quiet", "print verdict lines only");
    if (cli->has_seed) {
        long unused;
        tl_option seed = seed_option(&unused);
        char range[128];
        describe_range(&seed, range, sizeof range);
        printf("  %-*s  %s (default: from the clock, printed so a run can be repeated; %s)\n",
               width, "--seed N", seed.help, range);
    }
    printf("  %-*s  %s\n", width, "--help", "show this help and exit");
    printf("\nExit status: 0 when the demo showed its point, 1 when something that must hold "
           "did not, 2 for a usage error.\n");
}
