/*
 * enter - join the namespaces of a running process (a small nsenter(1)).
 *
 * For each namespace chosen with --ns (default: every one in which the
 * target differs from us), it opens /proc/PID/ns/TYPE and calls setns(2)
 * on it, then runs COMMAND (default: hostname) in a child. A namespace is
 * a file: holding its descriptor is enough to join it, as long as the
 * namespace lives. Joining a pid namespace changes the namespace of the
 * caller's future children only (setns(2)), which is one reason the command
 * runs in a child.
 *
 * System calls: openat(2) on /proc/PID/ns/TYPE, setns(2), clone(2) (the
 *               command's child), wait4(2).
 * /proc:        /proc/PID/ns/TYPE of the target, /proc/self/ns/TYPE before and
 *               after; /proc/self/ns/pid_for_children after joining a pid
 *               namespace.
 * Look for:     our ns id changes to the target's, type by type; the command
 *               prints what the target sees (its hostname).
 * Exit status:  the command's; 1 when a step failed, 2 for bad input,
 *               127 when the command cannot be run.
 * Read:         setns(2), nsenter(1), namespaces(7).
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The order nsenter(1) uses: the user namespace first, for the capabilities
 * to join the others; mnt late, as it changes what /proc/PID paths mean. */
static const struct {
	const char *name;
	int flag;
} order[8] = {
    {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},	  {"pid", CLONE_NEWPID},
    {"mnt", CLONE_NEWNS},    {"time", CLONE_NEWTIME},
};

static pid_t target;
static int chosen[8], any_chosen;

static int
on_option(int opt, const char *arg)
{
	char copy[256], *end;

	if (opt == 't') {
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || *end || arg[0] < '1' || arg[0] > '9' || v > 4194304) {
			trace_error("--target '%s': expected a process id", arg);
			return -1;
		}
		target = (pid_t)v;
		return 0;
	}
	snprintf(copy, sizeof(copy), "%s", arg);
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < 8 && strcmp(order[i].name, t) != 0)
			i++;
		if (i == 8) {
			trace_error(
			    "--ns '%s': expected a comma-separated list of cgroup, ipc, mnt, "
			    "net, pid, time, user, uts",
			    t);
			return -1;
		}
		chosen[i] = any_chosen = 1;
	}
	return 0;
}

/* <<< join */
/* Opens every chosen ns file first (after setns(CLONE_NEWNS) our /proc
 * may be another), then joins them in order. */
static int
join(int fds[8])
{
	char path[64], name[16], fact[32];

	for (size_t i = 0; i < 8; i++) {
		if (!chosen[i])
			continue;
		snprintf(name, sizeof(name), "ns/%s", order[i].name);
		proc_path(path, sizeof(path), target, name);
		fds[i] = (int)TRACE(open(path, O_RDONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
				    trace_str(path), dec_open(O_RDONLY | O_CLOEXEC));
		if (fds[i] == -1)
			return -1;
	}
	for (size_t i = 0; i < 8; i++) {
		if (!chosen[i])
			continue;
		char before[64];
		snprintf(before, sizeof(before), "%s", proc_ns_quiet(0, order[i].name) ?: "?");
		if (ns_setns(fds[i], order[i].flag) == -1)
			return -1;
		/* pid: we stay where we are; our next child is born there. */
		const char *shown =
		    order[i].flag == CLONE_NEWPID ? "pid_for_children" : order[i].name;
		const char *after = proc_ns(0, shown);
		if (!after)
			err_print(); /* the facts say "?" */
		snprintf(fact, sizeof(fact), "%s_ns_parent", order[i].name);
		trace_fact(fact, "%s", before);
		snprintf(fact, sizeof(fact), "%s_ns_child", order[i].name);
		trace_fact(fact, "%s", after ? after : "?");
		snprintf(fact, sizeof(fact), "%s_ns_differs", order[i].name);
		trace_fact(fact, "%s", after && strcmp(before, after) != 0 ? "yes" : "no");
	}
	return 0;
}
/* >>> join */

static int
run_command(void *arg)
{
	char **cmd = arg;

	execvp(cmd[0], cmd);
	trace_error("cannot run '%s': %s", cmd[0], strerror(errno));
	return 127;
}

static const struct option options[] = {
    {"target", required_argument, NULL, 't'},
    {"ns", required_argument, NULL, 'n'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "enter",
    .synopsis = "--target PID [--ns TYPE,...] [-- COMMAND [ARG...]]",
    .about = "Joins the namespaces of process PID with setns(2) and runs COMMAND there\n"
	     "(default: hostname). Look for our /proc/self/ns ids turning into the\n"
	     "target's. Needs root (CAP_SYS_ADMIN over the target's namespaces).",
    .look_for = "Our ns id changes to the target's, type by type; the command prints what the\n"
		"target sees (its hostname).",
    .options = "  --target PID    the process whose namespaces to join\n"
	       "  --ns TYPE,...   which of cgroup, ipc, mnt, net, pid, time, user, uts\n"
	       "                  (default: every one in which PID differs from us)\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char *default_cmd[] = {"hostname", NULL}, path[32];
	int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, status;
	struct stat st;

	int first = trace_main(&prog, argc, argv);
	char **cmd = first < argc ? argv + first : default_cmd;
	if (target == 0) {
		trace_error("missing --target PID; see 'enter --help'");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)target);
	if (stat(path, &st) == -1) {
		trace_error("--target %d: no such process", (int)target);
		return EXIT_DEMO_FAILED;
	}
	trace_need_root();

	trace_note("target %d and us, before", (int)target);
	for (size_t i = 0; i < 8; i++) {
		/* A type this kernel lacks (time before 5.6) is said and skipped. */
		const char *theirs = proc_ns(target, order[i].name);
		char t[64];
		snprintf(t, sizeof(t), "%s", theirs ? theirs : err_print_as(""));
		const char *ours = proc_ns(0, order[i].name);
		if (!ours)
			err_print();
		if (!any_chosen && theirs && ours && strcmp(t, ours) != 0)
			chosen[i] = 1;
	}
	if (join(fds) == -1) {
		trace_fail("joining the target's namespaces");
		return EXIT_DEMO_FAILED;
	}
	/* <<< run */
	fflush(stdout);
	pid_t pid = ns_clone(SIGCHLD, run_command, cmd);
	/* >>> run */
	if (pid == -1 || ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;
	for (size_t i = 0; i < 8; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
