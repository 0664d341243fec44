/*
 * tty.c - nutshell run -t: a pseudo-terminal for the container, the
 * caller's terminal in raw mode, and the relay between them (see ctr.h).
 *
 * The container opens a pty in its own devpts and gives its shell the
 * slave as controlling terminal; it passes the master out to us over a
 * unix socket, and we copy bytes both ways. Our own terminal goes raw
 * (no echo, no line editing, no signals from Ctrl-C): the container's pty
 * does all of that, as if the shell ran on our terminal directly. Read:
 * pty(7), termios(3), tty_ioctl(4) (TIOCGWINSZ, TIOCSWINSZ, TIOCSCTTY).
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int raw_on;

/* <<< tty-inside */
int
ctr_tty_open_inside(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))] = {0}, *name, byte = 't';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	int m, s = -1;

	/* The container's own devpts (a new instance, as every devpts mount
	 * is since Linux 4.7): its /dev/ptmx, so the
	 * terminal's name is one of the container's (/dev/pts/0), not a host
	 * pty that does not exist in here. */
	m = (int)TRACE(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), "openat",
		       "AT_FDCWD, \"/dev/ptmx\", %s", dec_open(O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (m == -1)
		return -1;
	if (unlockpt(m) == -1 || !(name = ptsname(m)) ||
	    (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		goto fail;
	/* Hand the master to nutshell, which relays it to the caller's
	 * terminal: SCM_RIGHTS (unix(7)) copies the descriptor across. */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &m, sizeof(int));
	if (TRACE(sendmsg(sock, &msg, 0), "sendmsg", "%d, {SCM_RIGHTS [%d]}, 0", sock, m) != 1)
		goto fail;
	close(m);
	return s;
fail:;
	int e = errno;
	close(m);
	if (s >= 0)
		close(s);
	errno = e;
	return -1;
}
/* >>> tty-inside */

int
ctr_tty_receive(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))] = {0}, byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	int m = -1;

	/* 0 bytes: the container died before it had a terminal. */
	if (TRACE(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC), "recvmsg", "%d, {...}, MSG_CMSG_CLOEXEC",
		  sock) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&m, CMSG_DATA(c), sizeof(int));
	return m;
}

void
ctr_tty_restore(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		raw_on = 0;
	}
}

int
ctr_tty_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved) == -1)
		return err_sys("tcgetattr");
	raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == -1)
		return err_sys("tcsetattr(TCSAFLUSH)");
	raw_on = 1;
	atexit(ctr_tty_restore); /* every exit() path restores it */
	return 0;
}

void
ctr_tty_winsize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int
ctr_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, 100);
			continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ctr_tty_relay(int master, int stdin_open, short in_revents, short master_revents, int *stdin_eof)
{
	char buf[8192];
	ssize_t n;

	if (stdin_open && (in_revents & (POLLIN | POLLHUP))) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n > 0)
			ctr_write_all(master, buf, (size_t)n);
		else if (n == 0 || errno != EINTR) {
			/* End of our input: the container's terminal gets ^D. */
			*stdin_eof = 1;
			ctr_write_all(master, "\004", 1);
		}
	}
	if (master_revents & (POLLIN | POLLHUP | POLLERR)) {
		n = read(master, buf, sizeof(buf));
		if (n > 0)
			ctr_write_all(STDOUT_FILENO, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			return -1; /* EIO: the last holder of the slave is gone */
	}
	return 0;
}
