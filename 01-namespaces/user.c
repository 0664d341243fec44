/*
 * user - a user namespace makes an ordinary user root, of its own things only.
 *
 * Runs unprivileged: started as root, it first drops to an ordinary uid
 * (--uid, default 65534, nobody). It clone(2)s a child with CLONE_NEWUSER,
 * which needs no privilege where the distribution allows it (sysctls
 * user.max_user_namespaces, Debian's kernel.unprivileged_userns_clone,
 * Ubuntu's kernel.apparmor_restrict_unprivileged_userns). From outside, the parent writes the
 * child's /proc/PID/setgroups ("deny"), uid_map and gid_map ("0 UID 1":
 * uid 0 inside is our uid outside). The child is then uid 0 with every
 * capability - in its own user namespace. What it still cannot do shows
 * where that ends: a file owned by an unmapped id (root's /etc/passwd)
 * shows up as the overflow uid, and sethostname(2) fails with EPERM,
 * because the UTS namespace belongs to the initial user namespace. After
 * unshare(CLONE_NEWUTS) the child owns a UTS namespace, and the same call
 * works.
 *
 * System calls: setgroups, setgid, setuid, prctl (only when started as
 *               root); clone(2) with CLONE_NEWUSER; openat/write on the map
 *               files (ns_write_idmap() in ns.c); getuid, statx,
 *               sethostname, unshare(CLONE_NEWUTS).
 * /proc:        /proc/PID/ns/user; /proc/PID/uid_map, gid_map, setgroups;
 *               CapEff in /proc/self/status; /proc/sys/kernel/cap_last_cap
 *               and overflowuid.
 * Look for:     uid 0 and all capabilities inside, none outside; /etc/passwd
 *               owned by 65534 inside; EPERM, then success, for sethostname.
 * Read:         user_namespaces(7), capabilities(7), namespaces(7), statx(2).
 */
#include "../common/decode.h"
#include "../common/procfs.h" /* and err.h */
#include "../common/trace.h"
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long drop_to = 65534;

/* The number of capabilities in CapEff of /proc/self/status, shown. */
static int
cap_eff_count(void)
{
	char text[4096], hex[64], line[96];

	if (proc_read("/proc/self/status", text, sizeof(text)) < 0 ||
	    proc_parse_status(text, "CapEff", hex, sizeof(hex)) != 0)
		return err_sys("CapEff of /proc/self/status");
	int n = __builtin_popcountll(strtoull(hex, NULL, 16));
	snprintf(line, sizeof(line), "CapEff %s (%d capabilities)", hex, n);
	trace_proc("/proc/self/status", line);
	return n;
}

/* <<< child */
static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char buf[32], report[160];
	struct statx stx;
	const char *name = "user-ns";

	ns_sync_in_child(sync);
	if (ns_sync_hear(sync->to_child[0], buf, sizeof(buf)) <= 0) /* the maps */
		return EXIT_DEMO_FAILED;
	if (!proc_ns(0, "user"))
		err_print(); /* shown, not needed */
	long uid = TRACE(getuid(), "getuid", "%s", "");
	int caps = cap_eff_count();
	/* Root's file: uid 0 outside has no uid inside, so it shows as overflowuid. */
	if (TRACE(statx(AT_FDCWD, "/etc/passwd", 0, STATX_UID, &stx), "statx",
		  "AT_FDCWD, \"/etc/passwd\", 0, STATX_UID, {stx_uid=...}") == -1)
		return EXIT_DEMO_FAILED;
	trace_note("/etc/passwd is owned by uid %u, as seen in here", stx.stx_uid);
	/* All capabilities, but the UTS namespace is the initial user namespace's. */
	long first = TRACE(sethostname(name, strlen(name)), "sethostname", "%s, %zu",
			   trace_str(name), strlen(name));
	int first_errno = errno;
	/* A UTS namespace made now is owned by our user namespace. */
	if (ns_unshare(CLONE_NEWUTS) == -1)
		return EXIT_DEMO_FAILED;
	long second = TRACE(sethostname(name, strlen(name)), "sethostname", "%s, %zu",
			    trace_str(name), strlen(name));
	snprintf(report, sizeof(report), "%ld %d %u %s %s", uid, caps, stx.stx_uid,
		 first == 0 ? "0" : dec_errno(first_errno), second == 0 ? "0" : dec_errno(errno));
	ns_sync_tell(sync->to_parent[1], report);
	return EXIT_DEMO_OK;
}
/* >>> child */

/* <<< drop */
/* Started as root: become an ordinary user for good, groups first (after
 * setuid we could no longer change them). */
static int
drop_root(void)
{
	gid_t gid = (gid_t)drop_to;

	if (TRACE(setgroups(0, NULL), "setgroups", "0, NULL") == -1 ||
	    TRACE(setgid(gid), "setgid", "%u", gid) == -1 ||
	    TRACE(setuid((uid_t)drop_to), "setuid", "%lu", drop_to) == -1)
		return -1;
	/* Changing credentials made us non-dumpable, which makes our
	 * /proc/PID files root's: we could not write the child's uid_map.
	 * proc(5), "/proc/pid"; prctl(2), PR_SET_DUMPABLE. */
	return (int)TRACE(prctl(PR_SET_DUMPABLE, 1), "prctl", "PR_SET_DUMPABLE, 1");
}
/* >>> drop */

static int
on_option(int opt, const char *arg)
{
	char *end;

	(void)opt;
	errno = 0;
	drop_to = strtoul(arg, &end, 10);
	if (errno || *end || arg[0] < '0' || arg[0] > '9' || drop_to == 0 ||
	    drop_to > 4294967294UL) {
		trace_error("--uid '%s': expected a uid from 1 to 4294967294", arg);
		return -1;
	}
	return 0;
}

static const struct option options[] = {
    {"uid", required_argument, NULL, 'u'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "user",
    .synopsis = "[--uid UID]",
    .about = "Creates a child in a new user namespace, unprivileged, and maps its uid 0 to\n"
	     "ours: it is root with all capabilities there, yet root's files show as the\n"
	     "overflow uid and sethostname fails until it owns a UTS namespace.\n"
	     "Runs as any user; started as root, it first drops to UID.",
    .look_for = "Uid 0 and all capabilities inside, none outside; /etc/passwd owned by 65534\n"
		"inside; EPERM, then success, for sethostname.",
    .options = "  --uid UID  the uid (and gid) to drop to when started as root (default 65534)\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char map[64], last[16], overflow[16], report[160], parent_ns[64], child_ns[64];
	char first[32] = "?", second[32] = "?";
	struct ns_sync sync;
	int status, caps_in = -1, caps_out;
	long uid_in = -1;
	unsigned int passwd_uid = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'user --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (geteuid() == 0 && drop_root() == -1) {
		trace_fail("dropping root");
		return EXIT_DEMO_FAILED;
	}
	uid_t uid = getuid();
	gid_t gid = getgid();
	trace_note("parent: uid %u, unprivileged", (unsigned)uid);
	if (!proc_value("/proc/sys/kernel/cap_last_cap", last, sizeof(last)) ||
	    !proc_value("/proc/sys/kernel/overflowuid", overflow, sizeof(overflow)) ||
	    (caps_out = cap_eff_count()) < 0 || ns_sync_init(&sync) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "user") ?: err_print_as("?"));

	/* <<< clone */
	pid_t pid = ns_clone(CLONE_NEWUSER | SIGCHLD, child_main, &sync);
	if (pid == -1) {
		err_print();
		trace_note(
		    "unprivileged user namespaces may be off: sysctl "
		    "user.max_user_namespaces (ENOSPC), Debian's "
		    "kernel.unprivileged_userns_clone (EPERM), or an AppArmor/SELinux policy");
		return EXIT_DEMO_FAILED;
	}
	ns_sync_in_parent(&sync);
	/* From outside: setgroups first (an unprivileged writer of gid_map
	 * must deny setgroups(2), Linux 3.19+), then one line per map. */
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	int ok = ns_write_setgroups(pid, "deny") == 0;
	if (!ok)
		err_sys("/proc/%d/setgroups", (int)pid);
	ok = ok && ns_write_idmap(pid, "uid_map", map) == 0;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	ok = ok && ns_write_idmap(pid, "gid_map", map) == 0;
	/* >>> clone */
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(pid, "user") ?: err_print_as("?"));
	if (ok) {
		if (proc_show_lines(pid, "uid_map") == -1)
			err_print(); /* shown, not needed */
		ns_sync_tell(sync.to_child[1], "go");
		if (ns_sync_hear(sync.to_parent[0], report, sizeof(report)) > 0)
			sscanf(report, "%ld %d %u %31s %31s", &uid_in, &caps_in, &passwd_uid, first,
			       second);
	} else {
		err_prefix("writing the id maps");
		err_print();
	}
	ns_sync_close(&sync);
	if (ns_wait(pid, &status) == -1)
		return EXIT_DEMO_FAILED;

	int caps_all = atoi(last) + 1; /* capabilities are numbered 0..cap_last_cap */
	int differs = strcmp(parent_ns, child_ns) != 0;
	printf("%-24s %-20s %s\n", "", "parent", "child");
	printf("%-24s %-20s %s\n", "/proc/PID/ns/user", parent_ns, child_ns);
	printf("%-24s %-20u %ld\n", "uid", (unsigned)uid, uid_in);
	printf("%-24s %-20d %d of %d\n", "capabilities (CapEff)", caps_out, caps_in, caps_all);
	printf("%-24s %-20s %u\n", "owner of /etc/passwd", "0", passwd_uid);
	printf("%-24s %-20s %s, then %s after unshare(CLONE_NEWUTS)\n", "sethostname", "-", first,
	       second);
	trace_fact("user_ns_parent", "%s", parent_ns);
	trace_fact("user_ns_child", "%s", child_ns);
	trace_fact("user_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("uid_outside", "%u", (unsigned)uid);
	trace_fact("uid_inside", "%ld", uid_in);
	trace_fact("caps_outside", "%d", caps_out);
	trace_fact("caps_inside", "%d", caps_in);
	trace_fact("caps_total", "%d", caps_all);
	trace_fact("overflowuid", "%s", overflow);
	trace_fact("passwd_uid_inside", "%u", passwd_uid);
	trace_fact("sethostname_initial_uts", "%s", first);
	trace_fact("sethostname_own_uts", "%s", second);

	if (!ok || !differs || status != 0 || uid_in != 0 || caps_in != caps_all ||
	    strcmp(first, "EPERM") != 0 || strcmp(second, "0") != 0) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nRoot in a user namespace holds capabilities only over resources that\n"
	       "namespace owns: its own UTS namespace, yes; the host's, no.\n");
	return EXIT_DEMO_OK;
}
