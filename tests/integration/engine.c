/*
 * engine.c - the engine suites' common frame (engine.h).
 */
#include "engine.h"
#include "harness.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int
engine_begin(struct engine *e, const char *name, const char *const binaries[],
	     const struct engine_path paths[])
{
	const char *root = getenv("NUTSHELL_ROOT");
	char rel[512];
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->daemon = -1;
	for (size_t i = 0; binaries[i]; i++)
		if (access(binaries[i], X_OK) != 0)
			return 0;
	snprintf(e->dir, sizeof(e->dir), "/tmp/nutshell-%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(rel, sizeof(rel), "%s/05-full-container/nutshell", root ? root : ".");
	ck_assert_ptr_nonnull(realpath(rel, e->nutshell));
	for (size_t i = 0; i < ENGINE_MAX_PATHS && paths[i].path; i++) {
		e->paths[i] = paths[i];
		e->had[i] = stat(paths[i].path, &st) == 0;
	}
	return 1;
}

int
engine_sh(struct engine *e, char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = harness_vsh(e->dir, out, size, fmt, ap);
	va_end(ap);
	return rc;
}

void
engine_start(struct engine *e, const char *log, char *const argv[], const char *env,
	     const char *ready, int tries)
{
	char path[128], out[4096];

	e->daemon = fork();
	ck_assert_int_ne(e->daemon, -1);
	if (e->daemon == 0) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, log);
		if (!freopen(path, "w", stdout) || dup2(1, 2) == -1)
			_exit(127);
		setsid();
		if (env)
			putenv((char *)env);
		execv(argv[0], argv);
		_exit(127);
	}
	int up = 1;
	for (int i = 0; i < tries && (up = engine_sh(e, out, sizeof(out), "%s", ready)) != 0; i++)
		usleep(100000);
	ck_assert_msg(up == 0, "%s did not start: %s", argv[0], out);
}

const char *
engine_cgroup_file(struct engine *e, const char *name, const char *file, const char *v1, char *out,
		   size_t size)
{
	engine_sh(e, out, size,
		  "find /sys/fs/cgroup -maxdepth 6 -type d -name '%s' | while read d; do { cat "
		  "$d/%s || cat $d/%s; } 2>/dev/null; done; true",
		  name, file, v1);
	return out;
}

void
engine_expect_frozen(struct engine *e, const char *name)
{
	char out[256];

	engine_cgroup_file(e, name, "cgroup.freeze", "freezer.state", out, sizeof(out));
	ck_assert_msg(strcmp(out, "1\n") == 0 || strcmp(out, "FROZEN\n") == 0, "freezer: '%s'",
		      out);
}

void
engine_expect_nothing_left(struct engine *e, const char *name, const char *state)
{
	char out[4096];

	engine_sh(e, out, sizeof(out),
		  "ls -A %s 2>/dev/null; find /sys/fs/cgroup -maxdepth 6 -name '%s'", state, name);
	ck_assert_msg(!out[0], "left behind: %s", out);
}

void
engine_end(struct engine *e, const char *word)
{
	if (!e->dir[0])
		return;
	if (e->daemon > 0) {
		kill(e->daemon, SIGTERM);
		waitpid(e->daemon, NULL, 0);
		e->daemon = -1;
	}
	if (word)
		harness_kill_by_cmdline(word, e->dir);
	engine_sh(e, NULL, 0,
		  "grep -o ' %s[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l",
		  e->dir);
	for (size_t i = 0; i < ENGINE_MAX_PATHS && e->paths[i].path; i++)
		if (!e->had[i])
			engine_sh(e, NULL, 0, "%s %s", e->paths[i].only_empty ? "rmdir" : "rm -rf",
				  e->paths[i].path);
	engine_sh(e, NULL, 0, "rm -rf %s", e->dir);
	e->dir[0] = '\0';
}
