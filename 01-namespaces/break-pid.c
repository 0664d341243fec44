/*
 * break-pid - a process that shares a pid namespace can see, and signal,
 *             processes it should not.
 *
 * Everything happens in a pid namespace the program makes itself, so no
 * process of the host is ever looked at or signalled. Its pid 1 starts a
 * "victim" (a process that sleeps) and an "attacker" in the same pid
 * namespace: the attacker finds the victim in /proc by name and kills it.
 * Then a second victim, and an attacker in a pid namespace of its own, with
 * its own /proc: it finds no victim, and kill(2) on the victim's pid fails
 * with ESRCH, because that number means nothing, or someone else, there.
 *
 * System calls: clone(2) with CLONE_NEWPID|CLONE_NEWNS, mount(2), kill(2),
 *               wait4(2).
 * /proc:        /proc/PID/comm of every process the attacker can see.
 * Look for:     attacker 1 kill(N, SIGKILL) = 0 and the victim "killed by
 *               SIGKILL"; attacker 2 kill(N, SIGKILL) = -1 ESRCH.
 * Read:         pid_namespaces(7), kill(2), proc(5).
 */
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The pid of a process named "victim" in the /proc we see, or 0. */
static pid_t
find_victim(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	char path[300], comm[32];

	while (d && (e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (proc_read(path, comm, sizeof(comm)) > 0 && strcmp(comm, "victim\n") == 0) {
			trace_proc(path, "victim");
			found = atoi(e->d_name);
		}
	}
	if (d)
		closedir(d);
	return found;
}

static int
victim_main(void *arg)
{
	int *ready = arg;

	prctl(PR_SET_NAME, "victim");
	close(ready[0]);
	close(ready[1]); /* end of file on the pipe: our name is set */
	for (;;)
		pause();
	return 0; /* not reached */
}

/* <<< attack */
static int
attacker_main(void *arg)
{
	pid_t target = (pid_t)(long)arg; /* the victim's pid in pid 1's namespace */

	if (getpid() == 1) { /* our own pid namespace: our own /proc too */
		if (ns_make_private() == -1 || ns_mount_proc("/proc") == -1) {
			err_print();
			return 2;
		}
	}
	trace_note("attacker: pid %d here; looking for a process named victim in /proc",
		   (int)getpid());
	pid_t seen = find_victim();
	trace_fact(getpid() == 1 ? "separate_attacker_sees_victim" : "shared_attacker_sees_victim",
		   "%s", seen ? "yes" : "no");
	long r = TRACE(kill(target, SIGKILL), "kill", "%d, SIGKILL", (int)target);
	return r == 0 ? 0 : 1; /* 0: the kill went through */
}
/* >>> attack */

/* One round: a victim, an attacker (in a new pid namespace if FLAGS says so).
 * Returns the victim's end ("killed by SIGKILL" or "alive"). */
static const char *
round_with(unsigned long flags, int *attack_status)
{
	int ready[2];
	char b;
	int status;

	if (pipe2(ready, O_CLOEXEC) == -1)
		return "?";
	pid_t victim = ns_clone(SIGCHLD, victim_main, ready);
	close(ready[1]);
	while (read(ready[0], &b, 1) > 0)
		;
	close(ready[0]);
	if (victim == -1)
		return "?";
	pid_t attacker = ns_clone(flags | SIGCHLD, attacker_main, (void *)(long)victim);
	if (attacker == -1 || ns_wait(attacker, attack_status) == -1)
		return "?";
	/* Still there? A SIGKILL takes a moment to land: ask for half a second,
	 * without blocking (WNOHANG), whether our child has ended. */
	for (int i = 0; i < 50; i++) {
		if (waitpid(victim, &status, WNOHANG) == victim)
			return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
				   ? "killed by SIGKILL"
				   : "ended";
		usleep(10000);
	}
	/* Ours to clean up: it is our own child. */
	TRACE(kill(victim, SIGKILL), "kill", "%d, SIGKILL", (int)victim);
	ns_wait(victim, &status);
	return "alive";
}

static int
init_main(void *arg)
{
	struct ns_sync *sync = arg;
	int s1 = -1, s2 = -1;
	char go[8];

	ns_sync_in_child(sync);
	ns_sync_hear(sync->to_child[0], go, sizeof(go)); /* the parent has looked at us */
	ns_sync_close(sync);
	if (ns_make_private() == -1 || ns_mount_proc("/proc") == -1) {
		err_print();
		return 1;
	}
	trace_note("pid 1: round 1, the attacker shares our pid namespace");
	const char *end1 = round_with(0, &s1);
	trace_fact("shared_victim_end", "%s", end1);
	trace_note("pid 1: round 2, the attacker gets a pid namespace (and /proc) of its own");
	const char *end2 = round_with(CLONE_NEWPID | CLONE_NEWNS, &s2);
	trace_fact("separate_victim_end", "%s", end2);
	printf("%-34s %-22s %s\n", "", "shared pid namespace", "own pid namespace");
	printf("%-34s %-22s %s\n", "attacker's kill(victim, SIGKILL)",
	       s1 == 0 ? "0 (delivered)" : "failed", s2 == 0 ? "0 (delivered)" : "-1 ESRCH");
	printf("%-34s %-22s %s\n", "victim", end1, end2);
	fflush(stdout);
	return strcmp(end1, "killed by SIGKILL") == 0 && strcmp(end2, "alive") == 0 ? 0 : 1;
}

static const struct trace_prog prog = {
    .name = "break-pid",
    .synopsis = "",
    .about = "In a pid namespace of its own making: an attacker sharing the victim's pid\n"
	     "namespace finds and kills it; one in a separate pid namespace cannot even\n"
	     "see it (kill: ESRCH). Signals only processes it created. Needs root.",
    .look_for = "Attacker 1 kill(N, SIGKILL) = 0 and the victim \"killed by SIGKILL\"; attacker\n"
		"2 kill(N, SIGKILL) = -1 ESRCH.",
};

int
main(int argc, char **argv)
{
	char parent_ns[64], child_ns[64];
	struct ns_sync sync;
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'break-pid --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "pid") ?: err_print_as("?"));
	fflush(stdout);
	/* A whole pid namespace for the experiment: when its pid 1 exits, the
	 * kernel kills whatever is left in it. */
	if (ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	pid_t pid = ns_clone(CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, init_main, &sync);
	if (pid == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_in_parent(&sync);
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "pid") ?: err_print_as("?"));
	ns_sync_close(&sync); /* go */
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;
	trace_fact("pid_ns_parent", "%s", parent_ns);
	trace_fact("pid_ns_child", "%s", child_ns);
	trace_fact("pid_ns_differs", "%s", strcmp(parent_ns, child_ns) != 0 ? "yes" : "no");
	printf("\nHow nutshell prevents it: `nutshell run` gives every container a pid\n"
	       "namespace of its own, with a fresh /proc mounted inside it, so a container\n"
	       "sees only its own processes and can signal nothing outside.\n");
	return status == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
