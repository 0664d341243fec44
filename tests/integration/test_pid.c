/*
 * test_pid.c - 01-namespaces/pid and pid1, as the worksheet runs them.
 */
#include "../suites.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define PROG  "01-namespaces/pid"
#define PROG1 "01-namespaces/pid1"

START_TEST(pid_shows_the_difference)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "pid_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "pid_ns_parent"), run_fact(&r, "pid_ns_child"));
	ck_assert_str_eq(run_fact(&r, "pid_inside"), "1");
	ck_assert_str_ne(run_fact(&r, "pid_outside"), "1");
	ck_assert_str_eq(run_fact(&r, "caller_pid_unchanged"), "yes");
	ck_assert_str_eq(run_fact(&r, "pid_for_children_is_child_ns"), "yes");
	ck_assert_str_eq(run_fact(&r, "proc_pids_inside"), "1");
	ck_assert_ptr_nonnull(strstr(r.err, "unshare(CLONE_NEWPID) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "[pid 1] mount(\"proc\", \"/proc\", \"proc\""));
	ck_assert_ptr_nonnull(
	    strstr(r.err, "/proc/self/ns/pid_for_children: ENOENT: no pid 1 yet"));
	ck_assert_ptr_nonnull(strstr(r.out, "processes in /proc"));
	run_free(&r);
}
END_TEST

START_TEST(pid1_is_special)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG1, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "pid_inside"), "1");
	ck_assert_str_eq(run_fact(&r, "orphan_new_parent"), "1");
	ck_assert_str_eq(run_fact(&r, "orphan_reaped_by_pid1"), "3");
	ck_assert_str_eq(run_fact(&r, "sigterm_ignored_by_pid1"), "yes");
	ck_assert_str_eq(run_fact(&r, "sibling_end"), "killed by SIGKILL");
	ck_assert_ptr_nonnull(strstr(r.err, "[pid 1] kill(1, SIGTERM) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "[pid 4] kill(1, SIGTERM) = 0"));
	ck_assert_ptr_nonnull(strstr(r.out, "pid 4 when pid 1 exited: killed by SIGKILL."));
	run_free(&r);
}
END_TEST

/* The step is about re-parenting: the grandchild must see its first parent
 * (pid 2) and then pid 1, in every run, not only when pid 2 happens to exit
 * after the grandchild's first getppid(). */
START_TEST(pid_orphan_reparenting_every_run)
{
	const char *argv[] = {PROG1, NULL};

	for (int i = 0; i < 30; i++) {
		struct run r;

		ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
		ck_assert_msg(r.status == 0, "run %d: exit %d, stderr:\n%s", i + 1, r.status,
			      r.err);
		ck_assert_msg(strstr(r.err, "grandchild: my parent was pid 2, now it is pid 1"),
			      "run %d of 30 did not show the re-parenting:\n%s", i + 1, r.err);
		run_free(&r);
	}
}
END_TEST

/* --step on a projector: pid 1 waits in wait4 while pid 2 is about to
 * clone; one prompt at a time, each naming its pid, and Enter always moves
 * the process that asked. */
START_TEST(pid_step_one_prompt_at_a_time)
{
	const char *argv[] = {PROG1, NULL};
	char *text = NULL;

	int status = run_step_walk(argv, NULL, NULL, NULL, &text);
	ck_assert_msg(status == 0, "exit %d:\n%s", status, text);
	ck_assert_msg(strstr(text, "[pid 1] --step: next wait4("), "%s", text);
	ck_assert_msg(strstr(text, "[pid 2] --step: next clone("), "%s", text);
	ck_assert_msg(strstr(text, "grandchild: my parent was pid 2, now it is pid 1"), "%s", text);
	free(text);
}
END_TEST

START_TEST(pid_bad_input)
{
	const char *argv[] = {PROG, "--bogus", NULL};

	run_expect_usage_error(argv, 2, "unknown option '--bogus'");

	const char *extra[] = {PROG, "surplus", NULL};
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");

	const char *extra1[] = {PROG1, "surplus", NULL};
	run_expect_usage_error(extra1, 2, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_pid(void)
{
	Suite *s = suite_create("pid");
	TCase *tc = tcase_create("pid");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pid_shows_the_difference);
	tcase_add_test(tc, pid1_is_special);
	tcase_add_test(tc, pid_orphan_reparenting_every_run);
	tcase_add_test(tc, pid_step_one_prompt_at_a_time);
	tcase_add_test(tc, pid_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
