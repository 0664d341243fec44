/*
 * seccomp - a filter on system calls: fail one, kill on another, for good.
 *
 * A child loads a filter built from a two-row table: getppid(2) fails with
 * EPERM (a call that cannot fail, failing), sched_yield(2) kills the
 * process. /proc/self/status then says "Seccomp: 2" (filter mode) and
 * counts the filters. The filter cannot be switched off, and a second one
 * only adds to it. The child then execve(2)s this program again: the filter
 * is still there, getppid still fails, and sched_yield kills it - the
 * parent sees SIGSYS in the wait status. Last, another child loads the
 * launcher's default profile and runs harmless probes through it.
 *
 * System calls: prctl(2) PR_SET_NO_NEW_PRIVS and PR_SET_SECCOMP,
 *               seccomp(2) SECCOMP_SET_MODE_FILTER, getppid(2),
 *               sched_yield(2), execve(2), wait4(2), and the probes.
 * /proc:        /proc/self/status: NoNewPrivs, Seccomp, Seccomp_filters.
 * Look for:     getppid() = -1 EPERM; Seccomp 2; "killed by SIGSYS";
 *               keyctl, mount, unshare, socket(AF_VSOCK), ioctl(TIOCSTI)
 *               EPERM and clone3 ENOSYS under the default profile, while
 *               getpid and uname work.
 * Read:         seccomp(2), seccomp_rule_add(3), prctl(2), capabilities(7).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "caps.h"
#include "sc.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int after_exec, show_profile; /* --after-exec: we are the re-executed program */

/* <<< demo-table */
static const struct sc_rule demo_rules[] = {
    {"getppid", SC_EPERM, SC_ALWAYS, 0, "cannot fail - unless a filter says so"},
    {"sched_yield", SC_KILL, SC_ALWAYS, 0, "kills the caller with SIGSYS"},
};
static const struct sc_profile demo = {"demo", demo_rules, 2, SC_ALLOW, SC_ALLOW, NULL, 0};
/* >>> demo-table */
static const struct sc_profile allow_all = {"allow-all", NULL, 0, SC_ALLOW, SC_ALLOW, NULL, 0};

static const char *
try_getppid(void)
{
	/* syscall(2), not glibc's getppid(): that wrapper assumes the call
	 * cannot fail and never sets errno. */
	return dec_result(TRACE(syscall(SYS_getppid), "getppid", "%s", ""));
}

/* The seccomp lines of /proc/self/status, as proc events and facts. */
static void
show_mode(const char *suffix)
{
	struct caps_state st;
	char key[64];

	if (proc_show_status(0) == -1 || caps_read(0, &st) == -1) {
		err_print(); /* the child goes on: its calls below still tell */
		return;
	}
	snprintf(key, sizeof(key), "seccomp_mode%s", suffix);
	trace_fact(key, "%d", st.seccomp);
	snprintf(key, sizeof(key), "seccomp_filters%s", suffix);
	trace_fact(key, "%d", st.seccomp_filters);
	printf("Seccomp: %d, Seccomp_filters: %d, NoNewPrivs: %d\n", st.seccomp, st.seccomp_filters,
	       st.no_new_privs);
	fflush(stdout);
}

/* <<< filter-child */
static int
filter_child(void *arg)
{
	char *self = arg;
	struct rlimit no_core = {0, 0};

	/* A SIGSYS kill dumps core by default: not into the reader's directory. */
	setrlimit(RLIMIT_CORE, &no_core);
	/* Without CAP_SYS_ADMIN a filter needs no_new_privs first: a filter
	 * could otherwise trick a set-uid program into failing half-way. */
	if (caps_set_no_new_privs() == -1 || sc_apply(&demo, NULL, 0) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	show_mode("");
	trace_fact("getppid", "%s", try_getppid());
	/* There is no way back: mode 0 ("disabled") is not a mode one can set. */
	trace_fact("disable", "%s",
		   dec_result(TRACE(prctl(PR_SET_SECCOMP, SECCOMP_MODE_DISABLED, 0, 0, 0), "prctl",
				    "PR_SET_SECCOMP, SECCOMP_MODE_DISABLED")));
	/* A filter that allows everything is added, not substituted: every
	 * filter runs, and the strictest answer wins. */
	if (sc_apply(&allow_all, NULL, 0) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	show_mode("_after_second");
	trace_fact("getppid_after_second_filter", "%s", try_getppid());
	fflush(stdout);
	trace_note("execve(%s, [\"seccomp\", \"--after-exec\"]): the filters stay", self);
	execl(self, "seccomp", "--after-exec", "--no-color", (char *)NULL);
	trace_fail("execve");
	return EXIT_DEMO_FAILED;
}
/* >>> filter-child */

/* The re-executed program: same filters, new image. */
static int
run_after_exec(void)
{
	struct caps_state st;

	caps_read(0, &st);
	printf("after execve: Seccomp %d, Seccomp_filters %d, getppid() = %s\n", st.seccomp,
	       st.seccomp_filters, try_getppid());
	printf("after execve: sched_yield() ...\n");
	fflush(stdout);
	trace_note("sched_yield(): the filter kills us; it never returns");
	syscall(SYS_sched_yield);
	printf("after execve: still alive - the filter did not kill\n");
	return EXIT_DEMO_FAILED;
}

/* <<< probes */
static int
profile_child(void *arg)
{
	struct sc_probe p[16];
	int bad = 0;
	(void)arg;

	if (sc_apply_default() == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	size_t n = sc_probe_default(p, sizeof(p) / sizeof(p[0]));
	for (size_t i = 0; i < n; i++) {
		char key[64];

		snprintf(key, sizeof(key), "profile_%s", p[i].name);
		trace_fact(key, "%s", p[i].got);
		printf("  %-16s %-7s %s\n", p[i].name, p[i].got,
		       strcmp(p[i].got, p[i].expect) == 0 ? "as the profile says" : "UNEXPECTED");
		bad |= strcmp(p[i].got, p[i].expect) != 0;
	}
	fflush(stdout);
	return bad ? EXIT_DEMO_FAILED : EXIT_DEMO_OK;
}
/* >>> probes */

static int
on_option(int opt, const char *arg)
{
	(void)arg;
	after_exec |= opt == 'x';
	show_profile |= opt == 'p';
	return 0;
}

static const struct option options[] = {
    {"after-exec", no_argument, NULL, 'x'}, /* hidden: the re-executed half */
    {"show-profile", no_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "seccomp",
    .synopsis = "[--show-profile]",
    .about = "Loads a seccomp filter that makes getppid fail with EPERM and sched_yield\n"
	     "kill the process, shows it in /proc/self/status, shows that it survives\n"
	     "execve and cannot be removed, then runs probes through the launcher's\n"
	     "default profile.",
    .look_for = "Getppid() = -1 EPERM; Seccomp 2; \"killed by SIGSYS\"; keyctl, mount, unshare,\n"
		"socket(AF_VSOCK), ioctl(TIOCSTI) EPERM and clone3 ENOSYS under the default\n"
		"profile, while getpid and uname work.",
    .options = "  --show-profile  print the launcher's default profile and exit\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char self[4096] = ""; /* readlink(2) adds no '\0' */
	int status, ok = 1;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'seccomp --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (after_exec)
		return run_after_exec();
	if (show_profile) {
		cap_value_t caps[32];
		int n = caps_default(caps, 32);

		sc_print(stdout, &sc_default_profile, caps, n > 0 ? (size_t)n : 0);
		return EXIT_DEMO_OK;
	}
	/* The program to re-execute: this one, by the path the kernel knows. */
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		trace_fail("/proc/self/exe");
		return EXIT_DEMO_FAILED;
	}
	if (proc_show_status(0) == -1)
		err_print(); /* shown, not needed */
	fflush(stdout);

	/* <<< kill */
	pid_t pid = ns_clone(SIGCHLD, filter_child, self);
	if (pid == -1 || ns_wait(pid, &status) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* A call a filter kills never returns: the only witness is the
	 * parent, which reads the signal out of the wait status. */
	int killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
	/* >>> kill */
	trace_fact("child_end", "%s", dec_wait_status(status));
	printf("the filtered child: %s\n\n", dec_wait_status(status));
	ok &= killed;

	printf("the launcher's default profile (%s), with Docker's 14 capabilities:\n",
	       sc_default_profile.name);
	fflush(stdout);
	pid = ns_clone(SIGCHLD, profile_child, NULL);
	if (pid == -1 || ns_wait(pid, &status) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	ok &= status == 0;
	printf("\n%s\n",
	       ok ? "Capabilities gate privileged operations; seccomp decides which calls\n"
		    "may be made at all, and for good."
		  : trace_unexpected());
	return ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
