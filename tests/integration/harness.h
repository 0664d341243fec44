/*
 * harness.h - run a nutshell program as a participant would, and look at
 * what it did.
 *
 * run_program() runs NUTSHELL_ROOT/PROG with --json into a temporary file,
 * standard input from /dev/null, no controlling terminal (so --step never
 * waits), and keeps its exit status, standard output, standard error and
 * JSON events. With RUN_STRACE it runs under `strace -f` too, and
 * run_honest() then checks every "syscall" event against a call strace
 * saw, with the same result: the trace must never lie.
 */
#ifndef NUTSHELL_HARNESS_H
#define NUTSHELL_HARNESS_H

#include "../../common/host.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

enum { RUN_PLAIN = 0, RUN_STRACE = 1, RUN_AS_NOBODY = 2 };

struct run {
	int status; /* exit status, or 128+N when killed by signal N */
	char *out, *err, *strace;
	json_t *events;	      /* array of the JSON Lines objects */
	char json_error[256]; /* set when a line was not valid JSON */
};

/* argv[0] is the program path relative to the toolkit root; NULL-terminated. */
int run_program(struct run *r, int flags, const char *const argv[]);
void run_free(struct run *r);

/* The first event with "ev" == ev and key == value; NULL if none. */
json_t *run_find(const struct run *r, const char *ev, const char *key, const char *value);

/* The value of fact KEY ("" when absent, so asserts print something). */
const char *run_fact(const struct run *r, const char *key);

/* Whether LINKS ("name:STATE ...", as net and inspect list them) is what a
 * new network namespace holds: first LO exactly (e.g. "lo:DOWN"), then only
 * fallback tunnel devices (tunl0, sit0, ...), down, which appear where
 * their modules are loaded. A veth or any other link makes it false. */
bool links_of_new_netns(const char *links, const char *lo);

/* Number of "syscall" events strace did not see with the same result; the
 * first such one described in why. */
int run_honest(const struct run *r, char *why, size_t size);

/* Check assertions every test of a program makes: the JSON Lines are valid
 * and strace confirms every traced call. */
void run_expect_honest(const struct run *r);

/* Runs ARGV and asserts a usage error: exit STATUS, one line on stderr that
 * contains EXPECTED, and nothing created (no clone, unshare, mkdir or mount
 * traced). */
void run_expect_usage_error(const char *const argv[], int status, const char *expected);

/* The shell command FMT, its stdout and stderr into DIR/sh.out and then
 * into out (when not NULL); its exit status, or 128+N when killed by
 * signal N. The engine suites' (oci-podman, oci-containerd) way to drive a
 * command line. */
int harness_sh(const char *dir, char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int harness_vsh(const char *dir, char *out, size_t size, const char *fmt, va_list ap);

/* Kills (SIGKILL, by pid) every process whose command line contains both
 * WORD and DIR: what an engine the test started left running (its shims,
 * its containerd), found by the test's own directory. */
void harness_kill_by_cmdline(const char *word, const char *dir);

/* A whole small file into buf ("" when missing); buf. */
const char *read_text_file(const char *path, char *buf, size_t size);
/*
 * A test that cannot run here says why and is counted as skipped, never as
 * passed: TEST_SKIP("needs cgroup v2 (%s)", why); prints one line
 * "skipped: TEST: WHY" and returns from the test. Check knows no skipped
 * state, so the line also goes to harness_skip_fd, which tests/main.c opens
 * (shared by the forked tests), counts, and holds against the allow-list
 * tests/skips.allow under NUTSHELL_NO_SKIP.
 */
#define TEST_SKIP(...)                                                                             \
	do {                                                                                       \
		harness_skip(__func__, __VA_ARGS__);                                               \
		return;                                                                            \
	} while (0)
/* For a test of what a chroot forbids (user namespaces, pivot_root's
 * point): skipped there, with the reason (common/host.h). */
#define TEST_SKIP_IN_CHROOT()                                                                      \
	do {                                                                                       \
		if (host_in_chroot())                                                              \
			TEST_SKIP("%s", host_chroot_line);                                         \
	} while (0)
void harness_skip(const char *test_fn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int harness_skip_fd; /* -1: print only */
/* The container id in nutshell's trace ("container 0123456789ab: IMAGE"
 * on stderr); "" when there is none. */
const char *run_container_id(const char *text);

/* The value of a one-line file, without newline, into buf. */
const char *read_line_file(const char *path, char *buf, size_t size);

/* A launcher run's container id, from the first note of its trace
 * ("container ID: ..."); "" when there is none. */
const char *run_ctr_id(const struct run *r);

/* Nothing of container ID left on the host: no scratch directory in
 * /dev/shm, no cgroup. Only this container's: other runs may go on. */
void run_expect_ctr_gone(const char *id);

/* Reads the terminal MASTER (O_NONBLOCK) into buf (len bytes so far) until
 * NEEDLE shows at or after buf + from, or MS milliseconds pass: where it
 * is, or NULL. */
char *pty_read_until(int master, char *buf, size_t size, size_t *len, size_t from,
		     const char *needle, int ms);

/*
 * Runs ARGV with --no-color --step on a new pseudo-terminal (its
 * controlling terminal, so --step pauses), as at a projector, pressing
 * Enter at every pause. Asserts that every prompt names its pid and that
 * no second prompt shows while one waits. Before answering a prompt that
 * contains AT, calls at_pause with the prompt's line; with at_pause NULL,
 * types Ctrl-C there instead of Enter. Returns the exit
 * status; the terminal's text in *text (malloc'd) when text is not NULL.
 */
int run_step_walk(const char *const argv[], const char *at, void (*at_pause)(const char *, void *),
		  void *data, char **text);

#endif
