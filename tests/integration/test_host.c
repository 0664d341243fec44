/*
 * test_host.c - nothing left behind. Runs after every integration suite.
 */
#include "../suites.h"
#include "hostcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The detector itself: a mount and a cgroup made here must show up. */
START_TEST(host_detector_sees_a_leaked_mount)
{
	struct snapshot before, during, after;
	char dir[] = "/tmp/nutshell-leak.XXXXXX", diff[4096];

	ck_assert_int_eq(hostcheck_snapshot(&before), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mount("nutshell-leak", dir, "tmpfs", 0, "size=1M"), 0);
	ck_assert_int_eq(hostcheck_snapshot(&during), 0);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	ck_assert_int_eq(hostcheck_snapshot(&after), 0);

	size_t n = hostcheck_diff(&before, &during, diff, sizeof(diff));
	char mount_line[256], tmp_line[256];
	snprintf(mount_line, sizeof(mount_line), "+ mount %s tmpfs\n", dir);
	snprintf(tmp_line, sizeof(tmp_line), "+ tmp %s\n", dir + strlen("/tmp/"));
	ck_assert_msg(n == 2 && strstr(diff, mount_line) && strstr(diff, tmp_line),
		      "expected the mount and the directory, got %zu:\n%s", n, diff);
	ck_assert_uint_eq(hostcheck_diff(&before, &after, diff, sizeof(diff)), 0);
	hostcheck_free(&before);
	hostcheck_free(&during);
	hostcheck_free(&after);
}
END_TEST

START_TEST(host_unchanged_after_the_integration_suites)
{
	struct snapshot now;
	char diff[8192];

	ck_assert_int_eq(hostcheck_snapshot(&now), 0);
	size_t n = hostcheck_diff(hostcheck_baseline(), &now, diff, sizeof(diff));
	ck_assert_msg(n == 0, "the tests left %zu difference(s) on the host:\n%s", n, diff);
	hostcheck_free(&now);
}
END_TEST

Suite *
suite_host(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("host");

	tcase_add_test(tc, host_detector_sees_a_leaked_mount);
	tcase_add_test(tc, host_unchanged_after_the_integration_suites);
	suite_add_tcase(s, tc);
	return s;
}
