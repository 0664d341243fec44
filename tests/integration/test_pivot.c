/*
 * test_pivot.c - 04-overlay-chroot/pivot: after pivot_root and
 * umount2(MNT_DETACH) the old root is absent from the mount table.
 */
#include "../suites.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define PIVOT "04-overlay-chroot/pivot"

START_TEST(pivot_old_root_gone)
{
	struct run r;
	char why[512];
	const char *argv[] = {PIVOT, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	/* The steps, in order. */
	const char *steps[] = {
	    "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0",
	    "mount(\"overlay\", ",
	    "NULL, MS_BIND|MS_REC, NULL) = 0",
	    "chdir(\"/tmp/nutshell-pivot.",
	    "pivot_root(\".\", \".\") = 0",
	    "mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0",
	    "umount2(\".\", MNT_DETACH) = 0",
	    "chdir(\"/\") = 0"};
	const char *at = r.err;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const char *next = strstr(at, steps[i]);
		ck_assert_msg(next != NULL, "step %zu '%s' missing or out of order:\n%s", i,
			      steps[i], r.err);
		at = next;
	}
	/* The old root: there in the middle, gone after. */
	ck_assert_int_gt(atoi(run_fact(&r, "pivot_old_root_id")), 0);
	ck_assert_str_eq(run_fact(&r, "pivot_old_root_present_middle"), "yes");
	ck_assert_str_eq(run_fact(&r, "pivot_old_root_present_after"), "no");
	ck_assert_str_eq(run_fact(&r, "pivot_mounts_after"), "2");
	ck_assert_str_eq(run_fact(&r, "pivot_mounts_after_list"), "/ overlay, /proc proc");
	ck_assert_int_gt(atoi(run_fact(&r, "pivot_mounts_middle")),
			 atoi(run_fact(&r, "pivot_mounts_after")));
	ck_assert_ptr_nonnull(run_find(&r, "proc", "path", "mountinfo after"));
	ck_assert_ptr_nonnull(strstr(r.out, "the old root's mount id            gone"));
	run_free(&r);
}
END_TEST

START_TEST(pivot_bad_input)
{
	struct run r;
	const char *argv[] = {PIVOT, "--image", "/nonexistent", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "pivot: image '/nonexistent': no such directory\n");
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "mount"));
	run_free(&r);
}
END_TEST

Suite *
suite_pivot(void)
{
	Suite *s = suite_create("pivot");
	TCase *tc = tcase_create("pivot");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pivot_old_root_gone);
	tcase_add_test(tc, pivot_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
