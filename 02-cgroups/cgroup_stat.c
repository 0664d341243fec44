/*
 * cgroup_stat.c - reading a cgroup of our own: its files, shown as "proc"
 * events, and the counters a lesson shows under one set of names on v1 and
 * v2 (see cgroup.h).
 */
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads FILE (or its v1 name) into buf; the path read into path. */
static int
read_quiet(const struct cg *cg, const char *file, char *buf, size_t size, char *path, size_t psize)
{
	const char *v1, *dir = cg_locate(cg, file, &v1);

	if (!dir) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, psize, "%s/%s", dir, v1 ? v1 : file);
	return proc_read(path, buf, size) < 0 ? -1 : 0;
}

int
cg_read(const struct cg *cg, const char *file, char *buf, size_t size)
{
	char path[CG_PATH * 3], *copy, *save = NULL;

	if (read_quiet(cg, file, buf, size, path, sizeof(path)) != 0)
		return -1;
	if (!(copy = strdup(buf)))
		return -1;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		trace_proc(path, line);
	free(copy);
	return 0;
}

long long
cg_parse_key(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

long long
cg_stat(const struct cg *cg, const char *counter)
{
	char text[4096], path[CG_PATH * 3];
	const char *file = strcmp(counter, "oom_kill") == 0 || strcmp(counter, "high") == 0
			       ? "memory.events"
			   : strcmp(counter, "pids_max") == 0 ? "pids.events"
			   : strcmp(counter, "frozen") == 0   ? "cgroup.events"
							      : "cpu.stat";
	int v1 = cg_dir_of(cg, cg_v1_controller(file), NULL) != NULL;

	if (read_quiet(cg, file, text, sizeof(text), path, sizeof(path)) != 0)
		return -1;
	if (strcmp(counter, "frozen") == 0)
		return v1 ? strncmp(text, "FROZEN", 6) == 0 : cg_parse_key(text, "frozen");
	if (strcmp(counter, "pids_max") == 0)
		return cg_parse_key(text, "max");
	if (strcmp(counter, "high") == 0)
		return v1 ? -1 : cg_parse_key(text, "high");
	if (strcmp(counter, "throttled_usec") == 0 && v1) {
		long long ns = cg_parse_key(text, "throttled_time");
		return ns < 0 ? -1 : ns / 1000;
	}
	return cg_parse_key(text, counter);
}

int
cg_freeze(struct cg *cg, int on)
{
	if (cg_set(cg, "cgroup.freeze", on ? "1" : "0") != 0)
		return -1;
	for (double end = wait_now() + 2; wait_now() < end; wait_sleep(0.01, -1))
		if (cg_stat(cg, "frozen") == on)
			return 0;
	return err_set(ETIMEDOUT, "the cgroup did not become %s in 2 s", on ? "frozen" : "thawed");
}
