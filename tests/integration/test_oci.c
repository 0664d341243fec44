/*
 * test_oci.c - nutshell as an OCI runtime (05-full-container/oci*.c),
 * driven as an engine drives runc: create, start, state, kill, delete on a
 * bundle this test makes (a busybox root and a config.json), with a --root
 * of its own. Running containers (exec, the console socket, pause, ps,
 * update, the cgroup namespace inside and out): test_oci_running.c; the engines: test_oci_podman.c and its
 * neighbours.
 *
 * The test process is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER),
 * as conmon and the containerd shim are: create leaves no nutshell behind,
 * so the container's init becomes our child and we take its exit status.
 */
#include "../suites.h"
#include "hostcheck.h"
#include "oci_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char oci_dir[64], oci_bin[4096];

/* Runs the shell command FMT; its exit status; its output (stdout and
 * stderr) into out when not NULL. */
int
oci_sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out ? out : cmd, 1, out ? size - 1 : sizeof(cmd) - 1, p);
	if (out)
		out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A bundle in DIR/bundle whose process runs ARGS (a JSON array). */
void
oci_write_config(const char *args, const char *extra)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":%s," PROCESS_REST "},"
		"\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"oci-test\","
		"\"annotations\":{\"org.nutshell.trace\":\"%s/trace.json\"},"
		"\"mounts\":" MOUNTS ",\"linux\":" LINUX "%s}",
		args, oci_dir, extra ? extra : "");
	fclose(f);
}

/* The test's directory and bundle, made and removed in the runner's own
 * process (an unchecked fixture, once for each test's case): a failed
 * assertion ends the test's process before a checked teardown could run,
 * and the directory, with what the containers left, would stay. */
static void
oci_make_dir(void)
{
	const char *root = getenv("NUTSHELL_ROOT");

	snprintf(oci_dir, sizeof(oci_dir), "/tmp/nutshell-oci.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(oci_dir));
	char rel[512];
	snprintf(rel, sizeof(rel), "%s/05-full-container/nutshell", root ? root : ".");
	ck_assert_ptr_nonnull(realpath(rel, oci_bin));
	ck_assert_int_eq(oci_sh(NULL, 0,
				"set -e; mkdir -p %s/bundle/rootfs/bin; cp /bin/busybox "
				"%s/bundle/rootfs/bin/; for c in sh echo sleep cat hostname; do "
				"ln -s busybox %s/bundle/rootfs/bin/$c; done",
				oci_dir, oci_dir, oci_dir),
			 0);
}

static void
oci_setup(void)
{
	oci_write_config("[\"sh\",\"-c\",\"echo hi from $(hostname)\"]", NULL);
	/* We reap the containers' init, as conmon does. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

static void
oci_teardown(void)
{
	/* A failed test's containers: killed and removed as an engine would. */
	oci_sh(NULL, 0,
	       "for id in $(ls %s/root 2>/dev/null); do %s --root %s/root delete --force $id; done "
	       ">/dev/null 2>&1; rm -rf %s",
	       oci_dir, oci_bin, oci_dir, oci_dir);
}

/* `nutshell --root DIR/root ARGS`, its output into out. */
int
oci_run(char *out, size_t size, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	/* Into a file of its own, not a pipe: init inherits create's
	 * standard output and holds it until the container ends. */
	static int calls;
	char file[128];
	snprintf(file, sizeof(file), "%s/call%d", oci_dir, calls++);
	int status = oci_sh(NULL, 0, "cd %s && %s --root %s/root >%s 2>&1 %s", oci_dir, oci_bin,
			    oci_dir, file, args);
	read_text_file(file, out, size);
	return status;
}

/* The state JSON of ID, parsed; asserts status and id. */
json_t *
oci_state_is(const char *id, const char *status)
{
	char out[4096];
	json_error_t e;

	ck_assert_int_eq(OCI(out, "state %s", id), 0);
	json_t *s = json_loads(out, 0, &e);
	ck_assert_msg(s != NULL, "state is not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(s, "status")), status);
	ck_assert_str_eq(json_string_value(json_object_get(s, "id")), id);
	ck_assert_str_eq(json_string_value(json_object_get(s, "ociVersion")), "1.0.2");
	return s;
}

/* Nothing of ID left: its state directory, its cgroup. */
void
oci_expect_gone(const char *id)
{
	char path[128], out[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/root/%s", oci_dir, id);
	ck_assert_msg(lstat(path, &st) == -1 && errno == ENOENT, "%s left", path);
	oci_sh(out, sizeof(out), "find /sys/fs/cgroup -maxdepth 6 -type d -name '%s' 2>/dev/null",
	       id);
	ck_assert_msg(!out[0], "cgroup left: %s", out);
}

/* A running container for the exec tests: sleep as its init; its pid. */
pid_t
oci_start_sleeper(const char *id)
{
	char out[4096], path[128], pid_text[32];

	oci_write_config("[\"sleep\",\"100\"]", NULL);
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid %s", oci_dir, id), 0);
	ck_assert_int_eq(OCI(out, "start %s", id), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	return atoi(read_text_file(path, pid_text, sizeof(pid_text)));
}

/* Its end, reaped, and nothing of it left. */
void
oci_end_sleeper(const char *id, pid_t pid)
{
	char out[4096];

	ck_assert_int_eq(OCI(out, "kill %s KILL", id), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(OCI(out, "delete %s", id), 0);
	oci_expect_gone(id);
}

START_TEST(oci_lifecycle)
{
	char out[4096], path[128], pid_text[32];
	int status;

	oci_write_config("[\"sh\",\"-c\",\"echo hi from $(hostname); exit 3\"]", NULL);
	ck_assert_int_eq(
	    OCI(out, "create --bundle bundle --pid-file %s/pid c1 >%s/out", oci_dir, oci_dir), 0);
	/* The pid file and the state agree; init waits before the command. */
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(pid, 1);
	json_t *s = oci_state_is("c1", "created");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "pid")), pid);
	ck_assert_str_eq(json_string_value(json_object_get(s, "bundle")) + strlen(oci_dir),
			 "/bundle");
	ck_assert_ptr_nonnull(
	    json_object_get(json_object_get(s, "annotations"), "org.nutshell.trace"));
	json_decref(s);
	snprintf(path, sizeof(path), "%s/out", oci_dir);
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), "");
	/* A second create of the same id is refused, and leaves the first. */
	ck_assert_int_eq(OCI(out, "create --bundle bundle c1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "container c1 already exists"));
	/* start: the command runs; we reap it, with its status. */
	ck_assert_int_eq(OCI(out, "start c1"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status 0x%x", status);
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), "hi from oci-test\n");
	json_decref(oci_state_is("c1", "stopped"));
	/* A second start, a kill of a stopped container: one line each. */
	ck_assert_int_eq(OCI(out, "start c1"), 1);
	ck_assert_str_eq(out, "nutshell: cannot start a container that is stopped\n");
	ck_assert_int_eq(OCI(out, "kill c1 9"), 1);
	ck_assert_str_eq(out, "nutshell: container not running\n");
	ck_assert_int_eq(OCI(out, "delete c1"), 0);
	oci_expect_gone("c1");
	ck_assert_int_eq(OCI(out, "state c1"), 1);
	ck_assert_str_eq(out, "nutshell: container c1 does not exist\n");
	/* containerd's second delete is --force: of a container that does
	 * not exist it succeeds, silently (runc delete.go). */
	ck_assert_int_eq(OCI(out, "delete --force c1"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(OCI(out, "delete c1"), 1);
	ck_assert_str_eq(out, "nutshell: container c1 does not exist\n");
	/* What a create killed half-way leaves (a directory without
	 * state.json) is removed by delete --force. */
	snprintf(path, sizeof(path), "%s/root/c2", oci_dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(OCI(out, "delete --force c2"), 0);
	oci_expect_gone("c2");
}
END_TEST

START_TEST(oci_kill_and_delete)
{
	char out[4096], path[128], pid_text[32];
	int status;

	oci_write_config("[\"sleep\",\"100\"]", NULL);
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid k1", oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start k1"), 0);
	json_decref(oci_state_is("k1", "running"));
	/* A running container is not deleted without --force. */
	ck_assert_int_eq(OCI(out, "delete k1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "not stopped"));
	ck_assert_int_eq(OCI(out, "kill k1 BOGUS"), 1);
	ck_assert_ptr_nonnull(strstr(out, "signal 'BOGUS'"));
	/* Names and numbers; KILL ends pid 1 of its namespace. */
	ck_assert_int_eq(OCI(out, "kill --all k1 KILL"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(OCI(out, "delete k1"), 0);
	oci_expect_gone("k1");

	/* delete of a created container kills its init (runc delete.go). */
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid k2", oci_dir), 0);
	pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "delete k2"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	oci_expect_gone("k2");
}
END_TEST

/* What the engine asked for is in the trace a learner reads. */
START_TEST(oci_trace)
{
	char out[4096], path[128], pid_text[32];
	struct run r = {0};

	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid t1", oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start t1"), 0);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(OCI(out, "delete t1"), 0);
	snprintf(path, sizeof(path), "%s/trace.json", oci_dir);
	ck_assert_int_eq(oci_sh(out, sizeof(out), "grep -c '\"ev\"' %s", path), 0);
	/* Each a call the engine's config.json asked for. */
	const char *calls[] = {"sethostname", "pivot_root", "prlimit64",
			       "setresuid",   "mknodat",    "unlinkat"};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		ck_assert_int_eq(
		    oci_sh(out, sizeof(out), "grep -c '\"name\":\"%s\"' %s", calls[i], path), 0);
	}
	ck_assert_int_eq(oci_sh(out, sizeof(out), "grep -c 'oci-test' %s", path), 0);
	run_free(&r);
}
END_TEST

/* Bad input: exit 1, one line naming the value, nothing left behind. */
START_TEST(oci_bad_input)
{
	static const struct {
		const char *args, *extra, *expected;
	} cases[] = {
	    {"[\"nosuchcmd\"]", NULL, "exec: \"nosuchcmd\": executable file not found in $PATH"},
	    {"[\"/proc\"]", NULL, "exec: \"/proc\": permission denied"},
	    {"[\"echo\"]", ",\"hooks\":{\"createContainer\":[{\"path\":\"/bin/true\"}]}",
	     "hooks.createContainer: not supported by nutshell"},
	    {"[\"echo\"]", ",\"hooks\":{\"prestart\":[{\"path\":\"/bin/false\"}]}",
	     "hooks.prestart[0] /bin/false: exited with 1"},
	    {"[\"echo\"]", ",\"hooks\":{\"poststop\":[{\"path\":\"true\"}]}",
	     "hooks.poststop[0].path 'true': expected an absolute path"},
	    {"[\"true\"]", ",\"process\":1", "config.json:1:"},
	    {"[]", NULL, "process.args: expected at least one argument"},
	};
	/* Values inside config.json's sections: a sed(1) edit of the test's
	 * config, and the words of the one line it gets. */
	static const struct {
		const char *edit, *expected;
	} edits[] = {
	    /* an unknown value */
	    {"s/\"type\":\"ipc\"/\"type\":\"bogus\"/",
	     "linux.namespaces[2].type 'bogus': expected pid, network"},
	    {"s/\"bounding\":\\[\"CAP_KILL\"/\"bounding\":[\"CAP_BOGUS\"/",
	     "process.capabilities.bounding[0]"},
	    {"s/RLIMIT_NOFILE/RLIMIT_BOGUS/", "RLIMIT_BOGUS"},
	    /* an unsupported feature */
	    {"s/\"maskedPaths\"/\"intelRdt\":{\"closID\":\"x\"},\"maskedPaths\"/",
	     "config.json: linux.intelRdt: not supported by nutshell"},
	    {"s/{\"type\":\"pid\"}/{\"type\":\"user\"},{\"type\":\"pid\"}/",
	     "linux.namespaces: 'user': not supported"},
	};
	char out[4096], path[128];
	struct stat st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		oci_write_config(cases[i].args, cases[i].extra);
		ck_assert_int_eq(
		    OCI(out, "--log %s/log --log-format json create --bundle bundle b1", oci_dir),
		    1);
		ck_assert_msg(strstr(out, cases[i].expected) &&
				  strchr(out, '\n') == strrchr(out, '\n'),
			      "case %zu: %s", i, out);
		oci_expect_gone("b1");
		/* The log holds one JSON object: podman reads the file as one. */
		snprintf(path, sizeof(path), "%s/log", oci_dir);
		json_error_t e;
		json_t *log = json_load_file(path, 0, &e);
		ck_assert_msg(log != NULL, "log: %s", e.text);
		ck_assert_str_eq(json_string_value(json_object_get(log, "level")), "error");
		json_decref(log);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		oci_write_config("[\"echo\"]", NULL);
		snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
		ck_assert_int_eq(oci_sh(NULL, 0, "sed -i '%s' %s", edits[i].edit, path), 0);
		ck_assert_int_eq(OCI(out, "create --bundle bundle b1"), 1);
		ck_assert_msg(strstr(out, edits[i].expected) &&
				  strchr(out, '\n') == strrchr(out, '\n'),
			      "edit %zu: %s", i, out);
		oci_expect_gone("b1");
	}
	ck_assert_int_eq(OCI(out, "create --bundle nosuchdir b1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "bundle 'nosuchdir'"));
	ck_assert_int_eq(OCI(out, "create --bundle bundle ../b1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "container id '../b1'"));
	ck_assert_int_eq(OCI(out, "state nosuch"), 1);
	ck_assert_str_eq(out, "nutshell: container nosuch does not exist\n");
	/* A symlink planted as a container's directory is not one. */
	snprintf(path, sizeof(path), "%s/root/evil", oci_dir);
	ck_assert_int_eq(symlink("/etc", path), 0);
	ck_assert_int_eq(OCI(out, "delete evil"), 1);
	ck_assert_str_eq(out, "nutshell: container evil does not exist\n");
	ck_assert_int_eq(lstat("/etc", &st), 0);
	unlink(path);
	/* Flags an engine passes that nutshell does not use break nothing. */
	ck_assert_int_eq(OCI(out, "--systemd-cgroup --criu /x features"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"ociVersionMax\""));
}
END_TEST

/* CVE-2016-9962 class, at create: init waits on the exec fifo with a host
 * descriptor of it open. Another process of the container (exec into the
 * created container, uid 0 with the same capabilities) must not follow
 * init's /proc/1/fd links or open /proc/1/exe: init is not dumpable until
 * its execve(2) (proc(5): the ptrace access mode check). */
START_TEST(oci_create_not_dumpable)
{
	char out[4096], path[128], pid_text[32];

	oci_write_config("[\"echo\"]", NULL);
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid c1", oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(pid, 1);
	OCI(out, "exec c1 sh -c 'for f in /proc/1/fd/*; do readlink $f; done; "
		 "readlink /proc/1/exe >/dev/null && echo exe open; echo checked'");
	ck_assert_msg(strstr(out, "checked") && !strstr(out, "exec.fifo") &&
			  !strstr(out, "exe open"),
		      "the container reached the waiting init: %s", out);
	ck_assert_int_eq(OCI(out, "delete c1"), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	oci_expect_gone("c1");
}
END_TEST

/* Waits up to 5 s for PID, our child (we are a subreaper), to end. */
static int
reaped(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* `nutshell create ID` stopped at STAGE (NUTSHELL_TEST_PAUSE), SIGKILLed
 * there; then `delete --force ID`, as containerd and podman call it after a
 * create that failed. Nothing may stay: the state directory, the cgroup,
 * init. */
static void
kill_create_at(const char *id, const char *stage)
{
	char root[128], err[128], out[4096], children[64] = "";
	int status;

	snprintf(root, sizeof(root), "%s/root", oci_dir);
	snprintf(err, sizeof(err), "%s/create.err", oci_dir);
	pid_t create = fork();
	ck_assert_int_ne(create, -1);
	if (create == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd == -1 || null == -1 || dup2(null, 0) == -1 || dup2(fd, 1) == -1 ||
		    dup2(fd, 2) == -1 || chdir(oci_dir) == -1)
			_exit(126);
		setenv("NUTSHELL_TEST_PAUSE", stage, 1);
		execl(oci_bin, oci_bin, "--root", root, "create", "--bundle", "bundle", id,
		      (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(create, &status, WUNTRACED), create);
	ck_assert_msg(WIFSTOPPED(status), "create did not stop at %s (status 0x%x): %s", stage,
		      status, read_text_file(err, out, sizeof(out)));
	/* init, if cloned yet: create's one child. */
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)create, (int)create);
	read_text_file(path, children, sizeof(children));
	pid_t init = atoi(children);
	kill(create, SIGKILL);
	ck_assert_int_eq(waitpid(create, NULL, 0), create);
	/* Killed before it said "go": init, now our child, ends by itself. */
	if (init > 0 && strcmp(stage, "oci-ready") != 0 && !reaped(init)) {
		kill(init, SIGKILL);
		waitpid(init, NULL, 0);
		ck_abort_msg("%s: init %d still waiting after create was killed", stage, (int)init);
	}
	int rc = OCI(out, "delete --force %s", id);
	ck_assert_msg(rc == 0, "%s: delete --force exit %d: %s", stage, rc, out);
	if (init > 0 && strcmp(stage, "oci-ready") == 0 && !reaped(init)) {
		kill(init, SIGKILL);
		waitpid(init, NULL, 0);
		ck_abort_msg("%s: init %d still there after delete --force", stage, (int)init);
	}
	oci_expect_gone(id);
}

/* create killed at each stage after its state directory exists: the cgroup
 * is recorded there before it is made, and init cannot outlive a create
 * that never let it go. */
START_TEST(oci_create_killed)
{
	const char *stages[] = {"oci-cgroup-planned", "oci-cgroup-made", "oci-cloned", "oci-ready"};

	struct snapshot before, after;
	char diff[4096];

	oci_write_config("[\"echo\"]", NULL);
	ck_assert_int_eq(hostcheck_snapshot(&before), 0);
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		kill_create_at("killed1", stages[i]);
	/* And the host as it was: cgroups (their controllers too), mounts. */
	ck_assert_int_eq(hostcheck_snapshot(&after), 0);
	ck_assert_msg(hostcheck_diff(&before, &after, diff, sizeof(diff)) == 0,
		      "left on the host:\n%s", diff);
	hostcheck_free(&before);
	hostcheck_free(&after);
}
END_TEST

/* hooks: the engine's programs at create, start and delete, each with
 * the state JSON on its standard input (docker always adds a prestart). */
START_TEST(oci_hooks)
{
	char out[4096], path[128], pid_text[32], hooks[1024], text[4096];

	snprintf(hooks, sizeof(hooks),
		 ",\"hooks\":{\"prestart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\","
		 "\"cat >%s/prestart.json\"],\"timeout\":10}],"
		 "\"poststart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\","
		 "\"cat >%s/poststart.json\"]}],"
		 "\"poststop\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\","
		 "\"cat >%s/poststop.json; echo $GREETING >%s/env\"],"
		 "\"env\":[\"GREETING=from-the-hook\"]}]}",
		 oci_dir, oci_dir, oci_dir, oci_dir);
	oci_write_config("[\"echo\"]", hooks);
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid h1", oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	/* prestart ran in create, with init's pid in the state. */
	snprintf(path, sizeof(path), "%s/prestart.json", oci_dir);
	json_t *st = json_loads(read_text_file(path, text, sizeof(text)), 0, NULL);
	ck_assert_msg(st != NULL, "prestart's input: '%s'", text);
	ck_assert_str_eq(json_string_value(json_object_get(st, "id")), "h1");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "pid")), pid);
	json_decref(st);
	ck_assert_int_eq(OCI(out, "start h1"), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	snprintf(path, sizeof(path), "%s/poststart.json", oci_dir);
	ck_assert_ptr_nonnull(strstr(read_text_file(path, text, sizeof(text)), "\"running\""));
	ck_assert_int_eq(OCI(out, "delete h1"), 0);
	oci_expect_gone("h1");
	snprintf(path, sizeof(path), "%s/poststop.json", oci_dir);
	ck_assert_ptr_nonnull(strstr(read_text_file(path, text, sizeof(text)), "\"stopped\""));
	snprintf(path, sizeof(path), "%s/env", oci_dir);
	ck_assert_str_eq(read_text_file(path, text, sizeof(text)), "from-the-hook\n");
}
END_TEST

/* A bind's options from config.json kept (noexec, noatime, ro), with the
 * nodev and nosuid nutshell always adds. */
START_TEST(oci_bind_options)
{
	char out[4096], path[128], pid_text[32], text[8192];

	oci_write_config("[\"cat\",\"/proc/self/mountinfo\"]", NULL);
	snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
	ck_assert_int_eq(
	    oci_sh(NULL, 0,
		   "mkdir -p %s/data && sed -i 's|\"mounts\":\\[|\"mounts\":[{"
		   "\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"%s/data\","
		   "\"options\":[\"rbind\",\"noexec\",\"noatime\",\"ro\"]},|' %s",
		   oci_dir, oci_dir, path),
	    0);
	ck_assert_int_eq(
	    OCI(out, "create --bundle bundle --pid-file %s/pid b1 >%s/mounts", oci_dir, oci_dir),
	    0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start b1"), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	snprintf(path, sizeof(path), "%s/mounts", oci_dir);
	char *line = strstr(read_text_file(path, text, sizeof(text)), " /data ");
	ck_assert_msg(line, "no /data in: %s", text);
	line[strcspn(line, "\n")] = '\0';
	const char *want[] = {"ro,", "nosuid", "nodev", "noexec", "noatime"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(line, want[i]), "%s missing: %s", want[i], line);
	ck_assert_int_eq(OCI(out, "delete b1"), 0);
	oci_expect_gone("b1");
}
END_TEST

/* linux.sysctl is written before readonlyPaths makes /proc/sys read-only
 * (runc's order): docker asks for net.ipv4.ip_unprivileged_port_start on
 * every container, and got EROFS when nutshell wrote it after. The value
 * is the container's own (its network namespace), and /proc/sys is
 * read-only to the process after. */
START_TEST(oci_sysctl)
{
	char out[4096], path[128], pid_text[32], host[64], text[4096];

	oci_write_config("[\"sh\",\"-c\",\"cat /proc/sys/net/ipv4/ip_unprivileged_port_start; "
			 "echo 1 >/proc/sys/net/ipv4/ip_unprivileged_port_start || echo "
			 "read-only\"]",
			 NULL);
	snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
	ck_assert_int_eq(oci_sh(NULL, 0,
				"sed -i 's|\"maskedPaths\"|\"sysctl\":{\"net.ipv4.ip_unprivileged_"
				"port_start\":\"0\"},\"maskedPaths\"|' %s",
				path),
			 0);
	read_text_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", host, sizeof(host));
	ck_assert_int_eq(
	    OCI(out, "create --bundle bundle --pid-file %s/pid s1 >%s/out 2>&1", oci_dir, oci_dir),
	    0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start s1"), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	snprintf(path, sizeof(path), "%s/out", oci_dir);
	read_text_file(path, text, sizeof(text));
	ck_assert_msg(strncmp(text, "0\n", 2) == 0 && strstr(text, "Read-only file system") &&
			  strstr(text, "read-only\n"),
		      "the container saw: %s", text);
	/* The host's own value is untouched. */
	ck_assert_str_eq(
	    read_text_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", out, sizeof(out)),
	    host);
	ck_assert_int_eq(OCI(out, "delete s1"), 0);
	oci_expect_gone("s1");
}
END_TEST

/* A net.* sysctl for a container in the host's network namespace (none
 * made or joined) would set the host's own: refused before anything is
 * made (runc's validator: "not allowed in host network namespace"). The
 * value asked for is the host's current one, so that a nutshell without
 * the check changes nothing here either: it only fails the exit status. */
START_TEST(oci_sysctl_host_network)
{
	char out[4096], path[128], host[64];

	read_text_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", host, sizeof(host));
	host[strcspn(host, "\n")] = '\0';
	oci_write_config("[\"echo\"]", NULL);
	snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
	ck_assert_int_eq(
	    oci_sh(NULL, 0,
		   "sed -i 's|{\"type\":\"network\"},||; s|\"maskedPaths\"|\"sysctl\":{"
		   "\"net.ipv4.ip_unprivileged_port_start\":\"%s\"},\"maskedPaths\"|' %s",
		   host, path),
	    0);
	ck_assert_int_eq(OCI(out, "create --bundle bundle n1"), 1);
	ck_assert_str_eq(out, "nutshell: config.json: linux.sysctl "
			      "'net.ipv4.ip_unprivileged_port_start': expected a network namespace "
			      "of the container's own (this one is the host's)\n");
	oci_expect_gone("n1");
	/* Joining the host's own by its path (ours) is the same. */
	ck_assert_int_eq(
	    oci_sh(NULL, 0,
		   "sed -i 's|{\"type\":\"pid\"}|{\"type\":\"network\",\"path\":\"/proc/"
		   "%d/ns/net\"},{\"type\":\"pid\"}|' %s",
		   (int)getpid(), path),
	    0);
	ck_assert_int_eq(OCI(out, "create --bundle bundle n1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "(this one is the host's)"));
	oci_expect_gone("n1");
}
END_TEST

void
oci_add_case(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, oci_make_dir, oci_teardown);
	tcase_add_checked_fixture(tc, oci_setup, NULL);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *
suite_oci(void)
{
	Suite *s = suite_create("oci");

	oci_add_case(s, "oci_lifecycle", oci_lifecycle);
	oci_add_case(s, "oci_kill_and_delete", oci_kill_and_delete);
	oci_add_case(s, "oci_trace", oci_trace);
	oci_add_case(s, "oci_bad_input", oci_bad_input);
	oci_add_case(s, "oci_create_not_dumpable", oci_create_not_dumpable);
	oci_add_case(s, "oci_create_killed", oci_create_killed);
	oci_add_case(s, "oci_hooks", oci_hooks);
	oci_add_case(s, "oci_bind_options", oci_bind_options);
	oci_add_case(s, "oci_sysctl", oci_sysctl);
	oci_add_case(s, "oci_sysctl_host_network", oci_sysctl_host_network);
	oci_add_running_cases(s);
	return s;
}
