/*
 * fuzz_imgjson.c - the image documents (04-overlay-chroot/image.h): an OCI
 * index.json, a manifest, docker save's manifest.json and a config, chosen
 * by the first byte. Whatever is accepted names blobs only by a valid
 * sha256 digest or by a relative path that stays in the image (no leading
 * "/", no ".." component), holds at most IMG_MAX_LAYERS layers, and a
 * config gives each layer a valid diff_id; a refusal says why.
 */
#include "../../04-overlay-chroot/image.h"
#include "../../common/err.h"
#include "fuzz.h"

static int
inside(const char *p)
{
	if (p[0] == '/')
		return 0;
	for (const char *c = p; c; c = strchr(c, '/'), c = c ? c + 1 : c)
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct img img;
	const char *buf = (const char *)data + 1;
	int which, r;

	if (size < 1)
		return 0;
	which = data[0] % 4;
	memset(&img, 0, sizeof(img));
	err_clear(); /* a refusal must say why: no reason left from the last input */
	/* A config is read after a manifest: give it layers to count. */
	img.nlayers = which == 3 ? data[0] / 4 % 4 : 0;
	switch (which) {
	case 0:
		r = img_parse_index(buf, size - 1, data[0] & 4 ? "latest" : NULL, &img);
		FUZZ_ASSERT(r == -1 || img_digest_valid(img.manifest), "manifest '%s'",
			    img.manifest);
		break;
	case 1:
		r = img_parse_manifest(buf, size - 1, &img);
		break;
	case 2:
		r = img_parse_docker(buf, size - 1, data[0] & 4 ? "a:b" : NULL, &img);
		break;
	default:
		r = img_parse_config(buf, size - 1, &img);
		for (size_t i = 0; r == 0 && i < img.nlayers; i++)
			FUZZ_ASSERT(img_digest_valid(img.layer[i].diff_id), "diff_id %zu", i);
	}
	if (r == -1) {
		FUZZ_ASSERT(err_last()->msg[0] != '\0', "refused without a reason");
		return 0;
	}
	FUZZ_ASSERT(img.nlayers <= IMG_MAX_LAYERS, "%zu layers", img.nlayers);
	if (which == 1 || which == 2) {
		FUZZ_ASSERT(inside(img.config_blob), "config blob '%s'", img.config_blob);
		FUZZ_ASSERT(!img.config_digest[0] || img_digest_valid(img.config_digest),
			    "config digest '%s'", img.config_digest);
		for (size_t i = 0; i < img.nlayers; i++) {
			FUZZ_ASSERT(inside(img.layer[i].blob), "layer blob '%s'",
				    img.layer[i].blob);
			FUZZ_ASSERT(!img.layer[i].digest[0] ||
					img_digest_valid(img.layer[i].digest),
				    "layer digest '%s'", img.layer[i].digest);
		}
	}
	return 0;
}
