/*
 * oci.c - nutshell's runtime command line: runc's, which is what podman
 * (conmon), containerd (its shim) and docker speak (OCI.md section 1).
 *
 *	nutshell [GLOBAL...] create --bundle DIR [--pid-file F] [--console-socket S] ID
 *	nutshell [GLOBAL...] start ID | state ID | kill [--all] ID [SIGNAL]
 *	nutshell [GLOBAL...] delete [--force] ID | list | features
 *	nutshell [GLOBAL...] exec [--process F] [--detach] [--pid-file P]
 *	                          [--console-socket S] ID [COMMAND [ARG...]]
 *	nutshell [GLOBAL...] pause ID | resume ID | ps [--format json] ID
 *	nutshell [GLOBAL...] update [--resources FILE|-] [--memory N] ... ID
 *
 * GLOBAL: --root DIR (default /run/nutshell: podman passes none to its
 * `state`), --log FILE, --log-format text|json, --json FILE (the trace as
 * JSON Lines; also NUTSHELL_JSON, or the annotation org.nutshell.trace a
 * learner gives podman: `podman run --annotation org.nutshell.trace=F`),
 * --debug (the human trace on stderr), --step (that trace, pausing before
 * each call until Enter on the terminal: a learner steps through what an
 * engine asked for). --systemd-cgroup: a slice:prefix:name
 * linux.cgroupsPath is made with cgroupfs where systemd would put it, with
 * one warning line (oci_cgroup.c). A flag an engine passes that nutshell
 * has no use for (--no-pivot, --no-new-keyring, ...) is accepted and noted
 * in the trace, not fatal.
 *
 * Errors: one line on stderr, and with --log one record appended there
 * ({"level":"error","msg":...,"time":...} for json: podman reads the whole
 * file as one JSON value, containerd takes the last line); exit 1.
 */
#include "oci.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const commands[] = {"create", "start",    "state", "kill",  "delete",
				       "list",	 "features", "exec",  "pause", "resume",
				       "ps",	 "update",   "spec",  NULL};

/* Global options that take a value (--root DIR or --root=DIR). */
static int
takes_value(const char *opt)
{
	return strcmp(opt, "--root") == 0 || strcmp(opt, "--log") == 0 ||
	       strcmp(opt, "--log-format") == 0 || strcmp(opt, "--json") == 0 ||
	       strcmp(opt, "--criu") == 0;
}

/* Index of the command in argv, or argc. */
static int
command_index(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
		i += takes_value(argv[i]) && !strchr(argv[i], '=') ? 2 : 1;
	return i;
}

/* `run --bundle DIR` (or -b, --bundle=DIR) among run's leading options:
 * runc's run; any other `run` is the launcher's. Only the leading ones:
 * in `nutshell run ls -b` the -b is COMMAND's. */
static int
is_bundle_run(int argc, char **argv, int i)
{
	if (i >= argc || strcmp(argv[i], "run") != 0)
		return 0;
	for (int k = i + 1; k < argc && argv[k][0] == '-' && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "--bundle") == 0 || strcmp(argv[k], "-b") == 0 ||
		    strncmp(argv[k], "--bundle=", 9) == 0)
			return 1;
	return 0;
}

int
oci_is_command(int argc, char **argv)
{
	int i = command_index(argc, argv);

	for (size_t k = 0; i < argc && commands[k]; k++)
		if (strcmp(argv[i], commands[k]) == 0)
			return 1;
	return is_bundle_run(argc, argv, i);
}

int
oci_enters_container(int argc, char **argv)
{
	int i = command_index(argc, argv);

	return i < argc && (strcmp(argv[i], "create") == 0 || strcmp(argv[i], "exec") == 0 ||
			    is_bundle_run(argc, argv, i));
}

static struct {
	const char *root, *log, *json;
	int log_json, systemd_cgroup;
} g;

/* The failure, printed once (err_print), and appended to --log. */
static int
fail(void)
{
	const char *msg = err_last()->msg[0] ? err_last()->msg : "failed";

	if (g.log) {
		char when[40];
		time_t now = time(NULL);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		FILE *f = fopen(g.log, "ae");
		if (f && g.log_json) {
			json_t *o = json_pack("{s:s, s:s, s:s}", "level", "error", "msg", msg,
					      "time", when);
			char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
			fprintf(f, "%s\n", line ? line : "");
			free(line);
			json_decref(o);
		} else if (f)
			fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
		if (f)
			fclose(f);
	}
	err_print();
	return 1;
}

/* The trace as JSON Lines into PATH (appended: create, start, kill and
 * delete of one container write one file). */
static void
open_trace(const char *path)
{
	if (!path || !*path || trace_cfg.json_fd >= 0)
		return;
	trace_cfg.json_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (trace_cfg.json_fd == -1)
		trace_error("warning: trace file %s: %s", path, strerror(errno));
}

static void
trace_from_state(const struct oci_state *st)
{
	open_trace(json_string_value(json_object_get(st->annotations, "org.nutshell.trace")));
}

/* A command's own options: those in VALUED take a value; every other
 * "-x" is a flag. Fills opt[] by name; returns the index of the first
 * operand. */
static int
parse_opts(int argc, char **argv, int i, struct oci_opt *opts)
{
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		char name[64];
		const char *eq = strchr(argv[i], '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - argv[i]) : 63, argv[i]);
		struct oci_opt *o = opts;
		while (o->name && strcmp(o->name, name) != 0 &&
		       !(o->alias && strcmp(o->alias, name) == 0))
			o++;
		if (!o->name) {
			trace_note("option %s: accepted, not used by nutshell", argv[i]);
			continue;
		}
		if (!o->valued)
			o->value = "1";
		else if (eq)
			o->value = eq + 1;
		else if (i + 1 < argc)
			o->value = argv[++i];
		else
			return err_set(EINVAL, "%s: expected a value", name);
	}
	return i;
}

/* Exactly N operands from I; the first is the id. */
static int
operands(int argc, int i, int min, int max, const char *usage)
{
	if (argc - i < min || argc - i > max)
		return err_set(EINVAL, "usage: nutshell %s", usage);
	return 0;
}

/* create's and run's options (run's --detach after them), then the id:
 * opts[0..3] are --bundle, --pid-file, --console-socket, --preserve-fds.
 * 0, or -1. */
static int
create_opts(int argc, char **argv, int i, struct oci_opt *opts, struct oci_create *c,
	    const char *usage)
{
	if ((i = parse_opts(argc, argv, i, opts)) == -1 || operands(argc, i, 1, 1, usage) == -1)
		return -1;
	c->root = g.root;
	c->id = argv[i];
	c->pid_file = opts[1].value;
	c->console_socket = opts[2].value;
	c->preserve_fds = opts[3].value ? atoi(opts[3].value) : 0;
	if (c->preserve_fds < 0 || c->preserve_fds > 1024)
		return err_set(EINVAL, "--preserve-fds '%s': expected 0..1024", opts[3].value);
	return 0;
}

/* create of C from BUNDLE: 0, or 1 with the error printed (fail). */
static int
create_from(const struct oci_create *c, const char *bundle)
{
	struct oci_state st = {0};
	struct oci_spec spec;
	int rc;

	if (oci_state_path(g.root, c->id, st.dir, sizeof(st.dir)) == -1)
		return fail();
	snprintf(st.id, sizeof(st.id), "%s", c->id);
	if (oci_spec_load(bundle, &spec) == -1) {
		oci_spec_free(&spec);
		return fail();
	}
	int mapped = oci_cgroup_resolve(spec.cgroups_path, c->id, g.systemd_cgroup,
					spec.cgroup_path, sizeof(spec.cgroup_path));
	if (mapped == -1) {
		oci_spec_free(&spec);
		return fail();
	}
	open_trace(json_string_value(json_object_get(spec.annotations, "org.nutshell.trace")));
	trace_note("create %s: bundle %s, root %s", c->id, spec.bundle, spec.rootfs);
	/* The one line that says what --systemd-cgroup did not do. */
	if (mapped)
		fprintf(stderr,
			"nutshell: warning: --systemd-cgroup: no D-Bus client, so no systemd "
			"scope: linux.cgroupsPath '%s' made with cgroupfs as %s\n",
			spec.cgroups_path ? spec.cgroups_path : "", spec.cgroup_path);
	rc = oci_create(c, &spec, &st);
	oci_spec_free(&spec);
	return rc == -1 ? fail() : 0;
}

static int
cmd_create(int argc, char **argv, int i)
{
	struct oci_opt opts[] = {{"--bundle", "-b", 1, NULL},
				 {"--pid-file", NULL, 1, NULL},
				 {"--console-socket", NULL, 1, NULL},
				 {"--preserve-fds", NULL, 1, NULL},
				 {NULL, NULL, 0, NULL}};
	struct oci_create c;

	if (create_opts(argc, argv, i, opts, &c, "create --bundle DIR [--pid-file FILE] ID") == -1)
		return fail();
	return create_from(&c, opts[0].value ? opts[0].value : ".");
}

/* exec --process F (what engines give: the runtime-spec "process" object)
 * or the short form exec ID COMMAND [ARG...] (the container's own process
 * with COMMAND instead of its args). */
static int
cmd_exec(int argc, char **argv, int i)
{
	struct oci_opt opts[] = {{"--process", "-p", 1, NULL},
				 {"--pid-file", NULL, 1, NULL},
				 {"--console-socket", NULL, 1, NULL},
				 {"--detach", "-d", 0, NULL},
				 {"--preserve-fds", NULL, 1, NULL},
				 {"--tty", "-t", 0, NULL},
				 {NULL, NULL, 0, NULL}};
	struct oci_exec e = {.root = g.root};
	struct oci_state st;
	struct oci_spec spec;
	int rc = -1;

	if ((i = parse_opts(argc, argv, i, opts)) == -1 ||
	    operands(argc, i, opts[0].value ? 1 : 2, opts[0].value ? 1 : argc,
		     "exec [--process FILE] [--detach] [--pid-file FILE] ID [COMMAND [ARG...]]") ==
		-1)
		return fail();
	e.process = opts[0].value;
	e.pid_file = opts[1].value;
	e.console_socket = opts[2].value;
	e.detach = opts[3].value != NULL;
	e.preserve_fds = opts[4].value ? atoi(opts[4].value) : 0;
	if (e.preserve_fds < 0 || e.preserve_fds > 1024) {
		err_set(EINVAL, "--preserve-fds '%s': expected 0..1024", opts[4].value);
		return fail();
	}
	if (oci_state_load(g.root, argv[i], &st) == -1)
		return fail();
	trace_from_state(&st);
	/* The container's config.json: its filter, and the process the
	 * short form starts from. */
	if (oci_spec_load(st.bundle, &spec) == -1)
		goto out;
	if (e.process && oci_process_load(e.process, &spec) == -1)
		goto out;
	if (!e.process) {
		free(spec.args);
		spec.nargs = (size_t)(argc - i - 1);
		if (!(spec.args = calloc(spec.nargs + 1, sizeof(*spec.args)))) {
			err_sys("exec");
			goto out;
		}
		for (size_t k = 0; k < spec.nargs; k++)
			spec.args[k] = argv[i + 1 + (int)k];
		spec.terminal = opts[5].value != NULL;
	}
	trace_note("exec %s: %s", st.id, spec.args[0]);
	rc = oci_exec(&e, &spec, &st);
out:
	oci_spec_free(&spec);
	json_decref(st.annotations);
	return rc == -1 ? fail() : rc;
}

/* <<< oci-start */
static int
cmd_start(struct oci_state *st)
{
	char fifo[4200], buf[1];
	const char *status = oci_status(st);

	if (strcmp(status, "created") != 0) {
		err_set(EINVAL, "cannot start a container that is %s", status);
		return fail();
	}
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	/* Opening it to read lets init's blocked open(O_WRONLY) return;
	 * O_NONBLOCK so that an init that died meanwhile cannot hang us. */
	int fd = (int)TRACE(open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC), "openat",
			    "AT_FDCWD, %s, O_RDONLY|O_NONBLOCK|O_CLOEXEC", trace_str(fifo));
	if (fd == -1) {
		err_sys("start %s: %s", st->id, fifo);
		return fail();
	}
	ssize_t n = 0;
	for (int tries = 0; tries < 100 && n <= 0; tries++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 100);
		n = read(fd, buf, 1);
		if (n <= 0 && strcmp(oci_status(st), "stopped") == 0)
			break;
	}
	close(fd);
	unlink(fifo);
	if (n != 1) {
		err_set(ESRCH, "start %s: init did not start (it has ended)", st->id);
		return fail();
	}
	/* runtime.md: a poststart hook that fails is a warning. */
	if (oci_hooks_run(st, "poststart", "running") == -1) {
		err_prefix("warning");
		err_print();
	}
	return 0;
}
/* >>> oci-start */

/* Everything create made of ID in DIR: its cgroup, the files, the
 * directory. 0, or -1 with the record set. */
static int
remove_state_dir(const char *id, const char *dir)
{
	const char *files[] = {"exec.fifo", "state.json", "state.json.tmp", "cgroups.new",
			       "cgroup.path"};
	char path[4200];

	if (oci_cgroup_remove(dir) == -1)
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (TRACE(unlinkat(AT_FDCWD, dir, AT_REMOVEDIR), "unlinkat", "AT_FDCWD, %s, AT_REMOVEDIR",
		  trace_str(dir)) == -1)
		return err_sys("delete %s: %s", id, dir);
	return 0;
}

static int
cmd_delete(struct oci_state *st, int force)
{
	const char *status = oci_status(st);

	if ((strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) && !force) {
		err_set(EBUSY, "cannot delete container %s that is not stopped: %s", st->id,
			status);
		return fail();
	}
	/* A created container is killed (runc delete.go), a running one with
	 * --force; then wait until init is gone (its reaper is conmon or the
	 * shim, not us). */
	if (strcmp(status, "stopped") != 0) {
		TRACE(kill(st->pid, SIGKILL), "kill", "%d, SIGKILL", (int)st->pid);
		/* Paused: KILL reaches a v1 frozen task only once thawed. */
		if (strcmp(status, "paused") == 0 && oci_freeze(st->dir, 0) == -1)
			return fail();
		for (int i = 0; i < 500 && strcmp(oci_status(st), "stopped") != 0; i++)
			usleep(10000);
	}
	if (remove_state_dir(st->id, st->dir) == -1)
		return fail();
	/* runtime.md: a poststop hook that fails is a warning. */
	if (oci_hooks_run(st, "poststop", "stopped") == -1) {
		err_prefix("warning");
		err_print();
	}
	return 0;
}

/* ROOT/ID with no state.json: what create made (a create killed
 * half-way); a symlink planted there is not ours and stays. 0. */
static int
delete_leftover(const char *id)
{
	char dir[4096];
	struct stat st;

	err_clear();
	if (oci_state_path(g.root, id, dir, sizeof(dir)) == -1)
		return fail();
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return 0;
	return remove_state_dir(id, dir) == -1 ? fail() : 0;
}

static int
cmd_list(void)
{
	DIR *d = opendir(g.root);
	struct dirent *e;

	printf("%-24s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
	while (d && (e = readdir(d))) {
		struct oci_state st;
		if (e->d_name[0] == '.' || oci_state_load(g.root, e->d_name, &st) == -1)
			continue;
		const char *status = oci_status(&st);
		printf("%-24s %-8d %-8s %s\n", st.id, strcmp(status, "stopped") ? (int)st.pid : 0,
		       status, st.bundle);
		json_decref(st.annotations);
	}
	err_clear();
	if (d)
		closedir(d);
	return 0;
}

static int
cmd_features(void)
{
	/* runtime-spec features.md: what create accepts. */
	json_t *f = json_pack(
	    "{s:s, s:s, s:[ssss], s:[sssssssssssssssssssss], s:{s:[ssssss], s:{s:b, s:b}, s:{s:b, "
	    "s:[sssssss], s:[sssssss]}}, s:{s:s}}",
	    "ociVersionMin", "1.0.0", "ociVersionMax", "1.1.0", "hooks", "prestart",
	    "createRuntime", "poststart", "poststop", "mountOptions", "ro", "rw", "nosuid", "suid",
	    "nodev", "dev", "noexec", "exec", "bind", "rbind", "private", "rprivate", "slave",
	    "rslave", "shared", "rshared", "relatime", "noatime", "strictatime", "nodiratime",
	    "sync", "linux", "namespaces", "pid", "network", "mount", "ipc", "uts", "cgroup",
	    "cgroup", "v1", 1, "v2", 1, "seccomp", "enabled", 1, "actions", "SCMP_ACT_ALLOW",
	    "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	    "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "operators", "SCMP_CMP_NE", "SCMP_CMP_LT",
	    "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
	    "annotations", "org.nutshell.trace",
	    "a file the container's trace is appended to (JSON Lines)");
	char *text = f ? json_dumps(f, JSON_INDENT(2)) : NULL;

	json_decref(f);
	if (!text) {
		err_set(ENOMEM, "features");
		return fail();
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

/* run: create and start in the foreground, then delete (runc run); the
 * exit status is the command's (oci_run.c). --detach: create and start,
 * and return, as runc run -d. */
static int
cmd_run(int argc, char **argv, int i)
{
	struct oci_opt opts[] = {
	    {"--bundle", "-b", 1, NULL},	 {"--pid-file", NULL, 1, NULL},
	    {"--console-socket", NULL, 1, NULL}, {"--preserve-fds", NULL, 1, NULL},
	    {"--detach", "-d", 0, NULL},	 {NULL, NULL, 0, NULL}};
	struct oci_run_console con = {.fd = -1};
	struct oci_create c;
	struct oci_state st;
	struct oci_spec peek;
	int rc, status = -1, sigfd = -1;

	if (create_opts(argc, argv, i, opts, &c, "run --bundle DIR [--detach] ID") == -1)
		return fail();
	const char *bundle = opts[0].value ? opts[0].value : ".";
	/* process.terminal and no --console-socket: a socket of our own, the
	 * container's terminal relayed to ours. */
	rc = oci_spec_load(bundle, &peek);
	int own_console = rc == 0 && peek.terminal && !c.console_socket && !opts[4].value;
	oci_spec_free(&peek);
	if (rc == -1 || (own_console && oci_run_console(&con) == -1))
		return fail();
	if (own_console)
		c.console_socket = con.path;
	rc = create_from(&c, bundle);
	oci_run_console_remove(&con); /* connected, or failed: not needed */
	if (rc == 0 && oci_state_load(g.root, c.id, &st) == -1)
		rc = fail();
	if (rc != 0) {
		if (con.fd >= 0)
			close(con.fd);
		return rc;
	}
	/* Blocked now, not before create: init would keep them blocked. */
	if (!opts[4].value && (sigfd = wait_signals_to_fd()) == -1)
		rc = fail();
	if (rc == 0 && (rc = cmd_start(&st)) == 0 && opts[4].value) {
		json_decref(st.annotations);
		return 0;
	}
	if (rc == 0 && (status = oci_run_wait(&st, sigfd, con.fd)) == -1)
		rc = fail();
	if (con.fd >= 0)
		close(con.fd);
	/* Not started, or the wait failed: init, our child, killed and
	 * reaped, so that delete finds it stopped. */
	if (status == -1) {
		kill(st.pid, SIGKILL);
		waitpid(st.pid, NULL, 0);
	}
	if (cmd_delete(&st, 1) != 0 && rc == 0)
		rc = 1;
	json_decref(st.annotations);
	return rc != 0 ? rc : status;
}

/* spec: BUNDLE/config.json, nutshell's defaults (oci_default.c). */
static int
cmd_spec(int argc, char **argv, int i)
{
	struct oci_opt opts[] = {
	    {"--bundle", "-b", 1, NULL}, {"--rootless", NULL, 0, NULL}, {NULL, NULL, 0, NULL}};

	if ((i = parse_opts(argc, argv, i, opts)) == -1 ||
	    operands(argc, i, 0, 0, "spec [--bundle DIR] [--rootless]") == -1)
		return fail();
	if (oci_default_spec_write(opts[0].value ? opts[0].value : ".", opts[1].value != NULL) ==
	    -1)
		return fail();
	return 0;
}

/* <<< oci-main */
int
oci_main(int argc, char **argv)
{
	int i = 1;
	char root[4096];

	/* State files 0600, directories 0700 (issue 16). */
	umask(077);
	trace_cfg.quiet = true;
	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
	snprintf(root, sizeof(root), "%s", geteuid() == 0 || !runtime_dir ? "/run/nutshell" : "");
	if (!root[0])
		snprintf(root, sizeof(root), "%s/nutshell", runtime_dir);
	g.root = root;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *eq = strchr(argv[i], '='), *v = NULL;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - argv[i]) : 63, argv[i]);
		if (takes_value(name))
			v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : "";
		if (strcmp(name, "--root") == 0)
			g.root = v;
		else if (strcmp(name, "--log") == 0)
			g.log = v;
		else if (strcmp(name, "--log-format") == 0)
			g.log_json = strcmp(v, "json") == 0;
		else if (strcmp(name, "--json") == 0)
			g.json = v;
		else if (strcmp(name, "--debug") == 0)
			trace_cfg.quiet = false;
		else if (strcmp(name, "--step") == 0)
			trace_cfg.quiet = !(trace_cfg.step = true);
		else if (strcmp(name, "--systemd-cgroup") == 0)
			g.systemd_cgroup = 1;
		/* The rest: noted below, once the trace is open. */
	}
	open_trace(g.json ? g.json : getenv("NUTSHELL_JSON"));
	if (!g.root || g.root[0] != '/') {
		err_set(EINVAL, "--root '%s': expected an absolute path", g.root);
		return fail();
	}
	const char *cmd = argv[i++];
	if (strcmp(cmd, "create") == 0)
		return cmd_create(argc, argv, i);
	if (strcmp(cmd, "features") == 0)
		return cmd_features();
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(argc, argv, i);
	if (strcmp(cmd, "spec") == 0)
		return cmd_spec(argc, argv, i);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc, argv, i);

	int update = strcmp(cmd, "update") == 0, ps = strcmp(cmd, "ps") == 0;
	struct oci_opt common[] = {{"--all", "-a", 0, NULL},
				   {"--force", "-f", 0, NULL},
				   {"--format", "-f", 1, NULL},
				   {NULL, NULL, 0, NULL}};
	/* update's, in oci_update_opts' order (oci_control.c). */
	struct oci_opt limits[] = {
	    {"--resources", "-r", 1, NULL},	      {"--memory", NULL, 1, NULL},
	    {"--memory-swap", NULL, 1, NULL},	      {"--pids-limit", NULL, 1, NULL},
	    {"--cpu-share", "--cpu-shares", 1, NULL}, {"--cpu-quota", NULL, 1, NULL},
	    {"--cpu-period", NULL, 1, NULL},	      {NULL, NULL, 0, NULL}};
	struct oci_opt *opts = update ? limits : common;
	struct oci_state st;
	int rc;
	/* ps's -f is --format; delete's is --force. */
	common[ps ? 1 : 2].alias = NULL;
	if ((i = parse_opts(argc, argv, i, opts)) == -1 ||
	    operands(argc, i, 1,
		     strcmp(cmd, "kill") == 0 ? 2
		     : ps		      ? argc
					      : 1,
		     strcmp(cmd, "kill") == 0 ? "kill [--all] ID [SIGNAL]"
		     : ps		      ? "ps [--format table|json] ID [PS_ARG...]"
					      : "COMMAND ID") == -1)
		return fail();
	if (ps && common[2].value && strcmp(common[2].value, "json") != 0 &&
	    strcmp(common[2].value, "table") != 0) {
		err_set(EINVAL, "ps --format '%s': expected table or json", common[2].value);
		return fail();
	}
	if (oci_state_load(g.root, argv[i], &st) == -1) {
		/* delete --force of a container that does not exist succeeds
		 * (runc delete.go: containerd deletes twice, the second time
		 * with --force), after removing what a create killed half-way
		 * left: a directory without state.json. */
		if (errno == ENOENT && strcmp(cmd, "delete") == 0 && opts[1].value)
			return delete_leftover(argv[i]);
		return fail();
	}
	trace_from_state(&st);
	if (strcmp(cmd, "state") == 0) {
		char *text = oci_state_json(&st, oci_status(&st));
		printf("%s\n", text ? text : "{}");
		free(text);
		rc = text ? 0 : 1;
	} else if (strcmp(cmd, "start") == 0)
		rc = cmd_start(&st);
	else if (strcmp(cmd, "kill") == 0)
		rc = oci_kill(&st, i + 1 < argc ? argv[i + 1] : NULL, opts[0].value != NULL) == -1
			 ? fail()
			 : 0;
	else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
		rc = oci_pause(&st, cmd[0] == 'p') == -1 ? fail() : 0;
	else if (ps)
		rc = oci_ps(&st, common[2].value && strcmp(common[2].value, "json") == 0,
			    argv + i + 1, argc - i - 1) == -1
			 ? fail()
			 : 0;
	else if (update)
		rc = oci_update_opts(&st, limits) == -1 ? fail() : 0;
	else
		rc = cmd_delete(&st, opts[1].value != NULL);
	json_decref(st.annotations);
	return rc;
}
/* >>> oci-main */
