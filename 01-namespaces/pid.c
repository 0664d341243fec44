/*
 * pid - a pid namespace gives a process its own process ids, starting at 1.
 *
 * The parent calls unshare(2) with CLONE_NEWPID: its own pid does not
 * change, only the namespace its next children are born in
 * (/proc/self/ns/pid_for_children). Its next child is pid 1 there and has
 * an ordinary pid outside. The child mounts a fresh /proc in a private mount
 * namespace and sees only its own processes. What is special about pid 1
 * itself is the next program's (pid1.c).
 *
 * System calls: unshare(2) with CLONE_NEWPID, clone(2) with CLONE_NEWNS,
 *               mount(2) (MS_REC|MS_PRIVATE, then proc), wait4(2).
 * /proc:        /proc/PID/ns/pid and pid_for_children, the NSpid line of
 *               /proc/PID/status (the pid in each namespace), /proc itself.
 * Look for:     getpid() is the same before and after unshare; the child is
 *               1 inside and N outside; /proc lists 1 process inside.
 * Read:         pid_namespaces(7), unshare(2), proc(5), mount_namespaces(7).
 */
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many processes /proc lists, and the first few of their pids. */
static int
list_pids(char *out, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	out[0] = '\0';
	while (d && (e = readdir(d)) != NULL)
		if (isdigit((unsigned char)e->d_name[0]) && n++ < 8)
			snprintf(out + strlen(out), size - strlen(out), "%s%s", n > 1 ? " " : "",
				 e->d_name);
	if (d)
		closedir(d);
	return n;
}

/* The namespace link of PID (0: ourselves) into BUF, "?" when unreadable
 * (said once): proc_ns() returns NULL then, and "%s" of NULL is undefined. */
static const char *
ns_id(pid_t pid, const char *ns, char *buf, size_t size)
{
	snprintf(buf, size, "%s", proc_ns(pid, ns) ?: err_print_as("?"));
	return buf;
}

/* <<< child */
static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char before[128], after[128], msg[160];

	ns_sync_in_child(sync);
	trace_note("child: getpid() = %d; /proc is still the host's", (int)getpid());
	int n_before = list_pids(before, sizeof(before));
	/* Our own mount namespace, private first so the new /proc stays ours. */
	if (ns_make_private() == -1 || ns_mount_proc("/proc") == -1) {
		err_print();
		return 1;
	}
	int n_after = list_pids(after, sizeof(after));
	trace_note("child: /proc listed %d processes before the mount, %d after", n_before,
		   n_after);
	trace_fact("proc_pids_inside", "%s", after);
	if (!proc_ns(0, "pid"))
		err_print(); /* shown, not needed */
	snprintf(msg, sizeof(msg), "%d %s", (int)getpid(), after);
	ns_sync_tell(sync->to_parent[1], msg);
	ns_sync_hear(sync->to_child[0], msg, sizeof(msg)); /* until the parent has looked */
	return 0;
}
/* >>> child */

static const struct trace_prog prog = {
    .name = "pid",
    .synopsis = "",
    .about = "unshare(CLONE_NEWPID), then a child that is pid 1 of the new namespace and\n"
	     "has another pid outside; it mounts its own /proc and sees only itself.\n"
	     "Needs root (CAP_SYS_ADMIN).",
    .look_for = "getpid() is the same before and after unshare; the child is 1 inside and N\n"
		"outside (the NSpid line shows both); /proc lists 1 process inside.",
};

int
main(int argc, char **argv)
{
	char parent_ns[64], children_ns[64], child_ns[64], msg[160], nspid[64], text[4096];
	char host_pids[128], inside_pids[128] = "";
	struct ns_sync sync;
	int status, inside_pid = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'pid --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	/* <<< unshare */
	pid_t before = getpid();
	if (!proc_ns(0, "pid"))
		err_print(); /* shown, not needed */
	if (ns_unshare(CLONE_NEWPID) == -1)
		return EXIT_DEMO_FAILED;
	/* Same pid, same namespace: only pid_for_children changed. */
	trace_note("parent: getpid() = %d before unshare, %d after", (int)before, (int)getpid());
	ns_id(0, "pid", parent_ns, sizeof(parent_ns));
	/* No pid 1 yet: the link cannot be read (ENOENT) until the first child. */
	trace_proc("/proc/self/ns/pid_for_children",
		   proc_ns_quiet(0, "pid_for_children") ? "?" : "ENOENT: no pid 1 yet");
	/* >>> unshare */
	trace_fact("caller_pid_unchanged", "%s", before == getpid() ? "yes" : "no");

	if (ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* The first child is pid 1; CLONE_NEWNS so its /proc mount is its own. */
	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, child_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_id(0, "pid_for_children", children_ns, sizeof(children_ns));
	ns_sync_in_parent(&sync);
	if (ns_sync_hear(sync.to_parent[0], msg, sizeof(msg)) > 0)
		sscanf(msg, "%d %127[^\n]", &inside_pid, inside_pids);

	trace_note("parent: the child seen from outside");
	ns_id(pid, "pid", child_ns, sizeof(child_ns));
	if (proc_read(proc_path(text, sizeof(text), pid, "status"), text, sizeof(text)) > 0 &&
	    proc_parse_status(text, "NSpid", nspid, sizeof(nspid)) == 0)
		trace_proc("NSpid (outside, inside)", nspid);
	int n_host = list_pids(host_pids, sizeof(host_pids));
	ns_sync_tell(sync.to_child[1], "done");
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;

	int differs = strcmp(parent_ns, child_ns) != 0;
	trace_fact("pid_ns_parent", "%s", parent_ns);
	trace_fact("pid_ns_child", "%s", child_ns);
	trace_fact("pid_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("pid_for_children_is_child_ns", "%s",
		   strcmp(children_ns, child_ns) == 0 ? "yes" : "no");
	trace_fact("pid_outside", "%d", (int)pid);
	trace_fact("pid_inside", "%d", inside_pid);

	printf("%-22s %-22s %s\n", "", "outside (parent)", "inside (child)");
	printf("%-22s %-22d %d\n", "the child's pid", (int)pid, inside_pid);
	printf("%-22s %-22s %s\n", "/proc/PID/ns/pid", parent_ns, child_ns);
	printf("%-22s %-22d %s\n", "processes in /proc", n_host, inside_pids);
	return differs && inside_pid == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0
		   ? EXIT_DEMO_OK
		   : EXIT_DEMO_FAILED;
}
