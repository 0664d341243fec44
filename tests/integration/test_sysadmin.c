/*
 * test_sysadmin.c - 03-capabilities/sysadmin: the mount allowed with
 * CAP_SYS_ADMIN, refused without it, invisible to the host.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define SYSADMIN "03-capabilities/sysadmin"

START_TEST(sysadmin_mount_allowed_and_denied)
{
	struct run r;
	char why[512];
	const char *argv[] = {SYSADMIN, NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "mount_with_sys_admin"), "0");
	ck_assert_str_eq(run_fact(&r, "child_entries"), "0");
	ck_assert_str_eq(run_fact(&r, "mount_without_sys_admin"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "umount_without_sys_admin"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "host_entries"), "1");
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWNS|CLONE_NEWUSER|SIGCHLD) = "));
	ck_assert_ptr_nonnull(strstr(r.err, "prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0"));
	ck_assert_ptr_nonnull(strstr(r.out, "must never keep it"));
	run_free(&r);
}
END_TEST

START_TEST(sysadmin_bad_input)
{
	struct run r;
	const char *argv[] = {SYSADMIN, "surplus", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "sysadmin: unexpected argument 'surplus'; see 'sysadmin --help'\n");
	run_free(&r);
}
END_TEST

Suite *
suite_sysadmin(void)
{
	Suite *s = suite_create("sysadmin");
	TCase *tc = tcase_create("sysadmin");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sysadmin_mount_allowed_and_denied);
	tcase_add_test(tc, sysadmin_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
