/*
 * test_reliability_hardening.c - the reliability suite's escape classes
 * (test_nutshell_reliability.c makes the suite), one test per class, named
 * after it: leaked fds (CVE-2024-21626), /proc/self/exe (CVE-2019-5736),
 * mount propagation, a symlinked /proc (CVE-2019-19921), masked paths.
 */
#include "../../02-cgroups/cgroup.h"
#include "../../common/waiting.h"
#include "../suites.h"
#include "harness.h"
#include "reliability.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ---- hardening: one test per escape class ---- */

/* A directory of the host open in nutshell's caller (fd 9, no O_CLOEXEC)
 * must not become the container's way out, neither as --workdir
 * /proc/self/fd/N nor as an fd COMMAND inherits. nutshell's own host
 * directory fds (the scratch lock) are tried too. */
START_TEST(hardening_cve_2024_21626_leaked_fd_workdir)
{
	char dir[] = "/tmp/nutshell-test-leak.XXXXXX", marker[96], wd[32];
	struct run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(marker, sizeof(marker), "%s/HOST-MARKER", dir);
	close(open(marker, O_WRONLY | O_CREAT, 0644));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(dup2(fd, 9), 9);
	close(fd);
	for (int n = 3; n <= 9; n++) {
		snprintf(wd, sizeof(wd), "/proc/self/fd/%d", n);
		const char *argv[] = {NUTSHELL, "run", "--workdir", wd, "--", "ls", NULL};
		ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
		ck_assert_msg(!strstr(r.out, "HOST-MARKER"), "fd %d: the host directory:\n%.1500s",
			      n, r.out);
		ck_assert_msg(r.status == 125, "fd %d: exit %d:\n%.1500s", n, r.status, r.err);
		assert_nothing_left(id_in(r.err));
		run_free(&r);
	}
	const char *argv[] = {NUTSHELL, "run", "--", "inspect", "--json", "-", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_str_eq(ifact(&r, "extra_fds"), "none");
	run_free(&r);
	close(9);
	unlink(marker);
	rmdir(dir);
}
END_TEST

/* The first line of defence against the same: the host directory open in
 * nutshell's caller never even reaches the container's process (closed at
 * nutshell's start). Seen from outside, with the container's pid 1 paused
 * in the middle of its setup (NUTSHELL_TEST_PAUSE=mounts). */
START_TEST(hardening_cve_2024_21626_no_host_fd_inside)
{
	char dir[] = "/tmp/nutshell-test-leak.XXXXXX", out[64], text[65536], kids[256] = "";
	char path[512], link[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(dup2(fd, 9), 9);
	close(fd);
	snprintf(out, sizeof(out), "%s/out", dir);
	setenv("NUTSHELL_TEST_PAUSE", "mounts", 1);
	const char *argv[] = {NUTSHELL, "run", "--", "true", NULL};
	pid_t pid = fork();
	if (pid == 0) {
		const char *prog = getenv("NUTSHELL_ROOT");
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
		dup2(o, 1);
		dup2(o, 2);
		execv(path, (char *const *)argv);
		_exit(98);
	}
	unsetenv("NUTSHELL_TEST_PAUSE");
	close(9);
	for (int i = 0; i < 200 && !strstr(slurp_small(out, text, sizeof(text)), "paused at"); i++)
		nap(25);
	ck_assert_msg(strstr(text, "paused at"), "never paused:\n%.1500s", text);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	slurp_small(path, kids, sizeof(kids));
	int child = atoi(kids), leaked = 0;
	for (int n = 0; child > 0 && n < 64; n++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", child, n);
		ssize_t len = readlink(path, link, sizeof(link) - 1);
		link[len > 0 ? len : 0] = '\0';
		leaked |= strcmp(link, dir) == 0;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	struct run r;
	const char *clean[] = {NUTSHELL, "cleanup", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, clean), 0);
	run_free(&r);
	ck_assert_msg(child > 0, "no container process found");
	ck_assert_msg(!leaked, "the container's pid 1 holds the caller's host directory fd");
	assert_nothing_left(id_in(text));
	unlink(out);
	rmdir(dir);
}
END_TEST

/*
 * Without close_range(2): it fails with ENOSYS (as on Linux before 5.9, or
 * under a seccomp profile that predates the call), and nutshell must close
 * the caller's host directory, fd 9 without O_CLOEXEC, by walking
 * /proc/self/fd instead (ctr_close_fds). The cases below also hold the
 * second lines of defence - close-on-exec before COMMAND, --workdir inside
 * the root - should that first line fail: `make mutants` breaks the first
 * line with each of them (mutant fd-leaked-inside). Runs ARGV so, with fd 9 open on DIR
 * (nothing else beyond 0-2), stdout and stderr into DIR/out and DIR/err;
 * the exit status, OUT and ERR read back.
 */
static int
run_without_close_range(const char *dir, const char *const argv[], char *out, char *err,
			size_t size)
{
	char out_path[96], err_path[96], path[512];
	const char *prog = getenv("NUTSHELL_ROOT");
	int status;

	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int d = open(dir, O_RDONLY | O_DIRECTORY);
		if (o == -1 || e == -1 || d == -1 || dup2(o, 1) == -1 || dup2(e, 2) == -1 ||
		    dup2(d, 9) == -1)
			_exit(98);
		/* Only 0-2 and the host directory at 9 (still possible here). */
		syscall(SYS_close_range, 3U, 8U, 0U);
		syscall(SYS_close_range, 10U, ~0U, 0U);
		/* Root may load a filter without no_new_privs (seccomp(2)). */
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) != 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(close_range), 0) != 0 ||
		    seccomp_load(ctx) != 0)
			_exit(97);
		execv(path, (char *const *)argv);
		_exit(96);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	slurp_small(out_path, out, size);
	slurp_small(err_path, err, size);
	unlink(out_path);
	unlink(err_path);
	ck_assert_msg(WIFEXITED(status) && (WEXITSTATUS(status) < 96 || WEXITSTATUS(status) > 98),
		      "status %#x:\n%.1500s", status, err);
	return WEXITSTATUS(status);
}

/* Without close_range(2): the host directory still open in nutshell is not
 * passed on to COMMAND - every fd beyond 2 is made close-on-exec by hand
 * in the container's setup (inside.c). */
START_TEST(hardening_cve_2024_21626_no_close_range_fds)
{
	char dir[] = "/tmp/nutshell-test-leak.XXXXXX", marker[96], out[65536], err[65536];
	struct run r = {.out = out};

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(marker, sizeof(marker), "%s/HOST-MARKER", dir);
	close(open(marker, O_WRONLY | O_CREAT, 0644));
	const char *ls[] = {NUTSHELL, "run", "--", "ls", "/proc/self/fd/9/", NULL};
	int status = run_without_close_range(dir, ls, out, err, sizeof(out));
	ck_assert_msg(!strstr(out, "HOST-MARKER"), "COMMAND lists the host directory:\n%.1500s",
		      out);
	ck_assert_msg(status > 0 && status < 125, "ls of a missing fd: exit %d:\n%.1500s", status,
		      err);
	assert_nothing_left(id_in(err));
	const char *insp[] = {NUTSHELL, "run", "--", "inspect", "--json", "-", NULL};
	status = run_without_close_range(dir, insp, out, err, sizeof(out));
	ck_assert_msg(status == 0, "exit %d:\n%.1500s", status, err);
	ck_assert_str_eq(ifact(&r, "extra_fds"), "none");
	assert_nothing_left(id_in(err));
	unlink(marker);
	rmdir(dir);
}
END_TEST

/* Without close_range(2): --workdir /proc/self/fd/9 leads to the host
 * directory, and the check that the working directory is inside the root
 * (getcwd, inside.c) is what refuses it. */
START_TEST(hardening_cve_2024_21626_no_close_range_workdir)
{
	char dir[] = "/tmp/nutshell-test-leak.XXXXXX", marker[96], out[65536], err[65536];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(marker, sizeof(marker), "%s/HOST-MARKER", dir);
	close(open(marker, O_WRONLY | O_CREAT, 0644));
	const char *argv[] = {NUTSHELL, "run", "--workdir", "/proc/self/fd/9", "--", "ls", NULL};
	int status = run_without_close_range(dir, argv, out, err, sizeof(out));
	ck_assert_msg(!strstr(out, "HOST-MARKER"), "COMMAND ran in the host directory:\n%.1500s",
		      out);
	ck_assert_msg(status == 125, "exit %d:\n%.1500s", status, err);
	/* fd 9 closed at the start: there is no such directory; or, with that
	 * first line broken, the check of --workdir refuses it. */
	ck_assert_msg(strstr(err, "/proc/self/fd/9: ENOENT") ||
			  strstr(err, "--workdir '/proc/self/fd/9': outside the container's root"),
		      "no refusal:\n%.1500s", err);
	assert_nothing_left(id_in(err));
	unlink(marker);
	rmdir(dir);
}
END_TEST

/* With --init, pid 1 (a fresh execve of nutshell's sealed copy, sealed.c)
 * is not dumpable, so without CAP_SYS_PTRACE /proc/1/exe cannot be opened,
 * read or written; the binary is unchanged afterwards. test_self_exe.c has
 * the CVE's own attacks. */
START_TEST(hardening_cve_2019_5736_proc_exe)
{
	const char *argv[] = {NUTSHELL,
			      "run",
			      "--init",
			      "--",
			      "sh",
			      "-c",
			      "cat /proc/1/comm; readlink /proc/1/exe || echo no-link;"
			      " cat /proc/1/exe >/dev/null 2>&1 && echo READ;"
			      " echo x 2>/dev/null >>/proc/1/exe && echo WRITTEN;"
			      " ls /proc | grep -c '^[0-9]'",
			      NULL};
	const char *prog = getenv("NUTSHELL_ROOT");
	char path[512];
	struct stat before, after;
	struct run r;

	snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d:\n%.1500s", r.status, r.err);
	ck_assert_msg(strncmp(r.out, "nutshell\nno-link\n", 17) == 0, "pid 1's exe:\n%.1500s",
		      r.out);
	ck_assert_ptr_null(strstr(r.out, "READ"));
	ck_assert_ptr_null(strstr(r.out, "WRITTEN"));
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
	assert_nothing_left(id_in(r.err));
	run_free(&r);
}
END_TEST

/* A mount made inside (CAP_SYS_ADMIN granted on purpose) never shows in the
 * host's mount table, and neither does the container's own tmpfs: the
 * mount namespace's propagation is private. */
START_TEST(hardening_mount_propagation_leak)
{
	char dir[] = "/tmp/nutshell-test-prop.XXXXXX", out[64], text[4096], mounts[1 << 16];
	const char *prog = getenv("NUTSHELL_ROOT");
	char path[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(o, 2);
		execl(path, NUTSHELL, "-q", "run", "--cap-add", "SYS_ADMIN", "--", "sh", "-c",
		      "mkdir -p /mnt/x && mount -t tmpfs leak-marker /mnt/x && echo mounted;"
		      " sleep 1",
		      NULL);
		_exit(98);
	}
	for (int i = 0; i < 200 && !strstr(slurp_small(out, text, sizeof(text)), "mounted"); i++)
		nap(25);
	ck_assert_msg(strstr(text, "mounted"), "the mount inside failed:\n%.1500s", text);
	const char *tables[] = {"/proc/self/mountinfo", "/proc/1/mountinfo"};
	for (size_t i = 0; i < 2; i++) {
		slurp_small(tables[i], mounts, sizeof(mounts));
		ck_assert_msg(!strstr(mounts, "leak-marker"), "%s shows the mount", tables[i]);
		ck_assert_msg(!strstr(mounts, "nutshell-run-"), "%s shows the scratch tmpfs",
			      tables[i]);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	unlink(out);
	rmdir(dir);
}
END_TEST

/* An image whose /proc or /dev is a symlink out of the root is refused
 * before anything is mounted (runc's CVE-2019-19921). */
START_TEST(hardening_cve_2019_19921_symlinked_proc)
{
	struct run r;
	char root[96];

	make_images();
	const char *which[] = {"proc-link", "dev-climb"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(root, sizeof(root), "%s/%s", img, which[i]);
		const char *argv[] = {NUTSHELL, "run", "--rootfs", root, "--", "true", NULL};
		ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
		ck_assert_msg(r.status == 125, "%s: exit %d", which[i], r.status);
		ck_assert_msg(strstr(r.err, "refusing to follow it"), "%s:\n%.1500s", which[i],
			      r.err);
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "mount"));
		run_free(&r);
	}
	remove_images();
}
END_TEST

/* The masks hold whatever the path: through /proc/1/root, /proc/self/..,
 * /proc/./ - the same mount - and they cannot be unmounted. */
START_TEST(hardening_masked_paths_bypass)
{
	const char *argv[] = {NUTSHELL,
			      "run",
			      "--",
			      "sh",
			      "-c",
			      "for f in /proc/1/root/proc/interrupts /proc/self/../interrupts"
			      " /proc/./keys /proc/1/root/proc/keys /proc/self/root/proc/timer_list"
			      " /proc/1/root/proc/kcore; do cat $f 2>/dev/null; done | wc -c;"
			      " ls /proc/1/root/sys/firmware | wc -l;"
			      " umount /proc/interrupts 2>/dev/null && echo UNMASKED;"
			      " mount -t proc proc /mnt 2>/dev/null && echo NEWPROC; true",
			      NULL};
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d:\n%.1500s", r.status, r.err);
	ck_assert_str_eq(r.out, "0\n0\n");
	assert_nothing_left(id_in(r.err));
	run_free(&r);
}
END_TEST

void
reliability_add_hardening(Suite *s)
{
	ADD(s, hardening_cve_2024_21626_leaked_fd_workdir);
	ADD(s, hardening_cve_2024_21626_no_host_fd_inside);
	ADD(s, hardening_cve_2024_21626_no_close_range_fds);
	ADD(s, hardening_cve_2024_21626_no_close_range_workdir);
	ADD(s, hardening_cve_2019_5736_proc_exe);
	ADD(s, hardening_mount_propagation_leak);
	ADD(s, hardening_cve_2019_19921_symlinked_proc);
	ADD(s, hardening_masked_paths_bypass);
}
