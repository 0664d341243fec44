/*
 * test_oci_containerd.c - containerd with nutshell as its OCI runtime
 * (issue 16): `ctr run --runtime io.containerd.runc.v2 --runc-binary
 * .../nutshell`, which has containerd start its runc-v2 shim, and the shim
 * call nutshell create (with --pid-file, and --console-socket for -t),
 * start, state, kill, exec and delete, as it calls runc.
 *
 * containerd is started by this test as its own: root, state, its gRPC,
 * ttrpc and debug sockets in a directory of the test, the CRI plugin off
 * (no CNI, no pause image), and stopped by its pid at the end. The image
 * is the default image's OCI layout (make image-oci) in a tarball made
 * here, imported with `ctr images import`: no registry is reached.
 * Afterwards nothing is left: the shims (found by the test's own socket
 * path on their command line, so only ours), the snapshots' mounts under
 * the test's directory, /run/containerd (where the 1.6 shim puts its
 * sockets and fifos whatever the config says) and /run/nutshell when they
 * were not there before.
 */
#include "../suites.h"
#include "engine.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS "nutshell-test"

static struct engine eng;
static char *const dir = eng.dir, *const nutshell = eng.nutshell;

#define sh(...) engine_sh(&eng, __VA_ARGS__)

/* ctr on the test's containerd, in the test's namespace; FMT: its
 * arguments. */
static int ctr(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
ctr(char *out, size_t size, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return sh(out, size, "timeout 120 ctr --address %s/containerd.sock --namespace " NS " %s",
		  dir, args);
}

static void
setup(void)
{
	static const char *const binaries[] = {"/usr/bin/containerd", "/usr/bin/ctr", NULL};
	/* The 1.6 shim puts its sockets and fifos in /run/containerd whatever
	 * the config says; /run/nutshell is the runtime's default root. */
	static const struct engine_path paths[] = {
	    {"/run/containerd", 0}, {"/run/nutshell", 1}, {NULL, 0}};
	const char *root = getenv("NUTSHELL_ROOT");
	char out[4096], path[128], config[160];
	FILE *f;

	if (!engine_begin(&eng, "containerd", binaries, paths))
		return;
	/* containerd's whole config: every path the test's own. */
	snprintf(path, sizeof(path), "%s/config.toml", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f,
		"version = 2\nroot = \"%s/root\"\nstate = \"%s/state\"\n"
		"disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
		"[grpc]\n  address = \"%s/containerd.sock\"\n"
		"[ttrpc]\n  address = \"%s/containerd.sock.ttrpc\"\n"
		"[debug]\n  address = \"%s/debug.sock\"\n",
		dir, dir, dir, dir, dir);
	fclose(f);
	/* Ready once ctr gets an answer (containerd takes about 0.2 s). */
	snprintf(config, sizeof(config), "%s/config.toml", dir);
	char *const argv[] = {"/usr/bin/containerd", "--config", config, NULL};
	char ready[200];
	snprintf(ready, sizeof(ready), "ctr --address %s/containerd.sock version", dir);
	engine_start(&eng, "containerd.log", argv, NULL, ready, 100);
	/* The image: the default image's OCI layout, as a tarball. */
	ck_assert_msg(sh(out, sizeof(out), "tar -C %s/images/busybox-oci -cf %s/bb.tar .",
			 root ? root : ".", dir) == 0,
		      "tar: %s", out);
	ck_assert_msg(ctr(out, sizeof(out), "images import %s/bb.tar", dir) == 0,
		      "ctr images import: %s", out);
}

static void
teardown(void)
{
	char out[4096];

	if (!dir[0])
		return;
	/* Our containers first, while containerd still answers. */
	ctr(out, sizeof(out),
	    "tasks kill -s KILL c-detached; sleep 1; ctr --address "
	    "%s/containerd.sock -n " NS " tasks delete c-detached; ctr --address "
	    "%s/containerd.sock -n " NS " containers delete c-detached",
	    dir, dir);
	engine_end(&eng, "containerd-shim");
}

/* ctr run --rm with nutshell as the shim's runc; ARGS after the image. */
#define RUN(out, id, opts, args)                                                                   \
	ctr(out, sizeof(out),                                                                      \
	    "run --rm --runtime io.containerd.runc.v2 --runc-binary %s " opts                      \
	    " busybox:latest %s " args,                                                            \
	    nutshell, id)

START_TEST(containerd_runs_a_container)
{
	char out[8192], path[128];

	if (!dir[0])
		TEST_SKIP("no containerd here (make engine-deps installs it)");
	/* A line from the container, through the shim, on ctr's output;
	 * with containerd's default seccomp profile (--seccomp). */
	snprintf(path, sizeof(path), "%s/trace.json", dir);
	char opt[200];
	snprintf(opt, sizeof(opt), "--annotation org.nutshell.trace=%s", path);
	int rc = ctr(out, sizeof(out),
		     "run --rm --seccomp --runtime io.containerd.runc.v2 --runc-binary %s %s "
		     "busybox:latest "
		     "c-echo echo hi from containerd",
		     nutshell, opt);
	ck_assert_msg(rc == 0 && strcmp(out, "hi from containerd\n") == 0, "exit %d: %s", rc, out);
	/* The container's exit status, and the runtime's "not found". */
	rc = RUN(out, "c-exit", "", "sh -c 'exit 3'");
	ck_assert_msg(rc == 3, "exit %d: %s", rc, out);
	rc = RUN(out, "c-nosuch", "", "nosuchcmd");
	ck_assert_msg(rc != 0 && strstr(out, "executable file not found in $PATH"), "exit %d: %s",
		      rc, out);
	/* What containerd's config.json asked for, in nutshell's trace: the
	 * shim's rootfs (already its overlay) entered with pivot_root, the
	 * filter loaded, and the exec fifo the shim's `start` opened. */
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c '\"name\":\"pivot_root\"' %s", path), 0);
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c '\"name\":\"seccomp\"' %s", path), 0);
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c 'exec.fifo' %s", path), 0);
	ck_assert_msg(sh(out, sizeof(out), "grep -o 'create c-echo: bundle [^,]*' %s", path) == 0 &&
			  strstr(out, "/state/io.containerd.runtime.v2.task/" NS "/c-echo"),
		      "no create of the shim's bundle in the trace: %s", out);
}
END_TEST

START_TEST(containerd_terminal)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no containerd here (make engine-deps installs it)");
	/* -t: the shim listens on a console socket, nutshell's init sends it
	 * the master of a pty of the container's own devpts (SCM_RIGHTS), and
	 * ctr relays it to its terminal - script(1)'s here. */
	int rc = sh(out, sizeof(out),
		    "timeout 60 script -qec \"ctr --address %s/containerd.sock --namespace " NS
		    " run --rm -t --runc-binary %s busybox:latest c-tty sh -c 'tty; exit 4'\" "
		    "/dev/null </dev/null",
		    dir, nutshell);
	ck_assert_msg(rc == 4 && strstr(out, "/dev/pts/0"), "exit %d: %s", rc, out);
}
END_TEST

START_TEST(containerd_detached_limit_kill)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no containerd here (make engine-deps installs it)");
	int rc = ctr(out, sizeof(out),
		     "run -d --runc-binary %s --memory-limit 67108864 busybox:latest c-detached "
		     "sleep 300",
		     nutshell);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	/* The limit in the container's cgroup, where containerd's
	 * linux.cgroupsPath /NAMESPACE/ID put it (v1 memory.limit_in_bytes, or
	 * v2 memory.max). */
	engine_cgroup_file(&eng, "c-detached", "memory.max", "memory.limit_in_bytes", out,
			   sizeof(out));
	ck_assert_msg(strcmp(out, "67108864\n") == 0, "memory limit: '%s'", out);
	/* The task is running, as nutshell's state told the shim. */
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks ls"), 0);
	ck_assert_msg(strstr(out, "c-detached") && strstr(out, "RUNNING"), "tasks ls: %s", out);
	/* ctr task exec: the shim calls nutshell exec --process F --detach
	 * --pid-file P; the process is in the container's pid namespace. */
	rc = ctr(out, sizeof(out),
		 "tasks exec --exec-id e1 c-detached sh -c 'echo exec in pid $$; exit 2'");
	ck_assert_msg(rc == 2 && strstr(out, "exec in pid ") && !strstr(out, "pid 1\n"),
		      "exit %d: %s", rc, out);
	/* ctr task ps: the shim's nutshell ps --format json; pause and
	 * resume: lesson 02's freezer, and the task's status says so. */
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks ps c-detached"), 0);
	ck_assert_msg(strstr(out, "PID") && strchr(out, '\n') != strrchr(out, '\n'), "tasks ps: %s",
		      out);
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks pause c-detached"), 0);
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks ls"), 0);
	ck_assert_msg(strstr(out, "PAUSED"), "tasks ls after pause: %s", out);
	engine_expect_frozen(&eng, "c-detached");
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks resume c-detached"), 0);
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks ls"), 0);
	ck_assert_msg(strstr(out, "RUNNING"), "tasks ls after resume: %s", out);
	/* ctr task kill: nutshell kill ID 9, the shim reaps init, 137. */
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks kill -s KILL c-detached"), 0);
	for (int i = 0; i < 100; i++) {
		ctr(out, sizeof(out), "tasks ls");
		if (strstr(out, "STOPPED"))
			break;
		usleep(100000);
	}
	ck_assert_msg(strstr(out, "STOPPED"), "tasks ls after kill: %s", out);
	ck_assert_int_eq(ctr(out, sizeof(out), "tasks delete c-detached"), 0);
	ck_assert_int_eq(ctr(out, sizeof(out), "containers delete c-detached"), 0);
	/* Every container gone: no state of nutshell's, no cgroup, and not
	 * the parent /NAMESPACE nutshell made for them. */
	engine_expect_nothing_left(&eng, NS, "/run/containerd/runc/" NS);
}
END_TEST

/* The default image's inspect under containerd (ctr run), row by row
 * against `nutshell run -- inspect`: the same isolation, except what
 * containerd asked for. */
START_TEST(containerd_inspect)
{
	static char out[16384];
	char host[256];

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	const struct engine_inspect_diff containerd_diffs[] = {
	    {"hostname", host,
	     "ctr's config.json has no hostname: the new UTS namespace keeps its copy of the "
	     "host's"},
	    {"seccomp", "0",
	     "ctr run asks for no filter without --seccomp (containerd_runs_a_container gives it)"},
	    {"seccomp_filters", "0", "the same: no filter"},
	    {"mounts", "18",
	     "containerd's default spec: /run a tmpfs, /dev/mqueue, its /dev/pts and /dev/shm over "
	     "those of nutshell's small /dev; no cgroup mounts, no /proc/interrupts mask (19 - 5 + "
	     "4)"},
	    {"memory_max", "(not visible)",
	     "containerd's default spec asks for no cgroup mount (oci/spec.go), so no "
	     "/sys/fs/cgroup in the container"},
	    {"pids_max", "(not visible)", "the same: no /sys/fs/cgroup in the container"},
	    {"device_allow_list", "not visible*", "the same: no /sys/fs/cgroup in the container"},
	    {"interfaces", "lo:down",
	     "ctr run makes a bare network namespace (no CNI) and leaves lo down; nutshell run "
	     "brings it up"},
	    ENGINE_INSPECT_COMMON("containerd"),
	    {NULL, NULL, NULL},
	};

	if (!dir[0])
		TEST_SKIP("no containerd here (make engine-deps installs it)");
	int rc = RUN(out, "c-inspect", "", "inspect 2>/dev/null");
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	engine_expect_inspect(&eng, "containerd", out, containerd_diffs);
}
END_TEST

Suite *
suite_oci_containerd(void)
{
	Suite *s = suite_create("oci-containerd");
	TCase *tc = tcase_create("containerd");

	tcase_set_timeout(tc, 300);
	/* In the runner: a failed assertion ends the test's process, and a
	 * checked teardown would not run. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, containerd_runs_a_container);
	tcase_add_test(tc, containerd_terminal);
	tcase_add_test(tc, containerd_detached_limit_kill);
	tcase_add_test(tc, containerd_inspect);
	suite_add_tcase(s, tc);
	return s;
}
