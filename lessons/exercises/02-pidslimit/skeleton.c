/*
 * Exercise 02-pidslimit - a fork bomb with a fuse.
 *
 * The program makes a cgroup beneath yours with cg_create() and starts a
 * child in it with cg_fork(); the child tries fork(2) 20 times, each
 * grandchild waiting until the child is gone. Two things are missing:
 *
 *   TODO 1  the cgroup holds at most 5 processes, the child included;
 *   TODO 2  the child counts the forks the limit refuses apart from other failures.
 *           README.md has a hint for each: the man page, the effect.
 *
 * Expect 4 forks to work (the child is the fifth process) and 16 to fail.
 * Build and grade:  sudo make grade EX=02-pidslimit
 * Run it yourself:  sudo ./lessons/exercises/02-pidslimit/skeleton
 * Read:             Documentation/admin-guide/cgroup-v2.rst ("PID"), fork(2), 02-cgroups/cgroup.h.
 */
#include "02-cgroups/cgroup.h"
#include "common/err.h"
#include "common/trace.h"
#include "common/waiting.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TRIES 20

static struct result {
	volatile int done, ok, eagain, other;
} * res; /* shared with the child */

static int
forker(void *arg)
{
	int gate[2];

	(void)arg;
	if (pipe2(gate, O_CLOEXEC) != 0)
		return EXIT_DEMO_FAILED;
	for (int i = 0; i < TRIES; i++) {
		trace_begin("clone", "child_stack=NULL, "
				     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(gate[1]);
			alarm(30);
			(void)!read(gate[0], &c, 1); /* ends when the child is gone */
			_exit(0);
		}
		trace_end(pid);
		if (pid > 0)
			res->ok++;
		else
			res->other++; /* TODO 2: EAGAIN goes to res->eagain */
	}
	res->done = 1;
	pause(); /* until the cgroup is killed */
	return EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 02-pidslimit: forks past pids.max fail with EAGAIN.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"pids", NULL};
	char name[64], text[256];
	struct cg_layout l;
	struct cg cg;
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
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
	snprintf(name, sizeof(name), "nutshell-ex-pids-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}

	/* TODO 1: pids.max = 5 */

	pid_t pid = cg_fork(&cg, forker, NULL, 20);
	if (pid < 0)
		goto out;
	for (double end = wait_now() + 10; !res->done && wait_now() < end;)
		if (wait_sleep(0.05, sigfd) != 0)
			break;
	cg_read(&cg, "pids.events", text, sizeof(text));
	long long refused = cg_stat(&cg, "pids_max");
	cg_kill(&cg);
	wait_child(pid, &status, 5, -1);

	printf("%d forks worked, %d failed with EAGAIN, %d failed otherwise; "
	       "pids.events max %lld\n",
	       res->ok, res->eagain, res->other, refused);
	trace_fact("forks_ok", "%d", res->ok);
	trace_fact("forks_eagain", "%d", res->eagain);
	trace_fact("forks_other", "%d", res->other);
	trace_fact("pids_events_max", "%lld", refused);
out:
	cg_kill(&cg);
	if (cg_remove(&cg) != 0)
		err_print(); /* "rmdir DIR: ..." */
	return res->ok == 4 && res->eagain == TRIES - 4 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
