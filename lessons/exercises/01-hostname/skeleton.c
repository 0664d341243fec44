/*
 * Exercise 01-hostname - give a child a hostname of its own.
 *
 * The program below starts a child with clone(2) and shows, side by side,
 * the UTS namespace and hostname of parent and child. It is missing the two
 * lines that are the point of lesson 01, step 1:
 *
 *   TODO 1  the child gets a UTS namespace of its own;
 *   TODO 2  the child names itself "exercise-01", and the trace shows the call.
 *           README.md has a hint for each: the man page, the effect.
 *
 * Build and grade:  sudo make grade EX=01-hostname
 * Run it yourself:  sudo ./lessons/exercises/01-hostname/skeleton
 * Read:             uts_namespaces(7), clone(2), sethostname(2).
 */
#include "01-namespaces/ns.h"
#include "common/procfs.h"
#include "common/trace.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *new_hostname = "exercise-01";
static char parent_ns[64]; /* the child gets a copy: clone without CLONE_VM */

static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char name[HOST_NAME_MAX + 2] = "?", ignored[2];

	ns_sync_in_child(sync);
	/* A safety net, not part of the exercise: in the parent's namespace
	 * sethostname would rename your machine. */
	const char *mine = proc_ns(0, "uts") ?: err_print_as(NULL);
	if (!mine || strcmp(mine, parent_ns) == 0) {
		trace_note("child: still in the parent's UTS namespace: hostname left alone "
			   "(see TODO 1)");
	} else {
		/* TODO 2: the new name, on the trace (README.md). */
	}
	if (!proc_value("/proc/sys/kernel/hostname", name, sizeof(name)))
		err_print(); /* and the name stays "?" */
	trace_fact("hostname_inside", "%s", name);
	ns_sync_tell(sync->to_parent[1], name);
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored)); /* until the parent is done */
	return EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 01-hostname: a child in a new UTS namespace sets its own hostname.",
};

int
main(int argc, char **argv)
{
	char before[HOST_NAME_MAX + 2], after[HOST_NAME_MAX + 2], inside[HOST_NAME_MAX + 2];
	char child_ns[64];
	struct ns_sync sync;
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (!proc_value("/proc/sys/kernel/hostname", before, sizeof(before)) ||
	    !proc_ns(0, "uts") || ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns_quiet(0, "uts"));

	/* TODO 1: the flags ask for nothing new yet. */
	pid_t pid = ns_clone(SIGCHLD, child_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_in_parent(&sync);
	ns_sync_hear(sync.to_parent[0], inside, sizeof(inside));
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "uts") ?: err_print_as("?"));
	if (!proc_value("/proc/sys/kernel/hostname", after, sizeof(after))) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;

	printf("%-18s %-24s %s\n", "", "parent (host)", "child");
	printf("%-18s %-24s %s\n", "hostname", after, inside);
	printf("%-18s %-24s %s\n", "/proc/PID/ns/uts", parent_ns, child_ns);

	int differs = strcmp(parent_ns, child_ns) != 0;
	int unchanged = strcmp(before, after) == 0;
	trace_fact("uts_ns_parent", "%s", parent_ns);
	trace_fact("uts_ns_child", "%s", child_ns);
	trace_fact("uts_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("hostname_host_before", "%s", before);
	trace_fact("host_unchanged", "%s", unchanged ? "yes" : "no");
	if (!differs || !unchanged || strcmp(inside, new_hostname) != 0 || status != 0) {
		printf("\nNot yet: see the TODOs.\n");
		return EXIT_DEMO_FAILED;
	}
	printf("\nThe child calls itself \"%s\"; the host is still \"%s\".\n", inside, after);
	return EXIT_DEMO_OK;
}
