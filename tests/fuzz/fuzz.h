/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz/ share (make fuzz).
 *
 * Each harness fuzz_NAME.c feeds one parser arbitrary bytes and checks, on
 * top of AddressSanitizer and UBSan, what the parser promises: an accepted
 * value obeys the rules the parser states in its header. A broken promise
 * is abort(), which libFuzzer reports as a crash and keeps as a file; such
 * a file goes into tests/fuzz/regressions/NAME/ and is replayed by every
 * make fuzz (tests/fuzz/run.sh).
 */
#ifndef NUTSHELL_FUZZ_H
#define NUTSHELL_FUZZ_H

#include "../../05-full-container/ctr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (a NUL inside ends it, as on a command line). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A broken promise: say which, then crash so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: broken promise: %s: ", #cond);                      \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * nutshell's option parser, ctr_parse(), run on argv inside the harness:
 * it exits (125 on bad input, 0 after --help), so exit(3) is wrapped
 * (-Wl,--wrap=exit, ctr_run.c) and jumps back here. Returns -1 when
 * ctr_parse() returned (the options were accepted), -2 when the input was
 * skipped (it asked for --json FILE), else the exit status.
 * argv is changed (the word "run" is taken out), as ctr_parse() does.
 */
int fuzz_ctr_parse(struct ctr_config *cfg, int argc, char **argv);

/* A container path of --volume as parse_volume() promises it: absolute,
 * not the root itself however written ("/", "//", "/."), no ".." part. */
int fuzz_volume_path_ok(const char *path);

#endif
