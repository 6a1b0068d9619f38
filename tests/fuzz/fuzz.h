/* fuzz.h — what every fuzz target in tests/fuzz/ shares.
 *
 * A target is one fuzz_NAME.c defining LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when
 * it needs setup). It is linked two ways: with libFuzzer by `make fuzz` (clang), and with
 * replay.c by `make test`, which feeds it every file of tests/fuzz/corpus/NAME/. Beyond "does
 * not crash", a target checks what the headers promise and aborts with a sentence when a
 * promise is broken, so a fuzzer finds lies as well as crashes.
 */
#ifndef TL_FUZZ_H
#define TL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A promise of the code under test did not hold: say which, then abort (libFuzzer saves the
 * input as a crash; the replay reports the corpus file as a crash). */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken at %s:%d: ", __FILE__, __LINE__);                    \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* bytes as a NUL-terminated string (it ends early at an embedded NUL); free it. */
static inline char *fuzz_string(const uint8_t *bytes, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL)
        abort();
    if (n > 0) /* data may be NULL when size is 0 */
        memcpy(s, bytes, n);
    s[n] = '\0';
    return s;
}

#endif
