/*
 * test_mnt.c - 01-namespaces/mnt, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define PROG "01-namespaces/mnt"

START_TEST(mnt_shows_the_difference)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "mnt_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "mnt_ns_parent"), run_fact(&r, "mnt_ns_child"));
	ck_assert_str_eq(run_fact(&r, "mount_seen_outside_shared"), "yes");
	ck_assert_str_eq(run_fact(&r, "mount_seen_outside_private"), "no");
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "stage_optional"), "shared:"));
	ck_assert_str_eq(run_fact(&r, "child_stage_optional_shared"),
			 run_fact(&r, "stage_optional"));
	ck_assert_str_eq(run_fact(&r, "child_stage_optional_private"), "-");
	ck_assert_str_eq(run_fact(&r, "root_optional_after_private"), "-");
	ck_assert_ptr_nonnull(
	    strstr(r.err, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0"));
	ck_assert_ptr_nonnull(strstr(r.out, "yes (leaked)"));
	/* The host's mount table (ours, the test's) shows neither mount. */
	char mi[256 * 1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t n = f ? fread(mi, 1, sizeof(mi) - 1, f) : 0;
	mi[n] = '\0';
	if (f)
		fclose(f);
	ck_assert_ptr_null(strstr(mi, " - tmpfs stage "));
	ck_assert_ptr_null(strstr(mi, " - tmpfs inner "));
	run_free(&r);
}
END_TEST

/* Worksheet 01, step 7: the two columns of "child's /proc/PID/ns/mnt" are
 * two namespaces alive at once, so their ids differ in every run (a dead
 * namespace's inode number used to be reused by the second). */
START_TEST(mnt_two_children_two_ids)
{
	const char *argv[] = {"01-namespaces/mnt", NULL};

	for (int i = 0; i < 10; i++) {
		struct run r;
		char first[64] = "", second[64] = "";
		const char *row;

		ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
		ck_assert_msg(r.status == 0, "exit %d:\n%s", r.status, r.err);
		row = strstr(r.out, "child's /proc/PID/ns/mnt");
		ck_assert_ptr_nonnull(row);
		ck_assert_int_eq(
		    sscanf(row + strlen("child's /proc/PID/ns/mnt"), "%63s %63s", first, second),
		    2);
		ck_assert_msg(strcmp(first, second) != 0, "run %d: the same id twice: %s", i + 1,
			      first);
		ck_assert_str_eq(run_fact(&r, "mnt_ns_first_child"), first);
		run_free(&r);
	}
}
END_TEST

START_TEST(mnt_bad_input)
{
	const char *argv[] = {PROG, "--bogus", NULL};

	run_expect_usage_error(argv, 2, "unknown option '--bogus'");

	const char *extra[] = {PROG, "surplus", NULL};
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_mnt(void)
{
	Suite *s = suite_create("mnt");
	TCase *tc = tcase_create("mnt");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, mnt_shows_the_difference);
	tcase_add_test(tc, mnt_two_children_two_ids);
	tcase_add_test(tc, mnt_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
