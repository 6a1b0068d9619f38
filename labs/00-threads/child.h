/* child.h — Step 3's heartbeat child: lab00 run again as `./lab00 --end-main HOW`.
 *
 * Step 3 shows what ending main does to a detached thread, and a process cannot watch itself
 * end: so lab00 runs itself again as a child and reads what the child printed. The child's
 * main is run_heartbeat() in lab00.c (the lesson: detach, then return or pthread_exit); this
 * file holds the heartbeat thread it detaches, and the parent's side: running the child and
 * counting the beats that came after main ended.
 */
#ifndef LAB00_CHILD_H
#define LAB00_CHILD_H

enum { BEAT_MS = 50, BEATS = 6, MAIN_ENDS_AFTER = 3 };

/* ThreadSanitizer builds differ from a student's build in two ways that matter here: exit()
 * sleeps 1 s by default (so that other threads can still report races), and TSan runs a
 * helper thread of its own that never ends, so "the last thread ends" never happens. lab00.c
 * turns the first off (__tsan_default_options, only in the lab, not in its grader) and
 * heartbeat() stands in for the second. */
#if defined(__SANITIZE_THREAD__)
#define LAB00_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LAB00_UNDER_TSAN 1
#endif
#endif

/* The heartbeat thread: BEATS beats, BEAT_MS apart, each printed; then it ends, and being the
 * last thread, the process with it. It owns nothing that needs freeing, so being stopped
 * mid-sleep by exit() loses nothing (and leaves leak and race checkers nothing). */
void *heartbeat(void *unused);

/* Returns once the heartbeat has printed `beat` beats (or after 5 s: a bound, not a wait). */
void heartbeat_wait_for_beat(int beat);

/* The parent's side: runs `prog --end-main how`, shows each line it printed (tl_say), and
 * returns how many beats it printed after main's last line; -1 if the child failed. */
int child_beats_after_main_ended(const char *prog, const char *how);

#endif
