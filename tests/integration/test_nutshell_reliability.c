/*
 * test_nutshell_reliability.c - issue #9: nutshell run refuses bad input
 * before anything exists, leaves nothing when it is killed at any stage of
 * a start (what the kernel does not reclaim, `nutshell cleanup` and the
 * next run do), runs rootless, and stops the known escape classes - one
 * test per class, named after it. As in test_nutshell.c, the container is
 * looked at from inside with inspect --json - or busybox.
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

void
nap(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* The value of fact KEY among the JSON lines inspect wrote to stdout. */
const char *
ifact(const struct run *r, const char *key)
{
	static char value[4096];
	const char *line = r->out;

	value[0] = '\0';
	while (line && *line) {
		size_t len = strcspn(line, "\n");
		json_t *obj = json_loadb(line, len, 0, NULL);
		const char *k = obj ? json_string_value(json_object_get(obj, "key")) : NULL;

		if (k && strcmp(k, key) == 0)
			snprintf(value, sizeof(value), "%s",
				 json_string_value(json_object_get(obj, "value")));
		json_decref(obj);
		if (value[0])
			return value;
		line += len + (line[len] == '\n');
	}
	return value;
}

/* The container id in nutshell's trace (harness.h). */
const char *
id_in(const char *text)
{
	return run_container_id(text);
}

/* How many of ID's scratch directories and cgroups exist. */
int
left_of(const char *id)
{
	char pattern[128], cmd[256], line[512];
	glob_t g;
	int n = 0;

	snprintf(pattern, sizeof(pattern), "/dev/shm/nutshell-run-%s.*", id);
	if (glob(pattern, 0, NULL, &g) == 0)
		n += (int)g.gl_pathc;
	globfree(&g);
	snprintf(cmd, sizeof(cmd),
		 "find /sys/fs/cgroup -maxdepth 6 -type d -name 'nutshell-%s' 2>/dev/null", id);
	FILE *f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		pclose(f);
	return n;
}

void
assert_nothing_left(const char *id)
{
	ck_assert_msg(strlen(id) == 12, "no container id in the trace");
	ck_assert_msg(left_of(id) == 0, "container %s left a cgroup or scratch directory", id);
}

/* Reads a whole small file into buf ("" when missing). */
const char *
slurp_small(const char *path, char *buf, size_t size)
{
	return read_text_file(path, buf, size);
}

/* ---- bad input: 125, one line naming the value, nothing made ---- */

struct bad_case {
	const char *args[6]; /* options after "run", NULL-terminated */
	const char *expected;
	int no_command; /* the case is about COMMAND: add none */
};

/* Images for the cases that need one, beneath one temporary directory:
 * good/ (with a symlink "out" to /etc), proc-link/ (/proc -> /proc),
 * dev-climb/ (/dev -> ../../../dev), link -> good, file (not a directory). */
char img[64];

void
make_images(void)
{
	char p[160];
	const char *dirs[] = {"good",	   "good/proc",	     "good/dev",
			      "good/sys",  "proc-link",	     "proc-link/dev",
			      "dev-climb", "dev-climb/proc", NULL};

	snprintf(img, sizeof(img), "/tmp/nutshell-test-img.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(img));
	for (size_t i = 0; dirs[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", img, dirs[i]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/good/out", img);
	ck_assert_int_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/proc-link/proc", img);
	ck_assert_int_eq(symlink("/proc", p), 0);
	snprintf(p, sizeof(p), "%s/dev-climb/dev", img);
	ck_assert_int_eq(symlink("../../../dev", p), 0);
	snprintf(p, sizeof(p), "%s/link", img);
	ck_assert_int_eq(symlink("good", p), 0);
	snprintf(p, sizeof(p), "%s/file", img);
	close(open(p, O_WRONLY | O_CREAT, 0644));
}

void
remove_images(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", img);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(badinput_refused_before_anything_exists)
{
	/* "@" in an argument stands for the image directory made above. */
	static const struct bad_case cases[] = {
	    {{"--bogus"}, "unknown option '--bogus'", 0},
	    {{"-x"}, "unknown option", 0},
	    {{"--memory"}, "'--memory' needs a value", 1},
	    {{"--memory", "--cpus", "1"}, "--memory '--cpus': expected a value", 0},
	    {{"--memory", "lots"}, "--memory 'lots'", 0},
	    {{"--memory", "-5M"}, "--memory '-5M'", 0},
	    {{"--memory", "0"}, "--memory '0': expected at least 6M", 0},
	    {{"--memory", "1k"}, "--memory '1k': expected at least 6M", 0},
	    {{"--memory", "5000000"}, "--memory '5000000': expected at least 6M", 0},
	    {{"--memory", "99999999999999999999"}, "--memory '99999999999999999999'", 0},
	    {{"--memory", "12Q"}, "--memory '12Q'", 0},
	    {{"--memory-swap", "64M"}, "needs --memory too", 0},
	    {{"--memory", "64M", "--memory-swap", "8M"}, "--memory-swap '8388608'", 0},
	    {{"--cpus", "0"}, "--cpus '0'", 0},
	    {{"--cpus", "-1"}, "--cpus '-1'", 0},
	    {{"--cpus", "100000"}, "--cpus '100000'", 0},
	    {{"--cpus", "abc"}, "--cpus 'abc'", 0},
	    {{"--cpu-weight", "0"}, "--cpu-weight '0'", 0},
	    {{"--cpu-weight", "10001"}, "--cpu-weight '10001'", 0},
	    {{"--pids-limit", "0"}, "--pids-limit '0': expected 1 to 4194304, or -1", 0},
	    {{"--pids-limit", "-5"}, "--pids-limit '-5'", 0},
	    {{"--pids-limit", "99999999999"}, "--pids-limit '99999999999'", 0},
	    {{"--pids-limit", "12x"}, "--pids-limit '12x'", 0},
	    {{"--cap-add", "CAP_FLY"}, "--cap-add 'CAP_FLY': unknown capability", 0},
	    {{"--cap-drop", "NET_RAWW"}, "--cap-drop 'NET_RAWW': unknown capability", 0},
	    {{"--cap-add", ""}, "--cap-add '': unknown capability", 0},
	    {{"--rootfs", "/no/such/image"}, "--rootfs '/no/such/image'", 0},
	    {{"--rootfs", "images/busybox"}, "--rootfs 'images/busybox': expected an absolute", 0},
	    {{"--rootfs", "@/file"}, "expected an existing directory", 0},
	    {{"--rootfs", "@/link"}, "a symlink; expected the image directory itself", 0},
	    {{"--rootfs", "@/proc-link"}, "proc is a symlink to '/proc', outside the root", 0},
	    {{"--rootfs", "@/dev-climb"}, "climbs above the root", 0},
	    {{"--volume", "/no/such/dir:/x"}, "host path '/no/such/dir'", 0},
	    {{"--volume", "relative:/x"}, "expected an absolute path", 0},
	    {{"--volume", "/tmp:/x/../../etc"}, "without '..'", 0},
	    {{"--volume", "/tmp:/"}, "other than /", 0},
	    {{"--rootfs", "@/good", "--volume", "/tmp:/out/x"}, "'/etc', outside the root", 0},
	    {{"--volume", "/tmp"}, "--volume '/tmp': expected HOST:CONTAINER[:ro]", 0},
	    {{"--volume", "/tmp:/x:rx"}, "mode 'rx': expected ro or rw", 0},
	    {{"--hostname", "a123456789b123456789c123456789d123456789e123456789f123456789g1234", 0},
	     "expected 1 to 64 letters",
	     0},
	    {{"--hostname", "bad_name"}, "--hostname 'bad_name'", 0},
	    {{"--hostname", "-lead"}, "--hostname '-lead'", 0},
	    {{"--uidmap", "0:100000:65536", "--uidmap", "100:200000:10", 0},
	     "--uidmap '100:200000:10': id map line 2 overlaps line 1",
	     0},
	    {{"--gidmap", "0:100000:10", "--gidmap", "10:100005:10"}, "--gidmap '10:100005:10'", 0},
	    {{"--uidmap", "0:4294967295:2"}, "--uidmap '0:4294967295:2': id map line 1: range", 0},
	    {{"--uidmap", "0:100000:0"}, "count 0", 0},
	    {{"--uidmap", "0:-1:5"}, "--uidmap '0:-1:5': expected INSIDE:OUTSIDE:COUNT", 0},
	    {{"--uidmap", "1:100000:10"}, "no range maps id 0", 0},
	    {{"--network", "bridge"}, "--network 'bridge': expected none, host or veth", 0},
	    {{"--network", ""}, "--network ''", 0},
	    {{"--network", "veth", "--subnet", "10.0.0.0/33"}, "--subnet '10.0.0.0/33'", 0},
	    {{"--network", "veth", "--subnet", "10.0.0/24"}, "--subnet '10.0.0/24'", 0},
	    {{"--subnet", "10.9.0.0/24"}, "only with --network veth", 0},
	    {{"--user", "a b"}, "--user 'a b'", 0},
	    {{"--workdir", "rel"}, "--workdir 'rel'", 0},
	    {{"--env", "=x"}, "--env '=x'", 0},
	    {{"--time-offset", "1e99"}, "--time-offset '1e99'", 0},
	    {{"--security-opt", "apparmor=x"}, "--security-opt 'apparmor=x'", 0},
	    {{"--", ""}, "COMMAND '': expected a program name or path", 1},
	    {{NULL}, "expected a COMMAND", 1},
	};
	struct run r;

	make_images();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[16];
		char args[6][256];
		int n = 0;

		argv[n++] = NUTSHELL;
		argv[n++] = "run";
		for (int k = 0; cases[i].args[k]; k++) {
			const char *a = cases[i].args[k];
			snprintf(args[k], sizeof(args[k]), "%s%s", a[0] == '@' ? img : "",
				 a + (a[0] == '@'));
			argv[n++] = args[k];
		}
		if (!cases[i].no_command) {
			argv[n++] = "--";
			argv[n++] = "true";
		}
		argv[n] = NULL;
		/* Under strace: not one clone, mkdirat, mount or symlinkat. */
		ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
		ck_assert_msg(r.status == 125, "case %zu (%s %s): exit %d:\n%.1500s", i, argv[2],
			      argv[3] ? argv[3] : "", r.status, r.err);
		ck_assert_msg(strstr(r.err, cases[i].expected),
			      "case %zu: stderr lacks '%s':\n%.1500s", i, cases[i].expected, r.err);
		ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
			      "case %zu: not one line:\n%.1500s", i, r.err);
		/* strace -f writes "PID  name(...)": the name follows a space. */
		const char *made[] = {" clone(", " clone3(",   " mkdir(",     " mkdirat(",
				      " mount(", " symlink(",  " symlinkat(", " unshare(",
				      " rmdir(", " unlinkat(", NULL};
		for (size_t k = 0; made[k]; k++) {
			char *hit = strstr(r.strace, made[k]);
			ck_assert_msg(!hit, "case %zu: %s in strace:\n%.200s", i, made[k] + 1,
				      hit ? hit : "");
		}
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "clone"));
		ck_assert_ptr_null(run_find(&r, "syscall", "name", "mkdirat"));
		run_free(&r);
	}
	remove_images();
}
END_TEST

/* ---- rootless: run by an ordinary user ---- */

START_TEST(rootless_run_as_nobody)
{
	const char *argv[] = {NUTSHELL, "run", "--", "inspect", "--json", "-", NULL};
	char buf[64];
	struct run r;

	TEST_SKIP_IN_CHROOT();
	if (strcmp(read_line_file("/proc/sys/kernel/unprivileged_userns_clone", buf, sizeof(buf)),
		   "0") == 0)
		TEST_SKIP("kernel.unprivileged_userns_clone is 0 here");
	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	/* A tree in a home only its owner may enter (Debian's adduser makes
	 * them 0700): nobody cannot reach the image, and nutshell says so. */
	if (r.status == 125 && strstr(r.err, "cannot be reached as uid 65534: EACCES")) {
		run_free(&r);
		TEST_SKIP("the image is not reachable by nobody here (a 0700 home?)");
	}
	ck_assert_msg(r.status == 0, "exit %d:\n%.1500s", r.status, r.err);
	/* Root inside, which is nobody outside: one id mapped. */
	ck_assert_str_eq(ifact(&r, "uid"), "0");
	ck_assert_str_eq(ifact(&r, "uid_map"), "0 65534 1");
	ck_assert_str_eq(ifact(&r, "gid_map"), "0 65534 1");
	ck_assert_str_eq(ifact(&r, "pid"), "1");
	ck_assert_str_eq(ifact(&r, "root_fstype"), "overlay");
	ck_assert_str_eq(ifact(&r, "no_new_privs"), "1");
	/* No cgroup limits, said once, in one line. */
	const char *skip = strstr(r.err, "rootless: no cgroup limits");
	ck_assert_msg(skip, "no line about cgroup limits:\n%.1500s", r.err);
	ck_assert_ptr_null(strstr(skip + 1, "rootless: no cgroup limits"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "clone"));
	assert_nothing_left(id_in(r.err));
	run_free(&r);
}
END_TEST

/* SIGTERM to nutshell, as docker stop sends it: a pid 1 that ignores it (no
 * handler: pid_namespaces(7)) is killed after the grace period, the trace
 * says so, and nothing is left. */
START_TEST(sigterm_then_sigkill_after_grace)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char prog[512], err_path[] = "/tmp/nutshell-test-stop.XXXXXX", text[16384];
	int status = -1;

	snprintf(prog, sizeof(prog), "%s/" NUTSHELL, root ? root : ".");
	int fd = mkstemp(err_path);
	ck_assert_int_ge(fd, 0);
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int in = open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(fd, 2) < 0 || dup2(fd, 1) < 0)
			_exit(98);
		execl(prog, NUTSHELL, "--no-color", "run", "--", "sleep", "60", NULL);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	nap(1500); /* started */
	double t0 = wait_now();
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		nap(100);
	double took = wait_now() - t0;
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(err_path);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL,
		      "status %#x after %.1f s:\n%s", status, took, text);
	ck_assert_msg(took >= 9.5 && took < 20, "ended %.1f s after SIGTERM", took);
	ck_assert_msg(strstr(text, "SIGKILL in 10 s if it has not ended by then"), "%s", text);
	ck_assert_msg(strstr(text, "did not end 10 s after SIGTERM: SIGKILL, as docker stop does"),
		      "%s", text);
	assert_nothing_left(id_in(text));
}
END_TEST

Suite *
suite_reliability(void)
{
	Suite *s = suite_create("reliability");

	ADD(s, badinput_refused_before_anything_exists);
	reliability_add_faults(s); /* test_reliability_faults.c */
	ADD(s, rootless_run_as_nobody);
	reliability_add_hardening(s); /* test_reliability_hardening.c */
	ADD(s, sigterm_then_sigkill_after_grace);
	return s;
}
