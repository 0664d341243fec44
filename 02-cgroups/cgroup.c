/*
 * cgroup.c - control group helpers: parsing, the v1 names, the layout, and
 * cgroups of our own (see cgroup.h).
 */
#include "cgroup.h"
#include "../common/decode.h"
#include "../common/host.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* Sets errno and a one-line reason; returns -1 for "return fail(...)". */
static int
fail(int err, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (buf && size) {
		va_start(ap, fmt);
		vsnprintf(buf, size, fmt, ap);
		va_end(ap);
	}
	errno = err;
	return -1;
}

/* ---- parsing values ---- */

/*
 * A decimal number "123" or "1.25" as a whole part and a fraction in
 * billionths; *end after it. Digits past the ninth decimal are dropped.
 * -1 when there is no digit, or the whole part overflows.
 */
static int
parse_decimal(const char *s, uint64_t *whole, uint64_t *nano, const char **end, int *overflow)
{
	uint64_t w = 0, f = 0, scale = 100000000;
	const char *p = s;

	*overflow = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (w > (UINT64_MAX - 9) / 10)
			*overflow = 1;
		else
			w = w * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			f += scale * (uint64_t)(*p - '0');
	}
	*whole = w;
	*nano = f;
	*end = p;
	return 0;
}

int
cg_parse_size(const char *s, uint64_t *bytes, char *err, size_t size)
{
	uint64_t whole, nano, mult = 1;
	const char *p;
	int overflow;

	if (!s || !*s)
		return fail(EINVAL, err, size, "empty size: expected a size such as 64M or max");
	if (strcmp(s, "max") == 0) {
		*bytes = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return fail(EINVAL, err, size, "'%s': a size cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0)
		return fail(EINVAL, err, size, "'%s': expected a size such as 64M, 1.5G or max", s);
	switch (*p) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		p++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		p++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		p++;
		break;
	case 't':
	case 'T':
		mult = 1ULL << 40;
		p++;
		break;
	}
	if (mult > 1 && strcmp(p, "iB") == 0)
		p += 2;
	else if (*p == 'B' || *p == 'b')
		p++;
	if (*p != '\0')
		return fail(EINVAL, err, size, "'%s': expected a size such as 64M, 1.5G or max", s);
	if (nano && mult == 1)
		return fail(EINVAL, err, size, "'%s': a fraction of a byte; use a unit, as in 1.5G",
			    s);
	/* CG_UNLIMITED itself stands for "max", so it is out of range too. */
	if (overflow || whole > (UINT64_MAX - 1) / mult)
		return fail(ERANGE, err, size, "'%s': too large (at most 16 EiB)", s);
	/* 128 bits: a fraction of 1 TiB in billionths overflows 64. */
	uint64_t frac = (uint64_t)((unsigned __int128)nano * mult / 1000000000);
	if (whole * mult > UINT64_MAX - 1 - frac)
		return fail(ERANGE, err, size, "'%s': too large (at most 16 EiB)", s);
	*bytes = whole * mult + frac;
	return 0;
}

int
cg_parse_count(const char *s, uint64_t *count, char *err, size_t size)
{
	uint64_t whole, nano;
	const char *p;
	int overflow;

	if (!s || !*s)
		return fail(EINVAL, err, size, "empty count: expected a number or max");
	if (strcmp(s, "max") == 0) {
		*count = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return fail(EINVAL, err, size, "'%s': a count cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0 || nano || *p || strchr(s, '.'))
		return fail(EINVAL, err, size, "'%s': expected a whole number or max", s);
	/* PID_MAX_LIMIT, include/linux/threads.h: no more pids can exist. */
	if (overflow || whole > 4194304)
		return fail(ERANGE, err, size, "'%s': too large (at most 4194304, or max)", s);
	*count = whole;
	return 0;
}

int
cg_parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us, char *err, size_t size)
{
	uint64_t whole, nano;
	const char *p;
	int overflow;

	if (!s || !*s)
		return fail(EINVAL, err, size,
			    "empty CPU count: expected a number such as 0.5 or max");
	if (strcmp(s, "max") == 0) {
		*quota_us = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return fail(EINVAL, err, size, "'%s': a CPU count cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0 || *p)
		return fail(EINVAL, err, size, "'%s': expected CPUs such as 0.5, 2 or max", s);
	if (overflow || whole > 1000000)
		return fail(ERANGE, err, size, "'%s': too many CPUs (at most 1000000)", s);
	uint64_t quota = whole * period_us + nano * period_us / 1000000000;
	/* kernel/sched/core.c: a quota below 1 ms is refused (EINVAL). */
	if (quota < 1000)
		return fail(ERANGE, err, size,
			    "'%s': too little CPU (at least %.3g CPUs: 1000 us per %llu us)", s,
			    1000.0 / (double)period_us, (unsigned long long)period_us);
	*quota_us = quota;
	return 0;
}

int
cg_parse_weight(const char *s, uint64_t *weight, char *err, size_t size)
{
	uint64_t w;

	if (cg_parse_count(s, &w, NULL, 0) != 0 || w == CG_UNLIMITED || w < 1 || w > 10000) {
		if (s && s[0] == '-')
			return fail(EINVAL, err, size, "'%s': a weight cannot be negative", s);
		return fail(EINVAL, err, size, "'%s': expected a weight from 1 to 10000",
			    s ? s : "");
	}
	*weight = w;
	return 0;
}

static void
put_number(char *out, size_t size, uint64_t v)
{
	if (v == CG_UNLIMITED)
		snprintf(out, size, "max");
	else
		snprintf(out, size, "%llu", (unsigned long long)v);
}

/* io.max: "MAJ:MIN" and key=value pairs, each key one of rbps wbps riops wiops. */
static int
normalize_io(const char *value, char *out, size_t outsize, char *err, size_t size)
{
	char copy[256], *save = NULL;
	unsigned maj, min;
	int n = 0, len;

	/* Cut short, the value would change meaning (tests/fuzz/fuzz_cgvalue.c). */
	if (strlen(value) >= sizeof(copy))
		return fail(EINVAL, err, size, "io.max: longer than %zu characters",
			    sizeof(copy) - 1);
	snprintf(copy, sizeof(copy), "%s", value);
	char *dev = strtok_r(copy, " ", &save);
	if (!dev || sscanf(dev, "%u:%u%n", &maj, &min, &n) != 2 || dev[n] != '\0')
		return fail(EINVAL, err, size,
			    "io.max '%s': expected MAJ:MIN then rbps= wbps= riops= wiops=", value);
	len = snprintf(out, outsize, "%u:%u", maj, min);
	int pairs = 0;
	for (char *kv = strtok_r(NULL, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		uint64_t v;

		if (!eq)
			return fail(EINVAL, err, size, "io.max '%s': expected key=value", kv);
		*eq = '\0';
		if (strcmp(kv, "rbps") && strcmp(kv, "wbps") && strcmp(kv, "riops") &&
		    strcmp(kv, "wiops"))
			return fail(EINVAL, err, size,
				    "io.max: unknown key '%s' (rbps, wbps, riops, wiops)", kv);
		if (strcmp(eq + 1, "max") == 0)
			v = CG_UNLIMITED;
		else if (cg_parse_size(eq + 1, &v, err, size) != 0)
			return -1;
		char num[32];
		put_number(num, sizeof(num), v);
		size_t room = outsize > (size_t)len ? outsize - (size_t)len : 0;
		len += snprintf(room ? out + len : NULL, room, " %s=%s", kv, num);
		pairs++;
	}
	if (pairs == 0)
		return fail(EINVAL, err, size, "io.max '%s': no limit given (rbps=...)", value);
	/* A truncated value would be another value (rbps=1048576 as rbps=10). */
	if ((size_t)len >= outsize)
		return fail(ERANGE, err, size, "io.max '%s': too long once in bytes (%d)", value,
			    len);
	return 0;
}

int
cg_normalize(const char *file, const char *value, char *out, size_t outsize, char *err, size_t size)
{
	uint64_t v, period = 100000;

	if (!value)
		return fail(EINVAL, err, size, "%s: no value", file);
	if (strcmp(file, "memory.max") == 0 || strcmp(file, "memory.high") == 0 ||
	    strcmp(file, "memory.swap.max") == 0 || strcmp(file, "memory.low") == 0 ||
	    strcmp(file, "memory.min") == 0) {
		if (cg_parse_size(value, &v, err, size) != 0)
			return -1;
	} else if (strcmp(file, "pids.max") == 0) {
		if (cg_parse_count(value, &v, err, size) != 0)
			return -1;
	} else if (strcmp(file, "cpu.weight") == 0) {
		if (cg_parse_weight(value, &v, err, size) != 0)
			return -1;
	} else if (strcmp(file, "cpu.max") == 0) {
		/* Either the kernel's "QUOTA PERIOD", or CPUs as docker's --cpus. */
		const char *space = strchr(value, ' ');
		char quota[64];

		if (space) {
			/* A quota too long for the buffer would be cut, and the cut
			 * one checked instead: refuse it whole. */
			if ((size_t)(space - value) >= sizeof(quota))
				return fail(EINVAL, err, size,
					    "cpu.max '%.80s...': expected QUOTA PERIOD in us",
					    value);
			snprintf(quota, sizeof(quota), "%.*s", (int)(space - value), value);
			if (cg_parse_count(space + 1, &period, NULL, 0) != 0 || period < 1000 ||
			    period > 1000000)
				return fail(EINVAL, err, size,
					    "cpu.max '%s': the period must be 1000 to 1000000 us",
					    value);
			if (strcmp(quota, "max") == 0)
				v = CG_UNLIMITED;
			else if (quota[0] == '-' || strchr(quota, '.') ||
				 cg_parse_size(quota, &v, NULL, 0) != 0 ||
				 !isdigit((unsigned char)quota[strlen(quota) - 1]) || v < 1000)
				return fail(EINVAL, err, size,
					    "cpu.max '%s': expected QUOTA PERIOD in us, QUOTA >= "
					    "1000 or max",
					    value);
		} else if (cg_parse_cpus(value, period, &v, err, size) != 0) {
			return -1;
		}
		put_number(out, outsize, v);
		size_t len = strlen(out);
		snprintf(out + len, outsize - len, " %llu", (unsigned long long)period);
		return 0;
	} else if (strcmp(file, "io.max") == 0) {
		return normalize_io(value, out, outsize, err, size);
	} else if (strcmp(file, "cgroup.freeze") == 0) {
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			return fail(EINVAL, err, size, "cgroup.freeze '%s': expected 0 or 1",
				    value);
		v = (uint64_t)(value[0] - '0');
	} else {
		return fail(ENOTSUP, err, size, "%s: not a cgroup file these helpers set", file);
	}
	put_number(out, outsize, v);
	return 0;
}

/* ---- cgroup v1 names ---- */

/* v2 file -> v1 hierarchy and the v1 file to read. */
static const struct {
	const char *v2, *controller, *v1;
} v1_names[] = {
    {"memory.max", "memory", "memory.limit_in_bytes"},
    {"memory.high", "memory", "memory.soft_limit_in_bytes"},
    {"memory.swap.max", "memory", "memory.memsw.limit_in_bytes"},
    {"memory.current", "memory", "memory.usage_in_bytes"},
    {"memory.peak", "memory", "memory.max_usage_in_bytes"},
    {"memory.events", "memory", "memory.oom_control"},
    {"memory.stat", "memory", "memory.stat"},
    {"pids.max", "pids", "pids.max"},
    {"pids.current", "pids", "pids.current"},
    {"pids.events", "pids", "pids.events"},
    {"cpu.max", "cpu", "cpu.cfs_quota_us"},
    {"cpu.weight", "cpu", "cpu.shares"},
    {"cpu.stat", "cpu", "cpu.stat"},
    {"io.max", "blkio", "blkio.throttle.read_bps_device"},
    {"io.stat", "blkio", "blkio.throttle.io_service_bytes"},
    {"cgroup.freeze", "freezer", "freezer.state"},
    {"cgroup.events", "freezer", "freezer.state"},
};

static int
v1_index(const char *file)
{
	for (size_t i = 0; i < sizeof(v1_names) / sizeof(v1_names[0]); i++)
		if (strcmp(v1_names[i].v2, file) == 0)
			return (int)i;
	return -1;
}

const char *
cg_v1_controller(const char *file)
{
	int i = v1_index(file);

	return i < 0 ? NULL : v1_names[i].controller;
}

const char *
cg_v1_file(const char *file)
{
	int i = v1_index(file);

	return i < 0 ? NULL : v1_names[i].v1;
}

static int
add_write(struct cg_v1_write *w, size_t max, size_t *n, const char *controller, const char *file,
	  const char *value)
{
	if (*n >= max)
		return -1;
	snprintf(w[*n].controller, sizeof(w[*n].controller), "%s", controller);
	snprintf(w[*n].file, sizeof(w[*n].file), "%s", file);
	snprintf(w[*n].value, sizeof(w[*n].value), "%s", value);
	(*n)++;
	return 0;
}

int
cg_v1_translate(const char *file, const char *value, uint64_t mem_limit, struct cg_v1_write *w,
		size_t max, char *err, size_t size)
{
	size_t n = 0;
	char v[64];
	int bad = 0;

	if (strcmp(file, "memory.max") == 0 || strcmp(file, "memory.high") == 0) {
		/* v1 says "no limit" as -1. memory.high becomes the soft limit,
		 * which is not the same thing: it only matters when the whole
		 * machine runs short, and never throttles (cgroup-v1/memory.rst). */
		bad |= add_write(w, max, &n, "memory", cg_v1_file(file),
				 strcmp(value, "max") == 0 ? "-1" : value);
	} else if (strcmp(file, "memory.swap.max") == 0) {
		uint64_t swap = 0;

		if (strcmp(value, "max") == 0) {
			snprintf(v, sizeof(v), "-1");
		} else {
			if (mem_limit == CG_UNLIMITED)
				return fail(EINVAL, err, size,
					    "memory.swap.max: on cgroup v1 set memory.max first "
					    "(v1 limits memory+swap together)");
			swap = strtoull(value, NULL, 10);
			if (swap > UINT64_MAX - 1 - mem_limit)
				return fail(ERANGE, err, size, "memory.swap.max '%s': too large",
					    value);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)(mem_limit + swap));
		}
		bad |= add_write(w, max, &n, "memory", "memory.memsw.limit_in_bytes", v);
	} else if (strcmp(file, "pids.max") == 0) {
		bad |= add_write(w, max, &n, "pids", "pids.max", value);
	} else if (strcmp(file, "cpu.max") == 0) {
		char quota[32];
		unsigned long long period;

		if (sscanf(value, "%31s %llu", quota, &period) != 2)
			return fail(EINVAL, err, size, "cpu.max '%s': expected QUOTA PERIOD",
				    value);
		/* The period first: the quota is checked against it. */
		snprintf(v, sizeof(v), "%llu", period);
		bad |= add_write(w, max, &n, "cpu", "cpu.cfs_period_us", v);
		bad |= add_write(w, max, &n, "cpu", "cpu.cfs_quota_us",
				 strcmp(quota, "max") == 0 ? "-1" : quota);
	} else if (strcmp(file, "cpu.weight") == 0) {
		/* The kernel's own mapping: weight 100 is 1024 shares
		 * (sched_weight_from_cgroup(), kernel/sched/sched.h). */
		unsigned long long weight = strtoull(value, NULL, 10);
		unsigned long long shares = (weight * 1024 + 50) / 100;

		shares = shares < 2 ? 2 : shares > 262144 ? 262144 : shares;
		snprintf(v, sizeof(v), "%llu", shares);
		bad |= add_write(w, max, &n, "cpu", "cpu.shares", v);
	} else if (strcmp(file, "io.max") == 0) {
		static const char *const keys[][2] = {
		    {"rbps", "blkio.throttle.read_bps_device"},
		    {"wbps", "blkio.throttle.write_bps_device"},
		    {"riops", "blkio.throttle.read_iops_device"},
		    {"wiops", "blkio.throttle.write_iops_device"},
		};
		char dev[32];

		if (sscanf(value, "%31s", dev) != 1)
			return fail(EINVAL, err, size, "io.max '%s': expected MAJ:MIN ...", value);
		for (size_t k = 0; k < 4; k++) {
			char needle[16];
			const char *at;

			snprintf(needle, sizeof(needle), " %s=", keys[k][0]);
			if (!(at = strstr(value, needle)))
				continue;
			at += strlen(needle);
			/* v1 removes a rule with 0 where v2 says max. */
			snprintf(v, sizeof(v), "%s %.*s", dev, (int)strcspn(at, " "),
				 strncmp(at, "max", 3) == 0 ? "0" : at);
			bad |= add_write(w, max, &n, "blkio", keys[k][1], v);
		}
	} else if (strcmp(file, "cgroup.freeze") == 0) {
		bad |= add_write(w, max, &n, "freezer", "freezer.state",
				 strcmp(value, "1") == 0 ? "FROZEN" : "THAWED");
	} else {
		return fail(ENOTSUP, err, size, "%s: cgroup v1 has no equivalent", file);
	}
	if (bad)
		return fail(ENOSPC, err, size, "%s: more writes than room for them", file);
	return (int)n;
}

/* ---- the layout ---- */

const char *
cg_kind_name(enum cg_kind kind)
{
	switch (kind) {
	case CG_V1:
		return "cgroup v1";
	case CG_V2:
		return "cgroup v2";
	case CG_HYBRID:
		return "hybrid (cgroup v1 controllers and cgroup2)";
	default:
		return "none";
	}
}

/* Is NAME one of the comma-separated words of LIST? */
static int
has_word(const char *list, const char *name, char sep)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, (char[]){sep, '\0'});

		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		p += n;
		if (*p == sep)
			p++;
	}
	return 0;
}

/* Every controller of "cpu,cpuacct" among the super options "rw,cpu,cpuacct". */
static int
has_all(const char *super, const char *controllers)
{
	char want[256], *save = NULL;

	snprintf(want, sizeof(want), "%s", controllers);
	for (char *c = strtok_r(want, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (!has_word(super, c, ','))
			return 0;
	return 1;
}

/* Finds the mount of one /proc/self/cgroup line and fills h; 0 when found. */
static int
find_mount(const char *root, const char *mountinfo, const struct proc_cgroup *cg, struct cg_hier *h)
{
	char *copy = strdup(mountinfo), *save = NULL;
	int found = -1;

	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && found;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;

		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		int v2 = cg->hierarchy == 0 && strcmp(m.fstype, "cgroup2") == 0;
		int v1 = cg->hierarchy != 0 && strcmp(m.fstype, "cgroup") == 0 &&
			 has_all(m.super, cg->controllers);
		if (!v1 && !v2)
			continue;
		/* Our path is relative to the hierarchy's root; the mount may
		 * show only a sub-tree of it (a container's view). */
		size_t rlen = strcmp(m.root, "/") == 0 ? 0 : strlen(m.root);
		if (strncmp(cg->path, m.root, rlen) != 0)
			continue;
		h->version = v2 ? 2 : 1;
		snprintf(h->controllers, sizeof(h->controllers), "%s", cg->controllers);
		snprintf(h->mount, sizeof(h->mount), "%s", m.point);
		snprintf(h->path, sizeof(h->path), "%s", cg->path);
		const char *rest = cg->path + rlen;
		snprintf(h->dir, sizeof(h->dir), "%s%s%s", root, m.point,
			 strcmp(rest, "/") == 0 ? "" : rest);
		found = 0;
	}
	free(copy);
	return found;
}

/*
 * cgroup v2: a cgroup that holds processes may not hand controllers to
 * children, unless it is the root ("no internal processes", cgroups(7)).
 * Our own cgroup usually holds the shell we were started from (a login
 * session's scope on a systemd laptop; init.scope in the VM lane), so new
 * cgroups go beneath the nearest ancestor that holds no process itself (the
 * user's slice, or the root). v1 has no such rule: there base is our own.
 */
static void
v2_base(struct cg_hier *h)
{
	char path[sizeof(h->path)], procs[sizeof(h->base) + 16], pids[64];

	snprintf(path, sizeof(path), "%s", h->path);
	while (strcmp(path, "/") != 0 && path[0] != '\0') {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", h->base);
		/* Missing (a fake tree in a test) or empty: no process here. */
		if (proc_read(procs, pids, sizeof(pids)) <= 0)
			return;
		*strrchr(h->base, '/') = '\0';
		char *slash = strrchr(path, '/');
		slash[slash == path ? 1 : 0] = '\0';
	}
}

int
cg_layout_parse(struct cg_layout *l, const char *root, const char *mountinfo,
		const char *self_cgroup, char *err, size_t size)
{
	char *copy = strdup(self_cgroup), *save = NULL;
	int v1_controllers = 0, v2 = 0;

	/* Not *l = (struct cg_layout){0}: that writes all 100 KiB of it, and
	 * the launcher's peak memory is measured. Each h[] we use is set below. */
	l->kind = CG_NONE;
	l->n = 0;
	if (!copy)
		return fail(ENOMEM, err, size, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && l->n < CG_MAX_HIER;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_cgroup c;
		struct cg_hier *h = &l->h[l->n];

		if (proc_parse_cgroup(line, &c) != 0 || find_mount(root, mountinfo, &c, h) != 0)
			continue;
		_Static_assert(sizeof(h->base) == sizeof(h->dir), "base starts as a copy of dir");
		memcpy(h->base, h->dir, strlen(h->dir) + 1);
		if (h->version == 2) {
			char path[sizeof(h->dir) + 32], text[512];

			v2_base(h);
			/* What the base may hand to its children. */
			snprintf(path, sizeof(path), "%s/cgroup.controllers", h->base);
			if (proc_read(path, text, sizeof(text)) < 0)
				text[0] = '\0';
			text[strcspn(text, "\n")] = '\0';
			snprintf(h->controllers, sizeof(h->controllers), "%s", text);
			v2 = 1;
		} else if (strncmp(h->controllers, "name=", 5) != 0) {
			v1_controllers = 1; /* name=systemd alone controls nothing */
		}
		l->n++;
	}
	free(copy);
	l->kind = v1_controllers && v2 ? CG_HYBRID : v1_controllers ? CG_V1 : v2 ? CG_V2 : CG_NONE;
	if (l->kind == CG_NONE)
		return fail(ENOENT, err, size,
			    "no cgroup hierarchy is mounted where /proc/self/cgroup says we are");
	return 0;
}

int
cg_layout_detect(struct cg_layout *l, char *err, size_t size)
{
	size_t big = 1 << 20;
	char *mountinfo = malloc(big), self[8192];
	int ret = -1;

	if (!mountinfo)
		return fail(ENOMEM, err, size, "out of memory");
	if (proc_read("/proc/self/mountinfo", mountinfo, big) < 0 ||
	    proc_read("/proc/self/cgroup", self, sizeof(self)) < 0)
		fail(errno, err, size, "cannot read /proc/self/mountinfo or /proc/self/cgroup: %s",
		     strerror(errno));
	else
		ret = cg_layout_parse(l, "", mountinfo, self, err, size);
	free(mountinfo);
	return ret;
}

/* Part of the v2 core rather than a controller to enable: freezing
 * (cgroup.freeze, Linux 5.2) and the device allow-list (a BPF program
 * attached to the cgroup, Linux 4.15; cgroup_devices.c). */
static int
v2_core(const char *controller)
{
	return strcmp(controller, "freezer") == 0 || strcmp(controller, "devices") == 0;
}

/* The v1 name of a controller: io is blkio there. */
static const char *
v1_name(const char *controller)
{
	return strcmp(controller, "io") == 0 ? "blkio" : controller;
}

int
cg_layout_find(const struct cg_layout *l, const char *controller)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->h[i].version == 1 && has_word(l->h[i].controllers, v1_name(controller), ','))
			return (int)i;
	for (size_t i = 0; i < l->n; i++) {
		if (l->h[i].version != 2)
			continue;
		if (v2_core(controller) || has_word(l->h[i].controllers, controller, ' '))
			return (int)i;
	}
	errno = ENOENT;
	return -1;
}

/* ---- files ---- */

/* Writes VALUE to DIR/FILE: the openat and the write are what the lesson
 * shows, so both are traced; close(2) is not. */
int
cg_write_file(const char *dir, const char *file, const char *value)
{
	char path[CG_PATH * 3];
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = (int)TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat",
			    "AT_FDCWD, \"%s\", O_WRONLY|O_CLOEXEC", path);
	if (fd < 0)
		return -1;
	long n = TRACE(write(fd, value, len), "write", "%d, %s, %zu", fd, trace_str(value), len);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (long)len ? 0 : -1;
}

static int
exists(const char *dir, const char *file)
{
	char path[CG_PATH * 3];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* The directory of the cgroup in the hierarchy that holds v1 controller
 * NAME, or of the v2 cgroup; NULL when it has none. */
static const char *
dir_of(const struct cg *cg, const char *controller, int *version)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->layout->h[cg->d[i].hier];

		if ((h->version == 1 && controller && has_word(h->controllers, controller, ',')) ||
		    (h->version == 2 && !controller)) {
			if (version)
				*version = h->version;
			return cg->d[i].dir;
		}
	}
	return NULL;
}

/* Where FILE of the cgroup lives: the v2 directory, or the v1 hierarchy that
 * holds its controller (v1 != NULL then). */
static const char *
locate(const struct cg *cg, const char *file, const char **v1)
{
	const char *controller = cg_v1_controller(file);
	const char *dir = controller ? dir_of(cg, controller, NULL) : NULL;

	*v1 = NULL;
	if (dir) {
		*v1 = cg_v1_file(file);
		return dir;
	}
	return dir_of(cg, NULL, NULL);
}

/* ---- a cgroup of our own ---- */

/* Appends WORD to the space-separated list in buf. */
static void
add_word(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? " " : "", word);
}

int
cg_plan(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	const char *const controllers[], char *err, size_t size)
{
	*cg = (struct cg){.layout = l};
	snprintf(cg->name, sizeof(cg->name), "%s", name);
	for (size_t c = 0; controllers[c]; c++) {
		int h = cg_layout_find(l, controllers[c]);
		size_t i;

		if (h < 0)
			return fail(ENOENT, err, size,
				    "the %s controller is not available here (%s): not mounted, "
				    "or not in cgroup.controllers",
				    controllers[c], cg_kind_name(l->kind));
		for (i = 0; i < cg->n && cg->d[i].hier != h; i++)
			;
		if (i == cg->n)
			cg->d[cg->n++].hier = h;
		/* Freezing and devices are no controllers on v2: nothing to
		 * enable for them. */
		if (l->h[h].version == 2 && !v2_core(controllers[c]))
			add_word(cg->d[i].want, sizeof(cg->d[i].want), controllers[c]);
	}
	for (size_t i = 0; i < cg->n; i++) {
		const char *pdir = l->h[cg->d[i].hier].base;

		if (parent) {
			size_t k;
			for (k = 0; k < parent->n && parent->d[k].hier != cg->d[i].hier; k++)
				;
			if (k == parent->n) {
				cg->n = 0;
				return fail(EINVAL, err, size, "%s: the parent lacks a controller",
					    name);
			}
			pdir = parent->d[k].dir;
		}
		snprintf(cg->d[i].parent, sizeof(cg->d[i].parent), "%s", pdir);
		snprintf(cg->d[i].dir, sizeof(cg->d[i].dir), "%s/%s", pdir, name);
		/* What is off in the parent now, cg_make() will probably turn on. */
		char path[sizeof(cg->d[i].parent) + 32], on[256], want[128], *save = NULL;
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", pdir);
		if (!cg->d[i].want[0] || proc_read(path, on, sizeof(on)) < 0)
			on[0] = '\0';
		on[strcspn(on, "\n")] = '\0';
		snprintf(want, sizeof(want), "%s", cg->d[i].want);
		for (char *c = strtok_r(want, " ", &save); c; c = strtok_r(NULL, " ", &save))
			if (!has_word(on, c, ' '))
				add_word(cg->d[i].enabled, sizeof(cg->d[i].enabled), c);
	}
	return 0;
}

/* flock(2) on DIR (a cgroup directory: cgroupfs takes it like any other
 * file system); the descriptor to close, or -1. Plumbing: not traced. */
static int
lock_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * v2: the controllers these helpers turned on in a parent's
 * cgroup.subtree_control and have not given back, kept on the parent
 * itself as an extended attribute (cgroupfs keeps trusted.* ones,
 * xattr(7)). It outlives the cgroup that turned them on: when that one
 * goes first while another of ours still relies on them, the last of ours
 * to go gives them back. Where the attribute cannot be kept, each cgroup
 * gives back only what it turned on itself. Called with the parent locked.
 */
#define ENABLED_XATTR "trusted.nutshell.enabled"

static void
enabled_get(const char *parent, char *list, size_t size)
{
	ssize_t n = getxattr(parent, ENABLED_XATTR, list, size - 1);
	list[n > 0 ? n : 0] = '\0';
}

/* The words of MORE that LIST lacks, added to it (a set union). */
static void
add_words(char *list, size_t size, const char *more)
{
	char copy[128], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", more);
	for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save))
		if (!has_word(list, c, ' '))
			add_word(list, size, c);
}

static void
enabled_add(const char *parent, const char *more)
{
	char list[128];

	enabled_get(parent, list, sizeof(list));
	add_words(list, sizeof(list), more);
	TRACE(setxattr(parent, ENABLED_XATTR, list, strlen(list), 0), "setxattr",
	      "\"%s\", \"%s\", \"%s\", %zu, 0", parent, ENABLED_XATTR, list, strlen(list));
}

int
cg_make(struct cg *cg, char *err, size_t size)
{
	for (size_t i = 0; i < cg->n; i++) {
		const char *pdir = cg->d[i].parent;
		int lock = -1;

		cg->d[i].enabled[0] = '\0';
		if (cg->d[i].want[0]) {
			/* A v2 cgroup offers its children only the controllers
			 * enabled in its cgroup.subtree_control. Locked: another
			 * cg_remove() must not turn one off before our mkdir. */
			char path[sizeof(cg->d[i].parent) + 32], on[256], want[128], *save = NULL;

			if ((lock = lock_dir(pdir)) < 0) {
				int e = errno;
				cg->d[i].dir[0] = '\0';
				cg->n = i + 1;
				cg_remove(cg);
				return fail(e, err, size, "cannot lock %s: %s", pdir, strerror(e));
			}
			snprintf(path, sizeof(path), "%s/cgroup.subtree_control", pdir);
			if (proc_read(path, on, sizeof(on)) < 0)
				on[0] = '\0';
			on[strcspn(on, "\n")] = '\0';
			snprintf(want, sizeof(want), "%s", cg->d[i].want);
			for (char *c = strtok_r(want, " ", &save); c;
			     c = strtok_r(NULL, " ", &save)) {
				char plus[32];

				if (has_word(on, c, ' '))
					continue;
				snprintf(plus, sizeof(plus), "+%s", c);
				if (cg_write_file(pdir, "cgroup.subtree_control", plus) != 0) {
					int e = errno;
					close(lock); /* cg_remove() takes it again */
					cg->d[i].dir[0] = '\0';
					cg->n = i + 1;
					cg_remove(cg);
					if (e == EBUSY)
						return fail(
						    e, err, size,
						    "cannot enable %s for the children of %s: "
						    "it holds processes (no internal "
						    "processes, cgroups(7)); run in a "
						    "delegated or empty cgroup",
						    c, pdir);
					return fail(e, err, size, "cannot enable %s in %s: %s", c,
						    path, strerror(e));
				}
				add_word(cg->d[i].enabled, sizeof(cg->d[i].enabled), c);
			}
			if (cg->d[i].enabled[0])
				enabled_add(pdir, cg->d[i].enabled);
		}
		int made =
		    (int)TRACE(mkdir(cg->d[i].dir, 0755), "mkdir", "\"%s\", 0755", cg->d[i].dir);
		int e = errno;
		if (lock >= 0)
			close(lock);
		if (made != 0) {
			/* This one was not made: only undo what it enabled. */
			cg->d[i].dir[0] = '\0';
			cg->n = i + 1;
			cg_remove(cg);
			/* A read-only cgroupfs, no delegation: the host is why (host.h). */
			char why[512];
			const char *w = host_cgroup_why(e, cg->d[i].parent, why, sizeof(why));
			return fail(e, err, size, "mkdir %s: %s%s%s", cg->d[i].parent, strerror(e),
				    w ? ": " : "", w ? w : "");
		}
	}
	return 0;
}

int
cg_create(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	  const char *const controllers[], char *err, size_t size)
{
	if (cg_plan(cg, l, parent, name, controllers, err, size) != 0)
		return -1;
	return cg_make(cg, err, size);
}

int
cg_has(const struct cg *cg, const char *file)
{
	const char *v1, *dir = locate(cg, file, &v1);

	return dir && exists(dir, v1 ? v1 : file);
}

int
cg_set(struct cg *cg, const char *file, const char *value, char *err, size_t size)
{
	char norm[256];
	const char *controller = cg_v1_controller(file);
	int version = 2;

	if (cg_normalize(file, value, norm, sizeof(norm), err, size) != 0)
		return -1;
	const char *dir = controller ? dir_of(cg, controller, &version) : NULL;
	if (!dir) {
		/* v2 (a v1 host has a v1 directory for each controller we use). */
		if (!(dir = dir_of(cg, NULL, NULL)))
			return fail(ENOENT, err, size, "%s: this cgroup has no %s controller", file,
				    controller ? controller : "such");
		if (!exists(dir, file))
			return fail(ENOENT, err, size, "%s does not exist in %s", file, dir);
		if (cg_write_file(dir, file, norm) != 0)
			return fail(errno, err, size, "writing '%s' to %s/%s: %s", norm, dir, file,
				    strerror(errno));
		return 0;
	}

	struct cg_v1_write w[4];
	uint64_t limit = CG_UNLIMITED;
	if (strcmp(file, "memory.swap.max") == 0) {
		char path[sizeof(cg->d[0].dir) + 32], text[64];

		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
		if (proc_read(path, text, sizeof(text)) > 0 &&
		    strtoull(text, NULL, 10) < (1ULL << 62))
			limit = strtoull(text, NULL, 10);
	}
	int n = cg_v1_translate(file, norm, limit, w, 4, err, size);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *d = dir_of(cg, w[i].controller, NULL);

		if (!d || !exists(d, w[i].file))
			return fail(ENOENT, err, size, "%s (v1 for %s) does not exist here%s",
				    w[i].file, file,
				    strstr(w[i].file, "memsw") ? ": swap accounting is off" : "");
		if (cg_write_file(d, w[i].file, w[i].value) != 0)
			return fail(errno, err, size, "writing '%s' to %s/%s: %s", w[i].value, d,
				    w[i].file, strerror(errno));
	}
	return 0;
}

int
cg_attach(struct cg *cg, pid_t pid)
{
	char num[32];

	snprintf(num, sizeof(num), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write_file(cg->d[i].dir, "cgroup.procs", num) != 0)
			return -1;
	return 0;
}

/* <<< join */
int
cg_join(struct cg *cg)
{
	/* Moving another process (a pid) or a whole thread group takes the
	 * kernel's global cgroup_threadgroup_rwsem for writing, which waits
	 * for an RCU grace period: about a millisecond here. A thread moving
	 * itself ("0") to a v1 tasks file needs no such lock - it cannot exit
	 * or exec while it writes (cgroup_procs_write_start() in
	 * kernel/cgroup/cgroup.c). v2 has no per-thread file outside threaded
	 * cgroups: cgroup.procs there. For a single-threaded caller only. */
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write_file(cg->d[i].dir,
				  cg->layout->h[cg->d[i].hier].version == 1 ? "tasks"
									    : "cgroup.procs",
				  "0") != 0)
			return -1;
	return 0;
}
/* >>> join */

/* Reads FILE (or its v1 name) into buf; the path read into path. */
static int
read_quiet(const struct cg *cg, const char *file, char *buf, size_t size, char *path, size_t psize)
{
	const char *v1, *dir = locate(cg, file, &v1);

	if (!dir) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, psize, "%s/%s", dir, v1 ? v1 : file);
	return proc_read(path, buf, size) < 0 ? -1 : 0;
}

int
cg_read(const struct cg *cg, const char *file, char *buf, size_t size)
{
	char path[CG_PATH * 3], *copy, *save = NULL;

	if (read_quiet(cg, file, buf, size, path, sizeof(path)) != 0)
		return -1;
	if (!(copy = strdup(buf)))
		return -1;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		trace_proc(path, line);
	free(copy);
	return 0;
}

long long
cg_parse_key(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

long long
cg_stat(const struct cg *cg, const char *counter)
{
	char text[4096], path[CG_PATH * 3];
	const char *file = strcmp(counter, "oom_kill") == 0 || strcmp(counter, "high") == 0
			       ? "memory.events"
			   : strcmp(counter, "pids_max") == 0 ? "pids.events"
			   : strcmp(counter, "frozen") == 0   ? "cgroup.events"
							      : "cpu.stat";
	int v1 = dir_of(cg, cg_v1_controller(file), NULL) != NULL;

	if (read_quiet(cg, file, text, sizeof(text), path, sizeof(path)) != 0)
		return -1;
	if (strcmp(counter, "frozen") == 0)
		return v1 ? strncmp(text, "FROZEN", 6) == 0 : cg_parse_key(text, "frozen");
	if (strcmp(counter, "pids_max") == 0)
		return cg_parse_key(text, "max");
	if (strcmp(counter, "high") == 0)
		return v1 ? -1 : cg_parse_key(text, "high");
	if (strcmp(counter, "throttled_usec") == 0 && v1) {
		long long ns = cg_parse_key(text, "throttled_time");
		return ns < 0 ? -1 : ns / 1000;
	}
	return cg_parse_key(text, counter);
}

/* Appends the pids of DIR/cgroup.procs to pids; the new count. */
static size_t
read_pids(const char *dir, pid_t *pids, size_t n, size_t max)
{
	char path[CG_PATH * 3], text[65536];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (proc_read(path, text, sizeof(text)) < 0)
		return n;
	for (char *p = text, *end; *p && n < max; p = end + (*end == '\n')) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (pid_t)v;
	}
	return n;
}

int
cg_pids(const struct cg *cg, pid_t *pids, size_t max)
{
	return cg->n ? (int)read_pids(cg->d[0].dir, pids, 0, max) : 0;
}

int
cg_kill(struct cg *cg)
{
	static pid_t pids[8192];
	double deadline = cg_now() + 5;
	const char *v2 = dir_of(cg, NULL, NULL);
	int used_kill_file = 0;

	/* cgroup.kill (Linux 5.14) kills every process at once, with no race
	 * against a process that forks meanwhile. */
	if (v2 && exists(v2, "cgroup.kill")) {
		if (cg_write_file(v2, "cgroup.kill", "1") != 0)
			return -1;
		used_kill_file = 1;
	}
	/* A v1 frozen task does not even die of SIGKILL until thawed. */
	const char *freezer = dir_of(cg, "freezer", NULL);
	char state[64], path[CG_PATH * 3];
	snprintf(path, sizeof(path), "%s/freezer.state", freezer ? freezer : "");
	if (freezer && proc_read(path, state, sizeof(state)) > 0 &&
	    strncmp(state, "THAWED", 6) != 0)
		cg_write_file(freezer, "freezer.state", "THAWED");
	for (;;) {
		size_t n = 0;

		/* On v1 a process is in one cgroup per hierarchy: any will do,
		 * but look at all, in case one attach failed half-way. */
		for (size_t i = 0; i < cg->n; i++)
			n = read_pids(cg->d[i].dir, pids, n, sizeof(pids) / sizeof(pids[0]));
		if (n == 0)
			return 0;
		if (cg_now() > deadline) {
			errno = EBUSY;
			return -1;
		}
		/* cgroup.kill signals the leader thread of each process only
		 * (send_sig): one whose leader has exited, its other threads
		 * still running, lives on (seen on 6.1 and 6.18). kill(2) of
		 * the process reaches them: from the second round on. */
		if (!used_kill_file || used_kill_file++ > 1)
			for (size_t i = 0; i < n; i++)
				TRACE(kill(pids[i], SIGKILL), "kill", "%d, SIGKILL", (int)pids[i]);
		cg_sleep(0.02, -1);
	}
}

/* rmdir DIR, traced; while EBUSY, retried (a killed process is still
 * leaving). */
static int
remove_dir(const char *dir)
{
	double deadline = cg_now() + 5, pause = 0.01;

	for (;;) {
		if (TRACE(rmdir(dir), "rmdir", "\"%s\"", dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || cg_now() > deadline)
			return -1;
		cg_sleep(pause, -1);
		pause = pause < 0.5 ? pause * 2 : pause;
	}
}

/* A cgroup beneath PARENT other than SELF that may rely on what PARENT
 * enables: one of ours (cgroup.h, CG_PREFIX); its name, or NULL. */
static const char *
user_beside(const char *parent, const char *self)
{
	static char name[256];
	const char *base = strrchr(parent, '/'), *me = strrchr(self, '/');
	int ours = base && strncmp(base + 1, CG_PREFIX, strlen(CG_PREFIX)) == 0;
	DIR *d = opendir(parent);
	struct dirent *e;

	name[0] = '\0';
	while (d && (e = readdir(d)) && !name[0])
		if (e->d_type == DT_DIR && e->d_name[0] != '.' &&
		    (!me || strcmp(e->d_name, me + 1) != 0) &&
		    (ours || strncmp(e->d_name, CG_PREFIX, strlen(CG_PREFIX)) == 0))
			snprintf(name, sizeof(name), "%s", e->d_name);
	if (d)
		closedir(d);
	return name[0] ? name : NULL;
}

/* Disables what ours turned on in PARENT's cgroup.subtree_control (ENABLED,
 * by SELF, and what ENABLED_XATTR says), if nobody else of ours
 * (user_beside) is there; SELF is gone already. */
static int
give_back(const char *parent, const char *self, const char *enabled)
{
	char list[128], kept[128], *save = NULL;
	int lock = lock_dir(parent), ret = 0;

	if (lock < 0)
		return errno == ENOENT ? 0 : -1; /* no parent: nothing to give back */
	enabled_get(parent, kept, sizeof(kept));
	snprintf(list, sizeof(list), "%s", kept);
	add_words(list, sizeof(list), enabled);
	const char *user = user_beside(parent, self);
	if (user) {
		if (list[0])
			trace_note("%s stay enabled in %s/cgroup.subtree_control: %s may rely "
				   "on them",
				   list, parent, user);
		close(lock);
		return 0;
	}
	for (char *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		char minus[32];

		snprintf(minus, sizeof(minus), "-%s", c);
		if (cg_write_file(parent, "cgroup.subtree_control", minus) != 0)
			ret = -1;
	}
	if (kept[0])
		TRACE(removexattr(parent, ENABLED_XATTR), "removexattr", "\"%s\", \"%s\"", parent,
		      ENABLED_XATTR);
	close(lock);
	return ret;
}

/* Is there anything of ours to give back in PARENT (v2)? */
static int
kept_in(const char *parent)
{
	return getxattr(parent, ENABLED_XATTR, NULL, 0) > 0;
}

int
cg_remove(struct cg *cg)
{
	int ret = 0;

	for (size_t k = cg->n; k-- > 0;) {
		if (cg->d[k].dir[0] && remove_dir(cg->d[k].dir) != 0)
			ret = -1; /* still there: it keeps what it has */
		else if ((cg->d[k].enabled[0] || kept_in(cg->d[k].parent)) &&
			 give_back(cg->d[k].parent, cg->d[k].dir, cg->d[k].enabled) != 0)
			ret = -1;
		cg->d[k].enabled[0] = '\0';
		cg->d[k].dir[0] = '\0';
	}
	cg->n = 0;
	return ret;
}

/* ---- waiting ---- */

static sigset_t
guarded(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	return set;
}

int
cg_block_signals(void)
{
	sigset_t set = guarded();

	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

void
cg_unblock_signals(void)
{
	sigset_t set = guarded();

	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

double
cg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
cg_sleep(double seconds, int sigfd)
{
	double end = cg_now() + seconds;

	for (double left = seconds; left > 0; left = end - cg_now()) {
		struct pollfd p = {.fd = sigfd, .events = POLLIN};

		if (poll(&p, sigfd >= 0 ? 1 : 0, (int)(left * 1000) + 1) > 0) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) > 0)
				trace_note("interrupted by %s: cleaning up",
					   dec_signal((int)si.ssi_signo));
			errno = EINTR;
			return -1;
		}
	}
	return 0;
}

int
cg_wait(pid_t pid, int *status, double seconds, int sigfd)
{
	double end = cg_now() + seconds;

	for (;;) {
		siginfo_t si = {0};

		/* WNOWAIT: only look; the wait4 below reaps, and is traced. */
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
			return -1;
		if (si.si_pid == pid)
			break;
		if (cg_now() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (cg_sleep(0.01, sigfd) != 0)
			return -1;
	}
	if (TRACE(wait4(pid, status, 0, NULL), "wait4", "%d, &status, 0, NULL", (int)pid) == -1)
		return -1;
	trace_note("child %d %s", (int)pid, dec_wait_status(*status));
	return 0;
}

int
cg_check_access(const struct cg_layout *l, const char *const controllers[], char *err, size_t size)
{
	for (size_t c = 0; controllers[c]; c++) {
		int h = cg_layout_find(l, controllers[c]);

		if (h < 0)
			return fail(ENOENT, err, size,
				    "needs the %s controller, which this host (%s) does not offer",
				    controllers[c], cg_kind_name(l->kind));
		if (access(l->h[h].base, W_OK) != 0)
			return fail(EACCES, err, size,
				    "needs root, or a cgroup delegated to you (systemd-run --user "
				    "--scope -p Delegate=yes ...): cannot write %s",
				    l->h[h].base);
	}
	return 0;
}

pid_t
cg_fork(struct cg *cg, int (*fn)(void *), void *arg, unsigned timeout)
{
	int go[2];
	char byte = 0;

	if (pipe2(go, O_CLOEXEC) != 0)
		return -1;
	/* TRACE() by halves: the child must not report the call as its own
	 * (strace sees one clone, in the parent). */
	trace_begin("clone", "child_stack=NULL, "
			     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork();
	if (pid == 0) {
		cg_unblock_signals();
		close(go[1]);
		alarm(timeout);
		/* End of file without a byte: the parent could not attach us. */
		if (read(go[0], &byte, 1) != 1)
			_exit(EXIT_DEMO_FAILED);
		close(go[0]);
		_exit(fn(arg));
	}
	trace_end(pid);
	close(go[0]);
	if (pid < 0 || cg_attach(cg, pid) != 0) {
		int saved = errno;
		close(go[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		errno = saved;
		return -1;
	}
	if (write(go[1], &byte, 1) != 1) {
		close(go[1]);
		return -1;
	}
	close(go[1]);
	return pid;
}

int
cg_prepare(struct cg_layout *l, const char *const controllers[], char *err, size_t size)
{
	if (cg_layout_detect(l, err, size) != 0 || cg_check_access(l, controllers, err, size) != 0)
		return -1;
	trace_note("cgroup layout: %s", cg_kind_name(l->kind));
	for (size_t c = 0; controllers[c]; c++) {
		const struct cg_hier *h = &l->h[cg_layout_find(l, controllers[c])];

		trace_note("%s: cgroup v%d, our cgroup %s is %s", controllers[c], h->version,
			   h->path, h->dir);
		if (strcmp(h->base, h->dir) != 0)
			trace_note("%s holds processes, and a v2 cgroup with processes cannot give "
				   "its children controllers (cgroups(7), no internal processes): "
				   "new cgroups go beneath %s",
				   h->dir, h->base);
	}
	return 0;
}
