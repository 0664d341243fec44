/*
 * test_freeze.c - 02-cgroups/freeze: the child's counter stands still
 * while its cgroup is frozen and moves again once thawed.
 */
#include "../suites.h"
#include "cgcheck.h"

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREEZE "02-cgroups/freeze"

START_TEST(freeze_stops_and_thaws)
{
	struct run r;
	const char *argv[] = {FREEZE, NULL};
	int v1 = cg_is_v1("freezer");

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	cg_check_trace(&r);
	if (v1) {
		ck_assert(cg_wrote(&r, "freezer.state", "FROZEN"));
		ck_assert(cg_wrote(&r, "freezer.state", "THAWED"));
		ck_assert_ptr_nonnull(strstr(r.err, "freezer.state: FROZEN"));
	} else {
		ck_assert(cg_wrote(&r, "cgroup.freeze", "1"));
		ck_assert(cg_wrote(&r, "cgroup.freeze", "0"));
		ck_assert_ptr_nonnull(strstr(r.err, "cgroup.events: frozen 1"));
	}
	ck_assert_str_eq(run_fact(&r, "frozen"), "yes");
	ck_assert_str_eq(run_fact(&r, "count_while_frozen"), "0");
	ck_assert_int_gt(atoi(run_fact(&r, "count_after_thaw")), 0);
	ck_assert_str_ne(run_fact(&r, "state_frozen"), "R");
	ck_assert_ptr_nonnull(strstr(r.out, "after 0.5 s frozen"));
	run_free(&r);
}
END_TEST

/* Worksheet 02, step 6 as written: while `freeze --step` waits before
 * opening the freeze file, the pid the note names as the child is in the
 * program's cgroup, and the parent (the pid in the cgroup's name) is not. */
static void
look_from_outside(const char *line, void *data)
{
	char dir[512], path[600], buf[4096], name[64];
	int parent = 0, child = 0;
	const char *end = strstr(line, "/cgroup.freeze");
	const char *start = strstr(line, "\"/sys/fs/cgroup/");

	if (!end)
		end = strstr(line, "/freezer.state");
	if (!end)
		return; /* another openat: cgroup.procs, cgroup.events */
	ck_assert_msg(start && end && end > start, "no cgroup path in: %s", line);
	snprintf(dir, sizeof(dir), "%.*s", (int)(end - start - 1), start + 1);
	ck_assert_msg(sscanf(strrchr(dir, '/'), "/nutshell-freeze-%d", &parent) == 1, "%s", dir);
	snprintf(name, sizeof(name), "/nutshell-freeze-%d", parent);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	ck_assert_int_eq(sscanf(read_line_file(path, buf, sizeof(buf)), "%d", &child), 1);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", child);
	FILE *f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(buf, name), "the child %d is not in %s:\n%s", child, name, buf);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", parent);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_msg(!strstr(buf, name), "the parent %d moved too:\n%s", parent, buf);
	*(int *)data = child;
}

START_TEST(freeze_step_6_look_from_outside)
{
	const char *argv[] = {"02-cgroups/freeze", NULL};
	char *text = NULL, note[96];
	int child = 0;

	int status = run_step_walk(argv, "--step: next openat(", look_from_outside, &child, &text);
	ck_assert_msg(status == 0, "exit %d:\n%s", status, text);
	ck_assert_msg(child > 0, "no pause before the freeze:\n%s", text);
	snprintf(note, sizeof(note), "the child, pid %d, is now in ", child);
	ck_assert_msg(strstr(text, note), "the trace does not name the child %d:\n%s", child, text);
	free(text);
}
END_TEST

START_TEST(freeze_bad_input)
{
	const char *extra[] = {FREEZE, "now", NULL};

	cg_check_usage_error(extra, "unexpected argument 'now'");
}
END_TEST

START_TEST(freeze_needs_a_cgroup)
{
	cg_check_needs_cgroup(FREEZE);
}
END_TEST

/* Ctrl-C at a --step pause: it stops at once, removes its cgroup, says
 * so in one line and exits 130, as nutshell does. */
START_TEST(freeze_ctrl_c_at_a_pause)
{
	cg_check_ctrl_c_at_a_pause("02-cgroups/freeze", "nutshell-freeze-");
}
END_TEST

Suite *
suite_freeze(void)
{
	Suite *s = suite_create("freeze");
	TCase *tc = tcase_create("freeze");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, freeze_ctrl_c_at_a_pause);
	tcase_add_test(tc, freeze_stops_and_thaws);
	tcase_add_test(tc, freeze_step_6_look_from_outside);
	tcase_add_test(tc, freeze_bad_input);
	tcase_add_test(tc, freeze_needs_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
