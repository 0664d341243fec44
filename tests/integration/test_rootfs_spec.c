/*
 * test_rootfs_spec.c - lesson 04's rootfs_setup() from a description
 * (struct rootfs_spec), called in a child in a mount namespace of its own
 * (every mount dies with it), on a root that is a plain directory, as an
 * OCI bundle's root.path is: the mounts of the list made where they say,
 * a bind nodev, nosuid and read-only, the masked paths hidden, and a
 * destination whose way leaves the root through a symlink refused.
 */
#include "../../04-overlay-chroot/rootfs.h"
#include "../../common/err.h"
#include "../../common/trace.h"
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[64];
static char root[PATH_MAX], host[PATH_MAX];

static void
make_base(void)
{
	char path[PATH_MAX + 16];

	snprintf(base, sizeof(base), "/tmp/nutshell-spec.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(host, sizeof(host), "%s/host", base);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mkdir(host, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/file", host);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* The image's /escape points at the host's directory. */
	snprintf(path, sizeof(path), "%s/escape", root);
	ck_assert_int_eq(symlink(host, path), 0);
}

static void
remove_base(void)
{
	ck_assert_int_eq(rootfs_remove_tree(base), 0);
}

/* Runs fn in a child in a new mount namespace; its exit status: 0, or
 * the number of the check that failed, its reason on stderr. */
static int
in_namespace(int (*fn)(void))
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		trace_cfg.quiet = true; /* the trace of the mounts is not this test's */
		if (unshare(CLONE_NEWNS) == -1)
			_exit(100);
		_exit(fn());
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the child died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

static int
flags_of(const char *path, unsigned long *flags)
{
	struct statvfs sv;

	if (statvfs(path, &sv) == -1)
		return -1;
	*flags = sv.f_flag;
	return 0;
}

static int
setup_mounts(void)
{
	const struct rootfs_mount_spec mounts[] = {
	    {"/data", "bind", host, MS_BIND | MS_REC | MS_RDONLY, NULL},
	    {"/run/deep", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k"},
	    {"/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
	};
	const char *const masked[] = {"/proc/kcore", "/proc/not-on-this-kernel", NULL};
	struct rootfs_spec spec = {
	    .root = root,
	    .mounts = mounts,
	    .nmounts = sizeof(mounts) / sizeof(mounts[0]),
	    .masked = masked,
	    .enter = ROOTFS_STAY,
	};
	char path[PATH_MAX + 32];
	unsigned long f;
	struct stat st;

	if (rootfs_setup(&spec) == -1) {
		fprintf(stderr, "rootfs_setup: %s\n", err_last()->msg);
		return 1;
	}
	/* The bind: made where it was missing, the host's file seen, and
	 * read-only, nodev and nosuid. */
	snprintf(path, sizeof(path), "%s/data/file", root);
	if (stat(path, &st) == -1)
		return 2;
	snprintf(path, sizeof(path), "%s/data", root);
	if (flags_of(path, &f) == -1 || !(f & ST_RDONLY) || !(f & ST_NODEV) || !(f & ST_NOSUID))
		return 3;
	/* The tmpfs, its missing directories made. */
	snprintf(path, sizeof(path), "%s/run/deep", root);
	if (flags_of(path, &f) == -1 || !(f & ST_NODEV) || (f & ST_RDONLY))
		return 4;
	/* procfs, and /proc/kcore masked: an empty file (/dev/null). */
	snprintf(path, sizeof(path), "%s/proc/self/status", root);
	if (stat(path, &st) == -1)
		return 5;
	snprintf(path, sizeof(path), "%s/proc/kcore", root);
	if (stat(path, &st) == 0 && !S_ISCHR(st.st_mode))
		return 6;
	/* The root itself, bound onto itself, nodev and nosuid. */
	if (flags_of(root, &f) == -1 || !(f & ST_NODEV) || !(f & ST_NOSUID))
		return 7;
	return 0;
}

START_TEST(rootfs_spec_mounts)
{
	make_base();
	int failed = in_namespace(setup_mounts);
	remove_base();
	ck_assert_msg(failed == 0, "check %d failed (see stderr)", failed);
}
END_TEST

/* With a small /dev (spec.dev), an entry under /dev (OCI's /dev/mqueue)
 * is mounted in it, not hidden beneath it, its mount point made before
 * /dev turns read-only. */
static int
setup_dev_entry(void)
{
	const struct rootfs_mount_spec mounts[] = {
	    {"/dev/extra/deep", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "size=4k"},
	};
	struct rootfs_spec spec = {
	    .root = root, .mounts = mounts, .nmounts = 1, .dev = 1, .enter = ROOTFS_STAY};
	char path[PATH_MAX + 32];
	struct stat dev, deep;
	unsigned long f;

	if (rootfs_setup(&spec) == -1) {
		fprintf(stderr, "rootfs_setup: %s\n", err_last()->msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/dev", root);
	if (stat(path, &dev) == -1 || flags_of(path, &f) == -1 || !(f & ST_RDONLY))
		return 2;
	snprintf(path, sizeof(path), "%s/dev/null", root);
	if (stat(path, &deep) == -1 || !S_ISCHR(deep.st_mode))
		return 3;
	/* The entry: a mount of its own inside the small /dev, writable. */
	snprintf(path, sizeof(path), "%s/dev/extra/deep", root);
	if (stat(path, &deep) == -1 || deep.st_dev == dev.st_dev)
		return 4;
	if (flags_of(path, &f) == -1 || (f & ST_RDONLY))
		return 5;
	return 0;
}

START_TEST(rootfs_spec_dev_entries)
{
	make_base();
	int failed = in_namespace(setup_dev_entry);
	remove_base();
	ck_assert_msg(failed == 0, "check %d failed (see stderr)", failed);
}
END_TEST

static int
setup_escape(void)
{
	const struct rootfs_mount_spec mounts[] = {
	    {"/escape/x", "tmpfs", "tmpfs", 0, "size=4k"},
	};
	struct rootfs_spec spec = {
	    .root = root, .mounts = mounts, .nmounts = 1, .enter = ROOTFS_STAY};

	if (rootfs_setup(&spec) == 0)
		return 1;
	if (errno != EXDEV)
		return 2;
	/* One line naming the destination and the symlink. */
	const char *msg = err_last()->msg;
	if (!strstr(msg, "/escape/x") || !strstr(msg, "symlink") || strchr(msg, '\n'))
		return 3;
	return 0;
}

START_TEST(rootfs_spec_refuses_symlink_out)
{
	char path[PATH_MAX + 8];
	struct stat st;

	make_base();
	int failed = in_namespace(setup_escape);
	/* Nothing was made on the host through the link. */
	snprintf(path, sizeof(path), "%s/x", host);
	int made = lstat(path, &st) == 0;
	remove_base();
	ck_assert_msg(failed == 0, "check %d failed", failed);
	ck_assert_msg(!made, "%s was made on the host", path);
}
END_TEST

Suite *
suite_rootfs_spec(void)
{
	Suite *s = suite_create("rootfs-spec");
	TCase *tc = tcase_create("setup");

	tcase_add_test(tc, rootfs_spec_mounts);
	tcase_add_test(tc, rootfs_spec_refuses_symlink_out);
	tcase_add_test(tc, rootfs_spec_dev_entries);
	suite_add_tcase(s, tc);
	return s;
}
