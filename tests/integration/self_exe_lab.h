/*
 * self_exe_lab.h - the lab of the /proc/self/exe tests (self_exe_lab.c).
 *
 * The attack: the container's COMMAND is /proc/self/exe (the volume's
 * "entry", a symlink to it, or "script", whose "#!" names it), which the
 * kernel resolves in the runtime's own process; a second process then
 * opens /proc/PID/exe of the container's processes for writing. The lab
 * runs a copy of nutshell made for the test, so that a defence that failed
 * could never let the real build be written.
 */
#ifndef NUTSHELL_SELF_EXE_LAB_H
#define NUTSHELL_SELF_EXE_LAB_H

#include "../suites.h"
#include "harness.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NUTSHELL "05-full-container/nutshell"
#define MAX_HELD 64

struct lab {
	char dir[64];  /* /tmp/nutshell-test-exe.XXXXXX */
	char bin[128]; /* the copy of nutshell that runs */
	char vol[128]; /* mounted at /x: entry, script, trace (a fifo) */
	char img[PATH_MAX + 32];
	char out[128], err[128];
	struct stat st; /* the copy, as the host sees it */
	char *bytes;	/* and its content */
	size_t size;
	int no_fsopen; /* the copy runs with fsopen(2) refused (ENOSYS) */
};

void lab_nap(int ms);
/* PATH's whole content (NUL-terminated; its size in *size), or NULL. */
char *lab_slurp(const char *path, size_t *size);
void lab_write_file(const char *path, const char *data, size_t size, mode_t mode);
/* The directory, the copy of nutshell, the volume: entry, script, trace. */
void lab_make(struct lab *l);
/* Asserts the copy is byte for byte what was built; removes everything. */
void lab_end(struct lab *l);
/* Waits until COMMAND became the runtime's binary in CTR's mount namespace. */
void lab_wait_for_runtime_inside(pid_t ctr);
/* The observer (in a child): reports on REPORT, waits for a byte on GO
 * (the run has ended), tries again; exits. */
void lab_observe(pid_t ctr, const struct stat *host, int report, int go);
/* Starts the observer on CTR, reads its report up to "probed", calls
 * END(ARG) (the run ends there), lets it look again: what it said
 * (malloc'd), its exit status in *OBSERVER_STATUS. */
char *lab_watch(const struct lab *l, pid_t ctr, void (*end)(void *), void *arg,
		int *observer_status);
/* Asserts that what it reported reached nothing. */
void lab_assert_observer_reached_nothing(const char *seen);

#endif
