/*
 * chroot - chroot(2) changes what "/" means for one process, and nothing
 * else.
 *
 * In a private mount namespace the program mounts an overlay of the image
 * (so the image is never written) and a procfs in it, then a child
 * chroot(2)s into it. Inside, "/" looks like a container's: busybox and the
 * image's /etc. But the procfs shows every process of the host (there is no
 * new pid namespace), and /proc/PID/root of any process outside, here the
 * program's own first process, leads straight back to the host's files:
 * the child finds the program's temporary directory there.
 *
 * System calls: clone(2) with CLONE_NEWNS, mount(2) (MS_REC|MS_PRIVATE,
 *               overlay, proc), chdir(2), chroot(2).
 * /proc:        /proc/PID/ns/pid inside and outside, /proc/1/comm,
 *               /proc/PID/root (proc(5): a magic link to a process's root).
 * Look for:     the image's files at "/"; the same pid namespace as the
 *               host; many pids; the host's /tmp reached through /proc/PID/root.
 * Read:         chroot(2) (NOTES), proc(5) (/proc/PID/root), pivot_root(2).
 */
#include "../01-namespaces/ns.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/err.h"
#include "rootfs.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char image[PATH_MAX], tmp[64], host_pid_ns[64];
static pid_t outside; /* the program's first process, never chrooted */

/* The names in DIR (digits only: the pids), joined; returns how many. */
static int
list(const char *dir, int digits, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	out[0] = '\0';
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || (digits && !isdigit((unsigned char)e->d_name[0])))
			continue;
		if (n++ < 12)
			snprintf(out + strlen(out), size - strlen(out), "%s%s", n > 1 ? " " : "",
				 e->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

/* <<< inside */
static int
prisoner(void *arg)
{
	const char *root = arg;
	char names[256], pids[256], comm[64] = "?", ident[128] = "?", via[PATH_MAX];

	if (rootfs_chroot(root) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	trace_note("inside the chroot: \"/\" is the image");
	list("/", 0, names, sizeof(names));
	/* Each read is shown, or why not, and the table shows "?" for it. */
	if (!proc_value("/etc/nutshell-image", ident, sizeof(ident)))
		err_print();
	/* The procfs mounted here shows the pid namespace of whoever mounted
	 * it: the host's. */
	int n = list("/proc", 1, pids, sizeof(pids));
	if (!proc_value("/proc/1/comm", comm, sizeof(comm)))
		err_print();
	const char *ns = proc_ns(0, "pid") ?: err_print_as(NULL);
	/* The root of a process outside the chroot: the host's "/". */
	snprintf(via, sizeof(via), "/proc/%d/root%s", (int)outside, tmp);
	int reached = access(via, F_OK) == 0;
	/* >>> inside */
	trace_fact("chroot_root_listing", "%s", names);
	trace_fact("chroot_image", "%s", ident);
	trace_fact("chroot_proc_pids", "%d", n);
	trace_fact("chroot_pid1_comm", "%s", comm);
	trace_fact("chroot_pid_ns_is_host", "%s",
		   ns && strcmp(ns, host_pid_ns) == 0 ? "yes" : "no");
	trace_fact("chroot_host_fs_via_proc", "%s", reached ? "yes" : "no");
	printf("%-30s %s\n", "ls /", names);
	printf("%-30s %s\n", "/etc/nutshell-image", ident);
	printf("%-30s %d (%s ...)\n", "processes in /proc", n, pids);
	printf("%-30s %s\n", "/proc/1/comm", comm);
	printf("%-30s %s (host: %s)\n", "pid namespace", ns ? ns : "?", host_pid_ns);
	printf("%-30s %s\n", via, reached ? "exists: the host's /tmp, reached from inside" : "-");
	fflush(stdout);
	return EXIT_DEMO_OK;
}

static int
setup_main(void *arg)
{
	char upper[128], work[128], merged[128];
	int status;

	(void)arg;
	snprintf(upper, sizeof(upper), "%s/upper", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	snprintf(merged, sizeof(merged), "%s/merged", tmp);
	struct rootfs_layers l = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (ns_make_private() == -1 || rootfs_mount_overlay(&l, merged) == -1 ||
	    rootfs_mount_proc(merged) == -1)
		return EXIT_DEMO_FAILED;
	fflush(stdout);
	pid_t pid = ns_clone(SIGCHLD, prisoner, merged);
	if (pid == -1 || ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;
	return status == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "chroot",
    .synopsis = "[--image DIR]",
    .about = "chroot(2)s a child into an overlay of the image with a procfs mounted in it:\n"
	     "\"/\" looks like a container's, but the processes are the host's and\n"
	     "/proc/PID/root leads back to the host's files. Needs root.",
    .look_for = "The image's files at \"/\"; the same pid namespace as the host; many pids; the\n"
		"host's /tmp reached through /proc/PID/root.",
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
	outside = getpid();
	snprintf(host_pid_ns, sizeof(host_pid_ns), "%s", proc_ns(0, "pid") ?: err_print_as("?"));
	const char *dirs[] = {"upper", "work", "merged", NULL};
	int status = rootfs_mkdirs(tmp, dirs) == 0 ? rootfs_run_isolated(setup_main, NULL) : -1;
	return rootfs_demo_end(
	    tmp, status,
	    "chroot changed what \"/\" means, nothing else: same processes, same pid\n"
	    "namespace, and a path back to the host through /proc. Lesson 01 isolates\n"
	    "what a process sees; pivot_root (./04-overlay-chroot/pivot) what it stands on.");
}
