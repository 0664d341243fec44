/*
 * sc.c - seccomp helpers (see sc.h): syscall names and numbers, a profile
 * turned into a libseccomp filter, loaded, exported as BPF and printed. The
 * launcher's default profile, the table, is sc_profile.c.
 */
#include "sc.h"
#include "caps.h"
#include "../common/decode.h"
#include "../common/err.h"
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

char *
sc_name(uint32_t arch, int nr)
{
	arch = arch_or_native(arch);
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
sc_build(const struct sc_profile *p, const cap_value_t *caps, size_t n)
{
	/* Calls newer than the profile end at the context's default. */
	scmp_filter_ctx ctx = seccomp_init(scmp_action(p->unknown));
	int rc = 0, max = sc_max_nr(0);

	if (!ctx) {
		err_set(ENOMEM, "seccomp_init failed");
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
			err_set(ENOSYS, "seccomp rule for %s: no number for this architecture",
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
			err_set(-rc, "seccomp rule for %s: %s", r->name, strerror(-rc));
	}
	/* Every other call the profile knows, up to its horizon: p->known.
	 * Above the horizon, and the numbers no call has, stay at the
	 * context's default, p->unknown. */
	for (int nr = 0; nr <= max && rc == 0; nr++) {
		char *name = sc_name(0, nr);

		if (name && !sc_find(p, name)) {
			rc = add_rule(ctx, p->unknown, p->known, nr, 0);
			if (rc < 0)
				err_set(-rc, "seccomp rule for %s: %s", name, strerror(-rc));
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
sc_export(scmp_filter_ctx ctx, struct sc_bpf *out)
{
	/* libseccomp 2.5 exports to a file descriptor only: a memfd. */
	int fd = memfd_create("sc-export", MFD_CLOEXEC), rc;
	struct stat st;
	void *buf = NULL;

	if (fd == -1)
		return err_sys("memfd_create");
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		errno = -rc;
		err_sys("seccomp_export_bpf");
	} else if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
		   st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
		   !(buf = malloc((size_t)st.st_size)) ||
		   pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		err_sys("reading the exported filter");
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (!buf) {
		errno = err_last()->errnum;
		return -1;
	}
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

int
sc_apply(const struct sc_profile *p, const cap_value_t *caps, size_t n)
{
	scmp_filter_ctx ctx = sc_build(p, caps, n);

	if (!ctx)
		return -1;
	int ret = sc_load(ctx, p->name);
	if (ret == -1)
		err_sys("seccomp: loading the %s profile", p->name);
	seccomp_release(ctx);
	return ret;
}

int
sc_apply_default(void)
{
	cap_value_t caps[64];
	int n = caps_default(caps, 64);

	if (n < 0)
		return -1; /* recorded */
	if (caps_set_no_new_privs() == -1)
		return -1; /* the error names the call */
	return sc_apply(&sc_default_profile, caps, (size_t)n);
}
