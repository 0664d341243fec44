/*
 * pids - a fork bomb that cannot go off: pids.max makes fork(2) fail.
 *
 * The program makes a cgroup with pids.max = 8 and starts one child in it.
 * The child forks as fast as it can, a bounded number of times (40); each
 * grandchild just waits. Once the cgroup holds 8 processes, every further
 * fork fails with EAGAIN - nobody is killed, fork simply says no. The child
 * counts successes and failures and reports them; the program reads
 * pids.current and the "max" counter of pids.events, kills the whole cgroup
 * and removes it.
 *
 * System calls: mkdir(2), rmdir(2), openat(2) + write(2) of pids.max and
 *               cgroup.procs, clone(2) (fork, also inside the bomb),
 *               kill(2) or a write to cgroup.kill, wait4(2).
 * Files:        pids.current, pids.events; /proc/loadavg (processes on the host).
 * Look for:     clone(...) = -1 EAGAIN in the [pid N] lines of the child;
 *               forks that worked = pids.max - 1; pids.events "max" counts the
 *               refusals.
 * Read:         cgroups(7), Documentation/admin-guide/cgroup-v1/pids.rst, fork(2).
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t pids_max = 8;
static const int attempts = 40; /* the loop bound: a bomb with a fuse */

/* What the child found, in a page shared with us. */
static struct result {
	volatile int done, ok, eagain, other;
} * res;

/* <<< bomb */
static int
bomb(void *arg)
{
	(void)arg;
	for (int i = 0; i < attempts; i++) {
		trace_begin("clone", "child_stack=NULL, "
				     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
		pid_t pid = fork();
		if (pid == 0) {
			alarm(30); /* the fuse: gone in 30 s whatever happens */
			pause();   /* a grandchild: wait to be killed with the cgroup */
			_exit(0);
		}
		trace_end(pid);
		if (pid > 0)
			res->ok++;
		else if (errno == EAGAIN)
			res->eagain++; /* pids.max: fork fails, nobody is killed */
		else
			res->other++;
	}
	res->done = 1;
	pause(); /* stay, with the grandchildren, until the cgroup is killed */
	return EXIT_DEMO_OK;
}
/* >>> bomb */

static int
on_option(int opt, const char *arg)
{

	(void)opt;
	if (cg_parse_count(arg, &pids_max) != 0) {
		err_prefix("--max");
		err_print();
		return -1;
	}
	if (pids_max < 2 || pids_max > 32) {
		trace_error("--max '%s': expected 2 to 32", arg);
		return -1;
	}
	return 0;
}

static const struct option options[] = {
    {"max", required_argument, NULL, 'm'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "pids",
    .synopsis = "[--max N]",
    .about = "A fork bomb inside pids.max: forks past the limit fail with EAGAIN, nobody is\n"
	     "killed, the host's process count is not touched. Needs root, or a cgroup\n"
	     "delegated to you.",
    .look_for = "Clone(...) = -1 EAGAIN in the [pid N] lines of the child; forks that worked\n"
		"= pids.max - 1; pids.events \"max\" counts the refusals.",
    .options = "  --max N  pids.max of the cgroup, 2 to 32 (default 8)\n",
    .longopts = options,
    .on_option = on_option,
};

/* Processes on the whole host: the fourth field of /proc/loadavg, "2/345". */
static long
host_processes(void)
{
	char text[128], *slash;

	if (proc_read("/proc/loadavg", text, sizeof(text)) < 0 || !(slash = strchr(text, '/')))
		return -1;
	return strtol(slash + 1, NULL, 10);
}

int
main(int argc, char **argv)
{
	const char *const want[] = {"pids", NULL};
	char name[64], text[256], num[32];
	struct cg_layout l;
	struct cg cg;
	int status, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'pids --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	res = wait_shared_page(sizeof(*res));
	if (!res) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int sigfd = wait_block_signals();
	/* The bomb's forks outlive the child that made them; as a subreaper
	 * (prctl(2)) we, not the host's init, become their parent, so we can
	 * reap them all before counting the host's processes again. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	long before = host_processes();

	snprintf(name, sizeof(name), "nutshell-pids-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* <<< limit */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pids_max);
	if (cg_set(&cg, "pids.max", num) != 0)
		goto out;
	/* >>> limit */
	/* Ctrl-C at a --step pause: no bomb after it. */
	if (wait_stopped())
		goto out;
	trace_note("child: fork %d times; each grandchild waits", attempts);
	pid_t pid = cg_fork(&cg, bomb, NULL, 20);
	if (pid < 0) {
		err_prefix("cannot start the child");
		goto out;
	}
	for (double end = wait_now() + 10; !res->done && wait_now() < end;)
		if (wait_sleep(0.05, sigfd) != 0)
			goto out;
	cg_read(&cg, "pids.current", text, sizeof(text));
	long current = strtol(text, NULL, 10);
	cg_read(&cg, "pids.events", text, sizeof(text));
	long long refused = cg_stat(&cg, "pids_max");
	long during = host_processes();
	if (cg_kill(&cg) != 0 || wait_child(pid, &status, 5, -1) != 0) {
		err_set(errno, "cannot end the bomb: %s", strerror(errno));
		goto out;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* the orphaned forks, dead, still counted until reaped */
	long after = host_processes();

	printf("pids.max = %llu; the child tried %d forks:\n", (unsigned long long)pids_max,
	       attempts);
	printf("  %d worked, %d failed with EAGAIN, %d failed otherwise\n", res->ok, res->eagain,
	       res->other);
	printf("  pids.current %ld, pids.events max %lld\n", current, refused);
	printf("  processes on the host: %ld before, %ld during, %ld after\n", before, during,
	       after);
	trace_fact("pids_max", "%llu", (unsigned long long)pids_max);
	trace_fact("forks_ok", "%d", res->ok);
	trace_fact("forks_eagain", "%d", res->eagain);
	trace_fact("forks_other", "%d", res->other);
	trace_fact("pids_current", "%ld", current);
	trace_fact("pids_events_max", "%lld", refused);
	trace_fact("host_processes_before", "%ld", before);
	trace_fact("host_processes_after", "%ld", after);
	/* The child itself counts: pids.max - 1 forks can work. */
	ok = res->done && res->ok == (int)pids_max - 1 && res->eagain == attempts - res->ok &&
	     current == (long)pids_max && refused >= res->eagain;
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
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
	printf("\nfork(2) failed with EAGAIN at the limit; nobody was killed by pids.max,\n"
	       "and killing the cgroup ended the whole bomb at once.\n");
	return EXIT_DEMO_OK;
}
