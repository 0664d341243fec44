/*
 * grader.c - exercise 04-pivot: `make grade EX=04-pivot`.
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

START_TEST(bound)
{
	json_t *ev = grade_syscall("mount", "MS_BIND");

	ck_assert_msg(ev, "no bind mount in the trace: rootfs_bind_self(root) before pivot_root "
			  "(TODO 1)");
	ck_assert_msg(strstr(grade_args(ev), "/root\""),
		      "mount(%s): bind root/ (the variable root) onto itself (TODO 1)",
		      grade_args(ev));
	ck_assert_msg(json_integer_value(json_object_get(ev, "ret")) == 0, "mount(%s) = %s",
		      grade_args(ev), grade_result(ev));
}
END_TEST

START_TEST(pivoted)
{
	json_t *ev = grade_syscall("pivot_root", NULL);

	ck_assert_msg(ev, "no pivot_root() in the trace: chdir(root), then "
			  "TRACE(syscall(SYS_pivot_root, \".\", \".\"), \"pivot_root\", ...) "
			  "(TODO 2)");
	ck_assert_msg(json_integer_value(json_object_get(ev, "ret")) == 0,
		      "pivot_root(%s) = %s: EBUSY means \".\" is still the old root: "
		      "chdir(root) first (TODO 2); EINVAL means root/ is no mount point yet "
		      "(TODO 1)",
		      grade_args(ev), grade_result(ev));
	ck_assert_msg(fact_is("pivoted", "yes"),
		      "after pivot_root, \"/\" is not root/: chdir(root) before it (TODO 2)");
}
END_TEST

START_TEST(detached)
{
	json_t *ev = grade_syscall("umount2", "MNT_DETACH");

	ck_assert_msg(ev, "no umount2(\".\", MNT_DETACH) in the trace: the old root stays "
			  "stacked on the new one (TODO 3)");
	ck_assert_msg(json_integer_value(json_object_get(ev, "ret")) == 0, "umount2(%s) = %s",
		      grade_args(ev), grade_result(ev));
}
END_TEST

START_TEST(old_root_gone)
{
	ck_assert_msg(fact_is("old_root_present", "no"),
		      "the old root (mount id %s) is still in /proc/self/mountinfo, with %s "
		      "mounts: %s... Detach it after pivot_root (TODO 3)",
		      run_fact(&grade_run, "old_root_id"), run_fact(&grade_run, "mounts_after"),
		      run_fact(&grade_run, "mounts_after_list"));
	ck_assert_msg(fact_is("mounts_after", "2"),
		      "after the pivot %s mounts are left (%s), not 2: the new root and /proc",
		      run_fact(&grade_run, "mounts_after"),
		      run_fact(&grade_run, "mounts_after_list"));
}
END_TEST

START_TEST(inside)
{
	ck_assert_msg(fact_is("motd", "inside the new root"),
		      "/etc/motd reads '%s', not the image's 'inside the new root'",
		      run_fact(&grade_run, "motd"));
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
	grade_begin("04-pivot", "it mounts filesystems", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("the child binds root/ onto itself", bound);
	grade_part("pivot_root(\".\", \".\") makes root/ its \"/\"", pivoted);
	grade_part("umount2 detaches the old root", detached);
	grade_part("mountinfo shows the new root and /proc, the old root gone", old_root_gone);
	grade_part("/etc/motd is the image's", inside);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
