/*
 * image_apply.c - one layer unpacked into a directory of its own (lesson
 * 04, image.h): every entry's name resolved inside the directory with
 * openat2(2) RESOLVE_IN_ROOT, its whiteouts turned into what overlayfs
 * reads (".wh.NAME" a character device 0/0, ".wh..wh..opq" the opaque
 * xattr), device nodes and trusted.* xattrs kept out of a stranger's image.
 *
 * Sources: OCI image-spec v1.1 layer.md ("Whiteouts"), containerd
 * archive/tar.go and archive/tar_opts_linux.go, libarchive's
 * archive_read(3) and archive_entry(3), openat2(2), overlayfs.rst.
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "image_impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static const struct open_how in_root = {
    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
    /* Every lookup stays in the layer: ".." and absolute symlinks are
     * clamped at its top, /proc magic links refused, and no mount crossed
     * (openat2(2)). */
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
};

static int
open_in_root(int root, const char *path)
{
	return (int)syscall(SYS_openat2, root, path, &in_root, sizeof(in_root));
}

/*
 * The tar entry NAME made safe: "./" and "." components dropped; refused
 * when absolute, with a ".." component, or empty after all.
 */
static int
clean_name(const char *name, char *out, size_t size)
{
	char tmp[PATH_MAX], *save, *c;
	size_t n = 0;

	if (!name || name[0] == '/')
		return err_set(EINVAL, "entry '%s': absolute name", name ? name : "(null)");
	if (snprintf(tmp, sizeof(tmp), "%s", name) >= (int)sizeof(tmp))
		return err_set(ENAMETOOLONG, "entry '%.64s...': name too long", name);
	out[0] = '\0';
	for (c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return err_set(EINVAL, "entry '%s': '..' climbs out of the layer", name);
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "/" : "", c);
	}
	return 0;
}

/*
 * Opens the directory that holds PATH (cleaned), creating missing parents
 * as the tar format allows; its last component into *base. A parent that
 * exists but is not a directory (a symlink the layer planted, a file) is
 * refused: nothing is written through a symlink.
 */
static int
open_parent(int root, const char *path, char *prefix, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n = 0;
	int dfd = dup(root);

	*base = slash ? slash + 1 : path;
	if (dfd == -1 || !slash)
		return dfd;
	while (n < (size_t)(slash - path)) {
		const char *c = path + n + (n ? 1 : 0), *end = strchr(c, '/');
		char comp[NAME_MAX + 1];
		struct stat st;

		snprintf(comp, sizeof(comp), "%.*s", (int)(end - c), c);
		memcpy(prefix, path, end - path);
		prefix[end - path] = '\0';
		n = end - path;
		if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT || mkdirat(dfd, comp, 0755) == -1)
				goto fail;
		} else if (!S_ISDIR(st.st_mode)) {
			close(dfd);
			return err_set(ELOOP, "entry '%s': '%s' is not a directory in the layer%s",
				       path, prefix, S_ISLNK(st.st_mode) ? " (a symlink)" : "");
		}
		int fd = open_in_root(root, prefix);
		if (fd == -1)
			goto fail;
		close(dfd);
		dfd = fd;
	}
	return dfd;
fail:
	err_sys("directory '%.300s'", prefix);
	close(dfd);
	return -1;
}

/* Removes what is at NAME in DFD, so that a later entry replaces an earlier
 * one as tar does; a directory stays (its entries merge). */
static void
clear_name(int dfd, const char *name, int keep_dir)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	if (S_ISDIR(st.st_mode)) {
		if (!keep_dir)
			unlinkat(dfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dfd, name, 0);
	}
}

/* Owner, mode (after chown, which clears setuid), xattrs. */
static int
set_meta(int fd, struct archive_entry *e, const struct img_apply_opts *o,
	 struct img_apply_stats *st)
{
	const char *name;
	const void *val;
	size_t size;

	if (geteuid() == 0 && fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) == -1)
		return -1;
	if (fchmod(fd, archive_entry_perm(e)) == -1)
		return -1;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		/* File capabilities and user xattrs are the image's; trusted.*
		 * is overlayfs' own (a planted trusted.overlay.redirect or
		 * opaque would rewrite the merged view) and security.* else
		 * belongs to the host's LSM. */
		int ok = !strcmp(name, "security.capability") ||
			 (!strncmp(name, "user.", 5) && strncmp(name, "user.overlay.", 13));
		if (o->plain || !ok) {
			st->xattrs_skipped++;
			continue;
		}
		if (fsetxattr(fd, name, val, size, 0) == -1)
			return -1;
	}
	return 0;
}

static int
write_data(struct archive *a, int fd, const char *path, const struct img_apply_opts *o,
	   struct img_apply_stats *st, long long size)
{
	const void *buf;
	size_t n;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
		st->bytes += n;
		if (st->bytes > o->max_size)
			return err_set(EFBIG,
				       "entry '%s': more than %lld bytes in the layer "
				       "(--max-size)",
				       path, o->max_size);
		/* Sparse files come in blocks with holes between them. */
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return err_sys("write '%.300s'", path);
	}
	if (r != ARCHIVE_EOF)
		return err_set(EBADMSG, "entry '%s': %s", path, archive_error_string(a));
	if (ftruncate(fd, size) == -1)
		return err_sys("truncate '%.300s'", path);
	return 0;
}

/* ".wh.NAME" and ".wh..wh..opq" as overlayfs reads them. */
static int
whiteout(int dfd, const char *path, const char *base, const struct img_apply_opts *o,
	 struct img_apply_stats *st)
{
	const char *xattr = o->userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
	const char *hidden = base + 4;

	if (!strcmp(base, ".wh..wh..opq")) {
		if (TRACE(fsetxattr(dfd, xattr, "y", 1, 0), "fsetxattr", "%d, %s, \"y\", 1, 0", dfd,
			  trace_str(xattr)) == -1) {
			/* tmpfs keeps user.* xattrs only from Linux 6.6
			 * (mm/shmem.c, shmem_xattr_handlers). */
			if (errno == EOPNOTSUPP && o->userxattr)
				return err_sys(
				    "opaque directory '%.300s': this filesystem keeps no "
				    "user.* xattrs (tmpfs before Linux 6.6)",
				    path);
			return err_sys("opaque directory '%.300s'", path);
		}
		st->opaques++;
		return 0;
	}
	/* Other ".wh..wh." names are aufs' bookkeeping (.wh..wh.plnk):
	 * nothing to hide. */
	if (!strncmp(base, ".wh..wh.", 8))
		return 0;
	if (!hidden[0] || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return err_set(EINVAL, "entry '%s': a whiteout of nothing", path);
	if (TRACE(mknodat(dfd, hidden, S_IFCHR | 0, makedev(0, 0)), "mknodat",
		  "%d, %s, S_IFCHR, makedev(0, 0)", dfd, trace_str(hidden)) == -1)
		return err_sys("whiteout '%.300s'", path);
	st->whiteouts++;
	return 0;
}

static int
apply_entry(struct archive *a, struct archive_entry *e, int root, const struct img_apply_opts *o,
	    struct img_apply_stats *st)
{
	char path[PATH_MAX], prefix[PATH_MAX] = "", target[PATH_MAX];
	mode_t type = archive_entry_filetype(e);
	const char *base, *hl = archive_entry_hardlink(e);
	int dfd, fd = -1, ret = -1;

	if (clean_name(archive_entry_pathname(e), path, sizeof(path)) == -1)
		return -1;
	if (!path[0]) /* "./": the layer's top directory itself */
		return type == AE_IFDIR ? set_meta(root, e, o, st) : 0;
	/* podman save's docker-archive keeps docker's legacy per-layer
	 * directories, their layer.tar a symlink to the blob manifest.json
	 * names: the blobs are files. A symlink is never made, so one that a
	 * manifest names is a blob not there, refused as such. */
	if (o->plain && !hl && type == AE_IFLNK)
		return 0;
	if (o->plain && !hl && type != AE_IFREG && type != AE_IFDIR)
		return err_set(EINVAL,
			       "entry '%s': an image archive holds files and directories "
			       "only",
			       path);
	dfd = open_parent(root, path, prefix, &base);
	if (dfd == -1)
		return -1;
	if (!o->plain && !strncmp(base, ".wh.", 4)) {
		ret = whiteout(dfd, path, base, o, st);
		goto out;
	}
	st->files++;
	if (hl) {
		int tfd;
		const char *tbase;
		char tprefix[PATH_MAX] = "";

		if (clean_name(hl, target, sizeof(target)) == -1)
			goto out;
		/* The target is looked up inside the layer only: a link to
		 * a file outside it cannot be named. */
		tfd = open_parent(root, target, tprefix, &tbase);
		if (tfd == -1)
			goto out;
		clear_name(dfd, base, 0);
		ret = linkat(tfd, tbase, dfd, base, 0);
		if (ret == -1)
			errno == ENOENT
			    ? err_set(ENOENT, "entry '%s': hard link to '%s', not in this layer",
				      path, target)
			    : err_sys("link '%.300s'", path);
		close(tfd);
		goto out;
	}
	clear_name(dfd, base, type == AE_IFDIR);
	switch (type) {
	case AE_IFREG:
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1)
			goto fail;
		if (write_data(a, fd, path, o, st, archive_entry_size(e)) == -1)
			goto out;
		if (set_meta(fd, e, o, st) == -1)
			goto fail;
		break;
	case AE_IFDIR:
		if (mkdirat(dfd, base, 0700) == -1 && errno != EEXIST)
			goto fail;
		fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 || set_meta(fd, e, o, st) == -1)
			goto fail;
		break;
	case AE_IFLNK:
		/* The target is only text here; it is resolved later, inside
		 * the container's root. */
		if (symlinkat(archive_entry_symlink(e), dfd, base) == -1)
			goto fail;
		if (geteuid() == 0 && fchownat(dfd, base, archive_entry_uid(e),
					       archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) == -1)
			goto fail;
		break;
	case AE_IFIFO:
		if (mknodat(dfd, base, S_IFIFO | archive_entry_perm(e), 0) == -1)
			goto fail;
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		if (!o->trusted) {
			trace_note(
			    "kept out: device node '%s' (not a whiteout; --trusted keeps it)",
			    path);
			st->devices_skipped++;
			st->files--;
			break;
		}
		if (mknodat(dfd, base, type | archive_entry_perm(e), archive_entry_rdev(e)) == -1)
			goto fail;
		break;
	default:
		err_set(EINVAL, "entry '%s': unknown type 0%o", path, type);
		goto out;
	}
	ret = 0;
	goto out;
fail:
	err_sys("entry '%.300s'", path);
out:
	if (fd != -1)
		close(fd);
	close(dfd);
	return ret;
}

int
img_apply(const char *path, const char *dir, const struct img_apply_opts *o,
	  struct img_apply_stats *st)
{
	struct archive *a = img_reader(0);
	struct archive_entry *e;
	int root, r, ret = -1;

	memset(st, 0, sizeof(*st));
	err_clear();
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!a || root == -1) {
		err_sys("layer directory '%.300s'", dir);
		goto out;
	}
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		err_set(EBADMSG, "'%s': %s", path, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (apply_entry(a, e, root, o, st) == -1)
			goto out;
	if (r != ARCHIVE_EOF) {
		err_set(EBADMSG, "'%s': corrupt or truncated archive: %s", path,
			archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	if (root != -1)
		close(root);
	if (a)
		archive_read_free(a);
	return ret;
}
