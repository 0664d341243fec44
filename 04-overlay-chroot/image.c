/*
 * image.c - reading container images: see image.h for the interface.
 *
 * Sources: OCI image-spec v1.1 (image-layout.md, manifest.md, config.md,
 * layer.md), docker's image/tarexport (manifest.json), containerd
 * archive/tar.go and archive/tar_opts_linux.go (whiteouts for overlayfs),
 * libarchive's archive_read(3) and archive_entry(3), openat2(2).
 */
#include "image.h"

#include "../common/decode.h"
#include "../common/trace.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char last_error[512];

const char *
img_error(void)
{
	return last_error;
}

static int __attribute__((format(printf, 2, 3))) refuse(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

/* A system call failed: name it, keep errno. */
static int
failed(const char *what, const char *path)
{
	int saved = errno;

	snprintf(last_error, sizeof(last_error), "%s '%.300s': %s", what, path, strerror(saved));
	errno = saved;
	return -1;
}

/* ------------------------------------------------------------ digests */

int
img_digest_valid(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
		return 0;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static void
sha256_hex(struct sha256_ctx *c, char out[IMG_DIGEST_MAX])
{
	uint8_t md[SHA256_DIGEST_SIZE];

	sha256_digest(c, sizeof(md), md);
	strcpy(out, "sha256:");
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* ------------------------------------------------------------ JSON */

static int
copy_str(char *out, size_t size, json_t *v, const char *what)
{
	const char *s = json_string_value(v);

	if (!s)
		return refuse(EINVAL, "%s: expected a string", what);
	if (strlen(s) >= size)
		return refuse(EINVAL, "%s: longer than %zu bytes", what, size - 1);
	strcpy(out, s);
	return 0;
}

static int
copy_digest(char *out, json_t *v, const char *what)
{
	if (copy_str(out, IMG_DIGEST_MAX, v, what) == -1)
		return -1;
	if (!img_digest_valid(out))
		return refuse(EINVAL, "%s '%s': expected sha256: and 64 hex digits", what, out);
	return 0;
}

/* A relative path inside the image archive (docker save's Config and
 * Layers): no "/" at the start, no ".." component. */
static int
copy_relpath(char *out, json_t *v, const char *what)
{
	if (copy_str(out, IMG_PATH_MAX, v, what) == -1)
		return -1;
	if (out[0] == '/' || !strcmp(out, "..") || !strncmp(out, "../", 3) || strstr(out, "/../") ||
	    (strlen(out) >= 3 && !strcmp(out + strlen(out) - 3, "/..")))
		return refuse(EINVAL, "%s '%s': expected a path inside the image", what, out);
	return 0;
}

static json_t *
parse(const char *buf, size_t len, const char *what)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);

	if (!j)
		refuse(EINVAL, "%s: not JSON (line %d: %s)", what, e.line, e.text);
	return j;
}

static void
blob_path(char *out, const char *digest)
{
	snprintf(out, IMG_PATH_MAX, "blobs/sha256/%s", digest + 7);
}

int
img_parse_index(const char *buf, size_t len, const char *ref, struct img *img)
{
	json_t *j = parse(buf, len, "index.json"), *ms, *m, *chosen = NULL;
	const char *chosen_name = NULL;
	size_t i, n = 0;
	int ret = -1;

	if (!j)
		return -1;
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		refuse(EINVAL, "index.json: expected a non-empty array \"manifests\"");
		goto out;
	}
	json_array_foreach(ms, i, m)
	{
		json_t *ann = json_object_get(m, "annotations");
		const char *name =
		    json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
		n++;
		if (!ref || (name && !strcmp(name, ref))) {
			chosen = m;
			chosen_name = name;
			if (ref)
				break;
		}
	}
	if (!chosen) {
		refuse(ENOENT, "index.json: no image named '%s'", ref);
		goto out;
	}
	if (!ref && n > 1) {
		refuse(EINVAL, "index.json holds %zu images: pick one with --ref NAME", n);
		goto out;
	}
	const char *mt = json_string_value(json_object_get(chosen, "mediaType"));
	if (mt && strcmp(mt, "application/vnd.oci.image.manifest.v1+json") &&
	    strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json")) {
		refuse(EINVAL, "index.json: manifest of type '%s': expected an image manifest", mt);
		goto out;
	}
	if (copy_digest(img->manifest, json_object_get(chosen, "digest"), "index.json digest"))
		goto out;
	/* The name it was picked by, or the one it has (a store names it so). */
	snprintf(img->ref, sizeof(img->ref), "%s", chosen_name ? chosen_name : "");
	ret = 0;
out:
	json_decref(j);
	return ret;
}

/* Layer media types (image-spec media-types.md; docker's schema 2). */
static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    NULL,
};

int
img_parse_manifest(const char *buf, size_t len, struct img *img)
{
	json_t *j = parse(buf, len, "manifest"), *ls, *l;
	size_t i;
	int ret = -1;

	if (!j)
		return -1;
	if (copy_digest(img->config_digest, json_object_get(json_object_get(j, "config"), "digest"),
			"manifest config.digest"))
		goto out;
	blob_path(img->config_blob, img->config_digest);
	ls = json_object_get(j, "layers");
	if (!json_is_array(ls) || json_array_size(ls) > IMG_MAX_LAYERS) {
		refuse(EINVAL, "manifest: expected an array \"layers\" of at most %d",
		       IMG_MAX_LAYERS);
		goto out;
	}
	json_array_foreach(ls, i, l)
	{
		const char *mt = json_string_value(json_object_get(l, "mediaType"));
		size_t k = 0;

		while (layer_types[k] && (!mt || strcmp(mt, layer_types[k])))
			k++;
		if (!layer_types[k]) {
			refuse(EINVAL, "manifest: layer %zu of type '%s': expected a tar layer", i,
			       mt ? mt : "(none)");
			goto out;
		}
		if (copy_digest(img->layer[i].digest, json_object_get(l, "digest"),
				"manifest layer digest"))
			goto out;
		blob_path(img->layer[i].blob, img->layer[i].digest);
	}
	img->nlayers = i;
	ret = 0;
out:
	json_decref(j);
	return ret;
}

int
img_parse_docker(const char *buf, size_t len, const char *ref, struct img *img)
{
	json_t *j = parse(buf, len, "manifest.json"), *e, *chosen = NULL, *ls, *l;
	size_t i, k;
	int ret = -1;

	if (!j)
		return -1;
	if (!json_is_array(j) || json_array_size(j) == 0) {
		refuse(EINVAL, "manifest.json: expected a non-empty array");
		goto out;
	}
	json_array_foreach(j, i, e)
	{
		json_t *tags = json_object_get(e, "RepoTags"), *t;
		if (!ref)
			chosen = e;
		json_array_foreach(tags, k, t)
		{
			if (ref && json_string_value(t) && !strcmp(json_string_value(t), ref))
				chosen = e;
		}
	}
	if (!ref && json_array_size(j) > 1) {
		refuse(EINVAL, "manifest.json holds %zu images: pick one with --ref NAME",
		       json_array_size(j));
		goto out;
	}
	if (!chosen) {
		refuse(ENOENT, "manifest.json: no image tagged '%s'", ref);
		goto out;
	}
	if (copy_relpath(img->config_blob, json_object_get(chosen, "Config"),
			 "manifest.json Config"))
		goto out;
	/* docker names the config after its digest: "<hex>.json" or
	 * blobs/sha256/<hex> (docker 25); then it can be checked too. */
	const char *base =
	    strrchr(img->config_blob, '/') ? strrchr(img->config_blob, '/') + 1 : img->config_blob;
	snprintf(img->config_digest, sizeof(img->config_digest), "sha256:%.64s", base);
	if (!img_digest_valid(img->config_digest))
		img->config_digest[0] = '\0';
	ls = json_object_get(chosen, "Layers");
	if (!json_is_array(ls) || json_array_size(ls) > IMG_MAX_LAYERS) {
		refuse(EINVAL, "manifest.json: expected an array \"Layers\" of at most %d",
		       IMG_MAX_LAYERS);
		goto out;
	}
	json_array_foreach(ls, i, l)
	{
		if (copy_relpath(img->layer[i].blob, l, "manifest.json Layers"))
			goto out;
		img->layer[i].digest[0] = '\0';
	}
	img->nlayers = i;
	const char *tag = json_string_value(json_array_get(json_object_get(chosen, "RepoTags"), 0));
	snprintf(img->ref, sizeof(img->ref), "%s", ref ? ref : tag ? tag : "");
	ret = 0;
out:
	json_decref(j);
	return ret;
}

int
img_parse_config(const char *buf, size_t len, struct img *img)
{
	json_t *j = parse(buf, len, "config"), *rootfs, *ids, *d;
	size_t i;
	int ret = -1;

	if (!j)
		return -1;
	rootfs = json_object_get(j, "rootfs");
	ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_object(rootfs) ||
	    strcmp(json_string_value(json_object_get(rootfs, "type")) ?: "", "layers") ||
	    !json_is_array(ids)) {
		refuse(EINVAL,
		       "config: expected rootfs {\"type\": \"layers\", \"diff_ids\": [...]}");
		goto out;
	}
	if (json_array_size(ids) != img->nlayers) {
		refuse(EINVAL, "config: %zu diff_ids for %zu layers", json_array_size(ids),
		       img->nlayers);
		goto out;
	}
	json_array_foreach(ids, i, d)
	{
		if (copy_digest(img->layer[i].diff_id, d, "config diff_id"))
			goto out;
	}
	ret = 0;
out:
	json_decref(j);
	return ret;
}

/* ------------------------------------------------------------ files */

/* DIR/REL read whole (at most IMG_MAX_JSON), checked against DIGEST when
 * one is known. Caller frees *buf. */
static int
read_blob(const char *dir, const char *rel, const char *digest, char **buf, size_t *len)
{
	char path[PATH_MAX + IMG_PATH_MAX], got[IMG_DIGEST_MAX];
	struct sha256_ctx c;
	FILE *f;

	*buf = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	/* O_NOFOLLOW: the image directory is not trusted either. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT
			   ? refuse(ENOENT, "blob '%s' named by the image is missing", rel)
			   : failed("open", path);
	f = fdopen(fd, "r");
	*buf = malloc(IMG_MAX_JSON + 1);
	if (!f || !*buf) {
		if (f)
			fclose(f);
		else
			close(fd);
		free(*buf), *buf = NULL;
		return failed("read", path);
	}
	*len = fread(*buf, 1, IMG_MAX_JSON + 1, f);
	fclose(f);
	if (*len > IMG_MAX_JSON) {
		free(*buf), *buf = NULL;
		return refuse(E2BIG, "'%s': longer than %d bytes", rel, IMG_MAX_JSON);
	}
	if (digest[0]) {
		sha256_init(&c);
		sha256_update(&c, *len, (const uint8_t *)*buf);
		sha256_hex(&c, got);
		if (strcmp(got, digest)) {
			free(*buf), *buf = NULL;
			return refuse(EBADMSG, "'%s': digest %s, expected %s", rel, got, digest);
		}
		trace_note("checked %s: %s", rel, digest);
	}
	return 0;
}

static int
file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int
img_open(const char *src, const char *ref, const char *scratch, long long max_size, struct img *img)
{
	struct stat st;
	char *buf = NULL;
	size_t len;
	int ret = -1;

	memset(img, 0, sizeof(*img));
	if (stat(src, &st) == -1)
		return failed("image", src);
	if (S_ISDIR(st.st_mode)) {
		if (!realpath(src, img->dir))
			return failed("realpath", src);
	} else {
		struct img_apply_opts o = {.max_size = max_size, .plain = 1};
		struct img_apply_stats s;

		trace_note("%s is an archive: extracting it into %s", src, scratch);
		if (img_apply(src, scratch, &o, &s) == -1)
			return -1;
		snprintf(img->dir, sizeof(img->dir), "%s", scratch);
	}
	if (file_exists(img->dir, "index.json")) {
		strcpy(img->format, "oci");
		if (read_blob(img->dir, "index.json", "", &buf, &len) ||
		    img_parse_index(buf, len, ref, img))
			goto out;
		free(buf), buf = NULL;
		char rel[IMG_PATH_MAX];
		blob_path(rel, img->manifest);
		if (read_blob(img->dir, rel, img->manifest, &buf, &len) ||
		    img_parse_manifest(buf, len, img))
			goto out;
	} else if (file_exists(img->dir, "manifest.json")) {
		strcpy(img->format, "docker");
		if (read_blob(img->dir, "manifest.json", "", &buf, &len) ||
		    img_parse_docker(buf, len, ref, img))
			goto out;
	} else {
		return refuse(EINVAL,
			      "'%s': expected an OCI layout (index.json) or a docker save "
			      "archive (manifest.json)",
			      src);
	}
	free(buf), buf = NULL;
	buf = NULL;
	if (read_blob(img->dir, img->config_blob, img->config_digest, &buf, &len) ||
	    img_parse_config(buf, len, img))
		goto out;
	ret = 0;
out:
	free(buf);
	return ret;
}

int
img_read_config(const struct img *img, char **buf, size_t *len)
{
	return read_blob(img->dir, img->config_blob, img->config_digest, buf, len);
}

/* ------------------------------------------------------------ layers */

/* The compressions a layer may have, detected by content; not
 * archive_read_support_filter_all(), which would also run external
 * programs (lrzip, lzop, grzip) on a stranger's input. */
static struct archive *
reader(int raw)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	if (raw)
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_tar(a);
	return a;
}

/* The blob's bytes pass through here on their way into libarchive, so one
 * read gives the digest of the compressed blob and, out of libarchive, of
 * the uncompressed tar. */
struct hashing {
	int fd;
	struct sha256_ctx c;
	char buf[65536];
};

static la_ssize_t
hashing_read(struct archive *a, void *arg, const void **out)
{
	struct hashing *h = arg;
	ssize_t n = read(h->fd, h->buf, sizeof(h->buf));

	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	sha256_update(&h->c, n, (const uint8_t *)h->buf);
	*out = h->buf;
	return n;
}

int
img_check_layer(const struct img *img, size_t i, long long max_size, long long *size)
{
	const struct img_layer *l = &img->layer[i];
	char path[PATH_MAX + IMG_PATH_MAX], blob[IMG_DIGEST_MAX], diff[IMG_DIGEST_MAX];
	static struct hashing h;
	struct sha256_ctx dc;
	struct archive *a;
	struct archive_entry *e;
	char buf[65536];
	la_ssize_t n;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/%s", img->dir, l->blob);
	h.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (h.fd == -1)
		return errno == ENOENT
			   ? refuse(ENOENT, "layer blob '%s' named by the image is missing",
				    l->blob)
			   : failed("open", path);
	sha256_init(&h.c);
	sha256_init(&dc);
	*size = 0;
	a = reader(1);
	if (!a || archive_read_open(a, &h, NULL, hashing_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		refuse(EBADMSG, "layer '%s': corrupt or truncated: %s", l->blob,
		       a ? archive_error_string(a) : "no memory");
		goto out;
	}
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		sha256_update(&dc, n, (const uint8_t *)buf);
		*size += n;
		if (*size > max_size) {
			refuse(EFBIG, "layer '%s': more than %lld bytes uncompressed (--max-size)",
			       l->blob, max_size);
			goto out;
		}
	}
	if (n < 0) {
		refuse(EBADMSG, "layer '%s': corrupt or truncated: %s", l->blob,
		       archive_error_string(a));
		goto out;
	}
	/* What libarchive did not need (padding after the stream) is part
	 * of the blob's digest too. */
	while ((n = read(h.fd, h.buf, sizeof(h.buf))) > 0)
		sha256_update(&h.c, n, (const uint8_t *)h.buf);
	sha256_hex(&h.c, blob);
	sha256_hex(&dc, diff);
	if (l->digest[0] && strcmp(blob, l->digest)) {
		refuse(EBADMSG, "layer '%s': digest %s, expected %s", l->blob, blob, l->digest);
		goto out;
	}
	if (strcmp(diff, l->diff_id)) {
		refuse(EBADMSG, "layer '%s': diff_id %s, expected %s", l->blob, diff, l->diff_id);
		goto out;
	}
	if (l->digest[0])
		trace_note("checked layer %zu blob: %s", i, blob);
	trace_note("checked layer %zu diff_id: %s (%lld bytes of tar)", i, diff, *size);
	ret = 0;
out:
	if (a)
		archive_read_free(a);
	close(h.fd);
	return ret;
}

/* ------------------------------------------------------------ applying */

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
		return refuse(EINVAL, "entry '%s': absolute name", name ? name : "(null)");
	if (snprintf(tmp, sizeof(tmp), "%s", name) >= (int)sizeof(tmp))
		return refuse(ENAMETOOLONG, "entry '%.64s...': name too long", name);
	out[0] = '\0';
	for (c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return refuse(EINVAL, "entry '%s': '..' climbs out of the layer", name);
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
			return refuse(ELOOP, "entry '%s': '%s' is not a directory in the layer%s",
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
	failed("directory", prefix);
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
			return refuse(EFBIG,
				      "entry '%s': more than %lld bytes in the layer "
				      "(--max-size)",
				      path, o->max_size);
		/* Sparse files come in blocks with holes between them. */
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return failed("write", path);
	}
	if (r != ARCHIVE_EOF)
		return refuse(EBADMSG, "entry '%s': %s", path, archive_error_string(a));
	if (ftruncate(fd, size) == -1)
		return failed("truncate", path);
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
			  trace_str(xattr)) == -1)
			return failed("opaque directory", path);
		st->opaques++;
		return 0;
	}
	/* Other ".wh..wh." names are aufs' bookkeeping (.wh..wh.plnk):
	 * nothing to hide. */
	if (!strncmp(base, ".wh..wh.", 8))
		return 0;
	if (!hidden[0] || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return refuse(EINVAL, "entry '%s': a whiteout of nothing", path);
	if (TRACE(mknodat(dfd, hidden, S_IFCHR | 0, makedev(0, 0)), "mknodat",
		  "%d, %s, S_IFCHR, makedev(0, 0)", dfd, trace_str(hidden)) == -1)
		return failed("whiteout", path);
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
		return refuse(EINVAL,
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
			    ? refuse(ENOENT, "entry '%s': hard link to '%s', not in this layer",
				     path, target)
			    : failed("link", path);
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
		refuse(EINVAL, "entry '%s': unknown type 0%o", path, type);
		goto out;
	}
	ret = 0;
	goto out;
fail:
	failed("entry", path);
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
	struct archive *a = reader(0);
	struct archive_entry *e;
	int root, r, ret = -1;

	memset(st, 0, sizeof(*st));
	last_error[0] = '\0';
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!a || root == -1) {
		failed("layer directory", dir);
		goto out;
	}
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		refuse(EBADMSG, "'%s': %s", path, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (apply_entry(a, e, root, o, st) == -1)
			goto out;
	if (r != ARCHIVE_EOF) {
		refuse(EBADMSG, "'%s': corrupt or truncated archive: %s", path,
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
