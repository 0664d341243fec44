/*
 * rootfs_spec.c - "make this the root of a container" in one call, from a
 * description (struct rootfs_spec, see rootfs.h): the launcher fills it from
 * its options, an OCI runtime from a config.json's root, mounts,
 * maskedPaths and readonlyPaths.
 */
#include "../01-namespaces/ns.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Where a detached tree is attached: SCRATCH/image or SCRATCH/layerN; a
 * scratch path is short (rootfs_tmpdir's), and the paths are on the stack. */
#define TREE_PATH 288

/* <<< trees */
/* Idmapped trees (rootfs_idmapped_tree), made by another process and passed
 * over, attached in the scratch tmpfs: they stand in for the host's
 * directories as the overlay's lower layers. The image (the bottom layer)
 * is attached first, as "image"; each layer above it as "layerN". */
static int
attach_trees(const struct rootfs_spec *s, char (*trees)[TREE_PATH], struct rootfs_layers *l)
{
	size_t n = s->ntrees, i = 0;

	if (n > ROOTFS_MAX_TREES || n != l->nlower || strlen(s->scratch) + 16 > TREE_PATH)
		err_set(EINVAL, "%zu idmapped trees for %zu layers in '%s'; expected one per layer",
			n, l->nlower, s->scratch);
	else
		for (; i < n; i++) {
			size_t at = n - 1 - i; /* tree_fd[] is in lowerdir= order */
			if (i == 0)
				snprintf(trees[i], TREE_PATH, "%s/image", s->scratch);
			else
				snprintf(trees[i], TREE_PATH, "%s/layer%zu", s->scratch, i);
			if (mkdir(trees[i], 0755) == -1) {
				err_sys("mkdir %s", trees[i]);
				break;
			}
			if (rootfs_attach_tree(s->tree_fd[at], trees[i]) == -1) {
				err_prefix("attaching an idmapped layer");
				break;
			}
			/* Attached: the mount table holds it now. */
			close(s->tree_fd[at]);
			l->lower[at] = trees[i];
		}
	for (size_t j = i; j < n; j++)
		close(s->tree_fd[n - 1 - j]);
	return i == n ? 0 : -1;
}
/* >>> trees */

/* The overlay at ROOT: the layers, idmapped when trees were passed. Linux
 * 5.12 to 5.18 idmap, but overlayfs refuses such layers (EINVAL): then the
 * host's directories, and the files show their host owners. */
static int
mount_layers(const struct rootfs_spec *s, const char *root, const struct rootfs_layers *host)
{
	char trees[ROOTFS_MAX_TREES][TREE_PATH];
	struct rootfs_layers layers = *host;

	if (s->ntrees && attach_trees(s, trees, &layers) == -1)
		return -1;
	if (rootfs_mount_overlay(&layers, root) == 0)
		return 0;
	if (!s->ntrees || errno != EINVAL)
		return err_prefix("overlay");
	trace_error("--userns: the image's files will appear owned by nobody (65534) inside: "
		    "overlayfs refused the idmapped layers (%s; it takes them from Linux 5.19)",
		    err_last()->msg);
	err_clear();
	if (rootfs_mount_overlay(host, root) == -1)
		return err_prefix("overlay");
	return 0;
}

/* A missing mount point TARGET (resolved inside ROOT, so every component
 * that exists is inside it): its directories made, then TARGET itself, a
 * directory or, for a bind of a file, an empty file. */
static int
make_mount_point(const char *root, char *target, int want_dir)
{
	for (char *p = target + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		int ret = mkdir(target, 0755);
		int saved = errno;
		*p = '/';
		if (ret == -1 && saved != EEXIST) {
			errno = saved;
			return err_sys("mkdir %s", target);
		}
	}
	if (want_dir) {
		if (mkdir(target, 0755) == -1)
			return err_sys("mkdir %s", target);
		return 0;
	}
	int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return err_sys("open %s", target);
	close(fd);
	return 0;
}

/* <<< mount-entry */
/* One entry of the mounts list. A bind (type "bind", or MS_BIND) takes a
 * host path as source; the target is resolved inside the root - a symlink
 * in the image must not send the mount onto the host (CVE-2021-30465) - and
 * made when missing. */
static int
mount_entry(const char *root, const struct rootfs_mount_spec *m)
{
	int bind = (m->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
	char target[PATH_MAX];
	struct stat src;
	int found = rootfs_target(root, m->destination, 0, 0, target, sizeof(target), NULL);

	if (found == -1)
		return -1;
	if (bind && stat(m->source, &src) == -1)
		return err_sys("%s", m->source);
	if (!(m->flags & MS_REMOUNT) && !found &&
	    make_mount_point(root, target, !bind || S_ISDIR(src.st_mode)) == -1)
		return -1;
	if (!bind)
		return rootfs_mount(m->source, target, m->type, m->flags, m->data);
	/* The host's mounts beneath the source come along (MS_REC): nodev,
	 * nosuid and read-only must reach them too, and the source's own ro
	 * or noexec must stay (issue 23: a read-only host mount became
	 * writable, a node made in a tmpfs below a volume opened the host's
	 * disk). mount(2) ignores the other flags of a bind; they are set
	 * after it. */
	if (rootfs_mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) == -1)
		return -1;
	return rootfs_restrict_tree(target, m->flags);
}
/* >>> mount-entry */

/* The mount(2) flags of OCI's mount options, as runc's parseMountOptions
 * (libcontainer/specconv) reads them: a set flag, or a cleared one. */
static const struct {
	const char *name;
	int clear;
	unsigned long flag;
} option_flags[] = {
    {"ro", 0, MS_RDONLY},
    {"rw", 1, MS_RDONLY},
    {"nosuid", 0, MS_NOSUID},
    {"suid", 1, MS_NOSUID},
    {"nodev", 0, MS_NODEV},
    {"dev", 1, MS_NODEV},
    {"noexec", 0, MS_NOEXEC},
    {"exec", 1, MS_NOEXEC},
    {"sync", 0, MS_SYNCHRONOUS},
    {"async", 1, MS_SYNCHRONOUS},
    {"dirsync", 0, MS_DIRSYNC},
    {"remount", 0, MS_REMOUNT},
    {"mand", 0, MS_MANDLOCK},
    {"nomand", 1, MS_MANDLOCK},
    {"atime", 1, MS_NOATIME},
    {"noatime", 0, MS_NOATIME},
    {"diratime", 1, MS_NODIRATIME},
    {"nodiratime", 0, MS_NODIRATIME},
    {"bind", 0, MS_BIND},
    {"rbind", 0, MS_BIND | MS_REC},
    {"relatime", 0, MS_RELATIME},
    {"norelatime", 1, MS_RELATIME},
    {"strictatime", 0, MS_STRICTATIME},
    {"nostrictatime", 1, MS_STRICTATIME},
};

size_t
rootfs_mount_words(unsigned long flags, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < sizeof(option_flags) / sizeof(option_flags[0]); k++) {
		unsigned long f = option_flags[k].flag;
		/* A recursive bind is "rbind" alone, not "bind" too. */
		if (option_flags[k].clear || (flags & f) != f ||
		    (f == MS_BIND && (flags & MS_REC)) || n == max)
			continue;
		out[n++] = option_flags[k].name;
	}
	return n;
}

int
rootfs_mount_options(const char *const *options, size_t n, unsigned long *flags, char *data,
		     size_t size)
{
	size_t len = 0;

	*flags = 0;
	if (size)
		data[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t k = 0, count = sizeof(option_flags) / sizeof(option_flags[0]);

		while (k < count && strcmp(options[i], option_flags[k].name) != 0)
			k++;
		if (k < count) {
			if (option_flags[k].clear)
				*flags &= ~option_flags[k].flag;
			else
				*flags |= option_flags[k].flag;
			continue;
		}
		/* Propagation is the runtime's to set on the root, not a
		 * mount's: refused rather than passed to the filesystem. */
		if (strstr(options[i], "shared") || strstr(options[i], "slave") ||
		    strstr(options[i], "private") || strstr(options[i], "bindable"))
			return err_set(EINVAL, "mount option '%s': propagation is not supported",
				       options[i]);
		/* Anything else is the filesystem's own ("mode=755"). */
		size_t need = strlen(options[i]) + (len > 0);
		if (len + need >= size)
			return err_set(E2BIG, "mount option '%s': the options exceed %zu bytes",
				       options[i], size ? size - 1 : 0);
		len += (size_t)snprintf(data + len, size - len, "%s%s", len ? "," : "", options[i]);
	}
	return 0;
}

/* A destination inside /dev ("/dev/mqueue"): with a small /dev made, it is
 * mounted after it. */
static int
in_dev(const char *destination)
{
	return strncmp(destination, "/dev/", 5) == 0;
}

/* <<< setup */
/*
 * The device nodes of OCI's linux.devices, in the tmpfs /dev just made
 * (runc's createDevices: mknod(2), then chown(2); the mode again with
 * chmod(2), which the umask does not touch). No component of a path may
 * be a symlink: /dev holds /dev/fd -> /proc/self/fd, and a node made
 * through it would land outside the root. A node already there (a
 * default one) is replaced: config.json's wins, as in runc.
 */
static int
make_nodes(const char *root, const struct rootfs_dev_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rootfs_dev_node *d = &nodes[i];
		char path[PATH_MAX];
		struct stat st;

		if (strncmp(d->path, "/dev/", 5) != 0 || strstr(d->path, "/.") ||
		    strstr(d->path, "//") || d->path[strlen(d->path) - 1] == '/')
			return err_set(EINVAL, "device %s: expected a path below /dev", d->path);
		snprintf(path, sizeof(path), "%s%s", root, d->path);
		/* Its parents: directories of the tmpfs, made when missing. */
		for (char *p = path + strlen(root) + 5; (p = strchr(p, '/')); p++) {
			*p = '\0';
			if (lstat(path, &st) == -1 &&
			    TRACE(mkdir(path, 0755), "mkdir", "%s, 0755", trace_str(path)) == -1)
				return err_sys("device %s: mkdir %s", d->path, path);
			if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
				return err_set(ENOTDIR, "device %s: %s is not a directory", d->path,
					       path);
			*p = '/';
		}
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
				return err_set(EEXIST, "device %s: a directory or symlink is there",
					       d->path);
			if (unlink(path) == -1)
				return err_sys("device %s", d->path);
		}
		if (TRACE(mknod(path, d->mode, d->dev), "mknodat",
			  "AT_FDCWD, %s, 0%o, makedev(%u, %u)", trace_str(path), (unsigned)d->mode,
			  major(d->dev), minor(d->dev)) == -1)
			return err_sys("device %s: mknod", d->path);
		if (TRACE(chown(path, d->uid, d->gid), "chown", "%s, %u, %u", trace_str(path),
			  (unsigned)d->uid, (unsigned)d->gid) == -1 ||
		    chmod(path, d->mode & 07777) == -1)
			return err_sys("device %s: chown", d->path);
	}
	return 0;
}

int
rootfs_setup(const struct rootfs_spec *s)
{
	char upper[PATH_MAX], work[PATH_MAX], root[PATH_MAX], dev[PATH_MAX + 8];
	struct rootfs_layers host = s->layers;

	if (ns_make_private() == -1)
		return -1;
	snprintf(root, sizeof(root), "%s", s->root ? s->root : "");
	if (s->scratch) {
		/* Every write of the container lands in this tmpfs, discarded
		 * with the mount namespace. */
		if (rootfs_mount("tmpfs", s->scratch, "tmpfs", MS_NOSUID | MS_NODEV,
				 s->scratch_data) == -1)
			return -1;
		snprintf(upper, sizeof(upper), "%s/upper", s->scratch);
		snprintf(work, sizeof(work), "%s/work", s->scratch);
		snprintf(root, sizeof(root), "%s/root", s->scratch);
		if (mkdir(upper, 0755) == -1)
			return err_sys("mkdir %s", upper);
		if (mkdir(work, 0700) == -1)
			return err_sys("mkdir %s", work);
		if (mkdir(root, 0755) == -1)
			return err_sys("mkdir %s", root);
		host.upper = upper;
		host.work = work;
	}
	if (host.nlower && mount_layers(s, root, &host) == -1)
		return -1;
	/* A directory that is the root already (OCI's root.path) is no mount
	 * point, which pivot_root(2) and the remounts below need: bound onto
	 * itself first, as runc does (prepareRoot). */
	if (!host.nlower && rootfs_bind_self(root) == -1)
		return err_prefix("%s", root);
	/* No device node outside /dev may be opened (an image's, or one
	 * mknod'ed in /tmp, would reach the host's disk): nodev on the root,
	 * and /dev read-only once its few nodes exist. Set-uid files of the
	 * image do not raise privileges either. */
	if (rootfs_mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV | MS_NOSUID, NULL) == -1)
		return err_prefix("%s", root);
	for (size_t i = 0; i < s->nmounts; i++)
		if (!(s->dev && in_dev(s->mounts[i].destination)) &&
		    mount_entry(root, &s->mounts[i]) == -1)
			return err_prefix("%s", s->mounts[i].destination);
	if (s->dev) {
		if (rootfs_mount_dev(root) == -1)
			return err_prefix("/dev");
		/* An entry under /dev (OCI's /dev/mqueue, /dev/pts) goes in
		 * the tmpfs just made, not under it, and before it is made
		 * read-only: its mount point may need making. */
		for (size_t i = 0; i < s->nmounts; i++)
			if (in_dev(s->mounts[i].destination) &&
			    mount_entry(root, &s->mounts[i]) == -1)
				return err_prefix("%s", s->mounts[i].destination);
		if (make_nodes(root, s->nodes, s->nnodes) == -1)
			return -1;
		snprintf(dev, sizeof(dev), "%s/dev", root);
		if (rootfs_mount(NULL, dev, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID,
				 NULL) == -1)
			return err_prefix("/dev");
	}
	if (s->masked || s->readonly_paths)
		trace_phase("masks", "what of /proc and /sys the container may not read or write; "
				     "then pivot_root");
	if (s->masked && rootfs_mask_all(root, s->masked) == -1)
		return err_prefix("masking");
	if (s->readonly_paths && rootfs_readonly_all(root, s->readonly_paths) == -1)
		return err_prefix("read-only paths");
	if (s->readonly &&
	    rootfs_mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID,
			 NULL) == -1)
		return err_prefix("read-only root");
	if (s->mounted)
		s->mounted();
	if (s->enter == ROOTFS_CHROOT && rootfs_chroot(root) == -1)
		return err_prefix("chroot");
	if (s->enter == ROOTFS_PIVOT && rootfs_pivot(root) == -1)
		return err_prefix("pivot_root");
	return 0;
}
/* >>> setup */
