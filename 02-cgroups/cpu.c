/*
 * cpu - cpu.max caps a cgroup's CPU time; cpu.weight shares a busy CPU.
 *
 * Part 1: a cgroup with cpu.max = 0.2 CPUs (20 ms of every 100 ms period)
 * and a child that spins for 2 s. It asks for all of one CPU and gets about
 * a fifth: each time its quota for the period is used up, the scheduler
 * takes it off the CPU until the next period ("throttled"), and cpu.stat
 * counts that. Nobody is killed.
 * Part 2: two spinning children on the same CPU, in sibling cgroups with
 * cpu.weight 100 and 300 (v1: cpu.shares 1024 and 3072). A weight limits
 * nothing while the CPU is free; when two compete, they share it 1 : 3.
 *
 * System calls: mkdir(2), rmdir(2), openat(2) + write(2) of cpu.max (v1:
 *               cpu.cfs_period_us, cpu.cfs_quota_us), cpu.weight (v1:
 *               cpu.shares), cgroup.procs; clone(2) (fork), wait4(2);
 *               sched_setaffinity(2) pins both spinners to one CPU.
 * Files:        cpu.stat (nr_periods, nr_throttled, throttled_usec; v1:
 *               throttled_time in ns).
 * Look for:     a CPU share near 0.20 and nr_throttled > 0; then a share
 *               ratio near 3.
 * Read:         cgroups(7), Documentation/admin-guide/cgroup-v2.rst ("CPU"),
 *               Documentation/scheduler/sched-bwc.rst, sched_setaffinity(2).
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *cpus = "0.2";

/* Shared with the children: when to spin, and what each measured. */
static struct shared {
	volatile double start, end;
	volatile double share[2];
	volatile int cpu; /* the CPU to spin on, or -1 for any */
} * sh;

/* Runs the caller on CPU only. */
static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (TRACE(sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity", "0, %zu, [%d]",
		  sizeof(set), cpu) != 0)
		return err_sys("sched_setaffinity to CPU %d", cpu);
	return 0;
}

/* <<< spin */
static volatile sig_atomic_t stop;

static void
on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

/* A child: spin from start to end and record the CPU time it got per
 * second of wall time - its share of one CPU. The loop makes no system
 * call at all - no clock reads: where the vDSO has no clock it can read (an
 * emulated VM) each read is a system call, and under strace each one would
 * wait for the tracer instead of spinning. A timer signal ends it. */
static int
spin(void *arg)
{
	int slot = (int)(long)arg;
	struct timespec at = {(time_t)sh->start, (long)((sh->start - (time_t)sh->start) * 1e9)};
	struct itimerval run = {.it_value = {(time_t)(sh->end - sh->start), 0}};

	signal(SIGALRM, on_alarm);
	/* Pinned again here, after joining the cgroup: joining one whose
	 * cpuset controller is on (cgroup v2 as systemd sets it up) resets a
	 * task's CPU affinity to the cpuset's CPUs. */
	if (sh->cpu >= 0 && pin(sh->cpu) != 0)
		return EXIT_DEMO_FAILED;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
	double cpu0 = (double)clock() / CLOCKS_PER_SEC, t0 = wait_now(); /* CPU time, s */
	setitimer(ITIMER_REAL, &run, NULL);
	while (!stop)
		;
	sh->share[slot] = ((double)clock() / CLOCKS_PER_SEC - cpu0) / (wait_now() - t0);
	return EXIT_DEMO_OK;
}
/* >>> spin */

static int
on_option(int opt, const char *arg)
{
	uint64_t quota;

	(void)opt;
	if (cg_parse_cpus(arg, 100000, &quota) != 0) {
		err_prefix("--cpus");
		err_print();
		return -1;
	}
	if (quota == CG_UNLIMITED || quota > 90000 || quota < 5000) {
		trace_error("--cpus '%s': expected 0.05 to 0.9", arg);
		return -1;
	}
	cpus = arg;
	return 0;
}

static const struct option options[] = {
    {"cpus", required_argument, NULL, 'c'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "cpu",
    .synopsis = "[--cpus N]",
    .about = "A busy loop under cpu.max gets its quota and is throttled; two loops on one\n"
	     "CPU with cpu.weight 100 and 300 share it 1 : 3. Needs root, or a cgroup\n"
	     "delegated to you.",
    .look_for = "A CPU share near 0.20 and nr_throttled > 0; then a share ratio near 3.",
    .options = "  --cpus N  cpu.max of part 1 in CPUs, 0.05 to 0.9 (default 0.2)\n",
    .longopts = options,
    .on_option = on_option,
};

/* Runs spinners in the cgroups for 2 s; 0 when all ended in time. */
static int
run_spinners(struct cg *cgs[], int n, int sigfd)
{
	pid_t pids[2];
	int status, ret = 0, made = 0;

	sh->start = wait_now() + 0.3; /* all start together, once all exist */
	sh->end = sh->start + 2;
	/* Ctrl-C at a --step pause: no child after it. */
	for (; made < n && !wait_stopped(); made++)
		if ((pids[made] = cg_fork(cgs[made], spin, (void *)(long)made, 10)) < 0)
			return -1;
	/* After a stop signal nothing is waited for: each spinner is killed,
	 * then reaped. */
	for (int i = 0; i < made; i++)
		if (wait_stopped() || wait_child(pids[i], &status, 10, sigfd) != 0 || status != 0) {
			cg_kill(cgs[i]);
			wait_child(pids[i], &status, 5, -1);
			ret = -1;
		}
	return made == n ? ret : -1;
}

int
main(int argc, char **argv)
{
	const char *const want[] = {"cpu", NULL};
	char name[64], text[512];
	struct cg_layout l;
	struct cg lim = {0}, top = {0}, a = {0}, b = {0};
	int ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'cpu --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	sh = wait_shared_page(sizeof(*sh));
	if (!sh) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	sh->cpu = -1;
	int sigfd = wait_block_signals();

	/* <<< max */
	snprintf(name, sizeof(name), "nutshell-cpu-%d", (int)getpid());
	if (cg_create(&lim, &l, NULL, name, want) != 0 || cg_set(&lim, "cpu.max", cpus) != 0)
		goto out;
	struct cg *one[] = {&lim};
	if (run_spinners(one, 1, sigfd) != 0)
		goto out;
	cg_read(&lim, "cpu.stat", text, sizeof(text));
	/* >>> max */
	long long throttled = cg_stat(&lim, "nr_throttled");
	long long throttled_us = cg_stat(&lim, "throttled_usec");
	printf("part 1: cpu.max = %s CPUs: the spinner got %.2f of a CPU; throttled %lld times "
	       "(%.2f s)\n",
	       cpus, sh->share[0], throttled, (double)throttled_us / 1e6);
	trace_fact("cpu_max_cpus", "%s", cpus);
	trace_fact("cpu_share", "%.3f", sh->share[0]);
	trace_fact("nr_throttled", "%lld", throttled);
	trace_fact("throttled_usec", "%lld", throttled_us);

	if (wait_stopped())
		goto out;
	/* <<< weight */
	/* Weights only matter between processes that want the same CPU. */
	int cpu = sched_getcpu(); /* one we may run on */
	if (pin(cpu) != 0)
		goto out;
	snprintf(name, sizeof(name), "nutshell-cpu-weight-%d", (int)getpid());
	if (cg_create(&top, &l, NULL, name, want) != 0 || cg_create(&a, &l, &top, "a", want) != 0 ||
	    cg_create(&b, &l, &top, "b", want) != 0 || cg_set(&a, "cpu.weight", "100") != 0 ||
	    cg_set(&b, "cpu.weight", "300") != 0)
		goto out;
	sh->cpu = cpu;
	struct cg *two[] = {&a, &b};
	if (run_spinners(two, 2, sigfd) != 0)
		goto out;
	/* >>> weight */
	double ratio = sh->share[0] > 0 ? sh->share[1] / sh->share[0] : 0;
	printf("part 2: one CPU (%d), cpu.weight 100 and 300: shares %.2f and %.2f, ratio %.2f\n",
	       cpu, sh->share[0], sh->share[1], ratio);
	trace_fact("weight_cpu", "%d", cpu);
	trace_fact("share_weight_100", "%.3f", sh->share[0]);
	trace_fact("share_weight_300", "%.3f", sh->share[1]);
	trace_fact("share_ratio", "%.2f", ratio);
	ok = throttled > 0 && ratio > 1.5;
out:
	if (err_last()->msg[0])
		err_print();
	struct cg *all[] = {&b, &a, &top, &lim};
	for (int i = 0; i < 4; i++) {
		cg_kill(all[i]);
		if (cg_remove(all[i]) != 0) {
			err_print(); /* "rmdir DIR: ..." */
			ok = 0;
		}
	}
	/* Ctrl-C (or SIGTERM, SIGHUP): the cgroups are gone, stop now. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\ncpu.max throttled the spinner to its quota; cpu.weight shared a busy CPU.\n");
	return EXIT_DEMO_OK;
}
