/*
 * test_doctor.c - 05-full-container/doctor (make doctor) against the facts it
 * reports, each found here another way: user namespaces by unshare(1), the
 * namespaces by /proc/self/ns, the cgroup layout by /proc/self/mountinfo.
 */
#include "../suites.h"
#include "harness.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DOCTOR "05-full-container/doctor"

/* "yes" when `unshare -U true` exits 0, run as UID (0: as we are). */
static const char *
unshare_u_works(uid_t uid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		if (uid && (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0))
			_exit(126);
		execlp("unshare", "unshare", "-U", "true", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!WIFEXITED(status) || WEXITSTATUS(status) != 127, "no unshare(1) here");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : "no";
}

START_TEST(doctor_tells_the_truth)
{
	const char *argv[] = {DOCTOR, NULL};
	const char *ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
	char buf[64], line[4096];
	struct run r;
	int n = 0, v1 = 0, v2 = 0;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d:\n%.1500s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "lessons:"));
	/* User namespaces: allowed exactly when unshare -U true works. */
	ck_assert_str_eq(run_fact(&r, "userns_root"), unshare_u_works(0));
	ck_assert_str_eq(run_fact(&r, "userns_user"), unshare_u_works(65534));
	/* The kernel's own chroot test (clone(2)): root refused a user namespace. */
	ck_assert_str_eq(run_fact(&r, "in_chroot"),
			 strcmp(run_fact(&r, "userns_root"), "no") == 0 && strstr(r.out, "a chroot")
			     ? "yes"
			     : "no");
	for (size_t i = 0; i < 8; i++) {
		struct stat st;
		snprintf(buf, sizeof(buf), "/proc/self/ns/%s", ns[i]);
		n += lstat(buf, &st) == 0;
	}
	snprintf(buf, sizeof(buf), "%d", n);
	ck_assert_str_eq(run_fact(&r, "namespaces"), buf);
	/* The cgroup layout: which kinds of cgroup filesystem are mounted. */
	FILE *f = fopen("/proc/self/mountinfo", "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		v1 += strstr(line, " - cgroup ") != NULL;
		v2 += strstr(line, " - cgroup2 ") != NULL;
	}
	fclose(f);
	const char *layout = run_fact(&r, "cgroup_layout");
	if (v1 && v2)
		ck_assert_msg(strncmp(layout, "hybrid", 6) == 0, "layout '%s', v1 and v2 mounted",
			      layout);
	else
		ck_assert_str_eq(layout, v2 ? "cgroup v2" : v1 ? "cgroup v1" : "none");
	run_free(&r);
}
END_TEST

/* The output of sh -c CMD (stdout and stderr), run in a user namespace of
 * our own whose user.max_user_namespaces is 0 (a per-namespace limit its
 * root may lower, user_namespaces(7)): a host where they are turned off. */
static char *
with_userns_off(const char *cmd)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char line[8192];
	static char out[16384];

	snprintf(line, sizeof(line),
		 "cd %s && unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces && %s' "
		 "2>&1",
		 root, cmd);
	FILE *p = popen(line, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

START_TEST(hosts_say_why_user_namespaces_fail)
{
	const char *why = "user namespaces are turned off here: user.max_user_namespaces is 0";

	TEST_SKIP_IN_CHROOT();
	/* A lesson program names the knob, not only ENOSPC (sysadmin makes
	 * its user namespace as root, through ns_clone)... */
	char *out = with_userns_off("./03-capabilities/sysadmin -q");
	ck_assert_msg(strstr(out, why), "03-capabilities/sysadmin said:\n%.1500s", out);
	/* ...and so does doctor, for root (here: root of the namespace). */
	out = with_userns_off("./05-full-container/doctor -q");
	ck_assert_msg(strstr(out, "user ns as root:  no (No space left on device): ") &&
			  strstr(out, why),
		      "doctor said:\n%.1500s", out);
}
END_TEST

Suite *
suite_doctor(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("doctor");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, doctor_tells_the_truth);
	tcase_add_test(tc, hosts_say_why_user_namespaces_fail);
	suite_add_tcase(s, tc);
	return s;
}
