/*
 * test_docker_profile.c - the seccomp profile against Docker's (issue 25).
 * The names Docker allows are a fact kept in docker_profile.h; this suite
 * prints every difference from nutshell's profile (03-capabilities/sc_profile.c)
 * with its reason, and fails on one without a reason, or on a reason whose
 * difference is gone: the next new system call is a visible decision, not
 * a silent EPERM. No root needed.
 */
#include "../../03-capabilities/caps.h"
#include "../../03-capabilities/sc.h"
#include "../../05-full-container/ctr.h"
#include "../suites.h"
#include "docker_profile.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct reason {
	const char *name, *why;
};

/* Docker allows these; nutshell does not (with Docker's default capabilities). */
static const struct reason stricter[] = {
    {"ptrace", "Docker allows it since kernel 4.8; here tracing needs --cap-add SYS_PTRACE"},
    {"process_vm_readv", "as ptrace: another process's memory, with CAP_SYS_PTRACE only"},
    {"process_vm_writev", "as ptrace: another process's memory, with CAP_SYS_PTRACE only"},
    {"personality", "Docker allows 5 values (the query 0xffffffff among them); here none: "
		    "execution domains can turn off ASLR (ADDR_NO_RANDOMIZE)"},
    {"clock_adjtime", "here with CAP_SYS_TIME only: the clock is not namespaced"},
    {"modify_ldt", "x86 LDT segments: 16-bit code and Wine only, a history of CVEs "
		   "(CVE-2015-5157, CVE-2017-17053)"},
    {"socketcall", "32-bit multiplexer: would bypass socket's family rules; the filter "
		   "kills 32-bit ABIs anyway"},
    {"riscv_hwprobe", "RISC-V only: no call of x86-64 or arm64"},
};

/* nutshell allows these; Docker does not. */
static const struct reason looser[] = {
    {"sethostname", "the container's own UTS namespace (Docker: CAP_SYS_ADMIN)"},
    {"setdomainname", "the container's own UTS namespace (Docker: CAP_SYS_ADMIN)"},
};

static const char *
reason_for(const struct reason *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return list[i].why;
	return NULL;
}

static int
in_list(const char *const *list, const char *name)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

static int
docker_allows(const char *name)
{
	return in_list(docker_allowed, name) || in_list(docker_allowed_since_4_8, name) ||
	       in_list(docker_allowed_amd64, name) || in_list(docker_allowed_arm64, name) ||
	       in_list(docker_allowed_by_default_caps, name) ||
	       in_list(docker_allowed_with_args, name);
}

/* Not a call of x86-64 nor of arm64 (32-bit ABIs, other architectures). */
static int
elsewhere(const char *name)
{
	return sc_resolve(name, SCMP_ARCH_X86_64) == -2 &&
	       sc_resolve(name, SCMP_ARCH_AARCH64) == -2;
}

#define N_STRICTER (sizeof(stricter) / sizeof(stricter[0]))
#define N_LOOSER   (sizeof(looser) / sizeof(looser[0]))

START_TEST(sc_profile_follows_docker)
{
	const struct sc_profile *p = &sc_default_profile;
	const char *const *lists[] = {
	    docker_allowed,	  docker_allowed_since_4_8,	  docker_allowed_amd64,
	    docker_allowed_arm64, docker_allowed_by_default_caps, docker_allowed_with_args};
	cap_value_t caps[64];
	int n = caps_default(caps, 64), unexplained = 0, elsewhere_n = 0;
	const char *first = NULL;

	ck_assert_int_ge(n, 1);
	printf("seccomp: differences from Docker's profile (moby/profiles 3c28324):\n");
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (size_t i = 0; lists[l][i]; i++) {
			const char *name = lists[l][i];
			const char *why = reason_for(stricter, N_STRICTER, name);

			if (sc_decide(p, name, caps, (size_t)n) == SC_ALLOW)
				continue;
			if (!why && elsewhere(name)) {
				elsewhere_n++;
				continue;
			}
			printf("  Docker allows, nutshell %s: %-18s %s\n",
			       sc_action_name(sc_decide(p, name, caps, (size_t)n)), name,
			       why ? why : "UNEXPLAINED");
			if (!why && !unexplained++)
				first = name;
		}
	printf("  Docker allows, no call of x86-64 or arm64 (32-bit ABIs, which the filter "
	       "kills): %d names\n",
	       elsewhere_n);
	for (size_t i = 0; i < p->n_rules; i++) {
		const char *name = p->rules[i].name;
		const char *why = reason_for(looser, N_LOOSER, name);

		if (sc_decide(p, name, caps, (size_t)n) != SC_ALLOW || docker_allows(name))
			continue;
		printf("  nutshell allows, Docker does not: %-18s %s\n", name,
		       why ? why : "UNEXPLAINED");
		if (!why && !unexplained++)
			first = name;
	}
	/* Shown before a failure too: Check's child ends with _exit(), which
	 * would drop what stdio still holds. */
	fflush(stdout);
	ck_assert_msg(unexplained == 0,
		      "%d differences from Docker's profile without a reason, the first %s: "
		      "decide, then give the reason in tests/unit/test_docker_profile.c",
		      unexplained, first);
	/* A reason whose difference is gone is stale. */
	for (size_t i = 0; i < N_STRICTER; i++)
		ck_assert_msg(docker_allows(stricter[i].name) &&
				  sc_decide(p, stricter[i].name, caps, (size_t)n) != SC_ALLOW,
			      "%s: no longer a difference; remove its reason", stricter[i].name);
	for (size_t i = 0; i < N_LOOSER; i++)
		ck_assert_msg(!docker_allows(looser[i].name) &&
				  sc_decide(p, looser[i].name, caps, (size_t)n) == SC_ALLOW,
			      "%s: no longer a difference; remove its reason", looser[i].name);
}
END_TEST

/* The calls issue 25 brought in, by name: allowed, and the three Docker
 * gates on CAP_SYS_PTRACE denied without it. */
START_TEST(sc_profile_has_issue_25)
{
	const struct sc_profile *p = &sc_default_profile;
	const char *allowed[] = {"fchmodat2",
				 "cachestat",
				 "futex_wake",
				 "futex_wait",
				 "futex_requeue",
				 "map_shadow_stack",
				 "pkey_alloc",
				 "pkey_free",
				 "pkey_mprotect",
				 "mseal",
				 "listmount",
				 "statmount",
				 "getxattrat",
				 "setxattrat",
				 "listxattrat",
				 "removexattrat",
				 "memfd_secret",
				 "uretprobe",
				 NULL};
	const char *ptrace[] = {"pidfd_getfd", "kcmp", "process_madvise", NULL};
	cap_value_t cap = CAP_SYS_PTRACE;

	for (int i = 0; allowed[i]; i++) {
		ck_assert_msg(sc_decide(p, allowed[i], NULL, 0) == SC_ALLOW, "%s not allowed",
			      allowed[i]);
		/* Never dropped: a number on this machine's architecture. */
		ck_assert_msg(sc_resolve(allowed[i], 0) >= 0 || sc_resolve(allowed[i], 0) == -2,
			      "%s has no number here", allowed[i]);
	}
	for (int i = 0; ptrace[i]; i++) {
		ck_assert_int_eq(sc_decide(p, ptrace[i], NULL, 0), SC_EPERM);
		ck_assert_int_eq(sc_decide(p, ptrace[i], &cap, 1), SC_ALLOW);
	}
	/* The numbers per architecture, where libseccomp 2.5.4 has none. */
	ck_assert_int_eq(sc_resolve("mseal", SCMP_ARCH_X86_64), 462);
	ck_assert_int_eq(sc_resolve("mseal", SCMP_ARCH_AARCH64), 462);
	ck_assert_int_eq(sc_resolve("uretprobe", SCMP_ARCH_X86_64), 335);
	ck_assert_int_eq(sc_resolve("uretprobe", SCMP_ARCH_AARCH64), -2);
	ck_assert_int_eq(sc_resolve("pkey_alloc", SCMP_ARCH_X86_64), 330);
	ck_assert_int_eq(sc_resolve("pkey_alloc", SCMP_ARCH_AARCH64), 289);
	ck_assert_int_eq(sc_max_nr(SCMP_ARCH_X86_64), 466);
	ck_assert_int_eq(sc_max_nr(SCMP_ARCH_AARCH64), 466);
	ck_assert_int_eq(sc_decide(p, "open_tree_attr", NULL, 0), SC_ENOSYS);
	/* Every call with argument rules has its row, which says "allowed". */
	for (size_t i = 0; i < p->n_args; i++) {
		ck_assert_msg(sc_find(p, p->args[i].name) != NULL, "%s: argument rules, no row",
			      p->args[i].name);
		ck_assert_msg(p->args[i].why && p->args[i].why[0], "%s: a rule without reason",
			      p->args[i].name);
	}
}
END_TEST

/* The errno of a raw call ("0" when it worked), its fd closed. */
static const char *
answer(long ret)
{
	if (ret >= 0) {
		close((int)ret);
		return "0";
	}
	return strerrorname_np(errno);
}

/*
 * The built filter itself, loaded in a child (no_new_privs: no root
 * needed), answers as the table means - where libseccomp's rule order
 * matters too: the exact TIOCSTI request before the bit-31 half, the upper
 * half of socket's family before "> 40". Fd -1: a call the filter lets
 * through ends EBADF in the kernel.
 */
START_TEST(sc_filter_answers)
{
	static const struct {
		const char *what, *want;
		long nr, a0, a1;
	} calls[] = {
	    {"socket(AF_VSOCK)", "EPERM", SYS_socket, 40, SOCK_STREAM},
	    {"socket(AF_ALG)", "EPERM", SYS_socket, 38, SOCK_SEQPACKET},
	    {"socket(1<<32 | AF_VSOCK)", "EPERM", SYS_socket, 0x100000000L | 40, SOCK_STREAM},
	    {"socket(AF_UNIX)", "0", SYS_socket, AF_UNIX, SOCK_STREAM},
	    {"socket(AF_NETLINK)", "0", SYS_socket, AF_NETLINK, SOCK_RAW},
	    {"ioctl(TIOCSTI)", "EPERM", SYS_ioctl, -1, TIOCSTI},
	    {"ioctl(1<<32 | TIOCSTI)", "EPERM", SYS_ioctl, -1, 0x100000000L | TIOCSTI},
	    {"ioctl(TIOCLINUX)", "EPERM", SYS_ioctl, -1, TIOCLINUX},
	    {"ioctl(TCGETS)", "EBADF", SYS_ioctl, -1, TCGETS},
	    {"ioctl(1<<31 | TIOCSTI)", "EBADF", SYS_ioctl, -1, 0x80000000L | TIOCSTI},
	    {"keyctl", "EPERM", SYS_keyctl, 0, -3},
	    /* Known calls in no row of the table: EPERM, by sc_build()'s loop up
	     * to the horizon (the same numbers on x86-64 and arm64). */
	    {"quotactl_fd (no row)", "EPERM", 443, -1, 0},
	    {"set_mempolicy_home_node (no row)", "EPERM", 450, 0, 0},
	    {"fchmodat2", "EFAULT", 452, -1, 0},
	    {"mseal (Linux 6.10)", "EINVAL", 462, 1, 0},
	    {"call 467 (Linux 6.15)", "ENOSYS", 467, -1, 0},
	    {"call 1000", "ENOSYS", 1000, 0, 0},
	};
	const size_t n = sizeof(calls) / sizeof(calls[0]);
	char got[sizeof(calls) / sizeof(calls[0])][16];
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    sc_load_bpf(&sc_default_bpf[0], "test") == -1)
			_exit(1);
		for (size_t i = 0; i < n; i++) {
			char line[16] = "";
			snprintf(line, sizeof(line), "%s",
				 answer(syscall(calls[i].nr, calls[i].a0, calls[i].a1, 0, 0)));
			if (write(fds[1], line, sizeof(line)) != (ssize_t)sizeof(line))
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(read(fds[0], got[i], sizeof(got[i])), sizeof(got[i]));
	close(fds[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(got[i], calls[i].want) == 0,
			      "%s: %s under the filter, expected %s", calls[i].what, got[i],
			      calls[i].want);
}
END_TEST

/* The return a jump lands on, following unconditional jumps, from i. */
static const struct sock_filter *
landing(const struct sc_bpf *f, size_t i)
{
	while (i < f->len && f->insns[i].code == (BPF_JMP | BPF_JA))
		i += 1 + f->insns[i].k;
	ck_assert_uint_lt(i, f->len);
	return &f->insns[i];
}

/*
 * The filter's first instructions (libseccomp's) check the architecture:
 * a call through another ABI - i386's int 0x80, where socketcall hides a
 * socket's family in memory; arm64's 32-bit compat ABI - kills the process;
 * on x86-64 so does an x32 call (number bit 30 set, same architecture
 * token). The numbers of the other ABIs differ, hence the check.
 * AUDIT_ARCH_X86_64 is 0xc000003e, AUDIT_ARCH_AARCH64 0xc00000b7
 * (linux/audit.h).
 */
#if defined(__x86_64__)
#define SC_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SC_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp tests know x86-64 and arm64: add this architecture's AUDIT_ARCH"
#endif
START_TEST(sc_filter_checks_the_architecture)
{
	const struct sc_bpf *f = &sc_default_bpf[0];
	const struct sock_filter *i = f->insns;

	/* ld [4] (seccomp_data.arch); jeq AUDIT_ARCH_<this one>, else -> kill */
	ck_assert_uint_eq(i[0].code, BPF_LD | BPF_W | BPF_ABS);
	ck_assert_uint_eq(i[0].k, 4);
	ck_assert_uint_eq(i[1].code, BPF_JMP | BPF_JEQ | BPF_K);
	ck_assert_uint_eq(i[1].k, SC_AUDIT_ARCH);
	const struct sock_filter *bad = landing(f, 2 + i[1].jf);
	ck_assert_uint_eq(bad->code, BPF_RET | BPF_K);
	ck_assert_msg((bad->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD ||
			  (bad->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS,
		      "another architecture's call: action 0x%x, not a kill", bad->k);
#if defined(__x86_64__)
	/* ld [0] (nr); jge 0x40000000 (x32) -> not the allow path. */
	ck_assert_uint_eq(i[2].code, BPF_LD | BPF_W | BPF_ABS);
	ck_assert_uint_eq(i[2].k, 0);
	ck_assert_uint_eq(i[3].code, BPF_JMP | BPF_JGE | BPF_K);
	ck_assert_uint_eq(i[3].k, 0x40000000);
	/* taken: only nr == -1 (a tracer's skip) is spared; the rest is killed */
	ck_assert_uint_eq(i[4 + i[3].jt].code, BPF_JMP | BPF_JEQ | BPF_K);
	ck_assert_uint_eq(i[4 + i[3].jt].k, 0xffffffff);
	ck_assert_ptr_eq(landing(f, 5 + i[3].jt + i[4 + i[3].jt].jf), bad);
#endif
}
END_TEST

Suite *
suite_docker(void)
{
	Suite *s = suite_create("docker");
	TCase *tc = tcase_create("docker");

	tcase_add_test(tc, sc_profile_follows_docker);
	tcase_add_test(tc, sc_profile_has_issue_25);
	tcase_add_test(tc, sc_filter_answers);
	tcase_add_test(tc, sc_filter_checks_the_architecture);
	suite_add_tcase(s, tc);
	return s;
}
