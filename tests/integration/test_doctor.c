/*
 * test_doctor.c - 05-full-container/doctor (make doctor) against the facts it
 * reports, each found here another way: user namespaces by unshare(1), the
 * namespaces by /proc/self/ns, the cgroup layout by /proc/self/mountinfo.
 */
#include "../../02-cgroups/cgroup.h"
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

/* The output (stdout and stderr) of WRAP, a shell line with two %s: the
 * top of the tree (cd there) and the command run in what WRAP sets up. */
static char *
host_like(const char *wrap, const char *cmd)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char line[8192];
	static char out[16384];

	snprintf(line, sizeof(line), wrap, root, cmd);
	FILE *p = popen(line, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* Under WRAP (host_like), sysadmin (which makes its user namespace as root,
 * through ns_clone) and doctor (for root: here, the namespace's) name the
 * cause WHY, not only ENOSPC. */
static void
expect_userns_why(const char *wrap, const char *why)
{
	char *out = host_like(wrap, "./03-capabilities/sysadmin -q");
	ck_assert_msg(strstr(out, why), "03-capabilities/sysadmin said:\n%.1500s", out);
	out = host_like(wrap, "./05-full-container/doctor -q");
	ck_assert_msg(strstr(out, "user ns as root:  no (No space left on device): ") &&
			  strstr(out, why),
		      "doctor said:\n%.1500s", out);
}

/* In a user namespace of our own whose user.max_user_namespaces is 0 (a
 * per-namespace limit its root may lower, user_namespaces(7)): a host where
 * they are turned off. */
START_TEST(hosts_say_why_user_namespaces_fail)
{
	TEST_SKIP_IN_CHROOT();
	expect_userns_why("cd %s && unshare -U -r sh -c "
			  "'echo 0 >/proc/sys/user/max_user_namespaces && %s' 2>&1",
			  "user namespaces are turned off here: user.max_user_namespaces is 0");
}
END_TEST

/* ENOSPC with the limit not 0: the namespaces allowed are used up. In a user
 * namespace of our own the limit is 1 and a sleeper holds that one. */
START_TEST(hosts_say_why_user_namespaces_are_used_up)
{
	TEST_SKIP_IN_CHROOT();
	expect_userns_why("cd %s && unshare -U -r sh -c "
			  "'echo 1 >/proc/sys/user/max_user_namespaces && "
			  "{ unshare -U sleep 30 & sleep 0.5; %s; kill $!; }' 2>&1",
			  "the user namespaces allowed here are used up "
			  "(user.max_user_namespaces=1, or 32 nested)");
}
END_TEST

/*
 * Inside another container that left the cgroup filesystem read-only
 * (docker run without a writable cgroup mount): a mount namespace of our own
 * with /sys/fs/cgroup and every hierarchy below it remounted read-only (a
 * bind remount changes only this namespace's mounts). As root, the cause is
 * the mount, not a missing delegation: the lessons, nutshell and doctor say
 * so, and nothing is made.
 */
START_TEST(hosts_say_why_cgroups_are_read_only)
{
	const char *wrap =
	    "cd %s && unshare -m sh -c 'for m in $(awk \"\\$5 ~ \\\"^/sys/fs/cgroup\\\" "
	    "{print \\$5}\" /proc/self/mountinfo | sort -r); do mount -o remount,bind,ro $m "
	    "|| exit 9; done; %s; echo exit=$?' 2>&1";
	const char *why = "/sys/fs/cgroup is mounted read-only: this runs inside a container";

	char *out = host_like(wrap, "./02-cgroups/pids -q --max 4");
	ck_assert_msg(strstr(out, "exit=1\n") &&
			  strstr(out, "the cgroup filesystem is read-only") && strstr(out, why) &&
			  !strstr(out, "delegated"),
		      "02-cgroups/pids said:\n%.1500s", out);
	out = host_like(wrap, "./05-full-container/nutshell run -q -- true");
	ck_assert_msg(strstr(out, "exit=125\n") &&
			  strstr(out, "the cgroup filesystem is read-only") && strstr(out, why),
		      "nutshell run said:\n%.1500s", out);
	out = host_like(wrap, "./05-full-container/doctor -q");
	ck_assert_msg(
	    strstr(out, "read-only here (no cgroup can be made)") &&
		strstr(out, "02 cgroups:       does not run: the cgroup filesystem is read-only") &&
		strstr(out, "05 container:     does not run") && strstr(out, why),
	    "doctor said:\n%.1500s", out);
}
END_TEST

/* The output of CMD (a shell line, run in the toolkit's top directory)
 * started in the cgroup CG, in a cgroup namespace rooted there with a
 * cgroup2 mount of its own at /sys/fs/cgroup: what a runtime inside a
 * container made with `docker run --cgroupns=private` sees. */
static char *
in_own_cgroupns(const char *cg, const char *cmd)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	static char out[16384];
	char line[8192], me[32];
	int fds[2], status = -1;

	snprintf(line, sizeof(line), "cd %s && %s; echo exit=$?", root, cmd);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(me, sizeof(me), "%d", (int)getpid());
		snprintf(out, sizeof(out), "%s/cgroup.procs", cg);
		int procs = open(out, O_WRONLY | O_CLOEXEC);
		if (procs < 0 || write(procs, me, strlen(me)) < 0 ||
		    unshare(CLONE_NEWCGROUP) != 0 || unshare(CLONE_NEWNS) != 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    /* The same file system again on its own mount point: EBUSY. */
		    umount2("/sys/fs/cgroup", MNT_DETACH) != 0 ||
		    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) != 0 ||
		    dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0) {
			dprintf(fds[1], "setup: %s\n", strerror(errno));
			_exit(99);
		}
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(98);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t got;
	while (n < sizeof(out) - 1 && (got = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(fds[0]);
	/* Not asserted here: the caller removes CG first. */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		snprintf(out + n, sizeof(out) - n, "\n(the shell ended with %#x)", status);
	return out;
}

/*
 * cgroup v2's "no internal processes" (cgroups(7)): a cgroup other than the
 * root that holds processes cannot enable controllers for its children
 * (EBUSY on cgroup.subtree_control; for a threaded controller alone, such
 * as pids, EOPNOTSUPP moving a process into a child). Inside a container with a cgroup
 * namespace of its own, nutshell's own cgroup is the namespace's root - not
 * the real root, so not exempt - and holds nutshell itself: there is no
 * empty ancestor to go to. The lesson and nutshell name the rule, not only
 * EBUSY, and leave nothing. cgroup v2 only: the VM lane runs it.
 */
START_TEST(hosts_say_why_cgroup_v2_is_busy)
{
	struct cg_layout l;
	char cg[1200];
	int h;

	if (cg_layout_detect(&l) != 0 || l.kind != CG_V2 || (h = cg_layout_find(&l, "pids")) < 0)
		TEST_SKIP("the pids controller is not on cgroup v2 alone here");
	snprintf(cg, sizeof(cg), "%s/reltest-busy-%d", l.h[h].base, (int)getpid());
	ck_assert_int_eq(mkdir(cg, 0755), 0);
	const char *why = "no internal processes (cgroups(7)): /sys/fs/cgroup holds processes, so "
			  "cgroup v2 will not enable controllers for its children";

	char *run = strdup(in_own_cgroupns(cg, "./05-full-container/nutshell run -q -- true 2>&1"));
	char *pids = strdup(in_own_cgroupns(cg, "./02-cgroups/pids -q --max 4 2>&1"));
	/* Nothing made beneath it, and nothing turned on; removed before any
	 * assertion, so that a failure leaves nothing either. */
	char path[1300], on[64] = "";
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg);
	read_line_file(path, on, sizeof(on));
	int removed = rmdir(cg) == 0 ? 0 : errno;
	ck_assert_msg(strstr(run, "exit=125\n") && strstr(run, "cannot enable ") &&
			  strstr(run, why),
		      "nutshell run said:\n%.1500s", run);
	/* The lesson wants pids alone, a threaded controller, which a cgroup
	 * with processes may enable: then its children are "domain invalid"
	 * and the move into one fails (EOPNOTSUPP), the same rule. */
	ck_assert_msg(strstr(pids, "exit=1\n") &&
			  strstr(pids, "no internal processes (cgroups(7)): the parent of "
				       "/sys/fs/cgroup/nutshell-pids-") &&
			  strstr(pids, "thread mode"),
		      "02-cgroups/pids said:\n%.1500s", pids);
	ck_assert_msg(!on[0], "controllers left on in %s: '%s'", cg, on);
	ck_assert_msg(!removed, "rmdir %s: %s (something left in it)", cg, strerror(removed));
	free(run);
	free(pids);
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
	tcase_add_test(tc, hosts_say_why_user_namespaces_are_used_up);
	tcase_add_test(tc, hosts_say_why_cgroups_are_read_only);
	tcase_add_test(tc, hosts_say_why_cgroup_v2_is_busy);
	suite_add_tcase(s, tc);
	return s;
}
