/*
 * host.h - what this machine allows, and why not, in one line each.
 *
 * Learners arrive with laptops, VMs, WSL2, CI containers and chroots. When
 * the host forbids something, the kernel answers with a bare errno; these
 * helpers name the cause (a chroot, a sysctl, a cgroup tree without
 * delegation) so a program and a test can say it, and `make doctor`
 * (05-full-container/doctor) can list it before the workshop starts.
 *
 * Files: /proc/self/mountinfo (proc_pid_mountinfo(5)), /proc/1/root and
 * /proc/PID/ns/mnt (proc_pid_root(5), namespaces(7)),
 * /proc/sys/user/max_user_namespaces and /proc/sys/kernel/{unprivileged_userns_clone,
 * apparmor_restrict_unprivileged_userns} (user_namespaces(7); Debian's and
 * Ubuntu's patches), /proc/self/status (Seccomp).
 */
#ifndef NUTSHELL_HOST_H
#define NUTSHELL_HOST_H

#include <stddef.h>

/*
 * 1 when this process runs in a chroot: its / is not the root of its mount
 * namespace (what clone(2) calls "the caller is in a chroot environment",
 * where CLONE_NEWUSER fails with EPERM and pivot_root(2) with EINVAL). Seen
 * from pid 1's root when pid 1 shares our mount namespace, else from
 * mountinfo (no mount at "/"), and for root from the kernel's own answer:
 * unshare(CLONE_NEWUSER) refused with EPERM, no seccomp filter in the way.
 */
int host_in_chroot(void);

/* The line host_in_chroot() stands for. */
extern const char host_chroot_line[];

/*
 * Why creating a user namespace failed with ERR here (EPERM, ENOSPC,
 * EUSERS), or why one was made but grants no capability (ERR 0, after a
 * capability was refused in it): one line naming the cause and the knob, or
 * NULL when nothing known explains it. AS_ROOT: the caller is root.
 */
const char *host_userns_why(int err, int as_root, char *buf, size_t size);

/* What host_userns_why decides on: the kernel's knobs for user namespaces
 * (-1 where the file is not there: Debian's and Ubuntu's are patches of
 * their own kernels), and, for EPERM only, a chroot and a seccomp filter. */
struct host_userns_knobs {
	long max_user_namespaces;	/* user.max_user_namespaces */
	long unprivileged_userns_clone; /* Debian: kernel.unprivileged_userns_clone */
	long apparmor_restrict; /* Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns */
	int in_chroot;		/* host_in_chroot() */
	int filtered;		/* a seccomp filter is on this process */
};

/* The three sysctls, read under ROOT ("" on a real host; a fake tree's top
 * in a test, as cg_layout_parse takes one); in_chroot and filtered are 0. */
void host_userns_knobs_read(const char *root, struct host_userns_knobs *k);

/* host_userns_why's decision on knobs K: the host's classification alone,
 * which a test holds against every kind of host, this one or not. */
const char *host_userns_explain(int err, int as_root, const struct host_userns_knobs *k, char *buf,
				size_t size);

/*
 * Why a cgroup operation on PATH failed with ERR (mkdir, a write to
 * cgroup.subtree_control or cgroup.procs): EROFS, EACCES/EPERM, EBUSY on
 * cgroup.subtree_control, EOPNOTSUPP on a v2 cgroup.procs. One line, or
 * NULL.
 */
const char *host_cgroup_why(int err, const char *path, char *buf, size_t size);

/*
 * Any of the above that applies to ERR with no more context: for a program
 * about to exit on a failed call (trace_fail prints it). NULL when none.
 */
const char *host_why(int err, char *buf, size_t size);

#endif
