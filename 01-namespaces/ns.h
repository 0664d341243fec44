/*
 * ns.h - namespace helpers of lesson 01, linked by its programs and by the
 * launcher (05-full-container).
 *
 * Every call that creates or joins a namespace goes through TRACE(), so a
 * program using these helpers shows what it asks the kernel for. A helper
 * that fails records why where it fails (common/err.h) and returns -1,
 * errno kept; it never exits, and the caller that gives up prints the
 * record once.
 */
#ifndef NUTSHELL_NS_H
#define NUTSHELL_NS_H

#include <sys/types.h>

/* The eight namespace types (namespaces(7)), as named in /proc/PID/ns/. */
extern const char *const ns_types[8];

/* Newer than some libc headers; include/uapi/linux/sched.h. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/*
 * clone(2) a child running fn(arg) with FLAGS (CLONE_NEW* | SIGCHLD ...) on
 * a stack of its own. Returns the child's pid, or -1. The stack is never
 * freed: the parent cannot know when the child stops using it before the
 * child exits, and a lesson program starts few children.
 */
pid_t ns_clone(unsigned long flags, int (*fn)(void *), void *arg);

/* unshare(2) and setns(2), traced. */
int ns_unshare(unsigned long flags);
int ns_setns(int fd, int nstype);

/*
 * The offsets of the time namespace the caller unshared (CLONE_NEWTIME) and
 * its children will be in: "monotonic SECS 0\nboottime SECS 0\n" written
 * once to /proc/self/timens_offsets (time_namespaces(7)). Only before the
 * first process enters the namespace; after, the write fails with EACCES.
 * Returns 0, or -1 with errno and the error record (common/err.h) set.
 */
int ns_time_offsets(long long secs);

/*
 * Makes every mount of the caller's mount namespace private, recursively:
 * mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL). A new mount namespace
 * starts with copies of the parent's mounts, in the same peer groups when
 * they are shared (systemd makes / shared), so without this a mount made
 * inside would appear outside too (mount_namespaces(7)). EINVAL when "/" is
 * not a mount point: a chroot(2), which err_print then names (host.h).
 */
int ns_make_private(void);

/* Mounts a fresh proc filesystem on TARGET (nosuid, nodev, noexec), traced.
 * It shows the processes of the pid namespace of the process that mounts
 * it, so mount it from inside the new pid namespace. */
int ns_mount_proc(const char *target);

/* wait4(2) for the child, traced, with its end narrated ("child exited 0"). */
int ns_wait(pid_t pid, int *status);

/*
 * A parent and a child after clone(2) take turns: each side waits for the
 * other at a point of the demonstration. Two pipes, one each way; each side
 * closes the ends it does not use, so a side that dies (Ctrl-C) makes the
 * other's wait end instead of hanging.
 */
struct ns_sync {
	int to_child[2];
	int to_parent[2];
};
int ns_sync_init(struct ns_sync *s);
void ns_sync_in_child(struct ns_sync *s);  /* call first thing in the child */
void ns_sync_in_parent(struct ns_sync *s); /* call right after clone(2) */
/* Send a short message (may be ""), and wait for one (0 at end of file). */
int ns_sync_tell(int fd, const char *msg);
ssize_t ns_sync_hear(int fd, char *buf, size_t size);
/* Close the sync pipe's remaining ends. */
void ns_sync_close(struct ns_sync *s);

/* ---- user namespaces: id maps (user_namespaces(7)) ---- */

/* The kernel accepts at most 340 lines per map (Linux 4.15+; 5 before). */
#define NS_IDMAP_MAX 340

/* One line of a uid_map or gid_map: COUNT ids from INSIDE map to OUTSIDE. */
struct ns_idmap {
	unsigned long inside, outside, count;
};

/*
 * Parses "inside outside count" lines (newline-separated; a trailing newline
 * is fine) into maps (room for max lines) and validates them as the kernel
 * would: count >= 1, no range past 4294967295, no two ranges overlapping
 * inside or outside, at most NS_IDMAP_MAX lines. Returns the number of
 * lines, or -1 with errno EINVAL and the error record (common/err.h) naming
 * the line and what was expected.
 */
int ns_idmap_parse(const char *text, struct ns_idmap *maps, size_t max);

/*
 * Writes TEXT to /proc/PID/FILE ("uid_map" or "gid_map") in one write(2),
 * as the kernel requires, after ns_idmap_parse() accepted it (else -1,
 * EINVAL, the error record set, nothing written). The openat and write are
 * traced. -1 with errno and the error record set on failure.
 */
int ns_write_idmap(pid_t pid, const char *file, const char *text);

/* Writes "deny" (or "allow") to /proc/PID/setgroups: an unprivileged writer
 * must deny setgroups(2) before it may write gid_map (Linux 3.19+). */
int ns_write_setgroups(pid_t pid, const char *value);

/* ---- network (ns_net.c) ---- */

/*
 * rtnetlink through libnl's core (libnl-3): one request per helper, each
 * sent with NLM_F_ACK and its answer read before returning, both traced
 * under the names strace shows (sendmsg, recvmsg). The socket belongs to
 * the network namespace of the process that opened it, whatever it joins
 * later. Each returns 0 (or the socket), or -1 (NULL) with errno set and
 * the error recorded (common/err.h).
 */
struct nl_sock;
struct nl_sock *ns_rtnl_open(void);
void ns_rtnl_close(struct nl_sock *nl);

/* A veth pair NAME <-> PEER; with peer_pid > 0 the kernel creates PEER
 * directly in the network namespace of peer_pid (IFLA_NET_NS_PID). */
int ns_veth_create(struct nl_sock *nl, const char *name, const char *peer, pid_t peer_pid);

/* IFF_UP on link NAME (RTM_NEWLINK with ifi_change = IFF_UP). */
int ns_link_up(struct nl_sock *nl, const char *name);

/* Deletes link NAME (RTM_DELLINK); a veth's peer goes with it. ENODEV
 * when there is no such link. */
int ns_link_delete(struct nl_sock *nl, const char *name);

/* Adds an IPv4 address "10.200.1.1/24" to link NAME (RTM_NEWADDR). */
int ns_addr_add(struct nl_sock *nl, const char *name, const char *cidr);

/* Link NAME of this network namespace takes no IPv6 router advertisement:
 * "0" into /proc/sys/net/ipv6/conf/NAME/accept_ra and .../autoconf, so
 * whoever is at the other end cannot give this namespace an address, a
 * route or a default router (CVE-2020-13401). rtnetlink cannot set these
 * (the kernel's inet6_set_link_af takes only the token and the address
 * generation mode). 0 also where IPv6 is off (no such directory). */
int ns_ipv6_refuse_ra(const char *name);

/* Every link of the namespace, as "lo:DOWN veth0:UP" (RTM_GETLINK dump). */
int ns_link_list(struct nl_sock *nl, char *out, size_t size);

#endif
