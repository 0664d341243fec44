/*
 * oci_exec.c - `nutshell exec`: one more process in a running container,
 * what `ctr task exec`, `podman exec`, `docker exec` and Kubernetes probes
 * ask of runc (OCI.md section 1, phase 2). Lesson 01's enter (setns(2)),
 * with the container's cgroup, filter and process.json's privileges:
 *
 *	exec                                 child                grandchild
 *	----                                 -----                ----------
 *	/proc/INIT/ns/TYPE opened, filter built
 *	fork ------------------------------> waits for "go"
 *	cgroup.procs <- child's pid
 *	"go" ------------------------------> not dumpable; setns each
 *	                                     namespace; fork -------> in the pid
 *	pid <------------------------------- its pid; _exit(0)       namespace:
 *	                                                             setsid, terminal,
 *	                                                             cwd, rlimits,
 *	                                                             PATH lookup, user,
 *	                                                             capabilities,
 *	error line, or EOF at execve <---------------------------- seccomp, execve
 *	pid file; --detach: exit 0; else wait and exit with its status
 *
 * The second fork is needed because setns(2) into a pid namespace changes
 * only the namespace of the caller's later children. With --detach the
 * grandchild's parent becomes the engine's subreaper (the shim, conmon),
 * which reaps it, as with create's init; without, nutshell is the
 * subreaper (PR_SET_CHILD_SUBREAPER, prctl(2)) and waits itself.
 *
 * Security (the runc CVEs issue 16 lists): from the first setns until
 * execve the process is not dumpable (PR_SET_DUMPABLE 0), so no process of
 * the container can ptrace it or open its /proc/PID/fd and /proc/PID/exe
 * (CVE-2016-9962, runc's fix: the init process stays non-dumpable until
 * execve); the namespace descriptors are closed before the second fork and
 * every other descriptor but 0-2 and --preserve-fds is close-on-exec
 * (CVE-2024-21626, a leaked host directory descriptor as cwd); and the
 * binary running is nutshell's sealed memfd copy (sealed.c,
 * CVE-2019-5736).
 */
#include "oci.h"
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* nsenter(1)'s order: user first (its capabilities let us join the rest),
 * mnt last but time, as it changes what a /proc path names. */
static const struct {
	const char *name;
	int type;
} ns_order[] = {
    {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},	  {"pid", CLONE_NEWPID},
    {"mnt", CLONE_NEWNS},    {"time", CLONE_NEWTIME},
};
#define NNS (sizeof(ns_order) / sizeof(ns_order[0]))

struct exec_arg {
	const struct oci_exec *e;
	const struct oci_spec *spec;
	int ns_fd[NNS]; /* init's namespaces that are not ours; -1 */
	int root_fd;	/* init's root directory (/proc/INIT/root) */
	int console_fd, go_fd, pid_fd, report_fd;
	struct sc_bpf seccomp;
};

/* In the grandchild: the failure as one line to exec; then out. */
static void
grandchild_fail(const struct exec_arg *a)
{
	oci_report_failure(a->report_fd);
	_exit(1);
}

/* <<< oci-exec-process */
static void
grandchild(const struct exec_arg *a)
{
	const struct oci_spec *s = a->spec;
	char exe[4096];

	/* A session of its own, so the container cannot signal its caller's. */
	if (TRACE(setsid(), "setsid", "%s", "") == -1) {
		err_sys("setsid");
		grandchild_fail(a);
	}
	if (a->console_fd >= 0 && oci_set_terminal(a->console_fd) == -1)
		grandchild_fail(a);
	if (TRACE(chdir(s->cwd), "chdir", "%s", trace_str(s->cwd)) == -1) {
		err_sys("process.cwd %s", s->cwd);
		grandchild_fail(a);
	}
	if (oci_set_rlimits(s) == -1)
		grandchild_fail(a);
	if (oci_find_command(s, exe, sizeof(exe)) == -1)
		grandchild_fail(a);
	/* The container's filter, as create's init loads it: before the
	 * capabilities go without no_new_privs (seccomp(2) wants
	 * CAP_SYS_ADMIN then), last with it. */
	if (!s->no_new_privs && a->seccomp.len && sc_load_bpf(&a->seccomp, "linux.seccomp") == -1) {
		err_sys("linux.seccomp");
		grandchild_fail(a);
	}
	if (oci_set_user_and_caps(s) == -1)
		grandchild_fail(a);
	/* Only 0-2 and --preserve-fds pass into the container; the report
	 * pipe closes at execve, which tells exec it worked. */
	if (syscall(SYS_close_range, 3 + a->e->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		err_sys("close_range");
		grandchild_fail(a);
	}
	if (s->no_new_privs && a->seccomp.len && sc_load_bpf(&a->seccomp, "linux.seccomp") == -1) {
		err_sys("linux.seccomp");
		grandchild_fail(a);
	}
	TRACE(execve(exe, (char *const *)s->args, (char *const *)s->env), "execve",
	      "%s, [%s, ...], [...]", trace_str(exe), trace_str(s->args[0]));
	err_sys("exec: \"%s\"", exe);
	grandchild_fail(a);
}
/* >>> oci-exec-process */

/* <<< oci-exec-enter */
static int
child(void *arg)
{
	struct exec_arg *a = arg;
	char go;

	/* 1. Wait until exec has put us into the container's cgroup. */
	if (read(a->go_fd, &go, 1) != 1)
		_exit(1);
	/* 2. Not dumpable before the first namespace is joined: from then
	 * on the container's processes could otherwise ptrace us or open
	 * our /proc/PID/fd, which still hold host descriptors
	 * (CVE-2016-9962). execve(2) of the command resets it. */
	if (TRACE(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl", "PR_SET_DUMPABLE, 0") == -1) {
		err_sys("PR_SET_DUMPABLE");
		grandchild_fail(a);
	}
	for (size_t i = 0; i < NNS; i++) {
		if (a->ns_fd[i] < 0)
			continue;
		if (ns_setns(a->ns_fd[i], ns_order[i].type) == -1) {
			err_sys("setns %s", ns_order[i].name);
			grandchild_fail(a);
		}
		close(a->ns_fd[i]);
		a->ns_fd[i] = -1;
	}
	/* setns(2) into the mount namespace put us at its root, which is
	 * init's only where create's pivot_root moved it there; where
	 * nutshell runs in a chroot, pivot_root moved the chroot's root and
	 * the namespace's root is the machine's. Init's own root, as
	 * nsenter(1) --root takes it. */
	if (TRACE(fchdir(a->root_fd), "fchdir", "%d", a->root_fd) == -1 ||
	    TRACE(chroot("."), "chroot", "\".\"") == -1) {
		err_sys("exec: init's root directory");
		grandchild_fail(a);
	}
	close(a->root_fd);
	a->root_fd = -1;
	/* 3. Only a child of ours is inside the pid namespace (setns(2)). */
	pid_t pid = trace_fork();
	if (pid == -1) {
		err_sys("fork");
		grandchild_fail(a);
	}
	if (pid == 0)
		grandchild(a);
	if (write(a->pid_fd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(1);
	_exit(0);
}
/* >>> oci-exec-enter */

/* <<< oci-exec */
int
oci_exec(const struct oci_exec *e, struct oci_spec *spec, const struct oci_state *st)
{
	struct exec_arg a = {.e = e, .spec = spec, .console_fd = -1, .root_fd = -1};
	static struct cg_layout layout;
	struct cg cg = {0};
	int go[2] = {-1, -1}, pidp[2] = {-1, -1}, report[2] = {-1, -1}, ret = -1, status;
	pid_t pid = -1, target = -1;
	char msg[1024];

	for (size_t i = 0; i < NNS; i++)
		a.ns_fd[i] = -1;
	const char *now = oci_status(st);
	if (strcmp(now, "stopped") == 0)
		return err_set(EINVAL, "cannot exec in a stopped container");
	/* Its process would join a frozen cgroup and hang (runc refuses too). */
	if (strcmp(now, "paused") == 0)
		return err_set(EINVAL, "cannot exec in a paused container");
	/* 1. What may fail cheaply: the filter, the console, the namespaces,
	 * the cgroup record. */
	if (oci_seccomp_build(spec->seccomp, &a.seccomp) == -1 ||
	    (a.console_fd = oci_connect_console(e->console_socket, spec->terminal)) == -1 ||
	    oci_cgroup_load(st->dir, &cg, &layout, 0) == -1)
		goto out;
	for (size_t i = 0; i < NNS; i++) {
		char theirs[64], ours[64];
		struct stat t, o;
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)st->pid, ns_order[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_order[i].name);
		if (stat(theirs, &t) == -1 && errno == ENOENT)
			continue; /* a kernel without this type */
		if (stat(ours, &o) == 0 && t.st_ino == o.st_ino && t.st_dev == o.st_dev)
			continue; /* shared with the host: nothing to join */
		a.ns_fd[i] = (int)TRACE(open(theirs, O_RDONLY | O_CLOEXEC), "openat",
					"AT_FDCWD, %s, O_RDONLY|O_CLOEXEC", trace_str(theirs));
		if (a.ns_fd[i] == -1) {
			err_sys("%s", theirs);
			goto out;
		}
	}
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)st->pid);
	a.root_fd = (int)TRACE(open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), "openat",
			       "AT_FDCWD, %s, O_PATH|O_DIRECTORY|O_CLOEXEC", trace_str(root));
	if (a.root_fd == -1) {
		err_sys("%s", root);
		goto out;
	}
	if (pipe2(go, O_CLOEXEC) == -1 || pipe2(pidp, O_CLOEXEC) == -1 ||
	    pipe2(report, O_CLOEXEC) == -1) {
		err_sys("pipe2");
		goto out;
	}
	a.go_fd = go[0];
	a.pid_fd = pidp[1];
	a.report_fd = report[1];
	/* Without --detach we wait for the grandchild ourselves. */
	if (!e->detach && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) {
		err_sys("PR_SET_CHILD_SUBREAPER");
		goto out;
	}
	/* 2. The child, in the container's cgroup before it joins anything. */
	if ((pid = ns_clone(SIGCHLD, child, &a)) == -1) {
		err_sys("clone");
		goto out;
	}
	close(pidp[1]);
	close(report[1]);
	pidp[1] = report[1] = -1;
	if (cg_attach(&cg, pid) == -1 || write(go[1], "g", 1) != 1) {
		err_sys("moving the process into the cgroup of %s", st->id);
		goto out;
	}
	/* 3. The grandchild's pid, then its one line or EOF at execve. */
	if (read(pidp[0], &target, sizeof(target)) != sizeof(target))
		target = -1;
	ssize_t n = read(report[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	waitpid(pid, NULL, 0);
	pid = -1;
	if (n > 0 || target <= 0) {
		err_set(EINVAL, "%s", n > 0 ? msg : "exec: the process ended before it ran");
		goto out;
	}
	if (e->pid_file && oci_write_pid_file(e->pid_file, target) == -1)
		goto out;
	if (e->detach) {
		ret = 0;
		goto out;
	}
	/* 4. Without --detach: its end is ours. */
	if (waitpid(target, &status, 0) == -1) {
		err_sys("waiting for %d", (int)target);
		goto out;
	}
	target = -1;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	/* A process that failed before its execve: ended, and reaped by us
	 * when we are its subreaper; a zombie left in the container's pid
	 * namespace would keep its init from ever ending (pid_namespaces(7)). */
	if (ret == -1 && target > 0) {
		kill(target, SIGKILL);
		if (!e->detach)
			waitpid(target, NULL, 0);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	int fds[] = {go[0], go[1], pidp[0], pidp[1], report[0], report[1], a.console_fd, a.root_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (size_t i = 0; i < NNS; i++)
		if (a.ns_fd[i] >= 0)
			close(a.ns_fd[i]);
	return ret;
}
/* >>> oci-exec */
