/*
 * grader.c - exercise build, the container grown across the five lessons:
 * `make grade EX=build`. One part per lesson; a stage not reached yet fails
 * with a hint that names the man page and the effect, not the call.
 */
#include "../grade.h"

#include <stdio.h>
#include <string.h>

START_TEST(runs)
{
	ck_assert_msg(!strstr(grade_run.err, "make image"), "no image: run 'make image' first");
	ck_assert_msg(grade_run.status == 0 || grade_run.status == 1 || grade_run.status == 3,
		      "the program ended with status %d; its last lines:\n%s", grade_run.status,
		      grade_err_tail());
	grade_assert_trace();
}
END_TEST

START_TEST(stage1)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "parent_ns_uts"),
			     run_fact(&grade_run, "child_ns_uts")) != 0,
		      "the child's hostname is the host's: it needs a UTS namespace of its own "
		      "(STAGE 1; clone(2), uts_namespaces(7))");
	ck_assert_msg(strcmp(run_fact(&grade_run, "parent_ns_pid"),
			     run_fact(&grade_run, "child_ns_pid")) != 0,
		      "the child is not pid 1 of anything: it needs a pid namespace of its own "
		      "(STAGE 1; pid_namespaces(7))");
	ck_assert_msg(strstr(grade_run.out, "hello from build, pid 1\n"),
		      "the command printed '%s', not 'hello from build, pid 1' (STAGE 1)",
		      grade_run.out);
}
END_TEST

START_TEST(stage2)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "pids_max"), "16") == 0,
		      "the cgroup's pids.max reads '%s', not 16 (STAGE 2; cgroup-v2.rst, "
		      "\"PID\"; the lesson's helpers write v1 files for you)",
		      run_fact(&grade_run, "pids_max"));
	ck_assert_msg(strcmp(run_fact(&grade_run, "memory_max"), "67108864") == 0,
		      "the cgroup's memory.max reads '%s', not 64 MiB (67108864) (STAGE 2; "
		      "cgroup-v2.rst, \"memory.max\")",
		      run_fact(&grade_run, "memory_max"));
	ck_assert_msg(strcmp(run_fact(&grade_run, "child_in_cgroup"), "yes") == 0,
		      "the child is not in the cgroup: limits on an empty cgroup limit nothing; it "
		      "can move itself before it does anything else (STAGE 2; cgroups(7), "
		      "cgroup.procs)");
}
END_TEST

START_TEST(stage3)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "cap_sys_admin"), "no") == 0,
		      "root in the container still holds CAP_SYS_ADMIN: keep only the "
		      "capabilities a container gets by default, in every set including the "
		      "bounding set (STAGE 3; capabilities(7), the lesson's caps helpers)");
}
END_TEST

START_TEST(stage4)
{
	ck_assert_msg(grade_syscall("pivot_root", NULL),
		      "no pivot_root() in the trace: the image should become the root, with "
		      "the old root detached, not only hidden as chroot does (STAGE 4; "
		      "pivot_root(2))");
	ck_assert_msg(strcmp(run_fact(&grade_run, "host_dir_visible"), "no") == 0,
		      "the host's temporary directory is still reachable inside (STAGE 4)");
}
END_TEST

START_TEST(stage5)
{
	ck_assert_msg(strcmp(run_fact(&grade_run, "command_status"), "3") == 0,
		      "the command exited %s, not 3: /proc/1/comm is not its own sh, so the "
		      "/proc it reads is not its pid namespace's; mount one (STAGE 5; "
		      "pid_namespaces(7), \"/proc and PID namespaces\")",
		      run_fact(&grade_run, "command_status"));
	ck_assert_msg(grade_run.status == 3,
		      "the command exited 3 but the program exits %d: pass the command's "
		      "status on, as nutshell run does (STAGE 5; wait(2), WEXITSTATUS)",
		      grade_run.status);
}
END_TEST

int
main(int argc, char **argv)
{
	grade_begin("build", "it creates namespaces, cgroups and mounts", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", runs);
	grade_part("lesson 01: a hostname and pid 1 of its own", stage1);
	grade_part("lesson 02: at most 16 processes and 64 MiB", stage2);
	grade_part("lesson 03: root without CAP_SYS_ADMIN", stage3);
	grade_part("lesson 04: the image is its root", stage4);
	grade_part("lesson 05: its own /proc, its exit status passed on", stage5);
	return grade_end();
}
