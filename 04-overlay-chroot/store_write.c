/*
 * store_write.c - the image store's writers (store.h): the lock, the index
 * replaced whole, removing what no image uses, and the listing. Linked
 * only into nutshell-image, with store_import.c.
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "rootfs.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return err_sys("mkdir %s", path);
	return 0;
}

/* Everything in ROOT/tmp: imports and removals a killed writer left. */
static int
clear_tmp(const char *root)
{
	char tmp[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	if (!(d = opendir(tmp)))
		return err_sys("opendir %s", tmp);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
		trace_note("store: removing %s, left by an interrupted import or rm", path);
		if (rootfs_remove_tree(path) == -1) {
			closedir(d);
			return -1; /* rootfs_remove_tree said why */
		}
	}
	closedir(d);
	return 0;
}

int
store_lock(const char *root)
{
	char path[PATH_MAX];
	int fd;

	/* The parents of a rootless store (~/.local/share) may be missing. */
	snprintf(path, sizeof(path), "%s", root);
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (make_dir(path, 0755) == -1)
			return -1;
		*p = '/';
	}
	if (make_dir(root, 0755) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/layers", root);
	if (make_dir(path, 0755) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/tmp", root);
	if (make_dir(path, 0700) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/lock", root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return err_sys("open %s", path);
	/* One writer at a time: two imports of images that share a layer
	 * would otherwise race to unpack it (rename(2) would keep one, but
	 * tidying could take the other's half-made directory). */
	if (flock(fd, LOCK_EX) == -1) {
		err_sys("flock %s", path);
		close(fd);
		return -1;
	}
	if (clear_tmp(root) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
store_save(const char *root, json_t *index)
{
	char path[PATH_MAX], tmp[PATH_MAX];

	snprintf(path, sizeof(path), "%s/images.json", root);
	snprintf(tmp, sizeof(tmp), "%s/images.json.tmp", root);
	if (json_dump_file(index, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) == -1)
		return err_sys("writing %s", tmp);
	/* The new index replaces the old whole: readers see one or the
	 * other (rename(2)). */
	if (TRACE(renameat(AT_FDCWD, tmp, AT_FDCWD, path), "renameat", "AT_FDCWD, %s, AT_FDCWD, %s",
		  trace_str(tmp), trace_str(path)) == -1)
		return err_sys("rename %s", tmp);
	return 0;
}

static int
named(json_t *index, const char *hex)
{
	json_t *e, *l;
	size_t i, k;

	json_array_foreach(json_object_get(index, "images"), i, e)
	{
		json_array_foreach(json_object_get(e, "layers"), k, l)
		{
			const char *h = store_layer_hex(l);
			if (h && !strcmp(h, hex))
				return 1;
		}
	}
	return 0;
}

/* The layer directory PATH locked exclusive (flock(2), not waiting): its
 * descriptor, holding the lock; -2 when a running container holds it
 * shared (store_hold), -1 on error. */
static int
layer_claim(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1)
		return err_sys("open %s", path);
	if (TRACE(flock(fd, LOCK_EX | LOCK_NB), "flock", "%d, LOCK_EX|LOCK_NB", fd) == -1) {
		int busy = errno == EWOULDBLOCK;
		err_sys("flock %s", path);
		close(fd);
		return busy ? -2 : -1;
	}
	return fd;
}

int
store_tidy(const char *root, json_t *index, long long *freed)
{
	char layers[PATH_MAX], from[PATH_MAX + 256], to[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if (freed)
		*freed = 0;
	if (clear_tmp(root) == -1)
		return -1;
	snprintf(layers, sizeof(layers), "%s/layers", root);
	if (!(d = opendir(layers)))
		return err_sys("opendir %s", layers);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || named(index, de->d_name))
			continue;
		snprintf(from, sizeof(from), "%s/%s", layers, de->d_name);
		snprintf(to, sizeof(to), "%s/tmp/rm-%s", root, de->d_name);
		/* A running container's overlay has it as a lower directory:
		 * kept until a writer finds it free. */
		int held = layer_claim(from);
		if (held == -2) {
			trace_note("store: kept layer sha256:%.12s: a running container uses it",
				   de->d_name);
			continue;
		}
		if (held == -1) {
			closedir(d);
			return -1;
		}
		long long bytes = rootfs_disk_usage(from);
		/* Out of layers/ in one step, then removed at leisure: a layer
		 * is never seen half-removed. The lock is kept until it is
		 * gone, so a start that opened it meanwhile finds it moved. */
		if (TRACE(renameat(AT_FDCWD, from, AT_FDCWD, to), "renameat",
			  "AT_FDCWD, %s, AT_FDCWD, %s", trace_str(from), trace_str(to)) == -1) {
			close(held);
			closedir(d);
			return err_sys("rename %s", from);
		}
		int removed = rootfs_remove_tree(to);
		close(held);
		if (removed == -1) {
			closedir(d);
			return -1; /* rootfs_remove_tree said why */
		}
		trace_note("store: removed layer sha256:%s, which no image names", de->d_name);
		if (freed && bytes > 0)
			*freed += bytes;
	}
	closedir(d);
	return 0;
}

/* -1 (EBUSY) when a layer of image E that no image in INDEX names would be
 * freed from under a running container (docker rmi refuses too: "image is
 * being used by running container"). */
static int
in_use(const char *root, json_t *index, json_t *e, const char *name)
{
	char path[PATH_MAX];
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(e, "layers"), i, l)
	{
		const char *hex = store_layer_hex(l);
		if (!hex || named(index, hex))
			continue;
		snprintf(path, sizeof(path), "%s/layers/%s", root, hex);
		int fd = layer_claim(path);
		if (fd == -2)
			return err_set(EBUSY,
				       "image '%s': layer sha256:%.12s is in use by a running "
				       "container; stop it first",
				       name, hex);
		if (fd == -1) {
			if (errno == ENOENT)
				continue; /* a killed rm moved it already */
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
store_remove(const char *root, const char *name, long long *freed)
{
	json_t *index = NULL, *e = NULL;
	size_t at;
	int ret = -1, lock = store_lock(root);

	if (lock == -1)
		return -1;
	if (!(index = store_load(root)))
		goto out;
	if (!(e = store_lookup(index, name, &at))) {
		e = NULL;
		err_set(ENOENT, "image '%s': not in the store %s (see 'nutshell image ls')", name,
			root);
		goto out;
	}
	json_incref(e);
	json_array_remove(json_object_get(index, "images"), at);
	if (in_use(root, index, e, name) == -1)
		goto out;
	if (store_save(root, index) == -1 || store_tidy(root, index, freed) == -1)
		goto out;
	ret = 0;
out:
	json_decref(e);
	json_decref(index);
	close(lock);
	return ret;
}

static void
human(char *out, size_t size, long long b)
{
	static const char units[] = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	if (u == 0)
		snprintf(out, size, "%lldB", b);
	else
		snprintf(out, size, "%.1f%c", v, units[u]);
}

int
store_list(const char *root, FILE *out)
{
	json_t *index = store_load(root), *uses, *e, *l;
	size_t i, k;

	if (!index)
		return -1;
	/* How many images use each layer: a layer two use is stored once. */
	uses = json_object();
	json_array_foreach(json_object_get(index, "images"), i, e)
	{
		json_array_foreach(json_object_get(e, "layers"), k, l)
		{
			const char *h = store_layer_hex(l);
			if (h)
				json_object_set_new(
				    uses, h,
				    json_integer(json_integer_value(json_object_get(uses, h)) + 1));
		}
	}
	fprintf(out, "%-32s %-12s %8s %6s %8s\n", "NAME", "ID", "SIZE", "LAYERS", "SHARED");
	json_array_foreach(json_object_get(index, "images"), i, e)
	{
		long long size = 0, shared = 0;
		char s1[32], s2[32];
		const char *id = json_string_value(json_object_get(e, "id"));

		json_array_foreach(json_object_get(e, "layers"), k, l)
		{
			long long b = json_integer_value(json_object_get(l, "size"));
			const char *h = store_layer_hex(l);
			size += b;
			if (h && json_integer_value(json_object_get(uses, h)) > 1)
				shared += b;
		}
		human(s1, sizeof(s1), size);
		human(s2, sizeof(s2), shared);
		fprintf(out, "%-32s %-12.12s %8s %6zu %8s\n",
			json_string_value(json_object_get(e, "name")),
			id && strlen(id) > 7 ? id + 7 : "-", s1,
			json_array_size(json_object_get(e, "layers")), s2);
	}
	json_decref(uses);
	json_decref(index);
	return 0;
}
