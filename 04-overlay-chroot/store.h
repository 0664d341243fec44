/*
 * store.h - the image store: layers unpacked once, by digest, shared by
 * every image that has them (lesson 04; prefix store_).
 *
 * An image is a config and a stack of layers (image.h). Two images built on
 * the same base share its layer tarball, so a store keeps each layer once,
 * unpacked into a directory named after its diff_id (the sha256 of the
 * uncompressed tar, which is what names a layer's content), and an image is
 * only a record naming its layers, bottom first. containerd's snapshotter
 * and podman's containers/storage do the same. The layout:
 *
 *	STORE/                        /var/lib/nutshell (root), else
 *	                              $XDG_DATA_HOME/nutshell or ~/.local/share/nutshell;
 *	                              $NUTSHELL_STORE overrides both
 *	STORE/images.json             {"images":[{"name","id","layers":[{"diff_id","size"}],
 *	                              "config":{Entrypoint,Cmd,Env,WorkingDir,User...}}]}
 *	STORE/layers/<diff_id hex>/   one unpacked layer, whiteouts converted for
 *	                              overlayfs; never written after it appears
 *	STORE/tmp/                    imports and removals under way
 *	STORE/lock                    flock(2): one writer (import, rm) at a time
 *
 * The invariants, which make an interrupted import or rm (even SIGKILL)
 * harmless: a layer directory appears by rename(2) from tmp/ only once it
 * is complete and its digests are checked, so whatever is in layers/ is
 * whole; images.json is replaced by rename(2), after the layers it names
 * exist, so a reader sees the old index or the new one, never half; a layer
 * leaves layers/ by rename(2) into tmp/ only after no image in images.json
 * names it. Leftovers - tmp/ entries, layers no image names - are removed by
 * the next writer, under the lock. Readers (nutshell run --image, image ls)
 * take no writers' lock.
 *
 * A running container's layers: `nutshell run --image` holds a shared
 * flock(2) on each layer directory it mounts (store_hold) for as long as
 * the container lives, and a writer removes a layer only when it gets the
 * exclusive one, so it never deletes files an overlay still has as a lower
 * directory. `image rm` refuses such an image (docker rmi does too); an
 * import that replaces its name keeps the layers until a writer finds them
 * free.
 *
 * store.c reads (jansson only), so the launcher links it statically and
 * nothing more; store_write.c (lock, index, removal, listing) and
 * store_import.c (libarchive and nettle, through image.c) are linked only
 * into nutshell-image.
 *
 * Helpers return -1 with the error record set (common/err.h); they never
 * print or exit.
 */
#ifndef NUTSHELL_STORE_H
#define NUTSHELL_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* The store's paths end up in overlayfs' lowerdir= option, a page at most:
 * a short root leaves room for many layers. */
#define STORE_ROOT_MAX	 256
#define STORE_MAX_LAYERS 128
#define STORE_NAME_MAX	 256

/* One stored image, as run --image needs it. */
struct store_image {
	char name[STORE_NAME_MAX];
	char id[80];	/* the config's digest */
	size_t nlayers; /* bottom first */
	char layer[STORE_MAX_LAYERS][STORE_ROOT_MAX + 80];
	json_t *config; /* the image config's "config" object (a new reference) */
};

/* The store's root directory into OUT: $NUTSHELL_STORE, else
 * /var/lib/nutshell as root, $XDG_DATA_HOME/nutshell or
 * ~/.local/share/nutshell otherwise. Refused when it is not absolute or
 * holds ',' ':' or '\' (its layers become overlay options). */
int store_root(char *out, size_t size);

/* The hex digits of a layer entry's diff_id ({"diff_id": "sha256:..."}),
 * or NULL when it is not sha256 and 64 lowercase hex digits (it names a
 * directory). */
const char *store_layer_hex(json_t *layer);

/* The index (STORE/images.json), or an empty one when there is none yet. */
json_t *store_load(const char *root);

/* The entry of INDEX named NAME (or whose id starts with NAME, at least 12
 * hex digits), its position in *at; NULL when none. */
json_t *store_lookup(json_t *index, const char *name, size_t *at);

/* The image NAME, its layers as paths in the store; -1 when it is not
 * there. Release im->config with json_decref. */
int store_find(const char *root, const char *name, struct store_image *im);

/* Holds IM's layers for a container that mounts them: each layer
 * directory opened and locked shared (flock(2), close-on-exec), and checked
 * to be the directory still at its path (a writer may have removed it in
 * between). The descriptors stay open until the process ends; a writer
 * sees the layers in use. -1 when a layer is gone or being removed. */
int store_hold(const struct store_image *im);

/* --- store_write.c --- */

/* Makes STORE, layers/ and tmp/, and takes the writers' lock (blocking):
 * the descriptor to close when done, or -1. Removes what an interrupted
 * writer left (store_tidy). */
int store_lock(const char *root);

/* Under the lock: INDEX written to images.json.tmp and renamed over
 * images.json. */
int store_save(const char *root, json_t *index);

/* Under the lock: removes tmp/'s entries and the layers no image in INDEX
 * names (each renamed into tmp/ first). How many bytes it freed into
 * *freed (may be NULL). */
int store_tidy(const char *root, json_t *index, long long *freed);

/* Removes the image NAME (under the lock) and then the layers no other
 * image uses; refused (EBUSY) when a layer it would free is held by a
 * running container (store_hold). */
int store_remove(const char *root, const char *name, long long *freed);

/* Prints the table of images: NAME ID SIZE LAYERS SHARED. */
int store_list(const char *root, FILE *out);

/* --- store_import.c (libarchive, nettle) --- */

struct store_import_opts {
	const char *ref;    /* the image to pick from a layout holding several, or NULL */
	const char *name;   /* the name to store it by; NULL: its own, else the file's */
	long long max_size; /* bytes of one layer's tar, at most */
	int trusted;	    /* keep device nodes */
};

/* Imports the image at SRC (layout directory, oci-archive, docker save
 * tarball): each layer not yet in the store checked and unpacked, then the
 * record. The name it got into name_out. */
int store_import(const char *root, const char *src, const struct store_import_opts *o,
		 char *name_out, size_t size);

#endif
