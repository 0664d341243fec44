/*
 * store_import.c - putting an image into the store (store.h): the half that
 * reads archives (image.c: libarchive, nettle), so it is linked only into
 * nutshell-image, never into the launcher's static start path.
 *
 * Under the writers' lock: the image is opened (its manifest and config
 * checked against their digests, an archive extracted into STORE/tmp), each
 * layer the store lacks is checked against its diff_id, unpacked into
 * STORE/tmp and renamed into STORE/layers/<diff_id hex> whole; a layer the
 * store has is shared, not unpacked again (its diff_id names its content,
 * so it is the same files). Last, the record goes into images.json, which
 * replaces the old index in one rename(2). A kill at any point leaves
 * tmp/ entries and perhaps layers no image names: both removed by the next
 * writer, neither ever used.
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "image.h"
#include "rootfs.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct img img; /* 128 layers of paths: kept off the stack */

/* An image's name: printable, no spaces, as docker's references are. */
static int
name_valid(const char *n)
{
	if (!n[0] || strlen(n) >= STORE_NAME_MAX)
		return 0;
	for (const char *p = n; *p; p++)
		if (*p <= ' ' || *p >= 127)
			return 0;
	return 1;
}

/* The name of an image that names none: its file's base name, without
 * the archive's extension ("three.tar.gz" -> "three"). */
static void
base_name(char *out, size_t size, const char *src)
{
	static const char *const ext[] = {".tar.gz", ".tgz", ".tar", ".oci", NULL};
	const char *b = strrchr(src, '/');
	size_t len;

	b = b && b[1] ? b + 1 : src;
	snprintf(out, size, "%s", b);
	len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
	for (size_t i = 0; ext[i]; i++) {
		size_t e = strlen(ext[i]);
		if (len > e && !strcmp(out + len - e, ext[i])) {
			out[len - e] = '\0';
			break;
		}
	}
}

/* Layer I of the open image into ROOT/layers/<hex>, unless it is there,
 * through a directory in SCRATCH (removed whole when the import fails). */
static int
add_layer(const char *root, const char *scratch, size_t i, const struct store_import_opts *o,
	  long long *size)
{
	const char *hex = img.layer[i].diff_id + 7;
	char final[PATH_MAX], tmp[PATH_MAX], blob[PATH_MAX];
	struct img_apply_opts ao = {.max_size = o->max_size, .trusted = o->trusted};
	struct img_apply_stats st;
	struct stat sb;
	long long unpacked;

	/* Checked even when the store has it: the files used would be the
	 * stored ones, but an image whose blob does not match its digest is
	 * corrupt or forged, and refused as a whole. */
	if (img_check_layer(&img, i, o->max_size, &unpacked) == -1)
		return -1;
	snprintf(final, sizeof(final), "%s/layers/%s", root, hex);
	if (lstat(final, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		trace_note("layer %zu: sha256:%.12s is in the store already: shared", i, hex);
	} else {
		snprintf(tmp, sizeof(tmp), "%.600s/layer-%.12s.XXXXXX", scratch, hex);
		if (!mkdtemp(tmp))
			return err_sys("mkdtemp %s", tmp);
		/* mkdtemp made it 0700; a layer's root is read by everyone
		 * (a container's user need not be root). */
		if (chmod(tmp, 0755) == -1)
			return err_sys("chmod %s", tmp);
		if (snprintf(blob, sizeof(blob), "%s/%s", img.dir, img.layer[i].blob) >=
		    (int)sizeof(blob))
			return err_set(ENAMETOOLONG, "layer %zu: blob path too long", i);
		/* A rootless overlay is mounted with userxattr, which reads
		 * user.overlay.opaque (overlayfs.rst). */
		ao.userxattr = geteuid() != 0;
		if (img_apply(blob, tmp, &ao, &st) == -1)
			return err_prefix("layer %zu", i);
		/* Complete and checked: it appears in layers/ whole. */
		if (TRACE(renameat(AT_FDCWD, tmp, AT_FDCWD, final), "renameat",
			  "AT_FDCWD, %s, AT_FDCWD, %s", trace_str(tmp), trace_str(final)) == -1)
			return err_sys("rename %s", tmp);
		trace_note("layer %zu: sha256:%.12s unpacked: %lld entries, %lld whiteouts, "
			   "%lld opaque dirs",
			   i, hex, st.files, st.whiteouts, st.opaques);
	}
	*size = rootfs_disk_usage(final);
	if (*size < 0)
		*size = 0;
	return 0;
}

int
store_import(const char *root, const char *src, const struct store_import_opts *o, char *name_out,
	     size_t size)
{
	char scratch[STORE_ROOT_MAX + 64], archive[STORE_ROOT_MAX + 128], name[STORE_NAME_MAX];
	json_t *index = NULL, *layers = NULL, *config = NULL, *doc = NULL;
	char *buf = NULL;
	size_t len, at;
	struct stat sb;
	int ret = -1, lock;

	if (stat(src, &sb) == -1)
		return err_sys("image '%s'", src);
	if (o->name && !name_valid(o->name))
		return err_set(EINVAL,
			       "--name '%s': expected a name of printable characters "
			       "without spaces, under %d bytes",
			       o->name, STORE_NAME_MAX);
	if ((lock = store_lock(root)) == -1)
		return -1;
	snprintf(scratch, sizeof(scratch), "%.256s/tmp/import.XXXXXX", root);
	if (!mkdtemp(scratch)) {
		err_sys("mkdtemp %s", scratch);
		goto out;
	}
	snprintf(archive, sizeof(archive), "%s/archive", scratch);
	if (!S_ISDIR(sb.st_mode) && mkdir(archive, 0700) == -1) {
		err_sys("mkdir %s", archive);
		goto out;
	}
	if (img_open(src, o->ref, archive, o->max_size, &img) == -1)
		goto out;
	if (o->name)
		snprintf(name, sizeof(name), "%s", o->name);
	else if (name_valid(img.ref))
		snprintf(name, sizeof(name), "%s", img.ref);
	else
		base_name(name, sizeof(name), src);
	if (!name_valid(name)) {
		err_set(EINVAL, "'%s': no name for it; give --name NAME", src);
		goto out;
	}
	if (img.nlayers == 0 || img.nlayers > STORE_MAX_LAYERS) {
		err_set(EINVAL, "'%s': %zu layers: expected 1 to %d", src, img.nlayers,
			STORE_MAX_LAYERS);
		goto out;
	}
	layers = json_array();
	for (size_t i = 0; i < img.nlayers; i++) {
		long long bytes = 0;
		if (add_layer(root, scratch, i, o, &bytes) == -1)
			goto out;
		json_array_append_new(layers,
				      json_pack("{s:s,s:I}", "diff_id", img.layer[i].diff_id,
						"size", (json_int_t)bytes));
	}
	/* The config's "config" object: Entrypoint, Cmd, Env, WorkingDir, User
	 * (image-spec config.md), which run --image takes as its defaults. */
	if (img_read_config(&img, &buf, &len) == -1)
		goto out;
	if (!(doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL))) {
		err_set(EINVAL, "'%s': the config is not JSON", src);
		goto out;
	}
	config = json_object_get(doc, "config");
	config = json_is_object(config) ? json_incref(config) : json_object();
	if (!(index = store_load(root)))
		goto out;
	/* The name moves to the new image, as docker load does; the old
	 * image's layers go below if nothing else uses them. */
	if (store_lookup(index, name, &at) &&
	    !strcmp(json_string_value(json_object_get(
			json_array_get(json_object_get(index, "images"), at), "name")),
		    name))
		json_array_remove(json_object_get(index, "images"), at);
	json_array_append_new(json_object_get(index, "images"),
			      json_pack("{s:s,s:s,s:O,s:O}", "name", name, "id",
					img.config_digest[0] ? img.config_digest : "", "layers",
					layers, "config", config));
	if (store_save(root, index) == -1)
		goto out;
	/* Done with the scratch directory; then what the old image of this
	 * name (or a killed import) left that no image names. */
	if (rootfs_remove_tree(scratch) == -1 || store_tidy(root, index, NULL) == -1)
		goto out;
	snprintf(name_out, size, "%s", name);
	ret = 0;
out:
	free(buf);
	json_decref(doc);
	json_decref(config);
	json_decref(layers);
	json_decref(index);
	/* What is left of this import (scratch, a half layer): removed now,
	 * or by the next writer if we cannot. */
	if (ret == -1) {
		int saved = errno;
		rootfs_remove_tree(scratch);
		errno = saved;
	}
	close(lock);
	return ret;
}
