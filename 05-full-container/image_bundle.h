/*
 * image_bundle.h - `nutshell bundle --image REF DIR` (image_bundle.c), in
 * nutshell-image only.
 */
#ifndef NUTSHELL_IMAGE_BUNDLE_H
#define NUTSHELL_IMAGE_BUNDLE_H

/* The stored image NAME (store at ROOT) as the new OCI bundle DIR:
 * DIR/rootfs, its layers flattened, and DIR/config.json, its config with
 * runc spec's defaults; CMD (NCMD words) replaces the image's Cmd. Made
 * beside DIR and renamed; nothing left when it fails. Needs root (an
 * overlay mount in a mount namespace of its own). */
int image_bundle(const char *root, const char *name, const char *dir, char **cmd, int ncmd);

#endif
