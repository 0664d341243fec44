/*
 * image_impl.h - what the files of lesson 04's image reader share and no
 * one else uses (prefix img_): image.c opens an image, image_json.c reads
 * its JSON documents, image_digest.c checks a layer against its digests,
 * image_apply.c unpacks a layer. The interface is image.h.
 */
#ifndef NUTSHELL_IMAGE_IMPL_H
#define NUTSHELL_IMAGE_IMPL_H

#include "image.h"

#include <nettle/sha2.h>

struct archive;

/* OUT = "sha256:" and C's digest in lowercase hex (image_digest.c). */
void img_sha256_hex(struct sha256_ctx *c, char out[IMG_DIGEST_MAX]);

/* A libarchive reader for a stranger's archive: the compressions a layer
 * may have, and tar (RAW: the decompressed stream itself); NULL without
 * memory (image_digest.c). */
struct archive *img_reader(int raw);

/* OUT = "blobs/sha256/HEX", DIGEST's blob in an OCI layout (image_json.c). */
void img_blob_path(char *out, const char *digest);

#endif
