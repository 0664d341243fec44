/*
 * engine.c - the engine suites' common frame (engine.h).
 */
#include "engine.h"
#include "harness.h"

#include <check.h>
#include <fnmatch.h>
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

/* A row of inspect's table: "key<padding>value". */
struct inspect_row {
	const char *key, *value;
};

#define INSPECT_ROWS 128

/* TABLE's rows, split in place; a namespace as "own" or "host" (the inode
 * this process sees: the host's, as the suites run on the host). */
static size_t
inspect_rows(char *table, struct inspect_row rows[])
{
	static const char own[] = "own", host[] = "host";
	char *save = NULL;
	size_t n = 0;

	for (char *line = strtok_r(table, "\n", &save); line && n < INSPECT_ROWS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *value = strchr(line, ' ');
		if (!value)
			continue;
		*value++ = '\0';
		value += strspn(value, " ");
		rows[n] = (struct inspect_row){line, value};
		if (strncmp(line, "ns_", 3) == 0) {
			char path[64], mine[64];
			snprintf(path, sizeof(path), "/proc/self/ns/%s", line + 3);
			ssize_t len = readlink(path, mine, sizeof(mine) - 1);
			mine[len > 0 ? len : 0] = '\0';
			rows[n].value = strcmp(value, mine) == 0 ? host : own;
		}
		n++;
	}
	return n;
}

static const char *
inspect_value(const struct inspect_row rows[], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].key, key) == 0)
			return rows[i].value;
	return NULL;
}

void
engine_expect_inspect(struct engine *e, const char *engine, const char *table,
		      const struct engine_inspect_diff diffs[])
{
	static char mine[16384], theirs[16384], report[8192];
	struct inspect_row m[INSPECT_ROWS], t[INSPECT_ROWS];
	size_t len = 0;

	/* The same questions in nutshell's own container, stdin not a
	 * terminal, as the engines' containers have it. */
	int rc = engine_sh(e, mine, sizeof(mine), "%s run -- inspect </dev/null 2>/dev/null",
			   e->nutshell);
	ck_assert_msg(rc == 0, "nutshell run -- inspect: exit %d: %s", rc, mine);
	snprintf(theirs, sizeof(theirs), "%s", table);
	size_t nm = inspect_rows(mine, m), nt = inspect_rows(theirs, t);
	ck_assert_msg(nm > 40 && nt > 40, "inspect's tables: %zu and %zu rows:\n%s", nm, nt, table);
	report[0] = '\0';
#define REPORT(...)                                                                                \
	len += (size_t)snprintf(report + len, len < sizeof(report) ? sizeof(report) - len : 0,     \
				__VA_ARGS__)
	for (size_t i = 0; i < nm; i++) {
		const char *v = inspect_value(t, nt, m[i].key);
		const struct engine_inspect_diff *d = diffs;
		while (d->key && strcmp(d->key, m[i].key))
			d++;
		if (!v)
			REPORT("%s: no such row under %s\n", m[i].key, engine);
		else if (d->key && fnmatch(d->value, v, 0) != 0)
			REPORT("%s: under %s '%s', expected '%s' (%s)\n", m[i].key, engine, v,
			       d->value, d->why);
		else if (d->key && strcmp(v, m[i].value) == 0)
			REPORT("%s: '%s' as under nutshell run, but listed as a difference (%s)\n",
			       m[i].key, v, d->why);
		else if (!d->key && strcmp(v, m[i].value))
			REPORT("%s: under %s '%s', under nutshell run '%s'\n", m[i].key, engine, v,
			       m[i].value);
	}
	for (size_t i = 0; i < nt; i++)
		if (!inspect_value(m, nm, t[i].key))
			REPORT("%s: only under %s\n", t[i].key, engine);
	for (const struct engine_inspect_diff *d = diffs; d->key; d++)
		if (!inspect_value(m, nm, d->key))
			REPORT("%s: listed, but no such row under nutshell run\n", d->key);
#undef REPORT
	ck_assert_msg(!report[0], "inspect under %s and under nutshell run:\n%.6000s", engine,
		      report);
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
