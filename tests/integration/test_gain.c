/*
 * test_gain.c - 03-capabilities/gain: CAP_NET_BIND_SERVICE gained at
 * execve(2) by file capabilities, ambient and set-uid root, as uid 65534;
 * blocked by a reduced bounding set and by no_new_privs (but for ambient).
 */
#include "../suites.h"
#include "harness.h"

#include <glob.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GAIN "03-capabilities/gain"

/* CapEff of the executed copy has CAP_NET_BIND_SERVICE (10). */
static int
has_bind_service(const struct run *r, const char *key)
{
	char k[96];

	snprintf(k, sizeof(k), "%s_capeff", key);
	return (strtoull(run_fact(r, k), NULL, 16) >> 10) & 1;
}

START_TEST(gain_and_blocks)
{
	struct run r;
	char why[512];
	const char *argv[] = {GAIN, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "file_caps_xattr"), "cap_net_bind_service=ep");

	/* The gains, as the executed copy's CapEff shows them. */
	ck_assert_str_eq(run_fact(&r, "file_caps"), "gained");
	ck_assert_str_eq(run_fact(&r, "file_caps_capeff"), "0000000000000400");
	ck_assert_str_eq(run_fact(&r, "file_caps_euid"), "65534");
	ck_assert_str_eq(run_fact(&r, "ambient"), "gained");
	ck_assert_str_eq(run_fact(&r, "ambient_capeff"), "0000000000000400");
	ck_assert_str_eq(run_fact(&r, "set_uid"), "gained");
	ck_assert_str_eq(run_fact(&r, "set_uid_euid"), "0");
	ck_assert(has_bind_service(&r, "set_uid"));

	/* Bounding reduced: the file is refused, ambient cannot be raised,
	 * set-uid root is root without it. */
	ck_assert_str_eq(run_fact(&r, "file_caps_bounding"), "blocked");
	ck_assert_str_eq(run_fact(&r, "file_caps_bounding_execve"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "ambient_bounding"), "blocked");
	ck_assert_str_eq(run_fact(&r, "ambient_bounding_raise"), "EPERM");
	ck_assert_str_eq(run_fact(&r, "ambient_bounding_capeff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "set_uid_bounding"), "blocked");
	ck_assert_str_eq(run_fact(&r, "set_uid_bounding_euid"), "0");
	ck_assert(!has_bind_service(&r, "set_uid_bounding"));
	ck_assert_str_ne(run_fact(&r, "set_uid_bounding_capeff"), "0000000000000000");

	/* no_new_privs: no file capabilities, no set-uid; ambient is kept. */
	ck_assert_str_eq(run_fact(&r, "file_caps_nnp"), "blocked");
	ck_assert_str_eq(run_fact(&r, "file_caps_nnp_capeff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "set_uid_nnp"), "blocked");
	ck_assert_str_eq(run_fact(&r, "set_uid_nnp_euid"), "65534");
	ck_assert_str_eq(run_fact(&r, "set_uid_nnp_capeff"), "0000000000000000");
	ck_assert_str_eq(run_fact(&r, "ambient_nnp"), "gained");

	/* The calls that made the copies and the children, and the refusals. */
	ck_assert_ptr_nonnull(strstr(r.err, "\"security.capability\", {cap_net_bind_service=ep}"));
	ck_assert_ptr_nonnull(strstr(r.err, ", 04755) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "setresuid(65534, 65534, 65534) = 0"));
	ck_assert_ptr_nonnull(
	    strstr(r.err, "PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "prctl(PR_CAPBSET_DROP, CAP_NET_BIND_SERVICE) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "/file-caps\", [\"gain\", \"--report-caps\"], "));
	ck_assert_ptr_nonnull(strstr(r.err, "inheritable=CAP_NET_BIND_SERVICE}) = -1 EPERM"));
	ck_assert_ptr_nonnull(strstr(r.err, "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0"));
	/* strace saw the copies run: the set-uid one too, and the refusal. */
	ck_assert_ptr_nonnull(strstr(r.strace, "/set-uid\", [...], "));
	ck_assert_ptr_nonnull(strstr(r.strace, "/file-caps\", [...], "));
	ck_assert_ptr_nonnull(strstr(r.out, "set-uid root       uid 65534 euid 0"));
	ck_assert_ptr_nonnull(strstr(r.out, "no_new_privs set first:"));

	/* The set-uid root copy and its directory are gone. */
	glob_t g;
	int left = glob("/tmp/nutshell-gain.*", 0, NULL, &g);
	if (left == 0)
		globfree(&g);
	ck_assert_int_eq(left, GLOB_NOMATCH);
	run_free(&r);
}
END_TEST

START_TEST(gain_bad_input)
{
	struct run r;
	const char *extra[] = {GAIN, "surplus", NULL};
	/* The hidden mode is the copy's, alone on its command line: not an option. */
	const char *hidden[] = {GAIN, "--report-caps", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, extra), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "gain: unexpected argument 'surplus'; see 'gain --help'\n");
	run_free(&r);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, hidden), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "gain: unknown option '--report-caps'; see 'gain --help'\n");
	run_free(&r);
}
END_TEST

START_TEST(gain_needs_root)
{
	struct run r;
	const char *argv[] = {GAIN, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "needs root"));
	run_free(&r);
}
END_TEST

Suite *
suite_gain(void)
{
	Suite *s = suite_create("gain");
	TCase *tc = tcase_create("gain");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, gain_and_blocks);
	tcase_add_test(tc, gain_bad_input);
	tcase_add_test(tc, gain_needs_root);
	suite_add_tcase(s, tc);
	return s;
}
