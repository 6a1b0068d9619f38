/* replay.c — `make test`'s half of fuzzing: feeds every file of a fuzz target's corpus
 * (TL_FUZZ_CORPUS, tests/fuzz/corpus/NAME, set by GNUmakefile) to its LLVMFuzzerTestOneInput,
 * one harness test per file, so the seeds and every crash ever found (regress-* files) are
 * checked with gcc, no libFuzzer, and under the sanitizer builds. A broken invariant aborts:
 * the harness reports that file as a crash, with the target's sentence above it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fuzz.h"
#include "harness.h"

#ifndef TL_FUZZ_CORPUS
#error "TL_FUZZ_CORPUS names the corpus directory: see GNUmakefile"
#endif

/* Targets without setup do not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The test's name is the file's path. */
static void replay_current_file(void)
{
    const char *path = tl_test_name();
    tl_hint("the line above says which promise broke; replay this file alone with --only %s",
            strrchr(path, '/') + 1);
    FILE *f = fopen(path, "rb");
    TL_ASSERT_FATAL(f != NULL, "cannot open %s: %s", path, strerror(errno));
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    TL_ASSERT_FATAL(size >= 0 && fseek(f, 0, SEEK_SET) == 0, "cannot size %s", path);
    char *data = tl_xmalloc((size_t)size + 1);
    size_t len = fread(data, 1, (size_t)size, f);
    fclose(f);
    TL_ASSERT_FATAL(len == (size_t)size, "short read of %s", path);
    if (LLVMFuzzerInitialize != NULL) {
        int argc = 0;
        char **argv = NULL;
        LLVMFuzzerInitialize(&argc, &argv);
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    free(data); /* returning is passing: a broken invariant aborts */
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite(strrchr(TL_FUZZ_CORPUS, '/') + 1);
    struct dirent **names;
    int n = scandir(TL_FUZZ_CORPUS, &names, NULL, by_name);
    if (n < 0)
        TL_DIE("cannot read %s: %s (run from the top of the kit)", TL_FUZZ_CORPUS, strerror(errno));
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", TL_FUZZ_CORPUS, names[i]->d_name);
            tl_test(s, path, replay_current_file); /* CUnit copies the name */
        }
        free(names[i]);
    }
    free(names);
}
