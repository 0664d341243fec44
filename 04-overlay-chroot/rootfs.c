/*
 * rootfs.c - idmapped trees, pivot_root, chroot and the mounts inside a new
 * root (see rootfs.h); the overlay itself is rootfs_overlay.c.
 */
#include "rootfs.h"
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* moby's oci/defaults.go (Docker 24): paths that leak the host's state or
 * let a container poke the kernel. */
const char *const rootfs_masked_paths[] = {
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
const char *const rootfs_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *
quote(const char *s)
{
	return s ? trace_str(s) : "NULL";
}

int
rootfs_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	     const char *data)
{
	if (TRACE(mount(source, target, fstype, flags, data), "mount", "%s, %s, %s, %s, %s",
		  quote(source), trace_str(target), quote(fstype), dec_mount(flags),
		  quote(data)) == -1)
		return err_sys("mount %s", target);
	return 0;
}

/* ---- idmapped trees ---- */

/* The new mount API (Linux 5.2, mount_setattr 5.12). glibc has wrappers
 * only from 2.36, so the raw calls; the numbers are the same on every
 * architecture for calls added after 5.1 (syscall 424 on). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_NOSUID
#define MOUNT_ATTR_NOSUID 0x00000002
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_NOEXEC
#define MOUNT_ATTR_NOEXEC      0x00000008
#define MOUNT_ATTR__ATIME      0x00000070
#define MOUNT_ATTR_RELATIME    0x00000000
#define MOUNT_ATTR_NOATIME     0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME  0x00000080
#endif

/* struct mount_attr of <linux/mount.h> (MOUNT_ATTR_SIZE_VER0, 32 bytes),
 * spelled out: not every glibc's <sys/mount.h> has it. */
struct idmap_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

const char *
rootfs_fstype(const char *dir, char *out, size_t size)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int mnt_id = -1;
	FILE *f;

	snprintf(out, size, "unknown");
	/* The mount DIR is on: mnt_id in the fdinfo of a descriptor of it
	 * (proc(5)), then its line in mountinfo. */
	int fd = open(dir, O_PATH | O_CLOEXEC);
	if (fd == -1)
		return out;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((f = fopen(path, "re"))) {
		while (getline(&line, &cap, f) > 0)
			if (sscanf(line, "mnt_id: %d", &mnt_id) == 1)
				break;
		fclose(f);
	}
	close(fd);
	if (mnt_id >= 0 && (f = fopen("/proc/self/mountinfo", "re"))) {
		struct proc_mount m;

		while (getline(&line, &cap, f) > 0)
			if (proc_parse_mountinfo(line, &m) == 0 && m.id == mnt_id) {
				snprintf(out, size, "%s", m.fstype);
				break;
			}
		fclose(f);
	}
	free(line);
	return out;
}

/* A call on DIR failed: name it with DIR's filesystem, keep errno. */
static int
failed_on_fs(const char *call, const char *dir)
{
	char type[64];
	int saved = errno;

	rootfs_fstype(dir, type, sizeof(type));
	errno = saved;
	return err_sys("%s %s (%s)", call, dir, type);
}

/* <<< idmap */
int
rootfs_idmapped_tree(const char *dir, int userns_fd)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
	/* Read-only as well: nothing writes a lower layer, and this copy
	 * shows the host's files as the container root's own. */
	struct idmap_attr attr = {.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY,
				  .userns_fd = (uint64_t)userns_fd};

	/* A detached copy (OPEN_TREE_CLONE), not in any mount table until
	 * move_mount(2) attaches it; the idmap goes on the copy only, never
	 * on the host's own mount. */
	int fd = (int)TRACE(syscall(SYS_open_tree, AT_FDCWD, dir, flags), "open_tree",
			    "AT_FDCWD, %s, %s", trace_str(dir), dec_open_tree(flags));
	if (fd == -1)
		return failed_on_fs("open_tree", dir);
	/* AT_RECURSIVE: every mount of the copy gets the same view. */
	if (TRACE(syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			  sizeof(attr)),
		  "mount_setattr",
		  "%d, \"\", %s, {attr_set=%s, attr_clr=0, propagation=0, userns_fd=%d}, %zu", fd,
		  dec_at(AT_EMPTY_PATH | AT_RECURSIVE), dec_mount_attr(attr.attr_set), userns_fd,
		  sizeof(attr)) == -1) {
		failed_on_fs("mount_setattr", dir);
		int saved = errno;
		close(fd); /* the last reference: the copy is gone */
		errno = saved;
		return -1;
	}
	return fd;
}
/* >>> idmap */

int
rootfs_attach_tree(int fd, const char *target)
{
	if (TRACE(syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH),
		  "move_mount", "%d, \"\", AT_FDCWD, %s, MOVE_MOUNT_F_EMPTY_PATH", fd,
		  trace_str(target)) == -1)
		return err_sys("move_mount %s", target);
	return 0;
}

/* ---- the root itself ---- */

int
rootfs_bind_self(const char *root)
{
	return rootfs_mount(root, root, NULL, MS_BIND | MS_REC, NULL);
}

/* <<< pivot */
int
rootfs_pivot(const char *root)
{
	/* pivot_root(".", "."): the old root is stacked on top of the new one,
	 * at the same place, so no directory for it is needed; "." then names
	 * the old root, and detaching it leaves the new one (pivot_root(2)). */
	if (TRACE(chdir(root), "chdir", "%s", trace_str(root)) == -1)
		return err_sys("chdir %s", root);
	if (TRACE(syscall(SYS_pivot_root, ".", "."), "pivot_root", "\".\", \".\"") == -1)
		return err_sys("pivot_root %s", root);
	/* MNT_DETACH: the host's mounts are busy (the host uses them); lazily
	 * detach them from our namespace instead of unmounting them. */
	if (TRACE(umount2(".", MNT_DETACH), "umount2", "\".\", %s", dec_umount(MNT_DETACH)) == -1)
		return err_sys("umount2 the old root");
	if (TRACE(chdir("/"), "chdir", "\"/\"") == -1)
		return err_sys("chdir /");
	return 0;
}
/* >>> pivot */

int
rootfs_chroot(const char *root)
{
	if (TRACE(chdir(root), "chdir", "%s", trace_str(root)) == -1)
		return err_sys("chdir %s", root);
	if (TRACE(chroot("."), "chroot", "\".\"") == -1)
		return err_sys("chroot %s", root);
	if (TRACE(chdir("/"), "chdir", "\"/\"") == -1)
		return err_sys("chdir /");
	return 0;
}

/* ---- inside the new root ---- */

int
rootfs_mount_proc(const char *root)
{
	char target[PATH_MAX];

	if (rootfs_target(root, "/proc", 1, 1, target, sizeof(target), NULL) == -1)
		return -1;
	if (ns_mount_proc(target) == -1)
		return err_sys("mount proc on %s", target);
	return 0;
}

int
rootfs_mount_sys(const char *root)
{
	char target[PATH_MAX];

	if (rootfs_target(root, "/sys", 1, 1, target, sizeof(target), NULL) == -1)
		return -1;
	return rootfs_mount("sysfs", target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			    NULL);
}

/* <<< dev */
static const struct {
	const char *name;
	unsigned int major, minor;
} dev_nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"ptmx", "pts/ptmx"},	   {"fd", "/proc/self/fd"},	  {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

static int
make_node(const char *dev, const char *name, unsigned int major, unsigned int minor)
{
	char path[PATH_MAX + 16], host[64];
	mode_t mode = S_IFCHR | 0666;

	snprintf(path, sizeof(path), "%s/%s", dev, name);
	if (TRACE(mknodat(AT_FDCWD, path, mode, makedev(major, minor)), "mknodat",
		  "AT_FDCWD, %s, S_IFCHR|0666, makedev(%#x, %#x)", trace_str(path), major,
		  minor) == 0)
		return 0;
	if (errno != EPERM)
		return err_sys("mknodat %s", path);
	/* No CAP_MKNOD (a user namespace): bind the caller's device instead. */
	snprintf(host, sizeof(host), "/dev/%s", name);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return err_sys("open %s", path);
	close(fd);
	return rootfs_mount(host, path, NULL, MS_BIND, NULL);
}

/* Is group ID in this user namespace's gid_map? In the initial namespace
 * every id is; in a rootless one usually only 0 (user_namespaces(7)). */
static int
gid_mapped(unsigned long id)
{
	char text[4096];
	struct ns_idmap maps[NS_IDMAP_MAX];
	int fd = open("/proc/self/gid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 1; /* no /proc to ask: assume the usual */
	text[n] = '\0';
	int lines = ns_idmap_parse(text, maps, NS_IDMAP_MAX);
	for (int i = 0; i < lines; i++)
		if (id >= maps[i].inside && id - maps[i].inside < maps[i].count)
			return 1;
	return 0;
}

int
rootfs_mount_dev(const char *root)
{
	char dev[PATH_MAX], path[PATH_MAX + 16];
	int ret = -1;

	if (rootfs_target(root, "/dev", 1, 1, dev, sizeof(dev), NULL) == -1 ||
	    rootfs_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME,
			 "mode=755,size=65536k") == -1)
		return -1;
	mode_t saved = umask(0); /* the nodes are 0666, as on any host */
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		if (make_node(dev, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor) == -1)
			goto out;
	umask(saved);
	/* Every devpts mount is an instance of its own since Linux 4.7, so
	 * "newinstance" is a no-op there, kept for older kernels
	 * (Documentation/filesystems/devpts.rst). gid 5 is "tty"; devpts
	 * refuses (EINVAL) a gid the user namespace does not map, as in a
	 * rootless container that maps only root: then the ptys keep the
	 * opener's group. */
	snprintf(path, sizeof(path), "%s/pts", dev);
	if (TRACE(mkdirat(AT_FDCWD, path, 0755), "mkdirat", "AT_FDCWD, %s, 0755",
		  trace_str(path)) == -1) {
		err_sys("mkdir %s", path);
		goto out;
	}
	if (rootfs_mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
			 gid_mapped(5) ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
				       : "newinstance,ptmxmode=0666,mode=0620") == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/shm", dev);
	if (TRACE(mkdirat(AT_FDCWD, path, 01777), "mkdirat", "AT_FDCWD, %s, 01777",
		  trace_str(path)) == -1) {
		err_sys("mkdir %s", path);
		goto out;
	}
	if (rootfs_mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 "mode=1777,size=65536k") == -1)
		goto out;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, dev_links[i].name);
		if (TRACE(symlinkat(dev_links[i].target, AT_FDCWD, path), "symlinkat",
			  "%s, AT_FDCWD, %s", trace_str(dev_links[i].target),
			  trace_str(path)) == -1) {
			err_sys("symlink %s", path);
			goto out;
		}
	}
	ret = 0;
out:
	umask(saved);
	return ret;
}
/* >>> dev */

int
rootfs_mask(const char *root, const char *path)
{
	char target[PATH_MAX];
	mode_t mode;
	int found = rootfs_target(root, path, 0, 0, target, sizeof(target), &mode);

	if (found != 1)
		return found;
	/* A directory: an empty tmpfs, read-only so nothing can be put there. */
	if (S_ISDIR(mode))
		return rootfs_mount("tmpfs", target, "tmpfs",
				    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				    "mode=755,size=4k");
	/* A file: reads give nothing, writes vanish. */
	return rootfs_mount("/dev/null", target, NULL, MS_BIND, NULL);
}

/* The flags a mount has, as MS_ flags for a remount that must keep them:
 * MS_REMOUNT sets the flags to exactly those given, so a remount that
 * names only MS_NODEV would drop the mount's ro (a read-only host mount
 * made writable), and in a user namespace the flags are locked: dropping
 * one fails with EPERM (mount(2), "Remounting an existing mount"). runc and
 * bubblewrap read them with statvfs(3) the same way. */
static unsigned long
kept_flags(const struct statvfs *sv)
{
	const struct {
		unsigned long st, ms;
	} keep[] = {{ST_RDONLY, MS_RDONLY},    {ST_NOSUID, MS_NOSUID},
		    {ST_NODEV, MS_NODEV},      {ST_NOEXEC, MS_NOEXEC},
		    {ST_NOATIME, MS_NOATIME},  {ST_NODIRATIME, MS_NODIRATIME},
		    {ST_RELATIME, MS_RELATIME}};
	unsigned long flags = 0;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (sv->f_flag & keep[i].st)
			flags |= keep[i].ms;
	return flags;
}

/* Where mount_setattr(2) is missing (before Linux 5.12): each mount at or
 * below TARGET, from /proc/self/mountinfo, remounted with its own flags
 * plus FLAGS. A parent is listed before the mounts on it. */
static int
restrict_each(const char *target, unsigned long flags)
{
	char *line = NULL;
	size_t cap = 0, len = strlen(target);
	int ret = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return err_sys("fopen /proc/self/mountinfo");
	while (ret == 0 && getline(&line, &cap, f) > 0) {
		struct proc_mount m;
		struct statvfs sv;

		if (proc_parse_mountinfo(line, &m) != 0 || strncmp(m.point, target, len) != 0 ||
		    (m.point[len] != '\0' && m.point[len] != '/'))
			continue;
		if (statvfs(m.point, &sv) == -1)
			ret = err_sys("statvfs %s", m.point);
		else
			ret = rootfs_mount(NULL, m.point, NULL,
					   MS_BIND | MS_REMOUNT | flags | kept_flags(&sv), NULL);
	}
	free(line);
	fclose(f);
	return ret;
}

/* <<< restrict */
int
rootfs_restrict_tree(const char *target, unsigned long flags)
{
	struct idmap_attr attr = {.attr_set = MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID};
	unsigned int at = AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;
	/* What a bind's options may add (config.json's "ro", "noexec",
	 * "noatime" ...); nodev and nosuid are always set. */
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} more[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
		    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
		    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
		    {MS_NOATIME, MOUNT_ATTR_NOATIME},
		    {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME}};

	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (flags & more[i].ms)
			attr.attr_set |= more[i].attr;
	/* An access-time mode replaces the mount's: mount_setattr(2) wants
	 * the whole MOUNT_ATTR__ATIME field cleared to set one. */
	if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
		attr.attr_clr = MOUNT_ATTR__ATIME;
	/* attr_set only adds: each mount keeps every other flag it has (a
	 * host mount's ro, noexec), and AT_RECURSIVE reaches the mounts the
	 * host has beneath the source, which MS_REMOUNT never does. */
	if (TRACE(syscall(SYS_mount_setattr, AT_FDCWD, target, at, &attr, sizeof(attr)),
		  "mount_setattr",
		  "AT_FDCWD, %s, %s, {attr_set=%s, attr_clr=%s, propagation=0, "
		  "userns_fd=0}, %zu",
		  trace_str(target), dec_at(at), dec_mount_attr(attr.attr_set),
		  attr.attr_clr ? "MOUNT_ATTR__ATIME" : "0", sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return failed_on_fs("mount_setattr", target);
	trace_note("mount_setattr(2) is missing (Linux < 5.12): each mount under %s "
		   "remounted on its own, from /proc/self/mountinfo",
		   target);
	return restrict_each(target, MS_NODEV | MS_NOSUID |
					 (flags & (MS_RDONLY | MS_NOEXEC | MS_NODIRATIME |
						   MS_NOATIME | MS_STRICTATIME | MS_RELATIME)));
}
/* >>> restrict */

int
rootfs_readonly(const char *root, const char *path)
{
	char target[PATH_MAX];
	struct statvfs sv;
	int found = rootfs_target(root, path, 0, 0, target, sizeof(target), NULL);

	if (found != 1)
		return found;
	/* A bind mount first: MS_RDONLY then applies to this view only, not to
	 * the filesystem (mount(2), "Creating a bind mount"). */
	if (rootfs_mount(target, target, NULL, MS_BIND | MS_REC, NULL) == -1)
		return -1;
	if (statvfs(target, &sv) == -1)
		return err_sys("statvfs %s", target);
	return rootfs_mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags(&sv),
			    NULL);
}

int
rootfs_mask_all(const char *root, const char *const *paths)
{
	for (; *paths; paths++)
		if (rootfs_mask(root, *paths) == -1)
			return -1;
	return 0;
}

int
rootfs_readonly_all(const char *root, const char *const *paths)
{
	for (; *paths; paths++)
		if (rootfs_readonly(root, *paths) == -1)
			return -1;
	return 0;
}

/* ---- a child guarded against Ctrl-C, one in namespaces of its own ---- */

static volatile sig_atomic_t guarded_child, got_signal;

static void
kill_guarded_child(int sig)
{
	got_signal = sig;
	/* A --step pause of ours ends now (trace.c looks at it), rather than
	 * waiting on for an Enter. */
	trace_cfg.interrupted = true;
	if (guarded_child > 0)
		kill((pid_t)guarded_child, SIGKILL);
}

void
rootfs_guard_child(pid_t child)
{
	struct sigaction sa = {.sa_handler = kill_guarded_child, .sa_flags = SA_RESTART};

	guarded_child = child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
rootfs_interrupted(void)
{
	return got_signal != 0;
}

int
rootfs_interrupted_exit(void)
{
	trace_error("interrupted; cleaned up");
	return 128 + (got_signal ? (int)got_signal : SIGINT);
}

static int (*isolated_fn)(void *);

/* The child of rootfs_run_isolated(): Ctrl-C ends it at once, as it would
 * without the guard (its mounts die with it). One that came at the --step
 * pause before clone(2) - the pause comes before the call, so the child is
 * made all the same - means it does nothing. It is where the child gives
 * up: a failure FN recorded and did not print is printed here, once
 * (err.h). */
static int
isolated_main(void *arg)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (got_signal)
		return EXIT_DEMO_FAILED;
	int status = isolated_fn(arg);
	if (status != 0 && err_last()->msg[0])
		err_print();
	return status;
}

int
rootfs_run_isolated(int (*fn)(void *), void *arg)
{
	int status = -1;

	/* Flush first, or the child would print our buffered output again. */
	fflush(stdout);
	isolated_fn = fn;
	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, isolated_main, arg);
	if (pid == -1)
		return -1;
	rootfs_guard_child(pid);
	if (ns_wait(pid, &status) == -1)
		return -1;
	return status;
}
