/*
 * scprobe - run inside a container by the "profile" suite
 * (tests/integration/test_profile.c): tries system calls the seccomp
 * profile decides on and prints one line per call, NAME=RESULT, RESULT
 * being 0 (or a non-negative return) or the errno's name. Static, so it
 * runs in any image; it changes nothing outside the container's own
 * scratch (/tmp).
 *
 *	scprobe [tty]
 *
 * "tty" instead tries only the terminal requests: it starts a session,
 * makes a pty it opened itself (/dev/ptmx) its controlling terminal, and
 * asks TIOCSTI on it - which the kernel allows there (on hosts with
 * dev.tty.legacy_tiocsti = 1, or with CAP_SYS_ADMIN), so only the seccomp
 * rule can answer EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Calls newer than Debian 12's headers (Linux 6.1); the same numbers on
 * x86-64 and arm64 (asm-generic numbers every architecture shares since 424). */
#define NR_cachestat	  451
#define NR_fchmodat2	  452
#define NR_futex_wake	  454
#define NR_statmount	  457
#define NR_listmount	  458
#define NR_mseal	  462
#define NR_getxattrat	  464
#define NR_removexattrat  466
#define NR_open_tree_attr 467  /* Linux 6.15: newer than the profile */
#define NR_never	  1000 /* no call has this number */

static void
show(const char *name, long ret)
{
	if (ret < 0)
		printf("%s=%s\n", name, strerrorname_np(errno));
	else
		printf("%s=0\n", name);
	fflush(stdout);
}

/* socket(family, type, 0), the fd closed again. */
static long
sock(long family, int type)
{
	long fd = syscall(SYS_socket, family, type, 0);

	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? -1 : 0;
}

static int
calls(void)
{
	uint32_t word = 0;
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/tmp/.scprobe", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	/* Sockets: the families the profile allows and the two it denies
	 * (40 AF_VSOCK, 38 AF_ALG), and AF_VSOCK with the upper half set. */
	show("socket_inet", sock(AF_INET, SOCK_STREAM));
	show("socket_unix", sock(AF_UNIX, SOCK_STREAM));
	show("socket_netlink", sock(AF_NETLINK, SOCK_RAW));
	show("socket_vsock", sock(40, SOCK_STREAM));
	show("socket_alg", sock(38, SOCK_SEQPACKET));
	show("socket_vsock_upper", sock(0x100000000L | 40, SOCK_STREAM));
	/* Known and denied: EPERM. */
	show("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	long pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	show("pidfd_open", pidfd);
	show("pidfd_getfd", syscall(SYS_pidfd_getfd, pidfd, 0, 0));
	/* Unknown: ENOSYS, so a C library falls back. */
	show("nr_1000", syscall(NR_never));
	show("open_tree_attr", syscall(NR_open_tree_attr, -1, "", 0, NULL, 0));
	/* Allowed since issue 25: each reaches the kernel. */
	show("fchmodat2",
	     syscall(NR_fchmodat2, AT_FDCWD, "/tmp/.scprobe", 0640, AT_SYMLINK_NOFOLLOW));
	show("futex_wake", syscall(NR_futex_wake, &word, 1UL, 1, 2 /* FUTEX2_SIZE_U32 */));
	show("mseal", syscall(NR_mseal, page, 4096UL, 0UL));
	show("cachestat", syscall(NR_cachestat, fd, NULL, NULL, 0));
	show("statmount", syscall(NR_statmount, NULL, NULL, 0UL, 0UL));
	show("listmount", syscall(NR_listmount, NULL, NULL, 0UL, 0UL));
	show("getxattrat", syscall(NR_getxattrat, -1, "", 0, "user.x", NULL, 0UL));
	show("removexattrat", syscall(NR_removexattrat, -1, "", 0, "user.x"));
	unlink("/tmp/.scprobe");
	return 0;
}

/* In a child of our own: a new session, the pty slave its controlling
 * terminal, then TIOCSTI (also with the request's upper half set) and an
 * allowed request, TIOCGWINSZ, as the control. */
static int
tty(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1) {
		show("ptmx", -1);
		return 1;
	}
	const char *name = ptsname(master);
	pid_t pid = fork();
	if (pid == 0) {
		struct winsize ws;
		char c = '#';

		show("setsid", setsid());
		int slave = open(name, O_RDWR); /* no O_NOCTTY: our terminal now */
		show("open_slave", slave);
		show("tiocgwinsz", ioctl(slave, TIOCGWINSZ, &ws));
		show("tiocsti", syscall(SYS_ioctl, slave, (unsigned long)TIOCSTI, &c));
		show("tiocsti_upper", syscall(SYS_ioctl, slave, 0x100000000UL | TIOCSTI, &c));
		show("tioclinux", syscall(SYS_ioctl, slave, (unsigned long)TIOCLINUX, &c));
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "tty") == 0)
		return tty();
	if (argc != 1) {
		fprintf(stderr, "usage: scprobe [tty]\n");
		return 2;
	}
	return calls();
}
