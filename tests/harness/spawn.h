/* spawn.h — run a program (a lab binary) under a deadline and capture what it prints.
 * Used by the lab-run and bad-input tests. */
#ifndef TL_SPAWN_H
#define TL_SPAWN_H

#include <stdbool.h>

typedef struct {
    int exit_code;  /* exit status, or -1 when killed by a signal or the deadline */
    int signal;     /* the signal that ended it, or 0 */
    bool timed_out; /* the deadline passed and it was killed */
    char *out;      /* everything on stdout (at most 4 MiB kept), NUL-terminated */
    char *err;      /* everything on stderr, likewise */
} tl_run_result;

/* Runs argv[0] (searched on PATH when it has no '/') with the given arguments and NO_COLOR
 * set, for at most timeout_ms (scaled by TL_TIMEOUT_SCALE). Fatal if it cannot start. */
tl_run_result tl_run(char *const argv[], long timeout_ms);

/* tl_run with dir as the working directory (NULL: this process's); a relative argv[0] is then
 * looked up from dir, so pass an absolute path. */
tl_run_result tl_run_in(const char *dir, char *const argv[], long timeout_ms);

void tl_run_result_free(tl_run_result *r);

/* Number of lines in text (a final line without '\n' counts). */
int tl_count_lines(const char *text);

/* The path of a built lab binary: $TL_BIN_DIR/labNN for the starter build (default "."),
 * $TL_SOLUTION_BIN_DIR/labNN for the build with the reference solutions. */
const char *tl_lab_path(const char *lab, bool solution, char *buf, unsigned len);

#endif
