/*
 * grader.c - exercise 02-pidslimit: `make grade EX=02-pidslimit`.
 */
#include "../grade.h"

#include <stdlib.h>
#include <string.h>

static int
fact_int(const char *key)
{
	return atoi(run_fact(&grade_run, key));
}

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(pids_max_written)
{
	json_t *ev = grade_syscall("openat", "pids.max");

	ck_assert_msg(ev, "pids.max was never opened: cg_set(&cg, \"pids.max\", \"5\") "
			  "before cg_fork() (TODO 1)");
	ck_assert_msg(grade_syscall("write", "\"5\""),
		      "pids.max was opened but \"5\" never written to it (TODO 1)");
}
END_TEST

START_TEST(four_forks_work)
{
	ck_assert_msg(fact_int("forks_ok") == 4,
		      "%d forks worked, not 4: with pids.max = 5 the child and 4 grandchildren "
		      "fit (TODO 1)",
		      fact_int("forks_ok"));
}
END_TEST

START_TEST(rest_fail_eagain)
{
	ck_assert_msg(fact_int("forks_eagain") == 16 && fact_int("forks_other") == 0,
		      "%d forks counted as EAGAIN and %d as other failures: fork() sets errno "
		      "to EAGAIN at pids.max; count those in res->eagain (TODO 2)",
		      fact_int("forks_eagain"), fact_int("forks_other"));
	ck_assert_msg(strstr(grade_run.err, "= -1 EAGAIN"), "no clone() = -1 EAGAIN in the trace");
}
END_TEST

START_TEST(cgroup_counted)
{
	ck_assert_msg(fact_int("pids_events_max") >= 16,
		      "pids.events shows max %d: the cgroup did not refuse the forks (TODO 1)",
		      fact_int("pids_events_max"));
}
END_TEST

START_TEST(removed)
{
	ck_assert_msg(grade_syscall("unlinkat", "AT_REMOVEDIR") &&
			  json_integer_value(json_object_get(
			      grade_syscall("unlinkat", "AT_REMOVEDIR"), "ret")) == 0,
		      "the cgroup was not removed; keep the cg_kill()/cg_remove() at the end");
}
END_TEST

START_TEST(exit_zero)
{
	ck_assert_msg(grade_run.status == 0, "the program exits %d, not 0; its last lines:\n%s",
		      grade_run.status, grade_err_tail());
}
END_TEST

int
main(int argc, char **argv)
{
	grade_begin("02-pidslimit", "it creates cgroups", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("5 is written to the cgroup's pids.max", pids_max_written);
	grade_part("4 forks work", four_forks_work);
	grade_part("the other 16 fail with EAGAIN", rest_fail_eagain);
	grade_part("pids.events counts the refusals", cgroup_counted);
	grade_part("the cgroup is removed at the end", removed);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
