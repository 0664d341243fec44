/*
 * test_io.c - 02-cgroups/io: reads throttled to io.max where a readable
 * disk exists; where none does, it says so and exits 0 without a cgroup.
 */
#include "../suites.h"
#include "cgcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IO "02-cgroups/io"

START_TEST(io_throttles_or_says_there_is_no_disk)
{
	struct run r;
	const char *argv[] = {IO, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_msg(r.json_error[0] == '\0', "invalid JSON Lines: %s", r.json_error);
	if (strcmp(run_fact(&r, "io_device"), "none") == 0) {
		/* Nothing pretended: no cgroup, one plain sentence. */
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "mkdirat"));
		ck_assert_ptr_nonnull(strstr(r.out, "nothing to throttle"));
	} else {
		cg_check_trace(&r);
		char value[64];
		int v1 = cg_is_v1("blkio");

		snprintf(value, sizeof(value), "%s %s2097152", run_fact(&r, "io_devno"),
			 v1 ? "" : "rbps=");
		ck_assert(cg_wrote(&r, v1 ? "blkio.throttle.read_bps_device" : "io.max", value));
		double rate = atof(run_fact(&r, "io_rate_bps"));
		ck_assert_msg(rate > 0 && rate < 1.5 * 2097152, "read rate %.0f B/s", rate);
	}
	run_free(&r);
}
END_TEST

START_TEST(io_needs_a_cgroup)
{
	cg_check_needs_cgroup(IO);
}
END_TEST

Suite *
suite_io(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("io");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, io_throttles_or_says_there_is_no_disk);
	tcase_add_test(tc, io_needs_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
