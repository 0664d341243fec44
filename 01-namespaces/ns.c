/*
 * ns.c - namespace helpers (see ns.h).
 */
#include "ns.h"
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const ns_types[8] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

#define NS_STACK_SIZE (256 * 1024)

/* <<< ns-clone */
pid_t
ns_clone(unsigned long flags, int (*fn)(void *), void *arg)
{
	/* MAP_STACK|MAP_GROWSDOWN would also do; a plain private mapping is
	 * enough for a child that runs a few calls and exits. */
	char *stack = mmap(NULL, NS_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	/* The stack grows down on every architecture Linux runs containers on
	 * but one (HP PA-RISC): clone(2) takes its top. */
	char *top = stack + NS_STACK_SIZE;
	return (pid_t)TRACE(clone(fn, top, (int)flags, arg), "clone", "child_stack=%p, flags=%s",
			    (void *)top, dec_clone(flags));
}
/* >>> ns-clone */

int
ns_unshare(unsigned long flags)
{
	return (int)TRACE(unshare((int)flags), "unshare", "%s", dec_unshare(flags));
}

int
ns_setns(int fd, int nstype)
{
	return (int)TRACE(setns(fd, nstype), "setns", "%d, %s", fd, dec_unshare((unsigned)nstype));
}

int
ns_wait(pid_t pid, int *status)
{
	if (TRACE(wait4(pid, status, 0, NULL), "wait4", "%d, &status, 0, NULL", (int)pid) == -1)
		return -1;
	trace_note("child %d %s", (int)pid, dec_wait_status(*status));
	return 0;
}

void
ns_show_all(pid_t pid)
{
	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++)
		proc_ns(pid, ns_types[i]);
}

int
ns_sync_init(struct ns_sync *s)
{
	/* O_CLOEXEC: a child that execs a command must not keep the pipes. */
	if (pipe2(s->to_child, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(s->to_parent, O_CLOEXEC) == -1) {
		int saved = errno;
		close(s->to_child[0]);
		close(s->to_child[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

void
ns_sync_in_child(struct ns_sync *s)
{
	close(s->to_child[1]);
	close(s->to_parent[0]);
	s->to_child[1] = s->to_parent[0] = -1;
}

void
ns_sync_in_parent(struct ns_sync *s)
{
	close(s->to_child[0]);
	close(s->to_parent[1]);
	s->to_child[0] = s->to_parent[1] = -1;
}

int
ns_sync_tell(int fd, const char *msg)
{
	/* At least one byte, so that "" still wakes the other side. */
	size_t len = strlen(msg) + 1;

	return write(fd, msg, len) == (ssize_t)len ? 0 : -1;
}

ssize_t
ns_sync_hear(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

void
ns_sync_close(struct ns_sync *s)
{
	int *fds[] = {&s->to_child[0], &s->to_child[1], &s->to_parent[0], &s->to_parent[1]};

	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
