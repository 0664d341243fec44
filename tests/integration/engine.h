/*
 * engine.h - what the engine suites (oci-podman, oci-containerd, oci-docker)
 * share: a directory of the test's own for everything an engine keeps,
 * nutshell's absolute path (the engine is given it as its runtime), the
 * engine's daemon started in a session of its own with its output in a
 * file there, and at the end everything of it gone again - the daemon
 * (by its pid), what it started (by the test's directory on their command
 * line: shims, dockerd's containerd), mounts under the directory, and the
 * host paths an engine writes whatever it is told, if they were not there
 * before. The host suite then finds the machine as it was.
 */
#ifndef NUTSHELL_ENGINE_H
#define NUTSHELL_ENGINE_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define ENGINE_MAX_PATHS 4

/* A host path an engine may make: removed at the end if it was not there
 * at the start (rm -rf; with only_empty, rmdir: a state directory that
 * still holds something is a leftover for the host check to report). */
struct engine_path {
	const char *path;
	int only_empty;
};

struct engine {
	char dir[64];	     /* /tmp/nutshell-NAME.XXXXXX; "" when not installed */
	char nutshell[4096]; /* 05-full-container/nutshell, absolute */
	pid_t daemon;	     /* the daemon engine_start() started, or -1 */
	struct engine_path paths[ENGINE_MAX_PATHS];
	int had[ENGINE_MAX_PATHS];
};

/* When each of BINARIES (NULL-terminated) is executable: the directory
 * made, nutshell found, and which of PATHS (at most ENGINE_MAX_PATHS, up
 * to one with path NULL) exist now; 1. Else e->dir is "" and 0: the
 * suite's tests then skip. */
int engine_begin(struct engine *e, const char *name, const char *const binaries[],
		 const struct engine_path paths[]);

/* The shell command FMT in the engine's directory (harness_sh). */
int engine_sh(struct engine *e, char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Starts ARGV (an absolute path first, NULL-terminated) in a session of
 * its own, with ENV ("NAME=VALUE" or NULL) added, its output into
 * DIR/LOG; then runs the shell command READY until it exits 0, every
 * 0.1 s, at most TRIES times. Asserts that it came up. */
void engine_start(struct engine *e, const char *log, char *const argv[], const char *env,
		  const char *ready, int tries);

/* FILE of each cgroup directory named NAME (a find(1) pattern: nutshell
 * makes oci-ID), or V1 where FILE is missing (a v1 hierarchy); into out. */
const char *engine_cgroup_file(struct engine *e, const char *name, const char *file, const char *v1,
			       char *out, size_t size);

/* Asserts that the cgroups named NAME are frozen: cgroup.freeze 1, or v1's
 * freezer.state FROZEN (what nutshell pause writes). */
void engine_expect_frozen(struct engine *e, const char *name);

/* Asserts that nothing of nutshell's containers is left: no cgroup named
 * NAME, nothing in the runtime root STATE (the --root the engine gave). */
void engine_expect_nothing_left(struct engine *e, const char *name, const char *state);

/* A row of inspect's table (05-full-container/inspect) that a container
 * made through an engine shows otherwise than `nutshell run -- inspect`,
 * because the engine asked for something else: the row's KEY, an
 * fnmatch(3) pattern of the engine's VALUE, and WHY. */
struct engine_inspect_diff {
	const char *key;
	const char *value;
	const char *why;
};

/* The rows that differ under all three engines here (podman 4.3, docker
 * 20.10, containerd 1.6 on this cgroup v1/v2 hybrid host), and why. */
#define ENGINE_INSPECT_COMMON(engine)                                                              \
	{"ns_cgroup", "host",                                                                      \
	 engine "'s config.json has no cgroup namespace: podman's and docker's default is "        \
		"private only on cgroup v2, containerd's default spec never lists one"},           \
	    {"cgroup", "*:pids:/[a-z]*",                                                           \
	     "so the host's cgroup paths show, down to the engine's linux.cgroupsPath"},           \
	    {"root_size", "* bytes, * free",                                                       \
	     "the root is the engine's, on the host's disk; nutshell run's upper layer is a 1 "    \
	     "GiB "                                                                                \
	     "tmpfs"},                                                                             \
	{                                                                                          \
		"masked:/proc/interrupts", "visible",                                              \
		    engine "'s maskedPaths have no /proc/interrupts; nutshell's are Docker 24's "  \
			   "(rootfs.c), which have"                                                \
	}

/* Holds TABLE, inspect's output in a container ENGINE made with nutshell,
 * against `nutshell run -- inspect` row by row: each row the same, except
 * the rows of DIFFS (ended by a NULL key), whose value must match the
 * pattern and differ from nutshell's (a listed difference that has gone is
 * reported too, so that the list stays true). Namespaces compare as "own"
 * or "host" (this process's). Every difference found is reported at once. */
void engine_expect_inspect(struct engine *e, const char *engine, const char *table,
			   const struct engine_inspect_diff diffs[]);

/* The end: the daemon (SIGTERM, reaped), every process with WORD (NULL:
 * none) and the directory on its command line, mounts under it, the host
 * paths it made, the directory. */
void engine_end(struct engine *e, const char *word);

#endif
