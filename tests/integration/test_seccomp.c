/*
 * test_seccomp.c - 03-capabilities/seccomp: EPERM, SIGSYS, the status
 * lines, survival across execve, and the default profile's probes.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define SECCOMP "03-capabilities/seccomp"

START_TEST(seccomp_filters)
{
	struct run r;
	char why[512];
	const char *argv[] = {SECCOMP, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	/* The EPERM, the status lines, the second filter adding to the first. */
	ck_assert_str_eq(run_fact(&r, "getppid"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "seccomp_mode"), "2");
	ck_assert_str_eq(run_fact(&r, "seccomp_filters"), "1");
	ck_assert_str_eq(run_fact(&r, "disable"), "EINVAL");
	ck_assert_str_eq(run_fact(&r, "seccomp_filters_after_second"), "2");
	ck_assert_str_eq(run_fact(&r, "getppid_after_second_filter"), "EPERM");
	ck_assert_ptr_nonnull(strstr(r.err, "getppid() = -1 EPERM"));
	/* strace saw the same (run_honest matched name and errno). */
	ck_assert_ptr_nonnull(strstr(r.strace, "getppid()"));
	/* After execve, the filters are still there; then the kill. */
	ck_assert_ptr_nonnull(
	    strstr(r.out, "after execve: Seccomp 2, Seccomp_filters 2, getppid() = EPERM"));
	ck_assert_str_eq(run_fact(&r, "child_end"), "killed by SIGSYS");
	ck_assert_ptr_nonnull(strstr(r.strace, "killed by SIGSYS"));
	ck_assert_ptr_null(strstr(r.out, "still alive"));
	/* The default profile. */
	ck_assert_str_eq(run_fact(&r, "profile_getpid"), "0");
	ck_assert_str_eq(run_fact(&r, "profile_uname"), "0");
	ck_assert_str_eq(run_fact(&r, "profile_keyctl"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_unshare"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_mount"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_clone3"), "ENOSYS");
	ck_assert_str_eq(run_fact(&r, "profile_io_uring_setup"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_bpf"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_socket_vsock"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "profile_ioctl_tiocsti"), "EPERM");
	ck_assert_ptr_null(strstr(r.out, "UNEXPECTED"));
	run_free(&r);
}
END_TEST

START_TEST(seccomp_show_profile)
{
	struct run r;
	const char *argv[] = {SECCOMP, "--show-profile", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "  open_by_handle_at    EPERM"));
	ck_assert_ptr_nonnull(strstr(r.out, "  clone3               ENOSYS"));
	/* Worksheet 03, step 4: the argument rules and the horizon. */
	ck_assert_ptr_nonnull(
	    strstr(r.out, "  socket               allow  every family but AF_ALG"));
	ck_assert_ptr_nonnull(strstr(r.out, "EPERM  TIOCSTI: types into the terminal"));
	ck_assert_ptr_nonnull(
	    strstr(r.out, "any other call up to number 466: EPERM; a newer one: ENOSYS\n"));
	/* The profile's names this architecture has no call for are said, not
	 * dropped in silence: x86-64 lacks the 32-bit socketcall, arm64 the
	 * calls older than the asm-generic table (open, fork, arch_prctl). */
	const char *skipped = strstr(r.out, "\nno call of this architecture, skipped:");
	ck_assert_ptr_nonnull(skipped);
#if defined(__x86_64__)
	ck_assert_ptr_nonnull(strstr(skipped, " socketcall\n"));
#elif defined(__aarch64__)
	ck_assert_ptr_nonnull(strstr(skipped, " open "));
	ck_assert_ptr_nonnull(strstr(skipped, " fork "));
	ck_assert_ptr_nonnull(strstr(skipped, " arch_prctl "));
#endif
	run_free(&r);
}
END_TEST

START_TEST(seccomp_bad_input)
{
	struct run r;
	const char *argv[] = {SECCOMP, "surplus", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "seccomp: unexpected argument 'surplus'; see 'seccomp --help'\n");
	run_free(&r);
}
END_TEST

Suite *
suite_seccomp(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("seccomp");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, seccomp_filters);
	tcase_add_test(tc, seccomp_show_profile);
	tcase_add_test(tc, seccomp_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
