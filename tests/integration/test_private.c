/*
 * test_private.c - ns_make_private() in a chroot records why and prints
 * nothing; the caller that gives up says it, with err_print(), and the
 * chroot line comes from there (issue 15: the helper used to print that
 * line itself, before its caller had said which step failed).
 *
 * In a child, in a mount namespace of its own, chrooted into an empty
 * directory: "/" is then no mount point, and mount(2) with MS_REC|
 * MS_PRIVATE on it fails with EINVAL. Nothing is mounted; the host's
 * mounts are never touched.
 */
#include "../../01-namespaces/ns.h"
#include "../../common/err.h"
#include "../../common/host.h"
#include "../../common/trace.h"
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child: 0 when the helper returned -1 with EINVAL and the record
 * names the step; what was printed goes to OUT, the helper's part before
 * a line "--", err_print's after. */
static int
make_private_in_chroot(const char *dir, int out)
{
	if (dup2(out, STDERR_FILENO) == -1 || unshare(CLONE_NEWNS) == -1 || chroot(dir) == -1 ||
	    chdir("/") == -1)
		return 10;
	trace_cfg.quiet = true; /* no trace lines: only what is always shown */
	err_clear();
	int r = ns_make_private();
	int e = errno;
	if (r != -1)
		return 11;
	if (e != EINVAL)
		return 12;
	if (!strstr(err_last()->msg, "mount --make-rprivate /: EINVAL"))
		return 13;
	dprintf(STDERR_FILENO, "--\n");
	err_print();
	return 0;
}

START_TEST(private_in_a_chroot_said_once_by_the_caller)
{
	char dir[] = "/tmp/nutshell-test-private.XXXXXX", out[] = "/tmp/nutshell-test-private.out";
	char text[4096];
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(make_private_in_chroot(dir, fd));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(out);
	rmdir(dir);
	text[n > 0 ? n : 0] = '\0';
	ck_assert_msg(
	    WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child: status %#x (10 setup, 11 not -1, 12 not EINVAL, 13 record); printed:\n%s",
	    status, text);
	/* The helper printed nothing; the caller's one report names the step,
	 * then why: a chroot (host_why, from EINVAL). */
	ck_assert_msg(strncmp(text, "--\n", 3) == 0, "the helper printed:\n%s", text);
	ck_assert_msg(strstr(text, ": mount --make-rprivate /: EINVAL (Invalid argument)\n"),
		      "no step line:\n%s", text);
	ck_assert_msg(strstr(text, host_chroot_line), "no chroot line:\n%s", text);
}
END_TEST

Suite *
suite_private(void)
{
	Suite *s = suite_create("private");
	TCase *tc = tcase_create("private");

	tcase_add_test(tc, private_in_a_chroot_said_once_by_the_caller);
	suite_add_tcase(s, tc);
	return s;
}
