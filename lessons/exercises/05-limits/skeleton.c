/*
 * Exercise 05-limits - a minimal container with a pids limit.
 *
 * The container of exercise 05-mini, done: five new namespaces, an overlay
 * of images/busybox made the root with rootfs_pivot(), only Docker's
 * default capabilities. This one also gets a cgroup, as `nutshell run
 * --pids` gives it: the parent makes the cgroup with cg_create() and
 * starts the child, which waits until the parent says go. Missing:
 *
 *   TODO 1  the container holds at most 4 processes;
 *   TODO 2  the child is in the cgroup before it runs anything.
 *           README.md has a hint for each: the man page, the effect.
 *
 * Inside, the container's pid 1 then tries fork(2) 8 times (each child
 * waits until pid 1 lets it go): 3 should work, 5 fail with EAGAIN, and
 * it runs `sh -c 'echo hello from $(hostname), pid $$'` after. Without the
 * limit all 8 forks work - harmless, and the grader says so. The cgroup is
 * removed at the end, and the container has at most 30 s.
 * Build and grade:  sudo make grade EX=05-limits   (needs `make image` first)
 * Run it yourself:  sudo ./lessons/exercises/05-limits/skeleton
 * Read:             05-full-container/nutshell.c (step 5), 02-cgroups/pids.c.
 */
#include "01-namespaces/ns.h"
#include "02-cgroups/cgroup.h"
#include "03-capabilities/caps.h"
#include "04-overlay-chroot/rootfs.h"
#include "common/procfs.h"
#include "common/err.h"
#include "common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRIES 8

static const char *const types[] = {"mnt", "uts", "ipc", "pid", "net"};
static char image[512], dir[256], upper[300], work[300], merged[300], parent_uts[64];
static char cg_name[64];

/* The container's pid 1 forks TRIES times; each child waits on a pipe
 * until pid 1 closes it. Then all are reaped, so the command has room. */
static void
try_forks(char *msg, size_t size)
{
	pid_t kids[TRIES];
	int gate[2], ok = 0, eagain = 0, other = 0;

	if (pipe2(gate, O_CLOEXEC) != 0)
		return;
	for (int i = 0; i < TRIES; i++) {
		trace_begin("clone", "child_stack=NULL, "
				     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(gate[1]);
			(void)!read(gate[0], &c, 1); /* ends when pid 1 closes the pipe */
			_exit(0);
		}
		trace_end(pid);
		if (pid > 0)
			kids[ok++] = pid;
		else if (errno == EAGAIN)
			eagain++;
		else
			other++;
	}
	close(gate[1]);
	close(gate[0]);
	for (int i = 0; i < ok; i++)
		waitpid(kids[i], NULL, 0);
	trace_fact("forks_ok", "%d", ok);
	trace_fact("forks_eagain", "%d", eagain);
	trace_fact("forks_other", "%d", other);
	printf("inside: %d forks worked, %d failed with EAGAIN, %d otherwise\n", ok, eagain, other);
	snprintf(msg, size, "%d %d %d", ok, eagain, other);
}

static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char key[32], text[1024], go[8] = "", msg[48] = "";

	ns_sync_in_child(sync);
	/* Wait for the parent: nothing runs before it had its chance to
	 * put us into the cgroup. */
	if (ns_sync_hear(sync->to_child[0], go, sizeof(go)) <= 0)
		return EXIT_DEMO_FAILED;
	alarm(30);
	proc_read("/proc/self/cgroup", text, sizeof(text));
	trace_fact("child_in_cgroup", "%s", strstr(text, cg_name) ? "yes" : "no");
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
	    TRACE(sethostname("limits", 6), "sethostname", "\"limits\", 6") != 0)
		return EXIT_DEMO_FAILED;
	struct rootfs_layers layers = {.lower = {image}, .nlower = 1, .upper = upper, .work = work};
	if (rootfs_mount_overlay(&layers, merged) != 0 || rootfs_bind_self(merged) != 0 ||
	    rootfs_pivot(merged) != 0 || rootfs_mount_proc("/") != 0)
		return EXIT_DEMO_FAILED;
	cap_value_t keep[64];
	int n = caps_default(keep, 64);
	if (n < 0 || caps_keep_only(keep, (size_t)n) != 0)
		return EXIT_DEMO_FAILED;

	try_forks(msg, sizeof(msg));
	ns_sync_tell(sync->to_parent[1], msg); /* the pipes close on execve */
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
    .about = "Exercise 05-limits: a minimal container whose cgroup allows 4 processes.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"pids", NULL};
	char key[32], msg[48] = "";
	struct cg_layout l;
	struct ns_sync sync;
	struct cg cg;
	int status = -1, have_cg = 0, ok = 0, eagain = 0;

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
	if (rootfs_tmpdir("ex-limits", dir, sizeof(dir)) != 0) {
		trace_fail("mkdtemp");
		return EXIT_DEMO_FAILED;
	}
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	if (mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755) ||
	    ns_sync_init(&sync) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		snprintf(key, sizeof(key), "parent_ns_%s", types[i]);
		trace_fact(key, "%s", proc_ns_quiet(0, types[i]));
	}
	snprintf(parent_uts, sizeof(parent_uts), "%s", proc_ns_quiet(0, "uts"));
	snprintf(cg_name, sizeof(cg_name), "nutshell-ex-limits-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, cg_name, want) != 0) {
		err_print();
		goto out;
	}
	have_cg = 1;

	/* TODO 1: pids.max = 4 */

	fflush(stdout);
	unsigned long flags =
	    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;
	pid_t pid = ns_clone(flags | SIGCHLD, child_main, &sync);
	if (pid < 0)
		goto out;
	rootfs_guard_child(pid);
	ns_sync_in_parent(&sync);

	/* TODO 2: the child into the cgroup, while it waits. */

	ns_sync_tell(sync.to_child[1], "go");
	if (ns_sync_hear(sync.to_parent[0], msg, sizeof(msg)) > 0)
		sscanf(msg, "%d %d", &ok, &eagain);
	ns_sync_close(&sync);
	ns_wait(pid, &status);
	if (ok != 3 || eagain != TRIES - 3) {
		printf("\nNot yet: see the TODOs.\n");
		status = -1;
	}
out:
	if (have_cg) {
		cg_kill(&cg);
		if (cg_remove(&cg) != 0)
			trace_fail("removing the cgroup"), status = -1;
	}
	rootfs_remove_tree(dir);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
