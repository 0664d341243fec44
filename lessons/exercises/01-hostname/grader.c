/*
 * grader.c - exercise 01-hostname: `make grade EX=01-hostname`.
 */
#include "../grade.h"

#include <string.h>

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(clone_newuts)
{
	json_t *ev = grade_syscall("clone", NULL);

	ck_assert_msg(ev, "no clone() in the trace: keep the ns_clone() call");
	ck_assert_msg(strstr(grade_args(ev), "CLONE_NEWUTS"),
		      "clone() was called with %s: add CLONE_NEWUTS to its flags (TODO 1)",
		      grade_args(ev));
}
END_TEST

START_TEST(namespace_differs)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "uts_ns_differs"), "yes") == 0,
		      "parent and child show the same %s: the child is not in a UTS namespace "
		      "of its own (TODO 1)",
		      run_fact(&grade_run, "uts_ns_parent"));
}
END_TEST

START_TEST(sethostname_called)
{
	json_t *ev = grade_syscall("sethostname", NULL);

	ck_assert_msg(ev, "no sethostname() in the trace: call it in the child, wrapped in "
			  "TRACE(..., \"sethostname\", ...) (TODO 2)");
	ck_assert_msg(json_integer_value(json_object_get(ev, "ret")) == 0,
		      "sethostname(%s) = %s: the child needs a UTS namespace of its own, and root",
		      grade_args(ev), grade_result(ev));
}
END_TEST

START_TEST(child_hostname)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "hostname_inside"), "exercise-01") == 0,
		      "the child reads its hostname as '%s', not 'exercise-01': pass new_hostname "
		      "and its length to sethostname() (TODO 2)",
		      run_fact(&grade_run, "hostname_inside"));
}
END_TEST

START_TEST(host_unchanged)
{
	char now[256];

	read_line_file("/proc/sys/kernel/hostname", now, sizeof(now));
	ck_assert_msg(strcmp(run_fact(&grade_run, "host_unchanged"), "yes") == 0 &&
			  strcmp(now, run_fact(&grade_run, "hostname_host_before")) == 0,
		      "the host's hostname changed from '%s' to '%s': sethostname() ran in the "
		      "host's namespace. Put it back: sudo hostname '%s'",
		      run_fact(&grade_run, "hostname_host_before"), now,
		      run_fact(&grade_run, "hostname_host_before"));
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
	grade_begin("01-hostname", "it creates namespaces", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("clone() asks for a new UTS namespace", clone_newuts);
	grade_part("parent and child are in different UTS namespaces", namespace_differs);
	grade_part("the child calls sethostname() and it works", sethostname_called);
	grade_part("the child's hostname is exercise-01", child_hostname);
	grade_part("the host's hostname did not change", host_unchanged);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
