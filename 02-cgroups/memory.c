/*
 * memory - what the kernel does to a process that wants more memory than
 * its cgroup may have.
 *
 * A cgroup with memory.max (32M) and no swap; a child in it allocates and
 * touches memory, 1 MiB at a time, past the limit. The kernel reclaims what
 * it can, then the OOM killer kills the child inside the cgroup: the wait
 * status says SIGKILL, the cgroup counts an oom_kill. memory.high, the mark
 * that throttles instead, is the next program's (memory-high.c).
 *
 * System calls: mkdir(2) and rmdir(2) of the cgroup, openat(2) + write(2)
 *               of memory.max, memory.swap.max and cgroup.procs (the v1
 *               files on v1), clone(2) (fork), wait4(2).
 * Files:        memory.events (v1: memory.oom_control).
 * Look for:     "killed by SIGKILL" and oom_kill 1.
 * Read:         cgroups(7), Documentation/admin-guide/cgroup-v2.rst
 *               ("memory.max", "memory.high"), cgroup-v1/memory.rst.
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static uint64_t limit = 32 * MIB;
static volatile uint64_t *touched; /* MiB the child has touched, shared with us */

/* <<< hog */
/* The child: take memory 1 MiB at a time and write to every page of it, as
 * only touched pages are really allocated. Bounded: at most 4 x the limit. */
static int
hog(void *arg)
{
	uint64_t want = *(uint64_t *)arg;

	for (*touched = 0; *touched < want; (*touched)++) {
		char *p =
		    mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return EXIT_DEMO_FAILED;
		memset(p, 1, MIB);
	}
	return EXIT_DEMO_OK; /* under memory.max this is never reached */
}
/* >>> hog */

static int
on_option(int opt, const char *arg)
{

	(void)opt;
	if (cg_parse_size(arg, &limit) != 0) {
		err_prefix("--limit");
		err_print();
		return -1;
	}
	if (limit < 8 * MIB || limit > 1024 * MIB) {
		trace_error("--limit '%s': expected 8M to 1G", arg);
		return -1;
	}
	return 0;
}

static const struct option options[] = {
    {"limit", required_argument, NULL, 'l'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "memory",
    .synopsis = "[--limit SIZE]",
    .about = "A child allocates past memory.max and the OOM killer kills it inside its\n"
	     "cgroup. Needs root, or a cgroup delegated to you.",
    .look_for = "\"killed by SIGKILL\" in the wait status and oom_kill 1 in the cgroup's\n"
		"counter; the child touched a little less than the limit.",
    .options = "  --limit SIZE  memory.max, 8M to 1G (default 32M)\n",
    .longopts = options,
    .on_option = on_option,
};

static int
part_max(const struct cg_layout *l, int sigfd)
{
	const char *const want[] = {"memory", NULL};
	char name[64], text[1024], num[32];
	uint64_t demand = 4 * limit / MIB;
	struct cg cg;
	int status = 0, ok = 0;

	snprintf(name, sizeof(name), "nutshell-memory-%d", (int)getpid());
	if (cg_create(&cg, l, NULL, name, want) != 0) {
		err_print();
		return 0;
	}
	/* <<< limit */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)limit);
	if (cg_set(&cg, "memory.max", num) != 0)
		goto out;
	/* With swap the kernel would page the child out instead of killing it. */
	if (!cg_has(&cg, "memory.swap.max"))
		trace_note("no memory.swap.max here (swap accounting off): swap is not limited");
	else if (cg_set(&cg, "memory.swap.max", "0") != 0)
		goto out;
	/* >>> limit */
	/* Ctrl-C at a --step pause: no child after it. */
	if (wait_stopped())
		goto out;
	trace_note("child: touch up to %llu MiB, 1 MiB at a time", (unsigned long long)demand);
	pid_t pid = cg_fork(&cg, hog, &demand, 20);
	if (pid < 0) {
		err_prefix("cannot start the child");
		goto out;
	}
	if (wait_child(pid, &status, 30, sigfd) != 0) {
		if (!wait_stopped())
			err_set(errno, "the child did not end: %s", strerror(errno));
		cg_kill(&cg);
		wait_child(pid, &status, 5, -1);
		goto out;
	}
	cg_read(&cg, "memory.events", text, sizeof(text));
	long long kills = cg_stat(&cg, "oom_kill");
	int killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

	printf("memory.max = %llu MiB (%s), no swap\n", (unsigned long long)limit / MIB,
	       l->h[cg_layout_find(l, "memory")].version == 1 ? "v1: memory.limit_in_bytes"
							      : "cgroup v2");
	printf("  the child touched %llu MiB, then was %s (signal %d)\n",
	       (unsigned long long)*touched, dec_wait_status(status),
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	printf("  oom_kill counter of the cgroup: %lld\n", kills);
	trace_fact("memory_max", "%llu", (unsigned long long)limit);
	trace_fact("child_status", "%s", dec_wait_status(status));
	trace_fact("child_touched_mib", "%llu", (unsigned long long)*touched);
	trace_fact("oom_kill", "%lld", kills);
	trace_fact("oom_killed", "%s", killed && kills >= 1 ? "yes" : "no");
	ok = killed && kills >= 1;
	err_clear();
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	return ok;
}

int
main(int argc, char **argv)
{
	const char *const want[] = {"memory", NULL};
	struct cg_layout l;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'memory --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* The child's counter lives in a page we share, allocated (and so
	 * charged) here, outside its cgroup. */
	touched = wait_shared_page(4096);
	if (!touched) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int sigfd = wait_block_signals();

	int ok = part_max(&l, sigfd);
	/* Ctrl-C (or SIGTERM, SIGHUP): the cgroup is gone, stop now. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nOver memory.max the kernel killed the child (the OOM killer, inside its "
	       "cgroup).\n");
	return EXIT_DEMO_OK;
}
