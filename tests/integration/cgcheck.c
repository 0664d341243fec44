/*
 * cgcheck.c - shared checks of the lesson 02 integration tests (cgcheck.h).
 */
#include "cgcheck.h"
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

void
cg_check_trace(const struct run *r)
{
	run_expect_honest(r);
	size_t i, mk = 0, rm = 0;
	json_t *ev;
	json_array_foreach(r->events, i, ev)
	{
		const char *name = json_string_value(json_object_get(ev, "name"));
		const char *args = json_string_value(json_object_get(ev, "args"));
		long ret = (long)json_integer_value(json_object_get(ev, "ret"));

		/* rmdir(2) is unlinkat(AT_FDCWD, dir, AT_REMOVEDIR) in the trace. */
		if (name && strcmp(name, "mkdirat") == 0 && ret == 0)
			mk++;
		if (name && strcmp(name, "unlinkat") == 0 && args && strstr(args, "AT_REMOVEDIR") &&
		    ret == 0)
			rm++;
	}
	ck_assert_uint_ge(mk, 1);
	ck_assert_uint_eq(mk, rm);
}

/* The "write" right after the openat of FILE wrote VALUE. */
int
cg_wrote(const struct run *r, const char *file, const char *value)
{
	char open_tail[256], written[256];

	snprintf(open_tail, sizeof(open_tail), "/%s\", O_WRONLY|O_CLOEXEC) = ", file);
	snprintf(written, sizeof(written), "\"%s\"", value);
	for (const char *at = strstr(r->err, open_tail); at; at = strstr(at + 1, open_tail)) {
		const char *next = strchr(at, '\n'), *end, *hit;

		if (!next || strncmp(next + 1, "write(", 6) != 0)
			continue;
		end = strchr(next + 1, '\n');
		hit = strstr(next + 1, written);
		if (hit && (!end || hit < end))
			return 1;
	}
	return 0;
}

int
cg_is_v1(const char *controller)
{
	char text[4096], want[64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	snprintf(want, sizeof(want), ":%s:", controller);
	return strstr(text, want) != NULL;
}

void
cg_check_usage_error(const char *const argv[], const char *expected)
{
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, expected) != NULL, "stderr lacks '%s':\n%s", expected, r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "mkdirat"));
	run_free(&r);
}

void
cg_check_needs_cgroup(const char *prog)
{
	struct run r;
	const char *argv[] = {prog, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "needs root, or a cgroup delegated to you"), "stderr:\n%s",
		      r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "mkdirat"));
	run_free(&r);
}

void
cg_check_ctrl_c_at_a_pause(const char *prog, const char *prefix)
{
	const char *argv[] = {prog, NULL};
	char *text = NULL, dir[512] = "";

	int status = run_step_walk(argv, "--step: next clone(", NULL, NULL, &text);
	ck_assert_msg(status == 130, "exit %d:\n%s", status, text);
	ck_assert_msg(strstr(text, "interrupted; cleaned up"), "%s", text);
	ck_assert_msg(!strstr(text, "Unexpected"), "%s", text);
	const char *mk = strstr(text, "mkdirat(AT_FDCWD, \"");
	ck_assert_msg(mk && sscanf(mk, "mkdirat(AT_FDCWD, \"%511[^\"]", dir) == 1,
		      "no mkdirat in:\n%s", text);
	ck_assert_msg(strstr(dir, prefix) && access(dir, F_OK) != 0, "%s is left behind", dir);
	free(text);
}
