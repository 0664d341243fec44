/*
 * Exercise 02-memlimit - the OOM killer, inside a cgroup.
 *
 * The program makes a cgroup beneath yours with cg_create() and starts a
 * child in it with cg_fork(); the child touches memory 1 MiB at a time, up
 * to 64 MiB. Three things are missing:
 *
 *   TODO 1  the child can use at most 16 MiB, from its first page;
 *   TODO 2  no swap either, where the host can limit it (swap_file);
 *   TODO 3  after the wait: did the OOM killer end it? Two pieces of evidence.
 *           README.md has a hint for each: the man page, the effect.
 *
 * Both limits are set before the child runs its first instruction (cg_fork
 * waits until it is in the cgroup). Without them the child touches its
 * 64 MiB and ends; with them the kernel kills it at 16 MiB. The cgroup is
 * removed at the end, and the child has at most 30 s.
 * Build and grade:  sudo make grade EX=02-memlimit
 * Run it yourself:  sudo ./lessons/exercises/02-memlimit/skeleton
 * Read:             Documentation/admin-guide/cgroup-v2.rst ("memory.max",
 *                   "memory.events"), 02-cgroups/memory.c, 02-cgroups/cgroup.h.
 */
#include "02-cgroups/cgroup.h"
#include "common/decode.h"
#include "common/err.h"
#include "common/trace.h"
#include "common/waiting.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB	 (1024 * 1024)
#define WANT_MIB 64

static volatile int *touched; /* MiB the child has touched, shared with us */

/* The child: take memory 1 MiB at a time and write to every page of it, as
 * only touched pages are really allocated. */
static int
hog(void *arg)
{
	(void)arg;
	for (*touched = 0; *touched < WANT_MIB; (*touched)++) {
		char *p =
		    mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return EXIT_DEMO_FAILED;
		memset(p, 1, MIB);
	}
	return EXIT_DEMO_OK; /* under memory.max this is never reached */
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 02-memlimit: past memory.max the OOM killer kills the child.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"memory", NULL};
	char name[64], text[1024];
	struct cg_layout l;
	struct cg cg;
	int status = -1, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* The counter lives in a page we share, charged here, not to the child. */
	touched = wait_shared_page(4096);
	if (!touched) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int sigfd = wait_block_signals();
	snprintf(name, sizeof(name), "nutshell-ex-mem-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int swap_file = cg_has(&cg, "memory.swap.max");
	trace_fact("swap_file", "%s", swap_file ? "yes" : "no");

	/* TODO 1: memory.max = 16M */

	/* TODO 2: memory.swap.max = 0, where swap_file */

	pid_t pid = cg_fork(&cg, hog, NULL, 30);
	if (pid < 0)
		goto out;
	if (wait_child(pid, &status, 30, sigfd) != 0) {
		trace_error("the child did not end: %s", strerror(errno));
		cg_kill(&cg);
		wait_child(pid, &status, 5, -1);
		goto out;
	}
	cg_read(&cg, "memory.events", text, sizeof(text));

	/* TODO 3: killed by SIGKILL (WIFSIGNALED, WTERMSIG), and the counter. */
	int killed = 0;
	long long kills = -1;

	printf("the child touched %d of %d MiB, then %s\n", *touched, WANT_MIB,
	       dec_wait_status(status));
	printf("oom_kill counter of the cgroup: %lld\n", kills);
	printf("the OOM killer did it: %s\n", killed && kills >= 1 ? "yes" : "no");
	trace_fact("child_status", "%s", dec_wait_status(status));
	trace_fact("child_touched_mib", "%d", *touched);
	trace_fact("oom_kill", "%lld", kills);
	trace_fact("oom_killed", "%s", killed && kills >= 1 ? "yes" : "no");
	ok = killed && kills >= 1 && *touched < 16;
out:
	cg_kill(&cg);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	return ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
