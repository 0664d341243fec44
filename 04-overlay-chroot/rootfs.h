/*
 * rootfs.h - root filesystem helpers of lesson 04 (rootfs.c: the mounts;
 * rootfs_overlay.c: the image directory and the overlay; rootfs_path.c:
 * paths inside a root and on the host; rootfs_spec.c: a container's root in
 * one call; rootfs_demo.c: the lesson programs' frame), linked by its
 * programs and by the launcher (05-full-container).
 *
 * A container stands on a filesystem of its own: read-only image layers
 * joined by overlayfs under one writable layer (overlayfs docs,
 * Documentation/filesystems/overlayfs.rst), made its root with pivot_root(2)
 * and the old root detached, then given a fresh /proc, a read-only /sys and
 * a small /dev. rootfs_setup() does all of it from one description
 * (struct rootfs_spec below), in a new mount namespace, in this order:
 *
 *	ns_make_private()                          nothing we mount leaks out
 *	tmpfs on the scratch directory             upper/, work/, root/ in it
 *	rootfs_attach_tree() for idmapped layers   (when passed)
 *	rootfs_mount_overlay(&layers, root)        image + fresh upper
 *	root remounted nodev,nosuid                no device node, no set-uid
 *	each of spec->mounts                       volumes, /proc, /sys, ...
 *	rootfs_mount_dev(root), remounted ro       (spec->dev; the mounts under
 *	                                           /dev made in it before ro)
 *	rootfs_mask_all()  rootfs_readonly_all()
 *	root remounted ro                          (spec->readonly)
 *	rootfs_pivot(root) or rootfs_chroot(root)  old root detached
 *
 * The lesson programs call the steps one at a time, to show each.
 *
 * Every helper that mounts into a root takes the root directory and a path
 * inside it ("/proc"). The path is resolved inside the root, one component
 * at a time, never on the host: an image whose /proc is a symlink to the
 * host's /proc must not get the host's /proc mounted over (the class of
 * runc's CVE-2019-19921 and CVE-2021-30465). A symlink on the way is
 * followed only while it stays inside the root; one that would leave it
 * (an absolute target, or ".." above the root) is refused.
 *
 * Helpers return -1 with errno set on failure and never exit. Either a
 * system call failed (it is in the trace already) or the input was refused
 * before any call (EINVAL, ENOENT, ENOTDIR, EXDEV, E2BIG, ELOOP); in both
 * cases the error record (common/err.h) holds one line naming the value,
 * for whoever gives up to print with err_print().
 */
#ifndef NUTSHELL_ROOTFS_H
#define NUTSHELL_ROOTFS_H

#include <getopt.h>
#include <stddef.h>
#include <sys/types.h>

/* overlayfs stacks at most 500 lower layers (OVL_MAX_STACK, fs/overlayfs). */
#define ROOTFS_MAX_LOWER 500

/*
 * An overlay: lower[0] is the top-most read-only layer and lower[n-1] the
 * bottom one (the base image), in the order of overlayfs' lowerdir= option.
 * upper and work are the writable layer and overlayfs' scratch directory;
 * both NULL gives a read-only overlay of the lower layers alone.
 */
struct rootfs_layers {
	const char *lower[ROOTFS_MAX_LOWER];
	size_t nlower;
	const char *upper;
	const char *work;
	/* ",userxattr": overlayfs reads user.overlay.* (opaque, ...) rather
	 * than trusted.overlay.*, which only root in the initial user
	 * namespace may read - what a rootless image store writes
	 * (overlayfs.rst, "Permission model"; Linux 5.11). */
	int userxattr;
};

/*
 * Checks the layers and writes the mount(2) option string
 * "lowerdir=A:B,upperdir=U,workdir=W" (",userxattr" after it when asked)
 * into opts. Refused, with errno and
 * the error record: a path that is not absolute (EINVAL), a directory that is
 * missing (ENOENT) or not a directory (ENOTDIR), a path with ',' ':' or '\'
 * (which the option syntax would split; EINVAL), no lower layer or more than
 * ROOTFS_MAX_LOWER (EINVAL), upper without work or the reverse (EINVAL),
 * upper and work on different filesystems (EXDEV), and an option string
 * longer than mount(2) passes, one page (E2BIG).
 */
int rootfs_overlay_options(const struct rootfs_layers *l, char *opts, size_t size);

/* Checks as above, then mount("overlay", target, "overlay", 0, opts). */
int rootfs_mount_overlay(const struct rootfs_layers *l, const char *target);

/*
 * Resolves PATH ("/proc", absolute, meaning inside the root) inside ROOT
 * and writes the host path of what it names into out ("ROOT/proc"). Each
 * component is looked at with lstat(2); a symlink is followed only if it
 * stays inside the root. The last components may be missing (a mount
 * target to create). Refused: a relative root or path (EINVAL), a symlink
 * that leaves the root (EXDEV), ".." above the root (EXDEV), more than 40
 * symlinks (ELOOP), a component under a non-directory (ENOTDIR).
 */
int rootfs_resolve(const char *root, const char *path, char *out, size_t size);

/* rootfs_resolve(), then, with CREATE, a missing last component made - a
 * directory (WANT_DIR) or an empty file - to mount over, traced. Returns 1
 * when it exists (or was made), 0 when it is missing (and not made), -1 on
 * error; in *MODE (unless NULL) the type of what is there, 0 if nothing. */
int rootfs_target(const char *root, const char *path, int create, int want_dir, char *out,
		  size_t size, mode_t *mode);

/* mount(ROOT, ROOT, NULL, MS_BIND|MS_REC): pivot_root(2) wants its new root
 * to be a mount point, and a plain directory is not one until bound onto
 * itself. */
int rootfs_bind_self(const char *root);

/*
 * Makes ROOT the root of the mount namespace: chdir(ROOT),
 * pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/"). The old root,
 * stacked on the new one by pivot_root, is detached, so nothing of the host
 * stays reachable (pivot_root(2), "NOTES"). Call in a private mount namespace.
 */
int rootfs_pivot(const char *root);

/* The teaching contrast: chdir(ROOT), chroot("."), chdir("/"). Only the
 * process's idea of "/" changes; the mounts, the host's processes and any
 * directory file descriptor it holds stay within reach (chroot(2)). */
int rootfs_chroot(const char *root);

/* A fresh procfs at ROOT/proc (nosuid, nodev, noexec). It shows the pid
 * namespace of the caller. */
int rootfs_mount_proc(const char *root);

/* sysfs at ROOT/sys, read-only (nosuid, nodev, noexec): a container may
 * read /sys but not write the host's settings through it. */
int rootfs_mount_sys(const char *root);

/*
 * ROOT/dev as a small tmpfs (nosuid, mode 755, 64 MiB) holding only the
 * devices every program expects: null, zero, full, random, urandom, tty
 * (mknodat(2); where that is not allowed, as in a user namespace, each is
 * bound from /dev of the caller's root), devpts with newinstance at
 * /dev/pts (its own pty numbers, not the host's; group 5 "tty" only where
 * the user namespace maps gid 5, else devpts refuses) and /dev/ptmx pointing
 * into it, a tmpfs at /dev/shm, and the symlinks fd, stdin, stdout, stderr
 * into /proc/self/fd. No disk, no /dev/mem, no /dev/kmsg.
 */
int rootfs_mount_dev(const char *root);

/* Hides ROOT/PATH: /dev/null bound over a file, an empty read-only tmpfs
 * over a directory. A missing PATH is fine (not every kernel has it). */
int rootfs_mask(const char *root, const char *path);

/* Makes ROOT/PATH read-only: bound onto itself, then remounted
 * MS_RDONLY. A missing PATH is fine. */
int rootfs_readonly(const char *root, const char *path);

/*
 * Makes the mount at TARGET and every mount beneath it nodev and nosuid,
 * plus what FLAGS (a bind's MS_* options) asks of MS_RDONLY, MS_NOEXEC,
 * MS_NODIRATIME and the access-time mode (MS_NOATIME, MS_STRICTATIME,
 * MS_RELATIME), keeping each one's other flags: a bind of
 * a host directory brings the host's submounts along (MS_BIND|MS_REC), and
 * a device node made in one of those must not open the host's disk.
 * mount_setattr(2) with AT_RECURSIVE (Linux 5.12); where it is missing
 * (ENOSYS), each mount of /proc/self/mountinfo at or below TARGET is
 * remounted with its statvfs(3) flags kept, and a note says so.
 */
int rootfs_restrict_tree(const char *target, unsigned long flags);

/* Each path of a NULL-terminated list; stops at the first failure. */
int rootfs_mask_all(const char *root, const char *const *paths);
int rootfs_readonly_all(const char *root, const char *const *paths);

/* What Docker and Podman mask and make read-only by default (moby's
 * oci/defaults.go), NULL-terminated. */
extern const char *const rootfs_masked_paths[];
extern const char *const rootfs_readonly_paths[];

/*
 * An image to stand on: DIR must be an absolute path to a directory, and
 * its /proc, /dev and /sys, where the image has them, must resolve inside
 * it (rootfs_resolve). Refused with the error record ("image 'DIR': ...")
 * before anything is mounted.
 */
int rootfs_check_image(const char *dir);

/* The default image, images/busybox of the toolkit (built by `make image`),
 * found from the program's own path (/proc/self/exe), so a program runs
 * from any directory; into out, absolute. */
int rootfs_default_image(char *out, size_t size);

/* What DIR holds at PATH (the two joined as they are), into OUT, as
 * `layers` tabulates it: "-" (nothing), "dir", "char MAJ:MIN" (a whiteout is
 * char 0:0), else "file SIZE". Returns OUT. */
const char *rootfs_describe(const char *dir, const char *path, char *out, size_t size);

/* --image DIR, the one option of lesson 04's programs (chroot, pivot,
 * escape, layers): for their struct trace_prog, its long option, its help
 * line and the on_option that keeps it; then rootfs_image_chosen() puts the
 * image into OUT - DIR, else the default one - checked (rootfs_check_image).
 * 0, or -1 with the error recorded. */
extern const struct option rootfs_image_longopts[];
#define ROOTFS_IMAGE_HELP                                                                          \
	"  --image DIR  the image, an absolute path (default: images/busybox of this\n"            \
	"               toolkit, found from the program's own path)\n"
int rootfs_image_option(int opt, const char *arg);
int rootfs_image_chosen(char *out, size_t size);

/* The same, found from EXE, the path of a program of the toolkit (the
 * launcher runs from a sealed copy, whose /proc/self/exe is a memfd). */
int rootfs_image_beside(const char *exe, char *out, size_t size);

/*
 * Until the child exits, SIGINT, SIGTERM and SIGHUP to the caller kill it
 * with SIGKILL rather than the caller: the caller lives on to wait for it
 * and to remove its temporary directory, and the child's mounts die with
 * its mount namespace. Returns whether such a signal came.
 */
void rootfs_guard_child(pid_t child);
int rootfs_interrupted(void);
/* After such a signal and the cleanup: "interrupted; cleaned up" (one line,
 * as pids and freeze say it) and the status to exit with, 128+N. A program
 * calls rootfs_guard_child(0) before it makes its temporary directory, so
 * that Ctrl-C from then on (a --step pause before the child exists) is
 * caught too. */
int rootfs_interrupted_exit(void);

/* Runs fn(arg) in a child in a new mount namespace - every mount it makes
 * dies with it - guarded as above, and waits. When FN fails (returns not 0)
 * the child prints the failure FN recorded (err.h) and did not print.
 * Returns the child's wait status, or -1 with the record filled (clone,
 * wait4). The lesson programs do their mounting this way. */
int rootfs_run_isolated(int (*fn)(void *), void *arg);

/*
 * A lesson program's frame (rootfs_demo.c). Each of chroot, pivot, escape,
 * layers and newmount runs in this order:
 *
 *	rootfs_demo_begin()      no stray argument; root (trace_need_root) -
 *	                         the image may sit where only its owner can
 *	                         look; --image checked into IMAGE; Ctrl-C
 *	                         guarded (rootfs_guard_child(0)); the scratch
 *	                         directory /tmp/nutshell-NAME.XXXXXX into TMP
 *	its own set-up, then rootfs_run_isolated(fn): the mounts, in a child
 *	rootfs_demo_end()        a failure still recorded said; TMP removed;
 *	                         after Ctrl-C "interrupted; cleaned up" and
 *	                         128+N; else the child's STATUS decides: the
 *	                         program's CLOSING words, or trace_unexpected()
 *
 * begin returns EXIT_DEMO_OK to go on, else the status to exit with (the
 * failure said); end returns the status to exit with.
 */
struct trace_prog;
int rootfs_demo_begin(const struct trace_prog *prog, int argc, char **argv, char *image,
		      size_t isize, char *tmp, size_t tsize);
int rootfs_demo_end(const char *tmp, int status, const char *closing);

/* mount(2), traced, its failure named in the error record: every mount of
 * this lesson and of the launcher goes through here. */
int rootfs_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		 const char *data);

/*
 * An idmapped copy of the tree at DIR (mount_setattr(2), "Idmapped mount
 * tree"; Linux 5.12): open_tree(DIR, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|
 * AT_RECURSIVE) makes a detached copy of the mounts there, and
 * mount_setattr(fd, "", AT_EMPTY_PATH|AT_RECURSIVE, {MOUNT_ATTR_IDMAP|
 * MOUNT_ATTR_RDONLY, USERNS_FD}) makes it show every file's owner through
 * the id map of the user namespace USERNS_FD (/proc/PID/ns/user): with
 * "0 100000 65536", a file of host uid 0 belongs to uid 0 inside that
 * namespace, and a file it creates there is written as host uid 0.
 * Nothing on disk changes. The copy is read-only: it is meant as an
 * overlay's lower layer, which is never written.
 *
 * Needs CAP_SYS_ADMIN over the filesystem's own user namespace (the host's
 * for a disk), and a filesystem that supports idmapped mounts (ext4, xfs,
 * btrfs from 5.12-5.15; tmpfs from 6.3; never ramfs). Returns the tree's
 * file descriptor - closing it unmounts the copy - or -1: the kernel's
 * errno (EINVAL or EOPNOTSUPP where the kernel or the filesystem cannot,
 * EPERM without the privilege), with the error record naming the call, DIR and
 * its filesystem type. Nothing is left on failure.
 */
int rootfs_idmapped_tree(const char *dir, int userns_fd);

/* move_mount(FD, "", AT_FDCWD, TARGET, MOVE_MOUNT_F_EMPTY_PATH) (Linux
 * 5.2): attaches a detached tree, from open_tree(2) or
 * rootfs_idmapped_tree(), at TARGET in the caller's mount namespace - also
 * when another process made it and passed the descriptor over. */
int rootfs_attach_tree(int fd, const char *target);

/* The type of the filesystem DIR is on, as /proc/self/mountinfo names it
 * ("ext4", "tmpfs", "rootfs"), into out; "unknown" when it cannot tell. */
const char *rootfs_fstype(const char *dir, char *out, size_t size);

/*
 * A temporary directory /tmp/nutshell-PROG.XXXXXX (mode 700) into out, for
 * layers, upper, work and scratch roots; and its removal, depth first,
 * never crossing into a mount (FTW_MOUNT), so that a mount left by mistake
 * is skipped rather than emptied. Both untraced: plumbing.
 */
int rootfs_tmpdir(const char *prog, char *out, size_t size);
/* Makes DIR/SUB for each of the NULL-terminated SUBDIRS ("" is DIR itself). */
int rootfs_mkdirs(const char *dir, const char *const subdirs[]);
int rootfs_remove_tree(const char *path);

/* Bytes a tree occupies on disk (st_blocks, each inode once, as du(1)
 * counts), not crossing mounts; -1 on failure. */
long long rootfs_disk_usage(const char *path);

/* ---- a container's root from one description (rootfs_spec.c) ---- */

/* The image and each layer a start may stack: the idmapped trees passed. */
#define ROOTFS_MAX_TREES 65

/*
 * One mount of a container's root, with the fields of an entry of an OCI
 * config.json's "mounts" (runtime-spec config.md, "Mounts"), its "options"
 * already split into mount(2) flags and the filesystem's data string, as
 * runc does (libcontainer/specconv: "nosuid" -> MS_NOSUID, "rbind" ->
 * MS_BIND|MS_REC, "ro" -> MS_RDONLY; "mode=755" stays data).
 *
 * The destination is resolved inside the root (rootfs_resolve): a symlink in
 * the image cannot send the mount onto the host. A missing mount point is
 * made (its directories too; an empty file for a bind of a file). A bind
 * (type "bind" or MS_BIND in flags) takes a host path as source and is then
 * made nodev and nosuid, and read-only with MS_RDONLY, on every mount
 * beneath it as well (rootfs_restrict_tree). Any other type is one
 * mount(source, target, type, flags, data); MS_REMOUNT changes a mount an
 * earlier entry made.
 */
struct rootfs_mount_spec {
	const char *destination; /* absolute, inside the root: "/proc" */
	const char *type;	 /* "bind", "proc", "sysfs", "tmpfs", "cgroup2", ... */
	const char *source;	 /* a bind's host path; else the filesystem's name */
	unsigned long flags;	 /* MS_ flags */
	const char *data;	 /* the filesystem's options, or NULL */
};

/*
 * The "options" of an OCI mount, N strings, split as runc does: each flag
 * word ("ro", "nosuid", "rbind", "noexec", and their opposites "rw", "suid",
 * "exec" ...) set or cleared in *flags, in order; every other word ("mode=755",
 * "size=64k") appended to data, comma-separated, for the filesystem.
 * Propagation words ("rprivate", "shared" ...) are refused (EINVAL), as is
 * data longer than SIZE (E2BIG); the error record names the option.
 */
int rootfs_mount_options(const char *const *options, size_t n, unsigned long *flags, char *data,
			 size_t size);

/* The other way: the option words ("ro", "nosuid" ...) that set FLAGS, as
 * rootfs_mount_options() reads them back, into out (room for MAX); how
 * many. `nutshell spec` writes the launcher's mounts with them. */
size_t rootfs_mount_words(unsigned long flags, const char **out, size_t max);

/* How the process enters the new root (root.path in OCI is always pivoted
 * into, or chroot'ed with "noPivotRoot" where pivot_root cannot work). */
enum rootfs_enter {
	ROOTFS_PIVOT,  /* rootfs_pivot: the old root detached (the default) */
	ROOTFS_CHROOT, /* rootfs_chroot: the host's mounts stay reachable */
	ROOTFS_STAY,   /* neither: the caller goes on outside the root */
};

/*
 * A container's root. Two ways to say where it is:
 * - scratch: a directory on which a tmpfs (options scratch_data, e.g.
 *   "mode=700,size=...") is mounted holding upper/, work/ and root/; layers
 *   (lower only) are stacked with a fresh upper there, on root/. The tmpfs
 *   dies with the mount namespace, and with it every write of the container;
 * - root alone (scratch NULL): a directory that is the root already (OCI's
 *   root.path), or the overlay's mount point when layers holds lower, upper
 *   and work of the caller's.
 * tree_fd[0..ntrees-1], when given, are detached idmapped trees
 * (rootfs_idmapped_tree), one per lower layer in the same order, attached in
 * the scratch tmpfs and stacked instead of layers.lower; they are closed
 * whatever happens. Where overlayfs refuses them (Linux 5.12-5.18: EINVAL),
 * layers.lower is stacked instead, and one line says so.
 *
 * masked and readonly_paths are NULL-terminated lists (OCI's
 * linux.maskedPaths, linux.readonlyPaths; rootfs_masked_paths and
 * rootfs_readonly_paths are Docker's). dev: a small /dev (rootfs_mount_dev),
 * read-only after. mounted, when not NULL, is called once every mount is
 * made, just before the root is entered (the launcher stamps its timings).
 */
/* A device node to make in the small /dev (OCI's linux.devices): PATH
 * below /dev, MODE its type (S_IFCHR, S_IFBLK, S_IFIFO) and permissions,
 * DEV its number (makedev), then owned by UID:GID. */
struct rootfs_dev_node {
	const char *path;
	mode_t mode;
	dev_t dev;
	uid_t uid;
	gid_t gid;
};

struct rootfs_spec {
	const char *root;
	const char *scratch;
	const char *scratch_data;
	struct rootfs_layers layers;
	const int *tree_fd;
	size_t ntrees;
	int readonly; /* root.readonly: the root remounted read-only at the end */
	const struct rootfs_mount_spec *mounts;
	size_t nmounts;
	int dev;
	const struct rootfs_dev_node *nodes; /* made in /dev before it is read-only */
	size_t nnodes;
	const char *const *masked;
	const char *const *readonly_paths;
	enum rootfs_enter enter;
	void (*mounted)(void);
};

/*
 * Makes the root S describes and enters it, in the order at the top of this
 * file. Call in a new mount namespace (the root's mounts die with it).
 * Returns 0, or -1 with the error record naming the step and the value
 * ("/data: mount ...: EPERM (...)"); what was mounted stays, for the
 * namespace's end to take.
 */
int rootfs_setup(const struct rootfs_spec *s);

#endif
