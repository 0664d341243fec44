/*
 * uts - a UTS namespace gives a process its own hostname.
 *
 * The parent reads its hostname and UTS namespace, then clone(2)s a child
 * with CLONE_NEWUTS. The child starts with a copy of the parent's hostname
 * in a namespace of its own, sets a new one with sethostname(2), and
 * reports it. The parent shows both views side by side and checks that its
 * own hostname, the host's, did not change.
 *
 * System calls: clone(2) with CLONE_NEWUTS, sethostname(2), wait4(2).
 *               (ns_clone() and ns_wait() in ns.c make the first and the last.)
 * /proc:        /proc/PID/ns/uts of parent and child (namespaces(7));
 *               /proc/sys/kernel/hostname, which shows the hostname of the
 *               UTS namespace of whoever reads it.
 * Look for:     the two ns/uts links differ; the child's hostname is the new
 *               one; the parent's is what it was before.
 * Read:         uts_namespaces(7), namespaces(7), clone(2), sethostname(2).
 */
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *new_hostname = "lesson-01";

static const char *
read_hostname(char *buf, size_t size)
{
	/* Per UTS namespace: the file shows the reader's own hostname. */
	return proc_value("/proc/sys/kernel/hostname", buf, size);
}

/* <<< child */
static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char name[HOST_NAME_MAX + 2], ignored[2];

	ns_sync_in_child(sync);
	trace_note("child: a new UTS namespace, still holding a copy of the parent's hostname");
	if (!proc_ns(0, "uts"))
		err_print(); /* the demonstration goes on without it */
	if (TRACE(sethostname(new_hostname, strlen(new_hostname)), "sethostname", "%s, %zu",
		  trace_str(new_hostname), strlen(new_hostname)) == -1)
		return EXIT_DEMO_FAILED;
	if (!read_hostname(name, sizeof(name))) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	trace_fact("hostname_inside", "%s", name);
	ns_sync_tell(sync->to_parent[1], name);

	/* Stay alive, so the namespace exists while the parent looks at it:
	 * until the parent says so, or dies (Ctrl-C). */
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored));
	return EXIT_DEMO_OK;
}
/* >>> child */

static int
on_option(int opt, const char *arg)
{
	(void)opt;
	/* sethostname(2): at most HOST_NAME_MAX (64) bytes. */
	if (arg[0] == '\0' || strlen(arg) > HOST_NAME_MAX) {
		trace_error("--hostname '%s': expected 1 to %d characters", arg, HOST_NAME_MAX);
		return -1;
	}
	new_hostname = arg;
	return 0;
}

static const struct option options[] = {
    {"hostname", required_argument, NULL, 'n'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "uts",
    .synopsis = "[--hostname NAME]",
    .about = "Creates a child in a new UTS namespace, gives it its own hostname and shows\n"
	     "both views: the namespace ids differ, the host's hostname does not change.\n"
	     "Needs root (CAP_SYS_ADMIN) for clone(CLONE_NEWUTS).",
    .look_for = "The two ns/uts links differ; the child's hostname is the new one; the\n"
		"parent's is what it was before.",
    .options = "  --hostname NAME  the child's new hostname (default lesson-01)\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char before[HOST_NAME_MAX + 2], after[HOST_NAME_MAX + 2], inside[HOST_NAME_MAX + 2];
	char parent_ns[64], child_ns[64];
	struct ns_sync sync;
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'uts --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	trace_note("parent: its hostname and UTS namespace before");
	if (!read_hostname(before, sizeof(before)) || !proc_ns(0, "uts") ||
	    ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns_quiet(0, "uts"));

	/* <<< clone */
	/* CLONE_NEWUTS: the child gets a new UTS namespace, initialised with a
	 * copy of ours. SIGCHLD: tell us when it exits, as fork(2) does. */
	pid_t pid = ns_clone(CLONE_NEWUTS | SIGCHLD, child_main, &sync);
	/* >>> clone */
	if (pid == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	ns_sync_in_parent(&sync);

	/* Once the child reports, its hostname is set. */
	ns_sync_hear(sync.to_parent[0], inside, sizeof(inside));
	trace_note("parent: the child's namespace, seen from outside, and our hostname after");
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "uts") ?: err_print_as("?"));
	if (!read_hostname(after, sizeof(after))) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	ns_sync_close(&sync); /* let the child exit */
	if (ns_wait(pid, &status) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}

	printf("%-18s %-24s %s\n", "", "parent (host)", "child");
	printf("%-18s %-24s %s\n", "hostname", after, inside);
	printf("%-18s %-24s %s\n", "/proc/PID/ns/uts", parent_ns, child_ns);

	int ns_differs = strcmp(parent_ns, child_ns) != 0;
	int host_unchanged = strcmp(before, after) == 0;
	int set_inside = strcmp(inside, new_hostname) == 0;
	trace_fact("uts_ns_parent", "%s", parent_ns);
	trace_fact("uts_ns_child", "%s", child_ns);
	trace_fact("uts_ns_differs", "%s", ns_differs ? "yes" : "no");
	trace_fact("hostname_host_before", "%s", before);
	trace_fact("hostname_host_after", "%s", after);
	trace_fact("host_unchanged", "%s", host_unchanged ? "yes" : "no");

	if (!ns_differs || !host_unchanged || !set_inside || status != 0) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nThe child has a UTS namespace of its own: it calls itself \"%s\",\n"
	       "and the host is still \"%s\".\n",
	       inside, after);
	return EXIT_DEMO_OK;
}
