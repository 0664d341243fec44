/*
 * host.c - what this machine allows, and why not (host.h).
 */
#include "host.h"

#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000 /* linux/stat.h, Linux 5.8 */
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

const char host_chroot_line[] =
    "this runs in a chroot: its / is not the root of its mount namespace, so the kernel "
    "refuses user namespaces (clone(2): EPERM) and pivot_root(2) leaves the chroot's "
    "parent reachable (EINVAL on /); run nutshell on a real root: the machine, a VM or a "
    "container (BOOK.md, Troubleshooting)";

/* A one-line /proc file as a number; -1 when it is not there. */
static long
proc_number(const char *path)
{
	char buf[64];

	if (proc_read(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* Whether a seccomp filter is on this process (inside a container, say). */
static int
filtered(void)
{
	char status[8192], mode[16];

	return proc_read("/proc/self/status", status, sizeof(status)) >= 0 &&
	       proc_parse_status(status, "Seccomp", mode, sizeof(mode)) == 0 &&
	       strcmp(mode, "0") != 0;
}

/* Whether "/" is the root of a mount (in a chroot into a plain directory it
 * is not); -1 when it cannot be told. statx(2) says it in one call with
 * STATX_ATTR_MOUNT_ROOT (Linux 5.8); before that, whether some mount is at
 * "/" in our mountinfo, which shows only mounts reachable from our root.
 * The launcher asks on every start: reading a whole mountinfo cost 60 us
 * and more (issue 21). */
static int
root_is_a_mount(void)
{
	struct statx stx;

	if (statx(AT_FDCWD, "/", AT_STATX_DONT_SYNC, STATX_TYPE, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	size_t big = 1 << 20;
	char *text = malloc(big), *save = NULL;
	int found = 0;

	if (!text || proc_read("/proc/self/mountinfo", text, big) < 0) {
		free(text);
		return -1;
	}
	for (char *line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;
		found = proc_parse_mountinfo(line, &m) == 0 && strcmp(m.point, "/") == 0;
	}
	free(text);
	return found;
}

/* The child of the probe below: the kernel's own answer. */
static int
userns_refused(void *unused)
{
	(void)unused;
	return unshare(CLONE_NEWUSER) == 0 ? 0 : errno == EPERM ? 1 : 2;
}

int
host_in_chroot(void)
{
	char one[64] = "", self[64] = "";
	struct stat r, r1;

	/* Pid 1 in our own mount namespace stands at its root (an init, or a
	 * container's first process): a different / is a chroot. */
	if (readlink("/proc/1/ns/mnt", one, sizeof(one) - 1) > 0 &&
	    readlink("/proc/self/ns/mnt", self, sizeof(self) - 1) > 0 && strcmp(one, self) == 0 &&
	    stat("/", &r) == 0 && stat("/proc/1/root/", &r1) == 0)
		return r.st_dev != r1.st_dev || r.st_ino != r1.st_ino;
	if (root_is_a_mount() == 0)
		return 1;
	/* A chroot into a mount point: ask the kernel the question clone(2)
	 * answers (create_user_ns(): EPERM when current_chrooted()). Only root
	 * gets an answer that means nothing else. */
	if (geteuid() != 0 || filtered())
		return 0;
	/* The question is asked in a child that shares our memory and runs
	 * while we wait (CLONE_VM|CLONE_VFORK, what posix_spawn(3) does): it
	 * copies no page tables, where a fork(2) of the launcher did on every
	 * start here, at 10 to 100 times the cost (issue 21). CLONE_NEWUSER
	 * asks only that the caller be its own thread group, which the child
	 * is: no CLONE_THREAD (unshare(2)). It writes our errno (same memory,
	 * same thread pointer): kept. */
	char stack[8192] __attribute__((aligned(16)));
	int saved = errno, status;
	pid_t pid =
	    clone(userns_refused, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	int asked = pid > 0 && waitpid(pid, &status, 0) == pid;
	errno = saved;
	return asked && WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

void
host_userns_knobs_read(const char *root, struct host_userns_knobs *k)
{
	static const char *const files[] = {
	    "/proc/sys/user/max_user_namespaces", "/proc/sys/kernel/unprivileged_userns_clone",
	    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"};
	long *values[] = {&k->max_user_namespaces, &k->unprivileged_userns_clone,
			  &k->apparmor_restrict};
	char path[4096];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", root, files[i]);
		*values[i] = proc_number(path);
	}
	k->in_chroot = 0;
	k->filtered = 0;
}

const char *
host_userns_why(int err, int as_root, char *buf, size_t size)
{
	struct host_userns_knobs k;

	host_userns_knobs_read("", &k);
	/* Asked only when they can matter: the chroot probe clones. */
	if (err == EPERM) {
		k.in_chroot = host_in_chroot();
		k.filtered = filtered();
	}
	return host_userns_explain(err, as_root, &k, buf, size);
}

const char *
host_userns_explain(int err, int as_root, const struct host_userns_knobs *k, char *buf, size_t size)
{
	if (err == ENOSPC && k->max_user_namespaces == 0)
		snprintf(buf, size,
			 "user namespaces are turned off here: user.max_user_namespaces is 0; "
			 "allow them with 'sudo sysctl user.max_user_namespaces=15000'");
	else if (err == ENOSPC || err == EUSERS)
		snprintf(
		    buf, size,
		    "the user namespaces allowed here are used up (user.max_user_namespaces=%ld, "
		    "or 32 nested): end some, or raise the sysctl",
		    k->max_user_namespaces);
	else if (err == EPERM && k->in_chroot)
		snprintf(buf, size, "%s", host_chroot_line);
	else if (err == EPERM && !as_root && k->unprivileged_userns_clone == 0)
		snprintf(buf, size,
			 "kernel.unprivileged_userns_clone is 0 (Debian's switch): only root may "
			 "create user namespaces; 'sudo sysctl kernel.unprivileged_userns_clone=1' "
			 "allows everyone");
	else if (err == EPERM && k->filtered)
		snprintf(buf, size,
			 "a seccomp filter refuses it: this runs inside a container whose profile "
			 "denies new namespaces (Docker's default does)");
	else if ((err == 0 || err == EPERM) && !as_root && k->apparmor_restrict == 1)
		snprintf(
		    buf, size,
		    "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10+): the user "
		    "namespace is made but AppArmor denies every capability in it. For the "
		    "workshop: 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0' "
		    "(this reopens the kernel's user-namespace attack surface to every program; "
		    "set it back to 1 after)");
	else
		return NULL;
	return buf;
}

const char *
host_cgroup_why(int err, const char *path, char *buf, size_t size)
{
	struct statfs s;
	int v2 = statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;

	if (err == EROFS)
		snprintf(buf, size,
			 "/sys/fs/cgroup is mounted read-only: this runs inside a container that "
			 "gave it no cgroup of its own to manage (docker run --cgroupns=private "
			 "with a writable cgroup mount, or a VM, lets the cgroup lessons run)");
	else if (err == EBUSY && path && strstr(path, "/cgroup.subtree_control"))
		snprintf(buf, size,
			 "no internal processes (cgroups(7)): %.*s holds processes, so cgroup v2 "
			 "will not enable controllers for its children; move them into a leaf "
			 "cgroup first, or run in a delegated or empty cgroup",
			 (int)(strstr(path, "/cgroup.subtree_control") - path), path);
	else if (err == EOPNOTSUPP && v2 && path && strstr(path, "/cgroup.procs"))
		/* The same rule, met through thread mode: a parent that holds
		 * processes may still enable a threaded controller (cpu, pids),
		 * and so becomes a thread root whose children are "domain
		 * invalid": no process can be moved into them (cgroups(7),
		 * "Thread mode"; kernel/cgroup/cgroup.c cgroup_is_valid_domain). */
		snprintf(buf, size,
			 "no internal processes (cgroups(7)): the parent of %.*s holds processes "
			 "and has a threaded controller (cpu, pids) on, so cgroup v2 moves no "
			 "process into its children (thread mode: \"domain invalid\"); run in a "
			 "delegated or empty cgroup",
			 (int)(strstr(path, "/cgroup.procs") - path), path);
	else if ((err == EACCES || err == EPERM) && geteuid() != 0)
		snprintf(buf, size,
			 "%s: this user owns no cgroup to divide (no delegation); run as root, or "
			 "in a delegated one: systemd-run --user --scope -p Delegate=yes ...",
			 v2 ? "cgroup v2" : "cgroups");
	else
		return NULL;
	return buf;
}

const char *
host_why(int err, char *buf, size_t size)
{
	struct statvfs v;

	if (err == EROFS && statvfs("/sys/fs/cgroup", &v) == 0 && (v.f_flag & ST_RDONLY))
		return host_cgroup_why(err, NULL, buf, size);
	if (err == EINVAL && host_in_chroot()) {
		snprintf(buf, size, "%s", host_chroot_line);
		return buf;
	}
	return host_userns_why(err, geteuid() == 0, buf, size);
}
