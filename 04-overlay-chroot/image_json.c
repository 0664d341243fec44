/*
 * image_json.c - an image's JSON documents (lesson 04, image.h): the OCI
 * index.json and manifest, docker save's manifest.json, the config's
 * rootfs.diff_ids. Pure functions on a buffer: no files (fuzzed by
 * tests/fuzz/fuzz_imgjson.c). Every string that becomes a file name is
 * checked first: a digest is "sha256:" and 64 hex digits, a path stays
 * inside the image.
 *
 * Sources: OCI image-spec v1.1 (image-index.md, manifest.md, config.md,
 * descriptor.md "Digests"), docker's image/tarexport (manifest.json),
 * jansson's json_loadb(3).
 */
#include "../common/err.h"
#include "image_impl.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

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

static int
copy_str(char *out, size_t size, json_t *v, const char *what)
{
	const char *s = json_string_value(v);

	if (!s)
		return err_set(EINVAL, "%s: expected a string", what);
	if (strlen(s) >= size)
		return err_set(EINVAL, "%s: longer than %zu bytes", what, size - 1);
	strcpy(out, s);
	return 0;
}

static int
copy_digest(char *out, json_t *v, const char *what)
{
	if (copy_str(out, IMG_DIGEST_MAX, v, what) == -1)
		return -1;
	if (!img_digest_valid(out))
		return err_set(EINVAL, "%s '%s': expected sha256: and 64 hex digits", what, out);
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
		return err_set(EINVAL, "%s '%s': expected a path inside the image", what, out);
	return 0;
}

static json_t *
parse(const char *buf, size_t len, const char *what)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);

	if (!j)
		err_set(EINVAL, "%s: not JSON (line %d: %s)", what, e.line, e.text);
	return j;
}

void
img_blob_path(char *out, const char *digest)
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
		err_set(EINVAL, "index.json: expected a non-empty array \"manifests\"");
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
		err_set(ENOENT, "index.json: no image named '%s'", ref);
		goto out;
	}
	if (!ref && n > 1) {
		err_set(EINVAL, "index.json holds %zu images: pick one with --ref NAME", n);
		goto out;
	}
	const char *mt = json_string_value(json_object_get(chosen, "mediaType"));
	if (mt && strcmp(mt, "application/vnd.oci.image.manifest.v1+json") &&
	    strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json")) {
		err_set(EINVAL, "index.json: manifest of type '%s': expected an image manifest",
			mt);
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
	img_blob_path(img->config_blob, img->config_digest);
	ls = json_object_get(j, "layers");
	if (!json_is_array(ls) || json_array_size(ls) > IMG_MAX_LAYERS) {
		err_set(EINVAL, "manifest: expected an array \"layers\" of at most %d",
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
			err_set(EINVAL, "manifest: layer %zu of type '%s': expected a tar layer", i,
				mt ? mt : "(none)");
			goto out;
		}
		if (copy_digest(img->layer[i].digest, json_object_get(l, "digest"),
				"manifest layer digest"))
			goto out;
		img_blob_path(img->layer[i].blob, img->layer[i].digest);
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
		err_set(EINVAL, "manifest.json: expected a non-empty array");
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
		err_set(EINVAL, "manifest.json holds %zu images: pick one with --ref NAME",
			json_array_size(j));
		goto out;
	}
	if (!chosen) {
		err_set(ENOENT, "manifest.json: no image tagged '%s'", ref);
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
		err_set(EINVAL, "manifest.json: expected an array \"Layers\" of at most %d",
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
		err_set(EINVAL,
			"config: expected rootfs {\"type\": \"layers\", \"diff_ids\": [...]}");
		goto out;
	}
	if (json_array_size(ids) != img->nlayers) {
		err_set(EINVAL, "config: %zu diff_ids for %zu layers", json_array_size(ids),
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
