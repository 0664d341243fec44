/*
 * sets - the five capability sets of a process, decoded by name.
 *
 * Reads /proc/PID/status of this process (or of --pid PID) and shows the
 * effective, permitted, inheritable, bounding and ambient sets by name, with
 * what each one means, then asks one question of the kernel that needs a
 * capability: may this process make a UTS namespace (unshare(2),
 * CAP_SYS_ADMIN)? With --userns it shows the same for a child it clone(2)s
 * into a new user namespace: that child holds every capability, but only
 * over what its own namespace owns.
 *
 * System calls: prctl(2) PR_GET_SECUREBITS, unshare(2) CLONE_NEWUTS (a probe
 *               that changes only this process), clone(2) CLONE_NEWUSER.
 * /proc:        /proc/PID/status (CapEff, CapPrm, CapInh, CapBnd, CapAmb,
 *               NoNewPrivs), /proc/sys/kernel/cap_last_cap.
 * Look for:     root: all sets full but inheritable and ambient; an ordinary
 *               user: effective and permitted empty, bounding still full;
 *               in a user namespace: full again, and the probe succeeds.
 * Read:         capabilities(7), user_namespaces(7), proc_pid_status(5).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "caps.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pid_t target;  /* --pid: 0 = this process */
static int in_userns; /* --userns */

/* Prints the sets on stdout, one line each with its meaning, and records
 * them as facts named PREFIX_eff ... */
static void
print_sets(const char *who, const char *prefix, const struct caps_state *st, int last)
{
	static const char *const fact[CAPS_NSETS] = {"eff", "prm", "inh", "bnd", "amb"};
	char names[1024];

	printf("%s\n", who);
	for (int i = 0; i < CAPS_NSETS; i++) {
		printf("  %-11s %016" PRIx64 "  %s\n  %-11s %16s  (%s)\n", caps_set_names[i],
		       st->set[i], caps_describe(st->set[i], last, names, sizeof(names)), "", "",
		       caps_set_meanings[i]);
	}
	for (int i = 0; i < CAPS_NSETS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%s_%s", prefix, fact[i]);
		trace_fact(key, "%016" PRIx64, st->set[i]);
	}
	printf("  no_new_privs %d\n", st->no_new_privs);
	fflush(stdout);
}

/* <<< probe */
/* A question only CAP_SYS_ADMIN (in the user namespace that owns our UTS
 * namespace) answers yes to. The new namespace is ours alone and goes away
 * with us, so asking changes nothing anyone else sees. */
static const char *
probe(void)
{
	if (ns_unshare(CLONE_NEWUTS) == -1)
		return dec_errno(errno);
	return "0";
}
/* >>> probe */

static int
show_self(const char *who, const char *prefix)
{
	struct caps_state st;
	int last = caps_last_cap();
	char key[64];

	if (last < 0 || caps_show(0, &st) == -1) {
		trace_fail("/proc/self/status");
		return EXIT_DEMO_FAILED;
	}
	int bits = caps_get_securebits();
	print_sets(who, prefix, &st, last);
	printf("  securebits   %s\n", bits >= 0 ? caps_securebits_names((unsigned)bits) : "?");
	const char *result = probe();
	printf("  unshare(CLONE_NEWUTS) = %s%s\n\n", strcmp(result, "0") == 0 ? "" : "-1 ", result);
	fflush(stdout);
	snprintf(key, sizeof(key), "%s_probe_unshare", prefix);
	trace_fact(key, "%s", result);
	return EXIT_DEMO_OK;
}

/* <<< userns-child */
static int
userns_child(void *arg)
{
	(void)arg;
	/* A new user namespace gives its first process every capability in
	 * it, whoever created it (user_namespaces(7)). They count only for
	 * namespaces this one owns: the UTS namespace the probe makes, yes;
	 * the host's files, network, clock, no. */
	return show_self("in a new user namespace:", "userns");
}
/* >>> userns-child */

static int
on_option(int opt, const char *arg)
{
	char *end;

	if (opt == 'u') {
		in_userns = 1;
		return 0;
	}
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > 4194304) {
		trace_error("--pid '%s': expected a process id (1 to 4194304)", arg);
		return -1;
	}
	target = (pid_t)v;
	return 0;
}

static const struct option options[] = {
    {"pid", required_argument, NULL, 'p'},
    {"userns", no_argument, NULL, 'u'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "sets",
    .synopsis = "[--pid PID] [--userns]",
    .about = "Shows the five capability sets (effective, permitted, inheritable, bounding,\n"
	     "ambient) of this process or of PID, by name, and whether it may make a\n"
	     "namespace. Run it as root, as an ordinary user, and with --userns.",
    .look_for = "Root: all sets full but inheritable and ambient; an ordinary user: effective\n"
		"and permitted empty, bounding still full; in a user namespace: full again,\n"
		"and the probe succeeds.",
    .options = "  --pid PID   show the sets of process PID instead\n"
	       "  --userns    also show a child in a new user namespace\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	int last, status, ret;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'sets --help'", argv[optind]);
		return EXIT_USAGE;
	}
	/* The count of capabilities is the kernel's, not a constant. */
	char value[32];
	if (!proc_value("/proc/sys/kernel/cap_last_cap", value, sizeof(value)) ||
	    (last = caps_last_cap()) < 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	trace_fact("cap_last_cap", "%d", last);
	printf("this kernel knows %d capabilities (0 to cap_last_cap %d)\n\n", last + 1, last);

	if (target) {
		struct caps_state st;
		char who[64];

		if (caps_show(target, &st) == -1) {
			trace_error("--pid %d: no such process, or its status is unreadable",
				    (int)target);
			return EXIT_DEMO_FAILED;
		}
		snprintf(who, sizeof(who), "process %d:", (int)target);
		print_sets(who, "pid", &st, last);
		return EXIT_DEMO_OK;
	}
	ret =
	    show_self(geteuid() == 0 ? "this process (root):" : "this process (not root):", "self");
	if (!in_userns || ret != EXIT_DEMO_OK)
		return ret;

	pid_t pid = ns_clone(CLONE_NEWUSER | SIGCHLD, userns_child, NULL);
	if (pid == -1) {
		err_print(); /* and why the host refused, when it knows */
		return EXIT_DEMO_FAILED;
	}
	if (ns_wait(pid, &status) == -1 || status != 0)
		return EXIT_DEMO_FAILED;
	printf("The child holds every capability, but in its own user namespace only:\n"
	       "over the host's files, network or clock it has none.\n");
	return EXIT_DEMO_OK;
}
