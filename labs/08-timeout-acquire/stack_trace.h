/* stack_trace.h — the calling thread's stack, for a log line that says where a wait gave up.
 *
 * Built on glibc's backtrace() and backtrace_symbols() (<execinfo.h>; also in macOS and the
 * BSDs, not in musl). Each frame prints as `binary(function+offset) [address]`. Function names
 * come from the dynamic symbol table, which only lists what the binary exports: link with
 * -rdynamic (`make lab08 LDFLAGS=-rdynamic`) to export the program's own non-static functions.
 * Without it a frame of the program reads `./lab08(+0x2b7c)`, and `addr2line -f -e ./lab08
 * 0x2b7c` turns the offset into a function and a line (the build has -g). Static functions are
 * never exported, and inlined ones have no frame of their own: mark functions you want to see
 * in a trace non-static and __attribute__((noinline)).
 */
#ifndef LAB08_STACK_TRACE_H
#define LAB08_STACK_TRACE_H

/* Prints the caller's stack with tl_say (so --quiet and --csv hide it), innermost frame first,
 * each line indented by `indent`. Returns the number of frames printed (0 if none could be). */
int stack_trace_say(const char *indent);

#endif
