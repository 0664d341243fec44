/*
 * test_user.c - 01-namespaces/user, as root (it drops to nobody itself) and
 * as an ordinary user.
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER "01-namespaces/user"

/* What every run must show, whoever started it: OUTSIDE is the uid mapped
 * to 0 inside. */
static void
check_user_ns(const struct run *r, const char *outside)
{
	char last[32], overflow[32], caps[32];

	ck_assert_msg(r->status == 0, "exit %d, stderr:\n%s", r->status, r->err);
	run_expect_honest(r);
	ck_assert_ptr_nonnull(strstr(r->err, "flags=CLONE_NEWUSER|SIGCHLD) = "));
	ck_assert_str_eq(run_fact(r, "user_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(r, "user_ns_parent"), run_fact(r, "user_ns_child"));
	/* The maps, written from outside, as one write(2) each. */
	ck_assert_ptr_nonnull(strstr(r->err, "/setgroups\", O_WRONLY|O_CLOEXEC) = "));
	ck_assert_ptr_nonnull(strstr(r->err, ", \"deny\", 4) = 4"));
	ck_assert_ptr_nonnull(strstr(r->err, "/uid_map\", O_WRONLY|O_CLOEXEC) = "));
	/* Root inside, with every capability the kernel has (cap_last_cap + 1),
	 * none outside. */
	ck_assert_str_eq(run_fact(r, "uid_outside"), outside);
	ck_assert_str_eq(run_fact(r, "uid_inside"), "0");
	read_line_file("/proc/sys/kernel/cap_last_cap", last, sizeof(last));
	snprintf(caps, sizeof(caps), "%d", atoi(last) + 1);
	ck_assert_str_eq(run_fact(r, "caps_total"), caps);
	ck_assert_str_eq(run_fact(r, "caps_inside"), caps);
	ck_assert_str_eq(run_fact(r, "caps_outside"), "0");
	/* What that root cannot do. */
	read_line_file("/proc/sys/kernel/overflowuid", overflow, sizeof(overflow));
	ck_assert_str_eq(run_fact(r, "passwd_uid_inside"), overflow);
	ck_assert_str_eq(run_fact(r, "sethostname_initial_uts"), "EPERM");
	ck_assert_str_eq(run_fact(r, "sethostname_own_uts"), "0");
	ck_assert_ptr_nonnull(strstr(r->err, "sethostname(\"user-ns\", 7) = -1 EPERM"));
	ck_assert_ptr_nonnull(strstr(r->out, "EPERM, then 0 after unshare(CLONE_NEWUTS)"));
}

START_TEST(user_as_root_drops_privileges)
{
	struct run r;
	const char *argv[] = {USER, NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	check_user_ns(&r, "65534");
	ck_assert_ptr_nonnull(strstr(r.err, "setuid(65534) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, ", \"0 65534 1\\n\", 10) = 10"));
	run_free(&r);
}
END_TEST

START_TEST(user_as_ordinary_user)
{
	struct run r;
	const char *argv[] = {USER, NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE | RUN_AS_NOBODY, argv), 0);
	check_user_ns(&r, "65534");
	/* Nothing to drop: no setuid in the trace. */
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "setuid"));
	run_free(&r);
}
END_TEST

START_TEST(user_uid_option)
{
	struct run r;
	const char *argv[] = {USER, "--uid", "4321", NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	check_user_ns(&r, "4321");
	ck_assert_ptr_nonnull(strstr(r.out, "4321"));
	run_free(&r);
}
END_TEST

START_TEST(user_bad_input)
{
	const char *zero[] = {USER, "--uid", "0", NULL};
	const char *word[] = {USER, "--uid", "nobody", NULL};
	const char *big[] = {USER, "--uid", "4294967295", NULL};
	const char *extra[] = {USER, "surplus", NULL};

	run_expect_usage_error(zero, 2, "--uid '0': expected a uid from 1 to 4294967294");
	run_expect_usage_error(word, 2, "--uid 'nobody': expected a uid from 1 to 4294967294");
	run_expect_usage_error(big, 2, "--uid '4294967295': expected");
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_user(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("user");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, user_as_root_drops_privileges);
	tcase_add_test(tc, user_as_ordinary_user);
	tcase_add_test(tc, user_uid_option);
	tcase_add_test(tc, user_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
