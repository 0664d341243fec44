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

#define NUTSHELL "05-full-container/nutshell"

static void
nap(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* The value of fact KEY among the JSON lines inspect wrote to stdout. */
static const char *
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
static const char *
id_in(const char *text)
{
	return run_container_id(text);
}

/* How many of ID's scratch directories and cgroups exist. */
static int
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

static void
assert_nothing_left(const char *id)
{
	ck_assert_msg(strlen(id) == 12, "no container id in the trace");
	ck_assert_msg(left_of(id) == 0, "container %s left a cgroup or scratch directory", id);
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
static char img[64];

static void
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

static void
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

/* ---- faults: nutshell SIGKILLed at each stage of a start ---- */

/* Reads a whole small file into buf ("" when missing). */
static const char *
slurp_small(const char *path, char *buf, size_t size)
{
	return read_text_file(path, buf, size);
}

/* Dead: gone, or a zombie waiting for its new parent. */
static int
dead(pid_t pid)
{
	char path[64], stat[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	slurp_small(path, stat, sizeof(stat));
	const char *p = strrchr(stat, ')');
	return stat[0] == '\0' || (p && (p[2] == 'Z' || p[2] == 'X'));
}

/*
 * Starts nutshell with NUTSHELL_TEST_PAUSE=STAGE ("running": none; the
 * command says "started"), waits until it is there, SIGKILLs it, checks that
 * every process of the container died with it, then runs CLEANUP (either
 * `nutshell cleanup` or another `nutshell run`) and checks that nothing of
 * the container is left.
 */
/* A file kill_at() reads right after the kill, into probed. */
static char probe[1200], probed[256];

static void
kill_at(const char *stage, int next_run)
{
	char dir[] = "/tmp/nutshell-test-fault.XXXXXX", out[64], err[64], text[65536],
	     kids[256] = "";
	const char *prog = getenv("NUTSHELL_ROOT");
	char path[512];
	int running = strcmp(stage, "running") == 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(e, 2);
		if (!running)
			setenv("NUTSHELL_TEST_PAUSE", stage, 1);
		execl(path, NUTSHELL, "run", "--", "sh", "-c", "echo started; exec sleep 60", NULL);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	const char *want = running ? "started" : "paused at";
	for (int i = 0; i < 200; i++) {
		if (strstr(slurp_small(running ? out : err, text, sizeof(text)), want))
			break;
		nap(25);
	}
	ck_assert_msg(strstr(text, want), "%s: never got there:\n%.1000s", stage,
		      slurp_small(err, text, sizeof(text)));
	/* The container's pid 1, as the host sees it: nutshell's child. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	slurp_small(path, kids, sizeof(kids));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	for (char *k = strtok(kids, " \n"); k; k = strtok(NULL, " \n")) {
		int i;
		for (i = 0; i < 100 && !dead((pid_t)atoi(k)); i++)
			nap(20);
		ck_assert_msg(dead((pid_t)atoi(k)), "%s: container process %s outlived nutshell",
			      stage, k);
	}
	char id[16];
	snprintf(id, sizeof(id), "%s", id_in(slurp_small(err, text, sizeof(text))));
	ck_assert_msg(strlen(id) == 12, "%s: no container id:\n%.1000s", stage, text);
	if (probe[0])
		slurp_small(probe, probed, sizeof(probed));

	struct run r;
	if (next_run) {
		const char *argv[] = {NUTSHELL, "run", "--", "true", NULL};
		ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
		ck_assert_int_eq(r.status, 0);
		/* Reclaimed by this run - or by a concurrent one first. */
		if (!strstr(r.err, "reclaimed /dev/shm/nutshell-run-"))
			printf("note: %s: reclaimed by another nutshell before this run\n", stage);
	} else {
		const char *argv[] = {NUTSHELL, "cleanup", NULL};
		char line[64];
		ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
		ck_assert_msg(r.status == 0, "cleanup: exit %d:\n%.1500s", r.status, r.err);
		/* Reported - unless a nutshell of a concurrent test run
		 * reclaimed it first (run does, quietly); either way it is gone. */
		snprintf(line, sizeof(line), "removed /dev/shm/nutshell-run-%s.", id);
		int reported = strstr(r.out, line) != NULL;
		if (!reported)
			printf("note: %s: reclaimed by another nutshell before cleanup\n", stage);
		snprintf(line, sizeof(line), "nutshell-%s\n", id);
		if (reported && strcmp(stage, "scratch") != 0 &&
		    strcmp(stage, "cgroup-planned") != 0)
			ck_assert_msg(strstr(r.out, line), "%s: no cgroup reported:\n%.1500s",
				      stage, r.out);
		char why[256];
		ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "cleanup lies: %s", why);
	}
	run_free(&r);
	assert_nothing_left(id);
	unlink(out);
	unlink(err);
	rmdir(dir);
}

START_TEST(fault_sigkill_at_each_stage)
{
	const char *stages[] = {"scratch", "cgroup-planned", "cgroup-made", "cgroup",
				"clone",   "mounts",	     "running"};

	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
			kill_at(stages[i], 0);
	/* The next run reclaims it too, without being asked. */
	kill_at("cgroup", 1);
}
END_TEST

/* Killed between planning the cgroup and making it, and between making it
 * and recording what was made: the plan, written first, is enough for the
 * next run to reclaim it (and one never made is no trouble). */
START_TEST(fault_sigkill_between_cgroup_and_record)
{
	for (int round = 0; round < 2; round++) {
		kill_at("cgroup-planned", 1);
		kill_at("cgroup-made", 1);
	}
}
END_TEST

/* Starts nutshell with ARGV (after the program), stdout and stderr into
 * OUT; waits until OUT says "started". */
static pid_t
spawn(const char *out, const char *const argv[])
{
	const char *prog = getenv("NUTSHELL_ROOT");
	char path[512], text[65536];

	snprintf(path, sizeof(path), "%s/%s", prog ? prog : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(o, 2);
		execv(path, (char *const *)argv);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	for (int i = 0; i < 200 && !strstr(slurp_small(out, text, sizeof(text)), "started"); i++)
		nap(25);
	ck_assert_msg(strstr(text, "started"), "never started:\n%.1500s", text);
	return pid;
}

/* The directories of cgroup nutshell-ID, one per hierarchy, into dirs (at
 * most 4); how many. */
static int
container_cgroups(const char *id, char dirs[4][512])
{
	char cmd[256];
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "find /sys/fs/cgroup -maxdepth 6 -type d -name 'nutshell-%s' 2>/dev/null", id);
	FILE *f = popen(cmd, "r");
	while (f && n < 4 && fgets(dirs[n], sizeof(dirs[n]), f)) {
		dirs[n][strcspn(dirs[n], "\n")] = '\0';
		n++;
	}
	if (f)
		pclose(f);
	return n;
}

/* The first line of DIR/FILE. */
static const char *
cg_line(const char *dir, const char *file, char *buf, size_t size)
{
	char path[1400];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	slurp_small(path, buf, size);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int
cg_put(const char *dir, const char *file, const char *text)
{
	char path[1400];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	return f && fputs(text, f) >= 0 && fclose(f) == 0 ? 0 : -1;
}

/*
 * cgroup v2: nutshell enables memory and pids in the parent's
 * cgroup.subtree_control and gives them back - also when it was killed (the
 * next run reads what it enabled from its record), and not while another
 * container there relies on them (disabling takes its memory.max away).
 * The parent is one of the test's: a cgroup with no controllers on, above
 * the leaf this test (and so nutshell) runs in.
 */
START_TEST(fault_subtree_control_given_back)
{
	struct cg_layout l;
	char parent[1100], leaf[1200], own[1100], me[32], before[256], now[256];
	int h;

	if (cg_layout_detect(&l) != 0 || (h = cg_layout_find(&l, "memory")) < 0 ||
	    l.h[h].version != 2 || cg_layout_find(&l, "pids") != h)
		TEST_SKIP("memory and pids are not on cgroup v2 here");
	snprintf(own, sizeof(own), "%s", l.h[h].dir);
	snprintf(parent, sizeof(parent), "%s/reltest-subtree-%d", l.h[h].base, (int)getpid());
	snprintf(leaf, sizeof(leaf), "%s/leaf", parent);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	ck_assert_int_eq(mkdir(parent, 0755), 0);
	ck_assert_int_eq(mkdir(leaf, 0755), 0);
	ck_assert_int_eq(cg_put(leaf, "cgroup.procs", me), 0);
	cg_line(parent, "cgroup.subtree_control", before, sizeof(before));
	ck_assert_msg(!strstr(before, "memory"), "a fresh cgroup has '%s' on", before);

	/* Killed with them on: the next run gives them back. */
	snprintf(probe, sizeof(probe), "%s/cgroup.subtree_control", parent);
	kill_at("cgroup", 1);
	probe[0] = '\0';
	ck_assert_msg(strstr(probed, "memory") && strstr(probed, "pids"),
		      "nutshell did not enable memory and pids in %s: '%s'", parent, probed);
	ck_assert_str_eq(cg_line(parent, "cgroup.subtree_control", now, sizeof(now)), before);

	/* A enables them; B, started after, finds them on; A ends first and
	 * must leave them to B. */
	char dir[] = "/tmp/nutshell-test-subtree.XXXXXX", out_a[64], out_b[64], text[65536];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out_a, sizeof(out_a), "%s/a", dir);
	snprintf(out_b, sizeof(out_b), "%s/b", dir);
	const char *a_argv[] = {NUTSHELL, "run", "--", "sh", "-c", "echo started; sleep 1", NULL};
	const char *b_argv[] = {
	    NUTSHELL, "run", "--memory", "64M", "--", "sh", "-c", "echo started; sleep 4", NULL};
	pid_t a = spawn(out_a, a_argv), b = spawn(out_b, b_argv);
	char b_cg[1300], value[64];
	snprintf(b_cg, sizeof(b_cg), "%s/nutshell-%s", parent,
		 id_in(slurp_small(out_b, text, sizeof(text))));
	int status;
	ck_assert_int_eq(waitpid(a, &status, 0), a);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "A: %#x", status);
	cg_line(b_cg, "memory.max", value, sizeof(value));
	ck_assert_int_eq(waitpid(b, &status, 0), b);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "B: %#x", status);
	ck_assert_msg(strcmp(value, "67108864") == 0,
		      "B's memory.max once A had ended: '%s' (A took the controller away)", value);
	/* B did not turn them on, but it is the last of ours to go: the
	 * parent's trusted.nutshell.enabled says what to give back. */
	ck_assert_msg(strcmp(cg_line(parent, "cgroup.subtree_control", now, sizeof(now)), before) ==
			  0,
		      "subtree_control after A and B: '%s' (before: '%s')", now, before);
	ck_assert_msg(getxattr(parent, "trusted.nutshell.enabled", value, sizeof(value)) == -1,
		      "the parent still has trusted.nutshell.enabled");
	unlink(out_a);
	unlink(out_b);
	rmdir(dir);
	ck_assert_int_eq(cg_put(own, "cgroup.procs", me), 0);
	ck_assert_int_eq(rmdir(leaf), 0);
	ck_assert_int_eq(rmdir(parent), 0);
}
END_TEST

/* A live container is not "cleaned up" by someone else's cleanup. */
START_TEST(fault_cleanup_spares_live_containers)
{
	char dir[] = "/tmp/nutshell-test-live.XXXXXX", out[64], text[65536];
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
		execl(path, NUTSHELL, "run", "--", "sh", "-c", "echo started; sleep 2; echo done",
		      NULL);
		_exit(98);
	}
	for (int i = 0; i < 200 && !strstr(slurp_small(out, text, sizeof(text)), "started"); i++)
		nap(25);
	char id[16];
	snprintf(id, sizeof(id), "%s", id_in(text));
	struct run r;
	const char *argv[] = {NUTSHELL, "cleanup", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(!strstr(r.out, id), "cleanup removed a live container's:\n%.500s", r.out);
	run_free(&r);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x:\n%.1000s", status,
		      slurp_small(out, text, sizeof(text)));
	ck_assert_ptr_nonnull(strstr(slurp_small(out, text, sizeof(text)), "done"));
	assert_nothing_left(id);
	unlink(out);
	rmdir(dir);
}
END_TEST

/* Killed by the OOM killer: 137 and a line that names the likely cause. */
START_TEST(fault_oom_at_start)
{
	const char *argv[] = {
	    NUTSHELL, "run", "--memory", "8M",
	    "--",     "sh",  "-c",	 "x=$(head -c 100000000 /dev/zero | tr '\\0' a)",
	    NULL};
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 137, "exit %d:\n%.1500s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "killed by the OOM killer: its memory limit (--memory, "
				    "8388608 bytes) is probably too low"),
		      "no clear message:\n%.1500s", r.err);
	assert_nothing_left(id_in(r.err));
	run_free(&r);
}
END_TEST

/* Processes still dying at teardown: cgroup kill, then rmdir retried with
 * back-off, bounded (cg_kill, cg_remove: 5 s each). */
START_TEST(fault_busy_cgroup_at_teardown)
{
	const char *argv[] = {NUTSHELL, "run",
			      "--",	"sh",
			      "-c",	"for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; exit 3",
			      NULL};
	struct run r;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_msg(r.status == 3, "exit %d:\n%.1500s", r.status, r.err);
	ck_assert_msg(b.tv_sec - a.tv_sec < 10, "teardown took %ld s", (long)(b.tv_sec - a.tv_sec));
	assert_nothing_left(id_in(r.err));
	run_free(&r);
}
END_TEST

/* A process the pid namespace does not hold - one of the host's, moved into
 * the container's cgroup - keeps the cgroup busy at teardown: nutshell
 * kills it (cg_kill) before it removes the cgroup. */
START_TEST(fault_intruder_in_cgroup_at_teardown)
{
	char dir[] = "/tmp/nutshell-test-busy.XXXXXX", out[64], text[65536];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	const char *argv[] = {NUTSHELL, "run", "--", "sh", "-c", "echo started; sleep 1", NULL};
	pid_t pid = spawn(out, argv);
	slurp_small(out, text, sizeof(text));
	char id[16];
	snprintf(id, sizeof(id), "%s", id_in(text));
	pid_t intruder = fork();
	if (intruder == 0) {
		execlp("sleep", "sleep", "30", NULL);
		_exit(98);
	}
	char dirs[4][512], num[32];
	int moved = 0, n = container_cgroups(id, dirs);
	snprintf(num, sizeof(num), "%d", (int)intruder);
	for (int i = 0; i < n; i++)
		moved += cg_put(dirs[i], "cgroup.procs", num) == 0;
	ck_assert_msg(moved > 0, "could not move pid %d into nutshell-%s", (int)intruder, id);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x:\n%.1500s", status,
		      slurp_small(out, text, sizeof(text)));
	/* Killed by nutshell's teardown, not left for its 30 s. */
	int killed = waitpid(intruder, &status, WNOHANG) == intruder && WIFSIGNALED(status) &&
		     WTERMSIG(status) == SIGKILL;
	if (!killed) { /* what nutshell should have done, so that the failure leaves nothing */
		kill(intruder, SIGKILL);
		waitpid(intruder, NULL, 0);
		for (int i = 0; i < n; i++)
			rmdir(dirs[i]);
	}
	ck_assert_msg(killed, "the intruder outlived the container's teardown");
	assert_nothing_left(id);
	unlink(out);
	rmdir(dir);
}
END_TEST

/* A process leaving slowly, for fault_dying_process_at_teardown: SIZE bytes
 * touched, then a second thread; when told (GO), the first thread - the
 * group leader - exits alone, so the second is the one that frees the
 * memory once killed. */
static size_t dying_size;
static int dying_go;

static void *
dying_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void
dying_process(int ready)
{
	char *m =
	    mmap(NULL, dying_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t;
	char go;

	/* Not left pausing if the test fails half-way. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (m == MAP_FAILED || pthread_create(&t, NULL, dying_thread, NULL) != 0)
		_exit(98);
	memset(m, 1, dying_size);
	if (write(ready, "r", 1) != 1 || read(dying_go, &go, 1) != 1)
		_exit(98);
	syscall(SYS_exit, 0); /* this thread only: the process lives on */
	_exit(98);
}

/* The cgroup still busy at teardown, for a known while: a child cgroup made
 * in it from outside (by a monitoring agent, say) is removed only 300 ms
 * after the container has exited. rmdir(2) fails with EBUSY meanwhile;
 * nutshell retries with back-off (remove_dir in cgroup.c, up to 5 s) and
 * removes it all the same. On v1 and v2 alike. */
START_TEST(fault_busy_subcgroup_at_teardown)
{
	char dir[] = "/tmp/nutshell-test-busy.XXXXXX", out[64], text[65536];
	char dirs[4][512], subs[4][600];
	int n = 0, status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	const char *argv[] = {NUTSHELL, "run", "--", "sh", "-c", "echo started; sleep 1", NULL};
	pid_t pid = spawn(out, argv);
	slurp_small(out, text, sizeof(text));
	char id[16];
	snprintf(id, sizeof(id), "%s", id_in(text));
	n = container_cgroups(id, dirs);
	for (int i = 0; i < n; i++) {
		snprintf(subs[i], sizeof(subs[i]), "%.511s/reltest-hold", dirs[i]);
		ck_assert_msg(mkdir(subs[i], 0755) == 0, "mkdir %s: %s", subs[i], strerror(errno));
	}
	ck_assert_msg(n > 0, "no cgroup nutshell-%s found", id);
	/* The holder: once the container's processes are gone, 300 ms more. */
	pid_t holder = fork();
	if (holder == 0) {
		char procs[700], buf[64];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dirs[0]);
		for (int i = 0; i < 1000 && slurp_small(procs, buf, sizeof(buf))[0]; i++)
			nap(10);
		nap(300);
		for (int i = 0; i < n; i++)
			rmdir(subs[i]);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	waitpid(holder, NULL, 0);
	slurp_small(out, text, sizeof(text));
	int busy = strstr(text, "EBUSY") != NULL;
	int gone = 1;
	for (int i = 0; i < n; i++) {
		rmdir(subs[i]); /* should the holder not have: leave nothing */
		if (access(dirs[i], F_OK) == 0) {
			gone = 0;
			rmdir(dirs[i]);
		}
	}
	ck_assert_msg(busy, "rmdir never found the cgroup busy:\n%.3000s", text);
	ck_assert_msg(gone, "the cgroup stayed: removal was not retried:\n%.3000s", text);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x:\n%.1500s", status,
		      text);
	assert_nothing_left(id);
	unlink(out);
	rmdir(dir);
}
END_TEST

/*
 * A killed process is still leaving when its cgroup is removed: the rmdir
 * fails with EBUSY for a moment, and nutshell's teardown retries it (cg_remove:
 * with back-off, for up to 5 s). On cgroup v2, cgroup.procs no longer lists a
 * process whose leader has exited and whose last thread is dying, while that
 * thread still frees its memory (the kernel's css_task_iter skips "dying
 * leaders w/o live member threads"); until it has, the cgroup is populated.
 * Such a process - one of the host's, moved in - is there at teardown. (On
 * cgroup v1, cgroup.procs lists it until it has left, so the cgroup is never
 * busy there: the test then only checks that it is killed and nothing is left.)
 */
START_TEST(fault_dying_process_at_teardown)
{
	char dir[] = "/tmp/nutshell-test-dying.XXXXXX", out[64], text[65536], meminfo[4096];
	char busy[64];
	struct cg_layout l;
	int h, v2 = 0;

	if (cg_layout_detect(&l) == 0 && (h = cg_layout_find(&l, "memory")) >= 0)
		v2 = l.h[h].version == 2;
	/* A quarter of the memory available, at most 1 GiB: freeing it takes
	 * the kernel some 100 ms here, far longer in an emulated VM. */
	const char *avail =
	    strstr(slurp_small("/proc/meminfo", meminfo, sizeof(meminfo)), "MemAvailable:");
	dying_size = (size_t)(avail ? strtoull(avail + 13, NULL, 10) : 262144) * 1024 / 4;
	if (dying_size > (1UL << 30))
		dying_size = 1UL << 30;
	int ready[2], go[2];
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid_t dying = fork();
	if (dying == 0) {
		dying_go = go[0];
		dying_process(ready[1]);
	}
	char r;
	ck_assert_int_eq(read(ready[0], &r, 1), 1);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	const char *argv[] = {NUTSHELL, "run", "--", "sh", "-c", "echo started; sleep 2", NULL};
	pid_t pid = spawn(out, argv);
	slurp_small(out, text, sizeof(text));
	char id[16];
	snprintf(id, sizeof(id), "%s", id_in(text));
	char dirs[4][512], num[32];
	int moved = 0, n = container_cgroups(id, dirs);
	snprintf(num, sizeof(num), "%d", (int)dying);
	for (int i = 0; i < n; i++)
		moved += cg_put(dirs[i], "cgroup.procs", num) == 0;
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* Killed by nutshell's teardown (its leader exited 0, so a SIGKILL
	 * status is that). */
	int killed = 0;
	for (int i = 0; i < 100 && !killed; i++) {
		int s;
		if (waitpid(dying, &s, WNOHANG) == dying)
			killed = WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL ? 1 : -1;
		else
			nap(20);
	}
	if (killed != 1) { /* so that the failure leaves nothing behind */
		kill(dying, SIGKILL);
		waitpid(dying, NULL, 0);
	}
	slurp_small(out, text, sizeof(text));
	int left = left_of(id);
	for (int i = 0; i < n && left; i++)
		rmdir(dirs[i]);
	ck_assert_msg(moved > 0, "could not move pid %d into nutshell-%s", (int)dying, id);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x:\n%.3000s", status,
		      text);
	ck_assert_msg(killed == 1, "the dying process outlived the container's teardown");
	ck_assert_msg(!left, "nutshell-%s was left behind:\n%.3000s", id, text);
	/* What the test is about: the cgroup was busy, and removed all the
	 * same. Not asserted: a machine that frees the memory fast enough
	 * never shows it (the note says so; `make mutants` would too). */
	snprintf(busy, sizeof(busy), "nutshell-%s\") = -1 EBUSY", id);
	int times = 0;
	for (const char *p = text; (p = strstr(p, busy)); p++)
		times++;
	printf("note: fault_dying_process_at_teardown: cgroup v%d, %zu MiB: rmdir found the "
	       "cgroup busy %d times\n",
	       v2 ? 2 : 1, dying_size >> 20, times);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	unlink(out);
	rmdir(dir);
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

/* One test case per test, named after it: CK_RUN_CASE=NAME runs one
 * (scripts/mutants.sh does, for each deliberately broken defence). */
#define ADD(s, test)                                                                               \
	do {                                                                                       \
		TCase *tc = tcase_create(#test);                                                   \
		tcase_set_timeout(tc, 240);                                                        \
		tcase_add_test(tc, test);                                                          \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

Suite *
suite_reliability(void)
{
	Suite *s = suite_create("reliability");

	ADD(s, badinput_refused_before_anything_exists);
	ADD(s, fault_sigkill_at_each_stage);
	ADD(s, fault_sigkill_between_cgroup_and_record);
	ADD(s, fault_subtree_control_given_back);
	ADD(s, fault_cleanup_spares_live_containers);
	ADD(s, fault_oom_at_start);
	ADD(s, fault_busy_cgroup_at_teardown);
	ADD(s, fault_intruder_in_cgroup_at_teardown);
	ADD(s, fault_busy_subcgroup_at_teardown);
	ADD(s, fault_dying_process_at_teardown);
	ADD(s, rootless_run_as_nobody);
	ADD(s, hardening_cve_2024_21626_leaked_fd_workdir);
	ADD(s, hardening_cve_2024_21626_no_host_fd_inside);
	ADD(s, hardening_cve_2024_21626_no_close_range_fds);
	ADD(s, hardening_cve_2024_21626_no_close_range_workdir);
	ADD(s, hardening_cve_2019_5736_proc_exe);
	ADD(s, hardening_mount_propagation_leak);
	ADD(s, hardening_cve_2019_19921_symlinked_proc);
	ADD(s, hardening_masked_paths_bypass);
	ADD(s, sigterm_then_sigkill_after_grace);
	return s;
}
