/*
 * image_digest.c - a layer checked before it is believed (lesson 04,
 * image.h): its blob read once, through sha256 for the digest of the blob
 * as stored and, decompressed by libarchive, through sha256 again for the
 * diff_id of the tar inside; refused past a size limit (a decompression
 * bomb) or on either mismatch.
 *
 * Sources: OCI image-spec v1.1 (descriptor.md "Digests", config.md
 * rootfs.diff_ids), libarchive's archive_read(3) (archive_read_open with a
 * read callback, the "raw" format), nettle's sha256.
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "image_impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
img_sha256_hex(struct sha256_ctx *c, char out[IMG_DIGEST_MAX])
{
	uint8_t md[SHA256_DIGEST_SIZE];

	sha256_digest(c, sizeof(md), md);
	strcpy(out, "sha256:");
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* The compressions a layer may have, detected by content; not
 * archive_read_support_filter_all(), which would also run external
 * programs (lrzip, lzop, grzip) on a stranger's input. */
struct archive *
img_reader(int raw)
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
			   ? err_set(ENOENT, "layer blob '%s' named by the image is missing",
				     l->blob)
			   : err_sys("open '%.300s'", path);
	sha256_init(&h.c);
	sha256_init(&dc);
	*size = 0;
	a = img_reader(1);
	if (!a || archive_read_open(a, &h, NULL, hashing_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		err_set(EBADMSG, "layer '%s': corrupt or truncated: %s", l->blob,
			a ? archive_error_string(a) : "no memory");
		goto out;
	}
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		sha256_update(&dc, n, (const uint8_t *)buf);
		*size += n;
		if (*size > max_size) {
			err_set(EFBIG, "layer '%s': more than %lld bytes uncompressed (--max-size)",
				l->blob, max_size);
			goto out;
		}
	}
	if (n < 0) {
		err_set(EBADMSG, "layer '%s': corrupt or truncated: %s", l->blob,
			archive_error_string(a));
		goto out;
	}
	/* What libarchive did not need (padding after the stream) is part
	 * of the blob's digest too. */
	while ((n = read(h.fd, h.buf, sizeof(h.buf))) > 0)
		sha256_update(&h.c, n, (const uint8_t *)h.buf);
	img_sha256_hex(&h.c, blob);
	img_sha256_hex(&dc, diff);
	if (l->digest[0] && strcmp(blob, l->digest)) {
		err_set(EBADMSG, "layer '%s': digest %s, expected %s", l->blob, blob, l->digest);
		goto out;
	}
	if (strcmp(diff, l->diff_id)) {
		err_set(EBADMSG, "layer '%s': diff_id %s, expected %s", l->blob, diff, l->diff_id);
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
