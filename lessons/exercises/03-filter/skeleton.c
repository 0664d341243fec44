/*
 * Exercise 03-filter - one system call fails, the rest works: seccomp.
 *
 * The program starts a child (fork) that calls getppid(2) and getpid(2)
 * and reads the Seccomp line of /proc/self/status; the parent does the
 * same afterwards, as the comparison. getppid cannot fail - unless a
 * seccomp filter says so. Missing:
 *
 *   TODO 1  the profile makes getppid fail with EPERM;
 *   TODO 2  the child builds the filter, is allowed to load it, loads it.
 *           README.md has a hint for each: the man page, the effect.
 *
 * The child's getppid should then fail with EPERM and its getpid work,
 * and its status say "Seccomp: 2" (a filter); the parent has no filter.
 * A filter belongs to the process that loads it and its children: it
 * ends with the child.
 * Build and grade:  sudo make grade EX=03-filter
 * Run it yourself:  sudo ./lessons/exercises/03-filter/skeleton
 * Read:             seccomp(2), prctl(2) (PR_SET_NO_NEW_PRIVS), 03-capabilities/seccomp.c.
 */
#include "03-capabilities/caps.h"
#include "03-capabilities/sc.h"
#include "common/decode.h"
#include "common/err.h"
#include "common/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* TODO 1: getppid is allowed, as every other call. */
static const struct sc_rule rules[] = {
    {"getppid", SC_ALLOW, SC_ALWAYS, 0, "cannot fail - unless a filter says so"},
};
/* Every call the table does not list is allowed. */
static const struct sc_profile profile = {"ex-filter", rules, 1, SC_ALLOW, SC_ALLOW, NULL, 0};

/* The calls and the status line, as facts named WHO_getppid ... */
static int
look(const char *who)
{
	struct caps_state st;
	char key[64];

	/* syscall(2), not glibc's getppid(): that wrapper assumes the call
	 * cannot fail and never sets errno. */
	long ppid = TRACE(syscall(SYS_getppid), "getppid", "%s", "");
	snprintf(key, sizeof(key), "%s_getppid", who);
	trace_fact(key, "%s", ppid == -1 ? dec_errno(errno) : "ok");
	long pid = TRACE(syscall(SYS_getpid), "getpid", "%s", "");
	snprintf(key, sizeof(key), "%s_getpid", who);
	trace_fact(key, "%s", pid == -1 ? dec_errno(errno) : "ok");
	if (caps_read(0, &st) == -1)
		return -1;
	snprintf(key, sizeof(key), "%s_seccomp", who);
	trace_fact(key, "%d", st.seccomp);
	printf("%-7s getppid: %-6s getpid: %-6s Seccomp: %d\n", who,
	       ppid == -1 ? dec_errno(errno) : "ok", pid == -1 ? "failed" : "ok", st.seccomp);
	fflush(stdout);
	return ppid == -1 ? 1 : 0; /* 1: getppid refused */
}

static int
child_main(void)
{
	struct rlimit no_core = {0, 0};

	/* A filter that kills (SC_KILL) would dump core: not in your directory. */
	setrlimit(RLIMIT_CORE, &no_core);

	/* TODO 2: the filter, built and loaded (README.md). */

	return look("child") == 1 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 03-filter: a seccomp filter makes getppid fail with EPERM.",
};

int
main(int argc, char **argv)
{
	int status = -1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	const char *says = sc_action_name(sc_decide(&profile, "getppid", NULL, 0));
	trace_fact("profile_getppid", "%s", says);
	printf("the profile %s: getppid %s, every other call allow\n", profile.name, says);
	fflush(stdout);
	trace_begin("clone",
		    "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main());
	if (trace_end(pid) < 0)
		return EXIT_DEMO_FAILED;
	if (TRACE(waitpid(pid, &status, 0), "wait4", "%d, &status, 0, NULL", (int)pid) < 0)
		return EXIT_DEMO_FAILED;
	trace_note("child %s", dec_wait_status(status));
	trace_fact("child_status", "%s", dec_wait_status(status));
	int parent = look("parent");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && parent == 0 ? EXIT_DEMO_OK
									    : EXIT_DEMO_FAILED;
}
