/*
 * store.c - the image store's reading half (store.h): where it is, its
 * index, an image's layers and config. Linked into the launcher (jansson
 * only); the writers are in store_write.c and store_import.c.
 */
#include "store.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
store_root(char *out, size_t size)
{
	const char *env = getenv("NUTSHELL_STORE"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && env[0])
		n = snprintf(out, size, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(out, size, "/var/lib/nutshell");
	else if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/nutshell", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.local/share/nutshell", home);
	else
		return err_set(EINVAL, "no store: set NUTSHELL_STORE, XDG_DATA_HOME or HOME");
	if (n < 0 || (size_t)n >= size || (size_t)n >= STORE_ROOT_MAX)
		return err_set(ENAMETOOLONG, "store '%s': expected a path under %d bytes", out,
			       STORE_ROOT_MAX);
	/* Its layers' paths become overlayfs' lowerdir=, where ',' and ':'
	 * separate options and layers. */
	if (out[0] != '/' || strpbrk(out, ",:\\"))
		return err_set(EINVAL, "store '%s': expected an absolute path without ',' ':' '\\'",
			       out);
	return 0;
}

/* The only diff_ids that may name a directory: sha256 and 64 lowercase
 * hex digits (image.c checks what comes from images; the index is ours,
 * but a path component is checked wherever it comes from). */
const char *
store_layer_hex(json_t *layer)
{
	const char *d = json_string_value(json_object_get(layer, "diff_id"));

	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71 ||
	    strspn(d + 7, "0123456789abcdef") != 64)
		return NULL;
	return d + 7;
}

json_t *
store_load(const char *root)
{
	char path[PATH_MAX];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/images.json", root);
	if (access(path, F_OK) == -1 && errno == ENOENT) {
		/* Not json_pack(): it would add jansson's pack_unpack.o to the
		 * launcher for one empty array. */
		j = json_object();
		json_object_set_new(j, "images", json_array());
		return j;
	}
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		err_set(EINVAL, "store index '%s': not JSON (line %d: %s)", path, e.line, e.text);
		return NULL;
	}
	if (!json_is_array(json_object_get(j, "images"))) {
		json_decref(j);
		err_set(EINVAL, "store index '%s': expected an array \"images\"", path);
		return NULL;
	}
	return j;
}

json_t *
store_lookup(json_t *index, const char *name, size_t *at)
{
	json_t *images = json_object_get(index, "images"), *e;
	size_t i, len = strlen(name);
	char tagged[STORE_NAME_MAX + 8];

	/* docker's rule: a name without a tag means NAME:latest. */
	snprintf(tagged, sizeof(tagged), "%s:latest", name);
	for (int pass = 0; pass < 3; pass++)
		json_array_foreach(images, i, e)
		{
			const char *n = json_string_value(json_object_get(e, "name"));
			const char *id = json_string_value(json_object_get(e, "id"));
			int hit = pass == 0 ? n && !strcmp(n, name)
				  : pass == 1
				      ? n && !strcmp(n, tagged)
				      : len >= 12 && strspn(name, "0123456789abcdef") == len &&
					    id && !strncmp(id, "sha256:", 7) &&
					    !strncmp(id + 7, name, len);
			if (hit) {
				if (at)
					*at = i;
				return e;
			}
		}
	return NULL;
}

int
store_find(const char *root, const char *name, struct store_image *im)
{
	json_t *index = store_load(root), *e, *layers, *l;
	size_t i;
	int ret = -1;

	if (!index)
		return -1;
	im->config = NULL;
	e = store_lookup(index, name, NULL);
	if (!e) {
		err_set(ENOENT, "image '%s': not in the store %s (see 'nutshell image ls')", name,
			root);
		goto out;
	}
	layers = json_object_get(e, "layers");
	if (!json_is_array(layers) || json_array_size(layers) == 0 ||
	    json_array_size(layers) > STORE_MAX_LAYERS) {
		err_set(EINVAL, "image '%s': expected 1 to %d layers in %s/images.json", name,
			STORE_MAX_LAYERS, root);
		goto out;
	}
	json_array_foreach(layers, i, l)
	{
		const char *hex = store_layer_hex(l);
		if (!hex) {
			err_set(EINVAL, "image '%s': layer %zu: expected a sha256 diff_id", name,
				i);
			goto out;
		}
		snprintf(im->layer[i], sizeof(im->layer[i]), "%s/layers/%s", root, hex);
	}
	im->nlayers = i;
	snprintf(im->name, sizeof(im->name), "%s", json_string_value(json_object_get(e, "name")));
	snprintf(im->id, sizeof(im->id), "%s", json_string_value(json_object_get(e, "id")));
	im->config = json_object_get(e, "config");
	im->config = json_is_object(im->config) ? json_incref(im->config) : json_object();
	ret = 0;
out:
	json_decref(index);
	return ret;
}

int
store_hold(const struct store_image *im)
{
	struct stat fd_st, path_st;

	for (size_t i = 0; i < im->nlayers; i++) {
		int fd = open(im->layer[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			return err_sys("image '%s': layer %s", im->name, im->layer[i]);
		/* Shared: any number of containers may use a layer. Not
		 * waiting: an exclusive holder is removing it. */
		if (TRACE(flock(fd, LOCK_SH | LOCK_NB), "flock", "%d, LOCK_SH|LOCK_NB", fd) == -1) {
			close(fd);
			return err_set(EBUSY, "image '%s': layer %s is being removed", im->name,
				       im->layer[i]);
		}
		/* Opened before a writer renamed it away and locked after the
		 * writer let go: the path no longer names it. */
		if (fstat(fd, &fd_st) == -1 || stat(im->layer[i], &path_st) == -1 ||
		    fd_st.st_dev != path_st.st_dev || fd_st.st_ino != path_st.st_ino) {
			close(fd);
			return err_set(ENOENT, "image '%s': layer %s was removed meanwhile",
				       im->name, im->layer[i]);
		}
		/* Kept open, on purpose, until we exit: the lock is the hold. */
	}
	return 0;
}
