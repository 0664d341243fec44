/*
 * test_time.c - 01-namespaces/time, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define PROG "01-namespaces/time"

START_TEST(time_shows_the_difference)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "time_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "time_ns_parent"), run_fact(&r, "time_ns_child"));
	ck_assert_str_eq(run_fact(&r, "offsets_applied"), "yes");
	ck_assert_str_eq(run_fact(&r, "wall_clock_same"), "yes");
	ck_assert_str_eq(run_fact(&r, "uptime_difference"), "86400");
	ck_assert_str_eq(run_fact(&r, "second_write"), "EACCES");
	ck_assert_ptr_nonnull(strstr(r.err, "unshare(CLONE_NEWTIME) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "\"monotonic 86400 0\\nboottime 86400 0\\n\""));
	ck_assert_ptr_nonnull(strstr(r.out, "CLOCK_REALTIME"));

	/* --offset changes the difference. */
	const char *other[] = {PROG, "--offset", "3600", NULL};
	run_free(&r);
	ck_assert_int_eq(run_program(&r, RUN_STRACE, other), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_str_eq(run_fact(&r, "uptime_difference"), "3600");
	run_free(&r);
}
END_TEST

START_TEST(time_bad_input)
{
	struct run r;
	const char *argv[] = {PROG, "--bogus", NULL};

	run_expect_usage_error(argv, 2, "unknown option '--bogus'");

	const char *extra[] = {PROG, "surplus", NULL};
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");

	const char *bads[] = {"0", "-5", "12x", "", "315360001"};
	for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++) {
		const char *a[] = {PROG, "--offset", bads[i], NULL};
		ck_assert_int_eq(run_program(&r, RUN_PLAIN, a), 0);
		ck_assert_int_eq(r.status, 2);
		ck_assert_msg(strstr(r.err, "expected whole seconds from 1 to 315360000") != NULL,
			      "stderr: %s", r.err);
		ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s",
			      r.err);
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "unshare"));
		run_free(&r);
	}
}
END_TEST

Suite *
suite_time(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, time_shows_the_difference);
	tcase_add_test(tc, time_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
