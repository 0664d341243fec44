/*
 * test_uts.c - 01-namespaces/uts, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UTS "01-namespaces/uts"

START_TEST(uts_child_gets_its_own_hostname)
{
	struct run r;
	char before[256], after[256];
	const char *argv[] = {UTS, NULL};

	read_line_file("/proc/sys/kernel/hostname", before, sizeof(before));
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	read_line_file("/proc/sys/kernel/hostname", after, sizeof(after));

	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* The call that makes the namespace, decoded by name, in both traces. */
	json_t *clone = run_find(&r, "syscall", "name", "clone");
	ck_assert_ptr_nonnull(clone);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(clone, "args")),
				     "flags=CLONE_NEWUTS|SIGCHLD"));
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWUTS|SIGCHLD) = "));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "sethostname"));
	/* The namespace changed, the child has the new name, the host does not. */
	ck_assert_str_eq(run_fact(&r, "uts_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "uts_ns_parent"), run_fact(&r, "uts_ns_child"));
	ck_assert_str_eq(run_fact(&r, "hostname_inside"), "lesson-01");
	ck_assert_str_eq(run_fact(&r, "host_unchanged"), "yes");
	ck_assert_str_eq(run_fact(&r, "hostname_host_after"), before);
	ck_assert_str_eq(after, before);
	/* What the worksheet tells the participant to look for on stdout. */
	ck_assert_ptr_nonnull(strstr(r.out, "lesson-01"));
	ck_assert_ptr_nonnull(strstr(r.out, "/proc/PID/ns/uts"));
	run_free(&r);
}
END_TEST

START_TEST(uts_hostname_option)
{
	struct run r;
	const char *argv[] = {UTS, "--hostname", "box-42", NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "hostname_inside"), "box-42");
	run_free(&r);
}
END_TEST

START_TEST(uts_bad_input)
{
	const char *unknown[] = {UTS, "--bogus", NULL};
	const char *missing[] = {UTS, "--hostname", NULL};
	const char *too_long[] = {
	    UTS, "--hostname",
	    "a-name-much-longer-than-the-sixty-four-bytes-that-a-hostname-may-have", NULL};
	const char *empty[] = {UTS, "--hostname", "", NULL};
	const char *extra[] = {UTS, "surplus", NULL};

	run_expect_usage_error(unknown, 2, "unknown option '--bogus'");
	run_expect_usage_error(missing, 2, "'--hostname' needs a value");
	run_expect_usage_error(too_long, 2, "expected 1 to 64 characters");
	run_expect_usage_error(empty, 2, "expected 1 to 64 characters");
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

START_TEST(uts_needs_root)
{
	struct run r;
	const char *argv[] = {UTS, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "uts: needs root to create namespaces: run it with sudo\n");
	run_free(&r);
}
END_TEST

START_TEST(uts_quiet_and_step_without_terminal)
{
	struct run r;
	const char *argv[] = {UTS, "-q", "--step", NULL};

	/* No terminal: --step must not wait; -q keeps stderr free of the trace
	 * but the JSON trace stays whole. */
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "clone"));
	ck_assert_ptr_nonnull(strstr(r.out, "lesson-01"));
	run_free(&r);
}
END_TEST

/* Exercise 2 as the worksheet writes it: while `uts --step` waits before the
 * child's sethostname, the child is alive and readlink of its
 * /proc/PID/ns/uts shows another namespace than the parent's (here, the
 * test's: the parent did not unshare). */
static void
readlink_child_uts(const char *line, void *data)
{
	char path[64], child[128], parent[128];
	int pid = 0;
	ssize_t n;

	ck_assert_msg(sscanf(line, "[pid %d]", &pid) == 1, "no pid in: %s", line);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);
	n = readlink(path, child, sizeof(child) - 1);
	ck_assert_msg(n > 0, "readlink %s printed nothing: the child is gone", path);
	child[n] = '\0';
	n = readlink("/proc/self/ns/uts", parent, sizeof(parent) - 1);
	ck_assert_int_gt(n, 0);
	parent[n] = '\0';
	ck_assert_str_ne(child, parent);
	*(int *)data = 1;
}

START_TEST(uts_exercise_2_readlink_at_sethostname)
{
	const char *argv[] = {UTS, NULL};
	char *text = NULL;
	int seen = 0;

	int status =
	    run_step_walk(argv, "--step: next sethostname(", readlink_child_uts, &seen, &text);
	ck_assert_msg(status == 0, "exit %d:\n%s", status, text);
	ck_assert_msg(seen, "no pause before sethostname:\n%s", text);
	free(text);
}
END_TEST

Suite *
suite_uts(void)
{
	Suite *s = suite_create("uts");
	TCase *tc = tcase_create("uts");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, uts_child_gets_its_own_hostname);
	tcase_add_test(tc, uts_hostname_option);
	tcase_add_test(tc, uts_bad_input);
	tcase_add_test(tc, uts_needs_root);
	tcase_add_test(tc, uts_quiet_and_step_without_terminal);
	tcase_add_test(tc, uts_exercise_2_readlink_at_sethostname);
	suite_add_tcase(s, tc);
	return s;
}
