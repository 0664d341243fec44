/*
 * test_host.c - common/host.c: the line each kind of host gets when it
 * refuses a user namespace or a cgroup, on hosts this machine is not.
 *
 * Debian's kernel.unprivileged_userns_clone and Ubuntu's
 * kernel.apparmor_restrict_unprivileged_userns are patches of those
 * distributions' kernels: on any other kernel the files are not there, so
 * no run here meets them. The knobs are read from a fake /proc tree
 * (host_userns_knobs_read with a root), and the classification
 * (host_userns_explain) is held against each host's answer: the errno the
 * kernel gives there, as root and as an ordinary user.
 */
#include "../../common/host.h"
#include "../suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fake tree: ROOT/proc/sys/{user,kernel}/NAME holding VALUE, for each
 * pair in NAMES (NULL value: no such file). Returns ROOT (static). */
static const char *
fake_proc(const char *const names[][2], size_t n)
{
	static char root[64];
	char path[256];

	snprintf(root, sizeof(root), "/tmp/nutshell-test-host.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	const char *dirs[] = {"/proc", "/proc/sys", "/proc/sys/user", "/proc/sys/kernel"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < n; i++) {
		if (!names[i][1])
			continue;
		snprintf(path, sizeof(path), "%s/proc/sys/%s", root, names[i][0]);
		FILE *f = fopen(path, "we");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "%s\n", names[i][1]);
		fclose(f);
	}
	return root;
}

static void
fake_proc_remove(const char *root)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* The knobs of a host whose /proc/sys holds VALUES (NULL: not there). */
static struct host_userns_knobs
host_with(const char *max, const char *debian, const char *apparmor)
{
	const char *const names[][2] = {{"user/max_user_namespaces", max},
					{"kernel/unprivileged_userns_clone", debian},
					{"kernel/apparmor_restrict_unprivileged_userns", apparmor}};
	struct host_userns_knobs k;
	const char *root = fake_proc(names, 3);

	host_userns_knobs_read(root, &k);
	fake_proc_remove(root);
	return k;
}

/* What a host with knobs K says to ERR, as root or not: "" for nothing. */
static const char *
says(int err, int as_root, const struct host_userns_knobs *k)
{
	static char buf[1024];
	const char *w = host_userns_explain(err, as_root, k, buf, sizeof(buf));

	return w ? w : "";
}

/* The number in PATH, read here with stdio; -1 when there is no file. */
static long
file_number(const char *path)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	long n = f && fgets(buf, sizeof(buf), f) ? atol(buf) : -1;

	if (f)
		fclose(f);
	return n;
}

START_TEST(hostwhy_reads_the_knobs_of_a_tree)
{
	struct host_userns_knobs k = host_with("15000", "0", NULL);

	ck_assert_int_eq(k.max_user_namespaces, 15000);
	ck_assert_int_eq(k.unprivileged_userns_clone, 0);
	ck_assert_int_eq(k.apparmor_restrict, -1); /* not an Ubuntu kernel */
	ck_assert_int_eq(k.in_chroot, 0);
	ck_assert_int_eq(k.filtered, 0);
	/* This machine's own tree, as the files show it (-1: not there). */
	struct host_userns_knobs here;
	host_userns_knobs_read("", &here);
	ck_assert_int_eq(here.max_user_namespaces,
			 file_number("/proc/sys/user/max_user_namespaces"));
	ck_assert_int_eq(here.unprivileged_userns_clone,
			 file_number("/proc/sys/kernel/unprivileged_userns_clone"));
	ck_assert_int_eq(here.apparmor_restrict,
			 file_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"));
}
END_TEST

/* Debian (before 13) with kernel.unprivileged_userns_clone=0: an ordinary
 * user's clone(CLONE_NEWUSER) fails with EPERM; root's works. */
START_TEST(hostwhy_debian_switch)
{
	struct host_userns_knobs k = host_with("15000", "0", NULL);
	const char *line = says(EPERM, 0, &k);

	ck_assert_msg(strstr(line, "kernel.unprivileged_userns_clone is 0 (Debian's switch)") &&
			  strstr(line, "'sudo sysctl kernel.unprivileged_userns_clone=1'"),
		      "a user on Debian with the switch off was told: '%s'", line);
	/* Root is not refused by it: a refusal of root has another cause. */
	ck_assert_str_eq(says(EPERM, 1, &k), "");
	/* With the switch on, EPERM is not the switch's doing. */
	k = host_with("15000", "1", NULL);
	ck_assert_str_eq(says(EPERM, 0, &k), "");
}
END_TEST

/* Ubuntu 23.10+ with kernel.apparmor_restrict_unprivileged_userns=1: the
 * user namespace is made (err 0), but AppArmor denies every capability in
 * it, so the first privileged call in it fails (EPERM). */
START_TEST(hostwhy_ubuntu_apparmor)
{
	struct host_userns_knobs k = host_with("15000", NULL, "1");

	for (int err = 0; err <= EPERM; err += EPERM) {
		const char *line = says(err, 0, &k);
		ck_assert_msg(strstr(line, "kernel.apparmor_restrict_unprivileged_userns is 1 "
					   "(Ubuntu 23.10+)") &&
				  strstr(line, "AppArmor denies every capability in it") &&
				  strstr(line, "'sudo sysctl "
					       "kernel.apparmor_restrict_unprivileged_userns=0'") &&
				  strstr(line, "set it back to 1 after"),
			      "a user on Ubuntu with the restriction (errno %d) was told: '%s'",
			      err, line);
	}
	/* Root is exempt from the restriction; with it off, nothing to say. */
	ck_assert_str_eq(says(0, 1, &k), "");
	k = host_with("15000", NULL, "0");
	ck_assert_str_eq(says(0, 0, &k), "");
	ck_assert_str_eq(says(EPERM, 0, &k), "");
}
END_TEST

/* user.max_user_namespaces: 0 turns them off, otherwise ENOSPC (or EUSERS
 * before Linux 4.9) means used up. */
START_TEST(hostwhy_max_user_namespaces)
{
	struct host_userns_knobs k = host_with("0", NULL, NULL);

	ck_assert_ptr_nonnull(strstr(says(ENOSPC, 1, &k),
				     "user.max_user_namespaces is 0; allow them with "
				     "'sudo sysctl user.max_user_namespaces=15000'"));
	k = host_with("7", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(
	    says(ENOSPC, 0, &k), "used up (user.max_user_namespaces=7, or 32 nested): end some"));
	ck_assert_ptr_nonnull(strstr(says(EUSERS, 1, &k), "used up"));
}
END_TEST

/* Which cause wins when several hold: a chroot first (root and users are
 * both refused there, whatever the sysctls say), then Debian's switch, then
 * a seccomp filter (a container whose profile denies namespaces). */
START_TEST(hostwhy_order_of_causes)
{
	struct host_userns_knobs k = host_with("15000", "0", "1");

	k.in_chroot = 1;
	ck_assert_str_eq(says(EPERM, 0, &k), host_chroot_line);
	ck_assert_str_eq(says(EPERM, 1, &k), host_chroot_line);
	k.in_chroot = 0;
	k.filtered = 1;
	ck_assert_ptr_nonnull(strstr(says(EPERM, 0, &k), "Debian's switch"));
	ck_assert_ptr_nonnull(strstr(says(EPERM, 1, &k), "a seccomp filter refuses it"));
	/* A value refused (EINVAL) is never the host's doing. */
	ck_assert_str_eq(says(EINVAL, 0, &k), "");
}
END_TEST

/* cgroup v2's "no internal processes": EBUSY on cgroup.subtree_control. */
START_TEST(hostwhy_cgroup_busy)
{
	char buf[512];
	const char *line =
	    host_cgroup_why(EBUSY, "/sys/fs/cgroup/a/cgroup.subtree_control", buf, sizeof(buf));

	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "no internal processes (cgroups(7)): /sys/fs/cgroup/a holds "
				   "processes, so cgroup v2 will not enable controllers"),
		      "EBUSY on cgroup.subtree_control: '%s'", line);
	/* EBUSY elsewhere (rmdir of a cgroup in use) is not that. */
	ck_assert_ptr_null(host_cgroup_why(EBUSY, "/sys/fs/cgroup/a", buf, sizeof(buf)));
}
END_TEST

Suite *
suite_hostwhy(void)
{
	Suite *s = suite_create("hostwhy");
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
	    {"hostwhy_reads_the_knobs_of_a_tree", hostwhy_reads_the_knobs_of_a_tree},
	    {"hostwhy_debian_switch", hostwhy_debian_switch},
	    {"hostwhy_ubuntu_apparmor", hostwhy_ubuntu_apparmor},
	    {"hostwhy_max_user_namespaces", hostwhy_max_user_namespaces},
	    {"hostwhy_order_of_causes", hostwhy_order_of_causes},
	    {"hostwhy_cgroup_busy", hostwhy_cgroup_busy},
	};

	/* One case per test, so that scripts/mutants.sh can name each. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
