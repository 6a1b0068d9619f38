/* Runs a lab's check table (checks.h): in the lab's "Your exercise" step, in its grader, and in
 * the grader's ThreadSanitizer twin. One function runs the checks (run_checks); the three
 * differ only in how they print. */
#include "checks.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "harness_internal.h"
#include "report.h"
#include "spawn.h"

#if defined(__SANITIZE_THREAD__)
#define TL_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TL_UNDER_TSAN 1
#endif
#endif

/* Where the race build's twins live, and where check results are kept (the GNUmakefile
 * defines both; a build without them simply has no twin and keeps no state). */
#ifndef TL_RACE_DIR
#define TL_RACE_DIR ""
#endif
#ifndef TL_STATE_DIR
#define TL_STATE_DIR ""
#endif

#define DEFAULT_BOUND_S 5.0
#define MAX_CHECKS 128

typedef struct {
    tl_outcome how;
    bool race_checked; /* ran under ThreadSanitizer too */
    bool not_run;      /* skipped: an earlier check failed and only the first was wanted */
    double seconds;
    char first[1024];  /* the first failure message, or the race sentence */
    tl_child_result r;
} check_result;

static int points_of(const tl_check *c)
{
    return c->points > 0 ? c->points : 1;
}

static double bound_of(const tl_check *c)
{
    return c->bound_s > 0 ? c->bound_s : DEFAULT_BOUND_S;
}

long tl_check_ms(long ms)
{
    return (long)((double)ms * tl_timeout_scale());
}

/* ---- reading a child's records ---- */

typedef struct {
    char *first;
    size_t size;
    char *blocked;
    size_t blocked_size;
} first_failure;

static void keep_first(char kind, const char *text, size_t len, void *ctx)
{
    first_failure *f = ctx;
    if (kind == TL_RECORD_FAILURE && f->first[0] == '\0') {
        const char *tab = memchr(text, '\t', len);
        const char *msg = tab ? tab + 1 : text;
        snprintf(f->first, f->size, "%.*s", (int)(len - (size_t)(msg - text)), msg);
    } else if (kind == TL_RECORD_BLOCKED && f->blocked != NULL && f->blocked[0] == '\0') {
        snprintf(f->blocked, f->blocked_size, "%.*s", (int)len, text);
    }
}

/* ---- ThreadSanitizer reports, in one sentence ---- */

static const char *race_log(void)
{
    const char *log = getenv("TL_RACE_LOG");
    return log != NULL && log[0] != '\0' ? log : NULL;
}

/* The text of line `line` of `path` (tried as given and from the kit's top), trimmed. */
static void source_line(const char *path, int line, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char buf[200];
    for (int n = 1; fgets(buf, sizeof buf, f) != NULL; n++) {
        if (n == line) {
            char *s = buf;
            while (*s == ' ' || *s == '\t')
                s++;
            s[strcspn(s, "\r\n")] = '\0';
            snprintf(out, size, "%s", s);
            break;
        }
    }
    fclose(f);
}

typedef struct {
    char access[32]; /* "writes", "reads" */
    char func[128];
    char file[256];
    int line;
} race_access;

/* The first stack frame under `from` that lies in the exercise's own source. */
static bool exercise_frame(const char *from, const char *stop, race_access *a)
{
    const char *source = tl_spy_exercise_source();
    const char *base = source ? strrchr(source, '/') : NULL;
    base = base ? base + 1 : (source ? source : "exercise.c");
    for (const char *p = strstr(from, "    #"); p != NULL && (stop == NULL || p < stop);
         p = strstr(p + 1, "    #")) {
        char func[128], where[256];
        if (sscanf(p, " #%*d %127s %255s", func, where) != 2)
            continue;
        char *colon = strchr(where, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        const char *slash = strrchr(where, '/');
        if (strcmp(slash ? slash + 1 : where, base) != 0)
            continue;
        snprintf(a->func, sizeof a->func, "%s", func);
        snprintf(a->file, sizeof a->file, "%s", where);
        a->line = atoi(colon + 1);
        return true;
    }
    return false;
}

/* Whether the access section starting at p (its first line) is a write. */
static bool section_writes(const char *p)
{
    while (*p == '\n')
        p++;
    const char *eol = strchr(p, '\n'), *size = strstr(p, " of size");
    if (size != NULL && (eol == NULL || size < eol))
        eol = size; /* "Previous read of size 1 ... (mutexes: write M1)": the words before it */
    size_t n = eol ? (size_t)(eol - p) : strlen(p);
    for (size_t i = 0; i + 5 <= n; i++)
        if (strncmp(p + i, "Write", 5) == 0 || strncmp(p + i, "write", 5) == 0)
            return true;
    return false;
}

static void describe_access(const race_access *a, char *out, size_t size)
{
    char src[256];
    source_line(a->file, a->line, src, sizeof src);
    const char *slash = strrchr(a->file, '/');
    snprintf(out, size, "%s %s at %s:%d%s%s%s", a->func, a->access, slash ? slash + 1 : a->file,
             a->line, src[0] ? " (`" : "", src, src[0] ? "`)" : "");
}

/* Turns the first report of a ThreadSanitizer log into a sentence a student can act on. */
void tl_race_sentence(const char *report, const char *log, char *out, size_t size)
{
    const char *warning = strstr(report, "WARNING: ThreadSanitizer: ");
    if (warning == NULL) {
        snprintf(out, size, "ThreadSanitizer stopped the check without a readable report%s%s",
                 log ? "; see " : "", log ? log : "");
        return;
    }
    char kind[128];
    sscanf(warning + strlen("WARNING: ThreadSanitizer: "), "%127[^(\n]", kind);
    size_t k = strlen(kind);
    while (k > 0 && kind[k - 1] == ' ')
        kind[--k] = '\0';
    const char *tail = log ? log : "the ThreadSanitizer output";
    if (strcmp(kind, "data race") == 0) {
        race_access a = {0}, b = {0};
        const char *first = strstr(warning, "\n  ");
        const char *second = first ? strstr(first + 1, "\n  Previous ") : NULL;
        if (first == NULL)
            first = warning;
        /* Each access is a section: its first line says read or write (maybe "Atomic write"),
         * its stack follows up to a blank line; "[failed to restore the stack]" has none. */
        const char *end_second = second ? strstr(second + 1, "\n\n") : NULL;
        bool fa = exercise_frame(first, second, &a), fb = second && exercise_frame(second, end_second, &b);
        snprintf(a.access, sizeof a.access, "%s", section_writes(first) ? "writes" : "reads");
        if (second != NULL)
            snprintf(b.access, sizeof b.access, "%s", section_writes(second) ? "writes" : "reads");
        char da[800] = "", db[800] = "";
        if (fa)
            describe_access(&a, da, sizeof da);
        if (fb)
            describe_access(&b, db, sizeof db);
        if (fa && fb)
            snprintf(out, size, "data race: %s while another thread's %s, and no mutex is held by "
                     "both: every access to shared state, reads too, must hold the mutex that "
                     "guards it, or both be atomic (full report: %s)", da, db, tail);
        else if (fa || fb)
            snprintf(out, size, "data race: %s while another thread touches the same memory (its "
                     "stack was not recorded) with no mutex in common (full report: %s)",
                     fa ? da : db, tail);
        else
            snprintf(out, size, "data race on memory the exercise shares between threads, with no "
                     "mutex in common (full report: %s)", tail);
        return;
    }
    race_access a = {0};
    char where[800] = "";
    if (exercise_frame(warning, NULL, &a)) {
        snprintf(a.access, sizeof a.access, "%s", "does it");
        describe_access(&a, where, sizeof where);
    }
    snprintf(out, size, "ThreadSanitizer: %s%s%s (full report: %s)", kind, where[0] ? ": " : "",
             where, tail);
}

/* Reads (and removes) the child's raw log, appends it to the kept log, and describes it. */
static void explain_race(const tl_child_result *r, char *out, size_t size)
{
    const char *log = race_log();
    char raw[1024];
    snprintf(raw, sizeof raw, "%s.raw.%d", log ? log : "tsan", r->pid);
    char *report = NULL;
    size_t len = 0;
    FILE *f = log ? fopen(raw, "r") : NULL;
    if (f != NULL) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            char *grown = realloc(report, len + n + 1);
            if (grown == NULL)
                break;
            report = grown;
            memcpy(report + len, chunk, n);
            len += n;
        }
        fclose(f);
        remove(raw);
        if (report != NULL) {
            report[len] = '\0';
            FILE *keep = fopen(log, "a");
            if (keep != NULL) {
                fputs(report, keep);
                fclose(keep);
            }
        }
    }
    tl_race_sentence(report ? report : "", log, out, size);
    free(report);
}

/* ---- running the table ---- */

static bool wanted(const tl_check *c, size_t i, const char *only, const bool *subset)
{
    if (subset != NULL && !subset[i])
        return false;
    return only == NULL || strstr(c->name, only) != NULL;
}

static void run_one(const tl_check *c, bool in_process, check_result *res)
{
    tl_set_test_name(c->name);
    tl_spy_reset(); /* a fresh start for each check, also when they share a process (--no-fork) */
    tl_child_run(c->run, bound_of(c), in_process, &res->r);
    res->how = res->r.how;
    res->seconds = res->r.seconds;
    first_failure f = {res->first, sizeof res->first, NULL, 0};
    res->first[0] = '\0';
    tl_child_records(&res->r, keep_first, &f);
    if (res->how == TL_RACED)
        explain_race(&res->r, res->first, sizeof res->first);
    else if (res->first[0] == '\0' && res->r.detail[0] != '\0')
        snprintf(res->first, sizeof res->first, "%s", res->r.detail);
}

/* The twin of this program built with ThreadSanitizer, or "" (none, or this is it). */
static void twin_path(char *out, size_t size)
{
    out[0] = '\0';
#ifndef TL_UNDER_TSAN
    const char *source = tl_spy_exercise_source();
    const char *wanted = getenv("TL_RACE_CHECKS"); /* 0: not wanted (valgrind cannot run it) */
    if (source == NULL || TL_RACE_DIR[0] == '\0' || (wanted != NULL && strcmp(wanted, "0") == 0))
        return;
    size_t n = strlen(source);
    if (n > 2 && strcmp(source + n - 2, ".c") == 0)
        n -= 2;
    snprintf(out, size, "%s/%.*s", TL_RACE_DIR, (int)n, source);
    if (access(out, X_OK) != 0)
        out[0] = '\0';
#else
    (void)size;
#endif
}

/* Where the student's results and hint ladder are kept (build/check/labNN.last); only the
 * student's own exercise (labs/...) keeps any, so grading a solution or a variant leaves the
 * student's hints alone. */
static void state_path(const char *lab, const char *what, char *out, size_t size)
{
    const char *source = tl_spy_exercise_source();
    if (source == NULL || strncmp(source, "labs/", 5) != 0) {
        out[0] = '\0';
        return;
    }
    const char *dir = getenv("TL_STATE_DIR");
    if (dir == NULL || dir[0] == '\0')
        dir = TL_STATE_DIR;
    if (dir[0] == '\0') {
        out[0] = '\0';
        return;
    }
    mkdir(dir, 0777); /* its parent, the build directory, exists: this program lives in it */
    snprintf(out, size, "%s/%s.%s", dir, lab, what);
}

/* Runs the checks of `subset` that passed and race-check, in the ThreadSanitizer twin, and
 * folds its verdicts in. False when there is no twin (races then go unchecked). */
static __attribute__((unused)) bool run_race_twin(const tl_check_table *t, check_result *res,
                                                  const char *only)
{
    char twin[1024];
    twin_path(twin, sizeof twin);
    if (twin[0] == '\0')
        return false;
    char list[4 * MAX_CHECKS] = "";
    for (size_t i = 0; i < t->count; i++)
        if (wanted(&t->checks[i], i, only, NULL) && res[i].how == TL_PASSED && !res[i].not_run &&
            (t->checks[i].flags & TL_CHECK_RACES))
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%zu", list[0] ? "," : "", i);
    if (list[0] == '\0')
        return true;
    char log[1024], options[2200];
    state_path(t->lab, "races.log", log, sizeof log);
    if (log[0] == '\0')
        snprintf(log, sizeof log, "%s-races.log", twin);
    remove(log);
    snprintf(options, sizeof options, "halt_on_error=1:exitcode=%d:log_path=%s.raw:"
             "report_signal_unsafe=0:second_deadlock_stack=1:atexit_sleep_ms=0:history_size=7",
             TL_EXIT_RACE, log);
    setenv("TSAN_OPTIONS", options, 1);
    setenv("TL_RACE_LOG", log, 1);
    const char *scale = getenv("TL_TIMEOUT_SCALE");
    char old_scale[32] = "";
    if (scale != NULL)
        snprintf(old_scale, sizeof old_scale, "%s", scale);
    if (scale == NULL)
        setenv("TL_TIMEOUT_SCALE", "4", 1); /* ThreadSanitizer runs 5-15x slower */
    char *argv[] = {twin, "--protocol", "--subset", list, NULL};
    double bound = 10;
    for (size_t i = 0; i < t->count; i++)
        bound += bound_of(&t->checks[i]) * 4 + 2;
    tl_run_result out = tl_run(argv, (long)(bound * 1000));
    unsetenv("TSAN_OPTIONS");
    unsetenv("TL_RACE_LOG");
    if (scale == NULL)
        unsetenv("TL_TIMEOUT_SCALE");
    for (char *line = out.out; line != NULL && *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        unsigned long i;
        int how;
        int used = 0;
        if (sscanf(line, "%lu\t%d\t%n", &i, &how, &used) == 2 && i < t->count) {
            res[i].race_checked = true;
            if (how != TL_PASSED) {
                res[i].how = (tl_outcome)how;
                snprintf(res[i].first, sizeof res[i].first, "%s%s",
                         how == TL_RACED ? "" : "under ThreadSanitizer: ", line + used);
            }
        }
        line = next;
    }
    if (out.exit_code != 0 && out.exit_code != 1)
        fprintf(stderr, "%s: the ThreadSanitizer build of the checks ended with status %d%s%s\n",
                t->lab, out.exit_code, out.err && out.err[0] ? ": " : "", out.err ? out.err : "");
    tl_run_result_free(&out);
    return true;
}

/* Runs the wanted checks in table order (the most specific first); with stop_at_first, none
 * after the first that fails (they are marked not run). */
static void run_checks(const tl_check_table *t, check_result *res, const char *only,
                       const bool *subset, bool in_process, bool with_twin, bool stop_at_first,
                       bool *races_checked)
{
    bool stopped = false;
    for (size_t i = 0; i < t->count; i++) {
        res[i] = (check_result){.how = TL_PASSED, .not_run = stopped};
        if (!stopped && wanted(&t->checks[i], i, only, subset)) {
            run_one(&t->checks[i], in_process, &res[i]);
            stopped = stop_at_first && res[i].how != TL_PASSED;
        }
    }
#ifdef TL_UNDER_TSAN
    (void)with_twin;
    *races_checked = true; /* every check above ran under ThreadSanitizer already */
#else
    *races_checked = with_twin && !stopped && run_race_twin(t, res, only);
#endif
}

static void free_results(const tl_check_table *t, check_result *res)
{
    for (size_t i = 0; i < t->count; i++)
        free(res[i].r.records.data);
}

/* ---- the lab's step ---- */

struct tl_checks_outcome {
    const tl_check_table *table;
    bool skipped; /* TL_CHECKS=0: not run at all */
    check_result res[MAX_CHECKS];
    bool races_checked;
    size_t passed; /* checks passed before the first that failed */
    bool failed;
};

tl_checks_outcome *tl_checks_begin(const tl_check_table *t)
{
    tl_checks_outcome *o = tl_xcalloc(1, sizeof *o);
    o->table = t;
    const char *wanted = getenv("TL_CHECKS"); /* 0: under valgrind, whose helgrind cannot tell
                                                 the checks' own forcing tricks from races */
    if (wanted != NULL && strcmp(wanted, "0") == 0) {
        o->skipped = true;
        return o;
    }
    if (t->count > MAX_CHECKS) {
        o->failed = true;
        return o;
    }
    fflush(stdout);
    /* --csv prints rows for charts, not verdicts: the race twin's seconds would buy nothing. */
    run_checks(t, o->res, NULL, NULL, false, !tl_report_csv(), true, &o->races_checked);
    for (size_t i = 0; i < t->count && !o->failed; i++) {
        if (o->res[i].how == TL_PASSED)
            o->passed++;
        else
            o->failed = true;
    }
    return o;
}

bool tl_checks_passed(const tl_checks_outcome *o)
{
    return !o->skipped && !o->failed; /* not run: nothing says the exercise is right */
}

bool tl_checks_hung_or_crashed(const tl_checks_outcome *o)
{
    for (size_t i = 0; i < o->table->count && i < MAX_CHECKS; i++)
        if (o->res[i].how == TL_HUNG || o->res[i].how == TL_CRASHED)
            return true;
    return false;
}

bool tl_checks_end(tl_checks_outcome *o)
{
    const tl_check_table *t = o->table;
    const char *source = tl_spy_exercise_source();
    tl_step("Your exercise (%s): the %zu checks of `make check-%s`", source ? source : "exercise.c",
            t->count, t->lab);
    if (t->count > MAX_CHECKS) {
        free(o);
        return tl_verdict(TL_FAIL, "the lab has %zu checks, more than the %d the kit can run",
                          t->count, MAX_CHECKS);
    }
    if (o->skipped) {
        free(o);
        return tl_verdict(TL_INFO, "your exercise's checks were not run (TL_CHECKS=0); `make "
                          "check-%s` runs them", t->lab);
    }
    for (size_t i = 0; i <= o->passed && i < t->count; i++) {
        if (o->res[i].how == TL_PASSED)
            tl_verdict(TL_OK, "%s", t->checks[i].name);
        else
            tl_verdict(TL_TODO, "%s: %s", t->checks[i].name, o->res[i].first);
    }
    if (!o->races_checked && !o->failed)
        tl_say("(data races were not looked for: no ThreadSanitizer build of the checks here)");
    if (!o->failed)
        tl_verdict(TL_OK, "your exercise passes all %zu checks (expected %zu)", t->count, t->count);
    else
        tl_verdict(TL_TODO, "your exercise passes %zu check%s, then fails the one above (expected "
                   "all %zu): `make check-%s` runs every check, with hints", o->passed,
                   o->passed == 1 ? "" : "s", t->count, t->lab);
    bool ok = !o->failed;
    free_results(t, o->res);
    free(o);
    return ok;
}

bool tl_checks_step(const tl_check_table *t)
{
    if (tl_report_csv())
        return true; /* rows for charts: the checks are for a run that prints verdicts */
    return tl_checks_end(tl_checks_begin(t));
}

/* ---- the grader ---- */

static const char *const tags[] = {"ok", "FAIL", "HANG", "CRASH", "RACE"};

static void print_friendly(const tl_check *c, const check_result *res)
{
    char tag[16];
    snprintf(tag, sizeof tag, "[%s]", tags[res->how]);
    printf("  %-7s %s (%d point%s)\n", tag, c->name, points_of(c), points_of(c) == 1 ? "" : "s");
    if (res->how == TL_PASSED)
        return;
    char blocked[4096] = "";
    first_failure f = {(char[1024]){0}, 1024, blocked, sizeof blocked};
    /* every failure message, then where threads were stuck */
    for (size_t i = 0; i + 5 <= res->r.records.len;) {
        uint32_t len;
        memcpy(&len, res->r.records.data + i + 1, sizeof len);
        if (i + 5 + len > res->r.records.len)
            break;
        const char *text = res->r.records.data + i + 5;
        if (res->r.records.data[i] == TL_RECORD_FAILURE) {
            const char *tab = memchr(text, '\t', len);
            const char *msg = tab ? tab + 1 : text;
            printf("          %.*s\n", (int)(len - (size_t)(msg - text)), msg);
        }
        i += 5 + len;
    }
    tl_child_records(&res->r, keep_first, &f);
    if (res->how == TL_RACED || f.first[0] == '\0')
        printf("          %s\n", res->first); /* the race sentence, or what ended it */
    else if (res->r.detail[0] != '\0')
        printf("          %s\n", res->r.detail);
    for (char *line = blocked; *line != '\0';) {
        char *next = strchr(line, '\n');
        printf("          where it was stuck: %.*s\n", next ? (int)(next - line) : (int)strlen(line),
               line);
        line = next ? next + 1 : line + strlen(line);
    }
    if (c->hints[0] != NULL)
        printf("          hint: %s\n", c->hints[0]);
}

static void write_state(const tl_check_table *t, const check_result *res, size_t passed)
{
    char path[1024];
    state_path(t->lab, "last", path, sizeof path);
    if (path[0] == '\0')
        return;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return;
    fprintf(f, "%zu %zu\n", passed, t->count);
    for (size_t i = 0; i < t->count; i++)
        if (res[i].how != TL_PASSED) {
            fprintf(f, "%zu\n", i);
            break;
        }
    fclose(f);
}

/* `make hint-labNN`: one more rung of the ladder of the first check that failed last time. */
static int print_hint(const tl_check_table *t)
{
    char last[1024], level_path[1024];
    state_path(t->lab, "last", last, sizeof last);
    state_path(t->lab, "hint", level_path, sizeof level_path);
    FILE *f = last[0] ? fopen(last, "r") : NULL;
    size_t passed = 0, count = 0, failing = (size_t)-1;
    if (f != NULL) {
        if (fscanf(f, "%zu %zu %zu", &passed, &count, &failing) < 3)
            failing = (size_t)-1;
        fclose(f);
    }
    if (f == NULL) {
        printf("No check has run yet: run `make check-%s` first.\n", t->lab);
        return 0;
    }
    if (failing >= t->count) {
        printf("Every check passed last time: no hint needed.\n");
        return 0;
    }
    const tl_check *c = &t->checks[failing];
    size_t level = 0, seen = (size_t)-1;
    FILE *lv = fopen(level_path, "r");
    if (lv != NULL) {
        if (fscanf(lv, "%zu %zu", &seen, &level) < 2)
            level = 0;
        fclose(lv);
    }
    if (seen != failing)
        level = 1; /* `make check` has shown the first rung already */
    size_t rungs = 0;
    while (rungs < 3 && c->hints[rungs] != NULL)
        rungs++;
    if (level < rungs)
        level++;
    printf("The first check that fails: %s\n", c->name);
    static const char *const what[] = {"the idea", "where to look", "the pattern"};
    for (size_t i = 0; i < level; i++)
        printf("  hint %zu of %zu (%s): %s\n", i + 1, rungs, what[i], c->hints[i]);
    if (level < rungs)
        printf("Run `make hint-%s` again for the next hint.\n", t->lab);
    else
        printf("That is every hint for this check.\n");
    lv = fopen(level_path, "w");
    if (lv != NULL) {
        fprintf(lv, "%zu %zu\n", failing, level);
        fclose(lv);
    }
    return 0;
}

/* Every {tag} of exercise.h is tested by a check, and every check's tags exist there. */
static int check_promises(const tl_check_table *t, const char *header)
{
    FILE *f = fopen(header, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot read %s: %s\n", t->lab, header, strerror(errno));
        return 2;
    }
    char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    int problems = 0, promises = 0;
    for (char *p = strchr(text, '{'); p != NULL; p = strchr(p + 1, '{')) {
        char tag[96];
        if (sscanf(p, "{%95[a-z0-9_.]}", tag) != 1 || strchr(tag, '.') == NULL ||
            p[1 + strlen(tag)] != '}')
            continue;
        promises++;
        bool found = false;
        for (size_t i = 0; i < t->count && !found; i++) {
            const char *s = t->checks[i].promises;
            size_t n = strlen(tag);
            for (const char *q = s ? strstr(s, tag) : NULL; q != NULL && !found; q = strstr(q + 1, tag))
                found = (q == s || q[-1] == ' ') && (q[n] == '\0' || q[n] == ' ');
        }
        if (!found) {
            printf("  promise {%s} of %s has no check\n", tag, header);
            problems++;
        }
    }
    for (size_t i = 0; i < t->count; i++) {
        char tags_copy[512];
        snprintf(tags_copy, sizeof tags_copy, "%s", t->checks[i].promises ? t->checks[i].promises : "");
        if (tags_copy[0] == '\0') {
            printf("  check \"%s\" names no promise of %s\n", t->checks[i].name, header);
            problems++;
        }
        for (char *save = NULL, *tag = strtok_r(tags_copy, " ", &save); tag != NULL;
             tag = strtok_r(NULL, " ", &save)) {
            char braced[128];
            snprintf(braced, sizeof braced, "{%s}", tag);
            if (strstr(text, braced) == NULL) {
                printf("  check \"%s\" names {%s}, which %s does not have\n", t->checks[i].name,
                       tag, header);
                problems++;
            }
        }
        if (t->checks[i].hints[0] == NULL) {
            printf("  check \"%s\" has no hint\n", t->checks[i].name);
            problems++;
        }
    }
    printf("%s: %d promises, %zu checks, %d problem%s\n", t->lab, promises, t->count, problems,
           problems == 1 ? "" : "s");
    return problems == 0 && promises > 0 ? 0 : 1;
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to, "usage: %s [--friendly] [--only TEXT] [--stop-at-first] [--list] [--no-fork]\n"
                "          [--hint] [--promises EXERCISE.H] [--json FILE]\n"
                "Runs the lab's checks on the exercise it was linked with.\n"
                "  --friendly        what `make check-labNN` prints: points, hints, the score\n"
                "  --only TEXT       only the checks whose name contains TEXT\n"
                "  --stop-at-first   stop after the first check that fails\n"
                "  --list            the checks' names, points and promises\n"
                "  --no-fork         run the checks in this process (for a debugger; no bounds)\n"
                "  --hint            one more hint for the first check that failed last time\n"
                "  --promises FILE   every promise tag of FILE has a check, and each check's exist\n"
                "  --json FILE       also write the results as JSON (Gradescope's tests[] shape)\n",
            prog);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static int write_json(const tl_check_table *t, const check_result *res, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", t->lab, path, strerror(errno));
        return 1;
    }
    fputs("{\"tests\": [", f);
    for (size_t i = 0; i < t->count; i++) {
        const tl_check *c = &t->checks[i];
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        char name[600];
        snprintf(name, sizeof name, "%s: %s", t->lab, c->name);
        json_string(f, name);
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"output\": ",
                res[i].how == TL_PASSED ? points_of(c) : 0, points_of(c),
                res[i].how == TL_PASSED ? "passed" : "failed");
        char output[1400];
        snprintf(output, sizeof output, "%s%s%s%s%s",
                 res[i].how == TL_PASSED ? "passed" : tags[res[i].how], res[i].first[0] ? ": " : "",
                 res[i].first, res[i].how != TL_PASSED && c->hints[0] ? "\nhint: " : "",
                 res[i].how != TL_PASSED && c->hints[0] ? c->hints[0] : "");
        json_string(f, output);
        fputs(", \"visibility\": \"visible\"}", f);
    }
    fputs("\n]}\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", t->lab, path, strerror(errno));
        return 1;
    }
    return 0;
}

int tl_checks_main(const tl_check_table *t, int argc, char **argv)
{
    const char *only = NULL, *promises = NULL, *json = NULL, *subset_arg = NULL;
    bool friendly = false, list = false, no_fork = false, protocol = false, hint = false,
         stop_at_first = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--friendly") == 0)
            friendly = true;
        else if (strcmp(a, "--only") == 0 && has_value)
            only = argv[++i];
        else if (strcmp(a, "--list") == 0)
            list = true;
        else if (strcmp(a, "--no-fork") == 0)
            no_fork = true;
        else if (strcmp(a, "--hint") == 0)
            hint = true;
        else if (strcmp(a, "--stop-at-first") == 0)
            stop_at_first = true;
        else if (strcmp(a, "--promises") == 0 && has_value)
            promises = argv[++i];
        else if (strcmp(a, "--json") == 0 && has_value)
            json = argv[++i];
        else if (strcmp(a, "--protocol") == 0) /* the twin's side of run_race_twin */
            protocol = true;
        else if (strcmp(a, "--subset") == 0 && has_value)
            subset_arg = argv[++i];
        else if (strcmp(a, "--help") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (t->count > MAX_CHECKS) {
        fprintf(stderr, "%s: %zu checks, more than the %d the kit can run\n", t->lab, t->count,
                MAX_CHECKS);
        return 1;
    }
    if (promises != NULL)
        return check_promises(t, promises);
    if (hint)
        return print_hint(t);
    if (list) {
        for (size_t i = 0; i < t->count; i++)
            printf("%s\t%d\t%s\t%s\n", t->lab, points_of(&t->checks[i]), t->checks[i].name,
                   t->checks[i].promises ? t->checks[i].promises : "");
        return 0;
    }
    bool subset[MAX_CHECKS] = {false};
    if (subset_arg != NULL)
        for (const char *p = subset_arg; *p != '\0';) {
            char *end;
            unsigned long i = strtoul(p, &end, 10);
            if (end == p)
                break;
            if (i < t->count)
                subset[i] = true;
            p = *end == ',' ? end + 1 : end;
        }
    const char *source = tl_spy_exercise_source();
    if (friendly)
        printf("Checking %s's exercise (%s): %zu checks\n\n", t->lab,
               source ? source : "exercise.c", t->count);
    fflush(stdout);

    static check_result res[MAX_CHECKS];
    bool races_checked;
    run_checks(t, res, only, subset_arg ? subset : NULL, no_fork, !protocol && !no_fork,
               stop_at_first, &races_checked);

    size_t passed = 0, ran = 0;
    int score = 0, max_score = 0;
    for (size_t i = 0; i < t->count; i++) {
        const tl_check *c = &t->checks[i];
        if (!wanted(c, i, only, subset_arg ? subset : NULL) || res[i].not_run)
            continue;
        ran++;
        max_score += points_of(c);
        if (res[i].how == TL_PASSED) {
            passed++;
            score += points_of(c);
        }
        if (protocol) {
            for (char *nl; (nl = strchr(res[i].first, '\n')) != NULL;)
                *nl = ' ';
            printf("%zu\t%d\t%s\n", i, (int)res[i].how, res[i].first);
        } else if (friendly) {
            print_friendly(c, &res[i]);
        } else {
            printf("  %-5s %s / %s\n", tags[res[i].how], t->lab, c->name);
            if (res[i].how != TL_PASSED)
                printf("        %s\n", res[i].first);
        }
        fflush(stdout);
    }
    int rc = passed == ran ? 0 : 1;
    if (!protocol && ran == 0) {
        fprintf(stderr, "%s: no check matched --only %s\n", t->lab, only ? only : "");
        rc = 1;
    }
    if (!protocol && !only && !subset_arg)
        write_state(t, res, passed);
    if (json != NULL && write_json(t, res, json) != 0)
        rc = 1;
    if (friendly) {
        printf("\nScore: %d/%d (%zu of %zu checks pass)%s\n", score, max_score, passed, ran,
               races_checked ? "" : "; data races were not looked for: no ThreadSanitizer build");
        if (passed == ran)
            printf("All checks pass. Well done! In a full copy of the kit the reference answer is "
                   "solutions/%s; its comments explain why it is right.\n",
                   source && strchr(source, '/') ? strchr(source, '/') + 1 : "");
        else
            printf("Not there yet: start with the first check marked above. `make hint-%s` gives "
                   "one more hint each time you run it.\n", t->lab);
    }
    if (!protocol)
        printf("%s: %zu passed, %zu failed\n", t->lab, passed, ran - passed);
    free_results(t, res);
    return rc;
}
