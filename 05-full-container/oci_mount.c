/*
 * oci_mount.c - the container's root as config.json describes it, made
 * with lesson 04's helpers (rootfs.h) in init's new mount namespace:
 *
 *	ns_make_private()             nothing mounted here leaks to the host
 *	rootfs_bind_self(root.path)   pivot_root(2) wants a mount point
 *	each of "mounts", in order    resolved inside the root (rootfs_resolve:
 *	                              a symlink in the image may not lead out,
 *	                              CVE-2019-19921, CVE-2021-30465)
 *	rootfs_pivot()                the old root detached
 *	maskedPaths, readonlyPaths    the lists config.json gives
 *	root.readonly                 "/" remounted read-only
 *
 * The containerd shim has mounted the image's overlay at root.path already,
 * and podman hands over its own: no overlay of nutshell's in this mode.
 */
#include "oci.h"
#include "../01-namespaces/ns.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rootfs helper's failure, in the error record already: which entry of
 * config.json it was, in front. */
static int
rootfs_failed(const char *what)
{
	return err_prefix("%s", what);
}

/* mkdir -p of what rootfs_resolve() left missing at the end of TARGET
 * (the part below ROOT exists and is inside it); a file when the mount's
 * source is one (a bind of /etc/hosts). */
static int
make_target(const char *target, const char *source, int bind)
{
	char path[4096];
	struct stat st;

	if (lstat(target, &st) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s", target);
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return err_sys("mkdir %s", path);
		*p = '/';
	}
	if (bind && source && stat(source, &st) == 0 && !S_ISDIR(st.st_mode)) {
		int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd == -1)
			return err_sys("creating %s", target);
		close(fd);
		return 0;
	}
	if (mkdir(target, 0755) == -1 && errno != EEXIST)
		return err_sys("mkdir %s", target);
	return 0;
}

static int
mount_one(const char *root, const struct oci_mount *m)
{
	char target[4096];
	/* What a bind's first mount(2) ignores; set by a remount after. */
	const unsigned long remount = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
				      MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

	if (rootfs_resolve(root, m->dest, target, sizeof(target)) == -1)
		return rootfs_failed(m->dest);
	/* /dev: lesson 04's small tmpfs with only the default devices
	 * (config-linux.md "Default Devices"), devpts and /dev/shm in it. */
	if (strcmp(m->dest, "/dev") == 0 && m->type && strcmp(m->type, "tmpfs") == 0) {
		if (rootfs_mount_dev(root) == -1)
			return rootfs_failed("/dev");
		return 0;
	}
	if (m->type && strcmp(m->type, "cgroup") == 0) {
		/* Not on this first part's list: said, not hidden. */
		trace_note("mounts %s (cgroup): not mounted by nutshell's runtime mode yet",
			   m->dest);
		return 0;
	}
	if (make_target(target, m->source, m->bind) == -1)
		return -1;
	if (m->bind) {
		if (!m->source || m->source[0] != '/')
			return err_set(EINVAL,
				       "mounts %s: bind source '%s': expected an absolute path",
				       m->dest, m->source ? m->source : "");
		if (rootfs_mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) ==
		    -1)
			return rootfs_failed(m->dest);
		if ((m->flags & remount) &&
		    rootfs_mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (m->flags & remount),
				 NULL) == -1)
			return rootfs_failed(m->dest);
	} else if (rootfs_mount(m->source ? m->source : m->type, target, m->type,
				m->flags & ~(unsigned long)MS_REC,
				m->data[0] ? m->data : NULL) == -1)
		return rootfs_failed(m->dest);
	if (m->propagation && rootfs_mount(NULL, target, NULL, m->propagation, NULL) == -1)
		return rootfs_failed(m->dest);
	return 0;
}

/* <<< oci-root */
int
oci_setup_root(const struct oci_spec *s)
{
	if (ns_make_private() == -1)
		return err_sys("making mounts private");
	if (rootfs_bind_self(s->rootfs) == -1)
		return rootfs_failed(s->rootfs);
	for (size_t i = 0; i < s->nmounts; i++)
		if (mount_one(s->rootfs, &s->mounts[i]) == -1)
			return -1;
	if (rootfs_pivot(s->rootfs) == -1)
		return rootfs_failed("pivot_root");
	for (size_t i = 0; s->masked[i]; i++)
		if (rootfs_mask("/", s->masked[i]) == -1)
			return rootfs_failed(s->masked[i]);
	for (size_t i = 0; s->readonly_paths[i]; i++)
		if (rootfs_readonly("/", s->readonly_paths[i]) == -1)
			return rootfs_failed(s->readonly_paths[i]);
	if (s->readonly &&
	    rootfs_mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == -1)
		return rootfs_failed("root.readonly");
	return 0;
}
/* >>> oci-root */
