/*
 * test_pids.c - 02-cgroups/pids: fork fails with EAGAIN at pids.max, the
 * bomb is counted and cleaned up, bad input is refused.
 */
#include "../suites.h"
#include "cgcheck.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIDS "02-cgroups/pids"

START_TEST(pids_fork_fails_with_eagain)
{
	struct run r;
	const char *argv[] = {PIDS, "--max", "6", NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	cg_check_trace(&r);
	ck_assert_msg(cg_wrote(&r, "pids.max", "6"), "no write of pids.max in:\n%s", r.err);
	/* The child itself is one of the 6: 5 forks work, the other 35 fail. */
	ck_assert_str_eq(run_fact(&r, "forks_ok"), "5");
	ck_assert_str_eq(run_fact(&r, "forks_eagain"), "35");
	ck_assert_str_eq(run_fact(&r, "forks_other"), "0");
	ck_assert_str_eq(run_fact(&r, "pids_current"), "6");
	ck_assert_int_ge(atoi(run_fact(&r, "pids_events_max")), 35);
	/* The bomb's processes are all gone, reaped, before "after" is counted;
	 * a few may come and go elsewhere on the host meanwhile. */
	int before = atoi(run_fact(&r, "host_processes_before"));
	int after = atoi(run_fact(&r, "host_processes_after"));
	ck_assert_msg(before > 0 && after <= before + 3,
		      "host processes %d before, %d after: the bomb left some", before, after);
	ck_assert_ptr_nonnull(strstr(r.err, "= -1 EAGAIN (Resource temporarily unavailable)"));
	json_t *e = run_find(&r, "syscall", "errno", "EAGAIN");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "name")), "clone");
	ck_assert_ptr_nonnull(strstr(r.out, "5 worked, 35 failed with EAGAIN"));
	run_free(&r);
}
END_TEST

START_TEST(pids_bad_input)
{
	const char *neg[] = {PIDS, "--max", "-1", NULL};
	const char *big[] = {PIDS, "--max", "1000", NULL};
	const char *junk[] = {PIDS, "--max", "2.5", NULL};
	const char *huge[] = {PIDS, "--max", "99999999999", NULL};

	cg_check_usage_error(neg, "'-1': a count cannot be negative");
	cg_check_usage_error(big, "--max '1000': expected 2 to 32");
	cg_check_usage_error(junk, "'2.5': expected a whole number");
	cg_check_usage_error(huge, "too large");
}
END_TEST

START_TEST(pids_needs_a_cgroup)
{
	cg_check_needs_cgroup(PIDS);
}
END_TEST

/* Ctrl-C at a --step pause: it stops at once, removes its cgroup, says
 * so in one line and exits 130, as nutshell does. */
START_TEST(pids_ctrl_c_at_a_pause)
{
	cg_check_ctrl_c_at_a_pause("02-cgroups/pids", "nutshell-pids-");
}
END_TEST

Suite *
suite_pids(void)
{
	Suite *s = suite_create("pids");
	TCase *tc = tcase_create("pids");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pids_ctrl_c_at_a_pause);
	tcase_add_test(tc, pids_fork_fails_with_eagain);
	tcase_add_test(tc, pids_bad_input);
	tcase_add_test(tc, pids_needs_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
