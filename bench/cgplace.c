/*
 * bench/cgplace.c - what putting a new process into a cgroup v2 costs, each
 * way there is (make bench, table "cgroup placement"; issue 21).
 *
 * N rounds, the ways interleaved, each timed from before fork(2) or
 * clone3(2) to after waitpid(2) of a child that does nothing else and
 * exits (CLOCK_MONOTONIC, microseconds, median):
 *
 *   fork, no cgroup     the baseline: the same child, left where it is
 *   child writes "0"    the child moves itself: cgroup.procs of DIR (the
 *                       launcher's cg_join on cgroup v2)
 *   parent writes pid   the parent moves it, the child waiting on a pipe
 *                       (cg_attach: the launcher with --userns, whose
 *                       child may not write the host's cgroup files)
 *   CLONE_INTO_CGROUP   clone3(2) with DIR's descriptor (Linux 5.7): the
 *                       child is born in DIR, nothing is written
 *
 * A write to cgroup.procs moves a whole thread group, under the kernel's
 * cgroup_threadgroup_rwsem taken for writing (cgroup_procs_write_start(),
 * kernel/cgroup/cgroup.c); clone3 with CLONE_INTO_CGROUP takes it for
 * reading, as every fork does, and cgroup_mutex (cgroup_css_set_fork()).
 * DIR is a cgroup v2 directory the caller made and removes (bench.sh: one
 * beneath its own); every child has exited when this returns.
 * Usage: cgplace N DIR
 */
#include "clock.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FORK, CHILD_WRITES, PARENT_WRITES, INTO_CGROUP, WAYS };
static const char *const way_name[WAYS] = {"fork, no cgroup", "child writes \"0\"",
					   "parent writes the pid", "clone3 CLONE_INTO_CGROUP"};


static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* One child made WAY, waited for; 0, or -1 if it did not exit 0. */
static int
one(int way, const char *procs, int dir_fd)
{
	int status, go[2] = {-1, -1};
	pid_t pid;

	if (way == PARENT_WRITES && pipe2(go, O_CLOEXEC) == -1)
		die("pipe2");
	if (way == INTO_CGROUP) {
		struct clone_args a;
		memset(&a, 0, sizeof(a));
		a.flags = CLONE_INTO_CGROUP;
		a.exit_signal = SIGCHLD;
		a.cgroup = (unsigned)dir_fd;
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	} else
		pid = fork();
	if (pid == -1)
		die(way == INTO_CGROUP ? "clone3" : "fork");
	if (pid == 0) {
		char byte;
		if (way == CHILD_WRITES) {
			int fd = open(procs, O_WRONLY | O_CLOEXEC);
			_exit(fd >= 0 && write(fd, "0", 1) == 1 ? 0 : 1);
		}
		if (way == PARENT_WRITES) {
			close(go[1]);
			_exit(read(go[0], &byte, 1) == 0 ? 0 : 1); /* end of file: moved */
		}
		_exit(0);
	}
	if (way == PARENT_WRITES) {
		char text[16];
		int n = snprintf(text, sizeof(text), "%d", (int)pid);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd == -1 || write(fd, text, (size_t)n) != n)
			die(procs);
		close(fd);
		close(go[0]);
		close(go[1]);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[1]) < 1) {
		fprintf(stderr, "usage: cgplace N DIR (a cgroup v2 directory)\n");
		return 2;
	}
	int n = atoi(argv[1]);
	char procs[4200];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[2]);
	int dir_fd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	double *t[WAYS];
	if (dir_fd == -1)
		die(argv[2]);
	for (int w = 0; w < WAYS; w++)
		if (!(t[w] = calloc((size_t)n, sizeof(double))))
			die("calloc");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < WAYS; k++) {
			int w = (i + k) % WAYS; /* the order rotated each round */
			double start = bench_now_us();
			if (one(w, procs, dir_fd) == -1) {
				fprintf(stderr, "cgplace: %s: the child failed\n", way_name[w]);
				return 1;
			}
			t[w][i] = bench_now_us() - start;
		}
	for (int w = 0; w < WAYS; w++) {
		qsort(t[w], (size_t)n, sizeof(double), bench_by_value);
		printf("  %-34s %7.1f us  (median of %d)\n", way_name[w], t[w][n / 2], n);
	}
	return 0;
}
