/*
 * image.h - container images as they travel: a config and a stack of layer
 * tarballs (lesson 04, linked by 04-overlay-chroot/unpack; prefix img_).
 *
 * Three packagings of the same thing are read:
 *
 *	OCI image layout   DIR/index.json -> blobs/sha256/<manifest> -> config + layers
 *	                   (image-spec image-layout.md; the image is picked by the
 *	                   annotation org.opencontainers.image.ref.name)
 *	oci-archive        that directory as one tarball (podman save --format oci-archive)
 *	docker save        a tarball with manifest.json [{"Config","RepoTags","Layers"}]
 *
 * A tarball is first extracted into a scratch directory (regular files and
 * directories only), so the three meet as a directory. Every blob is
 * checked against its sha256 digest before it is believed, and every layer
 * against its diff_id (the sha256 of the uncompressed tar, from the
 * config's rootfs.diff_ids) before it is unpacked. Then each layer goes into
 * a directory of its own, with its whiteouts converted into what overlayfs
 * reads (image-spec layer.md "Whiteouts"; containerd
 * archive/tar_opts_linux.go): ".wh.NAME" becomes a character device 0/0
 * NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque="y" on its
 * directory (user.overlay.opaque for an overlay mounted with userxattr, as
 * a rootless one is). Those directories, top layer first, are overlayfs'
 * lowerdir= (rootfs_mount_overlay).
 *
 * An image is input from strangers. The archives are read by libarchive
 * (tar, pax and GNU extensions; gzip, zstd, xz, bzip2 by content), never by
 * hand; every name is resolved inside the layer directory with openat2(2)
 * RESOLVE_IN_ROOT, and refused with one line (common/err.h) when it is
 * absolute, climbs with "..", passes through a symlink, hard-links out of
 * the layer, or the layer grows past a size limit. Device nodes other than
 * whiteouts are kept out unless trusted; xattrs in trusted.* (overlayfs'
 * own) never come from an image. setuid/setgid bits and security.capability
 * are kept: real images need them, and the container's defences (no new
 * privileges, a bounded capability set, user namespaces) are what make that
 * safe.
 *
 * Helpers return -1 with errno set and the error recorded (common/err.h:
 * err_print() says it), and never exit. The code: image.c opens an image,
 * image_json.c parses its documents, image_digest.c checks a layer,
 * image_apply.c unpacks one.
 */
#ifndef NUTSHELL_IMAGE_H
#define NUTSHELL_IMAGE_H

#include <stddef.h>

/* "sha256:" + 64 hex digits + NUL */
#define IMG_DIGEST_MAX 72
#define IMG_MAX_LAYERS 128
#define IMG_PATH_MAX   256
/* Default limit of one layer's uncompressed tar, and of an image archive:
 * past it the layer is a decompression bomb, not an image (--max-size). */
#define IMG_DEFAULT_MAX_SIZE (4LL << 30)
/* The manifest, index and config are JSON documents of a few KiB. */
#define IMG_MAX_JSON (4 << 20)

struct img_layer {
	char digest[IMG_DIGEST_MAX];  /* of the blob as stored; "" in docker save */
	char diff_id[IMG_DIGEST_MAX]; /* of the uncompressed tar, from the config */
	char blob[IMG_PATH_MAX];      /* the blob, relative to img.dir */
};

struct img {
	char dir[4096];		       /* the layout (or the tarball extracted) */
	char format[16];	       /* "oci" or "docker" */
	char ref[IMG_PATH_MAX];	       /* the name it was picked by or has, or "" */
	char manifest[IMG_DIGEST_MAX]; /* OCI: the manifest's digest */
	char config_digest[IMG_DIGEST_MAX];
	char config_blob[IMG_PATH_MAX];
	size_t nlayers;
	struct img_layer layer[IMG_MAX_LAYERS];
};

/* How a layer is applied. */
struct img_apply_opts {
	long long max_size; /* bytes of file data, at most */
	int trusted;	    /* keep device nodes (an image we built ourselves) */
	int userxattr;	    /* opaque dirs as user.overlay.opaque (rootless overlay) */
	int plain;	    /* an image archive: regular files and directories only */
};

/* What applying a layer did. */
struct img_apply_stats {
	long long files, bytes, whiteouts, opaques, devices_skipped, xattrs_skipped;
};

/* The parsers, on a JSON document in memory (pure: no files, fuzzed).
 * img_parse_index picks the manifest named REF (or the only one when REF
 * is NULL) from an OCI index.json; img_parse_manifest reads the config and
 * layer digests of an OCI manifest; img_parse_docker the entry of
 * manifest.json with REF among its RepoTags (or the only one);
 * img_parse_config the config's rootfs.diff_ids, one per layer. */
int img_parse_index(const char *buf, size_t len, const char *ref, struct img *img);
int img_parse_manifest(const char *buf, size_t len, struct img *img);
int img_parse_docker(const char *buf, size_t len, const char *ref, struct img *img);
int img_parse_config(const char *buf, size_t len, struct img *img);

/* "sha256:" and 64 lowercase hex digits: the only digests accepted (a
 * digest becomes a file name, so nothing else may pass). */
int img_digest_valid(const char *digest);

/*
 * Opens the image at SRC (a layout directory, or a tarball that is
 * extracted into the empty directory SCRATCH), picks REF (NULL: the only
 * image), reads and verifies its manifest and config.
 */
int img_open(const char *src, const char *ref, const char *scratch, long long max_size,
	     struct img *img);

/* The config blob of an opened image, read again and checked against its
 * digest (LEN bytes, not NUL-terminated; the caller frees *buf). */
int img_read_config(const struct img *img, char **buf, size_t *len);

/* The layer's blob read once: its sha256 against layer.digest (when
 * known) and its uncompressed stream's against layer.diff_id, refused past
 * max_size bytes. *size gets the uncompressed size. */
int img_check_layer(const struct img *img, size_t i, long long max_size, long long *size);

/* Applies the tar at PATH (any compression) into the directory DIR. */
int img_apply(const char *path, const char *dir, const struct img_apply_opts *o,
	      struct img_apply_stats *st);

/* --max-size's value (unpack, nutshell image import): a size such as 512M
 * or 4G (cg_parse_size), more than 0. 0, or -1 with the error recorded:
 * "--max-size '5x': expected a size such as 512M or 4G". */
int img_parse_max_size(const char *arg, long long *bytes);

#endif
