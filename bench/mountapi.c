/*
 * bench/mountapi.c - what the launcher's mounts cost made with mount(2) and
 * with the new mount API (make bench, table "mount API"; issue 21).
 *
 * In a private mount namespace of its own, with a tmpfs of its own over
 * DIR, it builds N container roots, alternating the ways, and times each
 * way's calls (CLOCK_MONOTONIC, microseconds, median):
 *
 *   overlay   mount(2) + a remount nodev,nosuid (the launcher today)
 *             fsopen + 3 fsconfig + CMD_CREATE + fsmount(nodev,nosuid)
 *             + move_mount
 *   ro-path   a read-only path (/proc/sys of a fresh proc): bind +
 *             statvfs + remount (the launcher today); bind + one
 *             mount_setattr(AT_RECURSIVE); open_tree(OPEN_TREE_CLONE) +
 *             mount_setattr + move_mount
 *
 * Each root is detached again (umount2 MNT_DETACH) after its round, and the
 * namespace, with everything in it, goes when the program exits.
 * Usage: mountapi N IMAGE DIR (DIR an empty directory, left empty).
 */
#include "clock.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define CHECK(call)                                                                                \
	do {                                                                                       \
		if ((call) == -1) {                                                                \
			perror(#call);                                                             \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

enum { OVL_MOUNT, OVL_FSMOUNT, RO_REMOUNT, RO_SETATTR, RO_CLONE, WAYS };
static const char *const way_name[WAYS] = {
    "overlay: mount + remount",	       "overlay: fsopen .. fsmount + move_mount",
    "ro path: bind + statvfs + remount", "ro path: bind + mount_setattr",
    "ro path: open_tree + setattr + move"};


static void
overlay(int way, const char *image, const char *up, const char *work, const char *root)
{
	char opts[3 * 4200 + 64];

	if (way == OVL_MOUNT) {
		snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", image, up, work);
		CHECK(mount("overlay", root, "overlay", 0, opts));
		CHECK(mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV | MS_NOSUID, NULL));
		return;
	}
	int ctx = fsopen("overlay", FSOPEN_CLOEXEC);
	CHECK(ctx);
	CHECK(fsconfig(ctx, FSCONFIG_SET_STRING, "lowerdir", image, 0));
	CHECK(fsconfig(ctx, FSCONFIG_SET_STRING, "upperdir", up, 0));
	CHECK(fsconfig(ctx, FSCONFIG_SET_STRING, "workdir", work, 0));
	CHECK(fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	int mnt = fsmount(ctx, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	CHECK(mnt);
	CHECK(move_mount(mnt, "", AT_FDCWD, root, MOVE_MOUNT_F_EMPTY_PATH));
	close(mnt);
	close(ctx);
}

static void
readonly_path(int way, const char *p)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
	struct statvfs sv;

	if (way == RO_REMOUNT) {
		CHECK(mount(p, p, NULL, MS_BIND | MS_REC, NULL));
		CHECK(statvfs(p, &sv));
		CHECK(mount(NULL, p, NULL,
			    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	} else if (way == RO_SETATTR) {
		CHECK(mount(p, p, NULL, MS_BIND | MS_REC, NULL));
		CHECK(mount_setattr(AT_FDCWD, p, AT_RECURSIVE, &ro, sizeof(ro)));
	} else {
		int fd = open_tree(AT_FDCWD, p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		CHECK(fd);
		CHECK(mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)));
		CHECK(move_mount(fd, "", AT_FDCWD, p, MOVE_MOUNT_F_EMPTY_PATH));
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 4 || atoi(argv[1]) < 6) {
		fprintf(stderr, "usage: mountapi N IMAGE DIR (N >= 6)\n");
		return 2;
	}
	int n = atoi(argv[1]);
	const char *image = argv[2], *dir = argv[3];
	double *t[WAYS];
	int count[WAYS] = {0};
	char up[4200], work[4200], root[4200], p[4300];

	for (int w = 0; w < WAYS; w++)
		t[w] = calloc((size_t)n, sizeof(double));
	CHECK(unshare(CLONE_NEWNS));
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHECK(mount("tmpfs", dir, "tmpfs", 0, "mode=700"));
	for (int i = 0; i < n; i++) {
		snprintf(up, sizeof(up), "%s/u%d", dir, i);
		snprintf(work, sizeof(work), "%s/w%d", dir, i);
		snprintf(root, sizeof(root), "%s/r%d", dir, i);
		CHECK(mkdir(up, 0755));
		CHECK(mkdir(work, 0755));
		CHECK(mkdir(root, 0755));
		int w = i % 2 ? OVL_FSMOUNT : OVL_MOUNT;
		double start = bench_now_us();
		overlay(w, image, up, work, root);
		t[w][count[w]++] = bench_now_us() - start;

		snprintf(p, sizeof(p), "%s/proc", root);
		mkdir(p, 0555); /* the image may have it */
		CHECK(mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
		snprintf(p, sizeof(p), "%s/proc/sys", root);
		w = RO_REMOUNT + i % 3;
		start = bench_now_us();
		readonly_path(w, p);
		t[w][count[w]++] = bench_now_us() - start;
		CHECK(umount2(root, MNT_DETACH));
	}
	for (int w = 0; w < WAYS; w++) {
		qsort(t[w], (size_t)count[w], sizeof(double), bench_by_value);
		printf("  %-40s %7.1f us  (median of %d)\n", way_name[w], t[w][count[w] / 2],
		       count[w]);
	}
	return 0;
}
