/*
 * grader.c - exercise 03-filter: `make grade EX=03-filter`.
 */
#include "../grade.h"

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

START_TEST(profile_row)
{
	ck_assert_msg(fact_is("profile_getppid", "EPERM"),
		      "the profile says getppid: %s; make its row SC_EPERM (TODO 1)",
		      run_fact(&grade_run, "profile_getppid"));
}
END_TEST

START_TEST(filter_loaded)
{
	json_t *nnp = grade_syscall("prctl", "PR_SET_NO_NEW_PRIVS");
	json_t *load = grade_syscall("seccomp", "SECCOMP_SET_MODE_FILTER");

	ck_assert_msg(load, "no seccomp(SECCOMP_SET_MODE_FILTER, ...) in the trace: build the "
			    "filter with sc_build() and install it with sc_load() in child_main() "
			    "(TODO 2)");
	ck_assert_msg(json_integer_value(json_object_get(load, "ret")) == 0,
		      "seccomp(%s) = %s: set no_new_privs first, caps_set_no_new_privs() (TODO 2)",
		      grade_args(load), grade_result(load));
	ck_assert_msg(nnp, "no prctl(PR_SET_NO_NEW_PRIVS) in the trace: as root the filter loads "
			   "without it, but nobody else's would; call caps_set_no_new_privs() "
			   "before sc_load() (TODO 2)");
}
END_TEST

START_TEST(getppid_eperm)
{
	ck_assert_msg(fact_is("child_getppid", "EPERM"),
		      "the child's getppid gave '%s', not EPERM: the filter is not loaded, or "
		      "its row does not say SC_EPERM (TODO 1, TODO 2)",
		      run_fact(&grade_run, "child_getppid"));
	ck_assert_msg(strstr(grade_run.err, "getppid() = -1 EPERM"),
		      "no getppid() = -1 EPERM in the trace");
}
END_TEST

START_TEST(rest_works)
{
	ck_assert_msg(fact_is("child_getpid", "ok"),
		      "the child's getpid gave '%s': only getppid may fail; every other call "
		      "stays SC_ALLOW",
		      run_fact(&grade_run, "child_getpid"));
	ck_assert_msg(!strstr(run_fact(&grade_run, "child_status"), "killed"),
		      "the child was %s: SC_KILL kills, SC_EPERM only fails the call (TODO 1)",
		      run_fact(&grade_run, "child_status"));
}
END_TEST

START_TEST(status_line)
{
	ck_assert_msg(fact_is("child_seccomp", "2"),
		      "the child's /proc/self/status says Seccomp: %s, not 2 (a filter) (TODO 2)",
		      run_fact(&grade_run, "child_seccomp"));
	ck_assert_msg(fact_is("parent_seccomp", "0") && fact_is("parent_getppid", "ok"),
		      "the parent has Seccomp: %s and getppid '%s': load the filter in the "
		      "child only, after fork()",
		      run_fact(&grade_run, "parent_seccomp"),
		      run_fact(&grade_run, "parent_getppid"));
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
	grade_begin("03-filter", "it compares root's calls with and without a filter", argc, argv,
		    NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("the profile makes getppid fail with EPERM", profile_row);
	grade_part("the child sets no_new_privs and loads the filter", filter_loaded);
	grade_part("the child's getppid fails with EPERM", getppid_eperm);
	grade_part("the rest works: getpid, and the child is not killed", rest_works);
	grade_part("Seccomp: 2 in the child, 0 in the parent", status_line);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
