/*
 * memory-high - a cgroup's memory.high throttles a process instead of
 * killing it (cgroup v2 only).
 *
 * A cgroup with memory.high at 16M, below what its child wants (32M), and,
 * so that the demonstration can never run away, a hard memory.max of 128M
 * and no swap. Nobody is killed: each time the child allocates past the
 * mark, the kernel makes it reclaim and then sleep on its way back to user
 * space, longer the further it is over, so it crawls. We look for two
 * seconds, see it alive and slowed down, then kill it ourselves: nothing
 * else would. memory.max, the limit that kills, is memory.c's.
 *
 * System calls: mkdir(2) and rmdir(2) of the cgroup, openat(2) + write(2)
 *               of memory.max, memory.swap.max, memory.high and
 *               cgroup.procs, clone(2) (fork), kill(2), wait4(2).
 * Files:        memory.events, memory.current, /proc/PID/stat (the child's
 *               state).
 * Look for:     after 2 s a live child, in state D (in the kernel,
 *               reclaiming) or R; memory.events "high" counted, oom_kill 0.
 * Read:         Documentation/admin-guide/cgroup-v2.rst ("memory.high"),
 *               proc(5) (/proc/PID/stat).
 */
#include "../common/procfs.h"
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

#define MIB  (1024 * 1024)
#define HIGH (16 * MIB)

static volatile uint64_t *touched; /* MiB the child has touched, shared with us */

/* The child: map what it wants at once and touch it a page at a time; only
 * touched pages are charged, and each charge past memory.high is where the
 * kernel makes it reclaim and sleep. */
static int
crawl(void *arg)
{
	uint64_t want = *(uint64_t *)arg;
	char *p =
	    mmap(NULL, want * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return EXIT_DEMO_FAILED;
	for (uint64_t off = 0; off < want * MIB; off += 4096) {
		p[off] = 1;
		*touched = off / MIB;
	}
	return EXIT_DEMO_OK; /* two seconds are not enough to get here */
}

static const struct trace_prog prog = {
    .name = "memory-high",
    .synopsis = "",
    .about = "A child wants twice its cgroup's memory.high: the kernel throttles it, it\n"
	     "lives on, slowed down, and nothing is killed. cgroup v2 only. Needs root, or\n"
	     "a cgroup delegated to you.",
    .look_for = "After 2 s: \"alive\", in state D (in the kernel, reclaiming) or R;\n"
		"memory.events: high N (N > 0), oom_kill 0.",
};

/* Watches the throttled child for two seconds; 1 when it was as expected.
 * Its state: D while the kernel makes it reclaim, R or S between. */
static int
watch(struct cg *cg, pid_t pid, uint64_t demand, int sigfd)
{
	char text[1024];

	trace_note("watching the child for 2 s");
	if (wait_sleep(2, sigfd) != 0)
		return 0;
	char state = proc_state(pid);
	uint64_t got = *touched;
	cg_read(cg, "memory.current", text, sizeof(text));
	unsigned long long current = strtoull(text, NULL, 10);
	cg_read(cg, "memory.events", text, sizeof(text));
	long long highs = cg_stat(cg, "high"), kills = cg_stat(cg, "oom_kill");
	int alive = state != '?' && state != 'Z';

	printf("memory.high = %llu MiB, the child wants %llu MiB\n", (unsigned long long)HIGH / MIB,
	       (unsigned long long)demand);
	printf("  after 2 s: touched %llu MiB, memory.current %llu MiB, state %c, %s\n",
	       (unsigned long long)got, current / MIB, state, alive ? "alive" : "gone");
	printf("  memory.events: high %lld, oom_kill %lld\n", highs, kills);
	trace_fact("memory_high", "%llu", (unsigned long long)HIGH);
	trace_fact("high_child_alive", "%s", alive ? "yes" : "no");
	trace_fact("high_child_state", "%c", state);
	trace_fact("high_touched_mib", "%llu", (unsigned long long)got);
	trace_fact("high_events", "%lld", highs);
	trace_fact("high_oom_kill", "%lld", kills);
	return alive && highs > 0 && kills == 0;
}

int
main(int argc, char **argv)
{
	const char *const want[] = {"memory", NULL};
	char name[64], num[32];
	uint64_t demand = 2 * HIGH / MIB;
	struct cg_layout l;
	struct cg cg;
	int status, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'memory-high --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* cgroup-v1/memory.rst: the soft limit only steers reclaim when the whole
	 * machine is short of memory; nothing throttles. */
	if (l.h[cg_layout_find(&l, "memory")].version == 1) {
		trace_error("the memory controller is cgroup v1 here, which has no memory.high "
			    "(memory.soft_limit_in_bytes does not throttle); try 'make vm'");
		trace_fact("memory_high", "not on cgroup v1");
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

	snprintf(name, sizeof(name), "nutshell-memory-high-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* <<< high */
	/* A hard limit first, so the demonstration can never run away, then the
	 * soft mark at half the child's demand. */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)(8 * HIGH));
	if (cg_set(&cg, "memory.max", num) != 0)
		goto out;
	if (cg_has(&cg, "memory.swap.max") && cg_set(&cg, "memory.swap.max", "0") != 0)
		goto out;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)HIGH);
	if (cg_set(&cg, "memory.high", num) != 0)
		goto out;
	/* >>> high */
	/* Ctrl-C at a --step pause: no child after it. */
	if (wait_stopped())
		goto out;
	pid_t pid = cg_fork(&cg, crawl, &demand, 20);
	if (pid < 0) {
		err_prefix("cannot start the child");
		goto out;
	}
	ok = watch(&cg, pid, demand, sigfd);
	if (!wait_stopped())
		trace_note("memory.high never kills: we end the child ourselves");
	cg_kill(&cg);
	wait_child(pid, &status, 5, -1);
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	/* Ctrl-C (or SIGTERM, SIGHUP): the cgroup is gone, stop now. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nOver memory.high the kernel only slowed the child down.\n");
	return EXIT_DEMO_OK;
}
