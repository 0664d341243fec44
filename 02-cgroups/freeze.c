/*
 * freeze - stop every process of a cgroup, and let them go on.
 *
 * A child counts in a loop, in a cgroup of its own. The program freezes
 * the cgroup (cgroup v2: write 1 to cgroup.freeze; v1: FROZEN to the
 * freezer controller's freezer.state), waits until the kernel reports it
 * frozen (cgroup.events "frozen 1"; v1: freezer.state reads FROZEN), and
 * watches the counter stand still. Then it thaws the cgroup and the
 * counter moves again. Unlike SIGSTOP, the child cannot notice, catch or
 * block this, and its parent gets no SIGCHLD: it is how a container
 * runtime pauses a container (docker pause) or checkpoints it.
 *
 * System calls: mkdir(2), rmdir(2), openat(2) + write(2) of cgroup.freeze
 *               (v1: freezer.state) and cgroup.procs; clone(2), wait4(2).
 * Files:        cgroup.events or freezer.state; /proc/PID/stat (state).
 * Look for:     the counter unchanged while frozen, and moving after the thaw.
 * Read:         cgroups(7), Documentation/admin-guide/cgroup-v2.rst
 *               ("cgroup.freeze"), cgroup-v1/freezer-subsystem.rst.
 */
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned long *counter; /* shared with the child */

/* <<< count */
static int
count(void *arg)
{
	(void)arg;
	/* Bounded twice: by alarm() (cg_fork gave the child 30 s) and here. */
	for (int i = 0; i < 60000; i++) {
		(*counter)++;
		usleep(1000);
	}
	return EXIT_DEMO_OK;
}
/* >>> count */

static const struct trace_prog prog = {
    .name = "freeze",
    .synopsis = "",
    .about = "Freezes and thaws a counting child through its cgroup (cgroup.freeze, or\n"
	     "the v1 freezer): the counter stands still, then moves on. Needs root, or a\n"
	     "cgroup delegated to you.",
    .look_for = "The counter unchanged while frozen, and moving after the thaw.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"freezer", NULL};
	char name[64], text[256];
	struct cg_layout l;
	struct cg cg;
	int status, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'freeze --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	counter = wait_shared_page(4096);
	if (!counter) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int sigfd = wait_block_signals();

	snprintf(name, sizeof(name), "nutshell-freeze-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	pid_t pid = wait_stopped() ? -1 : cg_fork(&cg, count, NULL, 30);
	if (pid < 0)
		goto out;
	/* Only the child moved (the write of its pid to cgroup.procs above);
	 * we stay where we were. Worksheet 02, step 6 looks from outside. */
	trace_note("parent: pid %d (us) stays in its cgroup; the child, pid %d, is now in %s: "
		   "cat /proc/%d/cgroup",
		   (int)getpid(), (int)pid, cg.d[0].dir, (int)pid);
	if (wait_sleep(0.3, sigfd) != 0)
		goto out;
	char running = proc_state(pid);

	/* <<< freeze */
	if (cg_freeze(&cg, 1) != 0)
		goto out;
	cg_read(&cg, "cgroup.events", text, sizeof(text));
	char frozen_state = proc_state(pid);
	unsigned long c1 = *counter;
	if (wait_sleep(0.5, sigfd) != 0)
		goto out;
	unsigned long c2 = *counter;
	/* >>> freeze */
	if (cg_freeze(&cg, 0) != 0)
		goto out;
	cg_read(&cg, "cgroup.events", text, sizeof(text));
	if (wait_sleep(0.3, sigfd) != 0)
		goto out;
	unsigned long c3 = *counter;
	char thawed_state = proc_state(pid);

	printf("%-10s %-6s %s\n", "", "state", "counter");
	printf("%-10s %-6c %lu\n", "running", running, c1);
	printf("%-10s %-6c %lu after 0.5 s frozen\n", "frozen", frozen_state, c2);
	printf("%-10s %-6c %lu after 0.3 s thawed\n", "thawed", thawed_state, c3);
	trace_fact("frozen", "yes");
	trace_fact("state_running", "%c", running);
	trace_fact("state_frozen", "%c", frozen_state);
	trace_fact("state_thawed", "%c", thawed_state);
	trace_fact("count_while_frozen", "%lu", c2 - c1);
	trace_fact("count_after_thaw", "%lu", c3 - c2);
	ok = c2 == c1 && c3 > c2;
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
	if (pid > 0)
		wait_child(pid, &status, 5, -1);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	/* Ctrl-C (or SIGTERM, SIGHUP): stop at once, as nutshell does. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nFrozen, the child did not run at all; thawed, it went on where it stopped.\n");
	return EXIT_DEMO_OK;
}
