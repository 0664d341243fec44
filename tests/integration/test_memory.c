/*
 * test_memory.c - 02-cgroups/memory and memory-high, as the worksheet runs
 * them: the OOM kill with its counter, and on v2 the throttled, living child
 * under memory.high (on v1 the one line saying why not), a trace strace
 * confirms, nothing left, bad input.
 */
#include "../suites.h"
#include "cgcheck.h"

#include <stdlib.h>
#include <string.h>

#define MEMORY	    "02-cgroups/memory"
#define MEMORY_HIGH "02-cgroups/memory-high"

START_TEST(memory_oom_kill_inside_the_cgroup)
{
	struct run r;
	const char *argv[] = {MEMORY, NULL};
	int v1 = cg_is_v1("memory");

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	cg_check_trace(&r);
	/* The limit was written, under the host's own file name. */
	ck_assert_msg(cg_wrote(&r, v1 ? "memory.limit_in_bytes" : "memory.max", "33554432"),
		      "no write of the limit in:\n%s", r.err);
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "mkdirat"));
	/* The kill: SIGKILL in the wait status, counted by the cgroup. */
	ck_assert_str_eq(run_fact(&r, "child_status"), "killed by SIGKILL");
	ck_assert_str_eq(run_fact(&r, "oom_killed"), "yes");
	ck_assert_int_ge(atoi(run_fact(&r, "oom_kill")), 1);
	ck_assert_int_le(atoi(run_fact(&r, "child_touched_mib")), 33);
	ck_assert_ptr_nonnull(strstr(r.err, "killed by SIGKILL"));
	ck_assert_ptr_nonnull(strstr(r.err, "oom_kill 1"));
	ck_assert_ptr_nonnull(strstr(r.out, "killed by SIGKILL (signal 9)"));
	run_free(&r);
}
END_TEST

START_TEST(memory_high_throttles)
{
	struct run r;
	const char *argv[] = {MEMORY_HIGH, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	if (cg_is_v1("memory")) {
		/* One line saying why, and nothing made. */
		ck_assert_msg(r.status == 1, "exit %d, stderr:\n%s", r.status, r.err);
		ck_assert_ptr_nonnull(strstr(r.err,
					     "memory-high: the memory controller is cgroup v1 "
					     "here, which has no memory.high"));
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "mkdirat"));
		run_free(&r);
		return;
	}
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	cg_check_trace(&r);
	/* memory.high: throttled, alive, not killed. */
	ck_assert_msg(cg_wrote(&r, "memory.high", "16777216"), "no memory.high write:\n%s", r.err);
	ck_assert_str_eq(run_fact(&r, "high_child_alive"), "yes");
	ck_assert_int_ge(atoi(run_fact(&r, "high_events")), 1);
	ck_assert_str_eq(run_fact(&r, "high_oom_kill"), "0");
	ck_assert_ptr_nonnull(strstr(r.out, "alive"));
	ck_assert_ptr_nonnull(strstr(r.out, "oom_kill 0"));
	run_free(&r);
}
END_TEST

START_TEST(memory_bad_input)
{
	const char *neg[] = {MEMORY, "--limit", "-5M", NULL};
	const char *junk[] = {MEMORY, "--limit", "lots", NULL};
	const char *big[] = {MEMORY, "--limit", "99999999999999999999G", NULL};
	const char *small[] = {MEMORY, "--limit", "1M", NULL};
	const char *extra[] = {MEMORY, "surplus", NULL};

	cg_check_usage_error(neg, "'-5M': a size cannot be negative");
	cg_check_usage_error(junk, "'lots': expected a size such as 64M");
	cg_check_usage_error(big, "too large");
	cg_check_usage_error(small, "--limit '1M': expected 8M to 1G");
	cg_check_usage_error(extra, "unexpected argument 'surplus'");
	const char *extra_high[] = {MEMORY_HIGH, "surplus", NULL};
	cg_check_usage_error(extra_high, "unexpected argument 'surplus'");
}
END_TEST

START_TEST(memory_needs_a_cgroup)
{
	cg_check_needs_cgroup(MEMORY);
	cg_check_needs_cgroup(MEMORY_HIGH);
}
END_TEST

Suite *
suite_memory(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("memory");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, memory_oom_kill_inside_the_cgroup);
	tcase_add_test(tc, memory_high_throttles);
	tcase_add_test(tc, memory_bad_input);
	tcase_add_test(tc, memory_needs_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
