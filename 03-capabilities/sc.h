/*
 * sc.h - seccomp helpers of lesson 03, linked by its programs and by the
 * launcher (05-full-container).
 *
 * Capabilities decide whether a privileged operation is allowed; seccomp
 * decides whether a system call may be made at all, whatever the caller's
 * privileges (seccomp(2)). A filter is a small BPF program the kernel runs
 * on every system call the process makes: it sees the call's number and
 * arguments (never memory behind pointers) and answers allow, fail with an
 * errno, or kill. A filter is inherited by children, kept across execve(2)
 * and cannot be removed; more filters only add restrictions.
 *
 * A profile here is a readable table: one row per system call (the name
 * strace shows), what happens to it, and why. libseccomp turns the table
 * into BPF for the architecture we run on.
 */
#ifndef NUTSHELL_SC_H
#define NUTSHELL_SC_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/capability.h>

enum sc_action {
	SC_ALLOW,  /* the call runs */
	SC_EPERM,  /* fails with EPERM: "not allowed", as Docker answers */
	SC_ENOSYS, /* fails with ENOSYS: "no such call", so libc falls back */
	SC_KILL,   /* the process is killed by SIGSYS (SECCOMP_RET_KILL_PROCESS) */
};

/* No capability lifts the rule. */
#define SC_ALWAYS (-1)

/* One comparison on one argument of the call (seccomp_rule_add(3)): op 0
 * is none. Only the registers are seen, all 64 bits of them: an int
 * argument's upper half is whatever the caller put there, and the kernel
 * ignores it, so a rule that means "the int" compares the low 32 bits. */
struct sc_cmp {
	unsigned int arg;     /* 0..5 */
	enum scmp_compare op; /* SCMP_CMP_LT, _EQ, _GT, _LE, _MASKED_EQ ... */
	uint64_t a, b;	      /* datum_a (the mask for MASKED_EQ), datum_b */
};

struct sc_rule {
	const char *name;      /* as strace shows it: "open_by_handle_at" */
	enum sc_action action; /* what happens to the call */
	int unless_cap;	       /* SC_ALWAYS, or a CAP_* that turns the rule into SC_ALLOW */
	/* When nonzero, the rule is SC_ALLOW only for calls whose first
	 * argument has none of these bits; other calls get the default for
	 * known calls (clone with CLONE_NEW* flags). */
	unsigned long arg0_none;
	const char *why; /* the reason, for denials: printed and in the book */
};

/*
 * A rule on the arguments of a call that has a row in the table: the row
 * says what the call is in a word (socket: allowed), these say for which
 * values. Each is one libseccomp rule, its comparisons ANDed (as libseccomp
 * ANDs the comparisons of one rule); the rules of one name must together
 * cover every value, or the rest would get the "newer call" answer. No
 * capability lifts them.
 */
struct sc_arg_rule {
	const char *name;
	enum sc_action action;
	struct sc_cmp when[2]; /* when[1].op 0: one comparison */
	const char *why;
};

struct sc_profile {
	const char *name;
	const struct sc_rule *rules;
	size_t n_rules;
	enum sc_action known;		/* calls up to sc_max_nr() the table does not list */
	enum sc_action unknown;		/* calls newer than the profile: above sc_max_nr() */
	const struct sc_arg_rule *args; /* rules on arguments, or NULL */
	size_t n_args;
};

/* The launcher's default profile (see sc.c for the table and reasons). */
extern const struct sc_profile sc_default_profile;

/*
 * The number of the call NAME on the architecture ARCH (an SCMP_ARCH_*
 * token; 0 is the native one): libseccomp's, or for a call newer than this
 * libseccomp (Debian 12 has 2.5.4), the profile's own table of numbers per
 * architecture. -2 when the call does not exist on ARCH (open on arm64,
 * socketcall on x86-64); -1 with errno ENOSYS when neither knows the name
 * for ARCH: the profile must then be given the number, never drop the row.
 */
int sc_resolve(const char *name, uint32_t arch);

/* The name of call NR on ARCH (0: the native one), malloc'd: libseccomp's,
 * or the profile's table of numbers for a call newer than libseccomp.
 * NULL when no call has that number. */
char *sc_name(uint32_t arch, int nr);

/* The highest call number the profile knows on ARCH: libseccomp's calls
 * and the profile's table of numbers, up to the profile's kernel. Calls
 * above it are newer than the profile and answer p->unknown (ENOSYS). */
int sc_max_nr(uint32_t arch);

/* "allow", "EPERM", "ENOSYS", "kill". */
const char *sc_action_name(enum sc_action a);

/* The row for NAME in the profile, or NULL. */
const struct sc_rule *sc_find(const struct sc_profile *p, const char *name);

/* What the profile does to NAME when the container keeps caps (n): the
 * rule's action, or SC_ALLOW when its unless_cap is among caps, or the
 * profile's default. For arg0_none rows: the action without those bits. */
enum sc_action sc_decide(const struct sc_profile *p, const char *name, const cap_value_t *caps,
			 size_t n);

/*
 * Builds the filter for profile p, for a process that keeps caps (n of
 * them, for the unless_cap rows). Returns a libseccomp context (free with
 * seccomp_release()), or NULL with errno and the error record (common/err.h)
 * set.
 * NO_NEW_PRIVS is not set by loading: callers set it themselves, traced.
 */
scmp_filter_ctx sc_build(const struct sc_profile *p, const cap_value_t *caps, size_t n);

/* Builds PROFILE for CAPS (N of them) and installs it: sc_build, then
 * sc_load. 0, or -1 with the error recorded (common/err.h). */
int sc_apply(const struct sc_profile *p, const cap_value_t *caps, size_t n);

/* What a container of the launcher runs under: no_new_privs, then the
 * default profile built for Docker's 14 capabilities (caps_default). 0, or
 * -1 with the error recorded. */
int sc_apply_default(void);

/* Installs the filter: seccomp(SECCOMP_SET_MODE_FILTER, ...), traced.
 * Without CAP_SYS_ADMIN, no_new_privs must be set first. */
int sc_load(scmp_filter_ctx ctx, const char *what);

/*
 * The same filter as BPF, the kernel's form (struct sock_filter, see
 * seccomp(2)): what seccomp_load() would install. Building it takes
 * libseccomp milliseconds; a program that starts often builds it once, at
 * build time (05-full-container/mkfilter.c), and loads the array.
 */
struct sc_bpf {
	uint64_t lifted; /* sc_lifted() of the capabilities it was built for */
	const struct sock_filter *insns;
	size_t len;
};

/* Which of the profile's unless_cap capabilities caps holds, as a mask of
 * bits 1 << CAP: the only thing about caps a built filter depends on. */
uint64_t sc_lifted(const struct sc_profile *p, const cap_value_t *caps, size_t n);

/* The BPF of ctx (seccomp_export_bpf), in memory the caller frees
 * (free((void *)out->insns)); -1 with errno and the error record set. */
int sc_export(scmp_filter_ctx ctx, struct sc_bpf *out);

/* Installs a BPF filter: seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog), traced,
 * as sc_load() does after building. */
int sc_load_bpf(const struct sc_bpf *bpf, const char *what);

/* Prints what the profile allows and denies, and why, to out. */
void sc_print(FILE *out, const struct sc_profile *p, const cap_value_t *caps, size_t n);

/* --- probes through the default profile (sc_probe.c) --- */

/* One probe: the call, the answer the default profile gives it, and the
 * answer it got, as dec_result() spells them ("0", "EPERM", "ENOSYS"). */
struct sc_probe {
	const char *name, *expect, *got;
};

/* Makes a harmless call of each kind the default profile decides about
 * (getpid and uname allowed; keyctl, unshare, mount, clone3, io_uring, bpf,
 * vsock, TIOCSTI refused), traced, into p (room for max). Returns how many
 * probes ran. Run it under the profile (sc_apply_default) to see it answer. */
size_t sc_probe_default(struct sc_probe *p, size_t max);

#endif
