/*
 * timer - start-to-exit times of a few commands, measured interleaved.
 *
 *	bench/timer [-n ROUNDS] [-w WARMUP] [-j PARALLEL] [-g GROUP] [-c CSV]
 *		:: LABEL CMD [ARG...] :: LABEL CMD [ARG...] ...
 *
 * One round runs every command once, in an order rotated from round to
 * round, so that a slow moment of the machine (another process, a cache
 * flush) falls on all of them alike: the first command is the floor the
 * others are compared with. -j P starts P copies of a command at once and
 * times until the last has exited. A run's time is from just before
 * fork(2) to wait4(2) returning, on CLOCK_MONOTONIC; its peak resident
 * memory is wait4's ru_maxrss: the largest of the process and of the
 * children it waited for (getrusage(2)). Output on stdout goes to
 * /dev/null, on stderr to a memory file; a nonzero exit counts as a
 * failure, and the row shows the first line the last failed run wrote.
 *
 * A command that starts with --unmount=PATH runs in a private mount
 * namespace of its own in which PATH is unmounted (crun 1.8 refuses a
 * hybrid cgroup host whose cgroup2 mount lists controllers); that costs it
 * an unshare(2) and two mount calls, about 0.1 ms. A command that starts
 * with --pipes gets pipes as fds 0, 1 and 2 instead (stdin at end of file,
 * stdout and stderr one pipe this program reads after the exit): nutshell
 * hands pipes to the container as they are, and relays files and devices
 * (issue 23), so the two show what the relay costs.
 *
 * Prints, per command: the median, the spread (25th to 75th percentile, and
 * min..max), the median's ratio to the floor's, the median peak RSS; with
 * -c, appends the same as CSV rows (header when the file is new). Exit
 * status 1 when any run failed.
 */
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16
#define MAX_PAR	 64

struct cmd {
	const char *label;
	char **argv;
	const char *unmount; /* --unmount=PATH, or NULL */
	int pipes;	     /* --pipes: fds 0-2 are pipes */
	double *ms;	     /* one per measured round */
	long *rss;	     /* KiB, largest of the round's processes */
	int failed;	     /* runs that did not exit 0 */
	int last_rc;	     /* the last failure's wait status */
	char last_err[160];  /* and the first line it wrote on stderr */
};


/* Runs c once, par copies at once; its time in ms, peak RSS in *rss. */
static double
run_once(struct cmd *c, int par, long *rss)
{
	pid_t pids[MAX_PAR];
	int errs[MAX_PAR], outs[MAX_PAR], ins[MAX_PAR];
	/* Each copy's stderr goes to a memory file, read only when it failed:
	 * a failure's reason is printed, not thrown away (--pipes: to a pipe,
	 * read after the exit; stdout too). Made before the clock starts. */
	for (int i = 0; i < par; i++) {
		int o[2], n[2];

		outs[i] = ins[i] = -1;
		if (!c->pipes && (errs[i] = memfd_create("stderr", MFD_CLOEXEC)) == -1) {
			perror("memfd_create");
			exit(1);
		}
		if (c->pipes && (pipe2(o, O_CLOEXEC) == -1 || pipe2(n, O_CLOEXEC) == -1)) {
			perror("pipe2");
			exit(1);
		}
		if (c->pipes) {
			errs[i] = o[0];
			outs[i] = o[1];
			ins[i] = n[0];
			close(n[1]); /* stdin: end of file at once */
		}
	}
	double start = bench_now_us() / 1e3;

	*rss = 0;
	for (int i = 0; i < par; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int null = open("/dev/null", O_RDWR);
			dup2(c->pipes ? ins[i] : null, 0);
			dup2(c->pipes ? outs[i] : null, 1);
			dup2(c->pipes ? outs[i] : errs[i], 2);
			if (c->unmount &&
			    (unshare(CLONE_NEWNS) == -1 ||
			     mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
			     umount2(c->unmount, MNT_DETACH) == -1))
				_exit(126);
			execvp(c->argv[0], c->argv);
			_exit(127);
		}
		if (pids[i] == -1) {
			perror("fork");
			exit(1);
		}
	}
	for (int i = 0; i < par && c->pipes; i++) {
		close(outs[i]);
		close(ins[i]);
	}
	for (int i = 0; i < par; i++) {
		struct rusage ru;
		int status;

		while (wait4(pids[i], &status, 0, &ru) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			c->failed++;
			c->last_rc = status;
			ssize_t n = c->pipes ? read(errs[i], c->last_err, sizeof(c->last_err) - 1)
					     : pread(errs[i], c->last_err, sizeof(c->last_err) - 1, 0);
			c->last_err[n > 0 ? n : 0] = '\0';
			c->last_err[strcspn(c->last_err, "\n")] = '\0';
		}
		close(errs[i]);
		if (ru.ru_maxrss > *rss)
			*rss = ru.ru_maxrss;
	}
	return bench_now_us() / 1e3 - start;
}


static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted v (n values), interpolated. */
static double
quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
}

static void
usage(void)
{
	fprintf(stderr, "usage: timer [-n ROUNDS] [-w WARMUP] [-j PARALLEL] [-g GROUP] [-c CSV] "
			":: LABEL CMD [ARG...] [:: LABEL CMD...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int rounds = 30, warmup = 3, par = 1, ncmd = 0, opt, failed = 0;
	const char *group = "run", *csv = NULL;
	struct cmd cmds[MAX_CMDS];

	while ((opt = getopt(argc, argv, "+n:w:j:g:c:")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'j':
			par = atoi(optarg);
			break;
		case 'g':
			group = optarg;
			break;
		case 'c':
			csv = optarg;
			break;
		default:
			usage();
		}
	}
	if (rounds < 1 || warmup < 0 || par < 1 || par > MAX_PAR)
		usage();
	/* ":: LABEL CMD ARG... :: LABEL CMD ...": cut argv at each "::" (not
	 * "--", which the commands themselves use). */
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "::") != 0)
			continue;
		argv[i] = NULL;
		if (i + 2 >= argc || strcmp(argv[i + 2], "::") == 0 || ncmd == MAX_CMDS)
			usage();
		cmds[ncmd++] = (struct cmd){.label = argv[i + 1],
					    .argv = &argv[i + 2],
					    .unmount = NULL,
					    .ms = calloc((size_t)rounds, sizeof(double)),
					    .rss = calloc((size_t)rounds, sizeof(long))};
	}
	if (ncmd == 0)
		usage();
	for (int k = 0; k < ncmd; k++) {
		if (strncmp(cmds[k].argv[0], "--unmount=", 10) == 0 && cmds[k].argv[1]) {
			cmds[k].unmount = cmds[k].argv[0] + 10;
			cmds[k].argv++;
		}
		if (strcmp(cmds[k].argv[0], "--pipes") == 0 && cmds[k].argv[1]) {
			cmds[k].pipes = 1;
			cmds[k].argv++;
		}
	}

	for (int r = -warmup; r < rounds; r++)
		for (int k = 0; k < ncmd; k++) {
			/* Rotated: round r starts with command r mod n. */
			struct cmd *c = &cmds[((r + warmup) + k) % ncmd];
			long rss;
			double ms = run_once(c, par, &rss);

			if (r >= 0) {
				c->ms[r] = ms;
				c->rss[r] = rss;
			}
		}

	FILE *out = NULL;
	if (csv) {
		struct stat st;
		int fresh = stat(csv, &st) != 0 || st.st_size == 0;

		out = fopen(csv, "a");
		if (out && fresh)
			fprintf(out, "group,label,parallel,runs,median_ms,p25_ms,p75_ms,min_ms,"
				     "max_ms,ratio_to_floor,peak_rss_kib,failed\n");
	}
	double floor = 0;
	printf("%-28s %4s %9s %19s %17s %7s %9s\n", group, "runs", "median", "p25..p75", "min..max",
	       "ratio", "peak RSS");
	for (int k = 0; k < ncmd; k++) {
		struct cmd *c = &cmds[k];

		qsort(c->ms, (size_t)rounds, sizeof(double), bench_by_value);
		qsort(c->rss, (size_t)rounds, sizeof(long), cmp_long);
		double med = quantile(c->ms, rounds, 0.5), p25 = quantile(c->ms, rounds, 0.25),
		       p75 = quantile(c->ms, rounds, 0.75);
		long rss = c->rss[rounds / 2];
		if (k == 0)
			floor = med;
		printf("  %-26s %4d %6.2f ms %7.2f..%6.2f ms %6.2f..%6.2f %6.2fx %5.2f MiB",
		       c->label, rounds, med, p25, p75, c->ms[0], c->ms[rounds - 1], med / floor,
		       (double)rss / 1024);
		if (c->failed) {
			printf("  FAILED %d (exit %d: %s)", c->failed,
			       WIFEXITED(c->last_rc) ? WEXITSTATUS(c->last_rc) : 128 + WTERMSIG(c->last_rc),
			       c->last_err[0] ? c->last_err : "nothing on stderr");
			failed = 1;
		}
		printf("\n");
		if (out)
			fprintf(out, "%s,%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%ld,%d\n", group,
				c->label, par, rounds, med, p25, p75, c->ms[0], c->ms[rounds - 1],
				med / floor, rss, c->failed);
	}
	if (out)
		fclose(out);
	return failed;
}
