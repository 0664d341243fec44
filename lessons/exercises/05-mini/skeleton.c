/*
 * Exercise 05-mini - a minimal container from the lessons' helpers.
 *
 * The program mounts an overlay of the default image (images/busybox) in a
 * temporary directory and starts a child that should become a container
 * and finally run `sh -c 'echo hello from $(hostname), pid $$'` in it. The
 * three steps that make it a container are missing:
 *
 *   TODO 1  the child has its own mounts, hostname, IPC, processes and network;
 *   TODO 2  merged/ becomes its root for good, no path back;
 *   TODO 3  only Docker's default capabilities stay, for good.
 *           README.md has a hint for each: the man page, the effect.
 *
 * The command should print "hello from mini, pid 1".
 * Build and grade:  sudo make grade EX=05-mini   (needs `make image` first)
 * Run it yourself:  sudo ./lessons/exercises/05-mini/skeleton
 * Read:             05-full-container/inside.c, the launcher's own version.
 */
#include "01-namespaces/ns.h"
#include "03-capabilities/caps.h"
#include "04-overlay-chroot/rootfs.h"
#include "common/procfs.h"
#include "common/err.h"
#include "common/trace.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const types[] = {"mnt", "uts", "ipc", "pid", "net"};
static char image[512], dir[256], upper[300], work[300], merged[300], parent_uts[64];

static int
child_main(void *arg)
{
	char key[32];
	struct caps_state st;

	(void)arg;
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		snprintf(key, sizeof(key), "child_ns_%s", types[i]);
		trace_fact(key, "%s", proc_ns_quiet(0, types[i]));
	}
	if (ns_make_private() != 0) {
		err_print(); /* in a chroot, it says so */
		return EXIT_DEMO_FAILED;
	}
	/* Not on the host's UTS namespace: that would rename your machine. */
	if (strcmp(proc_ns_quiet(0, "uts"), parent_uts) != 0 &&
	    TRACE(sethostname("mini", 4), "sethostname", "\"mini\", 4") != 0)
		return EXIT_DEMO_FAILED;
	struct rootfs_layers layers = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (rootfs_mount_overlay(&layers, merged) != 0 || rootfs_bind_self(merged) != 0)
		return EXIT_DEMO_FAILED;

	/* TODO 2: merged/ becomes "/", the old root detached. */

	if (access("/bin/busybox", X_OK) == 0 && rootfs_mount_proc("/") != 0)
		return EXIT_DEMO_FAILED;

	/* TODO 3: only caps_default()'s capabilities stay. */

	if (caps_show(0, &st) != 0)
		return EXIT_DEMO_FAILED;
	trace_fact("cap_sys_admin", "%s",
		   st.set[CAPS_EFFECTIVE] & (1ULL << CAP_SYS_ADMIN) ? "yes" : "no");
	trace_fact("host_dir_visible", "%s", access(dir, F_OK) == 0 ? "yes" : "no");
	fflush(stdout);
	char *const argv[] = {"sh", "-c", "echo hello from $(hostname), pid $$", NULL};
	TRACE(execv("/bin/sh", argv), "execve", "\"/bin/sh\", [\"sh\", \"-c\", ...]");
	trace_fail("execve /bin/sh");
	return 127;
}

/* The toolkit's images/busybox, found from where this program is. */
static int
find_image(void)
{
	char exe[400] = "", *cut;

	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0 ||
	    !(cut = strstr(exe, "/lessons/exercises/")))
		return err_set(ENOENT, "'%s': expected a program under lessons/exercises/", exe);
	*cut = '\0';
	snprintf(image, sizeof(image), "%s/images/busybox", exe);
	return 0;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 05-mini: namespaces, pivot_root and capabilities make a container.",
};

int
main(int argc, char **argv)
{
	char key[32];
	int status = -1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (find_image() != 0 || rootfs_check_image(image) != 0) {
		err_prefix("no image to stand on (run 'make image')");
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (rootfs_tmpdir("ex-mini", dir, sizeof(dir)) != 0) {
		trace_fail("mkdtemp");
		return EXIT_DEMO_FAILED;
	}
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	if (mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755))
		goto out;
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		snprintf(key, sizeof(key), "parent_ns_%s", types[i]);
		trace_fact(key, "%s", proc_ns_quiet(0, types[i]));
	}
	snprintf(parent_uts, sizeof(parent_uts), "%s", proc_ns_quiet(0, "uts"));
	fflush(stdout);

	/* TODO 1: a new namespace of each of the five kinds. */
	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, child_main, NULL);
	if (pid < 0)
		goto out;
	rootfs_guard_child(pid);
	ns_wait(pid, &status);
out:
	rootfs_remove_tree(dir);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
