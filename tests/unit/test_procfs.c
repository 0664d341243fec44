/*
 * test_procfs.c - the /proc parsers, on sample text.
 */
#include "../../common/procfs.h"
#include "../suites.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(procfs_mountinfo_with_optional_fields)
{
	/* The example of proc_pid_mountinfo(5). */
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
		      "rw,errors=continue\n";
	struct proc_mount m;

	ck_assert_int_eq(proc_parse_mountinfo(line, &m), 0);
	ck_assert_int_eq(m.id, 36);
	ck_assert_int_eq(m.parent, 35);
	ck_assert_str_eq(m.devno, "98:0");
	ck_assert_str_eq(m.root, "/mnt1");
	ck_assert_str_eq(m.point, "/mnt2");
	ck_assert_str_eq(m.options, "rw,noatime");
	ck_assert_str_eq(m.optional, "master:1");
	ck_assert_str_eq(m.fstype, "ext3");
	ck_assert_str_eq(m.source, "/dev/root");
	ck_assert_str_eq(m.super, "rw,errors=continue");
}
END_TEST

START_TEST(procfs_mountinfo_several_or_no_optional_fields)
{
	char shared[] = "25 1 0:22 / /sys rw,nosuid shared:7 master:3 - sysfs sysfs rw";
	char none[] = "300 25 0:50 / /tmp/x rw - tmpfs tmpfs rw,size=1024k";
	struct proc_mount m;

	ck_assert_int_eq(proc_parse_mountinfo(shared, &m), 0);
	ck_assert_str_eq(m.optional, "shared:7 master:3");
	ck_assert_str_eq(m.fstype, "sysfs");
	ck_assert_int_eq(proc_parse_mountinfo(none, &m), 0);
	ck_assert_str_eq(m.optional, "");
	ck_assert_str_eq(m.point, "/tmp/x");
	ck_assert_str_eq(m.super, "rw,size=1024k");
}
END_TEST

START_TEST(procfs_mountinfo_escapes_and_errors)
{
	/* The kernel writes a space in a path as \040. */
	char spaced[] = "40 1 0:50 / /mnt/my\\040dir rw - tmpfs my\\040src rw";
	char truncated[] = "40 1 0:50 / /mnt rw";
	char no_sep[] = "40 1 0:50 / /mnt rw shared:1 tmpfs tmpfs rw";
	struct proc_mount m;

	ck_assert_int_eq(proc_parse_mountinfo(spaced, &m), 0);
	ck_assert_str_eq(m.point, "/mnt/my dir");
	ck_assert_str_eq(m.source, "my src");
	ck_assert_int_eq(proc_parse_mountinfo(truncated, &m), -1);
	ck_assert_int_eq(proc_parse_mountinfo(no_sep, &m), -1);
}
END_TEST

START_TEST(procfs_cgroup_lines)
{
	char v1[] = "4:memory:/process_api/abc\n", both[] = "2:cpu,cpuacct:/",
	     v2[] = "0::/user.slice";
	char bad[] = "garbage";
	struct proc_cgroup c;

	ck_assert_int_eq(proc_parse_cgroup(v1, &c), 0);
	ck_assert_int_eq(c.hierarchy, 4);
	ck_assert_str_eq(c.controllers, "memory");
	ck_assert_str_eq(c.path, "/process_api/abc");
	ck_assert_int_eq(proc_parse_cgroup(both, &c), 0);
	ck_assert_str_eq(c.controllers, "cpu,cpuacct");
	ck_assert_int_eq(proc_parse_cgroup(v2, &c), 0);
	ck_assert_int_eq(c.hierarchy, 0);
	ck_assert_str_eq(c.controllers, "");
	ck_assert_str_eq(c.path, "/user.slice");
	ck_assert_int_eq(proc_parse_cgroup(bad, &c), -1);
}
END_TEST

/* The one reader of "where is this cgroup hierarchy mounted" (lesson 02's
 * layout, 01-namespaces/cgroupns.c). */
START_TEST(procfs_cgroup_mount)
{
	const char *mountinfo =
	    "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs ro,mode=755\n"
	    "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	    "34 30 0:30 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "35 30 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n";
	char v1[] = "4:cpu,cpuacct:/a/b", sub[] = "5:memory:/docker/abc/x", v2[] = "0::/",
	     none[] = "6:pids:/";
	char point[256], dir[256];
	struct proc_cgroup c;

	ck_assert(proc_has_words("rw,cpu,cpuacct", "cpuacct,cpu", ','));
	ck_assert(!proc_has_words("rw,cpuacct", "cpu", ','));
	ck_assert(proc_has_words("cpu io memory", "memory", ' '));
	ck_assert(!proc_has_words("cpu io memory", "mem", ' '));

	ck_assert_int_eq(proc_parse_cgroup(v1, &c), 0);
	ck_assert_int_eq(proc_cgroup_mount(mountinfo, &c, point, sizeof(point), dir, sizeof(dir)),
			 0);
	ck_assert_str_eq(point, "/sys/fs/cgroup/cpu,cpuacct");
	ck_assert_str_eq(dir, "/sys/fs/cgroup/cpu,cpuacct/a/b");
	/* A mount of a sub-tree (a container's view): the path below its root. */
	ck_assert_int_eq(proc_parse_cgroup(sub, &c), 0);
	ck_assert_int_eq(proc_cgroup_mount(mountinfo, &c, point, sizeof(point), dir, sizeof(dir)),
			 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/memory/x");
	ck_assert_int_eq(proc_parse_cgroup(v2, &c), 0);
	ck_assert_int_eq(proc_cgroup_mount(mountinfo, &c, point, sizeof(point), dir, sizeof(dir)),
			 0);
	ck_assert_str_eq(dir, "/sys/fs/cgroup/unified");
	ck_assert_int_eq(proc_parse_cgroup(none, &c), 0);
	errno = 0;
	ck_assert_int_eq(proc_cgroup_mount(mountinfo, &c, point, sizeof(point), dir, sizeof(dir)),
			 -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(procfs_idmap_and_status)
{
	struct proc_idmap m;
	char out[64];
	const char *status = "Name:\tuts\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"
			     "NoNewPrivs:\t0\nSeccomp:\t2\n";

	ck_assert_int_eq(proc_parse_idmap("         0     100000      65536\n", &m), 0);
	ck_assert_uint_eq(m.inside, 0);
	ck_assert_uint_eq(m.outside, 100000);
	ck_assert_uint_eq(m.count, 65536);
	ck_assert_int_eq(proc_parse_idmap("0 1\n", &m), -1);
	ck_assert_int_eq(proc_parse_status(status, "CapEff", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "000001ffffffffff");
	ck_assert_int_eq(proc_parse_status(status, "Seccomp", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "2");
	ck_assert_int_eq(proc_parse_status(status, "Cap", out, sizeof(out)), -1);
	ck_assert_int_eq(proc_parse_status(status, "CapAmb", out, sizeof(out)), -1);
}
END_TEST

START_TEST(procfs_state_letter)
{
	/* We are running while we read it; a stopped child is T; the dead '?'. */
	ck_assert_int_eq(proc_state(getpid()), 'R');
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
	ck_assert_int_eq(proc_state(pid), 'T');
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(proc_state(pid), '?');
}
END_TEST

Suite *
suite_procfs(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = tcase_create("parsers");

	tcase_add_test(tc, procfs_mountinfo_with_optional_fields);
	tcase_add_test(tc, procfs_mountinfo_several_or_no_optional_fields);
	tcase_add_test(tc, procfs_mountinfo_escapes_and_errors);
	tcase_add_test(tc, procfs_cgroup_lines);
	tcase_add_test(tc, procfs_cgroup_mount);
	tcase_add_test(tc, procfs_idmap_and_status);
	tcase_add_test(tc, procfs_state_letter);
	suite_add_tcase(s, tc);
	return s;
}
