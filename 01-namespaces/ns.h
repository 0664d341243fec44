/*
 * ns.h - namespace helpers of lesson 01, linked by its programs and by the
 * launcher (05-full-container).
 *
 * Every call that creates or joins a namespace goes through TRACE(), so a
 * program using these helpers shows what it asks the kernel for. Helpers
 * return -1 with errno set on failure and never exit (DESIGN.md, "Error
 * handling"); the failing call is already in the trace.
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

/* wait4(2) for the child, traced, with its end narrated ("child exited 0"). */
int ns_wait(pid_t pid, int *status);

/* Shows the ids of all eight namespaces of PID (0: self). */
void ns_show_all(pid_t pid);

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

#endif
