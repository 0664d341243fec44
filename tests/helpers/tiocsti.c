/*
 * tiocsti.c - a test's program for inside a container (static, bind-mounted
 * with --volume): pushes one byte into the input queue of the terminal on
 * each of fds 0, 1 and 2 with ioctl(TIOCSTI), the CVE-2017-5226 attack: what
 * is pushed there is read, after the container ends, by the shell that ran
 * nutshell. Prints one line per fd, "fd N: ok" or "fd N: ENAME", and
 * exits 0 when all three were refused, 1 when one got through.
 * Read: tty_ioctl(4) (TIOCSTI), setsid(2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int
main(void)
{
	static const char bytes[] = "ABC";
	int injected = 0;

	for (int fd = 0; fd < 3; fd++) {
		if (ioctl(fd, TIOCSTI, &bytes[fd]) == 0) {
			printf("fd %d: ok\n", fd);
			injected = 1;
		} else
			printf("fd %d: %s\n", fd,
			       errno == EPERM ? "EPERM"
			       : errno == EIO ? "EIO"
					      : strerror(errno));
	}
	return injected;
}
