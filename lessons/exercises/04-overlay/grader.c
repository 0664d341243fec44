/*
 * grader.c - exercise 04-overlay: `make grade EX=04-overlay`.
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

START_TEST(overlay_mounted)
{
	json_t *ev = grade_syscall("mount", "\"overlay\"");

	ck_assert_msg(ev, "no mount of an overlay in the trace: rootfs_mount_overlay(&layers, "
			  "merged) in child_main() (TODO 1)");
	ck_assert_msg(strstr(grade_args(ev), "lowerdir=") && strstr(grade_args(ev), "upperdir="),
		      "mount(%s): give the layers a lower, an upper and a work directory (TODO 1)",
		      grade_args(ev));
	ck_assert_msg(json_integer_value(json_object_get(ev, "ret")) == 0, "mount(%s) = %s",
		      grade_args(ev), grade_result(ev));
}
END_TEST

START_TEST(copied_up)
{
	ck_assert_msg(fact_is("copied_up", "yes"),
		      "upper/etc/motd does not exist: the write went nowhere or into a plain "
		      "directory; mount the overlay first (TODO 1)");
}
END_TEST

START_TEST(lower_unchanged)
{
	ck_assert_msg(fact_is("lower_unchanged", "yes"),
		      "the image's etc/motd changed: the lower layer must only be read");
}
END_TEST

START_TEST(whiteout)
{
	json_t *ev = grade_syscall("unlinkat", "etc/issue");

	ck_assert_msg(ev, "no unlinkat of merged/etc/issue in the trace: TRACE(unlinkat(AT_FDCWD, "
			  "path, 0), \"unlinkat\", ...) (TODO 2)");
	ck_assert_msg(fact_is("whiteout", "yes"),
		      "unlinkat(%s) = %s, but upper/etc/issue is no whiteout: delete it through "
		      "the overlay, after mounting it",
		      grade_args(ev), grade_result(ev));
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
	grade_begin("04-overlay", "it mounts filesystems", argc, argv, NULL);
	grade_part("it runs, and strace agrees with its trace", trace_is_honest);
	grade_part("the child mounts an overlay on merged/", overlay_mounted);
	grade_part("the appended motd is copied up into upper/", copied_up);
	grade_part("the image's motd is unchanged", lower_unchanged);
	grade_part("deleting etc/issue leaves a whiteout in upper/", whiteout);
	grade_part("the program exits 0", exit_zero);
	return grade_end();
}
