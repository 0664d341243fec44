/*
 * scprobe - run inside a container by the "profile" suite
 * (tests/integration/test_profile.c): tries system calls the seccomp
 * profile decides on and prints one line per call, NAME=RESULT, RESULT
 * being 0 (or a non-negative return) or the errno's name. Static, so it
 * runs in any image; it changes nothing outside the container's own
 * scratch (/tmp).
 *
 *	scprobe [tty]
 *	scprobe sweep MAX [ARG=VALUE...]
 *
 * "tty" instead tries only the terminal requests: it starts a session,
 * makes a pty it opened itself (/dev/ptmx) its controlling terminal, and
 * asks TIOCSTI on it - which the kernel allows there (on hosts with
 * dev.tty.legacy_tiocsti = 1, or with CAP_SYS_ADMIN), so only the seccomp
 * rule can answer EPERM.
 *
 * "sweep" asks the filter about every call number from 0 to MAX, each with
 * all arguments 0 and then once per ARG=VALUE with that argument (0..4) set
 * (the values a profile's argument rules compare with), and prints one
 * line per number: "NR ANSWER...", ANSWER "+" when the filter let the call
 * through, else its errno's name. No call runs: a second filter of
 * scprobe's own answers every call that carries its mark (argument 5) with
 * SECCOMP_RET_USER_NOTIF, which ranks below any errno (seccomp(2): the most
 * severe answer of all filters wins), and a thread of scprobe's answers
 * each notification without running the call (seccomp_unotify(2)). So
 * exit, reboot or kill(-1) are asked as safely as getpid; a call the
 * container's filter kills would kill scprobe (the default profile kills
 * none). Test oci_spec_seccomp compares it under two filters.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
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

/* The mark in argument 5 of sweep's calls, and what the notifier answers. */
#define MARK_LO	 0x5ec0de01u
#define MARK_HI	 0x5ec0de02u
#define REACHED	 0x5ec
#define ARG5_LO	 (offsetof(struct seccomp_data, args) + 5 * 8)
#define ARG5_HI	 (ARG5_LO + 4) /* little-endian: x86-64 and arm64 */
#define MAX_ARGS 256

/* Answers each notification: the call "returns" REACHED, unrun. */
static void *
notifier(void *arg)
{
	int fd = *(int *)arg;

	for (;;) {
		struct seccomp_notif req;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			perror("scprobe: SECCOMP_IOCTL_NOTIF_RECV");
			exit(1);
		}
		struct seccomp_notif_resp resp = {.id = req.id, .val = REACHED};
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == -1 && errno != ENOENT) {
			perror("scprobe: SECCOMP_IOCTL_NOTIF_SEND");
			exit(1);
		}
	}
	return NULL;
}

static int
sweep(int argc, char **argv)
{
	static int fd;
	int idx[MAX_ARGS], n = 0;
	unsigned long long val[MAX_ARGS];
	char *max_end;
	long max = strtol(argv[2], &max_end, 0);
	pthread_t t;

	if (max_end == argv[2] || *max_end || max < 0) {
		fprintf(stderr, "scprobe: sweep MAX '%s': expected a call number\n", argv[2]);
		return 2;
	}

	for (int i = 3; i < argc && n < MAX_ARGS; i++, n++) {
		char *eq, *end;
		idx[n] = (int)strtol(argv[i], &eq, 10);
		val[n] = strtoull(*eq == '=' ? eq + 1 : eq, &end, 0); /* all 64 bits */
		if (eq == argv[i] || *eq != '=' || *end || idx[n] < 0 || idx[n] > 4) {
			fprintf(stderr, "scprobe: %s: expected ARG=VALUE, ARG 0..4\n", argv[i]);
			return 2;
		}
	}
	/* Marked calls to the notifier, the rest (ours) through. */
	struct sock_filter insns[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG5_LO),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MARK_LO, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG5_HI),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MARK_HI, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(insns) / sizeof(insns[0]), insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    (fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			       SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog)) == -1) {
		perror("scprobe: seccomp");
		return 1;
	}
	/* The thread starts after the filter: a filter is inherited, but
	 * the thread makes no marked call. */
	if (pthread_create(&t, NULL, notifier, &fd) != 0) {
		fprintf(stderr, "scprobe: pthread_create failed\n");
		return 1;
	}
	/* Into memory, no call between the marked ones: the mark stays in
	 * argument 5's register (r9, x5) until something else is put there,
	 * and a write made then would be marked too. */
	static char out[1 << 20];
	size_t len = 0;
	for (long nr = 0; nr <= max && len < sizeof(out) - 64; nr++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%ld", nr);
#ifdef __x86_64__
		/* uretprobe (Linux 6.11) and uprobe (6.16) pass seccomp by
		 * (commits "seccomp: passthrough uretprobe systemcall without
		 * filtering", 6.13, and "... uprobe ...", 6.16): no filter's
		 * answer, and uretprobe answers a caller outside a probe with
		 * SIGILL. */
		if (nr == 335 || nr == 336) {
			len += (size_t)snprintf(out + len, sizeof(out) - len, " unasked\n");
			continue;
		}
#endif
		for (int v = -1; v < n && len < sizeof(out) - 32; v++) {
			unsigned long long a[5] = {0};
			if (v >= 0)
				a[idx[v]] = val[v];
			errno = 0;
			long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4],
					   ((unsigned long long)MARK_HI << 32) | MARK_LO);
			const char *e = ret == REACHED ? "+"
					: ret == -1    ? strerrorname_np(errno)
						       : "?";
			len += (size_t)snprintf(out + len, sizeof(out) - len, " %s", e ? e : "?");
		}
		len += (size_t)snprintf(out + len, sizeof(out) - len, "\n");
	}
	syscall(SYS_getppid, 0L, 0L, 0L, 0L, 0L, 0L); /* the mark out of the register */
	return fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "tty") == 0)
		return tty();
	if (argc >= 3 && strcmp(argv[1], "sweep") == 0)
		return sweep(argc, argv);
	if (argc != 1) {
		fprintf(stderr, "usage: scprobe [tty | sweep MAX [ARG=VALUE...]]\n");
		return 2;
	}
	return calls();
}
