/*
 * image.c - opening a container image: see image.h for the interface.
 *
 * The reader is cut along its seams: this file finds the image (a layout
 * directory, or an archive extracted first) and reads its manifest and
 * config; image_json.c parses those documents (the three packagings);
 * image_digest.c checks a layer's blob against its digest and diff_id;
 * image_apply.c unpacks a layer, whiteouts and all.
 *
 * Sources: OCI image-spec v1.1 (image-layout.md, manifest.md, config.md),
 * docker's image/tarexport (manifest.json).
 */
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "image_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
img_parse_max_size(const char *arg, long long *bytes)
{
	uint64_t n;

	if (cg_parse_size(arg, &n) == -1 || n == 0 || n > LLONG_MAX)
		return err_set(EINVAL, "--max-size '%s': expected a size such as 512M or 4G", arg);
	*bytes = (long long)n;
	return 0;
}

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
			   ? err_set(ENOENT, "blob '%s' named by the image is missing", rel)
			   : err_sys("open '%.300s'", path);
	f = fdopen(fd, "r");
	*buf = malloc(IMG_MAX_JSON + 1);
	if (!f || !*buf) {
		if (f)
			fclose(f);
		else
			close(fd);
		free(*buf), *buf = NULL;
		return err_sys("read '%.300s'", path);
	}
	*len = fread(*buf, 1, IMG_MAX_JSON + 1, f);
	fclose(f);
	if (*len > IMG_MAX_JSON) {
		free(*buf), *buf = NULL;
		return err_set(E2BIG, "'%s': longer than %d bytes", rel, IMG_MAX_JSON);
	}
	if (digest[0]) {
		sha256_init(&c);
		sha256_update(&c, *len, (const uint8_t *)*buf);
		img_sha256_hex(&c, got);
		if (strcmp(got, digest)) {
			free(*buf), *buf = NULL;
			return err_set(EBADMSG, "'%s': digest %s, expected %s", rel, got, digest);
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
		return err_sys("image '%.300s'", src);
	if (S_ISDIR(st.st_mode)) {
		if (!realpath(src, img->dir))
			return err_sys("realpath '%.300s'", src);
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
		img_blob_path(rel, img->manifest);
		if (read_blob(img->dir, rel, img->manifest, &buf, &len) ||
		    img_parse_manifest(buf, len, img))
			goto out;
	} else if (file_exists(img->dir, "manifest.json")) {
		strcpy(img->format, "docker");
		if (read_blob(img->dir, "manifest.json", "", &buf, &len) ||
		    img_parse_docker(buf, len, ref, img))
			goto out;
	} else {
		return err_set(EINVAL,
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
