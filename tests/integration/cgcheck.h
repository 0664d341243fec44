/*
 * cgcheck.h - what the lesson 02 (cgroups) integration tests check alike.
 */
#ifndef NUTSHELL_CGCHECK_H
#define NUTSHELL_CGCHECK_H

#include "harness.h"

/* Valid JSON Lines, a trace strace confirms, and as many successful rmdir
 * as mkdir: every cgroup the program made is gone. */
void cg_check_trace(const struct run *r);

/* Did the program write VALUE to a cgroup file named FILE (the traced
 * openat of .../FILE followed by its write)? */
int cg_wrote(const struct run *r, const char *file, const char *value);

/* Is CONTROLLER in a cgroup v1 hierarchy here (a "N:controller:" line in
 * /proc/self/cgroup)? */
int cg_is_v1(const char *controller);

/* Bad input: exit 2, one line containing expected, no cgroup made. */
void cg_check_usage_error(const char *const argv[], const char *expected);

/* Run as nobody (no root, no delegation): exit 1 and the one line that
 * says what is needed. */
void cg_check_needs_cgroup(const char *prog);

/* Ctrl-C at PROG's first --step pause before clone, on a terminal: exit
 * 130, "interrupted; cleaned up", no "Unexpected", and the cgroup it made
 * (named PREFIX<pid>, from the trace's mkdir) is gone. */
void cg_check_ctrl_c_at_a_pause(const char *prog, const char *prefix);

#endif
