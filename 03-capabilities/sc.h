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

struct sc_profile {
	const char *name;
	const struct sc_rule *rules;
	size_t n_rules;
	enum sc_action known;	/* calls libseccomp knows but the table does not list */
	enum sc_action unknown; /* calls libseccomp does not know (newer than it) */
};

/* The launcher's default profile (see sc.c for the table and reasons). */
extern const struct sc_profile sc_default_profile;

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
 * seccomp_release()), or NULL with errno set and a one-line reason in err.
 * NO_NEW_PRIVS is not set by loading: callers set it themselves, traced.
 */
scmp_filter_ctx sc_build(const struct sc_profile *p, const cap_value_t *caps, size_t n, char *err,
			 size_t size);

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
 * (free((void *)out->insns)); -1 with errno and a one-line reason in err. */
int sc_export(scmp_filter_ctx ctx, struct sc_bpf *out, char *err, size_t size);

/* Installs a BPF filter: seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog), traced,
 * as sc_load() does after building. */
int sc_load_bpf(const struct sc_bpf *bpf, const char *what);

/* The default profile's filters for the usual capability sets, made at
 * build time (build/gen/filters.c; linked by the launcher and the tests). */
extern const struct sc_bpf sc_default_bpf[];
extern const size_t sc_default_bpf_count;

/* Prints what the profile allows and denies, and why, to out. */
void sc_print(FILE *out, const struct sc_profile *p, const cap_value_t *caps, size_t n);

#endif
