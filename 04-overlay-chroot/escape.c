/*
 * escape - chroot is not a wall: the classic escape, and why it fails after
 * pivot_root with the old root detached.
 *
 * A process that is chrooted but still holds CAP_SYS_CHROOT makes a
 * directory, chroots into it (its working directory stays outside the new
 * root), climbs ".." past where its old root was, and chroots to ".": it
 * is back at the real root (chroot(2): "This call does not change the
 * current working directory"; the kernel stops ".." only at the root).
 *
 * Nothing here reaches the host. In a private mount namespace the program
 * first pivots into a scratch tmpfs that holds a marker file and the image
 * (an overlay, so the image stays unwritten); that scratch root is the
 * "real root" the escape can reach. Then two prisoners try the same steps:
 * one chrooted into the image, one pivoted into it in a mount namespace of
 * its own, with the old root detached. stat("/") before and after tells
 * where each ended.
 *
 * System calls: clone(2) with CLONE_NEWNS, mount(2) (tmpfs, overlay, bind),
 *               pivot_root(2), umount2(2) with MNT_DETACH, chroot(2),
 *               chdir(2), mkdir(2).
 * Look for:     under chroot the root after the escape is the scratch root
 *               and the marker is found; after pivot_root the root is
 *               still the image's, though the same calls all return 0.
 * Read:         chroot(2) (NOTES), pivot_root(2), path_resolution(7).
 */
#include "../01-namespaces/ns.h"
#include "../common/host.h"
#include "../common/trace.h"
#include "../common/err.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MARKER "/scratch-root-marker"

/* The image, the scratch directory, and the scratch root in it (TMP/scratch). */
static char image[PATH_MAX], tmp[64], scratch[128];

/* stat("/"): which directory is my root? */
static const char *
root_id(char *out, size_t size)
{
	struct stat st;

	if (stat("/", &st) == -1)
		snprintf(out, size, "?");
	else
		snprintf(out, size, "dev %u:%u ino %lu", major(st.st_dev), minor(st.st_dev),
			 (unsigned long)st.st_ino);
	return out;
}

/* <<< escape */
/* The classic escape; DIR is made in the current root. */
static void
escape(const char *dir)
{
	if (TRACE(mkdirat(AT_FDCWD, dir, 0755), "mkdirat", "AT_FDCWD, %s, 0755", trace_str(dir)) ==
		-1 &&
	    errno != EEXIST)
		return;
	/* The new root is DIR; the working directory stays where it was,
	 * outside it, where ".." is not stopped. */
	if (TRACE(chroot(dir), "chroot", "%s", trace_str(dir)) == -1)
		return;
	for (int i = 0; i < 6; i++)
		TRACE(chdir(".."), "chdir", "\"..\"");
	TRACE(chroot("."), "chroot", "\".\"");
}
/* >>> escape */

/* A prisoner: in the image by chroot or by pivot_root, then the escape.
 * Tells "ROOT-INSIDE|ROOT-AFTER|MARKER-FOUND" to the world. */
struct prisoner {
	struct ns_sync sync;
	int pivot;
};

static int
prisoner(void *arg)
{
	struct ns_sync *sync = &((struct prisoner *)arg)->sync;
	int pivot = ((struct prisoner *)arg)->pivot;
	const char *how = pivot ? "pivot" : "chroot";
	char inside[64], after[64], msg[160], key[64];
	cap_flag_value_t can_chroot = CAP_CLEAR;

	ns_sync_in_child(sync);
	if (pivot ? ns_make_private() == -1 || rootfs_bind_self("/image") == -1 ||
			rootfs_pivot("/image") == -1
		  : rootfs_chroot("/image") == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	root_id(inside, sizeof(inside));
	cap_t caps = cap_get_proc();
	if (caps)
		cap_get_flag(caps, CAP_SYS_CHROOT, CAP_EFFECTIVE, &can_chroot);
	cap_free(caps);
	trace_note("%s: in the image, root %s, CAP_SYS_CHROOT %s; now the escape", how, inside,
		   can_chroot == CAP_SET ? "held" : "not held");
	escape(pivot ? "/.escape-pivot" : "/.escape-chroot");
	root_id(after, sizeof(after));
	int found = access(MARKER, F_OK) == 0;
	snprintf(key, sizeof(key), "%s_root_inside", how);
	trace_fact(key, "%s", inside);
	snprintf(key, sizeof(key), "%s_root_after_escape", how);
	trace_fact(key, "%s", after);
	snprintf(key, sizeof(key), "%s_escape", how);
	trace_fact(key, "%s", found ? "escaped" : "contained");
	snprintf(msg, sizeof(msg), "%s|%s|%s", inside, after, found ? "yes" : "no");
	ns_sync_tell(sync->to_parent[1], msg);
	return EXIT_DEMO_OK;
}

static int
run_prisoner(int pivot, char *msg, size_t size)
{
	struct prisoner pr = {.pivot = pivot};
	int status = -1;

	if (ns_sync_init(&pr.sync) == -1)
		return -1;
	/* A pivot_root prisoner needs its own mount namespace: pivot_root
	 * moves every process whose root was the old one. */
	unsigned long flags = (pivot ? CLONE_NEWNS : 0) | SIGCHLD;
	pid_t pid = ns_clone(flags, prisoner, &pr);
	if (pid == -1)
		return -1;
	ns_sync_in_parent(&pr.sync);
	msg[0] = '\0';
	ns_sync_hear(pr.sync.to_parent[0], msg, size);
	ns_sync_close(&pr.sync);
	return ns_wait(pid, &status) == -1 || status != 0 ? -1 : 0;
}

/* <<< world */
/* A world of our own: a scratch tmpfs as root, with a marker and the image. */
static int
world_main(void *arg)
{
	char path[256], upper[256], work[256], merged[256];
	char real[64], c[160] = "", p[160] = "";

	(void)arg;
	snprintf(upper, sizeof(upper), "%s/layer/upper", scratch);
	snprintf(work, sizeof(work), "%s/layer/work", scratch);
	snprintf(merged, sizeof(merged), "%s/image", scratch);
	struct rootfs_layers l = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (ns_make_private() == -1 ||
	    TRACE(mount("scratch", scratch, "tmpfs", 0, "mode=755"), "mount",
		  "\"scratch\", %s, \"tmpfs\", 0, \"mode=755\"", trace_str(scratch)) == -1)
		return EXIT_DEMO_FAILED;
	snprintf(path, sizeof(path), "%s" MARKER, scratch);
	FILE *f = fopen(path, "we");
	if (!f || fputs("the scratch root of escape, not the host's\n", f) < 0 || fclose(f))
		return EXIT_DEMO_FAILED;
	snprintf(path, sizeof(path), "%s/layer", scratch);
	if (mkdir(path, 0755) || mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755) ||
	    rootfs_mount_overlay(&l, merged) == -1 || rootfs_pivot(scratch) == -1)
		return EXIT_DEMO_FAILED;
	trace_fact("root_scratch", "%s", root_id(real, sizeof(real)));
	trace_note("the scratch root (%s) is the 'real root' now; the host is out of reach", real);
	if (run_prisoner(0, c, sizeof(c)) == -1 || run_prisoner(1, p, sizeof(p)) == -1)
		return EXIT_DEMO_FAILED;
	/* >>> world */
	char ci[64] = "", ca[64] = "", cm[8] = "", pi[64] = "", pa[64] = "", pm[8] = "";
	sscanf(c, "%63[^|]|%63[^|]|%7s", ci, ca, cm);
	sscanf(p, "%63[^|]|%63[^|]|%7s", pi, pa, pm);
	printf("%-26s %-24s %s\n", "", "under chroot", "after pivot_root");
	printf("%-26s %-24s %s\n", "stat(\"/\") in the image", ci, pi);
	printf("%-26s %-24s %s\n", "stat(\"/\") after escaping", ca, pa);
	printf("%-26s %-24s %s\n", MARKER " found", cm, pm);
	printf("(the scratch root is %s)\n", real);
	fflush(stdout);
	return strcmp(cm, "yes") == 0 && strcmp(pm, "no") == 0 && strcmp(ca, real) == 0
		   ? EXIT_DEMO_OK
		   : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "escape",
    .synopsis = "[--image DIR]",
    .about = "In a scratch root of its own, a chrooted process with CAP_SYS_CHROOT climbs\n"
	     "out (mkdir, chroot, chdir .., chroot .) and finds the scratch root's marker;\n"
	     "after pivot_root with the old root detached, the same steps stay in the\n"
	     "image. The host is never reached. Needs root.",
    .look_for = "Under chroot the root after the escape is the scratch root and the marker is\n"
		"found; after pivot_root the root is still the image's, though the same calls\n"
		"all return 0.",
    .options = ROOTFS_IMAGE_HELP,
    .longopts = rootfs_image_longopts,
    .on_option = rootfs_image_option,
};

int
main(int argc, char **argv)
{
	/* The frame of this lesson's programs (rootfs.h): root, the image,
	 * Ctrl-C guarded, a scratch directory; our part; then the clean-up. */
	int ret = rootfs_demo_begin(&prog, argc, argv, image, sizeof(image), tmp, sizeof(tmp));
	if (ret != EXIT_DEMO_OK)
		return ret;
	/* In a chroot the escape reaches the chroot's parent even after
	 * pivot_root: the demonstration would show the opposite of its point. */
	if (host_in_chroot()) {
		if (rootfs_remove_tree(tmp) == -1)
			err_print();
		trace_error("%s", host_chroot_line);
		return EXIT_DEMO_FAILED;
	}
	snprintf(scratch, sizeof(scratch), "%s/scratch", tmp);
	int status = mkdir(scratch, 0755) == 0 ? rootfs_run_isolated(world_main, NULL)
					       : err_sys("mkdir %s", scratch);
	return rootfs_demo_end(
	    tmp, status,
	    "Under chroot the escape reached the scratch root: chroot changes one\n"
	    "process's idea of \"/\", not what it can reach. After pivot_root and\n"
	    "umount2(MNT_DETACH) there is nothing above the image to climb to. The\n"
	    "launcher uses pivot_root; it keeps CAP_SYS_CHROOT, as Docker does, and the\n"
	    "escape still leads nowhere.");
}
