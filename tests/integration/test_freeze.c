/*
 * test_freeze.c - 02-cgroups/freeze: the child's counter stands still
 * while its cgroup is frozen and moves again once thawed.
 */
#include "../suites.h"
#include "cgcheck.h"

#include <stdlib.h>
#include <string.h>

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

Suite *
suite_freeze(void)
{
	Suite *s = suite_create("freeze");
	TCase *tc = tcase_create("freeze");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, freeze_stops_and_thaws);
	tcase_add_test(tc, freeze_bad_input);
	tcase_add_test(tc, freeze_needs_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
