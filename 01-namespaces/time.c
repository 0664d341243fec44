/*
 * time - a time namespace shifts CLOCK_MONOTONIC and CLOCK_BOOTTIME, never
 *        the wall clock.
 *
 * The parent calls unshare(2) with CLONE_NEWTIME. Like CLONE_NEWPID, this
 * does not move the caller: its children will be born in the new namespace
 * (/proc/self/ns/time_for_children). Before the first child exists, the
 * parent writes the offsets of the new namespace to
 * /proc/self/timens_offsets; afterwards they are fixed. The child then
 * reads the clocks and /proc/uptime: uptime and CLOCK_MONOTONIC are ahead by
 * the offset, CLOCK_REALTIME (the date) is the same as outside.
 *
 * System calls: unshare(2) with CLONE_NEWTIME, write(2) to timens_offsets,
 *               clone(2), wait4(2). clock_gettime(2) is answered by the vDSO,
 *               without entering the kernel, so strace does not see it.
 * /proc:        /proc/PID/ns/time and time_for_children, timens_offsets,
 *               /proc/uptime.
 * Look for:     uptime inside = uptime outside + offset; realtime equal; the
 *               second write to timens_offsets fails with EACCES.
 * Read:         time_namespaces(7), clock_gettime(2), unshare(2).
 * Needs Linux 5.6 or later (CONFIG_TIME_NS).
 */
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_OFFSET 315360000L /* ten years */

static long offset = 86400; /* one day */

struct clocks {
	double uptime, mono, boot, real;
};

static double
seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whole seconds, so that -0.2 prints as 0 (and no -lm for lround). */
static long
rounded(double d)
{
	return (long)(d < 0 ? d - 0.5 : d + 0.5);
}

static void
read_clocks(struct clocks *c)
{
	char buf[64];

	/* -1 when unread: the comparison below then fails, saying why once. */
	c->uptime = proc_value("/proc/uptime", buf, sizeof(buf)) ? strtod(buf, NULL) : -1;
	if (c->uptime == -1)
		err_print();
	c->mono = seconds(CLOCK_MONOTONIC);
	c->boot = seconds(CLOCK_BOOTTIME);
	c->real = seconds(CLOCK_REALTIME);
}

static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	struct clocks c;
	char msg[160], ignored[2];

	ns_sync_in_child(sync);
	/* Shown, not needed: the clocks below still tell. */
	if (!proc_ns(0, "time"))
		err_print();
	if (proc_show_lines(0, "timens_offsets") == -1)
		err_print();
	read_clocks(&c);
	snprintf(msg, sizeof(msg), "%.3f %.3f %.3f %.3f", c.uptime, c.mono, c.boot, c.real);
	ns_sync_tell(sync->to_parent[1], msg);
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored));
	return 0;
}

static int
on_option(int opt, const char *arg)
{
	char *end;

	(void)opt;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > MAX_OFFSET) {
		trace_error("--offset '%s': expected whole seconds from 1 to %ld", arg, MAX_OFFSET);
		return -1;
	}
	offset = v;
	return 0;
}

static const struct option options[] = {
    {"offset", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "time",
    .synopsis = "[--offset SECONDS]",
    .about = "unshare(CLONE_NEWTIME), offsets for CLOCK_MONOTONIC and CLOCK_BOOTTIME,\n"
	     "and a child whose uptime is ahead by them while its wall clock is not.\n"
	     "Needs root (CAP_SYS_ADMIN) and Linux 5.6 or later.",
    .look_for = "Uptime inside = uptime outside + offset; realtime equal; the second write to\n"
		"timens_offsets fails with EACCES.",
    .options = "  --offset SECONDS  how far the child's clocks are ahead (default 86400)\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char parent_ns[64], child_ns[64], msg[160] = "";
	struct clocks in = {-1, -1, -1, -1}, out;
	struct ns_sync sync;
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'time --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (!proc_ns_quiet(0, "time")) {
		trace_fail("/proc/self/ns/time (time namespaces need Linux 5.6, CONFIG_TIME_NS)");
		return EXIT_DEMO_FAILED;
	}

	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "time") ?: err_print_as("?"));
	/* <<< unshare */
	if (ns_unshare(CLONE_NEWTIME) == -1)
		return EXIT_DEMO_FAILED;
	/* We stay where we were; our children will not. */
	if (!proc_ns(0, "time"))
		err_print(); /* shown, not needed */
	if (!proc_ns(0, "time_for_children"))
		err_print();
	if (ns_time_offsets(offset) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* >>> unshare */
	if (ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	pid_t pid = ns_clone(SIGCHLD, child_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_in_parent(&sync);
	ns_sync_hear(sync.to_parent[0], msg, sizeof(msg));
	read_clocks(&out);
	sscanf(msg, "%lf %lf %lf %lf", &in.uptime, &in.mono, &in.boot, &in.real);
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "time") ?: err_print_as("?"));
	/* Now that the namespace has a process, its offsets are fixed. */
	trace_note("parent: change the offsets after the first child?");
	int again = ns_time_offsets(offset + 1);
	int again_errno = errno;
	err_clear(); /* the failure we expect */
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;

	/* Equal within two seconds: the two sides read their clocks one after
	 * the other, not at the same instant. */
	int applied = in.uptime - out.uptime > offset - 2 && in.uptime - out.uptime < offset + 2 &&
		      in.mono - out.mono > offset - 2 && in.boot - out.boot > offset - 2;
	int wall_same = in.real - out.real < 2 && out.real - in.real < 2;
	int differs = strcmp(parent_ns, child_ns) != 0;
	trace_fact("time_ns_parent", "%s", parent_ns);
	trace_fact("time_ns_child", "%s", child_ns);
	trace_fact("time_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("offset_seconds", "%ld", offset);
	trace_fact("uptime_outside", "%.0f", out.uptime);
	trace_fact("uptime_inside", "%.0f", in.uptime);
	trace_fact("uptime_difference", "%.0f", in.uptime - out.uptime);
	trace_fact("offsets_applied", "%s", applied ? "yes" : "no");
	trace_fact("wall_clock_same", "%s", wall_same ? "yes" : "no");
	trace_fact("second_write", "%s", again == -1 ? dec_errno(again_errno) : "accepted");

	printf("%-22s %-20s %-20s %s\n", "", "outside (parent)", "inside (child)", "difference");
	printf("%-22s %-20.0f %-20.0f %ld\n", "/proc/uptime (s)", out.uptime, in.uptime,
	       rounded(in.uptime - out.uptime));
	printf("%-22s %-20.0f %-20.0f %ld\n", "CLOCK_MONOTONIC (s)", out.mono, in.mono,
	       rounded(in.mono - out.mono));
	printf("%-22s %-20.0f %-20.0f %ld\n", "CLOCK_BOOTTIME (s)", out.boot, in.boot,
	       rounded(in.boot - out.boot));
	printf("%-22s %-20.0f %-20.0f %ld\n", "CLOCK_REALTIME (s)", out.real, in.real,
	       rounded(in.real - out.real));
	printf("%-22s %-20s %s\n", "/proc/PID/ns/time", parent_ns, child_ns);
	return differs && applied && wall_same && again == -1 && status == 0 ? EXIT_DEMO_OK
									     : EXIT_DEMO_FAILED;
}
