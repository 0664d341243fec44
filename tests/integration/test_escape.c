/*
 * test_escape.c - 04-overlay-chroot/escape: the chroot escape succeeds, the
 * same steps after pivot_root do not, and the host is never reached.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define ESCAPE "04-overlay-chroot/escape"

START_TEST(escape_chroot_escapes_pivot_holds)
{
	struct run r;
	char why[512];
	const char *argv[] = {ESCAPE, NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	/* The scratch world: private, pivoted into, old root detached. */
	ck_assert_ptr_nonnull(
	    strstr(r.err, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "pivot_root(\".\", \".\") = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "umount2(\".\", MNT_DETACH) = 0"));
	/* The escape's steps, all successful, in both prisoners. */
	ck_assert_ptr_nonnull(strstr(r.err, "chroot(\"/.escape-chroot\") = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "chroot(\"/.escape-pivot\") = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "chdir(\"..\") = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "CAP_SYS_CHROOT held"));
	/* Under chroot: back at the scratch root. After pivot_root: still in the image. */
	ck_assert_str_eq(run_fact(&r, "chroot_escape"), "escaped");
	ck_assert_str_eq(run_fact(&r, "chroot_root_after_escape"), run_fact(&r, "root_scratch"));
	ck_assert_str_ne(run_fact(&r, "chroot_root_inside"), run_fact(&r, "root_scratch"));
	ck_assert_str_eq(run_fact(&r, "pivot_escape"), "contained");
	ck_assert_str_eq(run_fact(&r, "pivot_root_after_escape"),
			 run_fact(&r, "pivot_root_inside"));
	ck_assert_ptr_nonnull(strstr(r.out, "after pivot_root"));
	ck_assert_ptr_nonnull(strstr(r.out, "/scratch-root-marker found yes"));
	run_free(&r);
}
END_TEST

START_TEST(escape_bad_input)
{
	struct run r;
	const char *argv[] = {ESCAPE, "--image", "relative/dir", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "escape: image 'relative/dir': expected an absolute path\n");
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "mount"));
	run_free(&r);
}
END_TEST

Suite *
suite_escape(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, escape_chroot_escapes_pivot_holds);
	tcase_add_test(tc, escape_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
