/*
 * oci_create.c - `nutshell create`: a container's init process, set up
 * from a bundle's config.json and stopped just before execve(2), waiting
 * for `nutshell start` - runc's create/start split (OCI.md, runtime.md
 * "Lifecycle").
 *
 *	create                              init (clone(2), new namespaces)
 *	------                              ----
 *	ROOT/ID/, exec.fifo, cgroup
 *	clone ----------------------------> waits for "go"
 *	cgroup.procs <- init's pid
 *	"go" -----------------------------> setns, cgroup namespace, hostname,
 *	                                    mounts, pivot_root,
 *	                                    terminal, sysctl, read-only and
 *	                                    masked paths, cwd, rlimits,
 *	                                    PATH lookup, user, capabilities
 *	reads "ok" (or the error) <-------- "ok"
 *	pid file, state.json; exits 0       open(exec.fifo, O_WRONLY): blocks
 *	                 ... `start` opens the fifo to read: the open returns ...
 *	                                    write "0", seccomp, execve(2)
 *
 * No nutshell process stays behind: conmon and the containerd shim are
 * child subreapers (prctl(2) PR_SET_CHILD_SUBREAPER) and so become init's
 * parent; they wait for it and take its exit status.
 */
#include "oci.h"
#include "ctr.h"
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/caps.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the init process is given. */
struct init_arg {
	const struct oci_spec *spec;
	const struct oci_create *c;
	int go_fd;     /* "go" from create: it has put us into the cgroup */
	int report_fd; /* "ok", or the error, to create */
	int go_write;  /* create's ends, which clone(2) copied into init too */
	int report_read;
	int fifo_fd;	/* exec.fifo, O_PATH: reopened for writing */
	int console_fd; /* the console socket, connected; -1 */
	int ns_fd[8];	/* the namespaces to join (spec->ns_path) */
	struct sc_bpf seccomp;
};

void
oci_report_failure(int fd)
{
	const char *msg = err_last()->msg[0] ? err_last()->msg : "setup failed";
	ssize_t ignored = write(fd, msg, strlen(msg));
	(void)ignored;
}

/* In init: the failure, as one line, to create; then out. */
static int
init_fail(const struct init_arg *a)
{
	oci_report_failure(a->report_fd);
	return 1;
}

/* PATH lookup of COMMAND in the container's root, before blocking, so
 * that create reports runc's words, which podman and docker turn into 127
 * and 126 (OCI.md; libpod/oci_util.go, daemon/errors.go). */
int
oci_find_command(const struct oci_spec *s, char *out, size_t size)
{
	const char *cmd = s->args[0], *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
					      "/sbin:/bin";
	int denied = 0;

	if (strchr(cmd, '/')) {
		struct stat st;
		snprintf(out, size, "%s", cmd);
		if (stat(out, &st) == -1)
			return err_sys("exec: \"%s\"", cmd);
		if (!S_ISREG(st.st_mode) || access(out, X_OK) == -1)
			return err_set(EACCES, "exec: \"%s\": permission denied", cmd);
		return 0;
	}
	for (size_t i = 0; i < s->nenv; i++)
		if (strncmp(s->env[i], "PATH=", 5) == 0)
			path = s->env[i] + 5;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		struct stat st;
		snprintf(out, size, "%.*s/%s", (int)len, p, cmd);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = 1;
		}
		p += len + (p[len] == ':');
	}
	if (denied)
		return err_set(EACCES, "exec: \"%s\": permission denied", cmd);
	return err_set(ENOENT, "exec: \"%s\": executable file not found in $PATH", cmd);
}

/* Lesson 03. The sets config.json gives hold for its user too (runc's
 * rule, not docker run's): the ids change with PR_SET_KEEPCAPS, which
 * keeps the permitted set across setresuid(2) (capabilities(7), "Effect of
 * user ID changes"); then the process keeps exactly config.json's set. */
int
oci_set_user_and_caps(const struct oci_spec *s)
{
	cap_value_t keep[CAP_LAST_CAP + 4];
	size_t n = s->ncaps;
	cap_t now;

	memcpy(keep, s->caps, n * sizeof(*keep));
	if (TRACE(setgroups(s->ngroups, s->groups), "setgroups", "%zu, [...]", s->ngroups) == -1)
		return err_sys("setgroups");
	/* What changing the ids and the last drop need, for a moment. */
	keep[n++] = CAP_SETUID;
	keep[n++] = CAP_SETGID;
	keep[n++] = CAP_SETPCAP;
	if (caps_keep_only(keep, n) == -1)
		return err_sys("dropping capabilities");
	if (TRACE(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl", "PR_SET_KEEPCAPS, 1") == -1)
		return err_sys("PR_SET_KEEPCAPS");
	if (TRACE(setresgid(s->gid, s->gid, s->gid), "setresgid", "%u, %u, %u", s->gid, s->gid,
		  s->gid) == -1)
		return err_sys("setresgid %u", s->gid);
	if (TRACE(setresuid(s->uid, s->uid, s->uid), "setresuid", "%u, %u, %u", s->uid, s->uid,
		  s->uid) == -1)
		return err_sys("setresuid %u", s->uid);
	/* A uid other than 0 emptied the effective set: back from permitted. */
	if (!(now = cap_get_proc()) || cap_set_flag(now, CAP_EFFECTIVE, (int)n, keep, CAP_SET) ||
	    cap_set_proc(now) == -1) {
		cap_free(now);
		return err_sys("capabilities after setresuid");
	}
	cap_free(now);
	if (caps_keep_only(s->caps, s->ncaps) == -1)
		return err_sys("dropping capabilities");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		return err_sys("PR_SET_KEEPCAPS");
	for (size_t i = 0; i < s->nambient; i++)
		if (caps_raise_ambient(s->ambient[i]) == -1)
			return err_sys("ambient capability %s", caps_name(s->ambient[i]));
	if (s->no_new_privs && caps_set_no_new_privs() == -1)
		return err_sys("no_new_privs");
	return 0;
}

/* The terminal: a pty of the container's own devpts, its master sent to
 * the console socket (SCM_RIGHTS, tty.c), the slave onto 0-2. */
int
oci_set_terminal(int sock)
{
	int slave = ctr_tty_open_inside(sock);

	if (slave == -1)
		return err_sys("terminal: the console socket");
	if (TRACE(ioctl(slave, TIOCSCTTY, 0), "ioctl", "%d, TIOCSCTTY, 0", slave) == -1)
		return err_sys("terminal: TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) == -1)
			return err_sys("terminal: dup2");
	close(slave);
	return 0;
}

int
oci_set_rlimits(const struct oci_spec *s)
{
	for (size_t i = 0; i < s->nrlimits; i++)
		if (TRACE(setrlimit(s->rlimits[i].resource, &s->rlimits[i].lim), "prlimit64",
			  "0, %s, {%llu, %llu}, NULL", s->rlimits[i].name,
			  (unsigned long long)s->rlimits[i].lim.rlim_cur,
			  (unsigned long long)s->rlimits[i].lim.rlim_max) == -1)
			return err_sys("process.rlimits %s", s->rlimits[i].name);
	return 0;
}

/* VALUE into a /proc file (a sysctl, oom_score_adj): openat(2) and
 * write(2), traced. */
static int
write_proc(const char *path, const char *value)
{
	int fd = TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, O_WRONLY",
		       trace_str(path));
	if (fd == -1)
		return -1;
	ssize_t n = TRACE(write(fd, value, strlen(value)), "write", "%d, %s, %zu", fd,
			  trace_str(value), strlen(value));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int
write_sysctls(const struct oci_spec *s)
{
	const char *key;
	json_t *v;

	json_object_foreach(s->sysctl, key, v)
	{
		char path[512];
		snprintf(path, sizeof(path), "/proc/sys/%s", key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (write_proc(path, json_string_value(v)) == -1)
			return err_sys("linux.sysctl %s", key);
	}
	return 0;
}

/* <<< oci-init */
static int
init_main(void *arg)
{
	const struct init_arg *a = arg;
	const struct oci_spec *s = a->spec;
	char go, exe[4096], fifo[64];

	/* 1. Wait until create has put us into the cgroup. Create's ends of
	 * the pipes closed first: a create killed before "go" is then EOF
	 * here (pipe(7)), and one killed before reading "ok" is EPIPE below,
	 * not an init waiting forever outside any cgroup of its own. */
	close(a->go_write);
	close(a->report_read);
	if (read(a->go_fd, &go, 1) != 1)
		_exit(1);
	/* Not dumpable until execve(2) resets it, before the first namespace
	 * is joined: a process of the container (nutshell exec, same uid and
	 * capabilities) could otherwise ptrace us or open our /proc/PID/fd,
	 * which hold host descriptors (the exec fifo) while we wait for start
	 * (CVE-2016-9962; runc's nsexec.c does this first). No user namespace
	 * here, so nothing needs our /proc files writable by an unprivileged
	 * uid (runc skips it only where it joins no namespace: rootless). */
	if (TRACE(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl", "PR_SET_DUMPABLE, 0") == -1) {
		err_sys("PR_SET_DUMPABLE");
		return init_fail(a);
	}
	/* 2. Namespaces to join (podman pods: /proc/PID/ns/net); a session of
	 * our own, so the container cannot signal its caller's. */
	for (size_t i = 0; i < s->nns_path; i++)
		if (ns_setns(a->ns_fd[i], s->ns_type[i]) == -1) {
			err_sys("setns %s", s->ns_path[i]);
			return init_fail(a);
		}
	/* The cgroup namespace only now that create has moved us into the
	 * container's cgroup: its root is the cgroup a process is in when it
	 * unshares (cgroup_namespaces(7)), and so /proc/self/cgroup reads
	 * "/" inside, not "/../../ID" from the caller's cgroup (runc's
	 * nsexec.c unshares it last too; the launcher's inside.c alike). */
	if ((s->ns_flags & CLONE_NEWCGROUP) && ns_unshare(CLONE_NEWCGROUP) == -1)
		return init_fail(a);
	if (TRACE(setsid(), "setsid", "%s", "") == -1) {
		err_sys("setsid");
		return init_fail(a);
	}
	if (s->hostname && (s->ns_flags & CLONE_NEWUTS) &&
	    TRACE(sethostname(s->hostname, strlen(s->hostname)), "sethostname", "%s, %zu",
		  trace_str(s->hostname), strlen(s->hostname)) == -1) {
		err_sys("sethostname");
		return init_fail(a);
	}
	/* 3. The root and mounts (lesson 04, oci_mount.c); the sysctls while
	 * /proc/sys is writable, then the read-only and masked paths (runc's
	 * order: docker asks for net.ipv4.ip_unprivileged_port_start, which
	 * fails with EROFS once /proc/sys is read-only). */
	if (oci_setup_root(s) == -1 ||
	    (a->console_fd >= 0 && oci_set_terminal(a->console_fd) == -1) ||
	    write_sysctls(s) == -1 || oci_protect_root(s) == -1)
		return init_fail(a);
	if (TRACE(chdir(s->cwd), "chdir", "%s", trace_str(s->cwd)) == -1) {
		err_sys("process.cwd %s", s->cwd);
		return init_fail(a);
	}
	if (oci_set_rlimits(s) == -1)
		return init_fail(a);
	if (s->oom_score_adj_set) {
		char v[16];
		snprintf(v, sizeof(v), "%d", s->oom_score_adj);
		if (write_proc("/proc/self/oom_score_adj", v) == -1) {
			err_sys("process.oomScoreAdj");
			return init_fail(a);
		}
	}
	/* 4. Before blocking: the command found, the user and capabilities.
	 * Without no_new_privs the filter can only be loaded while we hold
	 * CAP_SYS_ADMIN (seccomp(2), EACCES): then it comes before the
	 * capabilities go, as runc does, and must allow what follows. */
	if (oci_find_command(s, exe, sizeof(exe)) == -1)
		return init_fail(a);
	if (!s->no_new_privs && a->seccomp.len && sc_load_bpf(&a->seccomp, "linux.seccomp") == -1) {
		err_sys("linux.seccomp");
		return init_fail(a);
	}
	if (oci_set_user_and_caps(s) == -1)
		return init_fail(a);
	/* Only 0-2 and --preserve-fds pass into the container. */
	if (syscall(SYS_close_range, 3 + a->c->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		err_sys("close_range");
		return init_fail(a);
	}
	if (write(a->report_fd, "ok", 2) != 2)
		_exit(1);
	/* 5. Blocked until `start` opens the fifo for reading (fifo(7)). */
	snprintf(fifo, sizeof(fifo), "/proc/self/fd/%d", a->fifo_fd);
	int w = (int)TRACE(open(fifo, O_WRONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
			   trace_str(fifo), dec_open(O_WRONLY | O_CLOEXEC));
	if (w == -1 || write(w, "0", 1) != 1)
		_exit(1);
	close(w);
	/* 6. With no_new_privs, the filter last: it may forbid what the
	 * steps above needed. */
	if (s->no_new_privs && a->seccomp.len && sc_load_bpf(&a->seccomp, "linux.seccomp") == -1) {
		fprintf(stderr, "nutshell: seccomp: %s\n", strerror(errno));
		_exit(1);
	}
	TRACE(execve(exe, (char *const *)s->args, (char *const *)s->env), "execve",
	      "%s, [%s, ...], [...]", trace_str(exe), trace_str(s->args[0]));
	fprintf(stderr, "nutshell: exec %s: %s\n", exe, strerror(errno));
	_exit(errno == ENOENT ? CTR_EXIT_NOTFOUND : CTR_EXIT_NOEXEC);
}
/* >>> oci-init */

/* The cgroup (lesson 02), where linux.cgroupsPath says (oci_cgroup.c). */
static int
make_cgroup(const struct oci_spec *s, const char *dir, struct cg *cg, struct cg_layout *l)
{
	const char *wanted[] = {"memory", "pids", "cpu", NULL, NULL, NULL};
	size_t n = 3;
	int dh;

	if (cg_layout_detect(l) == -1)
		return err_prefix("cgroup");
	/* freezer: pause and resume (v2: cgroup.freeze, in every cgroup;
	 * v1: a hierarchy of its own, where the host mounts one). */
	if (cg_layout_find(l, "freezer") >= 0)
		wanted[n++] = "freezer";
	int devices = (dh = cg_layout_find(l, "devices")) >= 0 && access(l->h[dh].base, W_OK) == 0;
	if (devices)
		wanted[n++] = "devices";
	if (cg_prepare_detected(l, wanted) == -1)
		return err_prefix("cgroup");
	/* linux.cgroupsPath, resolved by create (oci_cgroup.c). */
	if (oci_cgroup_make(s->cgroup_path, dir, cg, l, wanted) == -1)
		return -1;
	/* linux.resources.devices' allows on top of the default list
	 * (oci_spec.c); a rule given where no device cgroup can hold it is an
	 * error, not ignored. */
	if (s->dev_rules_set && !devices)
		return err_set(EOPNOTSUPP, "linux.resources.devices: no devices hierarchy (v1) or "
					   "cgroup2 tree nutshell may write here");
	if (devices && cg_devices_allow(cg, s->dev_rules) == -1)
		return err_prefix("cgroup devices");
	if (oci_cgroup_limits(cg, s) == -1)
		return -1;
	return 0;
}

/* Connects to --console-socket (runc utils_linux.go: a terminal needs one,
 * and one needs a terminal). */
int
oci_connect_console(const char *console_socket, int terminal)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (terminal != !!console_socket)
		return err_set(EINVAL, terminal
					   ? "process.terminal is true: expected "
					     "--console-socket"
					   : "--console-socket: expected process.terminal true");
	if (!terminal)
		return -2;
	if (strlen(console_socket) >= sizeof(addr.sun_path))
		return err_set(ENAMETOOLONG, "--console-socket '%s': too long", console_socket);
	strcpy(addr.sun_path, console_socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		return err_sys("--console-socket %s", console_socket);
	return fd;
}

/* --root and its missing parents, 0700: containerd passes
 * /run/containerd/runc/NAMESPACE, none of which may exist yet (runc
 * MkdirAll's it, utils_linux.go). */
static int
make_root(const char *root)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", root);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return err_sys("--root %s: mkdir %s", root, path);
		if (!(*p = c))
			return 0;
	}
}

/* <<< oci-create */
int
oci_create(const struct oci_create *c, struct oci_spec *spec, struct oci_state *st)
{
	struct init_arg a = {.spec = spec, .c = c, .console_fd = -1, .fifo_fd = -1};
	static struct cg_layout layout;
	struct cg cg = {0};
	int go[2] = {-1, -1}, report[2] = {-1, -1}, ret = -1;
	char fifo[4200], msg[1024];
	pid_t pid = -1;

	for (size_t i = 0; i < 8; i++)
		a.ns_fd[i] = -1;
	/* 1. The state directory: mkdir(2) refuses an existing one. */
	if (make_root(c->root) == -1)
		return -1;
	if (mkdir(st->dir, 0700) == -1)
		return errno == EEXIST ? err_set(EEXIST, "container %s already exists", c->id)
				       : err_sys("state directory %s", st->dir);
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	/* 0622 as runc: start, another uid maybe, opens it to read. */
	if (TRACE(mknod(fifo, S_IFIFO | 0622, 0), "mknodat", "AT_FDCWD, %s, S_IFIFO|0622, 0",
		  trace_str(fifo)) == -1 ||
	    chmod(fifo, 0622) == -1 || (a.fifo_fd = open(fifo, O_PATH | O_CLOEXEC)) == -1) {
		err_sys("%s", fifo);
		goto out;
	}
	/* 2. What may fail cheaply: the filter, the console, the namespaces. */
	if (oci_seccomp_build(spec->seccomp, &a.seccomp) == -1 ||
	    (a.console_fd = oci_connect_console(c->console_socket, spec->terminal)) == -1)
		goto out;
	/* Traced: the path the engine gave (a podman pod's infra container,
	 * /proc/PID/ns/net) is what a learner looks for; init's setns(2) below
	 * names only the descriptor. */
	for (size_t i = 0; i < spec->nns_path; i++)
		if ((a.ns_fd[i] = (int)TRACE(open(spec->ns_path[i], O_RDONLY | O_CLOEXEC), "openat",
					     "AT_FDCWD, %s, %s", trace_str(spec->ns_path[i]),
					     dec_open(O_RDONLY | O_CLOEXEC))) == -1) {
			err_sys("linux.namespaces path %s", spec->ns_path[i]);
			goto out;
		}
	if (make_cgroup(spec, st->dir, &cg, &layout) == -1)
		goto out;
	if (pipe2(go, O_CLOEXEC) == -1 || pipe2(report, O_CLOEXEC) == -1) {
		err_sys("pipe2");
		goto out;
	}
	a.go_fd = go[0];
	a.report_fd = report[1];
	a.go_write = go[1];
	a.report_read = report[0];
	/* 3. init, in its new namespaces (lesson 01) - all but the cgroup
	 * one, which init makes once it is in its cgroup (step 2 there). */
	if ((pid = ns_clone((spec->ns_flags & ~(unsigned long)CLONE_NEWCGROUP) | SIGCHLD, init_main,
			    &a)) == -1) {
		err_sys("clone");
		goto out;
	}
	close(report[1]);
	report[1] = -1;
	ctr_pause_point("oci-cloned");
	if (cg_attach(&cg, pid) == -1 || write(go[1], "g", 1) != 1) {
		err_sys("moving init into its cgroup");
		goto out;
	}
	/* 4. "ok" once it waits on the fifo; else its one line. */
	ssize_t n = read(report[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (strcmp(msg, "ok") != 0) {
		err_set(EINVAL, "%s", n > 0 ? msg : "init ended before it was set up");
		goto out;
	}
	ctr_pause_point("oci-ready");
	st->pid = pid;
	st->start_time = oci_start_time(pid);
	snprintf(st->bundle, sizeof(st->bundle), "%s", spec->bundle);
	snprintf(st->rootfs, sizeof(st->rootfs), "%s", spec->rootfs);
	time_t now = time(NULL);
	strftime(st->created, sizeof(st->created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	st->annotations = spec->annotations;
	/* 5. The engine's hooks, init set up and waiting (oci_hooks.c). */
	if (oci_hooks_run(st, "prestart", "created") == -1 ||
	    oci_hooks_run(st, "createRuntime", "created") == -1)
		goto out;
	if (oci_state_save(st) == -1 || (c->pid_file && oci_write_pid_file(c->pid_file, pid) == -1))
		goto out;
	ret = 0;
out:
	/* 6. A failure leaves nothing: init, cgroup, state directory. */
	if (ret == -1 && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	/* Also after make_cgroup() failed half-way: what its records name. */
	if (ret == -1)
		oci_cgroup_remove(st->dir);
	if (ret == -1) {
		char path[4200];
		const char *files[] = {"exec.fifo", "cgroups", "cgroups.new", "state.json",
				       "cgroup.path"};
		for (size_t i = 0; i < 5; i++) {
			snprintf(path, sizeof(path), "%s/%s", st->dir, files[i]);
			unlink(path);
		}
		rmdir(st->dir);
	}
	int fds[] = {go[0], go[1], report[0], report[1], a.fifo_fd, a.console_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (size_t i = 0; i < 8; i++)
		if (a.ns_fd[i] >= 0)
			close(a.ns_fd[i]);
	return ret;
}
/* >>> oci-create */
