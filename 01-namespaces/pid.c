/*
 * pid - a pid namespace gives a process its own process ids, starting at 1.
 *
 * The parent calls unshare(2) with CLONE_NEWPID: its own pid does not
 * change, only the namespace its next children are born in
 * (/proc/self/ns/pid_for_children). Its next child is pid 1 there and has
 * an ordinary pid outside. The child mounts a fresh /proc in a private mount
 * namespace and sees only its own processes, then shows what is special
 * about pid 1: an orphan is re-parented to it, and a signal it has no
 * handler for is dropped, whoever in the namespace sends it. Last, when pid
 * 1 exits, the kernel kills every other process of the namespace.
 *
 * System calls: unshare(2) with CLONE_NEWPID, clone(2) with CLONE_NEWNS,
 *               mount(2) (MS_REC|MS_PRIVATE, then proc), kill(2), wait4(2).
 * /proc:        /proc/PID/ns/pid and pid_for_children, the NSpid line of
 *               /proc/PID/status (the pid in each namespace), /proc itself.
 * Look for:     getpid() is the same before and after unshare; the child is
 *               1 inside and N outside; kill(1, SIGTERM) returns 0 and pid 1
 *               lives on; the sibling ends "killed by SIGKILL".
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

static int
grandchild_main(void *arg)
{
	struct ns_sync *sync = arg;

	ns_sync_in_child(sync);
	/* Our parent waits until we have looked: otherwise it may exit first
	 * and we would only ever see our new parent. */
	pid_t old_parent = getppid();
	ns_sync_tell(sync->to_parent[1], "");
	ns_sync_close(sync);
	/* Wait (at most 2 s) for our parent to exit; then we are an orphan. */
	for (int i = 0; i < 2000 && getppid() == old_parent; i++)
		usleep(1000);
	trace_note("grandchild: my parent was pid %d, now it is pid %d", (int)old_parent,
		   (int)getppid());
	trace_fact("orphan_new_parent", "%d", (int)getppid());
	return 0;
}

static int
middle_main(void *arg)
{
	struct ns_sync sync;
	char msg[8];

	(void)arg;
	if (ns_sync_init(&sync) == -1)
		return 1;
	/* Leave a child behind and exit, once it has seen us as its parent. */
	if (ns_clone(SIGCHLD, grandchild_main, &sync) == -1)
		return 1;
	ns_sync_in_parent(&sync);
	ns_sync_hear(sync.to_parent[0], msg, sizeof(msg));
	return 0;
}

/* <<< init */
static int
init_main(void *arg)
{
	struct ns_sync *sync = arg;
	char before[128], after[128], msg[160];
	int status;

	ns_sync_in_child(sync);
	trace_note("child: getpid() = %d; /proc is still the host's", (int)getpid());
	int n_before = list_pids(before, sizeof(before));
	/* Our own mount namespace, private first so the new /proc stays ours. */
	if (ns_make_private() == -1 || ns_mount_proc("/proc") == -1)
		return 1;
	int n_after = list_pids(after, sizeof(after));
	trace_note("child: /proc listed %d processes before the mount, %d after", n_before,
		   n_after);
	trace_fact("proc_pids_inside", "%s", after);
	proc_ns(0, "pid");

	/* An orphan goes to pid 1 of its namespace, not to the host's init. */
	trace_note("child: pid 2 starts pid 3 and exits; pid 3 is an orphan");
	pid_t middle = ns_clone(SIGCHLD, middle_main, NULL);
	if (middle == -1 || ns_wait(middle, &status) == -1)
		return 1;
	/* wait4(2) reaps only one's own children: pid 3 has become ours. */
	pid_t orphan = (pid_t)TRACE(wait4(-1, &status, 0, NULL), "wait4", "-1, &status, 0, NULL");
	if (orphan == -1)
		return 1;

	/* No handler for SIGTERM: the kernel drops it, even from ourselves. */
	if (TRACE(kill(1, SIGTERM), "kill", "1, SIGTERM") == -1)
		return 1;
	trace_note("child: still running after SIGTERM");
	snprintf(msg, sizeof(msg), "%d %d %s", (int)getpid(), (int)orphan, after);
	ns_sync_tell(sync->to_parent[1], msg);
	ns_sync_hear(sync->to_child[0], msg, sizeof(msg)); /* until the parent says so */
	return 0;
}
/* >>> init */

static int
sibling_main(void *arg)
{
	struct ns_sync *s = arg; /* [0]: pid 1's pipes, inherited; [1]: ours */
	char msg[32];

	/* Drop our copies of pid 1's pipe ends, so that pid 1 still sees end
	 * of file when the parent dies. */
	ns_sync_close(&s[0]);
	ns_sync_in_child(&s[1]);

	/* Another process of the namespace signals its pid 1. */
	long ret = TRACE(kill(1, SIGTERM), "kill", "1, SIGTERM");
	snprintf(msg, sizeof(msg), "%d %ld", (int)getpid(), ret);
	ns_sync_tell(s[1].to_parent[1], msg);
	for (;;)
		pause(); /* until pid 1 exits and takes us with it */
	return 0;	 /* not reached */
}

static const struct trace_prog prog = {
    .name = "pid",
    .synopsis = "",
    .about = "unshare(CLONE_NEWPID), then a child that is pid 1 of the new namespace:\n"
	     "its own /proc, orphans re-parented to it, SIGTERM ignored, and every\n"
	     "other process killed when it exits. Needs root (CAP_SYS_ADMIN).",
    .look_for = "Getpid() is the same before and after unshare; the child is 1 inside and N\n"
		"outside; kill(1, SIGTERM) returns 0 and pid 1 lives on; the sibling ends\n"
		"\"killed by SIGKILL\".",
};

int
main(int argc, char **argv)
{
	char parent_ns[64], children_ns[64], child_ns[64], msg[160], nspid[64], text[4096];
	char sib_msg[32], host_pids[128], inside_pids[128] = "";
	struct ns_sync sync, sib, both[2];
	int status, sib_status = 0, inside_pid = 0, orphan = 0, n_host = 0, sib_pid_inside = 0;
	long sib_kill = -1;
	const char *id;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'pid --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	/* <<< unshare */
	pid_t before = getpid();
	proc_ns(0, "pid");
	if (ns_unshare(CLONE_NEWPID) == -1)
		return EXIT_DEMO_FAILED;
	/* Same pid, same namespace: only pid_for_children changed. */
	trace_note("parent: getpid() = %d before unshare, %d after", (int)before, (int)getpid());
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "pid"));
	/* No pid 1 yet: the link cannot be read (ENOENT) until the first child. */
	trace_proc("/proc/self/ns/pid_for_children",
		   proc_ns_quiet(0, "pid_for_children") ? "?" : "ENOENT: no pid 1 yet");
	/* >>> unshare */
	trace_fact("caller_pid_unchanged", "%s", before == getpid() ? "yes" : "no");

	if (ns_sync_init(&sync) == -1 || ns_sync_init(&sib) == -1) {
		trace_fail("pipe2");
		return EXIT_DEMO_FAILED;
	}
	/* The first child is pid 1; CLONE_NEWNS so its /proc mount is its own. */
	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, init_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	id = proc_ns(0, "pid_for_children");
	snprintf(children_ns, sizeof(children_ns), "%s", id ? id : "?");
	ns_sync_in_parent(&sync);
	if (ns_sync_hear(sync.to_parent[0], msg, sizeof(msg)) > 0)
		sscanf(msg, "%d %d %127[^\n]", &inside_pid, &orphan, inside_pids);

	trace_note("parent: the child seen from outside");
	id = proc_ns(pid, "pid");
	snprintf(child_ns, sizeof(child_ns), "%s", id ? id : "?");
	if (proc_read(proc_path(text, sizeof(text), pid, "status"), text, sizeof(text)) > 0 &&
	    proc_parse_status(text, "NSpid", nspid, sizeof(nspid)) == 0)
		trace_proc("NSpid (outside, inside)", nspid);
	n_host = list_pids(host_pids, sizeof(host_pids));

	/* A second child lands in the same namespace, as pid 2 or more. */
	both[0] = sync;
	both[1] = sib;
	pid_t sib_pid = ns_clone(SIGCHLD, sibling_main, both);
	if (sib_pid == -1)
		goto out;
	ns_sync_in_parent(&sib);
	if (ns_sync_hear(sib.to_parent[0], sib_msg, sizeof(sib_msg)) > 0)
		sscanf(sib_msg, "%d %ld", &sib_pid_inside, &sib_kill);

	/* <<< zap */
	trace_note("parent: let pid 1 exit; the kernel kills the rest of its namespace");
	ns_sync_tell(sync.to_child[1], "exit");
	/* The sibling first: pid 1 cannot finish exiting while a process of its
	 * namespace is unreaped (kernel/pid_namespace.c, zap_pid_ns_processes). */
	if (ns_wait(sib_pid, &sib_status) == -1)
		goto out;
	/* >>> zap */
out:
	ns_sync_close(&sync);
	ns_sync_close(&sib);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;

	int differs = strcmp(parent_ns, child_ns) != 0;
	int sib_killed = WIFSIGNALED(sib_status) && WTERMSIG(sib_status) == SIGKILL;
	trace_fact("pid_ns_parent", "%s", parent_ns);
	trace_fact("pid_ns_child", "%s", child_ns);
	trace_fact("pid_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("pid_for_children_is_child_ns", "%s",
		   strcmp(children_ns, child_ns) == 0 ? "yes" : "no");
	trace_fact("pid_outside", "%d", (int)pid);
	trace_fact("pid_inside", "%d", inside_pid);
	trace_fact("sigterm_ignored_by_pid1", "%s",
		   sib_kill == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : "no");
	trace_fact("orphan_reaped_by_pid1", "%d", orphan);
	trace_fact("sibling_end", "%s", sib_killed ? "killed by SIGKILL" : "other");

	printf("%-22s %-22s %s\n", "", "outside (parent)", "inside (child)");
	printf("%-22s %-22d %d\n", "the child's pid", (int)pid, inside_pid);
	printf("%-22s %-22s %s\n", "/proc/PID/ns/pid", parent_ns, child_ns);
	printf("%-22s %-22d %s\n", "processes in /proc", n_host, inside_pids);
	printf("\nthe orphan pid %d was reaped by pid 1 (wait4 reaps only one's children).\n",
	       orphan);
	printf("kill(1, SIGTERM) from pid 1 and from pid %d: ignored, pid 1 %s.\n", sib_pid_inside,
	       WIFEXITED(status) ? "exited normally" : "was killed");
	printf("pid %d when pid 1 exited: %s.\n", sib_pid_inside,
	       sib_killed ? "killed by SIGKILL" : "not killed (unexpected)");
	return differs && inside_pid == 1 && sib_killed && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0
		   ? EXIT_DEMO_OK
		   : EXIT_DEMO_FAILED;
}
