/*
 * ipc - an IPC namespace gives a process its own System V IPC objects and
 *       POSIX message queues.
 *
 * The parent creates a System V shared memory segment (by key) and a POSIX
 * message queue (by name) in its IPC namespace, then clone(2)s a child with
 * CLONE_NEWIPC. The child looks both up and finds nothing: shmget(2) and
 * mq_open(3) fail with ENOENT. It creates its own pair under new names, and
 * the parent in turn cannot find those. The parent removes what it made;
 * the child's objects go with its namespace when it exits.
 *
 * System calls: clone(2) with CLONE_NEWIPC, shmget(2), shmctl(2) IPC_RMID,
 *               mq_open(2), mq_unlink(2), wait4(2).
 * /proc:        /proc/PID/ns/ipc; /proc/sysvipc/shm, which lists the
 *               segments of the reader's IPC namespace.
 * Look for:     the keys and names found on one side are ENOENT on the other;
 *               `ipcs -m` before and after shows the host unchanged.
 * Read:         ipc_namespaces(7), sysvipc(7), mq_overview(7), shmget(2).
 */
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

/* Names from our pid, so that two runs, or anything else, do not collide.
 * The kernel's mq_open takes the name without glibc's leading '/'. */
static key_t key_out, key_in;
static char mq_out[64], mq_in[64];
static int shm_id = -1, mq_made;

static int
shm_get(key_t key, int flags)
{
	/* 0 looks a key up; IPC_CREAT|IPC_EXCL makes a new segment or fails. */
	return (int)TRACE(shmget(key, 4096, flags), "shmget", "%#x, 4096, %s", (unsigned)key,
			  flags ? "IPC_CREAT|IPC_EXCL|0600" : "0");
}

/* mq_open, then closed at once: only the name matters here. */
static int
mq_make(const char *name, int flags)
{
	mqd_t q = (mqd_t)TRACE(mq_open(name, flags, 0600, NULL), "mq_open", "%s, %s%s",
			       trace_str(name + 1), dec_open((unsigned long)flags),
			       flags & O_CREAT ? ", 0600, NULL" : "");
	if (q == (mqd_t)-1)
		return -1;
	mq_close(q);
	return 0;
}

/* Removes what the parent made; also from a signal handler (no tracing). */
static void
cleanup(int traced)
{
	if (shm_id != -1 && traced)
		TRACE(shmctl(shm_id, IPC_RMID, NULL), "shmctl", "%d, IPC_RMID, NULL", shm_id);
	else if (shm_id != -1)
		shmctl(shm_id, IPC_RMID, NULL);
	if (mq_made && traced)
		TRACE(mq_unlink(mq_out), "mq_unlink", "%s", trace_str(mq_out + 1));
	else if (mq_made)
		mq_unlink(mq_out);
	shm_id = -1;
	mq_made = 0;
}

static void
on_signal(int sig)
{
	cleanup(0);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* <<< child */
static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char ignored[2];

	ns_sync_in_child(sync);
	trace_note("child: a new IPC namespace; look up the parent's objects");
	if (!proc_ns(0, "ipc"))
		err_print(); /* the demonstration goes on without it */
	int shm_seen = shm_get(key_out, 0) != -1;
	int mq_seen = mq_make(mq_out, O_RDONLY) != -1;
	trace_fact("parent_shm_seen_inside", "%s", shm_seen ? "yes" : "no");
	trace_fact("parent_mq_seen_inside", "%s", mq_seen ? "yes" : "no");

	trace_note("child: make our own; they live as long as our namespace");
	if (shm_get(key_in, IPC_CREAT | IPC_EXCL | 0600) == -1 ||
	    mq_make(mq_in, O_RDWR | O_CREAT | O_EXCL) == -1)
		return 1;
	ns_sync_tell(sync->to_parent[1], shm_seen || mq_seen ? "seen" : "unseen");
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored));
	return 0;
}
/* >>> child */

/* Whether /proc/sysvipc/shm (the reader's namespace) lists KEY. */
static int
listed(key_t key)
{
	char text[64 * 1024], k[16];

	snprintf(k, sizeof(k), " %d ", (int)key);
	if (proc_read("/proc/sysvipc/shm", text, sizeof(text)) < 0)
		return 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if (strncmp(l + strspn(l, " "), k + 1, strlen(k) - 1) == 0) {
			trace_proc("/proc/sysvipc/shm", l);
			return 1;
		}
	return 0;
}

static const struct trace_prog prog = {
    .name = "ipc",
    .synopsis = "",
    .about = "Makes a System V shared memory segment and a POSIX message queue, then\n"
	     "a child in a new IPC namespace that cannot find them (and the other way\n"
	     "round). Everything is removed at the end. Needs root (CAP_SYS_ADMIN).",
    .look_for = "The keys and names found on one side are ENOENT on the other; `ipcs -m`\n"
		"before and after shows the host unchanged.",
};

int
main(int argc, char **argv)
{
	char parent_ns[64], child_ns[64], seen[16] = "";
	struct ns_sync sync;
	int status = -1, ret = EXIT_DEMO_FAILED;
	pid_t pid = -1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'ipc --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	key_out = (key_t)(0x4e530000 | (getpid() & 0x7fff)); /* "NS" + pid */
	key_in = key_out | 0x8000;
	snprintf(mq_out, sizeof(mq_out), "/nutshell-ipc-%d-outside", (int)getpid());
	snprintf(mq_in, sizeof(mq_in), "/nutshell-ipc-%d-inside", (int)getpid());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	trace_note("parent: make a segment and a queue in our (the host's) IPC namespace");
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "ipc") ?: err_print_as("?"));
	if ((shm_id = shm_get(key_out, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		goto out;
	if (mq_make(mq_out, O_RDWR | O_CREAT | O_EXCL) == -1)
		goto out;
	mq_made = 1;
	listed(key_out);
	if (ns_sync_init(&sync) == -1)
		goto out;

	/* <<< clone */
	pid = ns_clone(CLONE_NEWIPC | SIGCHLD, child_main, &sync);
	/* >>> clone */
	if (pid == -1)
		goto out;
	ns_sync_in_parent(&sync);
	ns_sync_hear(sync.to_parent[0], seen, sizeof(seen));
	trace_note("parent: look up the child's objects from outside");
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "ipc") ?: err_print_as("?"));
	int shm_in_seen = shm_get(key_in, 0) != -1 || listed(key_in);
	int mq_in_seen = mq_make(mq_in, O_RDONLY) != -1;
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		goto out;

	int differs = strcmp(parent_ns, child_ns) != 0;
	trace_fact("ipc_ns_parent", "%s", parent_ns);
	trace_fact("ipc_ns_child", "%s", child_ns);
	trace_fact("ipc_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("shm_key_outside", "%#x", (unsigned)key_out);
	trace_fact("shm_key_inside", "%#x", (unsigned)key_in);
	trace_fact("mq_outside", "%s", mq_out);
	trace_fact("mq_inside", "%s", mq_in);
	trace_fact("child_shm_seen_outside", "%s", shm_in_seen ? "yes" : "no");
	trace_fact("child_mq_seen_outside", "%s", mq_in_seen ? "yes" : "no");

	printf("%-24s %-32s %s\n", "", "made by the parent", "made by the child");
	printf("%-24s %-32x %x\n", "System V shm key", (unsigned)key_out, (unsigned)key_in);
	printf("%-24s %-32s %s\n", "POSIX message queue", mq_out, mq_in);
	printf("%-24s %-32s %s\n", "found by the other side",
	       strcmp(seen, "unseen") == 0 ? "no (ENOENT)" : "yes",
	       shm_in_seen || mq_in_seen ? "yes" : "no (ENOENT)");
	printf("%-24s %-32s %s\n", "/proc/PID/ns/ipc", parent_ns, child_ns);
	if (differs && strcmp(seen, "unseen") == 0 && !shm_in_seen && !mq_in_seen && status == 0)
		ret = EXIT_DEMO_OK;
out:
	/* A failed call says which (shown under -q too); a result not as
	 * expected, where to look. */
	if (ret != EXIT_DEMO_OK && err_last()->msg[0])
		err_print();
	else if (ret != EXIT_DEMO_OK)
		printf("\n%s\n", trace_unexpected());
	cleanup(1);
	trace_fact("ipc_cleaned", "%s", shm_id == -1 && !mq_made ? "yes" : "no");
	return ret;
}
