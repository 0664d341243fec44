/*
 * grader.c - exercise 05-mini: `make grade EX=05-mini`.
 */
#include "../grade.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {"mnt", "uts", "ipc", "pid", "net"};
static const char *const flags[] = {"CLONE_NEWNS", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWPID",
				    "CLONE_NEWNET"};

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	ck_assert_msg(!strstr(grade_run.err, "make image"), "no image: run 'make image' first");
	grade_assert_trace();
}
END_TEST

START_TEST(namespaces)
{
	json_t *ev = grade_syscall("clone", NULL);
	char parent[32], child[32];

	ck_assert_msg(ev, "no clone() in the trace: keep the ns_clone() call");
	for (size_t i = 0; i < 5; i++)
		ck_assert_msg(strstr(grade_args(ev), flags[i]), "clone(%s) lacks %s (TODO 1)",
			      grade_args(ev), flags[i]);
	for (size_t i = 0; i < 5; i++) {
		snprintf(parent, sizeof(parent), "parent_ns_%s", types[i]);
		snprintf(child, sizeof(child), "child_ns_%s", types[i]);
		ck_assert_msg(strcmp(run_fact(&grade_run, parent), run_fact(&grade_run, child)),
			      "the child's %s namespace is the parent's, %s (TODO 1)", types[i],
			      run_fact(&grade_run, parent));
	}
}
END_TEST

START_TEST(pivoted)
{
	json_t *ev = grade_syscall("pivot_root", NULL);

	ck_assert_msg(ev, "no pivot_root() in the trace: rootfs_pivot(merged) after "
			  "rootfs_bind_self() (TODO 2)");
	ck_assert_msg(strcmp(run_fact(&grade_run, "host_dir_visible"), "no") == 0,
		      "the host's temporary directory is still visible inside: the root did "
		      "not change (TODO 2)");
}
END_TEST

START_TEST(capabilities)
{
	ck_assert_msg(grade_syscall("prctl", "PR_CAPBSET_DROP, CAP_SYS_ADMIN"),
		      "CAP_SYS_ADMIN is never dropped from the bounding set: caps_keep_only() "
		      "with caps_default()'s list (TODO 3)");
	ck_assert_msg(strcmp(run_fact(&grade_run, "cap_sys_admin"), "no") == 0,
		      "the container's effective set still has CAP_SYS_ADMIN (TODO 3)");
}
END_TEST

START_TEST(command_output)
{
	ck_assert_msg(strstr(grade_run.out, "hello from mini, pid 1\n"),
		      "the command printed '%s', not 'hello from mini, pid 1': its hostname "
		      "and pid come from the UTS and pid namespaces (TODO 1)",
		      grade_run.out);
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
	grade_begin("05-mini", "it creates namespaces and mounts", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("the child gets five new namespaces", namespaces);
	grade_part("pivot_root makes the image its root", pivoted);
	grade_part("it runs without CAP_SYS_ADMIN", capabilities);
	grade_part("the command prints hello from mini, pid 1", command_output);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
