/*
 * nutshell-image.c - `nutshell image import|ls|rm`: the image store's commands
 * (04-overlay-chroot/store.h has the store's layout and invariants).
 *
 * Built as its own program, 05-full-container/nutshell-image, which
 * `nutshell image ...` executes: importing reads archives with libarchive
 * and checks digests with nettle, linked dynamically here, so the
 * launcher's static start path (nutshell run) neither links nor loads
 * them (Makefile, IMG_OBJ).
 *
 *   nutshell image import [--name NAME[:TAG]] [--ref REF] [--max-size SIZE] [--trusted] FILE|DIR
 *   nutshell image ls
 *   nutshell image rm NAME...
 *
 * The store is /var/lib/nutshell (root), $XDG_DATA_HOME/nutshell otherwise,
 * or $NUTSHELL_STORE. Exit status: 0, 1 when the command failed, 2 for a
 * usage error.
 */
#include "../04-overlay-chroot/image.h"
#include "../04-overlay-chroot/store.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "image_bundle.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct store_import_opts opts = {.max_size = IMG_DEFAULT_MAX_SIZE};
static const char *image_ref; /* bundle --image */

static int
on_option(int opt, const char *arg)
{
	switch (opt) {
	case 'n':
		opts.name = arg;
		return 0;
	case 'r':
		opts.ref = arg;
		return 0;
	case 'i':
		image_ref = arg;
		return 0;
	case 'm':
		return img_parse_max_size(arg, &opts.max_size);
	default:
		opts.trusted = 1;
		return 0;
	}
}

static const struct option options[] = {
    {"name", required_argument, NULL, 'n'},	{"ref", required_argument, NULL, 'r'},
    {"max-size", required_argument, NULL, 'm'}, {"trusted", no_argument, NULL, 't'},
    {"image", required_argument, NULL, 'i'},	{NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "nutshell image",
    .synopsis = "import [--name NAME[:TAG]] [--ref REF] [--max-size SIZE] [--trusted] FILE|DIR\n"
		"       nutshell image ls\n"
		"       nutshell image rm NAME...\n"
		"       nutshell bundle --image NAME|PATH DIR [COMMAND...]",
    .about = "The image store: each layer unpacked once, under its diff_id, and shared by\n"
	     "every image that has it; an image is a record naming its layers and its\n"
	     "config. 'nutshell run --image NAME' runs one. The store is /var/lib/nutshell\n"
	     "(root), else $XDG_DATA_HOME/nutshell; $NUTSHELL_STORE overrides both.\n"
	     "  import  an OCI layout directory, oci-archive or docker save tarball: every\n"
	     "          digest checked, each new layer unpacked, whiteouts converted\n"
	     "  ls      NAME, ID, SIZE, LAYERS, and SHARED: the bytes of its layers that\n"
	     "          another image uses too (stored once)\n"
	     "  rm      the image's record, then the layers no image uses any more\n"
	     "  bundle  (nutshell bundle) the image as an OCI runtime bundle: DIR/rootfs,\n"
	     "          its layers flattened, and DIR/config.json from its config",
    .look_for = "import: per layer, \"unpacked\" with its entries and whiteouts, or \"is in\n"
		"the store already: shared\" - not unpacked again; ls: SHARED above 0 for\n"
		"images built on one base; rm: \"bytes freed\" counts only layers no other\n"
		"image names.",
    .options = "  --name NAME[:TAG] import: the name to store it by (default: its own\n"
	       "                  reference, else the file's base name)\n"
	       "  --ref REF       import: the image to pick from a layout holding several\n"
	       "  --max-size SIZE import: refuse a layer past SIZE bytes of tar (default 4G)\n"
	       "  --trusted       import: keep device nodes the image holds\n"
	       "  --image REF     bundle: a stored image, or a path imported first\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char root[STORE_ROOT_MAX + 1], name[STORE_NAME_MAX];
	const char *cmd = "";
	long long freed;

	/* The command word out first, so that its options may follow it
	 * (nutshell image import --name N FILE) and the common ones precede
	 * it (nutshell --json F image ls). */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--name") ||
		    !strcmp(argv[i], "--ref") || !strcmp(argv[i], "--max-size") ||
		    !strcmp(argv[i], "--image"))
			i++;
		else if (argv[i][0] != '-') {
			cmd = argv[i];
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			argc--;
			break;
		}
	}
	int first = trace_main(&prog, argc, argv);
	int n = argc - first;

	if (store_root(root, sizeof(root)) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (!strcmp(cmd, "import") && n == 1) {
		if (store_import(root, argv[first], &opts, name, sizeof(name)) == -1) {
			err_print();
			return EXIT_DEMO_FAILED;
		}
		printf("%s\n", name);
		return EXIT_DEMO_OK;
	}
	if (!strcmp(cmd, "ls") && n == 0) {
		if (store_list(root, stdout) == -1) {
			err_print();
			return EXIT_DEMO_FAILED;
		}
		return EXIT_DEMO_OK;
	}
	if (!strcmp(cmd, "rm") && n >= 1) {
		for (int i = first; i < argc; i++) {
			if (store_remove(root, argv[i], &freed) == -1) {
				err_print();
				return EXIT_DEMO_FAILED;
			}
			printf("removed %s (%lld bytes freed)\n", argv[i], freed);
		}
		return EXIT_DEMO_OK;
	}
	if (!strcmp(cmd, "bundle") && image_ref && n >= 1) {
		struct stat st;
		const char *ref = image_ref;
		/* A path that exists is imported first, as run --image does. */
		if (stat(ref, &st) == 0) {
			if (store_import(root, ref, &opts, name, sizeof(name)) == -1) {
				err_prefix("--image '%s'", image_ref);
				err_print();
				return EXIT_DEMO_FAILED;
			}
			ref = name;
		}
		if (image_bundle(root, ref, argv[first], &argv[first + 1], n - 1) == -1) {
			err_print();
			return EXIT_DEMO_FAILED;
		}
		printf("%s\n", argv[first]);
		return EXIT_DEMO_OK;
	}
	trace_error("expected 'import FILE|DIR', 'ls', 'rm NAME...' or 'bundle --image REF DIR'; "
		    "see 'nutshell image --help'");
	return EXIT_USAGE;
}
