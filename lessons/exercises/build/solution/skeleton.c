/*
 * Exercise build - one small container, grown across the five lessons.
 * (The reference solution: the five stages done.)
 *
 * The program mounts an overlay of the default image (images/busybox) in a
 * temporary directory, makes a cgroup, and starts a child in a new mount
 * namespace that finally runs
 *
 *	sh -c 'echo hello from $(hostname), pid $$; test "$(cat /proc/1/comm)" = sh && exit 3'
 *
 * which exits 3 when the /proc it sees is its own pid namespace's (pid 1 is
 * that sh), and the program should exit with that command's status. After each lesson, do its stage
 * (README.md has a hint for each, not the answer):
 *
 *   STAGE 1 (lesson 01)  a hostname and pid 1 of its own
 *   STAGE 2 (lesson 02)  at most 16 processes and 64 MiB
 *   STAGE 3 (lesson 03)  root without the capabilities a container must not hold
 *   STAGE 4 (lesson 04)  the image as its root, the host's tree out of reach
 *   STAGE 5 (lesson 05)  a /proc of its own, and its exit status passed on
 *
 * Grade:  sudo make grade EX=build   (needs `make image` first); a stage you
 * have not reached yet fails with its hint, the ones before should pass.
 * Run:    sudo ./lessons/exercises/build/skeleton
 */
#include "01-namespaces/ns.h"
#include "02-cgroups/cgroup.h"
#include "03-capabilities/caps.h"
#include "04-overlay-chroot/rootfs.h"
#include "common/err.h"
#include "common/procfs.h"
#include "common/trace.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char image[512], dir[256], upper[300], work[300], merged[300], parent_uts[64];
static struct cg cg;

/* The facts the grader reads: what the child really got. */
static void
report(void)
{
	char self[512] = "";
	struct caps_state st;

	trace_fact("child_ns_uts", "%s", proc_ns_quiet(0, "uts"));
	trace_fact("child_ns_pid", "%s", proc_ns_quiet(0, "pid"));
	if (proc_read("/proc/self/cgroup", self, sizeof(self)) < 0)
		self[0] = '\0';
	trace_fact("child_in_cgroup", "%s", strstr(self, cg.name) ? "yes" : "no");
	if (caps_show(0, &st) == 0)
		trace_fact("cap_sys_admin", "%s",
			   st.set[CAPS_EFFECTIVE] & (1ULL << CAP_SYS_ADMIN) ? "yes" : "no");
	trace_fact("host_dir_visible", "%s", access(dir, F_OK) == 0 ? "yes" : "no");
}

static int
child_main(void *arg)
{
	(void)arg;
	/* STAGE 2, done: in the cgroup before anything is charged elsewhere. */
	if (cg_join(&cg) != 0)
		return EXIT_DEMO_FAILED;

	if (ns_make_private() != 0) {
		err_print(); /* in a chroot, it says so */
		return EXIT_DEMO_FAILED;
	}
	/* Not on the host's UTS namespace: that would rename your machine. */
	if (strcmp(proc_ns_quiet(0, "uts"), parent_uts) != 0 &&
	    TRACE(sethostname("build", 5), "sethostname", "\"build\", 5") != 0)
		return EXIT_DEMO_FAILED;
	struct rootfs_layers layers = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (rootfs_mount_overlay(&layers, merged) != 0 || rootfs_bind_self(merged) != 0)
		return EXIT_DEMO_FAILED;

	/* STAGE 4, done: the image is "/", the old root detached. */
	if (rootfs_pivot(merged) != 0)
		return EXIT_DEMO_FAILED;

	/* STAGE 5, done: a /proc for the new pid namespace. */
	if (rootfs_mount_proc("/") != 0)
		return EXIT_DEMO_FAILED;

	/* STAGE 3, done: Docker's default capabilities, nothing more. */
	cap_value_t keep[64];
	int n = caps_default(keep, 64);
	if (n < 0 || caps_keep_only(keep, (size_t)n) != 0)
		return EXIT_DEMO_FAILED;

	report();
	fflush(stdout);
	char *const argv[] = {"sh", "-c",
			      "echo hello from $(hostname), pid $$; "
			      "test \"$(cat /proc/1/comm)\" = sh && exit 3",
			      NULL};
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
		return -1;
	*cut = '\0';
	snprintf(image, sizeof(image), "%s/images/busybox", exe);
	return 0;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise build: one container grown across the five lessons.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"pids", "memory", NULL};
	char name[64], text[64];
	struct cg_layout l;
	int status = -1, code = EXIT_DEMO_FAILED;

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
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (rootfs_tmpdir("ex-build", dir, sizeof(dir)) != 0) {
		trace_fail("mkdtemp");
		return EXIT_DEMO_FAILED;
	}
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	snprintf(name, sizeof(name), "nutshell-ex-build-%d", (int)getpid());
	if (mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755)) {
		trace_fail("mkdir in the temporary directory");
		rootfs_remove_tree(dir);
		return EXIT_DEMO_FAILED;
	}
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		rootfs_remove_tree(dir);
		return EXIT_DEMO_FAILED;
	}
	trace_fact("parent_ns_uts", "%s", proc_ns_quiet(0, "uts"));
	trace_fact("parent_ns_pid", "%s", proc_ns_quiet(0, "pid"));
	snprintf(parent_uts, sizeof(parent_uts), "%s", proc_ns_quiet(0, "uts"));

	/* STAGE 2, done: a fork bomb or a memory hog stops at the cgroup. */
	if (cg_set(&cg, "pids.max", "16") != 0 || cg_set(&cg, "memory.max", "64M") != 0) {
		err_print();
		goto out;
	}
	if (cg_read(&cg, "pids.max", text, sizeof(text)) == 0)
		trace_fact("pids_max", "%.*s", (int)strcspn(text, "\n"), text);
	if (cg_read(&cg, "memory.max", text, sizeof(text)) == 0)
		trace_fact("memory_max", "%.*s", (int)strcspn(text, "\n"), text);
	fflush(stdout);

	/* STAGE 1, done: a hostname, pid 1, IPC and network of its own. */
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;
	pid_t pid = ns_clone(flags | SIGCHLD, child_main, NULL);
	if (pid < 0)
		goto out;
	rootfs_guard_child(pid);
	ns_wait(pid, &status);

	/* STAGE 5, done: the command's status is ours, as with nutshell run. */
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	trace_fact("command_status", "%d", code);
out:
	cg_kill(&cg);
	if (cg_remove(&cg) != 0)
		trace_fail("removing the cgroup");
	rootfs_remove_tree(dir);
	return code;
}
