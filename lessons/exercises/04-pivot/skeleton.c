/*
 * Exercise 04-pivot - a new root, and the old one gone.
 *
 * The program makes a tiny image in a temporary directory (root/, with
 * etc/motd and an empty proc/) and runs a child in a new mount namespace
 * (rootfs_run_isolated()), whose mounts it first makes private. The child
 * should make root/ its "/" the way a container runtime does. Missing:
 *
 *   TODO 1  root/ becomes something pivot_root(2) accepts;
 *   TODO 2  root/ becomes "/" of this mount namespace, each call on the trace;
 *   TODO 3  no path back to the old root, and the working directory inside.
 *           README.md has a hint for each: the man page, the effect.
 *
 * The program then mounts a fresh /proc in the new root and reads
 * /proc/self/mountinfo: only the new root and that /proc should be left,
 * and the old root's mount id nowhere. Everything is mounted in the
 * child's private mount namespace and goes with it; the temporary
 * directory is removed at the end.
 * Build and grade:  sudo make grade EX=04-pivot
 * Run it yourself:  sudo ./lessons/exercises/04-pivot/skeleton
 * Read:             pivot_root(2), umount2(2), mount_namespaces(7), 04-overlay-chroot/pivot.c.
 */
#include "01-namespaces/ns.h"
#include "04-overlay-chroot/rootfs.h"
#include "common/decode.h"
#include "common/procfs.h"
#include "common/err.h"
#include "common/trace.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MOTD "inside the new root\n"

static char dir[256], root[300];

/* The old root: its mount id, device and root within it. An id alone is
 * not enough: once the old root is gone, the next mount may get its id. */
static int old_id = -1;
static char old_dev[32], old_root[256];

/* Counts the mounts of /proc/self/mountinfo and lists their mount points;
 * the first time, notes "/" as the old root; later, says whether it is
 * still there. */
static int
read_mounts(int *old_seen, char *list, size_t size)
{
	static char text[1 << 16];
	int n = 0, first = old_id == -1;

	*old_seen = 0;
	list[0] = '\0';
	if (proc_read("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return -1;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;
		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		n++;
		if (!first && m.id == old_id && strcmp(m.devno, old_dev) == 0 &&
		    strcmp(m.root, old_root) == 0)
			*old_seen = 1;
		/* The last "/" is the one on top, the one in use. */
		if (first && strcmp(m.point, "/") == 0) {
			old_id = m.id;
			snprintf(old_dev, sizeof(old_dev), "%s", m.devno);
			snprintf(old_root, sizeof(old_root), "%s", m.root);
		}
		if (n <= 8)
			snprintf(list + strlen(list), size - strlen(list), "%s%s %s",
				 list[0] ? ", " : "", m.point, m.fstype);
	}
	return n;
}

static int
child_main(void *arg)
{
	char list[512], motd[64] = "";
	struct stat want, now;
	int seen;

	(void)arg;
	/* Not part of the exercise: whatever happens below stays in here. */
	if (ns_make_private() != 0 || stat(root, &want) != 0)
		return EXIT_DEMO_FAILED;
	int before = read_mounts(&seen, list, sizeof(list));
	trace_note("child: %d mounts, \"/\" is mount id %d", before, old_id);
	trace_fact("mounts_before", "%d", before);
	trace_fact("old_root_id", "%d", old_id);

	/* TODO 1: root becomes a mount point. */

	/* TODO 2: root becomes "/" (README.md). */

	/* TODO 3: detach the old root from "." and go to "/". */

	/* A safety net, not part of the exercise: /proc is mounted only in
	 * the new root, never over the host's. */
	int pivoted =
	    stat("/", &now) == 0 && now.st_dev == want.st_dev && now.st_ino == want.st_ino;
	trace_fact("pivoted", "%s", pivoted ? "yes" : "no");
	if (!pivoted) {
		trace_note("child: \"/\" is still the host's root: no /proc mounted (see TODO 2)");
		return EXIT_DEMO_FAILED;
	}
	if (rootfs_mount_proc("/") != 0)
		return EXIT_DEMO_FAILED;
	int after = read_mounts(&seen, list, sizeof(list));
	if (!proc_value("/etc/motd", motd, sizeof(motd)))
		err_print(); /* the fact below is "" then */
	trace_fact("mounts_after", "%d", after);
	trace_fact("mounts_after_list", "%s", list);
	trace_fact("old_root_present", "%s", seen ? "yes" : "no");
	trace_fact("motd", "%s", motd);
	printf("%-32s %d\n", "mounts before", before);
	printf("%-32s %d (%s)\n", "mounts after, with a fresh /proc", after, list);
	printf("%-32s %s\n", "the old root's mount id", seen ? "still there" : "gone");
	printf("%-32s %s\n", "/etc/motd says", motd);
	fflush(stdout);
	return !seen && strcmp(motd, "inside the new root") == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 04-pivot: pivot_root into an image and detach the old root.",
};

int
main(int argc, char **argv)
{
	const char *const dirs[] = {"root", "root/etc", "root/proc", NULL};
	char path[400];
	int status = -1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (rootfs_tmpdir("ex-pivot", dir, sizeof(dir)) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(path, sizeof(path), "%s/etc/motd", root);
	FILE *f = NULL;
	if (rootfs_mkdirs(dir, dirs) == 0 && (f = fopen(path, "we")) && fputs(MOTD, f) >= 0 &&
	    fclose(f) == 0) {
		f = NULL;
		status = rootfs_run_isolated(child_main, NULL);
	}
	if (f)
		fclose(f);
	if (rootfs_remove_tree(dir) != 0)
		err_print();
	return status == 0 && !rootfs_interrupted() ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
