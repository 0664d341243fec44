/*
 * test_decode.c - flag decoders: known flags, unknown bits, zero; errno,
 * signal and capability names.
 */
#include "../../common/decode.h"
#include "../suites.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/wait.h>

START_TEST(decode_clone_flags)
{
	ck_assert_str_eq(dec_clone(CLONE_NEWUTS | SIGCHLD), "CLONE_NEWUTS|SIGCHLD");
	ck_assert_str_eq(dec_clone(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET),
			 "CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET");
	ck_assert_str_eq(dec_clone(CLONE_NEWUSER), "CLONE_NEWUSER");
	ck_assert_str_eq(dec_clone(0), "0");
	/* The low byte of clone(2) flags is the exit signal, not a flag. */
	ck_assert_str_eq(dec_clone(SIGCHLD), "SIGCHLD");
}
END_TEST

START_TEST(decode_unshare_flags)
{
	/* CLONE_NEWTIME shares its value with the signal byte of clone(2). */
	ck_assert_str_eq(dec_unshare(0x80), "CLONE_NEWTIME");
	ck_assert_str_eq(dec_unshare(CLONE_NEWNS | CLONE_NEWCGROUP), "CLONE_NEWNS|CLONE_NEWCGROUP");
	ck_assert_str_eq(dec_unshare(0), "0");
}
END_TEST

START_TEST(decode_unknown_bits_print_as_hex)
{
	ck_assert_str_eq(dec_mount(MS_BIND | (1UL << 30)), "MS_BIND|0x40000000");
	ck_assert_str_eq(dec_mount(1UL << 31), "0x80000000");
	ck_assert_str_eq(dec_umount(MNT_DETACH | 0x100), "MNT_DETACH|0x100");
	ck_assert_str_eq(dec_clone(CLONE_NEWUTS | 0x100000000UL | SIGCHLD),
			 "CLONE_NEWUTS|0x100000000|SIGCHLD");
}
END_TEST

START_TEST(decode_mount_and_umount)
{
	ck_assert_str_eq(dec_mount(MS_REC | MS_PRIVATE), "MS_REC|MS_PRIVATE");
	ck_assert_str_eq(dec_mount(MS_NOSUID | MS_NODEV | MS_NOEXEC),
			 "MS_NOSUID|MS_NODEV|MS_NOEXEC");
	ck_assert_str_eq(dec_mount(MS_BIND | MS_REMOUNT | MS_RDONLY),
			 "MS_RDONLY|MS_REMOUNT|MS_BIND");
	ck_assert_str_eq(dec_mount(0), "0");
	ck_assert_str_eq(dec_umount(MNT_DETACH), "MNT_DETACH");
	ck_assert_str_eq(dec_umount(0), "0");
}
END_TEST

/* The new mount API's flags, named as strace names them. */
START_TEST(decode_new_mount_api)
{
	ck_assert_str_eq(dec_mount_attr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV),
			 "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV");
	ck_assert_str_eq(dec_mount_attr(MOUNT_ATTR_IDMAP), "MOUNT_ATTR_IDMAP");
	ck_assert_str_eq(dec_open_tree(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE),
			 "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE");
	ck_assert_str_eq(dec_at(AT_EMPTY_PATH | AT_RECURSIVE), "AT_EMPTY_PATH|AT_RECURSIVE");
	ck_assert_str_eq(dec_at(0), "0");
}
END_TEST

START_TEST(decode_open_flags)
{
	ck_assert_str_eq(dec_open(O_RDONLY), "O_RDONLY");
	ck_assert_str_eq(dec_open(O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
	ck_assert_str_eq(dec_open(O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
	/* Multi-bit flags: the longer name wins, the part is not repeated. */
	ck_assert_str_eq(dec_open(O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
	ck_assert_str_eq(dec_open(O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
	ck_assert_str_eq(dec_open(O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
}
END_TEST

START_TEST(decode_errno_signal_cap)
{
	ck_assert_str_eq(dec_errno(EPERM), "EPERM");
	ck_assert_str_eq(dec_errno(EINVAL), "EINVAL");
	ck_assert_str_eq(dec_errno(0x7fff), "32767");
	ck_assert_str_eq(dec_signal(SIGKILL), "SIGKILL");
	ck_assert_str_eq(dec_signal(SIGCHLD), "SIGCHLD");
	ck_assert_str_eq(dec_signal(0), "0");
	ck_assert_str_eq(dec_cap(CAP_CHOWN), "CAP_CHOWN");
	ck_assert_str_eq(dec_cap(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
	ck_assert_str_eq(dec_cap(63), "63"); /* beyond any kernel's last capability */
}
END_TEST

START_TEST(decode_wait_status)
{
	ck_assert_str_eq(dec_wait_status(0), "exited 0");
	ck_assert_str_eq(dec_wait_status(3 << 8), "exited 3");
	ck_assert_str_eq(dec_wait_status(SIGKILL), "killed by SIGKILL");
}
END_TEST

START_TEST(decode_several_in_one_line)
{
	/* The ring of buffers keeps earlier results valid for one trace line. */
	const char *a = dec_mount(MS_BIND), *b = dec_umount(MNT_DETACH), *c = dec_signal(SIGTERM);

	ck_assert_str_eq(a, "MS_BIND");
	ck_assert_str_eq(b, "MNT_DETACH");
	ck_assert_str_eq(c, "SIGTERM");
}
END_TEST

Suite *
suite_decode(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, decode_clone_flags);
	tcase_add_test(tc, decode_unshare_flags);
	tcase_add_test(tc, decode_unknown_bits_print_as_hex);
	tcase_add_test(tc, decode_mount_and_umount);
	tcase_add_test(tc, decode_open_flags);
	tcase_add_test(tc, decode_new_mount_api);
	tcase_add_test(tc, decode_errno_signal_cap);
	tcase_add_test(tc, decode_wait_status);
	tcase_add_test(tc, decode_several_in_one_line);
	suite_add_tcase(s, tc);
	return s;
}
