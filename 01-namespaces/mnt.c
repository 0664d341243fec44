/*
 * mnt - a mount namespace gives a process its own mount table, but only
 *       once propagation is private.
 *
 * The program first unshare(2)s a mount namespace of its own (the "outer"
 * one) and makes it private, so nothing it does reaches the host's mount
 * table. There it mounts a tmpfs on /tmp and marks it shared, as systemd
 * marks / on most distributions. Then two children, each in a new (inner)
 * mount namespace, mount a tmpfs below /tmp: the first leaves propagation
 * as it found it, and its mount appears in the outer namespace too; the
 * second first makes its mounts private (MS_REC|MS_PRIVATE), and its mount
 * stays its own.
 *
 * System calls: unshare(2) and clone(2) with CLONE_NEWNS, mount(2) with
 *               MS_REC|MS_PRIVATE, MS_SHARED and "tmpfs", wait4(2).
 * /proc:        /proc/PID/ns/mnt; /proc/self/mountinfo, whose optional
 *               fields ("shared:N") name a mount's peer group.
 * Look for:     "shared:N" on /tmp, the same N inside and outside; gone after
 *               MS_REC|MS_PRIVATE; /tmp/shared appears outside, /tmp/private
 *               does not.
 * Read:         mount_namespaces(7), mount(2), proc_pid_mountinfo(5).
 */
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGE "/tmp"

struct child_arg {
	struct ns_sync sync;
	int private; /* make propagation private before mounting */
};

/* Shows the mountinfo line of the mount on POINT (the topmost one) and
 * copies its optional fields into opt ("-" when none). 1 if mounted. */
static int
show_mount(const char *point, char *opt, size_t size)
{
	char *text = malloc(256 * 1024), *shown = NULL;
	struct proc_mount m;

	snprintf(opt, size, "-");
	if (!text || proc_read("/proc/self/mountinfo", text, 256 * 1024) < 0) {
		free(text);
		return 0;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char copy[1024];
		snprintf(copy, sizeof(copy), "%s", line);
		if (proc_parse_mountinfo(copy, &m) == 0 && strcmp(m.point, point) == 0) {
			snprintf(opt, size, "%s", m.optional[0] ? m.optional : "-");
			shown = line;
		}
	}
	if (shown)
		trace_proc("/proc/self/mountinfo", shown);
	else
		trace_note("%s: no mount there in /proc/self/mountinfo", point);
	free(text);
	return shown != NULL;
}

/* <<< child */
static int
child_main(void *arg)
{
	struct child_arg *a = arg;
	struct ns_sync *sync = &a->sync;
	const char *where = a->private ? STAGE "/private" : STAGE "/shared";
	char opt[128], ignored[2];

	ns_sync_in_child(sync);
	show_mount(STAGE, opt, sizeof(opt)); /* a copy of the outer /tmp: a peer */
	if (a->private) {
		/* The fix: cut every mount of ours out of its peer group. */
		if (ns_make_private() == -1) {
			err_print();
			return 1;
		}
		show_mount(STAGE, opt, sizeof(opt));
	}
	if (TRACE(mount("inner", where, "tmpfs", 0, "size=64k"), "mount",
		  "\"inner\", %s, \"tmpfs\", 0, \"size=64k\"", trace_str(where)) == -1)
		return 1;
	ns_sync_tell(sync->to_parent[1], opt);
	ns_sync_hear(sync->to_child[0], ignored, sizeof(ignored));
	return 0;
}
/* >>> child */

/* One inner namespace: returns 1 if the child's mount showed up here. With
 * keep, *keep becomes a descriptor of the child's namespace. */
static int
run_round(int private, char *child_ns, char *child_opt, int *keep)
{
	const char *where = private ? STAGE "/private" : STAGE "/shared";
	struct child_arg a = {.private = private};
	struct ns_sync *sync = &a.sync;
	char opt[128];
	int status, seen;

	trace_note("parent: a child in a new mount namespace mounts on %s, %s", where,
		   private ? "after MS_REC|MS_PRIVATE" : "propagation left as it is");
	if (ns_sync_init(sync) == -1)
		return -1;
	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, child_main, &a);
	if (pid == -1)
		return -1;
	ns_sync_in_parent(sync);
	ns_sync_hear(sync->to_parent[0], child_opt, 128);
	snprintf(child_ns, 64, "%s", proc_ns(pid, "mnt") ?: err_print_as("?"));
	if (keep) {
		/* An open /proc/PID/ns file keeps the namespace alive after the
		 * child exits; a dead one's inode number is free and the next
		 * namespace may get the same id (namespaces(7), "The
		 * /proc/[pid]/ns/ directory"). */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		*keep = (int)TRACE(open(path, O_RDONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
				   trace_str(path), dec_open(O_RDONLY | O_CLOEXEC));
	}
	seen = show_mount(where, opt, sizeof(opt));
	ns_sync_close(sync);
	if (ns_wait(pid, &status) == -1 || status != 0)
		return -1;
	return seen;
}

static const struct trace_prog prog = {
    .name = "mnt",
    .synopsis = "",
    .about = "In a mount namespace of its own, shows that a child's mount leaks out\n"
	     "while propagation is shared, and stays inside once it is private\n"
	     "(MS_REC|MS_PRIVATE). The host's mount table never changes. Needs root.",
    .look_for = "\"shared:N\" on /tmp, the same N inside and outside; gone after\n"
		"MS_REC|MS_PRIVATE; /tmp/shared appears outside, /tmp/private does not.",
};

int
main(int argc, char **argv)
{
	char host_ns[64], outer_ns[64], ns1[64], ns2[64], before[128], after[128], tmp_opt[128];
	char in1[128] = "", in2[128] = "";

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'mnt --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	snprintf(host_ns, sizeof(host_ns), "%s", proc_ns(0, "mnt") ?: err_print_as("?"));
	/* <<< outer */
	/* Our own namespace first: everything below dies with this process. */
	if (ns_unshare(CLONE_NEWNS) == -1)
		return EXIT_DEMO_FAILED;
	trace_note("parent: / in our new namespace, before and after MS_REC|MS_PRIVATE");
	show_mount("/", before, sizeof(before));
	if (ns_make_private() == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	show_mount("/", after, sizeof(after));
	/* A staging tmpfs, shared: children's copies of it become its peers. */
	if (TRACE(mount("stage", STAGE, "tmpfs", 0, "size=64k"), "mount",
		  "\"stage\", \"" STAGE "\", \"tmpfs\", 0, \"size=64k\"") == -1 ||
	    TRACE(mount(NULL, STAGE, NULL, MS_SHARED, NULL), "mount",
		  "NULL, \"" STAGE "\", NULL, %s, NULL", dec_mount(MS_SHARED)) == -1)
		return EXIT_DEMO_FAILED;
	/* >>> outer */
	snprintf(outer_ns, sizeof(outer_ns), "%s", proc_ns(0, "mnt") ?: err_print_as("?"));
	show_mount(STAGE, tmp_opt, sizeof(tmp_opt));
	if (mkdir(STAGE "/shared", 0755) == -1 || mkdir(STAGE "/private", 0755) == -1) {
		trace_fail("mkdir");
		return EXIT_DEMO_FAILED;
	}

	int first = -1;
	int leaked_shared = run_round(0, ns1, in1, &first);
	int leaked_private = run_round(1, ns2, in2, NULL);
	if (leaked_shared < 0 || leaked_private < 0)
		return EXIT_DEMO_FAILED;
	/* Both ids are read: the first namespace may go now. */
	if (first >= 0)
		close(first);

	int differs = strcmp(host_ns, ns2) != 0 && strcmp(outer_ns, ns2) != 0;
	trace_fact("mnt_ns_parent", "%s", host_ns);
	trace_fact("mnt_ns_outer", "%s", outer_ns);
	trace_fact("mnt_ns_child", "%s", ns2);
	trace_fact("mnt_ns_first_child", "%s", ns1);
	trace_fact("mnt_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("root_optional_before_private", "%s", before);
	trace_fact("root_optional_after_private", "%s", after);
	trace_fact("stage_optional", "%s", tmp_opt);
	trace_fact("child_stage_optional_shared", "%s", in1);
	trace_fact("child_stage_optional_private", "%s", in2);
	trace_fact("mount_seen_outside_shared", "%s", leaked_shared ? "yes" : "no");
	trace_fact("mount_seen_outside_private", "%s", leaked_private ? "yes" : "no");

	printf("%-26s %-22s %s\n", "", "propagation shared", "propagation private");
	printf("%-26s %-22s %s\n", "child's /proc/PID/ns/mnt", ns1, ns2);
	printf("%-26s %-22s %s\n", "child's " STAGE " optional", in1, in2);
	printf("%-26s %-22s %s\n", "child mounted on", STAGE "/shared", STAGE "/private");
	printf("%-26s %-22s %s\n", "seen outside", leaked_shared ? "yes (leaked)" : "no",
	       leaked_private ? "yes (leaked)" : "no");
	printf("\nOur own namespace %s (host: %s); / optional fields: \"%s\" before\n"
	       "MS_REC|MS_PRIVATE, \"%s\" after. The host's mount table did not change.\n",
	       outer_ns, host_ns, before, after);
	return differs && leaked_shared && !leaked_private ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
