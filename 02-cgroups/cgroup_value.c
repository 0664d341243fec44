/*
 * cgroup_value.c - the values a program gives for cgroup v2 files, checked
 * and written out the way the kernel takes them, and what each becomes on
 * cgroup v1 (see cgroup.h). Pure: no file is read or written here.
 */
#include "../common/err.h"
#include "cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
cg_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t whole, nano, mult = 1;
	const char *p;
	int overflow;

	if (!s || !*s)
		return err_set(EINVAL, "empty size: expected a size such as 64M or max");
	if (strcmp(s, "max") == 0) {
		*bytes = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return err_set(EINVAL, "'%s': a size cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0)
		return err_set(EINVAL, "'%s': expected a size such as 64M, 1.5G or max", s);
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
		return err_set(EINVAL, "'%s': expected a size such as 64M, 1.5G or max", s);
	if (nano && mult == 1)
		return err_set(EINVAL, "'%s': a fraction of a byte; use a unit, as in 1.5G", s);
	/* CG_UNLIMITED itself stands for "max", so it is out of range too. */
	if (overflow || whole > (UINT64_MAX - 1) / mult)
		return err_set(ERANGE, "'%s': too large (at most 16 EiB)", s);
	/* 128 bits: a fraction of 1 TiB in billionths overflows 64. */
	uint64_t frac = (uint64_t)((unsigned __int128)nano * mult / 1000000000);
	if (whole * mult > UINT64_MAX - 1 - frac)
		return err_set(ERANGE, "'%s': too large (at most 16 EiB)", s);
	*bytes = whole * mult + frac;
	return 0;
}

int
cg_parse_count(const char *s, uint64_t *count)
{
	uint64_t whole, nano;
	const char *p;
	int overflow;

	if (!s || !*s)
		return err_set(EINVAL, "empty count: expected a number or max");
	if (strcmp(s, "max") == 0) {
		*count = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return err_set(EINVAL, "'%s': a count cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0 || nano || *p || strchr(s, '.'))
		return err_set(EINVAL, "'%s': expected a whole number or max", s);
	/* PID_MAX_LIMIT, include/linux/threads.h: no more pids can exist. */
	if (overflow || whole > 4194304)
		return err_set(ERANGE, "'%s': too large (at most 4194304, or max)", s);
	*count = whole;
	return 0;
}

int
cg_parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us)
{
	uint64_t whole, nano;
	const char *p;
	int overflow;

	if (!s || !*s)
		return err_set(EINVAL, "empty CPU count: expected a number such as 0.5 or max");
	if (strcmp(s, "max") == 0) {
		*quota_us = CG_UNLIMITED;
		return 0;
	}
	if (s[0] == '-')
		return err_set(EINVAL, "'%s': a CPU count cannot be negative", s);
	if (parse_decimal(s, &whole, &nano, &p, &overflow) != 0 || *p)
		return err_set(EINVAL, "'%s': expected CPUs such as 0.5, 2 or max", s);
	if (overflow || whole > 1000000)
		return err_set(ERANGE, "'%s': too many CPUs (at most 1000000)", s);
	uint64_t quota = whole * period_us + nano * period_us / 1000000000;
	/* kernel/sched/core.c: a quota below 1 ms is refused (EINVAL). */
	if (quota < 1000)
		return err_set(ERANGE,
			       "'%s': too little CPU (at least %.3g CPUs: 1000 us per %llu us)", s,
			       1000.0 / (double)period_us, (unsigned long long)period_us);
	*quota_us = quota;
	return 0;
}

int
cg_parse_weight(const char *s, uint64_t *weight)
{
	uint64_t w;

	if (cg_parse_count(s, &w) != 0 || w == CG_UNLIMITED || w < 1 || w > 10000) {
		if (s && s[0] == '-')
			return err_set(EINVAL, "'%s': a weight cannot be negative", s);
		return err_set(EINVAL, "'%s': expected a weight from 1 to 10000", s ? s : "");
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
normalize_io(const char *value, char *out, size_t outsize)
{
	char copy[256], *save = NULL;
	unsigned maj, min;
	int n = 0, len;

	/* Cut short, the value would change meaning (tests/fuzz/fuzz_cgvalue.c). */
	if (strlen(value) >= sizeof(copy))
		return err_set(EINVAL, "io.max: longer than %zu characters", sizeof(copy) - 1);
	snprintf(copy, sizeof(copy), "%s", value);
	char *dev = strtok_r(copy, " ", &save);
	if (!dev || sscanf(dev, "%u:%u%n", &maj, &min, &n) != 2 || dev[n] != '\0')
		return err_set(
		    EINVAL, "io.max '%s': expected MAJ:MIN then rbps= wbps= riops= wiops=", value);
	len = snprintf(out, outsize, "%u:%u", maj, min);
	int pairs = 0;
	for (char *kv = strtok_r(NULL, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		uint64_t v;

		if (!eq)
			return err_set(EINVAL, "io.max '%s': expected key=value", kv);
		*eq = '\0';
		if (strcmp(kv, "rbps") && strcmp(kv, "wbps") && strcmp(kv, "riops") &&
		    strcmp(kv, "wiops"))
			return err_set(EINVAL,
				       "io.max: unknown key '%s' (rbps, wbps, riops, wiops)", kv);
		if (strcmp(eq + 1, "max") == 0)
			v = CG_UNLIMITED;
		else if (cg_parse_size(eq + 1, &v) != 0)
			return -1;
		char num[32];
		put_number(num, sizeof(num), v);
		size_t room = outsize > (size_t)len ? outsize - (size_t)len : 0;
		len += snprintf(room ? out + len : NULL, room, " %s=%s", kv, num);
		pairs++;
	}
	if (pairs == 0)
		return err_set(EINVAL, "io.max '%s': no limit given (rbps=...)", value);
	/* A truncated value would be another value (rbps=1048576 as rbps=10). */
	if ((size_t)len >= outsize)
		return err_set(ERANGE, "io.max '%s': too long once in bytes (%d)", value, len);
	return 0;
}

int
cg_normalize(const char *file, const char *value, char *out, size_t outsize)
{
	uint64_t v, period = 100000;

	if (!value)
		return err_set(EINVAL, "%s: no value", file);
	if (strcmp(file, "memory.max") == 0 || strcmp(file, "memory.high") == 0 ||
	    strcmp(file, "memory.swap.max") == 0 || strcmp(file, "memory.low") == 0 ||
	    strcmp(file, "memory.min") == 0) {
		if (cg_parse_size(value, &v) != 0)
			return -1;
	} else if (strcmp(file, "pids.max") == 0) {
		if (cg_parse_count(value, &v) != 0)
			return -1;
	} else if (strcmp(file, "cpu.weight") == 0) {
		if (cg_parse_weight(value, &v) != 0)
			return -1;
	} else if (strcmp(file, "cpu.max") == 0) {
		/* Either the kernel's "QUOTA PERIOD", or CPUs as docker's --cpus. */
		const char *space = strchr(value, ' ');
		char quota[64];

		if (space) {
			/* A quota too long for the buffer would be cut, and the cut
			 * one checked instead: refuse it whole. */
			if ((size_t)(space - value) >= sizeof(quota))
				return err_set(EINVAL,
					       "cpu.max '%.80s...': expected QUOTA PERIOD in us",
					       value);
			snprintf(quota, sizeof(quota), "%.*s", (int)(space - value), value);
			if (cg_parse_count(space + 1, &period) != 0 || period < 1000 ||
			    period > 1000000)
				return err_set(
				    EINVAL, "cpu.max '%s': the period must be 1000 to 1000000 us",
				    value);
			if (strcmp(quota, "max") == 0)
				v = CG_UNLIMITED;
			else if (quota[0] == '-' || strchr(quota, '.') ||
				 cg_parse_size(quota, &v) != 0 ||
				 !isdigit((unsigned char)quota[strlen(quota) - 1]) || v < 1000)
				return err_set(
				    EINVAL,
				    "cpu.max '%s': expected QUOTA PERIOD in us, QUOTA >= "
				    "1000 or max",
				    value);
		} else if (cg_parse_cpus(value, period, &v) != 0) {
			return -1;
		}
		put_number(out, outsize, v);
		size_t len = strlen(out);
		snprintf(out + len, outsize - len, " %llu", (unsigned long long)period);
		return 0;
	} else if (strcmp(file, "io.max") == 0) {
		return normalize_io(value, out, outsize);
	} else if (strcmp(file, "cgroup.freeze") == 0) {
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			return err_set(EINVAL, "cgroup.freeze '%s': expected 0 or 1", value);
		v = (uint64_t)(value[0] - '0');
	} else {
		return err_set(ENOTSUP, "%s: not a cgroup file these helpers set", file);
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
		size_t max)
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
				return err_set(EINVAL,
					       "memory.swap.max: on cgroup v1 set memory.max first "
					       "(v1 limits memory+swap together)");
			swap = strtoull(value, NULL, 10);
			if (swap > UINT64_MAX - 1 - mem_limit)
				return err_set(ERANGE, "memory.swap.max '%s': too large", value);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)(mem_limit + swap));
		}
		bad |= add_write(w, max, &n, "memory", "memory.memsw.limit_in_bytes", v);
	} else if (strcmp(file, "pids.max") == 0) {
		bad |= add_write(w, max, &n, "pids", "pids.max", value);
	} else if (strcmp(file, "cpu.max") == 0) {
		char quota[32];
		unsigned long long period;

		if (sscanf(value, "%31s %llu", quota, &period) != 2)
			return err_set(EINVAL, "cpu.max '%s': expected QUOTA PERIOD", value);
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
			return err_set(EINVAL, "io.max '%s': expected MAJ:MIN ...", value);
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
		return err_set(ENOTSUP, "%s: cgroup v1 has no equivalent", file);
	}
	if (bad)
		return err_set(ENOSPC, "%s: more writes than room for them", file);
	return (int)n;
}
