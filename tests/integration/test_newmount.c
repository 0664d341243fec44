/*
 * test_newmount.c - 04-overlay-chroot/newmount, as worksheet 04 step 10
 * runs it: the same root with mount(2) and with the new mount API, every
 * call confirmed by strace under its own name (strace decodes fsopen,
 * fsconfig, fsmount, open_tree, mount_setattr and move_mount), the bind's
 * MS_RDONLY ignored, the detached mounts unlisted, nothing left behind.
 */
#include "../suites.h"
#include "harness.h"

#include <glob.h>
#include <string.h>

#define NEWMOUNT "04-overlay-chroot/newmount"

START_TEST(newmount_worksheet_step10)
{
	struct run r;
	const char *argv[] = {NEWMOUNT, NULL};
	glob_t g;

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* strace names each call of the new API itself, not syscall_0x1b0, and its
	 * flags (it runs with -s 0: strings are ""...; results are padded). */
	const char *decoded[] = {
	    "fsopen(\"\"..., FSOPEN_CLOEXEC)",
	    "fsconfig(",
	    "FSCONFIG_SET_STRING, ",
	    "FSCONFIG_CMD_CREATE, NULL, NULL, 0)",
	    "fsmount(",
	    "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)",
	    "mount_setattr(",
	    "AT_EMPTY_PATH|AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|"
	    "MOUNT_ATTR_NODEV",
	    "move_mount(",
	    "MOVE_MOUNT_F_EMPTY_PATH)"};
	for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++)
		ck_assert_msg(strstr(r.strace, decoded[i]), "strace did not print '%s':\n%.3000s",
			      decoded[i], r.strace);
	/* The worksheet's steps, in its order. */
	const char *steps[] = {
	    "== mount(2): ",
	    "mount(\"overlay\", ",
	    "NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_BIND|MS_REC, NULL) = 0",
	    "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND, NULL) = 0",
	    "/a/root/mnt/sub\", NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND",
	    "== new API: ",
	    "fsopen(\"overlay\", FSOPEN_CLOEXEC) = ",
	    "fsconfig(",
	    "FSCONFIG_CMD_CREATE, NULL, NULL, 0) = 0",
	    "fsmount(",
	    "move_mount(",
	    "open_tree(AT_FDCWD, ",
	    "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE) = ",
	    "mount_setattr(",
	    "AT_EMPTY_PATH|AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY|",
	    "move_mount("};
	const char *at = r.err;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const char *next = strstr(at, steps[i]);
		ck_assert_msg(next, "step %zu '%s' missing or out of order:\n%.3000s", i, steps[i],
			      r.err);
		at = next + 1;
	}
	/* "you will see": the table, as the worksheet prints it. */
	ck_assert_msg(strstr(r.out, "                                       mount(2)  new API\n"
				    "system calls                                  4       10\n"
				    "read-only: the volume, the one beneath  yes yes  yes yes\n"
				    "seen writable under a read-only bind        yes       no\n"
				    "made whole before it was in the table        no      yes\n"),
		      "stdout:\n%s", r.out);
	/* Four fsconfig calls, one mount_setattr for the whole volume. */
	int n = 0;
	for (const char *p = r.err; (p = strstr(p, "fsconfig(")); p++)
		n++;
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(run_fact(&r, "newmount_detached_unlisted"), "yes");
	/* The mountinfo lines after fsmount list no b/root. */
	const char *q = strstr(r.err, "# fsmount made the overlay");
	const char *end = q ? strstr(q, "move_mount(") : NULL;
	ck_assert_msg(q && end, "%.3000s", r.err);
	const char *b_root = strstr(q, "/b/root ");
	ck_assert_msg(!b_root || b_root > end, "the detached overlay was listed:\n%.3000s", r.err);
	ck_assert_int_eq(glob("/tmp/nutshell-newmount.*", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
	run_free(&r);
}
END_TEST

START_TEST(newmount_bad_input)
{
	const char *argv[] = {NEWMOUNT, "--image", "/nonexistent", NULL};

	run_expect_usage_error(argv, 2, "newmount: image '/nonexistent': no such directory");
}
END_TEST

Suite *
suite_newmount(void)
{
	Suite *s = suite_create("newmount");
	TCase *tc = tcase_create("newmount");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, newmount_worksheet_step10);
	tcase_add_test(tc, newmount_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
