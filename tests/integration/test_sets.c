/*
 * test_sets.c - 03-capabilities/sets as root, as nobody, and in a user
 * namespace.
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SETS "03-capabilities/sets"

START_TEST(sets_as_root)
{
	struct run r;
	char last[16];
	const char *argv[] = {SETS, NULL};

	read_line_file("/proc/sys/kernel/cap_last_cap", last, sizeof(last));
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* The count is the kernel's. */
	ck_assert_str_eq(run_fact(&r, "cap_last_cap"), last);
	ck_assert_str_ne(run_fact(&r, "self_eff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "self_amb"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "self_probe_unshare"), "0");
	ck_assert_ptr_nonnull(strstr(r.out, "bounding"));
	ck_assert_ptr_nonnull(strstr(r.out, "CAP_CHOWN") ? r.out : strstr(r.out, "all "));
	ck_assert_ptr_nonnull(strstr(r.err, "unshare(CLONE_NEWUTS) = 0"));
	run_free(&r);
}
END_TEST

START_TEST(sets_as_nobody_and_in_userns)
{
	struct run r;
	const char *argv[] = {SETS, "--userns", NULL};

	TEST_SKIP_IN_CHROOT();
	ck_assert_int_eq(run_program(&r, RUN_STRACE | RUN_AS_NOBODY, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* An ordinary user: nothing effective or permitted, the probe refused. */
	ck_assert_str_eq(run_fact(&r, "self_eff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "self_prm"), "0000000000000000");
	ck_assert_str_ne(run_fact(&r, "self_bnd"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "self_probe_unshare"), "EPERM");
	ck_assert_ptr_nonnull(strstr(r.err, "unshare(CLONE_NEWUTS) = -1 EPERM"));
	/* The same user in a new user namespace: every capability, in there. */
	ck_assert_str_eq(run_fact(&r, "userns_eff"), run_fact(&r, "userns_bnd"));
	ck_assert_str_ne(run_fact(&r, "userns_eff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "userns_probe_unshare"), "0");
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWUSER|SIGCHLD) = "));
	ck_assert_ptr_nonnull(strstr(r.out, "in a new user namespace"));
	run_free(&r);
}
END_TEST

START_TEST(sets_of_a_pid)
{
	struct run r;
	const char *argv[] = {SETS, "--pid", "1", NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_ne(run_fact(&r, "pid_bnd"), "");
	ck_assert_ptr_nonnull(strstr(r.out, "process 1:"));
	run_free(&r);
}
END_TEST

START_TEST(sets_bad_input)
{
	const char *bad_pid[] = {SETS, "--pid", "12x", NULL};
	const char *zero[] = {SETS, "--pid", "0", NULL};
	const char *extra[] = {SETS, "surplus", NULL};

	run_expect_usage_error(bad_pid, 2, "--pid '12x': expected a process id");
	run_expect_usage_error(zero, 2, "--pid '0': expected a process id");
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

/* The rule each set's line states is capabilities(7)'s, and the book's
 * transcript shows the same text: execve(2) of a set-uid/set-gid program or
 * one with file capabilities clears the ambient set ("Ambient capability
 * set"), and execve(2) can grow the permitted set (issue 19, items 1, 12). */
START_TEST(sets_state_the_execve_rules)
{
	static const char ambient[] =
	    "kept across execve(2) unless the program is set-uid/gid or has file capabilities";
	static const char permitted[] = "capset(2) only shrinks it, execve(2) may grow it";
	struct run r;
	char book[8192];
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	const char *argv[] = {SETS, NULL};
	char path[512];

	ck_assert_int_eq(run_program(&r, 0, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.out, ambient) != NULL, "no ambient rule in:\n%s", r.out);
	ck_assert_msg(strstr(r.out, permitted) != NULL, "no permitted rule in:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "to any program") == NULL, "old ambient rule in:\n%s", r.out);
	snprintf(path, sizeof(path), "%s/book/transcripts/03-sets.out", root);
	read_text_file(path, book, sizeof(book));
	ck_assert_msg(strstr(book, ambient) != NULL && strstr(book, permitted) != NULL,
		      "%s does not show the rules the program prints: make transcripts", path);
	run_free(&r);
}
END_TEST

Suite *
suite_sets(void)
{
	Suite *s = suite_create("sets");
	TCase *tc = tcase_create("sets");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sets_as_root);
	tcase_add_test(tc, sets_as_nobody_and_in_userns);
	tcase_add_test(tc, sets_of_a_pid);
	tcase_add_test(tc, sets_bad_input);
	tcase_add_test(tc, sets_state_the_execve_rules);
	suite_add_tcase(s, tc);
	return s;
}
