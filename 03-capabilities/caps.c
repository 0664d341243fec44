/*
 * caps.c - capability helpers (see caps.h).
 */
#include "caps.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

const char *const caps_set_names[CAPS_NSETS] = {"effective", "permitted", "inheritable", "bounding",
						"ambient"};
const char *const caps_set_keys[CAPS_NSETS] = {"CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"};
/* capabilities(7): capset(2) may only remove from permitted, but execve(2)
 * of a set-uid root program or one with file capabilities can add to it;
 * the same execve(2) clears ambient ("Ambient capability set"). */
const char *const caps_set_meanings[CAPS_NSETS] = {
    "what the kernel checks now, on every privileged operation",
    "the most it may make effective; capset(2) only shrinks it, execve(2) may grow it",
    "what may pass execve(2) to a program whose file marks it inheritable too",
    "the ceiling on what execve(2) can ever grant; it can only shrink",
    "kept across execve(2) unless the program is set-uid/gid or has file capabilities",
};

/* <<< default-caps */
/* Docker's default (moby oci/caps/defaults.go): enough for a typical
 * service to start as root, change owners and ids, and bind low ports -
 * and nothing that reaches the kernel as a whole (CAP_SYS_ADMIN,
 * CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_NET_ADMIN, CAP_DAC_READ_SEARCH ...). */
const char *const caps_default_names[] = {
    "CAP_CHOWN",	    /* chown(2) any file to any owner */
    "CAP_DAC_OVERRIDE",	    /* ignore file modes (not for reading without x on dirs) */
    "CAP_FSETID",	    /* keep set-uid bits when writing */
    "CAP_FOWNER",	    /* act as the owner of any file (chmod, utime) */
    "CAP_MKNOD",	    /* make device nodes (the devices policy decides use) */
    "CAP_NET_RAW",	    /* raw sockets: ping */
    "CAP_SETGID",	    /* change group ids */
    "CAP_SETUID",	    /* change user ids */
    "CAP_SETFCAP",	    /* set file capabilities */
    "CAP_SETPCAP",	    /* drop from the bounding set, change securebits */
    "CAP_NET_BIND_SERVICE", /* bind ports below 1024 */
    "CAP_SYS_CHROOT",	    /* chroot(2) */
    "CAP_KILL",		    /* signal any process (of the container) */
    "CAP_AUDIT_WRITE",	    /* write to the audit log: login, sshd */
    NULL,
};
/* >>> default-caps */

int
caps_last_cap(void)
{
	/* The kernel's number cannot change while we run: read it once (the
	 * launcher checks a dozen capability names per start). */
	static int last = -1;
	char buf[32];
	char *end;

	if (last >= 0)
		return last;
	if (proc_read("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) < 0)
		return err_sys("/proc/sys/kernel/cap_last_cap");
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v < 0 || v > 63)
		return err_set(ERANGE, "/proc/sys/kernel/cap_last_cap: '%.20s': expected 0 to 63",
			       buf);
	return last = (int)v;
}

/* <<< from-name */
int
caps_from_name(const char *name, cap_value_t *cap)
{
	char lower[64];
	const char *bare = name;
	int last = caps_last_cap();

	if (strncasecmp(bare, "cap_", 4) == 0)
		bare += 4;
	/* Letters, digits and '_' only, and not a number: libcap would take
	 * "7" as CAP_SETUID, which a reader of a command line would not. */
	int ok =
	    bare[0] != '\0' && strlen(bare) < sizeof(lower) - 5 && !isdigit((unsigned char)bare[0]);
	for (const char *p = bare; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	if (ok) {
		snprintf(lower, sizeof(lower), "cap_%s", bare);
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		ok = cap_from_name(lower, cap) == 0;
	}
	if (!ok)
		return err_set(EINVAL,
			       "unknown capability '%s': expected a name such as CHOWN or "
			       "CAP_NET_ADMIN (capabilities(7))",
			       name);
	if (last >= 0 && *cap > last)
		return err_set(EINVAL,
			       "capability '%s' (%d) is newer than this kernel (cap_last_cap %d)",
			       name, *cap, last);
	return 0;
}
/* >>> from-name */

int
caps_parse_list(const char *list, cap_value_t *caps, size_t max)
{
	size_t n = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char name[64];

		if (len == 0 || len >= sizeof(name))
			return err_set(
			    EINVAL, "capability list '%s': expected names separated by ','", list);
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (n == max)
			return err_set(EINVAL, "capability list '%s': more than %zu names", list,
				       max);
		if (caps_from_name(name, &caps[n]) == -1)
			return -1;
		n++;
		p += len;
		if (*p == ',' && *++p == '\0')
			return err_set(EINVAL, "capability list '%s' ends with ','", list);
	}
	return (int)n;
}

const char *
caps_name(cap_value_t cap)
{
	return dec_cap(cap);
}

const char *
caps_describe(uint64_t mask, int last, char *out, size_t size)
{
	uint64_t all = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
	int n = __builtin_popcountll(mask & all);
	int invert = n > (last + 1) / 2;
	size_t o = 0;

	out[0] = '\0';
	if (n == 0)
		o = (size_t)snprintf(out, size, "none");
	else if (invert)
		o = (size_t)snprintf(out, size, "all %d%s", last + 1, n == last + 1 ? "" : " but ");
	for (int c = 0, first = 1; c <= last && o < size; c++) {
		int in = (mask >> c) & 1;

		if (in == invert)
			continue;
		o += (size_t)snprintf(out + o, size - o, "%s%s", first ? "" : ",", caps_name(c));
		first = 0;
	}
	/* Bits above cap_last_cap would be a kernel newer than the reader. */
	if ((mask & ~all) != 0 && o < size)
		snprintf(out + o, size - o, " +%#" PRIx64, mask & ~all);
	return out;
}

int
caps_parse_status(const char *text, struct caps_state *st)
{
	char value[64];

	for (int i = 0; i < CAPS_NSETS; i++) {
		if (proc_parse_status(text, caps_set_keys[i], value, sizeof(value)) != 0)
			return err_set(ENOENT, "status: no %s line", caps_set_keys[i]);
		st->set[i] = strtoull(value, NULL, 16);
	}
	st->no_new_privs =
	    proc_parse_status(text, "NoNewPrivs", value, sizeof(value)) == 0 ? atoi(value) : -1;
	st->seccomp =
	    proc_parse_status(text, "Seccomp", value, sizeof(value)) == 0 ? atoi(value) : -1;
	st->seccomp_filters = proc_parse_status(text, "Seccomp_filters", value, sizeof(value)) == 0
				  ? atoi(value)
				  : -1;
	return 0;
}

int
caps_read(pid_t pid, struct caps_state *st)
{
	char path[64], text[8192];

	if (proc_read(proc_path(path, sizeof(path), pid, "status"), text, sizeof(text)) < 0)
		return err_sys("%s", path);
	if (caps_parse_status(text, st) == -1)
		return err_prefix("%s", path);
	return 0;
}

int
caps_show(pid_t pid, struct caps_state *out)
{
	struct caps_state st;
	char path[64], value[1024], names[900];
	int last = caps_last_cap();

	if (last < 0 || caps_read(pid, &st) == -1)
		return -1;
	proc_path(path, sizeof(path), pid, "status");
	for (int i = 0; i < CAPS_NSETS; i++) {
		snprintf(value, sizeof(value), "%s %016" PRIx64 " = %s", caps_set_keys[i],
			 st.set[i], caps_describe(st.set[i], last, names, sizeof(names)));
		trace_proc(path, value);
	}
	snprintf(value, sizeof(value), "NoNewPrivs %d, Seccomp %d", st.no_new_privs, st.seccomp);
	trace_proc(path, value);
	if (out)
		*out = st;
	return 0;
}

/* <<< capset */
/* Sets effective and permitted to keep (n), inheritable to inh (m), with
 * one capset(2). libcap's cap_set_proc() is that one call. */
static int
set_proc(const cap_value_t *keep, size_t n, const cap_value_t *inh, size_t m)
{
	cap_t c = cap_init(); /* all three sets empty */
	char e[900], i[900];
	uint64_t mask = 0, imask = 0;
	int last = caps_last_cap(), ret = -1;

	if (!c)
		return err_sys("cap_init");
	for (size_t k = 0; k < n; k++)
		mask |= UINT64_C(1) << keep[k];
	for (size_t k = 0; k < m; k++)
		imask |= UINT64_C(1) << inh[k];
	if ((n && (cap_set_flag(c, CAP_EFFECTIVE, (int)n, keep, CAP_SET) ||
		   cap_set_flag(c, CAP_PERMITTED, (int)n, keep, CAP_SET))) ||
	    (m && cap_set_flag(c, CAP_INHERITABLE, (int)m, inh, CAP_SET))) {
		err_sys("cap_set_flag");
		goto out;
	}
	ret = (int)TRACE(
	    cap_set_proc(c), "capset",
	    "{_LINUX_CAPABILITY_VERSION_3, 0}, {effective=permitted=%s, inheritable=%s}",
	    caps_describe(mask, last, e, sizeof(e)), caps_describe(imask, last, i, sizeof(i)));
	if (ret == -1)
		err_sys("capset");
out:
	cap_free(c);
	return ret;
}
/* >>> capset */

static int
ambient_clear(void)
{
	if (TRACE(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl",
		  "PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0") == -1)
		return err_sys("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	return 0;
}

static int
bounding_drop(cap_value_t cap)
{
	if (TRACE(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl", "PR_CAPBSET_DROP, %s",
		  caps_name(cap)) == -1)
		return err_sys("prctl(PR_CAPBSET_DROP, %s)", caps_name(cap));
	return 0;
}

/* <<< keep-only */
int
caps_keep_only(const cap_value_t *keep, size_t n)
{
	int last = caps_last_cap();
	struct caps_state st;

	if (last < 0 || caps_read(0, &st) == -1)
		return -1;
	/* Bounding first: dropping from it needs CAP_SETPCAP, which the capset
	 * below may take away. Only bits still set, so a second call is quiet. */
	for (cap_value_t c = 0; c <= last; c++) {
		int kept = 0;

		for (size_t k = 0; k < n; k++)
			kept |= keep[k] == c;
		if (!kept && ((st.set[CAPS_BOUNDING] >> c) & 1) && bounding_drop(c) == -1)
			return -1;
	}
	if (ambient_clear() == -1)
		return -1;
	return set_proc(keep, n, NULL, 0);
}
/* >>> keep-only */

int
caps_drop(cap_value_t cap)
{
	struct caps_state st;
	cap_value_t keep[64];
	size_t n = 0;
	int last = caps_last_cap();

	if (last < 0 || caps_read(0, &st) == -1)
		return -1;
	if (((st.set[CAPS_BOUNDING] >> cap) & 1) && bounding_drop(cap) == -1)
		return -1;
	/* Permitted minus cap; dropping it from permitted also drops it from
	 * ambient (capabilities(7)), so nothing else keeps it. */
	for (cap_value_t c = 0; c <= last && n < 64; c++)
		if (c != cap && ((st.set[CAPS_PERMITTED] >> c) & 1))
			keep[n++] = c;
	return set_proc(keep, n, NULL, 0);
}

int
caps_raise_ambient(cap_value_t cap)
{
	struct caps_state st;
	cap_value_t prm[64];
	size_t n = 0;
	int last = caps_last_cap();

	if (last < 0 || caps_read(0, &st) == -1)
		return -1;
	for (cap_value_t c = 0; c <= last && n < 64; c++)
		if ((st.set[CAPS_PERMITTED] >> c) & 1)
			prm[n++] = c;
	/* An ambient capability must be both permitted and inheritable; the
	 * kernel refuses an inheritable one that is not in the bounding set. */
	if (set_proc(prm, n, &cap, 1) == -1)
		return -1;
	if (TRACE(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), "prctl",
		  "PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s, 0, 0", caps_name(cap)) == -1)
		return err_sys("prctl(PR_CAP_AMBIENT_RAISE, %s)", caps_name(cap));
	return 0;
}

int
caps_set_no_new_privs(void)
{
	if (TRACE(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl",
		  "PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0") == -1)
		return err_sys("prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

int
caps_get_securebits(void)
{
	return (int)TRACE(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), "prctl", "PR_GET_SECUREBITS");
}

const char *
caps_securebits_names(unsigned bits)
{
	static const struct dec_flag table[] = {
	    {SECBIT_NOROOT, "SECBIT_NOROOT"},
	    {SECBIT_NOROOT_LOCKED, "SECBIT_NOROOT_LOCKED"},
	    {SECBIT_NO_SETUID_FIXUP, "SECBIT_NO_SETUID_FIXUP"},
	    {SECBIT_NO_SETUID_FIXUP_LOCKED, "SECBIT_NO_SETUID_FIXUP_LOCKED"},
	    {SECBIT_KEEP_CAPS, "SECBIT_KEEP_CAPS"},
	    {SECBIT_KEEP_CAPS_LOCKED, "SECBIT_KEEP_CAPS_LOCKED"},
	    {SECBIT_NO_CAP_AMBIENT_RAISE, "SECBIT_NO_CAP_AMBIENT_RAISE"},
	    {SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"},
	    {0, NULL},
	};
	return dec_flags(table, bits);
}

int
caps_default(cap_value_t *caps, size_t max)
{
	size_t n = 0;

	for (; caps_default_names[n]; n++) {
		if (n == max)
			return err_set(ENOSPC, "room for %zu capabilities, Docker keeps more", max);
		if (caps_from_name(caps_default_names[n], &caps[n]) == -1)
			return -1;
	}
	return (int)n;
}
