/*
 * unpack - a container image is a config and a stack of tarballs; this
 * checks each one and turns it into a directory overlayfs can stack.
 *
 * IMAGE is an OCI image layout directory (index.json), an oci-archive
 * tarball (the same, packed) or a `docker save` tarball (manifest.json).
 * The program picks the image (--ref, the layout's
 * org.opencontainers.image.ref.name or one of docker's RepoTags), reads its
 * manifest and config, each checked against its sha256 digest, then for
 * every layer, bottom first: reads the blob once to check both its digest
 * and the diff_id of the tar inside (the config lists those), and only then
 * unpacks it into a directory of its own, DEST/<diff_id hex>. Whiteouts
 * are converted as containerd converts them: ".wh.NAME" becomes a character
 * device 0/0 (mknodat), ".wh..wh..opq" the xattr trusted.overlay.opaque="y"
 * on its directory (fsetxattr; user.overlay.opaque with --userxattr or when
 * not root, for an overlay mounted with userxattr). Each layer is unpacked
 * into a temporary directory and renamed into place whole, so a layer
 * directory that exists is complete, and an image that shares it with
 * another (same diff_id) reuses it. Last, the stack as overlayfs would mount
 * it: lowerdir= top layer first.
 *
 * System calls: openat2(2) with RESOLVE_IN_ROOT (every name looked up inside
 *               the layer), mknodat(2), fsetxattr(2), rename(2); the
 *               archives are read by libarchive, the digests are nettle's
 *               sha256.
 * Look for:     "checked" lines, one per blob and per diff_id; a mknodat of
 *               0/0 per deleted file and an fsetxattr per opaque directory;
 *               "shared" when a layer is already there; the lowerdir= line.
 *               Then `ls -l DEST/<layer>/...` shows the whiteouts as "c 0, 0".
 * Read:         OCI image-spec image-layout.md, manifest.md, layer.md
 *               ("Whiteouts"), config.md (rootfs.diff_ids); overlayfs.rst
 *               ("whiteouts and opaque directories"); openat2(2).
 */
#include "../common/trace.h"
#include "../common/err.h"
#include "image.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct img img;
static const char *ref;
static struct img_apply_opts opts = {.max_size = IMG_DEFAULT_MAX_SIZE};
static char dest[PATH_MAX], scratch[PATH_MAX], tmp[PATH_MAX];

static int
on_option(int opt, const char *arg)
{
	switch (opt) {
	case 'r':
		ref = arg;
		return 0;
	case 'm':
		return img_parse_max_size(arg, &opts.max_size);
	case 't':
		opts.trusted = 1;
		return 0;
	default:
		opts.userxattr = 1;
		return 0;
	}
}

/* Unpacks layer I into DEST/<hex>, through a temporary directory renamed
 * into place only once it is complete. */
static int
unpack_layer(size_t i, const char *final)
{
	char blob[PATH_MAX];
	struct img_apply_stats st;
	struct stat sb;

	if (stat(final, &sb) == 0) {
		trace_note("layer %zu: %s is there already: shared, not unpacked again", i, final);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%.4000s/.tmp-%.12s.XXXXXX", dest, img.layer[i].diff_id + 7);
	if (!mkdtemp(tmp))
		return err_sys("mkdtemp %s", tmp);
	if (snprintf(blob, sizeof(blob), "%s/%s", img.dir, img.layer[i].blob) >= (int)sizeof(blob))
		return err_set(ENAMETOOLONG, "blob path too long");
	if (img_apply(blob, tmp, &opts, &st) == -1)
		return -1;
	printf("layer %zu: %lld entries, %lld bytes, %lld whiteouts, %lld opaque dirs", i, st.files,
	       st.bytes, st.whiteouts, st.opaques);
	if (st.devices_skipped || st.xattrs_skipped)
		printf(", kept out: %lld devices, %lld xattrs", st.devices_skipped,
		       st.xattrs_skipped);
	printf("\n");
	/* The directory appears whole or not at all (rename(2) is atomic);
	 * if another unpack won the race, its copy is as good as ours. */
	if (TRACE(renameat(AT_FDCWD, tmp, AT_FDCWD, final), "renameat",
		  "AT_FDCWD, %s, AT_FDCWD, %s", trace_str(tmp), trace_str(final)) == -1) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			return err_sys("rename %s", tmp);
		rootfs_remove_tree(tmp);
	}
	tmp[0] = '\0';
	return 0;
}

static const struct option options[] = {
    {"ref", required_argument, NULL, 'r'},
    {"max-size", required_argument, NULL, 'm'},
    {"trusted", no_argument, NULL, 't'},
    {"userxattr", no_argument, NULL, 'u'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "unpack",
    .synopsis = "[--ref NAME] [--max-size SIZE] [--trusted] [--userxattr] IMAGE DEST",
    .about = "Reads an image (OCI layout directory, oci-archive or docker save tarball),\n"
	     "checks every blob's digest and every layer's diff_id, and unpacks each layer\n"
	     "into DEST/<diff_id> with its whiteouts converted for overlayfs; prints the\n"
	     "layer stack as overlay would mount it.",
    .look_for = "\"checked\" lines, one per blob and per diff_id; a mknodat of 0/0 per deleted\n"
		"file and an fsetxattr per opaque directory; \"shared\" when a layer is already\n"
		"there; the lowerdir= line. Then `ls -l DEST/<layer>/...` shows the whiteouts\n"
		"as \"c 0, 0\".",
    .options = "  --ref NAME      the image to pick (org.opencontainers.image.ref.name, or a\n"
	       "                  RepoTag of docker save); needed when there are several\n"
	       "  --max-size SIZE refuse a layer (or image archive) past SIZE bytes of\n"
	       "                  uncompressed tar (default 4G): a decompression bomb\n"
	       "  --trusted       keep device nodes (other than whiteouts) the image holds\n"
	       "  --userxattr     opaque directories as user.overlay.opaque (default when\n"
	       "                  not root: a rootless overlay is mounted with userxattr)\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	struct rootfs_layers stack = {.nlower = 0};
	static char lower[IMG_MAX_LAYERS][PATH_MAX];
	char ovl[4096];
	long long size;
	int ret = EXIT_DEMO_FAILED, first = trace_main(&prog, argc, argv);

	if (argc - first != 2) {
		trace_error("expected IMAGE and DEST; see 'unpack --help'");
		return EXIT_USAGE;
	}
	if (geteuid() != 0)
		opts.userxattr = 1;
	if ((mkdir(argv[first + 1], 0755) == -1 && errno != EEXIST) ||
	    !realpath(argv[first + 1], dest)) {
		trace_error("DEST '%s': %s", argv[first + 1], strerror(errno));
		return EXIT_USAGE;
	}
	struct stat sb;
	if (stat(argv[first], &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		snprintf(scratch, sizeof(scratch), "%.4000s/.archive.XXXXXX", dest);
		if (!mkdtemp(scratch)) {
			trace_fail("mkdtemp");
			return EXIT_DEMO_FAILED;
		}
	}
	if (img_open(argv[first], ref, scratch, opts.max_size, &img) == -1) {
		err_print();
		goto out;
	}
	trace_fact("format", "%s", img.format);
	trace_fact("layers", "%zu", img.nlayers);
	for (size_t i = 0; i < img.nlayers; i++) {
		char *final = lower[img.nlayers - 1 - i];

		if (img_check_layer(&img, i, opts.max_size, &size) == -1) {
			err_print();
			goto out;
		}
		snprintf(final, PATH_MAX, "%.4000s/%s", dest, img.layer[i].diff_id + 7);
		if (unpack_layer(i, final) == -1) {
			err_prefix("layer %zu", i);
			err_print();
			goto out;
		}
		stack.lower[img.nlayers - 1 - i] = final;
	}
	stack.nlower = img.nlayers;
	/* overlayfs' lowerdir= lists the top layer first (overlayfs.rst,
	 * "Multiple lower layers"). */
	if (img.nlayers && rootfs_overlay_options(&stack, ovl, sizeof(ovl)) == -1) {
		err_print();
		goto out;
	}
	printf("\nthe layer stack, as overlay mounts it (top first):\n");
	for (size_t k = 0; k < stack.nlower; k++)
		printf("  %s%s\n", stack.lower[k], k + 1 == stack.nlower ? "  (base)" : "");
	/* user.overlay.opaque is read only with userxattr (overlayfs.rst). */
	printf("mount -t overlay overlay -o %s,upperdir=U,workdir=W%s MERGED\n",
	       img.nlayers ? ovl : "", opts.userxattr ? ",userxattr" : "");
	trace_fact("lowerdir", "%s", img.nlayers ? ovl + strlen("lowerdir=") : "");
	ret = EXIT_DEMO_OK;
out:
	if (tmp[0])
		rootfs_remove_tree(tmp);
	if (scratch[0])
		rootfs_remove_tree(scratch);
	return ret;
}
