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

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tree at DIR listed as the host check lists the default image, sorted. */
static void
list_tree(struct snapshot *s, const char *dir)
{
	*s = (struct snapshot){0};
	ck_assert_int_eq(hostcheck_tree(s, dir), 0);
	qsort(s->lines, s->n, sizeof(*s->lines), by_text);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %m", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The image's part of the detector, on a small tree of its own (the real
 * image is never written): last session a test's stray directory and a
 * racing build's busybox.tmp.NNNN in images/busybox went unseen until the
 * store tests failed. A new entry, a rewrite of the same size and a mode
 * change must each show. */
START_TEST(host_detector_sees_a_written_image)
{
	char dir[] = "/tmp/nutshell-image.XXXXXX", path[256], diff[4096];
	struct snapshot before, after;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bin", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/busybox", dir);
	write_file(path, "busybox");
	ck_assert_int_eq(chmod(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/sh", dir);
	ck_assert_int_eq(symlink("busybox", path), 0);
	list_tree(&before, dir);
	ck_assert_uint_eq(before.n, 4); /* /, bin, bin/busybox, bin/sh */

	snprintf(path, sizeof(path), "%s/stray", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/bin/busybox.tmp.1234", dir);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/bin/busybox", dir);
	write_file(path, "BUSYBOX"); /* the same size, other bytes */
	ck_assert_int_eq(chmod(path, 0700), 0);
	list_tree(&after, dir);
	size_t n = hostcheck_diff(&before, &after, diff, sizeof(diff));
	ck_assert_msg(
	    n == 4 && strstr(diff, "+ image /stray d 0700 0:0\n") &&
		strstr(diff, "+ image /bin/busybox.tmp.1234 f 0644 0:0 0 sha256:e3b0c442") &&
		strstr(diff, "- image /bin/busybox f 0755 0:0 7 sha256:") &&
		strstr(diff, "+ image /bin/busybox f 0700 0:0 7 sha256:"),
	    "expected the directory, the file and the rewrite, got %zu:\n%s", n, diff);

	/* And the host check lists the real image, when it is built. */
	struct snapshot host;
	int listed = access(HOSTCHECK_IMAGE "/bin/busybox", F_OK) == -1;
	ck_assert_int_eq(hostcheck_snapshot(&host), 0);
	for (size_t i = 0; i < host.n; i++)
		listed |= strncmp(host.lines[i], "image /bin/busybox f 0755 ", 26) == 0;
	ck_assert_msg(listed, "the host check does not list %s", HOSTCHECK_IMAGE);
	hostcheck_free(&host);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	hostcheck_free(&before);
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
	tcase_add_test(tc, host_detector_sees_a_written_image);
	tcase_add_test(tc, host_unchanged_after_the_integration_suites);
	suite_add_tcase(s, tc);
	return s;
}
