/*
 * stdio.c - the container's standard input and output (see ctr.h): the
 * host's files stay out of the container; pipes go in, and nutshell copies
 * between the two.
 *
 * Why: a descriptor is not just a stream of bytes. Through /proc/self/fd/1
 * the container reaches the inode behind it, with the authority of its
 * root: `nutshell run -- sh -c 'chmod 4755 /proc/self/fd/1' >job.log`
 * made a root-owned job.log set-user-ID root; with `<input.txt` a 0444
 * file of root's was rewritten and chowned; `>/dev/null` would let it
 * chmod the host's /dev/null. Docker and containerd never hand the
 * caller's file to the container: the container's 0, 1 and 2 are pipes
 * (or its own pty with -t), and the engine copies.
 *
 * What is passed as it is:
 *   - a terminal: with -t the container has a pty of its own and none of
 *     this applies; without -t the caller's terminal is kept (an
 *     interactive `nutshell run sh` still sees one), and the container's
 *     own session (setsid, inside.c) means it is not the container's
 *     controlling terminal: no job-control signals, and ioctl(TIOCSTI)
 *     into it needs CAP_SYS_ADMIN (tty_ioctl(4), CVE-2017-5226);
 *   - an anonymous pipe or a socket: their inodes live in the kernel's
 *     pipefs and sockfs, on no filesystem; chmod or chown through
 *     /proc/self/fd changes an inode no path leads to, and reopening the
 *     link gives the same pipe again. Relaying them would only cost a copy
 *     (`producer | nutshell run ... | consumer` keeps its plain speed).
 *     A named pipe (a FIFO on a filesystem) is a file of the host: relayed.
 * Everything else - a regular file, a device such as /dev/null, a FIFO -
 * is relayed: splice(2) between a regular file and the pipe (no copy
 * through our memory), read(2)/write(2) otherwise (splice refuses an
 * O_APPEND file and most devices).
 *
 * The semantics stay exact: end of file on our input closes the pipe, so
 * the container reads end of file too; when the container's pid 1 has
 * gone, every process of its pid namespace is gone (pid_namespaces(7)), so
 * what they wrote is all in the pipes, and nutshell copies it out to end
 * of file before it exits, with COMMAND's status unchanged. One thing
 * differs, as with docker run -i: we read a file on stdin ahead of the
 * container (a pipe's worth), so a caller that shares that file's offset
 * with later commands finds it further on than COMMAND read.
 * Read: pipe(7), splice(2), proc(5) (/proc/PID/fd), kcmp(2).
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RELAY_BUF 65536

/* May the container have fd as it is? (See the top.) */
static int
passed_as_is(int fd, const struct stat *st)
{
	struct statfs fs;

	if (isatty(fd) || S_ISSOCK(st->st_mode))
		return 1;
	return S_ISFIFO(st->st_mode) && fstatfs(fd, &fs) == 0 && fs.f_type == PIPEFS_MAGIC;
}

/* fd moved above 2, close-on-exec: a caller that closed one of 0-2 would
 * otherwise get a pipe end there, and dup2 in the child would clobber it. */
static int
above_stdio(int fd)
{
	if (fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

int
ctr_stdio_prepare(struct ctr_stdio *s, int tty)
{
	struct stat st[3];
	int relay[3] = {0, 0, 0};

	memset(s, 0, sizeof(*s));
	for (int fd = 0; fd < 3; fd++)
		s->inner[fd] = s->outer[fd] = -1;
	if (tty)
		return 0; /* the container's own pty replaces all three */
	for (int fd = 0; fd < 3; fd++)
		relay[fd] = fstat(fd, &st[fd]) == 0 && !passed_as_is(fd, &st[fd]);
	/* `>log 2>&1`: one open file for both. One pipe keeps the order in
	 * which the container wrote its output and its errors. */
	s->same_12 =
	    relay[1] && relay[2] && syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 1, 2) == 0;
	for (int fd = 0; fd < 3; fd++) {
		int p[2];

		if (!relay[fd] || (fd == 2 && s->same_12))
			continue;
		if (TRACE(pipe2(p, O_CLOEXEC), "pipe2", "[...], O_CLOEXEC") == -1)
			return err_sys("pipe2 for descriptor %d", fd);
		int in = above_stdio(fd == 0 ? p[0] : p[1]);
		if (in == -1)
			return err_sys("F_DUPFD_CLOEXEC for descriptor %d", fd);
		int out = above_stdio(fd == 0 ? p[1] : p[0]);
		if (out == -1)
			return err_sys("F_DUPFD_CLOEXEC for descriptor %d", fd);
		s->inner[fd] = in;
		s->outer[fd] = out;
		/* Our end only: never block on the container. */
		if (fcntl(out, F_SETFL, O_NONBLOCK) == -1)
			return err_sys("O_NONBLOCK for descriptor %d", fd);
		int fl = fcntl(fd, F_GETFL);
		s->use_splice[fd] = S_ISREG(st[fd].st_mode) && fl != -1 && !(fl & O_APPEND);
	}
	if (s->same_12)
		s->inner[2] = s->inner[1];
	return 0;
}

int
ctr_stdio_child(const struct ctr_stdio *s)
{
	for (int fd = 0; fd < 3; fd++)
		if (s->inner[fd] >= 0 && dup2(s->inner[fd], fd) == -1)
			return -1;
	for (int fd = 0; fd < 3; fd++) {
		if (s->outer[fd] >= 0)
			close(s->outer[fd]);
		if (s->inner[fd] >= 0 && !(fd == 2 && s->same_12))
			close(s->inner[fd]);
	}
	return 0;
}

void
ctr_stdio_parent(struct ctr_stdio *s)
{
	for (int fd = 0; fd < 3; fd++) {
		if (s->inner[fd] >= 0 && !(fd == 2 && s->same_12))
			close(s->inner[fd]);
		s->inner[fd] = -1;
	}
}

int
ctr_stdio_poll(const struct ctr_stdio *s, struct pollfd *p)
{
	int n = 0;

	if (s->outer[0] >= 0) {
		/* stdin: read ours when the buffer is empty, else write the pipe;
		 * a regular file is always readable - wait for the pipe. */
		if (s->use_splice[0] || s->len[0])
			p[n++] = (struct pollfd){.fd = s->outer[0], .events = POLLOUT};
		else
			p[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	}
	for (int fd = 1; fd < 3; fd++)
		if (s->outer[fd] >= 0)
			p[n++] = (struct pollfd){.fd = s->outer[fd], .events = POLLIN};
	return n;
}

static void
stop(struct ctr_stdio *s, int fd)
{
	close(s->outer[fd]);
	s->outer[fd] = -1;
	s->eof[fd] = 1;
	free(s->buf[fd]);
	s->buf[fd] = NULL;
}

static int
buffer(struct ctr_stdio *s, int fd)
{
	if (!s->buf[fd])
		s->buf[fd] = malloc(RELAY_BUF);
	return s->buf[fd] ? 0 : -1;
}

/* Our input into the container's stdin pipe. */
static void
pump_in(struct ctr_stdio *s, short revents, int host_ready)
{
	ssize_t n;

	if (s->use_splice[0] && (revents & (POLLOUT | POLLERR))) {
		n = splice(STDIN_FILENO, NULL, s->outer[0], NULL, RELAY_BUF, SPLICE_F_NONBLOCK);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR && errno != EINVAL))
			stop(s, 0); /* end of our input, or no reader left (EPIPE) */
		else if (n < 0 && errno == EINVAL)
			s->use_splice[0] = 0;
		return;
	}
	if (host_ready && s->len[0] == 0) {
		if (buffer(s, 0) == -1)
			return stop(s, 0);
		n = read(STDIN_FILENO, s->buf[0], RELAY_BUF);
		if (n > 0) {
			s->off[0] = 0;
			s->len[0] = (size_t)n;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return stop(s, 0);
	}
	if (s->len[0] && (revents & (POLLOUT | POLLERR))) {
		n = write(s->outer[0], s->buf[0] + s->off[0], s->len[0]);
		if (n > 0) {
			s->off[0] += (size_t)n;
			s->len[0] -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR)
			stop(s, 0); /* EPIPE: the container closed its stdin */
	}
}

/* The container's output pipe out into our fd. When our file cannot take
 * more (ENOSPC, EBADF), the pipe is still emptied: the container must not
 * hang on a full pipe. */
static void
pump_out(struct ctr_stdio *s, int fd)
{
	ssize_t n;

	if (s->use_splice[fd]) {
		n = splice(s->outer[fd], NULL, fd, NULL, RELAY_BUF, SPLICE_F_NONBLOCK);
		if (n == 0)
			return stop(s, fd);
		if (n > 0 || errno == EAGAIN || errno == EINTR)
			return;
		s->use_splice[fd] = 0; /* EINVAL and the like: copy instead */
	}
	if (buffer(s, fd) == -1)
		return stop(s, fd);
	n = read(s->outer[fd], s->buf[fd], RELAY_BUF);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return stop(s, fd);
	if (n > 0 && !s->broken[fd] && ctr_write_all(fd, s->buf[fd], (size_t)n) == -1)
		s->broken[fd] = 1; /* discarded from now on */
}

void
ctr_stdio_pump(struct ctr_stdio *s, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == STDIN_FILENO)
			pump_in(s, 0, 1);
		else if (p[i].fd == s->outer[0])
			pump_in(s, p[i].revents, 0);
		else
			for (int fd = 1; fd < 3; fd++)
				if (p[i].fd == s->outer[fd])
					pump_out(s, fd);
	}
}

void
ctr_stdio_finish(struct ctr_stdio *s)
{
	ctr_stdio_parent(s);
	if (s->outer[0] >= 0)
		stop(s, 0);
	/* Every writer is gone (pid 1 was the last of its namespace): the
	 * pipes end at once. Only a writer outside the container - a pipe
	 * end passed out over a unix socket - could keep one open: then we
	 * stop after a second of silence rather than hang. */
	for (;;) {
		struct pollfd p[3];
		int n = ctr_stdio_poll(s, p);
		if (n == 0)
			break;
		int r = poll(p, (nfds_t)n, 1000);
		if (r == 0) {
			trace_note("standard output: a writer outside the container holds the "
				   "pipe; not waiting for it");
			for (int fd = 1; fd < 3; fd++)
				if (s->outer[fd] >= 0)
					stop(s, fd);
			break;
		}
		if (r > 0)
			ctr_stdio_pump(s, p, n);
	}
}
