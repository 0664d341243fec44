/*
 * pid1 - pid 1 of a pid namespace is special: it reaps the orphans, the
 * kernel drops the signals it has no handler for, and it takes every other
 * process of its namespace with it when it exits.
 *
 * The parent calls unshare(2) with CLONE_NEWPID (pid.c shows what that
 * does), so that its next children are born in one new namespace. The first
 * is pid 1: it starts pid 2, which starts pid 3 and exits; pid 3, an orphan,
 * is re-parented to pid 1, which reaps it. Pid 1 then sends itself SIGTERM,
 * for which it has no handler, and lives on. A second child of the parent
 * lands in the same namespace as pid 4 and sends pid 1 SIGTERM too: nothing
 * happens. Last, pid 1 exits, and the kernel kills pid 4 with SIGKILL.
 *
 * System calls: unshare(2) with CLONE_NEWPID, clone(2), kill(2), wait4(2).
 * /proc:        /proc/PID/ns/pid.
 * Look for:     the grandchild's parent changes from 2 to 1; kill(1, SIGTERM)
 *               returns 0 and pid 1 lives on; pid 4 ends "killed by SIGKILL".
 * Read:         pid_namespaces(7) ("The namespace init process"), wait4(2),
 *               kill(2).
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "ns.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	char msg[32];
	int status;

	ns_sync_in_child(sync);
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
	snprintf(msg, sizeof(msg), "%d %d", (int)getpid(), (int)orphan);
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
    .name = "pid1",
    .synopsis = "",
    .about = "What is special about pid 1 of a pid namespace: orphans are re-parented to\n"
	     "it, a signal it has no handler for is dropped (SIGTERM, from itself or from\n"
	     "another process of the namespace), and every other process of the namespace\n"
	     "is killed when it exits. Needs root (CAP_SYS_ADMIN).",
    .look_for = "\"my parent was pid 2, now it is pid 1\"; kill(1, SIGTERM) = 0 and pid 1\n"
		"lives on; pid 4 ends \"killed by SIGKILL\".",
};

int
main(int argc, char **argv)
{
	char msg[32], sib_msg[32];
	struct ns_sync sync, sib, both[2];
	int status, sib_status = 0, inside_pid = 0, orphan = 0, sib_pid_inside = 0;
	long sib_kill = -1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'pid1 --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	/* Our next children are born in a new pid namespace (pid.c). */
	if (ns_unshare(CLONE_NEWPID) == -1)
		return EXIT_DEMO_FAILED;
	if (ns_sync_init(&sync) == -1 || ns_sync_init(&sib) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	pid_t pid = ns_clone(SIGCHLD, init_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_in_parent(&sync);
	if (ns_sync_hear(sync.to_parent[0], msg, sizeof(msg)) > 0)
		sscanf(msg, "%d %d", &inside_pid, &orphan);

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

	int pid1_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int sib_killed = WIFSIGNALED(sib_status) && WTERMSIG(sib_status) == SIGKILL;
	trace_fact("pid_inside", "%d", inside_pid);
	trace_fact("sigterm_ignored_by_pid1", "%s", sib_kill == 0 && pid1_ok ? "yes" : "no");
	trace_fact("orphan_reaped_by_pid1", "%d", orphan);
	trace_fact("sibling_end", "%s", sib_killed ? "killed by SIGKILL" : "other");

	printf("the orphan pid %d was reaped by pid 1 (wait4 reaps only one's children).\n",
	       orphan);
	printf("kill(1, SIGTERM) from pid 1 and from pid %d: ignored, pid 1 %s.\n", sib_pid_inside,
	       WIFEXITED(status) ? "exited normally" : "was killed");
	printf("pid %d when pid 1 exited: %s.\n", sib_pid_inside,
	       sib_killed ? "killed by SIGKILL" : "not killed (unexpected)");
	return inside_pid == 1 && sib_killed && pid1_ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
