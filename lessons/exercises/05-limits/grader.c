/*
 * grader.c - exercise 05-limits: `make grade EX=05-limits`.
 */
#include "../grade.h"

#include <stdlib.h>
#include <string.h>

static int
fact_int(const char *key)
{
	return atoi(run_fact(&grade_run, key));
}

/* Where EV is among the events: they are in the order things happened. */
static size_t
index_of(json_t *ev)
{
	size_t i;
	json_t *e;

	json_array_foreach(grade_run.events, i, e)
	{
		if (e == ev)
			return i;
	}
	return (size_t)-1;
}

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	ck_assert_msg(!strstr(grade_run.err, "make image"), "no image: run 'make image' first");
	grade_assert_trace();
}
END_TEST

START_TEST(pids_max_first)
{
	json_t *open = grade_syscall("openat", "pids.max");
	json_t *write = grade_syscall("write", "\"4\"");
	json_t *clone = grade_syscall("clone", "CLONE_NEWPID");

	ck_assert_msg(open, "pids.max was never opened: cg_set(&cg, \"pids.max\", \"4\") "
			    "before ns_clone() (TODO 1)");
	ck_assert_msg(write, "pids.max was opened but \"4\" never written to it (TODO 1)");
	ck_assert_msg(clone, "no clone() with CLONE_NEWPID in the trace: keep the ns_clone() call");
	ck_assert_msg(index_of(write) < index_of(clone),
		      "pids.max is written after the container started: set it before "
		      "ns_clone() (TODO 1)");
}
END_TEST

START_TEST(attached)
{
	json_t *ev = grade_syscall("openat", "cgroup.procs");

	ck_assert_msg(ev, "nothing was written to the cgroup's cgroup.procs: cg_attach(&cg, pid) "
			  "after ns_clone(), before the parent says go (TODO 2)");
	ck_assert_msg(strcmp(run_fact(&grade_run, "child_in_cgroup"), "yes") == 0,
		      "inside, /proc/self/cgroup does not name the exercise's cgroup: attach the "
		      "child before ns_sync_tell() lets it go (TODO 2)");
}
END_TEST

START_TEST(three_forks_work)
{
	ck_assert_msg(fact_int("forks_ok") == 3,
		      "%d forks worked inside, not 3: with pids.max = 4, pid 1 and 3 more fit "
		      "(TODO 1, TODO 2)",
		      fact_int("forks_ok"));
}
END_TEST

START_TEST(rest_fail_eagain)
{
	ck_assert_msg(fact_int("forks_eagain") == 5 && fact_int("forks_other") == 0,
		      "%d forks failed with EAGAIN and %d otherwise, not 5 and 0: the cgroup "
		      "refuses the fifth process (TODO 1, TODO 2)",
		      fact_int("forks_eagain"), fact_int("forks_other"));
	ck_assert_msg(strstr(grade_run.err, "= -1 EAGAIN"), "no clone() = -1 EAGAIN in the trace");
}
END_TEST

START_TEST(command_output)
{
	ck_assert_msg(strstr(grade_run.out, "hello from limits, pid 1\n"),
		      "the command printed '%s', not 'hello from limits, pid 1': its forks' "
		      "children must be gone first",
		      grade_run.out);
}
END_TEST

START_TEST(removed)
{
	json_t *ev = grade_syscall("unlinkat", "AT_REMOVEDIR");

	ck_assert_msg(ev && json_integer_value(json_object_get(ev, "ret")) == 0,
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
	grade_begin("05-limits", "it creates namespaces, mounts and cgroups", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("4 is written to pids.max before the container starts", pids_max_first);
	grade_part("the container's pid 1 is moved into the cgroup", attached);
	grade_part("inside, 3 forks work", three_forks_work);
	grade_part("the other 5 fail with EAGAIN", rest_fail_eagain);
	grade_part("the command prints hello from limits, pid 1", command_output);
	grade_part("the cgroup is removed at the end", removed);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
