/*
 * test_ipc.c - 01-namespaces/ipc, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "01-namespaces/ipc"

START_TEST(ipc_shows_the_difference)
{
	struct run r;
	char why[512];
	const char *argv[] = {PROG, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "the trace lies: %s", why);
	ck_assert_str_eq(run_fact(&r, "ipc_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "ipc_ns_parent"), run_fact(&r, "ipc_ns_child"));
	/* Each side looked the other's objects up and got ENOENT. */
	ck_assert_str_eq(run_fact(&r, "parent_shm_seen_inside"), "no");
	ck_assert_str_eq(run_fact(&r, "parent_mq_seen_inside"), "no");
	ck_assert_str_eq(run_fact(&r, "child_shm_seen_outside"), "no");
	ck_assert_str_eq(run_fact(&r, "child_mq_seen_outside"), "no");
	ck_assert_str_eq(run_fact(&r, "ipc_cleaned"), "yes");
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWIPC|SIGCHLD) = "));
	ck_assert_ptr_nonnull(strstr(r.err, "shmget("));
	ck_assert_ptr_nonnull(strstr(r.err, ", 0) = -1 ENOENT"));
	ck_assert_ptr_nonnull(strstr(r.err, "mq_unlink("));
	ck_assert_ptr_nonnull(strstr(r.out, "no (ENOENT)"));
	/* Nothing left: the host's namespace no longer has the segment or queue. */
	char shm[64 * 1024], key[32];
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	size_t n = f ? fread(shm, 1, sizeof(shm) - 1, f) : 0;
	shm[n] = '\0';
	if (f)
		fclose(f);
	snprintf(key, sizeof(key), " %ld ", strtol(run_fact(&r, "shm_key_outside"), NULL, 16));
	ck_assert_msg(strstr(shm, key) == NULL, "segment%s left behind", key);
	char mq[128];
	snprintf(mq, sizeof(mq), "%s", run_fact(&r, "mq_outside"));
	ck_assert_int_eq(mq_open(mq, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);
	run_free(&r);
}
END_TEST

START_TEST(ipc_bad_input)
{
	const char *argv[] = {PROG, "--bogus", NULL};

	run_expect_usage_error(argv, 2, "unknown option '--bogus'");

	const char *extra[] = {PROG, "surplus", NULL};
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_ipc(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("ipc");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ipc_shows_the_difference);
	tcase_add_test(tc, ipc_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
