/* The runner: main() of every CUnit test program (tests/unit, tests/labs, ...). CUnit keeps the
 * registry of suites and tests; each test runs in a child process of its own, under a deadline
 * (child.c). See harness.h for why.
 *
 * usage: TEST-PROGRAM [--only TEXT] [--no-fork] [--list]
 *   --only TEXT     run only tests whose "suite / test" name contains TEXT
 *   --no-fork       run tests in this process (for a debugger; no deadlines)
 *   --list          print the test names and exit
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "harness.h"
#include "harness_internal.h"

/* ---- the registry ---- */

typedef struct {
    CU_pSuite suite;
    CU_pTest test;
    double timeout_s;
} test_entry;

static test_entry entries[TL_MAX_TESTS];
static size_t entry_count;

CU_pSuite tl_suite(const char *name)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL) {
        fprintf(stderr, "harness: cannot add suite '%s': %s\n", name, CU_get_error_msg());
        exit(1);
    }
    return s;
}

void tl_test_timeout(CU_pSuite suite, const char *name, void (*fn)(void), double seconds)
{
    CU_pTest t = CU_add_test(suite, name, fn);
    if (t == NULL || entry_count == TL_MAX_TESTS) {
        fprintf(stderr, "harness: cannot add test '%s': %s\n", name,
                t == NULL ? CU_get_error_msg() : "too many tests");
        exit(1);
    }
    entries[entry_count++] = (test_entry){suite, t, seconds};
}

void tl_test(CU_pSuite suite, const char *name, void (*fn)(void))
{
    tl_test_timeout(suite, name, fn, TL_DEFAULT_TIMEOUT_S);
}

/* ---- printing ---- */

typedef struct {
    const char *hint;
    size_t hint_len;
} print_state;

static void print_record(char kind, const char *text, size_t len, void *ctx)
{
    print_state *st = ctx;
    if (kind == TL_RECORD_HINT) {
        st->hint = text;
        st->hint_len = len;
        return;
    }
    const char *tab = kind == TL_RECORD_FAILURE ? memchr(text, '\t', len) : NULL;
    if (tab != NULL)
        printf("        %.*s: %.*s\n", (int)(tab - text), text,
               (int)(len - (size_t)(tab + 1 - text)), tab + 1);
    else if (kind == TL_RECORD_BLOCKED)
        printf("        blocked at the end: %.*s", (int)len, text);
    else
        printf("        %.*s\n", (int)len, text);
}

static void print_result(const test_entry *e, const tl_child_result *r)
{
    static const char *tags[] = {"ok", "FAIL", "HANG", "CRASH", "RACE"};
    printf("  %-5s %s / %s\n", tags[r->how], e->suite->pName, e->test->pName);
    if (r->how != TL_PASSED) {
        print_state st = {0};
        tl_child_records(r, print_record, &st);
        if (r->detail[0] != '\0')
            printf("        %s\n", r->detail);
        if (st.hint != NULL)
            printf("        hint: %.*s\n", (int)st.hint_len, st.hint);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    bool no_fork = false, list = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--no-fork") == 0)
            no_fork = true;
        else if (strcmp(argv[i], "--list") == 0)
            list = true;
        else {
            fprintf(stderr, "usage: %s [--only TEXT] [--no-fork] [--list]\n", argv[0]);
            return 2;
        }
    }
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "harness: cannot initialise CUnit: %s\n", CU_get_error_msg());
        return 1;
    }
    tl_register_suites();
    int passed = 0, failed = 0;
    for (size_t i = 0; i < entry_count; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s / %s", entries[i].suite->pName, entries[i].test->pName);
        if (only != NULL && strstr(full, only) == NULL)
            continue;
        if (list) {
            puts(full);
            continue;
        }
        tl_child_result r;
        tl_set_test_name(entries[i].test->pName);
        tl_child_run(entries[i].test->pTestFunc, entries[i].timeout_s, no_fork, &r);
        print_result(&entries[i], &r);
        free(r.records.data);
        if (r.how == TL_PASSED)
            passed++;
        else
            failed++;
    }
    CU_cleanup_registry();
    if (list)
        return 0;
    if (passed + failed == 0) {
        fprintf(stderr, "%s: no test matched%s%s\n", name, only ? " --only " : "", only ? only : "");
        return 1;
    }
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
}
