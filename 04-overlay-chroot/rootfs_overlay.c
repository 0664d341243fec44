/*
 * rootfs_overlay.c - what a container's root is made of (rootfs.h): an
 * image directory checked, and the overlay of layers - checked, turned into
 * overlayfs's option string, then mounted.
 *
 * Read: Documentation/filesystems/overlayfs.rst, mount(2).
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "rootfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
check_dir(const char *what, const char *path, struct stat *st)
{
	if (!path || path[0] != '/')
		return err_set(EINVAL, "%s '%s': expected an absolute path", what,
			       path ? path : "");
	/* lowerdir=A:B,upperdir=U: ':' and ',' would split the path. */
	if (strpbrk(path, ",:\\"))
		return err_set(EINVAL, "%s '%s': an overlay path cannot contain ',' ':' or '\\'",
			       what, path);
	if (stat(path, st) == -1)
		return err_set(errno, "%s '%s': %s", what, path,
			       errno == ENOENT ? "no such directory" : strerror(errno));
	if (!S_ISDIR(st->st_mode))
		return err_set(ENOTDIR, "%s '%s': not a directory", what, path);
	return 0;
}

int
rootfs_overlay_options(const struct rootfs_layers *l, char *opts, size_t size)
{
	struct stat st, upper, work;
	size_t len = 0;
	/* The legacy mount(2) copies at most one page of options
	 * (copy_mount_options, fs/namespace.c); overlayfs needs the NUL too. */
	size_t limit = (size_t)sysconf(_SC_PAGESIZE) - 1;

	if (l->nlower == 0)
		return err_set(EINVAL, "overlay: no lower layer; expected at least one");
	if (l->nlower > ROOTFS_MAX_LOWER)
		return err_set(EINVAL, "overlay: %zu lower layers; overlayfs stacks at most %d",
			       l->nlower, ROOTFS_MAX_LOWER);
	for (size_t i = 0; i < l->nlower; i++)
		if (check_dir("overlay: lower layer", l->lower[i], &st) == -1)
			return -1;
	if (!l->upper != !l->work)
		return err_set(EINVAL, "overlay: an upper layer needs a work directory, and the "
				       "reverse");
	if (l->upper) {
		if (check_dir("overlay: upper", l->upper, &upper) == -1 ||
		    check_dir("overlay: work", l->work, &work) == -1)
			return -1;
		/* Copy-up writes into work, then renames into upper (rename(2)
		 * does not cross filesystems). */
		if (upper.st_dev != work.st_dev)
			return err_set(EXDEV,
				       "overlay: upper '%s' and work '%s' are on different "
				       "filesystems; expected one",
				       l->upper, l->work);
		if (upper.st_ino == work.st_ino)
			return err_set(EINVAL,
				       "overlay: upper and work are both '%s'; expected two "
				       "directories",
				       l->upper);
	}

	/* Measure first, so an overlong string is refused, never cut. */
	len += strlen("lowerdir=");
	for (size_t i = 0; i < l->nlower; i++)
		len += strlen(l->lower[i]) + (i > 0);
	if (l->upper)
		len +=
		    strlen(",upperdir=") + strlen(l->upper) + strlen(",workdir=") + strlen(l->work);
	if (l->userxattr)
		len += strlen(",userxattr");
	if (len > limit || len >= size)
		return err_set(E2BIG,
			       "overlay: %zu lower layers make a %zu-byte option string; mount(2) "
			       "takes at most %zu",
			       l->nlower, len, limit < size - 1 ? limit : size - 1);
	size_t o = (size_t)snprintf(opts, size, "lowerdir=");
	for (size_t i = 0; i < l->nlower; i++)
		o += (size_t)snprintf(opts + o, size - o, "%s%s", i ? ":" : "", l->lower[i]);
	if (l->upper)
		o += (size_t)snprintf(opts + o, size - o, ",upperdir=%s,workdir=%s", l->upper,
				      l->work);
	if (l->userxattr)
		snprintf(opts + o, size - o, ",userxattr");
	return 0;
}

int
rootfs_mount_overlay(const struct rootfs_layers *l, const char *target)
{
	char *opts = malloc(8192);
	int ret = -1;

	if (!opts)
		return err_set(ENOMEM, "overlay: out of memory");
	if (rootfs_overlay_options(l, opts, 8192) == 0) {
		trace_note("overlay options: %s", opts);
		ret = rootfs_mount("overlay", target, "overlay", 0, opts);
	}
	free(opts);
	return ret;
}

int
rootfs_check_image(const char *dir)
{
	static const char *const targets[] = {"/proc", "/dev", "/sys"};
	char resolved[PATH_MAX];
	struct stat st;

	if (check_dir("image", dir, &st) == -1)
		return -1;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (rootfs_resolve(dir, targets[i], resolved, sizeof(resolved)) == -1)
			return err_prefix("image '%s'", dir);
	return 0;
}
