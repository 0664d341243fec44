/*
 * test_rootfs.c - the checks of 04-overlay-chroot/rootfs.c that come before
 * any mount: overlay layers and option strings, and resolving a mount target
 * inside a root without ever leaving it. Everything happens in a temporary
 * directory /tmp/nutshell-unit.XXXXXX, removed by each test; no root needed.
 */
#include "../../04-overlay-chroot/rootfs.h"
#include "../../common/err.h"
#include "../../common/trace.h"
#include "../suites.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* base: one directory per test case, made and removed by the runner itself
 * (an unchecked fixture), so a failing test leaves nothing behind; tmp: a
 * fresh directory in it for each test. */
static char base[64], tmp[128];

static void
setup_base(void)
{
	ck_assert_int_eq(rootfs_tmpdir("unit", base, sizeof(base)), 0);
}

static void
remove_base(void)
{
	ck_assert_int_eq(rootfs_remove_tree(base), 0);
	ck_assert_int_eq(access(base, F_OK), -1);
}

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "%s/t.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

/* TMP/REL as a directory (or a file, or a symlink to target). */
static const char *
make(const char *rel, char kind, const char *target)
{
	static char path[8][PATH_MAX];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	if (kind == 'd')
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else if (kind == 'f')
		ck_assert_int_ge(close(open(p, O_WRONLY | O_CREAT, 0644)), 0);
	else if (kind == 'l')
		ck_assert_int_eq(symlink(target, p), 0);
	return p;
}

/* Refused: -1, errno, and one line containing what. */
static void
check_refused(int ret, int err, const char *what)
{
	ck_assert_int_eq(ret, -1);
	ck_assert_msg(errno == err, "errno %d, expected %d (%s)", errno, err, err_last()->msg);
	ck_assert_msg(strstr(err_last()->msg, what) != NULL, "message '%s' lacks '%s'",
		      err_last()->msg, what);
	ck_assert_ptr_null(strchr(err_last()->msg, '\n'));
}

START_TEST(rootfs_overlay_valid)
{
	struct rootfs_layers l = {0};
	char opts[8192], want[8192];

	l.lower[0] = make("app", 'd', NULL);
	l.lower[1] = make("base", 'd', NULL);
	l.nlower = 2;
	ck_assert_int_eq(rootfs_overlay_options(&l, opts, sizeof(opts)), 0);
	snprintf(want, sizeof(want), "lowerdir=%s/app:%s/base", tmp, tmp);
	ck_assert_str_eq(opts, want);

	l.upper = make("upper", 'd', NULL);
	l.work = make("work", 'd', NULL);
	ck_assert_int_eq(rootfs_overlay_options(&l, opts, sizeof(opts)), 0);
	snprintf(want, sizeof(want), "lowerdir=%s/app:%s/base,upperdir=%s/upper,workdir=%s/work",
		 tmp, tmp, tmp, tmp);
	ck_assert_str_eq(opts, want);

	/* A rootless store's layers: user.overlay.* read, last. */
	l.userxattr = 1;
	ck_assert_int_eq(rootfs_overlay_options(&l, opts, sizeof(opts)), 0);
	strcat(want, ",userxattr");
	ck_assert_str_eq(opts, want);
}
END_TEST

START_TEST(rootfs_overlay_refused)
{
	struct rootfs_layers l = {0};
	char opts[8192], path[PATH_MAX];
	const char *dir = make("d", 'd', NULL);

	/* No layer, a relative path, a missing one, a file, a ',' */
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL, "no lower layer");
	l.nlower = 1;
	l.lower[0] = "images/busybox";
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL,
		      "overlay: lower layer 'images/busybox': expected an absolute path");
	snprintf(path, sizeof(path), "%s/missing", tmp);
	l.lower[0] = path;
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), ENOENT,
		      "/missing': no such directory");
	l.lower[0] = make("file", 'f', NULL);
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), ENOTDIR, "not a directory");
	l.lower[0] = make("a,b", 'd', NULL);
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL,
		      "cannot contain ',' ':' or '\\'");

	/* Upper without work; upper and work the same; on two filesystems. */
	l.lower[0] = dir;
	l.upper = make("u", 'd', NULL);
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL,
		      "needs a work directory");
	l.work = l.upper;
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL,
		      "expected two directories");
	l.work = "/proc"; /* procfs: never the filesystem of /tmp */
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EXDEV,
		      "are on different filesystems");
}
END_TEST

START_TEST(rootfs_overlay_too_many_layers)
{
	static struct rootfs_layers l;
	char opts[8192];
	const char *dir = make("layer-with-a-longish-name", 'd', NULL);

	/* More than overlayfs stacks. */
	for (size_t i = 0; i < ROOTFS_MAX_LOWER; i++)
		l.lower[i] = dir;
	l.nlower = ROOTFS_MAX_LOWER + 1; /* refused before any is looked at */
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), EINVAL,
		      "501 lower layers; overlayfs stacks at most 500");
	/* Few enough for overlayfs, too long for one page of options. */
	l.nlower = 4096 / strlen(dir) + 1;
	check_refused(rootfs_overlay_options(&l, opts, sizeof(opts)), E2BIG,
		      "mount(2) takes at most");
	/* Just below the limit passes. */
	l.nlower = 4000 / (strlen(dir) + 1);
	ck_assert_int_eq(rootfs_overlay_options(&l, opts, sizeof(opts)), 0);
	ck_assert_uint_lt(strlen(opts), 4096);
}
END_TEST

static const char *
resolve(const char *path)
{
	static char out[2 * PATH_MAX];

	errno = 0;
	if (rootfs_resolve(tmp, path, out, sizeof(out)) == -1)
		return NULL;
	return out + strlen(tmp); /* the part inside the root */
}

START_TEST(rootfs_resolve_inside)
{
	make("proc", 'd', NULL);
	make("etc", 'd', NULL);
	make("etc/app", 'd', NULL);
	make("a", 'd', NULL);
	make("lnk", 'l', "etc");
	make("a/up", 'l', "../etc/./app");

	ck_assert_str_eq(resolve("/proc"), "/proc");
	ck_assert_str_eq(resolve("//proc/"), "/proc");
	ck_assert_str_eq(resolve("/"), "");
	ck_assert_str_eq(resolve("/etc/../proc"), "/proc");
	/* Relative symlinks that stay inside are followed. */
	ck_assert_str_eq(resolve("/lnk/app"), "/etc/app");
	ck_assert_str_eq(resolve("/a/up"), "/etc/app");
	ck_assert_str_eq(resolve("/a/up/.."), "/etc");
	/* Missing last components: a target to create. */
	ck_assert_str_eq(resolve("/proc/new/dir"), "/proc/new/dir");

	/* The root "/" itself: host paths, unchanged. */
	char out[PATH_MAX];
	ck_assert_int_eq(rootfs_resolve("/", "/tmp", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/tmp");
	ck_assert_int_eq(rootfs_resolve("/", "/", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/");
}
END_TEST

START_TEST(rootfs_resolve_refused)
{
	char out[PATH_MAX];

	make("file", 'f', NULL);
	/* An image whose /proc or /dev leads out of it. */
	make("proc", 'l', "/proc");
	make("dev", 'l', "../../../../../dev");
	make("loop", 'l', "loop");
	check_refused(rootfs_resolve(tmp, "/proc", out, sizeof(out)), EXDEV,
		      "/proc is a symlink to '/proc', outside the root");
	check_refused(rootfs_resolve(tmp, "/proc/self", out, sizeof(out)), EXDEV,
		      "outside the root");
	check_refused(rootfs_resolve(tmp, "/dev/pts", out, sizeof(out)), EXDEV,
		      "/dev is a symlink to '../../../../../dev', which climbs above the root");
	check_refused(rootfs_resolve(tmp, "/..", out, sizeof(out)), EXDEV, "climbs above the root");
	/* Out of a missing name and back: /proc is looked at, not taken as a
	 * name to create (it was, and the kernel followed the symlink). */
	check_refused(rootfs_resolve(tmp, "/new/../proc", out, sizeof(out)), EXDEV,
		      "/proc is a symlink to '/proc', outside the root");
	check_refused(rootfs_resolve(tmp, "/new/x/../../dev/pts", out, sizeof(out)), EXDEV,
		      "climbs above the root");
	check_refused(rootfs_resolve(tmp, "/loop", out, sizeof(out)), ELOOP,
		      "more than 40 symlinks");
	check_refused(rootfs_resolve(tmp, "/file/x", out, sizeof(out)), ENOTDIR, "not a directory");
	check_refused(rootfs_resolve(tmp, "proc", out, sizeof(out)), EINVAL,
		      "'proc': expected an absolute path inside the root");
	check_refused(rootfs_resolve("images/busybox", "/proc", out, sizeof(out)), EINVAL,
		      "root 'images/busybox': expected an absolute path");
	/* The root is looked at only when nothing inside it was found: a
	 * missing root, or a file, is still named as such. */
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s/missing", tmp);
	check_refused(rootfs_resolve(root, "/proc", out, sizeof(out)), ENOENT, "no such directory");
	check_refused(rootfs_resolve(root, "/", out, sizeof(out)), ENOENT, "no such directory");
	snprintf(root, sizeof(root), "%s/file", tmp);
	check_refused(rootfs_resolve(root, "/proc", out, sizeof(out)), ENOENT, "no such directory");
}
END_TEST

/* rootfs_target's answer and the type of what is there, from the lookups
 * the resolution made (no lstat(2) of its own). */
START_TEST(rootfs_target_mode)
{
	char out[PATH_MAX];
	mode_t mode = 1;

	make("etc", 'd', NULL);
	make("etc/passwd", 'f', NULL);
	make("lnk", 'l', "etc/passwd");
	make("dot", 'l', ".");
	ck_assert_int_eq(rootfs_target(tmp, "/etc", 0, 0, out, sizeof(out), &mode), 1);
	ck_assert(S_ISDIR(mode));
	ck_assert_int_eq(rootfs_target(tmp, "/lnk", 0, 0, out, sizeof(out), &mode), 1);
	ck_assert(S_ISREG(mode));
	ck_assert_int_eq(rootfs_target(tmp, "/dot", 0, 0, out, sizeof(out), &mode), 1);
	ck_assert(S_ISDIR(mode));
	ck_assert_int_eq(rootfs_target(tmp, "/etc/passwd/..", 0, 0, out, sizeof(out), &mode), -1);
	ck_assert_int_eq(rootfs_target(tmp, "/", 0, 0, out, sizeof(out), &mode), 1);
	ck_assert(S_ISDIR(mode));
	ck_assert_int_eq(rootfs_target(tmp, "/new", 0, 0, out, sizeof(out), &mode), 0);
	ck_assert_int_eq(mode, 0);
	/* Back up out of a missing name: only a look can tell. */
	ck_assert_int_eq(rootfs_target(tmp, "/new/x/..", 0, 0, out, sizeof(out), &mode), 0);
	ck_assert_int_eq(rootfs_target(tmp, "/new/..", 0, 0, out, sizeof(out), &mode), 1);
	ck_assert(S_ISDIR(mode));
	bool quiet = trace_cfg.quiet;
	trace_cfg.quiet = true; /* the mkdirat and openat below are traced */
	ck_assert_int_eq(rootfs_target(tmp, "/new", 1, 1, out, sizeof(out), &mode), 1);
	ck_assert(S_ISDIR(mode));
	ck_assert_int_eq(rootfs_target(tmp, "/etc/new", 1, 0, out, sizeof(out), &mode), 1);
	trace_cfg.quiet = quiet;
	ck_assert(S_ISREG(mode));
}
END_TEST

/* Every one of Docker's default masked and read-only paths (moby's
 * oci/defaults.go), no fewer and none twice. */
static void
check_same_set(const char *const *got, const char *const *want)
{
	size_t n_got = 0, n_want = 0;

	for (const char *const *p = got; *p; p++, n_got++)
		for (const char *const *q = p + 1; *q; q++)
			ck_assert_msg(strcmp(*p, *q) != 0, "%s is listed twice", *p);
	for (const char *const *w = want; *w; w++, n_want++) {
		const char *const *p = got;
		while (*p && strcmp(*p, *w) != 0)
			p++;
		ck_assert_msg(*p, "%s is missing", *w);
	}
	ck_assert_uint_eq(n_got, n_want);
}

START_TEST(rootfs_default_paths)
{
	static const char *const masked[] = {
	    "/proc/asound",
	    "/proc/acpi",
	    "/proc/interrupts",
	    "/proc/kcore",
	    "/proc/keys",
	    "/proc/latency_stats",
	    "/proc/timer_list",
	    "/proc/timer_stats",
	    "/proc/sched_debug",
	    "/proc/scsi",
	    "/sys/firmware",
	    "/sys/devices/virtual/powercap",
	    NULL,
	};
	static const char *const readonly[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};

	check_same_set(rootfs_masked_paths, masked);
	check_same_set(rootfs_readonly_paths, readonly);
}
END_TEST

START_TEST(rootfs_disk_usage_counts_links_once)
{
	char buf[65536] = {1};
	const char *file = make("file", 'f', NULL);
	char hard[PATH_MAX];
	int fd = open(file, O_WRONLY);

	ck_assert_int_eq(write(fd, buf, sizeof(buf)), (int)sizeof(buf));
	close(fd);
	long long one = rootfs_disk_usage(tmp);
	ck_assert_int_ge(one, 65536);
	snprintf(hard, sizeof(hard), "%s/hardlink", tmp);
	ck_assert_int_eq(link(file, hard), 0);
	ck_assert_int_eq(rootfs_disk_usage(tmp), one);
	ck_assert_int_eq(rootfs_disk_usage("/nonexistent-nutshell"), -1);
}
END_TEST

START_TEST(rootfs_mount_options_split)
{
	/* The options of runc spec's /dev/pts and of a read-only bind. */
	const char *pts[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
	const char *bind[] = {"rbind", "rw", "ro", "nodev", "suid", "nosuid"};
	const char *prop[] = {"rbind", "rprivate"};
	unsigned long flags;
	char data[64];

	ck_assert_int_eq(rootfs_mount_options(pts, 5, &flags, data, sizeof(data)), 0);
	ck_assert_uint_eq(flags, MS_NOSUID | MS_NOEXEC);
	ck_assert_str_eq(data, "newinstance,ptmxmode=0666,mode=0620");
	ck_assert_int_eq(rootfs_mount_options(bind, 6, &flags, data, sizeof(data)), 0);
	ck_assert_uint_eq(flags, MS_BIND | MS_REC | MS_RDONLY | MS_NODEV | MS_NOSUID);
	ck_assert_str_eq(data, "");
	check_refused(rootfs_mount_options(prop, 2, &flags, data, sizeof(data)), EINVAL,
		      "'rprivate': propagation");
	check_refused(rootfs_mount_options(pts, 5, &flags, data, 16), E2BIG, "'ptmxmode=0666'");
}
END_TEST

/* The words back: what rootfs_mount_options() reads gives the same flags
 * (nutshell spec writes the launcher's mounts with them). */
START_TEST(rootfs_mount_words_round_trip)
{
	const unsigned long cases[] = {MS_NOSUID | MS_NODEV | MS_NOEXEC,
				       MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				       MS_BIND | MS_REC | MS_RDONLY, MS_BIND | MS_NOSUID, 0};
	const char *words[32];
	unsigned long flags;
	char data[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = rootfs_mount_words(cases[i], words, 32);
		ck_assert_int_eq(rootfs_mount_options(words, n, &flags, data, sizeof(data)), 0);
		ck_assert_msg(flags == cases[i], "0x%lx gave 0x%lx", cases[i], flags);
	}
	/* rbind alone, not bind and rbind. */
	ck_assert_int_eq(rootfs_mount_words(MS_BIND | MS_REC, words, 32), 1);
	ck_assert_str_eq(words[0], "rbind");
	ck_assert_int_eq(rootfs_mount_words(MS_RDONLY | MS_NOSUID, words, 1), 1);
}
END_TEST

Suite *
suite_rootfs(void)
{
	Suite *s = suite_create("rootfs");
	TCase *tc = tcase_create("rootfs");

	tcase_add_unchecked_fixture(tc, setup_base, remove_base);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, rootfs_overlay_valid);
	tcase_add_test(tc, rootfs_overlay_refused);
	tcase_add_test(tc, rootfs_mount_options_split);
	tcase_add_test(tc, rootfs_mount_words_round_trip);
	tcase_add_test(tc, rootfs_overlay_too_many_layers);
	tcase_add_test(tc, rootfs_resolve_inside);
	tcase_add_test(tc, rootfs_resolve_refused);
	tcase_add_test(tc, rootfs_target_mode);
	tcase_add_test(tc, rootfs_default_paths);
	tcase_add_test(tc, rootfs_disk_usage_counts_links_once);
	suite_add_tcase(s, tc);
	return s;
}
