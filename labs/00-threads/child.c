/* child.c — Step 3's heartbeat child and the parent's reading of it (child.h). */
#include "child.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report.h"
#include "run_captured.h"

static atomic_int beats; /* the heartbeat's own count; main only reads it */

void *heartbeat(void *unused)
{
    (void)unused;
    for (int i = 1; i <= BEATS; i++) {
        tl_sleep_ms(BEAT_MS);
        printf("heartbeat: beat %d\n", i);
        fflush(stdout);
        atomic_store(&beats, i);
    }
    printf("heartbeat: done; the last thread ends, and the process with it\n");
    fflush(stdout);
#ifdef LAB00_UNDER_TSAN
    exit(0); /* what the last thread ending does, which TSan's own thread would prevent */
#endif
    return NULL;
}

void heartbeat_wait_for_beat(int beat)
{
    struct timespec bound = tl_deadline_monotonic(5000);
    while (atomic_load(&beats) < beat && tl_ms_until(bound) > 0)
        tl_sleep_ms(1);
}

int child_beats_after_main_ended(const char *prog, const char *how)
{
    char out[2048];
    char *argv[] = {(char *)prog, "--end-main", (char *)how, NULL};
    int status = run_captured(argv, 10000, out, sizeof out), after = 0;
    bool main_ended = false;
    for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        tl_say("  | %s", line);
        if (strncmp(line, "main:", 5) == 0)
            main_ended = true;
        else if (main_ended && strstr(line, ": beat ") != NULL)
            after++;
    }
    return status == 0 && main_ended ? after : -1;
}
