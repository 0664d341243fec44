/*
 * test_chroot.c - 04-overlay-chroot/chroot: "/" is the image, the rest is
 * the host's.
 */
#include "../suites.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define CHROOT "04-overlay-chroot/chroot"

START_TEST(chroot_only_changes_slash)
{
	struct run r;
	char why[512];
	const char *argv[] = {CHROOT, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_ptr_nonnull(strstr(r.err, "chroot(\".\") = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "mount(\"proc\", \"/tmp/nutshell-chroot."));
	/* "/" is the image ... */
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "chroot_root_listing"), "bin"));
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "chroot_image"), "BusyBox"));
	/* ... the processes, the pid namespace and the files are the host's. */
	ck_assert_int_gt(atoi(run_fact(&r, "chroot_proc_pids")), 3);
	ck_assert_str_eq(run_fact(&r, "chroot_pid_ns_is_host"), "yes");
	ck_assert_str_eq(run_fact(&r, "chroot_host_fs_via_proc"), "yes");
	ck_assert_ptr_nonnull(strstr(r.out, "exists: the host's /tmp, reached from inside"));
	run_free(&r);
}
END_TEST

START_TEST(chroot_bad_input)
{
	struct run r;
	const char *argv[] = {CHROOT, "--image", "busybox", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "chroot: image 'busybox': expected an absolute path\n");
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "mount"));
	run_free(&r);
}
END_TEST

Suite *
suite_chroot(void)
{
	Suite *s = suite_create("chroot");
	TCase *tc = tcase_create("chroot");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, chroot_only_changes_slash);
	tcase_add_test(tc, chroot_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
