/*
 * rootfs_demo.c - the frame each program of lesson 04 runs in (see
 * rootfs.h, "a lesson program's frame"): what chroot, pivot, escape, layers
 * and newmount did before and after their own part, the same twenty lines
 * five times.
 */
#include "rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <stdio.h>
#include <unistd.h>

int
rootfs_demo_begin(const struct trace_prog *prog, int argc, char **argv, char *image, size_t isize,
		  char *tmp, size_t tsize)
{
	if (trace_main(prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see '%s --help'", argv[optind], prog->name);
		return EXIT_USAGE;
	}
	/* Root first: the image may sit where only its owner can look. */
	trace_need_root();
	if (rootfs_image_chosen(image, isize) == -1) {
		err_print();
		return EXIT_USAGE;
	}
	/* Ctrl-C from here on: the directory is removed before we exit. */
	rootfs_guard_child(0);
	if (rootfs_tmpdir(prog->name, tmp, tsize) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	return EXIT_DEMO_OK;
}

int
rootfs_demo_end(const char *tmp, int status, const char *closing)
{
	/* A failure before the child, or of clone/wait4 themselves: said
	 * before the removal, which may record one of its own. */
	if (status == -1 && err_last()->msg[0])
		err_print();
	/* The mounts died with the child's namespace; the directories go now. */
	if (rootfs_remove_tree(tmp) == -1)
		err_print();
	if (rootfs_interrupted())
		return rootfs_interrupted_exit();
	if (status != 0) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\n%s\n", closing);
	return EXIT_DEMO_OK;
}
