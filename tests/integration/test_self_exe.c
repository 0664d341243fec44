/*
 * test_self_exe.c - the runtime's binary, seen from inside (issue 18,
 * CVE-2019-5736), and what the container sees of --init's pid 1 (issue 23,
 * item 10).
 *
 * The attack: the container's COMMAND is /proc/self/exe (a symlink to it,
 * or a script whose "#!" names it), which the kernel resolves in the
 * process calling execve - the runtime's. The container then runs the
 * runtime's binary, and a second process opens it through /proc/PID/exe,
 * for writing once nothing executes it any more (ETXTBSY is gone).
 *
 * Each test runs a copy of nutshell made for it, so that a defence that
 * failed could never let the real build be written: the probes open for
 * writing and write nothing, and the copy's bytes are compared afterwards.
 * The second process is an observer this test puts into the container's
 * mount namespace (as `docker exec` or a later `nutshell exec` would): it
 * opens /proc/N/exe of every process of the container, with every
 * capability, during the run; holds what it opened; and after the run -
 * when the runtime's binary is no longer busy - opens each again for
 * writing through /proc/self/fd (what a process that outlived the run, or
 * got the descriptor passed to it, can do).
 */
#include "self_exe_lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The copy, run with ARGS: its own session, output into files. */
static pid_t
lab_run(const struct lab *l, const char *const args[])
{
	const char *argv[64] = {l->bin, "-q", "run", "--rootfs", l->img, "--volume"};
	char vol[160];
	size_t n = 6;

	snprintf(vol, sizeof(vol), "%s:/x", l->vol);
	argv[n++] = vol;
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open(l->out, O_WRONLY | O_CREAT, 0644),
		    err = open(l->err, O_WRONLY | O_CREAT, 0644);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0 || setsid() < 0)
			_exit(99);
		/* As on a kernel before 5.2, or under Docker's default seccomp
		 * profile: no new mount API, so no overlayfs view (sealed.c). */
		scmp_filter_ctx ctx = l->no_fsopen ? seccomp_init(SCMP_ACT_ALLOW) : NULL;
		if (l->no_fsopen &&
		    (!ctx ||
		     seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(fsopen), 0) != 0 ||
		     seccomp_load(ctx) != 0))
			_exit(97);
		execv(argv[0], (char *const *)argv);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* The container's pid 1 as the host sees it: the launcher's child in a pid
 * namespace of its own. Not just its first child: where / is not pid 1's
 * (a fresh root entered with pivot_root), nutshell first clones a short
 * probe of whether this is a chroot (common/host.c). */
static pid_t
container_of(pid_t launcher)
{
	char path[64], text[64], mine[64] = "", theirs[64] = "";

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)launcher);
	ck_assert_int_gt(readlink(path, mine, sizeof(mine) - 1), 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)launcher, (int)launcher);
	for (int i = 0; i < 1000; i++, lab_nap(10)) {
		char ns[64];
		int pid = atoi(read_line_file(path, text, sizeof(text)));
		snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", pid);
		memset(theirs, 0, sizeof(theirs));
		if (pid > 0 && readlink(ns, theirs, sizeof(theirs) - 1) > 0 && strcmp(theirs, mine))
			return pid;
	}
	ck_abort_msg("no container appeared");
	return -1;
}

/* Runs ARGS in the copy, waits until `ready` says the container is where
 * the test wants it, lets the observer look, kills the container, lets the
 * observer look again. What the observer said, and the launcher's status. */
/* attack(): the launcher waited for once the container is killed. */
struct ending {
	pid_t ctr, launcher;
	int *status;
};

static void
end_run(void *arg)
{
	struct ending *e = arg;

	kill(e->ctr, SIGKILL);
	ck_assert_int_eq(waitpid(e->launcher, e->status, 0), e->launcher);
}

static char *
attack(struct lab *l, const char *const args[], void (*ready)(const struct lab *, pid_t),
       int *status)
{
	pid_t launcher = lab_run(l, args);
	struct ending e = {container_of(launcher), launcher, status};
	int ost;

	ready(l, e.ctr);
	char *text = lab_watch(l, e.ctr, end_run, &e, &ost);
	ck_assert_msg(WIFEXITED(ost) && WEXITSTATUS(ost) == 0, "observer: %#x\n%s", ost, text);
	return text;
}

static void
assert_not_reached(const struct lab *l, const char *seen, int status)
{
	char *err = lab_slurp(l->err, NULL);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL,
		      "launcher: %#x\n%s", status, err ? err : "");
	lab_assert_observer_reached_nothing(seen);
	free(err);
}

/* The lab made, the attack run, nothing of the host's reached. */
static void
attack_fails(struct lab *l, const char *const args[], void (*ready)(const struct lab *, pid_t))
{
	int status;

	lab_make(l);
	char *seen = attack(l, args, ready, &status);
	assert_not_reached(l, seen, status);
	free(seen);
}

static void
runtime_inside(const struct lab *l, pid_t ctr)
{
	(void)l;
	lab_wait_for_runtime_inside(ctr);
}

/* COMMAND is a symlink to /proc/self/exe: pid 1 runs whatever its execve
 * resolved that to. Named init and found through PATH, so that it runs as
 * --init's pid 1 does ("init -- COMMAND"), which a nutshell does before it
 * runs from a view or copy of its own (nutshell.c): the binary pid 1 got
 * stays its exe for the whole run, a shell of it waiting on the fifo. */
#define SELF_EXE_AS_INIT                                                                           \
	"--env", "PATH=/x:/bin", "--", "init", "--", "sh", "-c", "read x </x/trace", NULL
START_TEST(self_exe_symlink)
{
	struct lab l;
	const char *args[] = {SELF_EXE_AS_INIT};

	attack_fails(&l, args, runtime_inside);
	lab_end(&l);
}
END_TEST

/* The same, with fsopen(2) refused (a seccomp filter of the test's): then
 * the overlayfs view cannot be made, and nutshell falls back to a sealed
 * memfd copy (sealed.c) - the copy the attack meets here, as on a kernel
 * without the new mount API or overlayfs, or for rootless nutshell. */
START_TEST(self_exe_symlink_memfd)
{
	struct lab l;
	const char *args[] = {SELF_EXE_AS_INIT};
	int status;

	lab_make(&l);
	l.no_fsopen = 1;
	char *seen = attack(&l, args, runtime_inside, &status);
	assert_not_reached(&l, seen, status);
	ck_assert_msg(strstr(seen, "(/memfd:nutshell"), "no memfd copy was probed:\n%.3000s", seen);
	free(seen);
	lab_end(&l);
}
END_TEST

/* COMMAND is a script whose interpreter is /proc/self/exe, under --init:
 * init's child executes it, and init itself is probed too. */
START_TEST(self_exe_script_init)
{
	struct lab l;
	const char *args[] = {"--init", "--env", "NUTSHELL_JSON=/x/trace", "--", "/x/script", NULL};

	attack_fails(&l, args, runtime_inside);
	lab_end(&l);
}
END_TEST

static void
shell_probed(const struct lab *l, pid_t ctr)
{
	(void)ctr;
	for (int i = 0; i < 1000; i++, lab_nap(10)) {
		char *out = lab_slurp(l->out, NULL);
		int done = out && strstr(out, "probed\n");
		free(out);
		if (done)
			return;
	}
	ck_abort_msg("the shell inside never finished probing");
}

/* A process of the container itself, with CAP_SYS_PTRACE (which lets it
 * past a non-dumpable pid 1): /proc/1/exe and every /proc/N/exe. */
START_TEST(self_exe_from_a_container_process)
{
	struct lab l;
	const char *args[] = {"--init",
			      "--cap-add",
			      "SYS_PTRACE",
			      "--",
			      "sh",
			      "-c",
			      "for p in /proc/[0-9]*; do"
			      " l=$(stat -L -c %d:%i $p/exe 2>/dev/null) && echo \"exe $p $l\";"
			      " (: >>$p/exe) 2>/dev/null && echo \"WRITE-OPENED $p\";"
			      " done; echo probed; read x </x/trace",
			      NULL};
	char line[64], host[64];

	attack_fails(&l, args, shell_probed);
	char *out = lab_slurp(l.out, NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strstr(out, "exe /proc/1 "), "pid 1's exe not seen:\n%.3000s", out);
	snprintf(host, sizeof(host), " %lu:%lu\n", (unsigned long)l.st.st_dev,
		 (unsigned long)l.st.st_ino);
	ck_assert_msg(!strstr(out, host), "the host's binary%s is a process's exe inside:\n%.3000s",
		      host, out);
	/* Busy or not the host's: the probe opened nothing of the host's. */
	snprintf(line, sizeof(line), "WRITE-OPENED /proc/1\n");
	ck_assert_msg(!strstr(out, line), "pid 1's exe opened for writing:\n%.3000s", out);
	free(out);
	lab_end(&l);
}
END_TEST

/* --init's pid 1 shows the container nothing of the launcher: not its
 * command line (the volume's host path), not the caller's environment, not
 * the host's binary in its memory map (issue 23, item 10). */
START_TEST(init_is_not_the_launcher)
{
	struct lab l;
	int status;
	char secret[64];
	const char *args[] = {"--init",
			      "--cap-add",
			      "SYS_PTRACE",
			      "--",
			      "sh",
			      "-c",
			      "echo cmdline; tr '\\0' ' ' </proc/1/cmdline; echo;"
			      " echo environ; tr '\\0' '\\n' </proc/1/environ;"
			      " echo maps; cat /proc/1/maps",
			      NULL};

	lab_make(&l);
	snprintf(secret, sizeof(secret), "s3cr3t-%d", (int)getpid());
	setenv("NUTSHELL_TEST_SECRET", secret, 1);
	pid_t pid = lab_run(&l, args);
	unsetenv("NUTSHELL_TEST_SECRET");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	char *out = lab_slurp(l.out, NULL), *err = lab_slurp(l.err, NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %#x:\n%.3000s", status,
		      err);
	/* Each part was read: not an empty pass. */
	ck_assert_msg(strstr(out, "\nPATH=") && strstr(out, "[stack]"), "pid 1 not read:\n%.3000s",
		      out);
	ck_assert_msg(!strstr(out, l.dir), "a host path (%s) in pid 1's /proc:\n%.3000s", l.dir,
		      out);
	ck_assert_msg(!strstr(out, secret), "the caller's environment in pid 1's:\n%.3000s", out);
	ck_assert_msg(strstr(out, "cmdline\ninit -- sh -c "), "pid 1's command line:\n%.3000s",
		      out);
	free(out);
	free(err);
	lab_end(&l);
}
END_TEST

/* inspect --probes says what pid 1 runs and whether it opens for writing:
 * under --init, pid 1 is not dumpable, so neither (EACCES). */
START_TEST(inspect_reports_pid1_exe)
{
	struct lab l;
	int status;
	char path[PATH_MAX];
	const char *args[] = {"--init", "--", "/x/inspect", "--probes", "--json", "-", NULL};
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";

	lab_make(&l);
	snprintf(path, sizeof(path), "%s/05-full-container/inspect", root);
	size_t size;
	char *inspect = lab_slurp(path, &size);
	ck_assert_ptr_nonnull(inspect);
	snprintf(path, sizeof(path), "%s/inspect", l.vol);
	lab_write_file(path, inspect, size, 0755);
	free(inspect);
	pid_t pid = lab_run(&l, args);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(path);
	char *out = lab_slurp(l.out, NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %#x", status);
	ck_assert_msg(strstr(out, "\"key\":\"pid1_exe\",\"value\":\"EACCES\""),
		      "pid1_exe:\n%.2000s", out);
	ck_assert_msg(strstr(out, "\"key\":\"probe:write_pid1_exe\",\"value\":\"EACCES\""),
		      "write_pid1_exe:\n%.2000s", out);
	free(out);
	lab_end(&l);
}
END_TEST

/* One case per test, so that scripts/mutants.sh can name each. */
#define ADD(s, test)                                                                               \
	do {                                                                                       \
		TCase *tc = tcase_create(#test);                                                   \
		tcase_set_timeout(tc, 60);                                                         \
		tcase_add_test(tc, test);                                                          \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

Suite *
suite_self_exe(void)
{
	Suite *s = suite_create("self_exe");

	ADD(s, self_exe_symlink);
	ADD(s, self_exe_symlink_memfd);
	ADD(s, self_exe_script_init);
	ADD(s, self_exe_from_a_container_process);
	ADD(s, init_is_not_the_launcher);
	ADD(s, inspect_reports_pid1_exe);
	return s;
}
