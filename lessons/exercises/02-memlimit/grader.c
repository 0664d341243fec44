/*
 * grader.c - exercise 02-memlimit: `make grade EX=02-memlimit`.
 */
#include "../grade.h"

#include <stdlib.h>
#include <string.h>

static int
fact_is(const char *key, const char *value)
{
	return strcmp(run_fact(&grade_run, key), value) == 0;
}

/* Where EV is among the events: they are in the order things happened. */
static size_t
index_of(json_t *ev)
{
	size_t i;
	json_t *e;

	json_array_foreach(grade_run.events, i, e) if (e == ev) return i;
	return (size_t)-1;
}

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(memory_max_written)
{
	/* cgroup v2 memory.max; v1 memory.limit_in_bytes. */
	json_t *open = grade_syscall("openat", "memory.max");
	if (!open)
		open = grade_syscall("openat", "memory.limit_in_bytes");
	json_t *write = grade_syscall("write", "\"16777216\"");
	json_t *clone = grade_syscall("clone", NULL);

	ck_assert_msg(open, "memory.max was never opened: cg_set(&cg, \"memory.max\", \"16M\") "
			    "before cg_fork() (TODO 1)");
	ck_assert_msg(write, "memory.max was opened but 16M (16777216 bytes) never written to it "
			     "(TODO 1)");
	ck_assert_msg(clone && index_of(write) < index_of(clone),
		      "the limit is written after the child started: set it before cg_fork(), "
		      "or the child runs unlimited for a while (TODO 1)");
}
END_TEST

START_TEST(swap_limited)
{
	if (!fact_is("swap_file", "yes"))
		return; /* no swap accounting on this host: nothing to limit */
	json_t *open = grade_syscall("openat", "memory.swap.max");
	if (!open)
		open = grade_syscall("openat", "memory.memsw.limit_in_bytes");
	ck_assert_msg(open, "this host can limit swap, but memory.swap.max was never written: "
			    "cg_set(&cg, \"memory.swap.max\", \"0\", ...) when swap_file (TODO 2)");
	ck_assert_msg(json_integer_value(json_object_get(open, "ret")) >= 0, "openat(%s) = %s",
		      grade_args(open), grade_result(open));
}
END_TEST

START_TEST(killed_at_limit)
{
	ck_assert_msg(fact_is("child_status", "killed by SIGKILL"),
		      "the child was not killed but %s, after touching %s MiB: without a limit it "
		      "takes its 64 MiB and ends (TODO 1, TODO 2)",
		      run_fact(&grade_run, "child_status"),
		      run_fact(&grade_run, "child_touched_mib"));
	ck_assert_msg(atoi(run_fact(&grade_run, "child_touched_mib")) < 16,
		      "the child touched %s MiB before it was killed: the limit is 16M (TODO 1)",
		      run_fact(&grade_run, "child_touched_mib"));
}
END_TEST

START_TEST(oom_recognized)
{
	ck_assert_msg(atoll(run_fact(&grade_run, "oom_kill")) >= 1,
		      "the program reports oom_kill %s: read the counter with "
		      "cg_stat(&cg, \"oom_kill\") before the cgroup is removed (TODO 3)",
		      run_fact(&grade_run, "oom_kill"));
	ck_assert_msg(fact_is("oom_killed", "yes"),
		      "the wait status says '%s', yet the program does not call it an OOM kill: "
		      "killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL (TODO 3)",
		      run_fact(&grade_run, "child_status"));
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
	grade_begin("02-memlimit", "it creates cgroups", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("16M is written to memory.max before the child starts", memory_max_written);
	grade_part("swap is limited to 0 where the host can", swap_limited);
	grade_part("the child is killed by SIGKILL before 16 MiB", killed_at_limit);
	grade_part("the program sees the OOM kill and the counter", oom_recognized);
	grade_part("the cgroup is removed at the end", removed);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
