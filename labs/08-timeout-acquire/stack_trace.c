/* <execinfo.h> is a glibc extension, but it needs no feature-test macro (not _GNU_SOURCE, not
 * _DEFAULT_SOURCE): glibc declares backtrace() and backtrace_symbols() unconditionally. */
#include "stack_trace.h"

#include <execinfo.h>
#include <stdlib.h>

#include "report.h"

#define MAX_FRAMES 32

int stack_trace_say(const char *indent)
{
    void *frames[MAX_FRAMES];
    int n = backtrace(frames, MAX_FRAMES);
    /* One malloc'd block holding every string; printed through tl_say rather than with
     * backtrace_symbols_fd, which writes straight to a file descriptor and so would ignore
     * --quiet and --csv. */
    char **symbols = backtrace_symbols(frames, n);
    if (symbols == NULL)
        return 0;
    for (int i = 1; i < n; i++) /* frame 0 is this function */
        tl_say("%s#%d %s", indent, i - 1, symbols[i]);
    free(symbols);
    return n - 1;
}
