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

#define N(n, why)                                                                                  \
	{                                                                                          \
		n, SC_ALLOW, SC_ALWAYS, 0, why                                                     \
	}
/* A row that holds only when argument ARG compares OP with A (and B). */
#define W(arg, op, a, b)                                                                           \
	{                                                                                          \
		{arg, op, a, b},                                                                   \
		{                                                                                  \
			0, 0, 0, 0                                                                 \
		}                                                                                  \
	}
/* The low 32 bits of an int argument (the kernel ignores the upper half). */
#define LOW32 0xffffffffULL

/* <<< profile */
/*
 * The launcher's default: an allowlist, at least as strict as Docker's
 * (moby/profiles seccomp/default.json of 2026-05-06, kernel 6.13; the
 * names it allows are kept in tests/unit/docker_profile.h, and the unit
 * test sc_profile_follows_docker prints every difference). Two answers
 * for a call the table does not allow (runc's, since moby issue 42871):
 *   - a call the profile knows (a number up to sc_max_nr(): Linux 6.13's
 *     last call) fails with EPERM, "not allowed";
 *   - a call newer than the profile fails with ENOSYS, "no such call", as
 *     on an older kernel, so the C library falls back to an older call.
 *     glibc 2.39 implements fchmodat(AT_SYMLINK_NOFOLLOW) with fchmodat2
 *     and falls back only on ENOSYS: answering EPERM broke tar and chmod -h
 *     in Debian 13 containers (docker-ce-packaging 1007, 1013).
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
    /* Gated on CAP_SYS_PTRACE as Docker gates them (moby/profiles 2b6d48d,
     * eddb6dc). */
    D("pidfd_getfd", CAP_SYS_PTRACE, "copies a file descriptor out of another process"),
    D("process_madvise", CAP_SYS_PTRACE, "advises on other processes' memory"),
    /* Linux 6.8: the caller's LSM attributes; Docker asks CAP_SYS_ADMIN
     * (moby/profiles 5bb2d1a, 2025). */
    D("lsm_get_self_attr", CAP_SYS_ADMIN, "LSM attributes: Docker requires CAP_SYS_ADMIN"),
    D("lsm_set_self_attr", CAP_SYS_ADMIN, "LSM attributes: Docker requires CAP_SYS_ADMIN"),
    D("lsm_list_modules", CAP_SYS_ADMIN, "LSM attributes: Docker requires CAP_SYS_ADMIN"),
    /* Every family but AF_ALG and AF_VSOCK; every request but TIOCSTI and
     * TIOCLINUX: see the argument rules below. */
    {"socket", SC_ALLOW, SC_ALWAYS, 0, "every family but AF_ALG (38) and AF_VSOCK (40)"},
    {"ioctl", SC_ALLOW, SC_ALWAYS, 0, "every request but TIOCSTI and TIOCLINUX"},
    /* The 32-bit multiplexer carries the family in memory a filter cannot
     * read: allowed, it would bypass socket's rules. It is no call of
     * x86-64 or arm64, and this filter kills their 32-bit ABIs (the
     * architecture check libseccomp puts first), so it never arrives. */
    D("socketcall", SC_ALWAYS, "32-bit multiplexer: the family hides in memory"),
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

    /*
     * Allowed since the profile was last brought level with Docker's
     * (issue 25): calls of Linux 5.14 to 6.13 that C libraries and
     * programs now use. Each was EPERM before, or ENOSYS when newer than
     * libseccomp 2.5.4 (then sc_resolve() takes the number from the
     * profile's table of numbers).
     */
    N("cachestat",
      "Linux 6.5: page-cache statistics of a file the caller opened (moby/profiles 371626f)"),
    N("fchmodat2",
      "Linux 6.6: glibc 2.39's fchmodat(AT_SYMLINK_NOFOLLOW) (Docker 2024, moby/profiles 91990ca)"),
    N("futex_wake", "Linux 6.7: futex2 (Docker 2024, moby/profiles 72aa98f)"),
    N("futex_wait", "Linux 6.7: futex2 (Docker 2024, moby/profiles 53eecb1)"),
    N("futex_requeue", "Linux 6.7: futex2 (Docker 2024, moby/profiles 2584525)"),
    N("map_shadow_stack",
      "Linux 6.6: CET shadow stacks, used by glibc 2.39 (Docker 2024, moby/profiles f88a0d6)"),
    N("pkey_alloc", "protection keys of the caller's own memory (moby/profiles a3edcb8)"),
    N("pkey_free", "protection keys of the caller's own memory (moby/profiles a3edcb8)"),
    N("pkey_mprotect", "protection keys of the caller's own memory (moby/profiles a3edcb8)"),
    N("memfd_secret",
      "Linux 5.14: memory hidden even from the kernel's direct map (moby/profiles 147a0a7)"),
    N("mseal", "Linux 6.10: seals the caller's own mappings (moby/profiles 4d30d2d)"),
    N("listmount", "Linux 6.8: mounts of the caller's own mount namespace (moby/profiles 4d30d2d)"),
    N("statmount", "Linux 6.8: mounts of the caller's own mount namespace (moby/profiles 4d30d2d)"),
    N("getxattrat",
      "Linux 6.13: the *xattr calls relative to a directory fd (moby/profiles c75c367)"),
    N("setxattrat",
      "Linux 6.13: the *xattr calls relative to a directory fd (moby/profiles c75c367)"),
    N("listxattrat",
      "Linux 6.13: the *xattr calls relative to a directory fd (moby/profiles c75c367)"),
    N("removexattrat",
      "Linux 6.13: the *xattr calls relative to a directory fd (moby/profiles c75c367)"),
    N("uretprobe", "Linux 6.11, x86-64: the return-probe trampoline a host tracer plants "
		   "(moby/profiles 4d30d2d)"),
    N("get_thread_area", "x86 thread-local storage (Docker's first profile, 2016)"),
    N("set_thread_area", "x86 thread-local storage (Docker's first profile, 2016)"),
    N("epoll_ctl_old", "x86-64 numbers the kernel answers ENOSYS to (Docker's first profile)"),
    N("epoll_wait_old", "x86-64 numbers the kernel answers ENOSYS to (Docker's first profile)"),

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

/* <<< args */
static const struct sc_arg_rule default_args[] = {
    /*
     * Sockets: every family but AF_ALG (38) and AF_VSOCK (40). vsock is not
     * namespaced: a container with --network none could bind a port of the
     * whole VM's vsock space, where hypervisor services live (moby 44562,
     * 2022). AF_ALG is the kernel's crypto API, with a page-cache write
     * behind it ("Copy Fail", moby/profiles dec315c and moby 52494, 2026;
     * containerd 13327). Comparisons within one rule are ANDed (and
     * libseccomp 2.5 takes one per argument), so the allowed families are
     * three rules, and the denied ones rules of their own (a rule for every
     * value, or the rest would answer ENOSYS). The family is an int the
     * kernel reads from the low 32 bits: a value with upper bits set is
     * refused, or 0x100000028 would pass "> 40" and open AF_VSOCK (Docker's
     * three rules let it through); libseccomp gives that rule the upper
     * half before "> 40" (the unit test sc_filter_answers holds it to it).
     */
    {"socket", SC_ALLOW, W(0, SCMP_CMP_LT, 38, 0), "families below AF_ALG (38)"},
    {"socket", SC_EPERM, W(0, SCMP_CMP_EQ, 38, 0),
     "AF_ALG: kernel crypto API, a page-cache write (2026)"},
    {"socket", SC_ALLOW, W(0, SCMP_CMP_EQ, 39, 0), "AF_NFC (39)"},
    {"socket", SC_EPERM, W(0, SCMP_CMP_EQ, 40, 0),
     "AF_VSOCK: not namespaced, the whole VM's ports"},
    {"socket", SC_ALLOW, W(0, SCMP_CMP_GT, 40, 0), "families above AF_VSOCK (40)"},
    {"socket", SC_EPERM, W(0, SCMP_CMP_GT, LOW32, 0),
     "upper 32 bits set: the kernel would read the low half"},
    /*
     * TIOCSTI pushes characters into a terminal's input: a container given
     * the caller's terminal types commands into the caller's shell
     * (CVE-2017-5226); TIOCLINUX does the same on a Linux console. Denied
     * even with CAP_SYS_ADMIN, by the low 32 bits of the request as
     * flatpak does (the kernel ignores the upper half: CVE-2019-10063).
     * Every other request is allowed, in two halves by bit 31;
     * libseccomp tests the exact request before the half (the unit test
     * sc_filter_answers holds it to that).
     */
    {"ioctl", SC_EPERM, W(1, SCMP_CMP_MASKED_EQ, LOW32, 0x5412),
     "TIOCSTI: types into the terminal (CVE-2017-5226)"},
    {"ioctl", SC_EPERM, W(1, SCMP_CMP_MASKED_EQ, LOW32, 0x541c),
     "TIOCLINUX: types into the console"},
    {"ioctl", SC_ALLOW, W(1, SCMP_CMP_MASKED_EQ, 0x80000000ULL, 0),
     "any other request (bit 31 clear)"},
    {"ioctl", SC_ALLOW, W(1, SCMP_CMP_MASKED_EQ, 0x80000000ULL, 0x80000000ULL),
     "any other request (bit 31 set)"},
};
/* >>> args */
/* >>> profile */

const struct sc_profile sc_default_profile = {
    .name = "nutshell-default",
    .rules = default_rules,
    .n_rules = sizeof(default_rules) / sizeof(default_rules[0]),
    .known = SC_EPERM,
    .unknown = SC_ENOSYS,
    .args = default_args,
    .n_args = sizeof(default_args) / sizeof(default_args[0]),
};

/* <<< numbers */
/*
 * The numbers of the calls newer than libseccomp 2.5.4 (Debian 12), per
 * architecture, from the kernel's tables (arch/x86/entry/syscalls/
 * syscall_64.tbl, include/uapi/asm-generic/unistd.h; as in libseccomp's
 * src/syscalls.csv of v2.6): -2 where the call does not exist. Its last
 * row is the profile's horizon: removexattrat, Linux 6.13, the kernel of
 * Docker's profile. Calls above it are newer than the profile (ENOSYS);
 * a newer libseccomp changes nothing here.
 */
static const struct sc_number {
	const char *name;
	int x86_64, aarch64;
} numbers[] = {
    {"uretprobe", 335, -2},
    {"cachestat", 451, 451},
    {"fchmodat2", 452, 452},
    {"map_shadow_stack", 453, 453},
    {"futex_wake", 454, 454},
    {"futex_wait", 455, 455},
    {"futex_requeue", 456, 456},
    {"statmount", 457, 457},
    {"listmount", 458, 458},
    {"lsm_get_self_attr", 459, 459},
    {"lsm_set_self_attr", 460, 460},
    {"lsm_list_modules", 461, 461},
    {"mseal", 462, 462},
    {"setxattrat", 463, 463},
    {"getxattrat", 464, 464},
    {"listxattrat", 465, 465},
    {"removexattrat", 466, 466},
};
/* >>> numbers */
#define N_NUMBERS (sizeof(numbers) / sizeof(numbers[0]))

static uint32_t
arch_or_native(uint32_t arch)
{
	return arch ? arch : seccomp_arch_native();
}

/* The table's column for arch, or NULL when the table has none. */
static const int *
number_of(const struct sc_number *n, uint32_t arch)
{
	if (arch == SCMP_ARCH_X86_64)
		return &n->x86_64;
	if (arch == SCMP_ARCH_AARCH64)
		return &n->aarch64;
	return NULL;
}

int
sc_resolve(const char *name, uint32_t arch)
{
	arch = arch_or_native(arch);
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	if (nr >= 0)
		return nr;
	if (nr != __NR_SCMP_ERROR)
		return -2; /* a pseudo-number: the call is not one of arch's */
	for (size_t i = 0; i < N_NUMBERS; i++) {
		const int *col = number_of(&numbers[i], arch);
		if (col && strcmp(numbers[i].name, name) == 0)
			return *col;
	}
	errno = ENOSYS;
	return -1;
}

int
sc_max_nr(uint32_t arch)
{
	int max = -1;

	arch = arch_or_native(arch);
	for (size_t i = 0; i < N_NUMBERS; i++) {
		const int *col = number_of(&numbers[i], arch);
		if (col && *col > max)
			max = *col;
	}
	if (max >= 0)
		return max;
	/* An architecture the table does not cover: libseccomp's horizon. */
	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		if (name)
			max = nr;
		free(name);
	}
	return max;
}

/* The name of call nr on arch (malloc'd), or NULL: libseccomp's, or the table's. */
static char *
name_of(uint32_t arch, int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);

	for (size_t i = 0; !name && i < N_NUMBERS; i++) {
		const int *col = number_of(&numbers[i], arch);
		if (col && *col == nr)
			name = strdup(numbers[i].name);
	}
	return name;
}

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
	int nr = sc_resolve(name, 0);
	return nr < 0 || nr > sc_max_nr(0) ? p->unknown : p->known;
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

/* The call fails as p->known when its first argument has BIT (unless that
 * is the context's default already: libseccomp refuses such a rule). */
static int
deny_bit(scmp_filter_ctx ctx, enum sc_action def, enum sc_action known, int nr, unsigned long bit)
{
	if (known == def)
		return 0;
	return seccomp_rule_add(ctx, scmp_action(known), nr, 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
}

/* Whether the call NAME has rules on its arguments in p. */
static int
has_args(const struct sc_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_args; i++)
		if (strcmp(p->args[i].name, name) == 0)
			return 1;
	return 0;
}

/* The argument rules of call nr (named name): one libseccomp rule each,
 * its comparisons ANDed. */
static int
add_args(scmp_filter_ctx ctx, const struct sc_profile *p, const char *name, int nr)
{
	int rc = 0;

	for (size_t i = 0; i < p->n_args && rc == 0; i++) {
		const struct sc_arg_rule *r = &p->args[i];
		struct scmp_arg_cmp cmp[2];
		unsigned int k = 0;

		if (strcmp(r->name, name) != 0 || r->action == p->unknown)
			continue;
		for (; k < 2 && r->when[k].op; k++)
			cmp[k] = (struct scmp_arg_cmp){r->when[k].arg, r->when[k].op, r->when[k].a,
						       r->when[k].b};
		rc = seccomp_rule_add_array(ctx, scmp_action(r->action), nr, k, cmp);
	}
	return rc;
}

/* <<< build */
scmp_filter_ctx
sc_build(const struct sc_profile *p, const cap_value_t *caps, size_t n, char *err, size_t size)
{
	/* Calls newer than the profile end at the context's default. */
	scmp_filter_ctx ctx = seccomp_init(scmp_action(p->unknown));
	int rc = 0, max = sc_max_nr(0);

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
		int nr = sc_resolve(r->name, 0);
		int lifted = r->unless_cap != SC_ALWAYS && has_cap(caps, n, r->unless_cap);

		if (nr == -2)
			continue; /* not a call of this architecture (open on arm64) */
		if (nr == -1 || nr > max) {
			/* Never dropped in silence: the profile lacks its number. */
			snprintf(err, size, "seccomp rule for %s: no number for this architecture",
				 r->name);
			rc = -ENOSYS;
		} else if (has_args(p, r->name))
			rc = add_args(ctx, p, r->name, nr);
		else if (r->arg0_none && !lifted) {
			/* Allowed with none of the bits; one rule per bit for the
			 * rest, each explicit, rather than trusting rule order. */
			rc = add_rule(ctx, p->unknown, r->action, nr, r->arg0_none);
			for (int b = 0; b < 64 && rc == 0; b++)
				if ((r->arg0_none >> b) & 1)
					rc = deny_bit(ctx, p->unknown, p->known, nr, 1UL << b);
		} else
			rc = add_rule(ctx, p->unknown, row_action(r, caps, n), nr, 0);
		if (rc < 0 && rc != -ENOSYS)
			snprintf(err, size, "seccomp rule for %s: %s", r->name, strerror(-rc));
	}
	/* Every other call the profile knows, up to its horizon: p->known.
	 * Above the horizon, and the numbers no call has, stay at the
	 * context's default, p->unknown. */
	for (int nr = 0; nr <= max && rc == 0; nr++) {
		char *name = name_of(seccomp_arch_native(), nr);

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

		if (has_args(p, r->name)) {
			fprintf(out, "  %-20s %-6s %s:\n", r->name, "allow", r->why);
			for (size_t k = 0; k < p->n_args; k++)
				if (strcmp(p->args[k].name, r->name) == 0)
					fprintf(out, "  %-20s %-6s %s\n", "",
						sc_action_name(p->args[k].action), p->args[k].why);
		} else if (r->arg0_none)
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

		if (has_args(p, r->name) || r->arg0_none || row_action(r, caps, n) != SC_ALLOW)
			continue;
		if (col + strlen(r->name) + 1 > 78) {
			fprintf(out, "\n ");
			col = 0;
		}
		col += (size_t)fprintf(out, " %s", r->name);
	}
	/* Names of the profile this architecture has no call for (socketcall
	 * on x86-64; open, fork, arch_prctl on arm64): skipped by sc_build. */
	bool first = true;
	for (size_t i = 0; i < p->n_rules; i++) {
		if (sc_resolve(p->rules[i].name, 0) != -2)
			continue;
		if (first)
			col = (size_t)fprintf(out, "\nno call of this architecture, skipped:") - 1;
		first = false;
		if (col + strlen(p->rules[i].name) + 1 > 78) {
			fprintf(out, "\n ");
			col = 0;
		}
		col += (size_t)fprintf(out, " %s", p->rules[i].name);
	}
	fprintf(out, "\nany other call up to number %d: %s; a newer one: %s\n", sc_max_nr(0),
		sc_action_name(p->known), sc_action_name(p->unknown));
}
