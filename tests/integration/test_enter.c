/*
 * test_enter.c - 01-namespaces/enter, against a target the test starts: a
 * child in a UTS namespace of its own, called "target-ns".
 */
#include "../suites.h"
#include "harness.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ENTER "01-namespaces/enter"

static pid_t target;
static char target_pid[16];

static void
start_target(void)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe(p), 0);
	target = fork();
	ck_assert_int_ge(target, 0);
	if (target == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWUTS) != 0 || sethostname("target-ns", 9) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1); /* the hostname is set */
	close(p[0]);
	snprintf(target_pid, sizeof(target_pid), "%d", (int)target);
}

static void
stop_target(void)
{
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}

START_TEST(enter_joins_the_targets_uts_namespace)
{
	struct run r;
	char path[64], theirs[64], open_line[128];
	const char *argv[] = {ENTER, "--target", target_pid, "--ns", "uts", "--", "hostname", NULL};

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)target);
	ssize_t n = readlink(path, theirs, sizeof(theirs) - 1);
	ck_assert_int_gt(n, 0);
	theirs[n] = '\0';
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* The command ran in the target's UTS namespace. */
	ck_assert_str_eq(r.out, "target-ns\n");
	ck_assert_str_eq(run_fact(&r, "uts_ns_differs"), "yes");
	ck_assert_str_eq(run_fact(&r, "uts_ns_child"), theirs);
	ck_assert_str_ne(run_fact(&r, "uts_ns_parent"), theirs);
	snprintf(open_line, sizeof(open_line),
		 "openat(AT_FDCWD, \"%s\", O_RDONLY|O_CLOEXEC) = ", path);
	ck_assert_ptr_nonnull(strstr(r.err, open_line));
	json_t *setns = run_find(&r, "syscall", "name", "setns");
	ck_assert_ptr_nonnull(setns);
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(setns, "args")), "CLONE_NEWUTS"));
	ck_assert_ptr_nonnull(strstr(r.err, ", CLONE_NEWUTS) = 0"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "clone"));
	/* Only what was asked for. */
	ck_assert_ptr_null(run_find(&r, "fact", "key", "net_ns_differs"));
	run_free(&r);
}
END_TEST

START_TEST(enter_defaults_to_what_differs_and_hostname)
{
	struct run r;
	const char *argv[] = {ENTER, "--target", target_pid, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(r.out, "target-ns\n");
	ck_assert_str_eq(run_fact(&r, "uts_ns_differs"), "yes");
	/* The target shares every other namespace with us: not joined. */
	ck_assert_ptr_null(run_find(&r, "fact", "key", "mnt_ns_differs"));
	run_free(&r);
}
END_TEST

START_TEST(enter_passes_on_the_commands_status)
{
	struct run r;
	const char *argv[] = {ENTER, "--target", target_pid, "--ns",   "uts,net",
			      "--",  "sh",	 "-c",	     "exit 3", NULL};
	const char *missing[] = {ENTER, "--target", target_pid, "--", "no-such-command", NULL};

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 3);
	/* Joining a namespace we are already in is allowed, and changes nothing. */
	ck_assert_str_eq(run_fact(&r, "net_ns_differs"), "no");
	run_free(&r);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, missing), 0);
	ck_assert_int_eq(r.status, 127);
	ck_assert_ptr_nonnull(strstr(r.err, "enter: cannot run 'no-such-command': "));
	run_free(&r);
}
END_TEST

/* Bad input: exit status, one line, no namespace joined. */
static void
check_refused(const char *const argv[], int status, const char *expected)
{
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, status);
	ck_assert_msg(strstr(r.err, expected) != NULL, "stderr lacks '%s':\n%s", expected, r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "setns"));
	run_free(&r);
}

START_TEST(enter_bad_input)
{
	char pid_max[32];
	const char *unknown_ns[] = {ENTER, "--target", target_pid, "--ns", "uts,bogus", NULL};
	const char *no_target[] = {ENTER, "--ns", "uts", NULL};
	const char *bad_target[] = {ENTER, "--target", "12ab", NULL};
	const char *gone[] = {ENTER, "--target", pid_max, NULL};
	const char *no_value[] = {ENTER, "--target", NULL};

	/* Pids are below pid_max: /proc/<pid_max> never exists. */
	read_line_file("/proc/sys/kernel/pid_max", pid_max, sizeof(pid_max));
	check_refused(unknown_ns, 2,
		      "--ns 'bogus': expected a comma-separated list of cgroup, "
		      "ipc, mnt, net, pid, time, user, uts");
	check_refused(no_target, 2, "missing --target PID");
	check_refused(bad_target, 2, "--target '12ab': expected a process id");
	check_refused(no_value, 2, "'--target' needs a value");
	char expected[64];
	snprintf(expected, sizeof(expected), "--target %s: no such process", pid_max);
	check_refused(gone, 1, expected);
}
END_TEST

/* Worksheet 01, step 13 as written (without "sudo": the suite runs as root):
 * the sleeper's pid comes from its pid file, so enter joins that sleeper and
 * prints its hostname; with no pid file, one line about the empty pid. */
START_TEST(enter_worksheet_step_13)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char cmd[1024], out[256] = "", host[256];
	FILE *p;

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && rm -f target.pid && "
		 "{ unshare --uts sh -c 'echo $$ > target.pid; hostname target-ns; exec sleep "
		 "60' & } && sleep 1 && "
		 "./01-namespaces/enter --no-color --target \"$(cat target.pid)\" --ns uts -- "
		 "hostname 2>/dev/null; echo \"status $?\"; hostname; "
		 "kill \"$(cat target.pid)\"; rm -f target.pid; "
		 "./01-namespaces/enter --target \"$(cat target.pid 2>/dev/null)\" --ns uts -- "
		 "hostname 2>&1; echo \"status $?\"",
		 root ? root : ".");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	char expected[600];
	snprintf(expected, sizeof(expected),
		 "target-ns\nstatus 0\n%s\nenter: --target '': expected a process id\n"
		 "status 2\n",
		 host);
	ck_assert_str_eq(out, expected);
}
END_TEST

Suite *
suite_enter(void)
{
	Suite *s = suite_create("enter");
	TCase *tc = tcase_create("enter");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, start_target, stop_target);
	tcase_add_test(tc, enter_joins_the_targets_uts_namespace);
	tcase_add_test(tc, enter_defaults_to_what_differs_and_hostname);
	tcase_add_test(tc, enter_passes_on_the_commands_status);
	tcase_add_test(tc, enter_bad_input);
	tcase_add_test(tc, enter_worksheet_step_13);
	suite_add_tcase(s, tc);
	return s;
}
