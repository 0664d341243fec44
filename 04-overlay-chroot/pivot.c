/*
 * pivot - pivot_root(2) done right, one step at a time, with the mount table
 * before, in the middle and after: the old root is gone.
 *
 * In a private mount namespace the program mounts an overlay of the image
 * (the container's root), binds it onto itself (pivot_root wants a mount
 * point), changes into it, and calls pivot_root(".", "."): the new root
 * becomes "/", and the old root is stacked on top of it. umount2(".",
 * MNT_DETACH) detaches the old root with every host mount under it. A fresh
 * /proc then shows what is left: the new root and that /proc.
 *
 * The mount table comes from /proc/self/mountinfo, opened afresh at each
 * step: the file shows the mounts as seen from the root the reader had when
 * it opened it. So the fresh /proc is mounted right after pivot_root, to
 * see the middle state: both roots at "/", the old one on top.
 *
 * System calls: clone(2) with CLONE_NEWNS, mount(2) (MS_REC|MS_PRIVATE,
 *               overlay, MS_BIND, proc), chdir(2), pivot_root(2),
 *               umount2(2) with MNT_DETACH.
 * /proc:        /proc/self/mountinfo (proc_pid_mountinfo(5)).
 * Look for:     the mount id of "/" before; in the middle both roots; after,
 *               two mounts, and the old root's id nowhere.
 * Read:         pivot_root(2), mount_namespaces(7), umount2(2).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/err.h"
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char image[PATH_MAX], tmp[64];

/*
 * Reads the mount table from /proc/self/mountinfo, shows each line as
 * "ID POINT FSTYPE", counts them, and notes whether mount id OLD is there.
 * Returns the count; *root_id gets the id of "/" (the last one mounted).
 */
static int
show_mounts(const char *when, int old, int *old_seen, int *root_id, char *list, size_t size)
{
	static char text[1 << 16];
	char label[64];
	int n = 0;
	if (proc_read("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return -1;
	*old_seen = 0;
	if (list)
		list[0] = '\0';
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;
		char shown[512];
		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		n++;
		snprintf(label, sizeof(label), "mountinfo %s", when);
		snprintf(shown, sizeof(shown), "%d %s %s", m.id, m.point, m.fstype);
		trace_proc(label, shown);
		if (m.id == old)
			*old_seen = 1;
		if (strcmp(m.point, "/") == 0 && root_id)
			*root_id = m.id;
		if (list)
			snprintf(list + strlen(list), size - strlen(list), "%s%s %s",
				 list[0] ? ", " : "", m.point, m.fstype);
	}
	return n;
}

static int
child_main(void *arg)
{
	char upper[128], work[128], merged[128], after[256];
	int old = -1, seen, n_before, n_middle, n_after;
	(void)arg;

	snprintf(upper, sizeof(upper), "%s/upper", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	snprintf(merged, sizeof(merged), "%s/merged", tmp);
	struct rootfs_layers l = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (ns_make_private() == -1 || rootfs_mount_overlay(&l, merged) == -1)
		return EXIT_DEMO_FAILED;
	trace_note("before: the host's mounts, copied into our namespace, and our overlay");
	n_before = show_mounts("before", -1, &seen, &old, NULL, 0);

	/* <<< steps */
	/* 1. pivot_root wants the new root to be a mount point. */
	if (rootfs_bind_self(merged) == -1)
		return EXIT_DEMO_FAILED;
	/* 2. Into it, and swap: "." becomes "/", the old root sits on top. */
	if (TRACE(chdir(merged), "chdir", "%s", trace_str(merged)) == -1 ||
	    TRACE(syscall(SYS_pivot_root, ".", "."), "pivot_root", "\".\", \".\"") == -1)
		return EXIT_DEMO_FAILED;
	/* 3. A /proc of our own, in the new root, to look at the table. */
	if (rootfs_mount_proc("/") == -1)
		return EXIT_DEMO_FAILED;
	trace_note("in the middle: the old root (id %d) is still there, stacked on the new", old);
	n_middle = show_mounts("middle", old, &seen, NULL, NULL, 0);
	int seen_middle = seen;
	/* 4. Detach the old root and everything under it; back to "/". */
	if (TRACE(umount2(".", MNT_DETACH), "umount2", "\".\", %s", dec_umount(MNT_DETACH)) == -1 ||
	    TRACE(chdir("/"), "chdir", "\"/\"") == -1)
		return EXIT_DEMO_FAILED;
	/* >>> steps */
	trace_note("after: only the new root and its /proc");
	n_after = show_mounts("after", old, &seen, NULL, after, sizeof(after));

	trace_fact("pivot_old_root_id", "%d", old);
	trace_fact("pivot_mounts_before", "%d", n_before);
	trace_fact("pivot_mounts_middle", "%d", n_middle);
	trace_fact("pivot_mounts_after", "%d", n_after);
	trace_fact("pivot_mounts_after_list", "%s", after);
	trace_fact("pivot_old_root_present_middle", "%s", seen_middle ? "yes" : "no");
	trace_fact("pivot_old_root_present_after", "%s", seen ? "yes" : "no");
	printf("%-34s %d\n", "mounts before pivot_root", n_before);
	printf("%-34s %d\n", "after pivot_root, before umount2", n_middle);
	printf("%-34s %d (%s)\n", "after umount2 and a fresh /proc", n_after, after);
	printf("%-34s %s\n", "the old root's mount id", seen ? "still there" : "gone");
	fflush(stdout);
	return seen ? EXIT_DEMO_FAILED : EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "pivot",
    .synopsis = "[--image DIR]",
    .about = "pivot_root(\".\", \".\") into an overlay of the image in a private mount\n"
	     "namespace, step by step, with the mount table before, in the middle and\n"
	     "after: the old root and every host mount are gone. Needs root.",
    .look_for = "The mount id of \"/\" before; in the middle both roots; after, two mounts, and\n"
		"the old root's id nowhere.",
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
	const char *dirs[] = {"upper", "work", "merged", NULL};
	int status = rootfs_mkdirs(tmp, dirs) == 0 ? rootfs_run_isolated(child_main, NULL) : -1;
	return rootfs_demo_end(
	    tmp, status,
	    "After pivot_root and umount2(MNT_DETACH) nothing of the host is mounted in\n"
	    "the container's namespace: no path leads back. The host's mount table did\n"
	    "not change: every mount here was made in a private mount namespace.");
}
