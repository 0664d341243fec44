/*
 * ns.c - namespace helpers (see ns.h).
 */
#include "ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
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
		return err_sys("mmap of a child's stack");
	/* The stack grows down on every architecture Linux runs containers on
	 * but one (HP PA-RISC): clone(2) takes its top. */
	char *top = stack + NS_STACK_SIZE;
	pid_t pid = (pid_t)TRACE(clone(fn, top, (int)flags, arg), "clone",
				 "child_stack=%p, flags=%s", (void *)top, dec_clone(flags));
	/* When the host refused a user namespace, err_print() adds why
	 * (host.h: a sysctl, AppArmor). */
	if (pid == -1)
		return err_sys("clone(%s)", dec_clone(flags));
	return pid;
}
/* >>> ns-clone */

int
ns_unshare(unsigned long flags)
{
	if (TRACE(unshare((int)flags), "unshare", "%s", dec_unshare(flags)) == -1)
		return err_sys("unshare(%s)", dec_unshare(flags));
	return 0;
}

int
ns_setns(int fd, int nstype)
{
	if (TRACE(setns(fd, nstype), "setns", "%d, %s", fd, dec_unshare((unsigned)nstype)) == -1)
		return err_sys("setns(%s)", dec_unshare((unsigned)nstype));
	return 0;
}

/* <<< offsets */
int
ns_time_offsets(long long secs)
{
	char text[96];

	/* One write: the kernel takes every clock's line at once, or none. */
	snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n", secs, secs);
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return err_sys("open /proc/self/timens_offsets");
	if (TRACE(write(fd, text, strlen(text)), "write", "%d, %s, %zu", fd, trace_str(text),
		  strlen(text)) == -1) {
		err_sys("write /proc/self/timens_offsets");
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}
/* >>> offsets */

/* <<< ns-private */
int
ns_make_private(void)
{
	unsigned long flags = MS_REC | MS_PRIVATE;

	if (TRACE(mount(NULL, "/", NULL, flags, NULL), "mount", "NULL, \"/\", NULL, %s, NULL",
		  dec_mount(flags)) == 0)
		return 0;
	/* EINVAL: "/" is not a mount point - a chroot(2), not a real root;
	 * err_print adds the line that says so (host_why). */
	return err_sys("mount --make-rprivate /");
}
/* >>> ns-private */

int
ns_mount_proc(const char *target)
{
	/* The flags procfs gets on every distribution (and in Docker). */
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (TRACE(mount("proc", target, "proc", flags, NULL), "mount",
		  "\"proc\", %s, \"proc\", %s, NULL", trace_str(target), dec_mount(flags)) == -1)
		return err_sys("mount proc on %s", target);
	return 0;
}

int
ns_wait(pid_t pid, int *status)
{
	if (TRACE(wait4(pid, status, 0, NULL), "wait4", "%d, &status, 0, NULL", (int)pid) == -1)
		return err_sys("wait4(%d)", (int)pid);
	trace_note("child %d %s", (int)pid, dec_wait_status(*status));
	return 0;
}

int
ns_sync_init(struct ns_sync *s)
{
	/* O_CLOEXEC: a child that execs a command must not keep the pipes.
	 * O_DIRECT: "packet" mode (pipe(2), Linux 3.4): each read returns one
	 * write, so two messages sent before the other side reads ("links",
	 * then "veth0 up" in net) stay two; in a byte pipe one read took
	 * both and the reader then waited forever for the second. */
	if (pipe2(s->to_child, O_CLOEXEC | O_DIRECT) == -1)
		return err_sys("pipe2");
	if (pipe2(s->to_parent, O_CLOEXEC | O_DIRECT) == -1) {
		err_sys("pipe2");
		close(s->to_child[0]);
		close(s->to_child[1]);
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

/* ---- user namespaces: id maps ---- */

/* <<< ns-idmap */
/* The largest id is 4294967294: (uid_t)-1 means "no change" to setreuid(2)
 * and friends, so a range ends at 4294967295 at the latest. */
#define NS_ID_END 4294967295UL

/* One unsigned decimal number, then at least one blank or the end; *p moves
 * past it. */
static int
idmap_number(const char **p, unsigned long *out)
{
	char *end;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno != 0 || *out > NS_ID_END || (*end != ' ' && *end != '\t' && *end != '\0'))
		return -1;
	*p = end;
	return 0;
}

static int
ranges_overlap(unsigned long a, unsigned long b, unsigned long count_a, unsigned long count_b)
{
	return a < b + count_b && b < a + count_a;
}

int
ns_idmap_parse(const char *text, struct ns_idmap *maps, size_t max)
{
	size_t n = 0, lineno = 0;

	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		char copy[128];
		const char *p = copy;
		struct ns_idmap m;

		lineno++;
		snprintf(copy, sizeof(copy), "%.*s", (int)(len < sizeof(copy) ? len : 40), line);
		line += len + (line[len] == '\n');
		if (n == max || n == NS_IDMAP_MAX)
			return err_set(EINVAL, "more than %zu lines in the id map", n);
		if (len >= sizeof(copy) || idmap_number(&p, &m.inside) ||
		    idmap_number(&p, &m.outside) || idmap_number(&p, &m.count) ||
		    p[strspn(p, " \t")] != '\0')
			return err_set(EINVAL,
				       "id map line %zu '%s': expected 'inside outside count'",
				       lineno, copy);
		if (m.count == 0)
			return err_set(EINVAL, "id map line %zu: count 0, expected at least 1",
				       lineno);
		if (m.count > NS_ID_END - m.inside || m.count > NS_ID_END - m.outside)
			return err_set(EINVAL, "id map line %zu: range ends past id %lu", lineno,
				       NS_ID_END - 1);
		for (size_t i = 0; i < n; i++) {
			int in = ranges_overlap(m.inside, maps[i].inside, m.count, maps[i].count);
			int out =
			    ranges_overlap(m.outside, maps[i].outside, m.count, maps[i].count);

			if (in || out)
				return err_set(EINVAL, "id map line %zu overlaps line %zu %s",
					       lineno, i + 1, in ? "inside" : "outside");
		}
		maps[n++] = m;
	}
	if (n == 0)
		return err_set(EINVAL, "empty id map: expected 'inside outside count' lines");
	return (int)n;
}
/* >>> ns-idmap */

/* Writes TEXT into /proc/PID/FILE with one write(2), traced. */
static int
write_proc_file(pid_t pid, const char *file, const char *text)
{
	char path[64];
	size_t len = strlen(text);
	int ret = -1;

	proc_path(path, sizeof(path), pid, file);
	int fd = (int)TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
			    trace_str(path), dec_open(O_WRONLY | O_CLOEXEC));
	if (fd == -1)
		return err_sys("open %s", path);
	if (TRACE(write(fd, text, len), "write", "%d, %s, %zu", fd, trace_str(text), len) ==
	    (long)len)
		ret = 0;
	else
		err_sys("writing %s", path);
	int saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int
ns_write_idmap(pid_t pid, const char *file, const char *text)
{
	struct ns_idmap *maps = calloc(NS_IDMAP_MAX, sizeof(*maps));
	int ret = -1;

	if (!maps)
		return err_sys("id map for /proc/%d/%s", (int)pid, file);
	/* Validate first: a map can be written only once per namespace, and
	 * the kernel's EINVAL would not say which line it disliked. */
	if (ns_idmap_parse(text, maps, NS_IDMAP_MAX) < 0)
		goto out;
	if (write_proc_file(pid, file, text) == -1)
		goto out;
	ret = 0;
out:
	free(maps);
	if (ret == -1)
		errno = err_last()->errnum;
	return ret;
}

int
ns_write_setgroups(pid_t pid, const char *value)
{
	return write_proc_file(pid, "setgroups", value);
}
