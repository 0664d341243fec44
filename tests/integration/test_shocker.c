/*
 * test_shocker.c - 03-capabilities/shocker: a file outside the chroot read
 * by its handle with CAP_DAC_READ_SEARCH; EPERM without it and under the
 * launcher's seccomp profile.
 */
#include "../suites.h"
#include "harness.h"

#include <glob.h>
#include <string.h>

#define SHOCKER "03-capabilities/shocker"

START_TEST(shocker_escape_and_blocks)
{
	struct run r;
	char why[512];
	const char *argv[] = {SHOCKER, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_ne(run_fact(&r, "handle"), "");

	/* With the capability: not by path, but by handle, and the secret read. */
	ck_assert_str_eq(run_fact(&r, "with_cap_dac_read_search"), "yes");
	ck_assert_str_eq(run_fact(&r, "with_cap_by_path"), "ENOENT");
	ck_assert_str_eq(run_fact(&r, "with_cap_open_by_handle"), "0");
	ck_assert_str_eq(run_fact(&r, "with_cap_read"), "the secret, outside the jail");
	/* Without it: EPERM, nothing read. */
	ck_assert_str_eq(run_fact(&r, "without_cap_dac_read_search"), "no");
	ck_assert_str_eq(run_fact(&r, "without_cap_open_by_handle"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "without_cap_read"), "");
	/* Under the profile: still holding it, and EPERM from the filter. */
	ck_assert_str_eq(run_fact(&r, "seccomp_dac_read_search"), "yes");
	ck_assert_str_eq(run_fact(&r, "seccomp_open_by_handle"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "seccomp_read"), "");
	ck_assert_str_eq(run_fact(&r, "launcher_keeps_dac_read_search"), "no");
	ck_assert_str_eq(run_fact(&r, "launcher_open_by_handle_at"), "EPERM");

	/* The calls under the names strace shows, in the order of the attack. */
	const char *order[] = {"name_to_handle_at(AT_FDCWD, \"/tmp/nutshell-shocker.",
			       "chroot(\".\") = 0",
			       "openat(AT_FDCWD, \"../secret\", O_RDONLY|O_CLOEXEC) = -1 ENOENT",
			       "open_by_handle_at(",
			       ", handle_type=",
			       ", ..., 127) = 29",
			       "prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH) = 0",
			       "O_RDONLY|O_CLOEXEC) = -1 EPERM",
			       "seccomp(SECCOMP_SET_MODE_FILTER, 0, {nutshell-default}) = 0",
			       "O_RDONLY|O_CLOEXEC) = -1 EPERM"};
	const char *at = r.err;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *hit = strstr(at, order[i]);

		ck_assert_msg(hit, "stderr lacks '%s' (in order):\n%s", order[i], r.err);
		at = hit + strlen(order[i]);
	}
	ck_assert_ptr_nonnull(strstr(r.strace, "open_by_handle_at("));
	ck_assert_ptr_nonnull(strstr(r.out, "read \"the secret, outside the jail\""));
	ck_assert_ptr_nonnull(strstr(r.out, "How the launcher prevents it:"));

	glob_t g;
	int left = glob("/tmp/nutshell-shocker.*", 0, NULL, &g);
	if (left == 0)
		globfree(&g);
	ck_assert_int_eq(left, GLOB_NOMATCH);
	run_free(&r);
}
END_TEST

START_TEST(shocker_bad_input)
{
	struct run r;
	const char *argv[] = {SHOCKER, "surplus", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "shocker: unexpected argument 'surplus'; see 'shocker --help'\n");
	run_free(&r);
}
END_TEST

START_TEST(shocker_needs_root)
{
	struct run r;
	const char *argv[] = {SHOCKER, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "needs root"));
	run_free(&r);
}
END_TEST

Suite *
suite_shocker(void)
{
	Suite *s = suite_create("shocker");
	TCase *tc = tcase_create("shocker");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, shocker_escape_and_blocks);
	tcase_add_test(tc, shocker_bad_input);
	tcase_add_test(tc, shocker_needs_root);
	suite_add_tcase(s, tc);
	return s;
}
