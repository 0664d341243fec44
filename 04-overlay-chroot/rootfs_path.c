/*
 * rootfs_path.c - paths: inside a root, resolved one component at a time
 * (rootfs_resolve, rootfs_target), and the toolkit's own on the host (the
 * default image, temporary directories, their removal and disk usage). See
 * rootfs.h; the mounts are in rootfs.c.
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/decode.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ---- resolving a path inside a root ---- */

/* <<< resolve */
/* The root, looked at only when no name inside it was found: an lstat(2)
 * of one already said it is a directory, and every start resolves some
 * thirty targets (issue 21). */
static int
root_is_dir(const char *root)
{
	struct stat st;

	if (stat(root, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "root '%s': no such directory", root);
	return 0;
}

/* rootfs_resolve(), and in *mode the type of what PATH names there (from
 * the lstat(2) of its last component, so nobody looks again), 0 when it
 * is missing. */
static int
resolve(const char *root, const char *path, char *out, size_t size, mode_t *mode)
{
	char rest[2 * PATH_MAX], next[2 * PATH_MAX], done[PATH_MAX] = "", host[2 * PATH_MAX];
	char target[PATH_MAX] = "", link[2 * PATH_MAX] = "";
	const char *prefix = strcmp(root, "/") == 0 ? "" : root;
	int links = 0, missing = 0, looked = 0;
	size_t found_len = 0;  /* of done's part that exists, once a name is missing */
	mode_t last = S_IFDIR; /* of the root, until a name inside it */
	struct stat st;

	if (root[0] != '/')
		return err_set(EINVAL, "root '%s': expected an absolute path", root);
	if (path[0] != '/')
		return err_set(EINVAL, "'%s': expected an absolute path inside the root", path);
	snprintf(rest, sizeof(rest), "%s", path);
	for (char *p = rest; *p;) {
		p += strspn(p, "/");
		size_t len = strcspn(p, "/");
		char comp[NAME_MAX + 1];
		if (len == 0)
			break;
		if (len > NAME_MAX)
			return err_set(ENAMETOOLONG, "'%s': a name longer than %d", path, NAME_MAX);
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			/* The kernel stops ".." at a process's root; here the
			 * root is only a directory of the host, so refuse. */
			if (done[0] == '\0' && links > 0)
				return err_set(EXDEV,
					       "%s is a symlink to '%s', which climbs above the "
					       "root; refusing to follow it",
					       link, target);
			if (done[0] == '\0')
				return err_set(EXDEV, "'%s': '..' climbs above the root %s", path,
					       root);
			*strrchr(done, '/') = '\0';
			/* Back out of the missing part ("/new/../proc"): what
			 * follows exists again and is looked at, symlinks
			 * refused, not taken as a name to create. */
			if (missing && strlen(done) <= found_len)
				missing = 0;
			last = missing ? 0 : S_IFDIR; /* we came down through it */
			continue;
		}
		snprintf(host, sizeof(host), "%s%s/%s", prefix, done, comp);
		if (!missing && lstat(host, &st) == -1) {
			int saved = errno;
			if (!looked && root_is_dir(root) == -1)
				return -1;
			if (saved != ENOENT)
				return err_set(saved, "%s: %s", host, strerror(saved));
			missing = 1; /* the rest is to be created */
			found_len = strlen(done);
		}
		looked = 1;
		last = missing ? 0 : st.st_mode;
		if (!missing && S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(host, target, sizeof(target) - 1);
			if (n < 0)
				return err_set(errno, "%s: %s", host, strerror(errno));
			target[n] = '\0';
			if (++links > 40)
				return err_set(ELOOP, "%s: more than 40 symlinks", path);
			/* Absolute: on the host it names the host's file. */
			if (target[0] == '/')
				return err_set(
				    EXDEV,
				    "%s is a symlink to '%s', outside the root; refusing "
				    "to follow it",
				    host, target);
			/* Relative: go on from the link's directory; a ".."
			 * above the root is refused above. */
			last = S_IFDIR; /* the link's directory, if the target names no more */
			snprintf(link, sizeof(link), "%s", host);
			snprintf(next, sizeof(next), "%s/%s", target, p);
			snprintf(rest, sizeof(rest), "%s", next);
			p = rest;
			continue;
		}
		if (!missing && !S_ISDIR(st.st_mode) && p[strspn(p, "/")] != '\0')
			return err_set(ENOTDIR, "%s: not a directory", host);
		if (strlen(done) + len + 2 > sizeof(done))
			return err_set(ENAMETOOLONG, "'%s': too long", path);
		strcat(done, "/");
		strcat(done, comp);
	}
	if (!looked && root_is_dir(root) == -1)
		return -1; /* PATH named the root itself */
	if ((size_t)snprintf(out, size, "%s%s", prefix, done[0] ? done : (*prefix ? "" : "/")) >=
	    size)
		return err_set(ENAMETOOLONG, "'%s': too long", path);
	if (mode)
		*mode = last;
	return 0;
}

int
rootfs_resolve(const char *root, const char *path, char *out, size_t size)
{
	return resolve(root, path, out, size, NULL);
}
/* >>> resolve */

/*
 * The host path of ROOT/PATH in out, resolved inside the root. With create,
 * a missing last component is made: a directory (want_dir) or an empty file,
 * to mount over. Returns 1 when it exists (or was made), 0 when it is
 * missing (and not made), -1 on error; in *mode (if not NULL) the type of
 * what is there, 0 when missing.
 */
int
rootfs_target(const char *root, const char *path, int create, int want_dir, char *out, size_t size,
	      mode_t *mode)
{
	mode_t found;

	if (resolve(root, path, out, size, &found) == -1)
		return -1;
	if (mode)
		*mode = found;
	if (found)
		return 1;
	if (!create)
		return 0;
	if (want_dir) {
		if (TRACE(mkdirat(AT_FDCWD, out, 0755), "mkdirat", "AT_FDCWD, %s, 0755",
			  trace_str(out)) == -1)
			return err_sys("mkdir %s", out);
		if (mode)
			*mode = S_IFDIR | 0755;
		return 1;
	}
	int fd = (int)TRACE(open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), "openat",
			    "AT_FDCWD, %s, %s, 0644", trace_str(out),
			    dec_open(O_WRONLY | O_CREAT | O_CLOEXEC));
	if (fd == -1)
		return err_sys("openat %s", out);
	close(fd);
	if (mode)
		*mode = S_IFREG | 0644;
	return 1;
}

/* ---- the default image ---- */

int
rootfs_image_beside(const char *exe, char *out, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], real[PATH_MAX];
	struct stat st;

	if (!strchr(exe, '/'))
		return err_set(EINVAL,
			       "'%s': expected the program's path, to find the default image", exe);
	snprintf(dir, sizeof(dir), "%s", exe);
	*strrchr(dir, '/') = '\0'; /* the lesson's directory */
	snprintf(path, sizeof(path), "%s/../images/busybox", dir);
	if (!realpath(path, real) || stat(real, &st) == -1 || !S_ISDIR(st.st_mode)) {
		if (errno == EACCES) /* a directory above it closed to us: a 0700 home */
			return err_set(EACCES,
				       "the default image %s cannot be reached as uid %u: EACCES",
				       path, (unsigned)geteuid());
		return err_set(ENOENT, "the default image %s is missing: run 'make image'", path);
	}
	if ((size_t)snprintf(out, size, "%s", real) >= size)
		return err_set(ENAMETOOLONG, "%s: too long", real);
	return 0;
}

int
rootfs_default_image(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return err_sys("readlink /proc/self/exe");
	exe[n] = '\0';
	return rootfs_image_beside(exe, out, size);
}

/* ---- temporary directories and disk usage (untraced plumbing) ---- */

int
rootfs_mkdirs(const char *dir, const char *const subdirs[])
{
	char path[PATH_MAX];

	for (size_t i = 0; subdirs[i]; i++) {
		snprintf(path, sizeof(path), "%s%s%s", dir, subdirs[i][0] ? "/" : "", subdirs[i]);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return err_sys("mkdir %s", path);
	}
	return 0;
}

int
rootfs_tmpdir(const char *prog, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "/tmp/nutshell-%s.XXXXXX", prog) >= size)
		return err_set(ENAMETOOLONG, "temporary directory name too long");
	if (!mkdtemp(out))
		return err_sys("mkdtemp %s", out);
	return 0;
}

static int remove_failures;

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) == -1)
		remove_failures++;
	return 0;
}

int
rootfs_remove_tree(const char *path)
{
	remove_failures = 0;
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == -1)
		return err_sys("nftw %s", path);
	if (remove_failures)
		return err_set(ENOTEMPTY, "%s: %d entries could not be removed", path,
			       remove_failures);
	return 0;
}

/* nftw() has no user argument: the walk being summed. */
static struct {
	long long bytes;
	struct {
		dev_t dev;
		ino_t ino;
	} * seen;
	size_t n, cap;
} usage;

static int
add_usage(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)type;
	(void)ftw;
	if (st->st_nlink > 1 && !S_ISDIR(st->st_mode)) {
		for (size_t i = 0; i < usage.n; i++)
			if (usage.seen[i].dev == st->st_dev && usage.seen[i].ino == st->st_ino)
				return 0; /* a hard link to what was counted */
		if (usage.n == usage.cap) {
			size_t cap = usage.cap ? 2 * usage.cap : 64;
			void *seen = realloc(usage.seen, cap * sizeof(*usage.seen));
			if (!seen)
				return -1;
			usage.seen = seen;
			usage.cap = cap;
		}
		usage.seen[usage.n].dev = st->st_dev;
		usage.seen[usage.n++].ino = st->st_ino;
	}
	usage.bytes += (long long)st->st_blocks * 512;
	return 0;
}

long long
rootfs_disk_usage(const char *path)
{
	usage.bytes = 0;
	usage.n = 0;
	int ret = nftw(path, add_usage, 32, FTW_PHYS | FTW_MOUNT);
	free(usage.seen);
	usage.seen = NULL;
	usage.cap = usage.n = 0;
	return ret == 0 ? usage.bytes : -1;
}

const char *
rootfs_describe(const char *dir, const char *path, char *out, size_t size)
{
	char p[PATH_MAX];
	struct stat st;

	/* One too long is "-", never the wrong file. */
	if (snprintf(p, sizeof(p), "%s%s", dir, path) >= (int)sizeof(p) || lstat(p, &st) == -1)
		snprintf(out, size, "-");
	else if (S_ISCHR(st.st_mode))
		snprintf(out, size, "char %u:%u", major(st.st_rdev), minor(st.st_rdev));
	else if (S_ISDIR(st.st_mode))
		snprintf(out, size, "dir");
	else
		snprintf(out, size, "file %lld", (long long)st.st_size);
	return out;
}

static const char *image_arg; /* --image's, or NULL */

const struct option rootfs_image_longopts[] = {
    {"image", required_argument, NULL, 'i'},
    {NULL, 0, NULL, 0},
};

int
rootfs_image_option(int opt, const char *arg)
{
	(void)opt;
	image_arg = arg;
	return 0;
}

int
rootfs_image_chosen(char *out, size_t size)
{
	if (!image_arg && rootfs_default_image(out, size) == -1)
		return -1;
	if (image_arg && (size_t)snprintf(out, size, "%s", image_arg) >= size)
		return err_set(ENAMETOOLONG, "image '%.200s...': path too long", image_arg);
	return rootfs_check_image(out);
}
