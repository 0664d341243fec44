/*
 * grader.c - exercise 01-pidns: `make grade EX=01-pidns`.
 */
#include "../grade.h"

#include <stdlib.h>
#include <string.h>

static int
fact_is(const char *key, const char *value)
{
	return strcmp(run_fact(&grade_run, key), value) == 0;
}

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(clone_flags)
{
	json_t *ev = grade_syscall("clone", NULL);

	ck_assert_msg(ev, "no clone() in the trace: keep the ns_clone() call");
	ck_assert_msg(strstr(grade_args(ev), "CLONE_NEWPID"),
		      "clone() was called with %s: add CLONE_NEWPID to its flags (TODO 1)",
		      grade_args(ev));
	ck_assert_msg(strstr(grade_args(ev), "CLONE_NEWNS"),
		      "clone() was called with %s: add CLONE_NEWNS too, so the child has mounts "
		      "of its own to change (TODO 1)",
		      grade_args(ev));
	ck_assert_msg(fact_is("pid_ns_differs", "yes") && fact_is("mnt_ns_differs", "yes"),
		      "the child's pid or mount namespace is the parent's (TODO 1)");
}
END_TEST

START_TEST(private_then_proc)
{
	json_t *priv = grade_syscall("mount", "MS_PRIVATE");
	json_t *proc = grade_syscall("mount", "\"proc\"");

	ck_assert_msg(priv, "no mount(..., MS_REC|MS_PRIVATE, ...) in the trace: call "
			    "ns_make_private() in the child before mounting (TODO 2)");
	ck_assert_msg(proc, "no mount of proc in the trace: ns_mount_proc(\"/proc\") in the "
			    "child, after ns_make_private() (TODO 2)");
	ck_assert_msg(json_integer_value(json_object_get(proc, "ret")) == 0, "mount(%s) = %s",
		      grade_args(proc), grade_result(proc));
	/* The events are in the order made: the private one must come first. */
	size_t i, at_priv = 0, at_proc = 0;
	json_t *ev;
	json_array_foreach(grade_run.events, i, ev)
	{
		if (ev == priv)
			at_priv = i;
		if (ev == proc)
			at_proc = i;
	}
	ck_assert_msg(at_priv < at_proc,
		      "proc was mounted before the mounts were made private: call "
		      "ns_make_private() first (TODO 2)");
}
END_TEST

START_TEST(pid_one)
{
	ck_assert_msg(fact_is("pid_inside", "1"),
		      "the child says getpid() = %s, not 1: it is pid 1 only as the first "
		      "process of a new pid namespace (TODO 1)",
		      run_fact(&grade_run, "pid_inside"));
	ck_assert_msg(atoi(run_fact(&grade_run, "pid_outside")) > 1,
		      "outside, the child's pid is %s: it should be an ordinary pid",
		      run_fact(&grade_run, "pid_outside"));
}
END_TEST

START_TEST(one_process)
{
	ck_assert_msg(fact_is("procs_inside", "1"),
		      "the child's /proc lists %s processes, not 1: the host's /proc shows every "
		      "process; mount a fresh proc from inside the new pid namespace (TODO 2)",
		      run_fact(&grade_run, "procs_inside"));
}
END_TEST

START_TEST(host_unchanged)
{
	ck_assert_msg(fact_is("host_mounts_unchanged", "yes"),
		      "the host's mounts were '%s' before and '%s' after: a mount leaked out of "
		      "the child. Mount only in its own, private mount namespace (see the "
		      "worksheet's recovery notes: findmnt, umount -l)",
		      run_fact(&grade_run, "host_mounts_before"),
		      run_fact(&grade_run, "host_mounts_after"));
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
	grade_begin("01-pidns", "it creates namespaces and mounts proc", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("clone() asks for new pid and mount namespaces", clone_flags);
	grade_part("the child makes its mounts private, then mounts proc", private_then_proc);
	grade_part("the child is pid 1 inside, an ordinary pid outside", pid_one);
	grade_part("its /proc lists one process: itself", one_process);
	grade_part("the host's mount table did not change", host_unchanged);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
