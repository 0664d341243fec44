/*
 * test_cgroup.c - 02-cgroups/cgroup.[ch]: value parsing, the v1 names, and
 * layout detection and cgroup creation on fake trees that imitate a pure v2,
 * a pure v1 and a hybrid host (made under /tmp, removed after).
 */
#include "../../02-cgroups/cgroup.h"
#include "../../common/err.h"
#include "../../common/trace.h"
#include "../suites.h"

#include <errno.h>
#include <linux/bpf.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- sizes and values ---- */

START_TEST(cgroup_sizes)
{
	uint64_t b;

	ck_assert_int_eq(cg_parse_size("4096", &b), 0);
	ck_assert_uint_eq(b, 4096);
	ck_assert_int_eq(cg_parse_size("64M", &b), 0);
	ck_assert_uint_eq(b, 64ULL << 20);
	ck_assert_int_eq(cg_parse_size("512k", &b), 0);
	ck_assert_uint_eq(b, 512ULL << 10);
	ck_assert_int_eq(cg_parse_size("1.5G", &b), 0);
	ck_assert_uint_eq(b, 3ULL << 29);
	ck_assert_int_eq(cg_parse_size("2GiB", &b), 0);
	ck_assert_uint_eq(b, 2ULL << 30);
	ck_assert_int_eq(cg_parse_size("32MB", &b), 0);
	ck_assert_uint_eq(b, 32ULL << 20);
	ck_assert_int_eq(cg_parse_size("0.5T", &b), 0);
	ck_assert_uint_eq(b, 1ULL << 39);
	ck_assert_int_eq(cg_parse_size("max", &b), 0);
	ck_assert_uint_eq(b, CG_UNLIMITED);
	ck_assert_int_eq(cg_parse_size("16777215T", &b), 0);
}
END_TEST

/* Each bad size: -1, the errno, and a reason that names the value. */
static void
bad_size(const char *s, int expect_errno, const char *reason)
{
	uint64_t b = 7;

	errno = 0;
	ck_assert_msg(cg_parse_size(s, &b) == -1, "'%s' accepted", s);
	ck_assert_int_eq(errno, expect_errno);
	ck_assert_msg(strstr(err_last()->msg, reason), "'%s': reason '%s' lacks '%s'", s,
		      err_last()->msg, reason);
	ck_assert_uint_eq(b, 7);
}

START_TEST(cgroup_bad_sizes)
{
	bad_size("", EINVAL, "empty");
	bad_size("-1", EINVAL, "'-1': a size cannot be negative");
	bad_size("-64M", EINVAL, "negative");
	bad_size("64X", EINVAL, "'64X': expected a size such as 64M");
	bad_size("M", EINVAL, "expected a size");
	bad_size("1.", EINVAL, "expected a size");
	bad_size(".5G", EINVAL, "expected a size");
	bad_size("1.5", EINVAL, "fraction of a byte");
	bad_size("64 M", EINVAL, "expected a size");
	bad_size("0x10", EINVAL, "expected a size");
	bad_size("MAX", EINVAL, "expected a size");
	bad_size("16777216T", ERANGE, "too large");
	bad_size("18446744073709551615", ERANGE, "too large");
	bad_size("99999999999999999999999", ERANGE, "too large");
}
END_TEST

START_TEST(cgroup_counts_cpus_weights)
{
	uint64_t v;

	ck_assert_int_eq(cg_parse_count("8", &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(cg_parse_count("max", &v), 0);
	ck_assert_uint_eq(v, CG_UNLIMITED);
	ck_assert_int_eq(cg_parse_count("-3", &v), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "negative"));
	ck_assert_int_eq(cg_parse_count("2.5", &v), -1);
	ck_assert_int_eq(cg_parse_count("4194305", &v), -1);
	ck_assert_int_eq(errno, ERANGE);

	ck_assert_int_eq(cg_parse_cpus("0.5", 100000, &v), 0);
	ck_assert_uint_eq(v, 50000);
	ck_assert_int_eq(cg_parse_cpus("2", 100000, &v), 0);
	ck_assert_uint_eq(v, 200000);
	ck_assert_int_eq(cg_parse_cpus("0.25", 100000, &v), 0);
	ck_assert_uint_eq(v, 25000);
	ck_assert_int_eq(cg_parse_cpus("max", 100000, &v), 0);
	ck_assert_uint_eq(v, CG_UNLIMITED);
	ck_assert_int_eq(cg_parse_cpus("0.001", 100000, &v), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "too little CPU"));
	ck_assert_int_eq(cg_parse_cpus("0", 100000, &v), -1);
	ck_assert_int_eq(cg_parse_cpus("-0.5", 100000, &v), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "'-0.5': a CPU count cannot be negative"));
	ck_assert_int_eq(cg_parse_cpus("half", 100000, &v), -1);
	ck_assert_int_eq(cg_parse_cpus("0.5cpu", 100000, &v), -1);
	ck_assert_int_eq(cg_parse_cpus("99999999999999999999", 100000, &v), -1);
	ck_assert_int_eq(errno, ERANGE);

	ck_assert_int_eq(cg_parse_weight("100", &v), 0);
	ck_assert_uint_eq(v, 100);
	ck_assert_int_eq(cg_parse_weight("0", &v), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "expected a weight from 1 to 10000"));
	ck_assert_int_eq(cg_parse_weight("10001", &v), -1);
	ck_assert_int_eq(cg_parse_weight("max", &v), -1);
	ck_assert_int_eq(cg_parse_weight("-5", &v), -1);
}
END_TEST

START_TEST(cgroup_normalize)
{
	char out[256];

	ck_assert_int_eq(cg_normalize("memory.max", "32M", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "33554432");
	ck_assert_int_eq(cg_normalize("memory.swap.max", "0", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "0");
	ck_assert_int_eq(cg_normalize("memory.high", "max", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "max");
	ck_assert_int_eq(cg_normalize("pids.max", "16", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "16");
	ck_assert_int_eq(cg_normalize("cpu.max", "0.5", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "50000 100000");
	ck_assert_int_eq(cg_normalize("cpu.max", "20000 50000", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "20000 50000");
	ck_assert_int_eq(cg_normalize("cpu.max", "max", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "max 100000");
	ck_assert_int_eq(cg_normalize("cpu.max", "10 100000", out, sizeof(out)), -1);
	ck_assert_int_eq(cg_normalize("cpu.max", "5000 10", out, sizeof(out)), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "period"));
	ck_assert_int_eq(cg_normalize("cpu.weight", "300", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "300");
	ck_assert_int_eq(cg_normalize("io.max", "254:0 rbps=2M wiops=max", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "254:0 rbps=2097152 wiops=max");
	ck_assert_int_eq(cg_normalize("io.max", "sda rbps=1", out, sizeof(out)), -1);
	ck_assert_int_eq(cg_normalize("io.max", "8:0 speed=1", out, sizeof(out)), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "unknown key 'speed'"));
	ck_assert_int_eq(cg_normalize("io.max", "8:0", out, sizeof(out)), -1);
	ck_assert_int_eq(cg_normalize("cgroup.freeze", "1", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "1");
	ck_assert_int_eq(cg_normalize("cgroup.freeze", "yes", out, sizeof(out)), -1);
	ck_assert_int_eq(cg_normalize("memory.max", "-1", out, sizeof(out)), -1);
	ck_assert_int_eq(cg_normalize("memory.bogus", "1", out, sizeof(out)), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	/* A quota longer than the parser's 64-byte buffer is refused, not cut
	 * (cut, this one would read as a valid 25000 and lose its "x"). */
	char longq[200];
	memset(longq, '0', 58);
	snprintf(longq + 58, sizeof(longq) - 58, "25000x 100000");
	ck_assert_int_eq(cg_normalize("cpu.max", longq, out, sizeof(out)), -1);
}
END_TEST

/* ---- v2 names on v1 ---- */

START_TEST(cgroup_v1_names)
{
	ck_assert_str_eq(cg_v1_file("memory.max"), "memory.limit_in_bytes");
	ck_assert_str_eq(cg_v1_file("memory.high"), "memory.soft_limit_in_bytes");
	ck_assert_str_eq(cg_v1_file("memory.swap.max"), "memory.memsw.limit_in_bytes");
	ck_assert_str_eq(cg_v1_file("memory.events"), "memory.oom_control");
	ck_assert_str_eq(cg_v1_file("cpu.weight"), "cpu.shares");
	ck_assert_str_eq(cg_v1_file("cgroup.events"), "freezer.state");
	ck_assert_str_eq(cg_v1_controller("io.max"), "blkio");
	ck_assert_str_eq(cg_v1_controller("cgroup.freeze"), "freezer");
	ck_assert_str_eq(cg_v1_controller("pids.max"), "pids");
	ck_assert_ptr_null(cg_v1_file("memory.bogus"));
}
END_TEST

START_TEST(cgroup_v1_translate)
{
	struct cg_v1_write w[4];

	ck_assert_int_eq(cg_v1_translate("memory.max", "33554432", CG_UNLIMITED, w, 4), 1);
	ck_assert_str_eq(w[0].controller, "memory");
	ck_assert_str_eq(w[0].file, "memory.limit_in_bytes");
	ck_assert_str_eq(w[0].value, "33554432");
	ck_assert_int_eq(cg_v1_translate("memory.max", "max", 0, w, 4), 1);
	ck_assert_str_eq(w[0].value, "-1");
	/* memsw is memory + swap: no swap is memsw == the memory limit. */
	ck_assert_int_eq(cg_v1_translate("memory.swap.max", "0", 33554432, w, 4), 1);
	ck_assert_str_eq(w[0].file, "memory.memsw.limit_in_bytes");
	ck_assert_str_eq(w[0].value, "33554432");
	ck_assert_int_eq(cg_v1_translate("memory.swap.max", "1024", 4096, w, 4), 1);
	ck_assert_str_eq(w[0].value, "5120");
	ck_assert_int_eq(cg_v1_translate("memory.swap.max", "0", CG_UNLIMITED, w, 4), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "set memory.max first"));
	ck_assert_int_eq(cg_v1_translate("cpu.max", "50000 100000", 0, w, 4), 2);
	ck_assert_str_eq(w[0].file, "cpu.cfs_period_us");
	ck_assert_str_eq(w[0].value, "100000");
	ck_assert_str_eq(w[1].file, "cpu.cfs_quota_us");
	ck_assert_str_eq(w[1].value, "50000");
	ck_assert_int_eq(cg_v1_translate("cpu.max", "max 100000", 0, w, 4), 2);
	ck_assert_str_eq(w[1].value, "-1");
	ck_assert_int_eq(cg_v1_translate("cpu.weight", "100", 0, w, 4), 1);
	ck_assert_str_eq(w[0].file, "cpu.shares");
	ck_assert_str_eq(w[0].value, "1024");
	ck_assert_int_eq(cg_v1_translate("cpu.weight", "300", 0, w, 4), 1);
	ck_assert_str_eq(w[0].value, "3072");
	ck_assert_int_eq(cg_v1_translate("cpu.weight", "1", 0, w, 4), 1);
	ck_assert_str_eq(w[0].value, "10");
	ck_assert_int_eq(cg_v1_translate("pids.max", "max", 0, w, 4), 1);
	ck_assert_str_eq(w[0].value, "max");
	ck_assert_int_eq(cg_v1_translate("io.max", "254:0 rbps=2097152 wiops=max", 0, w, 4), 2);
	ck_assert_str_eq(w[0].controller, "blkio");
	ck_assert_str_eq(w[0].file, "blkio.throttle.read_bps_device");
	ck_assert_str_eq(w[0].value, "254:0 2097152");
	ck_assert_str_eq(w[1].file, "blkio.throttle.write_iops_device");
	ck_assert_str_eq(w[1].value, "254:0 0");
	ck_assert_int_eq(cg_v1_translate("cgroup.freeze", "1", 0, w, 4), 1);
	ck_assert_str_eq(w[0].file, "freezer.state");
	ck_assert_str_eq(w[0].value, "FROZEN");
	ck_assert_int_eq(cg_v1_translate("cgroup.freeze", "0", 0, w, 4), 1);
	ck_assert_str_eq(w[0].value, "THAWED");
	ck_assert_int_eq(cg_v1_translate("memory.bogus", "1", 0, w, 4), -1);
	ck_assert_int_eq(errno, ENOTSUP);
}
END_TEST

START_TEST(cgroup_parse_key)
{
	const char *events = "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n";
	const char *oom_control = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";

	ck_assert_int_eq(cg_parse_key(events, "oom_kill"), 1);
	ck_assert_int_eq(cg_parse_key(events, "high"), 12);
	ck_assert_int_eq(cg_parse_key(events, "oom"), 1);
	ck_assert_int_eq(cg_parse_key(oom_control, "oom_kill"), 2);
	ck_assert_int_eq(cg_parse_key(oom_control, "oom"), -1);
	ck_assert_int_eq(cg_parse_key("", "max"), -1);
}
END_TEST

/* ---- fake trees ---- */

/* base: made before the tests of the tcase run and removed after them, in
 * the runner (unchecked fixture), so even a failed test leaves nothing;
 * tree: one test's own directory in it. */
static char base[64], tree[96];

static void
put(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
dirs(const char *const rel[])
{
	for (size_t i = 0; rel[i]; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s%s", tree, rel[i]);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
}

static char *
get(const char *rel, char *buf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	if (f) {
		size_t n = fread(buf, 1, size - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void
make_tree(void)
{
	snprintf(tree, sizeof(tree), "%s/t.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tree));
	trace_cfg.quiet = true; /* the helpers trace their writes */
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void
remove_tree(void)
{
	nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	trace_cfg.quiet = false;
}

static void
make_base(void)
{
	snprintf(base, sizeof(base), "/tmp/nutshell-cgtest.XXXXXX");
	if (!mkdtemp(base))
		base[0] = '\0';
}

static void
remove_base(void)
{
	if (base[0])
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* This build machine: v1 controllers, our memory cgroup nested, cgroup2
 * with no useful controllers at /sys/fs/cgroup/unified. */
static const char hybrid_mountinfo[] =
    "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "9:name=systemd:/\n8:pids:/\n6:freezer:/\n"
				  "4:memory:/process_api/abc\n1:cpu:/\n0::/\n";

START_TEST(cgroup_layout_hybrid)
{
	struct cg_layout l;
	const char *const d[] = {"/sys",
				 "/sys/fs",
				 "/sys/fs/cgroup",
				 "/sys/fs/cgroup/unified",
				 "/sys/fs/cgroup/memory",
				 "/sys/fs/cgroup/memory/process_api",
				 "/sys/fs/cgroup/memory/process_api/abc",
				 NULL};

	make_tree();
	dirs(d);
	put("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
	ck_assert_int_eq(cg_layout_parse(&l, tree, hybrid_mountinfo, hybrid_self), 0);
	ck_assert_int_eq(l.kind, CG_HYBRID);
	ck_assert_str_eq(cg_kind_name(l.kind), "hybrid (cgroup v1 controllers and cgroup2)");
	ck_assert_uint_eq(l.n, 6);
	int mem = cg_layout_find(&l, "memory");
	ck_assert_int_ge(mem, 0);
	ck_assert_int_eq(l.h[mem].version, 1);
	ck_assert_str_eq(l.h[mem].path, "/process_api/abc");
	char want[256];
	snprintf(want, sizeof(want), "%s/sys/fs/cgroup/memory/process_api/abc", tree);
	ck_assert_str_eq(l.h[mem].dir, want);
	int cpu = cg_layout_find(&l, "cpu");
	snprintf(want, sizeof(want), "%s/sys/fs/cgroup/cpu", tree);
	ck_assert_str_eq(l.h[cpu].dir, want);
	/* freezer: the v1 controller is preferred to the v2 core's cgroup.freeze */
	ck_assert_int_eq(l.h[cg_layout_find(&l, "freezer")].version, 1);
	int hugetlb = cg_layout_find(&l, "hugetlb");
	ck_assert_int_eq(l.h[hugetlb].version, 2);
	ck_assert_str_eq(l.h[hugetlb].controllers, "hugetlb");
	/* io: neither blkio is mounted nor io in the v2 tree */
	ck_assert_int_eq(cg_layout_find(&l, "io"), -1);
	ck_assert_int_eq(errno, ENOENT);
	remove_tree();
}
END_TEST

static const char v2_mountinfo[] = "22 1 254:0 / / rw - ext4 /dev/vda rw\n"
				   "25 22 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec - cgroup2 "
				   "cgroup2 rw,nsdelegate,memory_recursiveprot\n";

START_TEST(cgroup_layout_v2_and_create)
{
	struct cg_layout l;
	struct cg cg;
	char buf[256];
	const char *const d[] = {"/sys", "/sys/fs", "/sys/fs/cgroup", NULL};
	const char *const want[] = {"memory", "pids", NULL};

	make_tree();
	dirs(d);
	put("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put("/sys/fs/cgroup/cgroup.subtree_control", "pids\n");
	ck_assert_int_eq(cg_layout_parse(&l, tree, v2_mountinfo, "0::/\n"), 0);
	ck_assert_int_eq(l.kind, CG_V2);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(cg_layout_find(&l, "io"), 0);
	ck_assert_int_eq(cg_layout_find(&l, "freezer"), 0);
	ck_assert_int_eq(cg_layout_find(&l, "blkio"), -1);

	/* One directory; memory enabled in the parent first (pids already was). */
	ck_assert_int_eq(cg_create(&cg, &l, NULL, "box", want), 0);
	ck_assert_uint_eq(cg.n, 1);
	ck_assert_str_eq(cg.d[0].enabled, "memory");
	ck_assert_str_eq(get("/sys/fs/cgroup/cgroup.subtree_control", buf, sizeof(buf)), "+memory");
	put("/sys/fs/cgroup/box/memory.max", "max\n");
	put("/sys/fs/cgroup/box/cpu.max", "max 100000\n");
	ck_assert_int_eq(cg_set(&cg, "memory.max", "32M"), 0);
	ck_assert_str_eq(get("/sys/fs/cgroup/box/memory.max", buf, sizeof(buf)), "33554432");
	ck_assert_int_eq(cg_set(&cg, "memory.max", "lots"), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "'lots'"));
	/* memory.swap.max is missing in this tree (no swap accounting) */
	ck_assert_int_eq(cg_has(&cg, "memory.swap.max"), 0);
	ck_assert_int_eq(cg_set(&cg, "memory.swap.max", "0"), -1);
	ck_assert_int_eq(errno, ENOENT);
	put("/sys/fs/cgroup/box/memory.events", "low 0\nhigh 4\nmax 9\noom 1\noom_kill 1\n");
	ck_assert_int_eq(cg_stat(&cg, "oom_kill"), 1);
	ck_assert_int_eq(cg_stat(&cg, "high"), 4);
	put("/sys/fs/cgroup/box/cgroup.events", "populated 1\nfrozen 1\n");
	ck_assert_int_eq(cg_stat(&cg, "frozen"), 1);
	put("/sys/fs/cgroup/box/cpu.stat", "usage_usec 10\nnr_throttled 7\nthrottled_usec 900\n");
	ck_assert_int_eq(cg_stat(&cg, "nr_throttled"), 7);
	ck_assert_int_eq(cg_stat(&cg, "throttled_usec"), 900);

	const char *files[] = {"memory.max", "cpu.max", "memory.events", "cgroup.events",
			       "cpu.stat"};
	for (size_t i = 0; i < 5; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/sys/fs/cgroup/box/%s", tree, files[i]);
		unlink(path);
	}
	ck_assert_int_eq(cg_remove(&cg), 0);
	snprintf(buf, sizeof(buf), "%s/sys/fs/cgroup/box", tree);
	ck_assert_int_eq(access(buf, F_OK), -1);
	/* and gave memory back: "-memory" written over the fake file */
	ck_assert_str_eq(get("/sys/fs/cgroup/cgroup.subtree_control", buf, sizeof(buf)), "-memory");
	remove_tree();
}
END_TEST

/* A systemd laptop under sudo: our cgroup is the login session's scope,
 * which holds the shell; the user's slice holds none. */
START_TEST(cgroup_layout_v2_session_scope)
{
	struct cg_layout l;
	struct cg cg;
	char buf[256];
	const char *const d[] = {"/sys",
				 "/sys/fs",
				 "/sys/fs/cgroup",
				 "/sys/fs/cgroup/user.slice",
				 "/sys/fs/cgroup/user.slice/user-1000.slice",
				 "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope",
				 NULL};
	const char *const want[] = {"memory", NULL};
	const char *slice = "/sys/fs/cgroup/user.slice/user-1000.slice";

	make_tree();
	dirs(d);
	snprintf(buf, sizeof(buf), "%s/cgroup.controllers", slice);
	put(buf, "memory pids\n");
	snprintf(buf, sizeof(buf), "%s/cgroup.subtree_control", slice);
	put(buf, "memory pids\n");
	snprintf(buf, sizeof(buf), "%s/cgroup.procs", slice);
	put(buf, "");
	snprintf(buf, sizeof(buf), "%s/session-2.scope/cgroup.procs", slice);
	put(buf, "1234\n5678\n");
	ck_assert_int_eq(cg_layout_parse(&l, tree, v2_mountinfo,
					 "0::/user.slice/user-1000.slice/session-2.scope\n"),
			 0);
	snprintf(buf, sizeof(buf), "%s%s/session-2.scope", tree, slice);
	ck_assert_str_eq(l.h[0].dir, buf);
	snprintf(buf, sizeof(buf), "%s%s", tree, slice);
	ck_assert_str_eq(l.h[0].base, buf); /* not beneath the scope: it has processes */
	ck_assert_str_eq(l.h[0].controllers, "memory pids");
	ck_assert_int_eq(cg_create(&cg, &l, NULL, "box", want), 0);
	snprintf(buf, sizeof(buf), "%s%s/box", tree, slice);
	ck_assert_str_eq(cg.d[0].dir, buf);
	ck_assert_int_eq(cg_remove(&cg), 0);
	remove_tree();
}
END_TEST

static const char v1_mountinfo[] =
    "22 1 254:0 / / rw - ext4 /dev/sda1 rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n";
static const char v1_self[] = "12:pids:/user.slice\n4:memory:/user.slice\n"
			      "3:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/s.scope\n";

START_TEST(cgroup_layout_v1_and_translated_writes)
{
	struct cg_layout l;
	struct cg cg;
	char buf[256];
	const char *const d[] = {"/sys",
				 "/sys/fs",
				 "/sys/fs/cgroup",
				 "/sys/fs/cgroup/cpu,cpuacct",
				 "/sys/fs/cgroup/cpu,cpuacct/user.slice",
				 "/sys/fs/cgroup/memory",
				 "/sys/fs/cgroup/memory/user.slice",
				 "/sys/fs/cgroup/pids",
				 "/sys/fs/cgroup/pids/user.slice",
				 NULL};
	const char *const want[] = {"memory", "cpu", NULL};
	const char *const none[] = {"io", NULL};

	make_tree();
	dirs(d);
	ck_assert_int_eq(cg_layout_parse(&l, tree, v1_mountinfo, v1_self), 0);
	ck_assert_int_eq(l.kind, CG_V1);
	ck_assert_int_eq(cg_layout_find(&l, "cpu"), cg_layout_find(&l, "cpuacct"));
	ck_assert_int_eq(cg_layout_find(&l, "freezer"), -1);
	ck_assert_int_eq(cg_create(&cg, &l, NULL, "box", none), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "the io controller is not available"));

	/* One directory per hierarchy, beneath our own cgroup in each. */
	ck_assert_int_eq(cg_create(&cg, &l, NULL, "box", want), 0);
	ck_assert_uint_eq(cg.n, 2);
	snprintf(buf, sizeof(buf), "%s/sys/fs/cgroup/memory/user.slice/box", tree);
	ck_assert_str_eq(cg.d[0].dir, buf);
	snprintf(buf, sizeof(buf), "%s/sys/fs/cgroup/cpu,cpuacct/user.slice/box", tree);
	ck_assert_str_eq(cg.d[1].dir, buf);
	put("/sys/fs/cgroup/memory/user.slice/box/memory.limit_in_bytes", "0\n");
	put("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.cfs_quota_us", "-1\n");
	put("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.cfs_period_us", "100000\n");
	put("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.shares", "0\n");
	ck_assert_int_eq(cg_set(&cg, "memory.max", "32M"), 0);
	ck_assert_str_eq(
	    get("/sys/fs/cgroup/memory/user.slice/box/memory.limit_in_bytes", buf, sizeof(buf)),
	    "33554432"); /* written over the fake "0" */
	ck_assert_int_eq(cg_set(&cg, "cpu.max", "0.2"), 0);
	ck_assert_str_eq(
	    get("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.cfs_quota_us", buf, sizeof(buf)),
	    "20000");
	ck_assert_int_eq(cg_set(&cg, "cpu.weight", "50"), 0);
	ck_assert_str_eq(
	    get("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.shares", buf, sizeof(buf)), "512");
	/* memsw missing: swap accounting off, said so */
	ck_assert_int_eq(cg_set(&cg, "memory.swap.max", "0"), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "swap accounting is off"));
	ck_assert_int_eq(cg_has(&cg, "memory.max"), 1);
	ck_assert_int_eq(cg_has(&cg, "memory.swap.max"), 0);
	put("/sys/fs/cgroup/memory/user.slice/box/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	ck_assert_int_eq(cg_stat(&cg, "oom_kill"), 3);
	ck_assert_int_eq(cg_stat(&cg, "high"), -1);
	put("/sys/fs/cgroup/cpu,cpuacct/user.slice/box/cpu.stat",
	    "nr_periods 20\nnr_throttled 5\nthrottled_time 7000000\n");
	ck_assert_int_eq(cg_stat(&cg, "throttled_usec"), 7000);

	const char *files[] = {"memory/user.slice/box/memory.limit_in_bytes",
			       "memory/user.slice/box/memory.oom_control",
			       "cpu,cpuacct/user.slice/box/cpu.cfs_quota_us",
			       "cpu,cpuacct/user.slice/box/cpu.cfs_period_us",
			       "cpu,cpuacct/user.slice/box/cpu.shares",
			       "cpu,cpuacct/user.slice/box/cpu.stat"};
	for (size_t i = 0; i < 6; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/sys/fs/cgroup/%s", tree, files[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_int_eq(cg_remove(&cg), 0);
	ck_assert_uint_eq(cg.n, 0);
	remove_tree();
}
END_TEST

START_TEST(cgroup_layout_none_and_container_view)
{
	struct cg_layout l;
	/* Inside a container: the memory hierarchy's mount shows only our
	 * sub-tree, so /docker/abc is the mount point itself. */
	const char mi[] = "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
			  "34 30 0:31 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup "
			  "rw,memory\n";

	ck_assert_int_eq(cg_layout_parse(&l, "", "", "0::/\n"), -1);
	ck_assert_ptr_nonnull(strstr(err_last()->msg, "no cgroup hierarchy"));
	ck_assert_int_eq(cg_layout_parse(&l, "", mi, "4:memory:/docker/abc/x\n"), 0);
	ck_assert_int_eq(l.kind, CG_V1);
	ck_assert_str_eq(l.h[0].dir, "/sys/fs/cgroup/memory/x");
	/* a path outside the mounted sub-tree is not visible */
	ck_assert_int_eq(cg_layout_parse(&l, "", mi, "4:memory:/other\n"), -1);
}
END_TEST

/* The device program, run on a small interpreter of the instructions
 * cg_dev_program() uses: what the kernel would answer for each access. */
static int
run_dev_program(const struct bpf_insn *p, int n, int type, int access, int major, int minor)
{
	uint32_t ctx[3] = {(uint32_t)(access << 16 | type), (uint32_t)major, (uint32_t)minor};
	uint64_t r[11] = {0};

	for (int pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			ck_assert_int_eq(i->src_reg, 1);
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[i->dst_reg] = (uint32_t)r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			ck_abort_msg("instruction %d: code %#x", pc, i->code);
		}
		ck_assert_int_lt(pc + 1, n + 1);
	}
	ck_abort_msg("ran off the end");
	return -1;
}

START_TEST(cgroup_device_rules)
{
	struct bpf_insn p[256];
	char text[64];
	int n = cg_dev_program(cg_dev_default, p, 256);
	const int C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK, R = BPF_DEVCG_ACC_READ,
		  W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

	ck_assert_str_eq(cg_dev_rule_text(&cg_dev_default[0], text, sizeof(text)), "c *:* m");
	ck_assert_str_eq(cg_dev_rule_text(&cg_dev_default[2], text, sizeof(text)), "c 1:3 rwm");
	ck_assert_str_eq(cg_dev_rule_text(&(struct cg_dev_rule){'c', 136, -1, "rwm", "ptys"}, text,
					  sizeof(text)),
			 "c 136:* rwm");
	ck_assert_int_gt(n, 8);
	ck_assert_int_eq(run_dev_program(p, n, C, R | W, 1, 3), 1);   /* null */
	ck_assert_int_eq(run_dev_program(p, n, C, R | W, 136, 7), 1); /* a pty */
	ck_assert_int_eq(run_dev_program(p, n, C, R | W, 5, 2), 1);   /* ptmx */
	ck_assert_int_eq(run_dev_program(p, n, C, W, 1, 11), 0);      /* kmsg */
	ck_assert_int_eq(run_dev_program(p, n, C, R, 1, 1), 0);	      /* mem */
	ck_assert_int_eq(run_dev_program(p, n, C, M, 1, 11), 1);      /* mknod is allowed */
	ck_assert_int_eq(run_dev_program(p, n, B, R, 8, 0), 0);	      /* sda */
	ck_assert_int_eq(run_dev_program(p, n, B, R, 1, 3), 0);	      /* a block 1:3 is not null */
	ck_assert_int_eq(run_dev_program(p, n, B, M, 7, 0), 1);
	ck_assert_int_eq(run_dev_program(p, n, C, R | M, 4, 1), 0); /* m alone is allowed */
	/* Too little room: EOVERFLOW, not a cut program. */
	errno = 0;
	ck_assert_int_eq(cg_dev_program(cg_dev_default, p, 10), -1);
	ck_assert_int_eq(errno, EOVERFLOW);
}
END_TEST

Suite *
suite_cgroup(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("values");
	TCase *trees = tcase_create("layouts");

	tcase_add_test(tc, cgroup_sizes);
	tcase_add_test(tc, cgroup_bad_sizes);
	tcase_add_test(tc, cgroup_counts_cpus_weights);
	tcase_add_test(tc, cgroup_normalize);
	tcase_add_test(tc, cgroup_v1_names);
	tcase_add_test(tc, cgroup_v1_translate);
	tcase_add_test(tc, cgroup_parse_key);
	tcase_add_test(tc, cgroup_device_rules);
	suite_add_tcase(s, tc);
	tcase_add_test(trees, cgroup_layout_hybrid);
	tcase_add_test(trees, cgroup_layout_v2_and_create);
	tcase_add_test(trees, cgroup_layout_v2_session_scope);
	tcase_add_test(trees, cgroup_layout_v1_and_translated_writes);
	tcase_add_test(trees, cgroup_layout_none_and_container_view);
	tcase_add_unchecked_fixture(trees, make_base, remove_base);
	suite_add_tcase(s, trees);
	return s;
}
