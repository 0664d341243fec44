/*
 * nutshell_test.h - what the files of the nutshell suite share: the suite is
 * test_nutshell.c (it makes the suite) and test_nutshell_tty.c (nutshell on
 * a terminal: -t, --step).
 */
#ifndef NUTSHELL_NUTSHELL_TEST_H
#define NUTSHELL_NUTSHELL_TEST_H

#include <check.h>

#define NUTSHELL "05-full-container/nutshell"

/* The launcher's path below NUTSHELL_ROOT. */
const char *nutshell_path(void);
/* A spawned nutshell (no trace): wait until no container scratch directory
 * or cgroup exists at all, for up to 3 s (other runs end quickly). */
void assert_none_left(void);

#endif
