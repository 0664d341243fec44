/*
 * test_cgroupns.c - 01-namespaces/cgroupns, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>
#include <unistd.h>

#define PROG "01-namespaces/cgroupns"

START_TEST(cgroupns_shows_the_difference)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "cgroup_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "cgroup_ns_parent"), run_fact(&r, "cgroup_ns_child"));
	ck_assert_str_eq(run_fact(&r, "cgroup_inside"), "/");
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "cgroup_outside"), "/nutshell-cgns-"));
	ck_assert_str_eq(run_fact(&r, "cgroup_removed"), "yes");
	ck_assert_ptr_nonnull(strstr(r.err, "unshare(CLONE_NEWCGROUP) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, ", AT_REMOVEDIR) = "));
	ck_assert_ptr_nonnull(strstr(r.out, "read inside:  /\n"));
	ck_assert_int_eq(access(run_fact(&r, "cgroup_dir"), F_OK), -1);
	run_free(&r);
}
END_TEST

START_TEST(cgroupns_bad_input)
{
	const char *argv[] = {PROG, "--bogus", NULL};

	run_expect_usage_error(argv, 2, "unknown option '--bogus'");

	const char *extra[] = {PROG, "surplus", NULL};
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_cgroupns(void)
{
	Suite *s = suite_create("cgroupns");
	TCase *tc = tcase_create("cgroupns");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cgroupns_shows_the_difference);
	tcase_add_test(tc, cgroupns_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
