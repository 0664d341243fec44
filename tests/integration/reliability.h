/*
 * reliability.h - what the files of the reliability suite share. The suite
 * is test_nutshell_reliability.c (bad input, rootless, SIGTERM; it makes the
 * suite), test_reliability_faults.c (nutshell killed at each stage of a
 * start, cgroups busy at teardown) and test_reliability_hardening.c (one
 * test per escape class).
 */
#ifndef NUTSHELL_RELIABILITY_H
#define NUTSHELL_RELIABILITY_H

#include "harness.h"

#include <check.h>
#include <stddef.h>

#define NUTSHELL "05-full-container/nutshell"

/* One test case per test, named after it: CK_RUN_CASE=NAME runs one
 * (scripts/mutants.sh does, for each deliberately broken defence). */
#define ADD(s, test)                                                                               \
	do {                                                                                       \
		TCase *tc = tcase_create(#test);                                                   \
		tcase_set_timeout(tc, 240);                                                        \
		tcase_add_test(tc, test);                                                          \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

void nap(int ms);
/* The value of fact KEY among the JSON lines inspect wrote to stdout. */
const char *ifact(const struct run *r, const char *key);
/* The container id in nutshell's trace (harness.h). */
const char *id_in(const char *text);
/* How many of ID's scratch directories and cgroups exist. */
int left_of(const char *id);
void assert_nothing_left(const char *id);
/* Reads a whole small file into buf ("" when missing). */
const char *slurp_small(const char *path, char *buf, size_t size);
/* Images beneath one temporary directory IMG: good/ (with a symlink "out"
 * to /etc), proc-link/ (/proc -> /proc), dev-climb/ (/dev ->
 * ../../../dev), link -> good, file (not a directory). */
extern char img[64];
void make_images(void);
void remove_images(void);

#endif
