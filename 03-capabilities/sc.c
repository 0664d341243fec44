/*
 * sc.c - seccomp helpers and the launcher's default profile (see sc.h).
 */
#include "sc.h"
#include "../common/decode.h"
#include "../common/trace.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The namespace flags of clone(2): making namespaces is CAP_SYS_ADMIN's. */
#define SC_CLONE_NS                                                                                \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP)

#define A(n)                                                                                       \
	{                                                                                          \
		n, SC_ALLOW, SC_ALWAYS, 0, NULL                                                    \
	}
#define D(n, cap, why)                                                                             \
	{                                                                                          \
		n, SC_EPERM, cap, 0, why                                                           \
	}

/* <<< profile */
/*
 * The launcher's default: an allowlist, at least as strict as Docker's
 * (moby profiles/seccomp/default.json). A call the table does not list
 * fails with EPERM when libseccomp knows it, and with ENOSYS when it is
 * newer than libseccomp: a program then sees "no such call" and falls back
 * to an older one, as on an older kernel.
 */
static const struct sc_rule default_rules[] = {
    /* The kernel keyring is not namespaced: keys of the host and of other
     * containers would be reachable (and it has had many bugs). */
    D("keyctl", SC_ALWAYS, "kernel keyring: not namespaced, shared with the host"),
    D("add_key", SC_ALWAYS, "kernel keyring: not namespaced, shared with the host"),
    D("request_key", SC_ALWAYS, "kernel keyring: not namespaced, shared with the host"),
    /* Replacing the running kernel replaces every boundary. */
    D("kexec_load", SC_ALWAYS, "loads a new kernel to boot into"),
    D("kexec_file_load", SC_ALWAYS, "loads a new kernel to boot into"),
    /* Kernel modules run as the kernel. */
    D("init_module", CAP_SYS_MODULE, "loads code into the kernel"),
    D("finit_module", CAP_SYS_MODULE, "loads code into the kernel"),
    D("delete_module", CAP_SYS_MODULE, "unloads kernel code the host uses"),
    /* Programs the kernel runs, and a wide, much-exploited interface. */
    D("bpf", CAP_SYS_ADMIN, "loads programs into the kernel; frequent CVEs"),
    D("perf_event_open", CAP_SYS_ADMIN, "observes the whole machine; frequent CVEs"),
    /* Lets an exploit pause the kernel mid-copy to win a race. */
    D("userfaultfd", CAP_SYS_ADMIN, "stalls kernel copies: a tool for exploiting races"),
    /* io_uring performs operations without system calls a filter could see. */
    D("io_uring_setup", SC_ALWAYS, "io_uring: work a seccomp filter never sees; many CVEs"),
    D("io_uring_enter", SC_ALWAYS, "io_uring: work a seccomp filter never sees; many CVEs"),
    D("io_uring_register", SC_ALWAYS, "io_uring: work a seccomp filter never sees; many CVEs"),
    D("swapon", SC_ALWAYS, "swap is the host's"),
    D("swapoff", SC_ALWAYS, "swap is the host's"),
    D("reboot", SC_ALWAYS, "reboots the host (or the pid namespace)"),
    /* "shocker" (2014): with a file handle, a file is opened without a path,
     * so a chroot or mount namespace does not contain the caller. */
    D("open_by_handle_at", CAP_DAC_READ_SEARCH, "opens files by handle, outside any root"),
    /* Namespaces and mounts change what the container sees; making them is
     * kernel attack surface (user namespaces especially). */
    D("unshare", CAP_SYS_ADMIN, "makes namespaces"),
    D("setns", CAP_SYS_ADMIN, "joins namespaces"),
    {"clone", SC_ALLOW, SC_ALWAYS, SC_CLONE_NS, "without CLONE_NEW* flags only"},
    /* clone3 passes its flags in memory, which a filter cannot read: it
     * answers "no such call" and libc falls back to clone. */
    {"clone3", SC_ENOSYS, CAP_SYS_ADMIN, 0, "flags in memory, unreadable to a filter: ENOSYS"},
    D("mount", CAP_SYS_ADMIN, "mounts change what the container sees"),
    D("umount2", CAP_SYS_ADMIN, "uncovers what the launcher hid"),
    D("pivot_root", SC_ALWAYS, "changes the root; the launcher already did"),
    D("fsopen", CAP_SYS_ADMIN, "the new mount API"),
    D("fsconfig", CAP_SYS_ADMIN, "the new mount API"),
    D("fsmount", CAP_SYS_ADMIN, "the new mount API"),
    D("fspick", CAP_SYS_ADMIN, "the new mount API"),
    D("move_mount", CAP_SYS_ADMIN, "the new mount API"),
    D("open_tree", CAP_SYS_ADMIN, "the new mount API"),
    D("mount_setattr", CAP_SYS_ADMIN, "the new mount API"),
    /* Host-wide settings and other processes' memory. */
    D("acct", CAP_SYS_PACCT, "process accounting is host-wide"),
    D("quotactl", CAP_SYS_ADMIN, "disk quotas are host-wide"),
    D("settimeofday", CAP_SYS_TIME, "the clock is not namespaced"),
    D("clock_settime", CAP_SYS_TIME, "the clock is not namespaced"),
    D("clock_adjtime", CAP_SYS_TIME, "the clock is not namespaced"),
    D("syslog", CAP_SYSLOG, "the kernel log leaks host addresses"),
    D("ptrace", CAP_SYS_PTRACE, "reads and changes other processes"),
    D("process_vm_readv", CAP_SYS_PTRACE, "reads other processes' memory"),
    D("process_vm_writev", CAP_SYS_PTRACE, "writes other processes' memory"),
    D("kcmp", CAP_SYS_PTRACE, "compares kernel objects of other processes"),
    D("iopl", CAP_SYS_RAWIO, "raw hardware I/O ports"),
    D("ioperm", CAP_SYS_RAWIO, "raw hardware I/O ports"),
    D("lookup_dcookie", CAP_SYS_ADMIN, "a profiling interface, host-wide"),
    D("fanotify_init", CAP_SYS_ADMIN, "watches file access host-wide"),
    D("move_pages", SC_ALWAYS, "moves other processes' memory between NUMA nodes"),
    D("migrate_pages", CAP_SYS_NICE, "moves other processes' memory between NUMA nodes"),
    D("mbind", CAP_SYS_NICE, "NUMA policy: host resources"),
    D("set_mempolicy", CAP_SYS_NICE, "NUMA policy: host resources"),
    D("get_mempolicy", CAP_SYS_NICE, "NUMA policy: host resources"),
    D("uselib", SC_ALWAYS, "obsolete, and once exploitable"),
    D("ustat", SC_ALWAYS, "obsolete: information about host file systems"),
    D("_sysctl", SC_ALWAYS, "obsolete sysctl interface"),
    D("vhangup", CAP_SYS_TTY_CONFIG, "hangs up the terminal"),
    D("personality", SC_ALWAYS, "execution domains: old exploits turned off ASLR"),

    /* Everything else a program ordinarily needs. */
    A("accept"),
    A("accept4"),
    A("access"),
    A("adjtimex"),
    A("alarm"),
    A("arch_prctl"),
    A("bind"),
    A("brk"),
    A("capget"),
    A("capset"),
    A("chdir"),
    A("chmod"),
    A("chown"),
    A("chroot"),
    A("clock_getres"),
    A("clock_gettime"),
    A("clock_nanosleep"),
    A("close"),
    A("close_range"),
    A("connect"),
    A("copy_file_range"),
    A("creat"),
    A("dup"),
    A("dup2"),
    A("dup3"),
    A("epoll_create"),
    A("epoll_create1"),
    A("epoll_ctl"),
    A("epoll_pwait"),
    A("epoll_pwait2"),
    A("epoll_wait"),
    A("eventfd"),
    A("eventfd2"),
    A("execve"),
    A("execveat"),
    A("exit"),
    A("exit_group"),
    A("faccessat"),
    A("faccessat2"),
    A("fadvise64"),
    A("fallocate"),
    A("fanotify_mark"),
    A("fchdir"),
    A("fchmod"),
    A("fchmodat"),
    A("fchown"),
    A("fchownat"),
    A("fcntl"),
    A("fdatasync"),
    A("fgetxattr"),
    A("flistxattr"),
    A("flock"),
    A("fork"),
    A("fremovexattr"),
    A("fsetxattr"),
    A("fstat"),
    A("fstatfs"),
    A("fsync"),
    A("ftruncate"),
    A("futex"),
    A("futex_waitv"),
    A("futimesat"),
    A("get_robust_list"),
    A("getcpu"),
    A("getcwd"),
    A("getdents"),
    A("getdents64"),
    A("getegid"),
    A("geteuid"),
    A("getgid"),
    A("getgroups"),
    A("getitimer"),
    A("getpeername"),
    A("getpgid"),
    A("getpgrp"),
    A("getpid"),
    A("getppid"),
    A("getpriority"),
    A("getrandom"),
    A("getresgid"),
    A("getresuid"),
    A("getrlimit"),
    A("getrusage"),
    A("getsid"),
    A("getsockname"),
    A("getsockopt"),
    A("gettid"),
    A("gettimeofday"),
    A("getuid"),
    A("getxattr"),
    A("inotify_add_watch"),
    A("inotify_init"),
    A("inotify_init1"),
    A("inotify_rm_watch"),
    A("io_cancel"),
    A("io_destroy"),
    A("io_getevents"),
    A("io_pgetevents"),
    A("io_setup"),
    A("io_submit"),
    A("ioctl"),
    A("ioprio_get"),
    A("ioprio_set"),
    A("kill"),
    A("landlock_add_rule"),
    A("landlock_create_ruleset"),
    A("landlock_restrict_self"),
    A("lchown"),
    A("lgetxattr"),
    A("link"),
    A("linkat"),
    A("listen"),
    A("listxattr"),
    A("llistxattr"),
    A("lremovexattr"),
    A("lseek"),
    A("lsetxattr"),
    A("lstat"),
    A("madvise"),
    A("membarrier"),
    A("memfd_create"),
    A("mincore"),
    A("mkdir"),
    A("mkdirat"),
    A("mknod"),
    A("mknodat"),
    A("mlock"),
    A("mlock2"),
    A("mlockall"),
    A("mmap"),
    A("mprotect"),
    A("mq_getsetattr"),
    A("mq_notify"),
    A("mq_open"),
    A("mq_timedreceive"),
    A("mq_timedsend"),
    A("mq_unlink"),
    A("mremap"),
    A("msgctl"),
    A("msgget"),
    A("msgrcv"),
    A("msgsnd"),
    A("msync"),
    A("munlock"),
    A("munlockall"),
    A("munmap"),
    A("name_to_handle_at"),
    A("nanosleep"),
    A("newfstatat"),
    A("open"),
    A("openat"),
    A("openat2"),
    A("pause"),
    A("pidfd_getfd"),
    A("pidfd_open"),
    A("pidfd_send_signal"),
    A("pipe"),
    A("pipe2"),
    A("poll"),
    A("ppoll"),
    A("prctl"),
    A("pread64"),
    A("preadv"),
    A("preadv2"),
    A("prlimit64"),
    A("process_mrelease"),
    A("pselect6"),
    A("pwrite64"),
    A("pwritev"),
    A("pwritev2"),
    A("read"),
    A("readahead"),
    A("readlink"),
    A("readlinkat"),
    A("readv"),
    A("recvfrom"),
    A("recvmmsg"),
    A("recvmsg"),
    A("remap_file_pages"),
    A("removexattr"),
    A("rename"),
    A("renameat"),
    A("renameat2"),
    A("restart_syscall"),
    A("rmdir"),
    A("rseq"),
    A("rt_sigaction"),
    A("rt_sigpending"),
    A("rt_sigprocmask"),
    A("rt_sigqueueinfo"),
    A("rt_sigreturn"),
    A("rt_sigsuspend"),
    A("rt_sigtimedwait"),
    A("rt_tgsigqueueinfo"),
    A("sched_get_priority_max"),
    A("sched_get_priority_min"),
    A("sched_getaffinity"),
    A("sched_getattr"),
    A("sched_getparam"),
    A("sched_getscheduler"),
    A("sched_rr_get_interval"),
    A("sched_setaffinity"),
    A("sched_setattr"),
    A("sched_setparam"),
    A("sched_setscheduler"),
    A("sched_yield"),
    A("seccomp"),
    A("select"),
    A("semctl"),
    A("semget"),
    A("semop"),
    A("semtimedop"),
    A("sendfile"),
    A("sendmmsg"),
    A("sendmsg"),
    A("sendto"),
    A("set_robust_list"),
    A("set_tid_address"),
    A("setdomainname"),
    A("setfsgid"),
    A("setfsuid"),
    A("setgid"),
    A("setgroups"),
    A("sethostname"),
    A("setitimer"),
    A("setpgid"),
    A("setpriority"),
    A("setregid"),
    A("setresgid"),
    A("setresuid"),
    A("setreuid"),
    A("setrlimit"),
    A("setsid"),
    A("setsockopt"),
    A("setuid"),
    A("setxattr"),
    A("shmat"),
    A("shmctl"),
    A("shmdt"),
    A("shmget"),
    A("shutdown"),
    A("sigaltstack"),
    A("signalfd"),
    A("signalfd4"),
    A("socket"),
    A("socketpair"),
    A("splice"),
    A("stat"),
    A("statfs"),
    A("statx"),
    A("symlink"),
    A("symlinkat"),
    A("sync"),
    A("sync_file_range"),
    A("syncfs"),
    A("sysinfo"),
    A("tee"),
    A("tgkill"),
    A("time"),
    A("timer_create"),
    A("timer_delete"),
    A("timer_getoverrun"),
    A("timer_gettime"),
    A("timer_settime"),
    A("timerfd_create"),
    A("timerfd_gettime"),
    A("timerfd_settime"),
    A("times"),
    A("tkill"),
    A("truncate"),
    A("umask"),
    A("uname"),
    A("unlink"),
    A("unlinkat"),
    A("utime"),
    A("utimensat"),
    A("utimes"),
    A("vfork"),
    A("vmsplice"),
    A("wait4"),
    A("waitid"),
    A("write"),
    A("writev"),
};
/* >>> profile */

const struct sc_profile sc_default_profile = {
    .name = "nutshell-default",
    .rules = default_rules,
    .n_rules = sizeof(default_rules) / sizeof(default_rules[0]),
    .known = SC_EPERM,
    .unknown = SC_ENOSYS,
};

const char *
sc_action_name(enum sc_action a)
{
	switch (a) {
	case SC_ALLOW:
		return "allow";
	case SC_EPERM:
		return "EPERM";
	case SC_ENOSYS:
		return "ENOSYS";
	case SC_KILL:
		return "kill";
	}
	return "?";
}

const struct sc_rule *
sc_find(const struct sc_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return &p->rules[i];
	return NULL;
}

static int
has_cap(const cap_value_t *caps, size_t n, int cap)
{
	for (size_t i = 0; i < n; i++)
		if (caps[i] == cap)
			return 1;
	return 0;
}

/* The action of one row for a process keeping caps. */
static enum sc_action
row_action(const struct sc_rule *r, const cap_value_t *caps, size_t n)
{
	if (r->unless_cap != SC_ALWAYS && has_cap(caps, n, r->unless_cap))
		return SC_ALLOW;
	return r->action;
}

enum sc_action
sc_decide(const struct sc_profile *p, const char *name, const cap_value_t *caps, size_t n)
{
	const struct sc_rule *r = sc_find(p, name);

	if (r)
		return row_action(r, caps, n);
	return seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR ? p->unknown : p->known;
}

static uint32_t
scmp_action(enum sc_action a)
{
	switch (a) {
	case SC_ALLOW:
		return SCMP_ACT_ALLOW;
	case SC_EPERM:
		return SCMP_ACT_ERRNO(EPERM);
	case SC_ENOSYS:
		return SCMP_ACT_ERRNO(ENOSYS);
	case SC_KILL:
		return SCMP_ACT_KILL_PROCESS;
	}
	return SCMP_ACT_KILL_PROCESS;
}

/* Adds one rule unless it is the context's default already (libseccomp
 * refuses a rule that changes nothing). */
static int
add_rule(scmp_filter_ctx ctx, enum sc_action def, enum sc_action a, int nr, unsigned long arg0_none)
{
	if (a == def)
		return 0;
	if (arg0_none)
		return seccomp_rule_add(ctx, scmp_action(a), nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, arg0_none, 0));
	return seccomp_rule_add(ctx, scmp_action(a), nr, 0);
}

/* The call fails as p->known when its first argument has BIT. */
static int
deny_bit(scmp_filter_ctx ctx, enum sc_action known, int nr, unsigned long bit)
{
	return seccomp_rule_add(ctx, scmp_action(known), nr, 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
}

/* <<< build */
scmp_filter_ctx
sc_build(const struct sc_profile *p, const cap_value_t *caps, size_t n, char *err, size_t size)
{
	/* Calls libseccomp does not know end at the context's default. */
	scmp_filter_ctx ctx = seccomp_init(scmp_action(p->unknown));
	int rc = 0;

	if (!ctx) {
		snprintf(err, size, "seccomp_init failed");
		errno = ENOMEM;
		return NULL;
	}
	/* No hidden prctl(PR_SET_NO_NEW_PRIVS): callers set it, traced. Raw
	 * errnos from seccomp_load(). A binary tree, not a list of compares. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	for (size_t i = 0; i < p->n_rules && rc == 0; i++) {
		const struct sc_rule *r = &p->rules[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		int lifted = r->unless_cap != SC_ALWAYS && has_cap(caps, n, r->unless_cap);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a call of this architecture (open on arm64) */
		if (r->arg0_none && !lifted) {
			/* Allowed with none of the bits; one rule per bit for the
			 * rest, each explicit, rather than trusting rule order. */
			rc = add_rule(ctx, p->unknown, r->action, nr, r->arg0_none);
			for (int b = 0; b < 64 && rc == 0; b++)
				if ((r->arg0_none >> b) & 1)
					rc = deny_bit(ctx, p->known, nr, 1UL << b);
		} else
			rc = add_rule(ctx, p->unknown, row_action(r, caps, n), nr, 0);
		if (rc < 0)
			snprintf(err, size, "seccomp rule for %s: %s", r->name, strerror(-rc));
	}
	/* Every other call libseccomp knows for this architecture: p->known. */
	for (int nr = 0; nr < 1024 && rc == 0; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (name && !sc_find(p, name)) {
			rc = add_rule(ctx, p->unknown, p->known, nr, 0);
			if (rc < 0)
				snprintf(err, size, "seccomp rule for %s: %s", name, strerror(-rc));
		}
		free(name);
	}
	if (rc < 0) {
		seccomp_release(ctx);
		errno = -rc;
		return NULL;
	}
	return ctx;
}
/* >>> build */

/* seccomp_load() returns -errno; TRACE wants -1 and errno. */
static int
load(scmp_filter_ctx ctx)
{
	int rc = seccomp_load(ctx);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int
sc_load(scmp_filter_ctx ctx, const char *what)
{
	return (int)TRACE(load(ctx), "seccomp", "SECCOMP_SET_MODE_FILTER, 0, {%s}", what);
}

uint64_t
sc_lifted(const struct sc_profile *p, const cap_value_t *caps, size_t n)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		int cap = p->rules[i].unless_cap;
		if (cap != SC_ALWAYS && cap < 64 && has_cap(caps, n, cap))
			mask |= 1ULL << cap;
	}
	return mask;
}

int
sc_export(scmp_filter_ctx ctx, struct sc_bpf *out, char *err, size_t size)
{
	/* libseccomp 2.5 exports to a file descriptor only: a memfd. */
	int fd = memfd_create("sc-export", MFD_CLOEXEC), rc;
	struct stat st;
	void *buf = NULL;

	if (fd == -1) {
		snprintf(err, size, "memfd_create: %s", strerror(errno));
		return -1;
	}
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		errno = -rc;
		snprintf(err, size, "seccomp_export_bpf: %s", strerror(errno));
	} else if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
		   st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
		   !(buf = malloc((size_t)st.st_size)) ||
		   pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		snprintf(err, size, "reading the exported filter: %s", strerror(errno));
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (!buf)
		return -1;
	out->insns = buf;
	out->len = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

static int
load_bpf(const struct sc_bpf *bpf)
{
	struct sock_fprog prog = {.len = (unsigned short)bpf->len,
				  .filter = (struct sock_filter *)bpf->insns};

	if (bpf->len == 0 || bpf->len > BPF_MAXINSNS) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int
sc_load_bpf(const struct sc_bpf *bpf, const char *what)
{
	return (int)TRACE(load_bpf(bpf), "seccomp", "SECCOMP_SET_MODE_FILTER, 0, {%s}", what);
}

void
sc_print(FILE *out, const struct sc_profile *p, const cap_value_t *caps, size_t n)
{
	size_t allowed = 0, col = 0;

	fprintf(out, "seccomp profile %s\n", p->name);
	fprintf(out, "denied, and why:\n");
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];
		enum sc_action a = row_action(r, caps, n);

		if (r->arg0_none)
			fprintf(out, "  %-20s %-6s %s\n", r->name, "allow", r->why);
		else if (a != SC_ALLOW)
			fprintf(out, "  %-20s %-6s %s%s%s\n", r->name, sc_action_name(a), r->why,
				r->unless_cap != SC_ALWAYS ? "; allowed with " : "",
				r->unless_cap != SC_ALWAYS ? dec_cap(r->unless_cap) : "");
		else
			allowed++;
	}
	fprintf(out, "allowed (%zu):\n ", allowed);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];

		if (r->arg0_none || row_action(r, caps, n) != SC_ALLOW)
			continue;
		if (col + strlen(r->name) + 1 > 78) {
			fprintf(out, "\n ");
			col = 0;
		}
		col += (size_t)fprintf(out, " %s", r->name);
	}
	fprintf(out, "\nany other call libseccomp knows: %s; one it does not know: %s\n",
		sc_action_name(p->known), sc_action_name(p->unknown));
}
