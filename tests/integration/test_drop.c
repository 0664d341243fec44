/*
 * test_drop.c - 03-capabilities/drop: success with the capability, the
 * errno without it.
 */
#include "../suites.h"
#include "harness.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#define DROP "03-capabilities/drop"

START_TEST(drop_each_capability)
{
	struct run r;
	const char *argv[] = {DROP, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "chown_before"), "0");
	ck_assert_str_eq(run_fact(&r, "chown_after"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "bind_80_before"), "0");
	ck_assert_str_eq(run_fact(&r, "bind_80_after"), "EACCES");
	ck_assert_str_eq(run_fact(&r, "bind_8080_after"), "0");
	ck_assert_str_eq(run_fact(&r, "read_000_no_dac_override_after"), "0");
	ck_assert_str_eq(run_fact(&r, "read_000_before"), "0");
	ck_assert_str_eq(run_fact(&r, "read_000_after"), "EACCES");
	/* The denials, traced with their errno, after the drop that caused them. */
	ck_assert_ptr_nonnull(strstr(r.err, "prctl(PR_CAPBSET_DROP, CAP_CHOWN) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, ", 65534, -1, 0) = -1 EPERM"));
	ck_assert_ptr_nonnull(
	    strstr(r.err, "htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EACCES"));
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWNET|SIGCHLD) = "));
	ck_assert_ptr_nonnull(strstr(r.out, "without CAP_CHOWN"));
	run_free(&r);
}
END_TEST

START_TEST(drop_named_capability)
{
	struct run r;
	const char *argv[] = {DROP, "--cap", "chown", NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "chown EPERM, bind port 80 0, read mode 000 0"));
	run_free(&r);
}
END_TEST

/* How many /tmp/nutshell-drop.* directories there are. */
static size_t
drop_dirs(void)
{
	glob_t g;
	size_t n = glob("/tmp/nutshell-drop.*", 0, NULL, &g) == 0 ? g.gl_pathc : 0;

	globfree(&g);
	return n;
}

/* Ctrl-C in the middle (at the first fchownat, the scratch directory made):
 * the program still removes its directory, then ends by the signal. */
START_TEST(drop_ctrl_c_leaves_nothing)
{
	const char *argv[] = {DROP, NULL};
	char *text = NULL;
	size_t before = drop_dirs();

	int status = run_step_walk(argv, "--step: next fchownat(", NULL, NULL, &text);
	ck_assert_msg(status == 130, "exit %d:\n%s", status, text);
	ck_assert_msg(drop_dirs() == before, "/tmp/nutshell-drop.* left behind after Ctrl-C:\n%s",
		      text);
	free(text);
}
END_TEST

START_TEST(drop_bad_input)
{
	const char *unknown[] = {DROP, "--cap", "CAP_FLY", NULL};
	const char *number[] = {DROP, "--cap", "7", NULL};
	const char *extra[] = {DROP, "surplus", NULL};

	run_expect_usage_error(unknown, 2,
			       "drop: --cap: unknown capability 'CAP_FLY': expected a name");
	run_expect_usage_error(number, 2, "unknown capability '7'");
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

START_TEST(drop_needs_root)
{
	struct run r;
	const char *argv[] = {DROP, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "needs root"));
	run_free(&r);
}
END_TEST

Suite *
suite_drop(void)
{
	Suite *s = suite_create("drop");
	TCase *tc = tcase_create("drop");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, drop_each_capability);
	tcase_add_test(tc, drop_named_capability);
	tcase_add_test(tc, drop_ctrl_c_leaves_nothing);
	tcase_add_test(tc, drop_bad_input);
	tcase_add_test(tc, drop_needs_root);
	suite_add_tcase(s, tc);
	return s;
}
