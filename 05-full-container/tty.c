/*
 * tty.c - nutshell run -t: a pseudo-terminal for the container, the
 * caller's terminal in raw mode, and the relay between them (see ctr.h).
 *
 * The container's shell gets the pty's slave as its controlling terminal;
 * we hold the master and copy bytes both ways. Our own terminal goes raw
 * (no echo, no line editing, no signals from Ctrl-C): the container's pty
 * does all of that, as if the shell ran on our terminal directly. Read:
 * pty(7), termios(3), tty_ioctl(4) (TIOCGWINSZ, TIOCSWINSZ, TIOCSCTTY).
 */
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int raw_on;

int
ctr_tty_open(int *master)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), s = -1;
	char *name;

	if (m == -1)
		return -1;
	if (grantpt(m) == -1 || unlockpt(m) == -1 || !(name = ptsname(m)) ||
	    (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		int e = errno;
		close(m);
		errno = e;
		return -1;
	}
	*master = m;
	return s;
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
		return -1;
	raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == -1)
		return -1;
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

/* Writes all of buf, waiting when the other side is slow. */
static int
write_all(int fd, const char *buf, size_t len)
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
			write_all(master, buf, (size_t)n);
		else if (n == 0 || errno != EINTR) {
			/* End of our input: the container's terminal gets ^D. */
			*stdin_eof = 1;
			write_all(master, "\004", 1);
		}
	}
	if (master_revents & (POLLIN | POLLHUP | POLLERR)) {
		n = read(master, buf, sizeof(buf));
		if (n > 0)
			write_all(STDOUT_FILENO, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			return -1; /* EIO: the last holder of the slave is gone */
	}
	return 0;
}
