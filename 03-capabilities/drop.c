/*
 * drop - root without one capability: exactly what stops working.
 *
 * A child in a new network namespace (so no host port is touched) tries
 * three things root can do: give a file away with chown(2) (CAP_CHOWN),
 * bind port 80 (CAP_NET_BIND_SERVICE), read a file of mode 000
 * (CAP_DAC_OVERRIDE, and CAP_DAC_READ_SEARCH, which allows reading too).
 * Each succeeds first; then a grandchild drops the capability from every set
 * and tries again, and fails with the errno the kernel gives. Port 8080
 * still works without CAP_NET_BIND_SERVICE: only the privilege went, not the
 * network.
 *
 * System calls: clone(2) CLONE_NEWNET, prctl(2) PR_CAPBSET_DROP, capset(2),
 *               chown(2), socket(2), bind(2), openat(2), wait4(2).
 * /proc:        /proc/self/status CapEff before and after each drop.
 * Look for:     "= 0" before, "= -1 EPERM" (chown) or "EACCES" (bind, open)
 *               after; DAC_OVERRIDE alone is not enough to stop reading.
 * Read:         capabilities(7), chown(2), bind(2), ip(7), path_resolution(7).
 */
#include "../01-namespaces/ns.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "caps.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/nutshell-drop.XXXXXX";
static char file[64];

struct demo {
	const char *caps; /* dropped, comma-separated */
	const char *fact; /* facts FACT_before, FACT_after */
	const char *(*probe)(const char *file);
	const char *expect; /* after the drop */
};

static const char *
try_bind80(const char *unused)
{
	(void)unused;
	return caps_try_bind(80);
}

static const struct demo demos[] = {
    {"CAP_CHOWN", "chown", caps_try_chown, "EPERM"},
    {"CAP_NET_BIND_SERVICE", "bind_80", try_bind80, "EACCES"},
    {"CAP_DAC_OVERRIDE", "read_000_no_dac_override", caps_try_read, "0"},
    {"CAP_DAC_OVERRIDE,CAP_DAC_READ_SEARCH", "read_000", caps_try_read, "EACCES"},
    {NULL, NULL, NULL, NULL},
};

/* --cap NAME: drop NAME, then try all three. */
static char cap_name[64];
static const char *
try_all(const char *file)
{
	static char summary[128];
	const char *c = caps_try_chown(file), *b = caps_try_bind(80), *r = caps_try_read(file);

	if (strcmp(c, "0") == 0 && strcmp(b, "0") == 0 && strcmp(r, "0") == 0)
		return "0";
	snprintf(summary, sizeof(summary), "chown %s, bind port 80 %s, read mode 000 %s", c, b, r);
	return summary;
}
/* Whatever dropping NAME does is the result: no expectation (NULL). */
static struct demo one[] = {
    {cap_name, "probes", try_all, NULL},
    {NULL, NULL, NULL, NULL},
};

/* <<< grandchild */
/* In a grandchild: drop the capabilities, show CapEff, try again. */
static int
after_drop(void *arg)
{
	const struct demo *d = arg;
	cap_value_t caps[4];
	int n = caps_parse_list(d->caps, caps, 4);

	for (int i = 0; i < n; i++)
		if (caps_drop(caps[i]) == -1)
			return EXIT_DEMO_FAILED;
	caps_show(0, NULL);
	const char *r = d->probe(file);
	trace_fact_kv(d->fact, "_after", r);
	printf("  without %-36s %s\n", d->caps, strcmp(r, "0") == 0 ? "works" : r);
	int ok = !d->expect || strcmp(r, d->expect) == 0;
	if (d->probe == try_bind80) {
		r = caps_try_bind(8080);
		trace_fact("bind_8080_after", "%s", r);
		printf("  without %-36s port 8080 %s\n", d->caps,
		       strcmp(r, "0") == 0 ? "works" : r);
		ok = ok && strcmp(r, "0") == 0;
	}
	fflush(stdout);
	return ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
/* >>> grandchild */

/* Runs the demos in a new network namespace: before, then after a drop. */
static int
child_main(void *arg)
{
	const struct demo *list = arg;
	int failed = 0, status;

	/* A new network namespace has lo, down (and, where their modules are
	 * loaded, fallback tunnels such as tunl0, which the demos do not use). */
	struct nl_sock *nl = ns_rtnl_open();
	if (!nl || ns_link_up(nl, "lo") == -1)
		return EXIT_DEMO_FAILED;
	ns_rtnl_close(nl);
	for (const struct demo *d = list; d->caps; d++) {
		trace_note("%s: as root with every capability, then without %s", d->fact, d->caps);
		const char *r = d->probe(file);
		trace_fact_kv(d->fact, "_before", r);
		printf("%s\n  with every capability %22s %s\n", d->fact, "",
		       strcmp(r, "0") == 0 ? "works" : r);
		fflush(stdout);
		failed |= strcmp(r, "0") != 0;
		/* A capability dropped is gone for good: drop it in a process
		 * of its own, so the next demo starts with all of them. */
		pid_t pid = ns_clone(SIGCHLD, after_drop, (void *)d);
		if (pid == -1 || ns_wait(pid, &status) == -1 || status != 0)
			failed = 1;
	}
	return failed ? EXIT_DEMO_FAILED : EXIT_DEMO_OK;
}

static int
on_option(int opt, const char *arg)
{
	cap_value_t cap;

	(void)opt;
	if (caps_from_name(arg, &cap) == -1) {
		err_prefix("--cap");
		err_print();
		return -1;
	}
	snprintf(cap_name, sizeof(cap_name), "%s", caps_name(cap));
	return 0;
}

static const struct option options[] = {
    {"cap", required_argument, NULL, 'c'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "drop",
    .synopsis = "[--cap NAME]",
    .about = "As root, in a network namespace of its own, chowns a file, binds port 80 and\n"
	     "reads a mode-000 file; then drops one capability and shows which of them\n"
	     "fails, and with which errno. Needs root.",
    .look_for = "\"= 0\" before, \"= -1 EPERM\" (chown) or \"EACCES\" (bind, open) after;\n"
		"DAC_OVERRIDE alone is not enough to stop reading.",
    .options = "  --cap NAME  drop NAME (CHOWN, CAP_KILL, ...) and try all three instead\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	int status, ret = EXIT_DEMO_FAILED;
	sigset_t old;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'drop --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	caps_show(0, NULL);

	/* The directory of the probes' file (root's, mode 000) must not
	 * outlive us: Ctrl-C (or a kill) waits for the cleanup below, and then
	 * ends us as it would have. The children inherit the mask and finish
	 * their few probes first. */
	if (wait_guarded_tmpdir(dir, &old) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(file, sizeof(file), "%s/secret", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd == -1) {
		trace_fail(file);
		goto out;
	}
	close(fd);

	/* <<< netns */
	/* CLONE_NEWNET: port 80 of a namespace of our own, never the host's. */
	pid_t pid = ns_clone(CLONE_NEWNET | SIGCHLD, child_main, cap_name[0] ? one : (void *)demos);
	/* >>> netns */
	if (pid == -1 || ns_wait(pid, &status) == -1)
		goto out;
	if (status == 0 && cap_name[0]) {
		/* One capability of the reader's choice: it may refuse nothing at
		 * all, when another capability covers the same check. */
		ret = EXIT_DEMO_OK;
		printf("\nWithout %s a probe fails only where no other capability covers its\n"
		       "check (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH both let root read).\n",
		       cap_name);
	} else if (status == 0) {
		ret = EXIT_DEMO_OK;
		printf("\nEach capability opens one door; root without it is refused there and\n"
		       "nowhere else.\n");
	} else {
		printf("\n%s\n", trace_unexpected());
	}
out:
	unlink(file);
	rmdir(dir);
	sigprocmask(SIG_SETMASK, &old, NULL); /* a pending Ctrl-C ends us now */
	return ret;
}
