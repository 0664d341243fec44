/*
 * cgroupns - a cgroup namespace makes a process's own cgroup look like the
 *            root of the tree.
 *
 * The parent makes a child cgroup beneath its own (mkdir(2) in the cgroup
 * filesystem) and moves a child process into it (its pid into
 * cgroup.procs). The child calls unshare(2) with CLONE_NEWCGROUP: from then
 * on /proc/self/cgroup shows its cgroup as "/", while the parent, reading
 * /proc/CHILD/cgroup, still sees the whole path. A container cannot learn
 * where on the host its cgroup is. The cgroup is removed at the end.
 *
 * Which hierarchy: cgroup v2 where our own cgroup is a delegated one (not
 * the root), else a v1 hierarchy (memory first) that places us below its
 * root, else whichever allows the mkdir. Nothing is made anywhere but
 * beneath the cgroup we are in.
 *
 * System calls: mkdir(2), write(2) to cgroup.procs, unshare(2) with
 *               CLONE_NEWCGROUP, rmdir(2), clone(2), wait4(2).
 * /proc:        /proc/PID/ns/cgroup, /proc/PID/cgroup, /proc/self/mountinfo.
 * Look for:     the same process's cgroup: a long path outside, "/" inside.
 * Read:         cgroup_namespaces(7), cgroups(7), unshare(2).
 */
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

static char cg_dir[512]; /* the cgroup we make */
static char cg_hier[64]; /* its hierarchy in /proc/PID/cgroup: "0" or "4" */
static pid_t child = -1;

/* <<< pick */
/* Makes NAME beneath our own cgroup in the best hierarchy (see the top). */
static int
make_cgroup(const char *name)
{
	static char cg[4096], mi[256 * 1024];
	struct {
		char dir[sizeof(cg_dir)], hier[16];
		int rank;
	} c[16];
	int n = 0;

	if (proc_read("/proc/self/cgroup", cg, sizeof(cg)) < 0 ||
	    proc_read("/proc/self/mountinfo", mi, sizeof(mi)) < 0)
		return -1;
	for (char *s1 = NULL, *l = strtok_r(cg, "\n", &s1); l && n < 16;
	     l = strtok_r(NULL, "\n", &s1)) {
		struct proc_cgroup g;
		char point[512], dir[512];
		/* The hierarchy's mount, as lesson 02's layout finds it (procfs.h). */
		if (proc_parse_cgroup(l, &g) == -1 ||
		    proc_cgroup_mount(mi, &g, point, sizeof(point), dir, sizeof(dir)) == -1)
			continue;
		snprintf(c[n].dir, sizeof(c[n].dir), "%.400s/%.64s", dir, name);
		snprintf(c[n].hier, sizeof(c[n].hier), "%d", g.hierarchy);
		/* Below our own non-root cgroup first; then v2, memory, others. */
		c[n].rank = (strcmp(g.path, "/") == 0) * 10 +
			    (g.hierarchy == 0				    ? 0
			     : proc_has_words(g.controllers, "memory", ',') ? 1
									    : 2);
		n++;
	}
	for (int rank = 0; rank < 20; rank++)
		for (int i = 0; i < n; i++)
			if (c[i].rank == rank &&
			    TRACE(mkdirat(AT_FDCWD, c[i].dir, 0755), "mkdirat",
				  "AT_FDCWD, %s, 0755", trace_str(c[i].dir)) == 0) {
				memcpy(cg_dir, c[i].dir, sizeof(cg_dir));
				snprintf(cg_hier, sizeof(cg_hier), "%s", c[i].hier);
				return 0;
			}
	errno = n ? errno : ENOENT;
	return -1;
}
/* >>> pick */

/* The path of PID's line for our hierarchy in /proc/PID/cgroup. */
static const char *
cgroup_of(pid_t pid, char *out, size_t size)
{
	char path[64], text[4096];

	snprintf(out, size, "?");
	if (proc_read(proc_path(path, sizeof(path), pid, "cgroup"), text, sizeof(text)) < 0)
		return out;
	for (char *s = NULL, *l = strtok_r(text, "\n", &s); l; l = strtok_r(NULL, "\n", &s)) {
		struct proc_cgroup g;
		char line[512];
		snprintf(line, sizeof(line), "%s", l); /* the parser cuts l */
		if (proc_parse_cgroup(l, &g) == 0 && g.hierarchy == atoi(cg_hier)) {
			snprintf(out, size, "%s", g.path);
			trace_proc(path, line);
		}
	}
	return out;
}

/* Removes the cgroup once empty; EBUSY while the exited child's last
 * reference goes (v1 especially), so try a few times. */
static int
remove_cgroup(int traced)
{
	for (int i = 0; i < 50; i++) {
		long r = traced ? TRACE(unlinkat(AT_FDCWD, cg_dir, AT_REMOVEDIR), "unlinkat",
					"AT_FDCWD, %s, AT_REMOVEDIR", trace_str(cg_dir))
				: rmdir(cg_dir);
		if (r == 0 || errno != EBUSY)
			return (int)r;
		usleep(20000);
	}
	return -1;
}

static void
on_signal(int sig)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	/* write(2) is async-signal-safe (signal-safety(7)); ENOENT: already gone. */
	static const char said[] = "cgroupns: interrupted; cleaned up\n";
	if (!cg_dir[0] || remove_cgroup(0) == 0 || errno == ENOENT) {
		ssize_t n = write(STDERR_FILENO, said, sizeof(said) - 1);
		(void)n;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* <<< child */
static int
child_main(void *arg)
{
	struct ns_sync *sync = arg;
	char buf[512];

	signal(SIGINT, SIG_DFL); /* Ctrl-C reaches us too: we die, the parent cleans up */
	ns_sync_in_child(sync);
	ns_sync_hear(sync->to_child[0], buf, sizeof(buf)); /* until we are moved */
	cgroup_of(0, buf, sizeof(buf));
	if (ns_unshare(CLONE_NEWCGROUP) == -1)
		return err_print_status(1); /* shown under -q too */
	if (!proc_ns(0, "cgroup"))
		err_print(); /* shown, not needed */
	trace_note("child: our cgroup is the root of our view now; the parent's is above it");
	cgroup_of(0, buf, sizeof(buf));
	ns_sync_tell(sync->to_parent[1], buf);
	cgroup_of(getppid(), buf, sizeof(buf));
	ns_sync_hear(sync->to_child[0], buf, sizeof(buf));
	return 0;
}
/* >>> child */

static const struct trace_prog prog = {
    .name = "cgroupns",
    .synopsis = "",
    .about = "Moves a child into a new cgroup beneath ours; after\n"
	     "unshare(CLONE_NEWCGROUP) its /proc/self/cgroup says \"/\", while from\n"
	     "outside the full path shows. The cgroup is removed at the end. Needs root.",
    .look_for = "The same process's cgroup: a long path outside, \"/\" inside.",
};

int
main(int argc, char **argv)
{
	char parent_ns[64], child_ns[64], name[64], inside[512] = "", outside[512], procs[600];
	char pid_text[32];
	struct ns_sync sync = {{-1, -1}, {-1, -1}};
	int status = -1, ret = EXIT_DEMO_FAILED;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'cgroupns --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	snprintf(parent_ns, sizeof(parent_ns), "%s", proc_ns(0, "cgroup") ?: err_print_as("?"));
	if (proc_show_lines(0, "cgroup") == -1)
		err_print();
	snprintf(name, sizeof(name), "nutshell-cgns-%d", (int)getpid());
	if (make_cgroup(name) == -1) {
		trace_fail("no cgroup hierarchy lets us make a cgroup beneath ours");
		return EXIT_DEMO_FAILED;
	}
	if (ns_sync_init(&sync) == -1)
		goto out;
	child = ns_clone(SIGCHLD, child_main, &sync);
	if (child == -1)
		goto out;
	ns_sync_in_parent(&sync);

	/* <<< move */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg_dir);
	snprintf(pid_text, sizeof(pid_text), "%d", (int)child);
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	long w = fd == -1 ? -1
			  : TRACE(write(fd, pid_text, strlen(pid_text)), "write", "%d, %s, %zu", fd,
				  trace_str(pid_text), strlen(pid_text));
	/* >>> move */
	if (fd != -1)
		close(fd);
	if (w == -1) {
		trace_fail(procs);
		goto out;
	}
	ns_sync_tell(sync.to_child[1], "moved");
	ns_sync_hear(sync.to_parent[0], inside, sizeof(inside));
	trace_note("parent: the same child, seen from outside");
	snprintf(child_ns, sizeof(child_ns), "%s", proc_ns(child, "cgroup") ?: err_print_as("?"));
	cgroup_of(child, outside, sizeof(outside));

	int differs = strcmp(parent_ns, child_ns) != 0;
	trace_fact("cgroup_ns_parent", "%s", parent_ns);
	trace_fact("cgroup_ns_child", "%s", child_ns);
	trace_fact("cgroup_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("cgroup_dir", "%s", cg_dir);
	trace_fact("cgroup_inside", "%s", inside);
	trace_fact("cgroup_outside", "%s", outside);

	printf("the child's cgroup, read outside: %s\n", outside);
	printf("the child's cgroup, read inside:  %s\n", inside);
	printf("/proc/PID/ns/cgroup:              %s (parent), %s (child)\n", parent_ns, child_ns);
	printf("\nhierarchy %s of /proc/PID/cgroup; the cgroup made: %s\n", cg_hier, cg_dir);
	ret = differs && strcmp(inside, "/") == 0 && strcmp(outside, "/") != 0 ? EXIT_DEMO_OK
									       : EXIT_DEMO_FAILED;
out:
	ns_sync_close(&sync);
	if (child > 0 && (ns_wait(child, &status) == -1 || status != 0))
		ret = EXIT_DEMO_FAILED;
	child = -1;
	if (remove_cgroup(1) == -1)
		ret = EXIT_DEMO_FAILED;
	trace_fact("cgroup_removed", "%s", access(cg_dir, F_OK) == -1 ? "yes" : "no");
	return ret;
}
