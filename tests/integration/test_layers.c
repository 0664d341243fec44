/*
 * test_layers.c - 04-overlay-chroot/layers, as the worksheet runs it, and
 * the images it must refuse before mounting anything.
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAYERS "04-overlay-chroot/layers"

START_TEST(layers_copyup_whiteout_opaque)
{
	struct run r;
	const char *argv[] = {LAYERS, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* The overlay, mounted in a private mount namespace. */
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWNS|SIGCHLD) = "));
	ck_assert_ptr_nonnull(
	    strstr(r.err, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, "mount(\"overlay\", \"/tmp/nutshell-layers."));
	ck_assert_ptr_nonnull(strstr(r.err, "# overlay options: lowerdir=/tmp/nutshell-layers."));
	/* Copy-up: the file is in the upper, longer; the base is as it was. */
	ck_assert_msg(strncmp(run_fact(&r, "copyup_in_upper"), "file ", 5) == 0, "copy-up: '%s'",
		      run_fact(&r, "copyup_in_upper"));
	ck_assert_str_ne(run_fact(&r, "copyup_in_upper"), run_fact(&r, "copyup_base_unchanged"));
	/* The whiteout is a character device 0/0, and hides the file. */
	ck_assert_str_eq(run_fact(&r, "whiteout"), "char 0:0");
	ck_assert_str_eq(run_fact(&r, "whiteout_hides"), "yes");
	ck_assert_str_eq(run_fact(&r, "opaque_xattr"), "y");
	/* Worksheet 04, step 1 asks for the marker "y" in the trace: decoded. */
	ck_assert_msg(strstr(r.err, "/upper/app/config\", \"trusted.overlay.opaque\", \"y\", "),
		      "no decoded opaque marker in:\n%s", r.err);
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "lgetxattr"));
	/* Two containers on shared layers: far below two copies. */
	long long layers = atoll(run_fact(&r, "disk_layers"));
	long long uppers = atoll(run_fact(&r, "disk_uppers"));
	long long both = atoll(run_fact(&r, "disk_two_containers"));
	long long copies = atoll(run_fact(&r, "disk_two_copies"));
	long long second = atoll(run_fact(&r, "disk_second_container"));
	ck_assert_int_gt(layers, 1000000); /* busybox alone is about 2 MB */
	ck_assert_int_eq(both, layers + uppers);
	ck_assert_int_eq(copies, 2 * layers);
	ck_assert_msg(second * 20 < layers, "second container %lld vs a copy %lld", second, layers);
	ck_assert_msg(both * 10 < copies * 6, "two containers %lld vs two copies %lld", both,
		      copies);
	/* What the worksheet points at on stdout. */
	ck_assert_ptr_nonnull(strstr(r.out, "char 0:0"));
	ck_assert_ptr_nonnull(strstr(r.out, "two copies of base + app"));
	ck_assert_ptr_nonnull(strstr(r.out, "a second container cost"));
	run_free(&r);
}
END_TEST

START_TEST(layers_bad_images)
{
	char img[] = "/tmp/nutshell-badimg.XXXXXX", path[128];
	const char *relative[] = {LAYERS, "--image", "images/busybox", NULL};
	const char *missing[] = {LAYERS, "--image", "/nonexistent/image", NULL};
	const char *bad[] = {LAYERS, "--image", img, NULL};
	const char *extra[] = {LAYERS, "surplus", NULL};

	run_expect_usage_error(relative, 2,
			       "layers: image 'images/busybox': expected an absolute path");
	run_expect_usage_error(missing, 2, "layers: image '/nonexistent/image': no such directory");
	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");

	/* An image whose /proc is the host's, then one whose /dev climbs out. */
	ck_assert_ptr_nonnull(mkdtemp(img));
	snprintf(path, sizeof(path), "%s/proc", img);
	ck_assert_int_eq(symlink("/proc", path), 0);
	run_expect_usage_error(bad, 2, "/proc is a symlink to '/proc', outside the root");
	unlink(path);
	snprintf(path, sizeof(path), "%s/dev", img);
	ck_assert_int_eq(symlink("../../../../dev", path), 0);
	run_expect_usage_error(
	    bad, 2, "/dev is a symlink to '../../../../dev', which climbs above the root");
	unlink(path);
	ck_assert_int_eq(rmdir(img), 0);
}
END_TEST

START_TEST(layers_needs_root)
{
	struct run r;
	const char *argv[] = {LAYERS, NULL};

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "layers: needs root to create namespaces: run it with sudo\n");
	run_free(&r);
}
END_TEST

Suite *
suite_layers(void)
{
	Suite *s = suite_create("layers");
	TCase *tc = tcase_create("layers");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, layers_copyup_whiteout_opaque);
	tcase_add_test(tc, layers_bad_images);
	tcase_add_test(tc, layers_needs_root);
	suite_add_tcase(s, tc);
	return s;
}
