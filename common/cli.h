/* cli.h — one option table per lab, strict parsing, and the options every lab shares.
 *
 * A lab lists its options once; that table drives getopt_long, the --help text (with
 * each default and range filled in from the table) and the error messages. Numbers are
 * parsed strictly: "12x", "", " 5", "1e3" for an integer, and out-of-range values are
 * usage errors, reported in one line on stderr with exit status 2:
 *
 *     lab03: --workers must be an integer from 1 to 1000, got 'abc'
 *
 * Every lab also gets --help, --csv (machine-readable rows), --quiet (verdicts only) and
 * --fast (the short run used by `make tour` and the tests); labs with randomness opt in
 * to --seed.
 */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TL_OPT_LONG,   /* value: long *;   range min..max */
    TL_OPT_DOUBLE, /* value: double *; range min..max, finite */
    TL_OPT_FLAG,   /* value: bool *;   no argument, sets true */
    TL_OPT_STRING, /* value: const char **; any text */
    TL_OPT_CHOICE, /* value: const char **; one of `choices`, e.g. "seq|threads|multi|all" */
} tl_opt_type;

typedef struct {
    const char *name;    /* long name without the dashes: "workers" for --workers */
    tl_opt_type type;
    void *value;         /* holds the default on entry, the parsed value on return */
    double min, max;     /* inclusive range for numbers */
    const char *arg;     /* what the value is called in --help: "N", "MS", "FILE" */
    const char *help;    /* one line; default and range are appended by --help */
    const char *fast;    /* value used with --fast unless the option is given; NULL: unchanged */
    const char *choices; /* for TL_OPT_CHOICE */
} tl_option;

/* The options every lab shares, filled in by the parser. */
typedef struct {
    bool csv;   /* rows for the charts on stdout, nothing else */
    bool quiet; /* verdict lines only */
    bool fast;  /* the short mode: smaller numbers from each option's `fast` value */
    long seed;  /* with has_seed: the --seed value, or a time-based one when not given */
    bool seed_given;
} tl_common_opts;

typedef struct {
    const char *prog;       /* "lab03": prefixes every message */
    const char *synopsis;   /* after the program name in usage: "[options]" */
    const char *about;      /* what the lab teaches: a few lines, shown by --help */
    const tl_option *options; /* terminated by an entry with name == NULL */
    bool has_seed;          /* accepts --seed N */
    int max_args;           /* positional arguments accepted (0 for most labs) */
} tl_cli;

enum { TL_CLI_RUN = -1 };

/* Parses argv. Returns TL_CLI_RUN to go on, 0 when --help was printed to stdout, or 2 with a
 * one-line message (no trailing newline) in err on a usage error. *first_arg receives the
 * index of the first positional argument. Can be called more than once (tests do). */
int tl_cli_parse(const tl_cli *cli, int argc, char **argv, tl_common_opts *common,
                 int *first_arg, char *err, size_t errlen);

/* tl_cli_parse for main(): prints the error and exits 2, or exits 0 after --help. */
int tl_cli_parse_or_exit(const tl_cli *cli, int argc, char **argv, tl_common_opts *common);

/* Strict number parsing used by the parser (exposed for tests and for labs' own arguments).
 * Accepts an optional '-' and decimal digits only (long) or a finite decimal number (double),
 * the whole string, within [min, max]. */
bool tl_parse_long(const char *text, long min, long max, long *out);
bool tl_parse_double(const char *text, double min, double max, double *out);

/* Prints the --help text for cli to stdout. */
void tl_cli_usage(const tl_cli *cli);

#endif
