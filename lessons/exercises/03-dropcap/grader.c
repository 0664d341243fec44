/*
 * grader.c - exercise 03-dropcap: `make grade EX=03-dropcap`.
 */
#include "../grade.h"

#include <string.h>
#include <sys/stat.h>

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(bounding_drop)
{
	ck_assert_msg(grade_syscall("prctl", "PR_CAPBSET_DROP, CAP_CHOWN"),
		      "no prctl(PR_CAPBSET_DROP, CAP_CHOWN) in the trace: call "
		      "caps_drop(CAP_CHOWN) in child_main() (TODO 1)");
}
END_TEST

START_TEST(effective_lacks_it)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "child_cap_chown"), "no") == 0,
		      "the child's effective set still holds CAP_CHOWN: drop it before "
		      "caps_show() (TODO 1)");
}
END_TEST

START_TEST(child_eperm)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "child_chown"), "EPERM") == 0,
		      "the child's chown back to root gave '%s', not EPERM (TODO 1)",
		      run_fact(&grade_run, "child_chown"));
}
END_TEST

START_TEST(parent_keeps_it)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "parent_chown_after"), "0") == 0,
		      "the parent's chown afterwards gave '%s': drop the capability in the "
		      "child only, not before fork()",
		      run_fact(&grade_run, "parent_chown_after"));
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
	grade_begin("03-dropcap", "only root has CAP_CHOWN to drop", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("the child drops CAP_CHOWN from its bounding set", bounding_drop);
	grade_part("the child's effective set lacks CAP_CHOWN", effective_lacks_it);
	grade_part("the child's chown fails with EPERM", child_eperm);
	grade_part("the parent keeps CAP_CHOWN", parent_keeps_it);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
