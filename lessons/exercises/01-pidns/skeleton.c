/*
 * Exercise 01-pidns - pid 1 of a new pid namespace, with a /proc of its own.
 *
 * The program starts a child with clone(2); the child counts the processes
 * it sees in /proc and tells the parent its pid. The parent shows, side by
 * side, the child's pid outside and inside and its pid and mount
 * namespaces. Missing, the two steps of lesson 01, step 6:
 *
 *   TODO 1  the child is pid 1 of its own pid namespace, with mounts of its own;
 *   TODO 2  the child's /proc shows its own processes, and the host never sees that mount.
 *           README.md has a hint for each: the man page, the effect.
 *
 * The child should be pid 1 and see one process in /proc: itself. The
 * host's /proc stays as it was: the new one is mounted in the child's
 * mount namespace and goes with it.
 * Build and grade:  sudo make grade EX=01-pidns
 * Run it yourself:  sudo ./lessons/exercises/01-pidns/skeleton
 * Read:             pid_namespaces(7), mount_namespaces(7), proc(5).
 */
#include "01-namespaces/ns.h"
#include "common/procfs.h"
#include "common/trace.h"

#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char parent_mnt[64]; /* the child gets a copy: clone without CLONE_VM */

/* How many processes /proc lists: its all-digit entries. */
static int
count_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* What the host's mount table must keep: how many proc mounts it has and
 * the propagation of "/" ("shared:1", or "" when private). */
static void
host_mounts(char *out, size_t size)
{
	static char text[1 << 16];
	int procs = 0;
	char root[64] = "?";

	if (proc_read("/proc/self/mountinfo", text, sizeof(text)) < 0) {
		snprintf(out, size, "?");
		return;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;
		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		if (strcmp(m.fstype, "proc") == 0)
			procs++;
		if (strcmp(m.point, "/") == 0)
			snprintf(root, sizeof(root), "%s", m.optional[0] ? m.optional : "private");
	}
	snprintf(out, size, "%d proc mounts, / %s", procs, root);
}

static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char msg[64], ignored[2];

	ns_sync_in_child(sync);
	/* A safety net, not part of the exercise: in the parent's mount
	 * namespace a private "/" and a new /proc would be the host's. */
	const char *mine = proc_ns_quiet(0, "mnt");
	if (!mine || strcmp(mine, parent_mnt) == 0) {
		trace_note("child: still in the parent's mount namespace: nothing mounted "
			   "(see TODO 1)");
	} else {
		/* TODO 2: a /proc of our own, not seen on the host
		 * (README.md); EXIT_DEMO_FAILED when a step fails. */
	}
	int n = count_pids();
	trace_note("child: getpid() = %d; processes in /proc: %d", (int)getpid(), n);
	snprintf(msg, sizeof(msg), "%d %d", (int)getpid(), n);
	ns_sync_tell(sync->to_parent[1], msg);
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored)); /* until the parent is done */
	return EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 01-pidns: a child is pid 1 of a new pid namespace, with its own /proc.",
};

int
main(int argc, char **argv)
{
	char parent_pid[64], child_pid[64] = "?", child_mnt[64] = "?", msg[64] = "";
	char before[128], after[128];
	int status = -1, inside = 0, procs = 0;
	struct ns_sync sync;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (!proc_ns(0, "pid") || !proc_ns(0, "mnt") || ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(parent_pid, sizeof(parent_pid), "%s", proc_ns_quiet(0, "pid"));
	snprintf(parent_mnt, sizeof(parent_mnt), "%s", proc_ns_quiet(0, "mnt"));
	host_mounts(before, sizeof(before));
	int host_procs = count_pids();

	/* TODO 1: the flags ask for nothing new yet. */
	pid_t pid = ns_clone(SIGCHLD, child_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_in_parent(&sync);
	if (ns_sync_hear(sync.to_parent[0], msg, sizeof(msg)) > 0)
		sscanf(msg, "%d %d", &inside, &procs);
	snprintf(child_pid, sizeof(child_pid), "%s", proc_ns(pid, "pid") ?: err_print_as("?"));
	snprintf(child_mnt, sizeof(child_mnt), "%s", proc_ns(pid, "mnt") ?: err_print_as("?"));
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;
	host_mounts(after, sizeof(after));

	printf("%-20s %-24s %s\n", "", "outside (parent)", "inside (child)");
	printf("%-20s %-24d %d\n", "the child's pid", (int)pid, inside);
	printf("%-20s %-24d %d\n", "processes in /proc", host_procs, procs);
	printf("%-20s %-24s %s\n", "/proc/PID/ns/pid", parent_pid, child_pid);
	printf("%-20s %-24s %s\n", "/proc/PID/ns/mnt", parent_mnt, child_mnt);
	printf("%-20s %s\n", "host mounts before", before);
	printf("%-20s %s\n", "host mounts after", after);

	int pid_differs = strcmp(parent_pid, child_pid) != 0;
	int mnt_differs = strcmp(parent_mnt, child_mnt) != 0;
	int unchanged = strcmp(before, after) == 0;
	trace_fact("pid_ns_parent", "%s", parent_pid);
	trace_fact("pid_ns_child", "%s", child_pid);
	trace_fact("pid_ns_differs", "%s", pid_differs ? "yes" : "no");
	trace_fact("mnt_ns_differs", "%s", mnt_differs ? "yes" : "no");
	trace_fact("pid_outside", "%d", (int)pid);
	trace_fact("pid_inside", "%d", inside);
	trace_fact("procs_inside", "%d", procs);
	trace_fact("procs_host", "%d", host_procs);
	trace_fact("host_mounts_before", "%s", before);
	trace_fact("host_mounts_after", "%s", after);
	trace_fact("host_mounts_unchanged", "%s", unchanged ? "yes" : "no");
	if (!pid_differs || !mnt_differs || !unchanged || inside != 1 || procs != 1 ||
	    status != 0) {
		printf("\nNot yet: see the TODOs.\n");
		return EXIT_DEMO_FAILED;
	}
	printf("\nInside, the child is pid 1 and alone in its /proc; outside it is pid %d.\n",
	       (int)pid);
	return EXIT_DEMO_OK;
}
