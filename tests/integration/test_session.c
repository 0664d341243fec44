/*
 * test_session.c - what a container may do to the process that started it
 * (issues 18 and 23): its own session, so it can neither type into the
 * caller's terminal (TIOCSTI, CVE-2017-5226) nor signal the caller's
 * process group; standard input and output that are files of the host
 * relayed through pipes, so the container never holds the host's inode;
 * and who COMMAND runs as (--user, groups, HOME, umask), as docker does.
 *
 * Each attack runs from inside a default container, as a user would start
 * it: a shell script's process group, a real pty that is the session's
 * controlling terminal, `>job.log`. Case names: tiocsti_* (the terminal;
 * the seccomp rule against TIOCSTI is tested with the profile), session_*,
 * stdio_*, user_*.
 */
#include "../suites.h"
#include "harness.h"
#include "session_test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TIOCSTI_HELPER "tests/helpers/tiocsti"
#define INSPECT	       "05-full-container/inspect"

/* This case's temporary directory: made and removed by the test runner
 * itself (an unchecked fixture), so that a case that fails still leaves
 * nothing behind. */
char dir[64];

void
session_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nutshell-test-session.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void
session_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir); /* busybox's rm in the VM lane */
	if (system(cmd) != 0)
		printf("session: could not remove %s\n", dir);
}

const char *
path_in(const char *name)
{
	static char paths[4][128];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

static const char *
top(const char *rel)
{
	static char paths[4][PATH_MAX + 64];
	static int next;
	const char *root = getenv("NUTSHELL_ROOT");
	char *p = paths[next++ % 4], abs[PATH_MAX];
	/* Absolute: --volume takes nothing else. */
	if (!realpath(root ? root : ".", abs))
		snprintf(abs, sizeof(abs), ".");
	snprintf(p, sizeof(paths[0]), "%s/%s", abs, rel);
	return p;
}

static char *
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* What the child does before it becomes nutshell (umask, groups ...). */
void (*before_exec)(void);

/* Starts nutshell run ARGS... with fds 0, 1, 2 from IN, OUT, ERR. */
static pid_t
start(int in, int out, int err, const char *const args[])
{
	const char *argv[32] = {NUTSHELL, "run"};
	size_t n = 2;

	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if ((in < 0 ? close(0) : dup2(in, 0)) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(98);
		/* An ignored signal stays ignored across execve (signal(7)): a
		 * test run under nohup would hand nutshell a SIGHUP it never
		 * sees, and these tests send it. */
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (before_exec)
			before_exec();
		execv(top(NUTSHELL), (char *const *)argv);
		_exit(99);
	}
	return pid;
}

static int
status_of(pid_t pid)
{
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs nutshell with stdin from IN_PATH (NULL: /dev/null), stdout and
 * stderr into files; OUT and ERR get what they hold. */
int
run_files(const char *in_path, char *out, char *err, size_t size, const char *const args[])
{
	int in = open(in_path ? in_path : "/dev/null", O_RDONLY | O_CLOEXEC);
	int o = open(path_in("out"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int e = open(path_in("err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert(in >= 0 && o >= 0 && e >= 0);
	int status = status_of(start(in, o, e, args));
	close(in);
	close(o);
	close(e);
	slurp(path_in("out"), out, size);
	slurp(path_in("err"), err, size);
	return status;
}

/* Nothing of container ID is left: `nutshell cleanup` (which finds every
 * unlocked nutshell-ID cgroup and scratch directory) has nothing of it. */
void
session_assert_nothing_left(const char *id)
{
	const char *argv[] = {NUTSHELL, "cleanup", NULL};
	struct run r;

	ck_assert_msg(strlen(id) == 12, "no container id in the trace");
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(!strstr(r.out, id), "container %s left:\n%.1500s", id, r.out);
	run_free(&r);
}

/* The value of inspect's line "KEY value" in TEXT ("" when none). */
static const char *
row(const char *text, const char *key)
{
	static char value[256];
	size_t klen = strlen(key);

	value[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
			const char *v = l + klen + strspn(l + klen, " ");
			snprintf(value, sizeof(value), "%.*s", (int)strcspn(v, "\r\n"), v);
			break;
		}
	return value;
}

/* ---- the caller's terminal: TIOCSTI ---- */

/*
 * Runs nutshell ARGS in a new session whose controlling terminal is a pty
 * this test opened, fds 0-2 on its slave - as from an interactive shell.
 * OUT gets what came out of the master; INJECTED what is left in the
 * terminal's input queue afterwards: what the user's shell would read.
 */
static int
run_on_pty(const char *const args[], char *out, size_t size, char *injected, size_t isize)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	const char *name = ptsname(master);
	ck_assert_ptr_nonnull(name);
	char slave_name[64];
	snprintf(slave_name, sizeof(slave_name), "%s", name);
	/* Raw: a pushed byte is readable at once, without a newline, and not
	 * echoed (the queue, not the screen, is what we look at). */
	int s = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	ck_assert_int_eq(tcgetattr(s, &t), 0);
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR;
	ck_assert_int_eq(tcsetattr(s, TCSANOW, &t), 0);

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A session leader opening a terminal without O_NOCTTY gets it
		 * as its controlling terminal (credentials(7)). */
		if (setsid() == -1)
			_exit(97);
		int tty = open(slave_name, O_RDWR);
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) == -1)
			_exit(96);
		const char *argv[32] = {NUTSHELL, "run"};
		size_t n = 2;
		for (size_t i = 0; args[i] && n < 31; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		if (dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0)
			_exit(98);
		/* "inspect" alone: the host's view, for comparison. */
		if (strcmp(args[0], "inspect") == 0)
			execv(top(INSPECT), (char *const *)args);
		else
			execv(top(NUTSHELL), (char *const *)argv);
		_exit(99);
	}
	size_t len = 0;
	int status = -1;
	for (int i = 0; i < 3000; i++) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 20) == 1 && (p.revents & POLLIN)) {
			ssize_t n = read(master, out + len, size - 1 - len);
			if (n > 0)
				len += (size_t)n;
		}
		if (status == -1) {
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid)
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		} else if (!(p.revents & POLLIN))
			break; /* exited, and nothing more to read */
	}
	out[len] = '\0';
	ck_assert_msg(status != -1, "nutshell on the pty did not end:\n%.1500s", out);
	/* The input queue: what the shell that ran nutshell reads next. */
	int fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(s, injected, isize - 1);
	injected[n > 0 ? n : 0] = '\0';
	close(s);
	close(master);
	return status;
}

static void
note_legacy_tiocsti(void)
{
	char v[16];
	if (strcmp(read_line_file("/proc/sys/dev/tty/legacy_tiocsti", v, sizeof(v)), "0") == 0)
		printf("note: dev.tty.legacy_tiocsti = 0 here: the kernel refuses TIOCSTI without "
		       "CAP_SYS_ADMIN anyway; the setsid defence is proved where it is 1\n");
}

/*
 * CVE-2017-5226: from an interactive shell, nutshell run without -t and a
 * program in the image calling ioctl(fd, TIOCSTI, ...) on fds 0-2. Before
 * the container had a session of its own, all three calls pushed their
 * byte into the terminal, for the user's shell to run after the container.
 * The seccomp filter is off here (seccomp=unconfined): the new session
 * alone must hold.
 */
START_TEST(tiocsti_refused_without_seccomp)
{
	char out[16384], injected[64], vol[600];

	note_legacy_tiocsti();
	snprintf(vol, sizeof(vol), "%s:/tiocsti:ro", top(TIOCSTI_HELPER));
	const char *args[] = {
	    "-q", "--security-opt", "seccomp=unconfined", "--volume", vol, "--", "/tiocsti", NULL};
	int status = run_on_pty(args, out, sizeof(out), injected, sizeof(injected));
	ck_assert_msg(
	    injected[0] == '\0',
	    "the container typed '%s' into the caller's terminal (CVE-2017-5226):\n%.1500s",
	    injected, out);
	ck_assert_msg(status == 0 && strstr(out, "fd 0: EPERM") && strstr(out, "fd 1: EPERM") &&
			  strstr(out, "fd 2: EPERM"),
		      "exit %d, expected EPERM for fds 0-2:\n%.1500s", status, out);
}
END_TEST

/* The worksheet's step 11 (lessons/05-full-container.md), on a real
 * terminal: on the host, inspect started by the session's leader (a shell)
 * shows the shell's session and the terminal as controlling terminal;
 * inside, a session and process group of its own (sid = pgid = its pid 1),
 * no controlling terminal, stdin the caller's terminal; -t: its own pty as
 * controlling terminal. */
START_TEST(tiocsti_session_seen_by_inspect)
{
	char out[16384], injected[64];
	const char *host[] = {"inspect", NULL};
	const char *args[] = {"-q", "--", "inspect", NULL};

	ck_assert_int_eq(run_on_pty(host, out, sizeof(out), injected, sizeof(injected)), 0);
	char sid[32];
	snprintf(sid, sizeof(sid), "%s", row(out, "sid"));
	ck_assert_msg(sid[0] && strcmp(sid, row(out, "pid")) == 0, "sid %s, pid %s", sid,
		      row(out, "pid"));
	ck_assert_str_eq(row(out, "session"), "own");
	ck_assert_msg(strcmp(row(out, "controlling_terminal"), "none") != 0,
		      "the host's inspect has no controlling terminal:\n%.1500s", out);
	ck_assert_str_eq(row(out, "stdin"), "terminal");
	ck_assert_int_eq(run_on_pty(args, out, sizeof(out), injected, sizeof(injected)), 0);
	ck_assert_str_eq(row(out, "sid"), "1");
	ck_assert_str_eq(row(out, "pgid"), "1");
	ck_assert_str_eq(row(out, "session"), "own");
	ck_assert_str_eq(row(out, "controlling_terminal"), "none");
	ck_assert_str_eq(row(out, "stdin"), "terminal (from outside: the caller's)");
	const char *targs[] = {"-q", "-t", "--", "inspect", NULL};
	ck_assert_int_eq(run_on_pty(targs, out, sizeof(out), injected, sizeof(injected)), 0);
	ck_assert_str_eq(row(out, "session"), "own");
	ck_assert_msg(strcmp(row(out, "controlling_terminal"), "none") != 0,
		      "-t: no controlling terminal:\n%.1500s", out);
	ck_assert_str_eq(row(out, "stdin"), "terminal");
}
END_TEST

/* ---- the caller's process group ---- */

/*
 * A shell script runs nutshell; the script and another of its children are
 * in one process group, nutshell too. `kill -KILL 0` from inside killed
 * them all before the container had a session of its own - nutshell as
 * well, before its cleanup. Now it kills only the container's own group.
 */
START_TEST(session_kill0_spares_callers_group)
{
	int report[2], go[2];
	ck_assert_int_eq(pipe(report), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid_t script = fork();
	ck_assert_int_ge(script, 0);
	if (script == 0) {
		char c;
		close(report[0]);
		close(go[1]);
		setpgid(0, 0);
		/* Not before the bystander is in our group. */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		int in = open("/dev/null", O_RDONLY);
		int out = open(path_in("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(path_in("err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *args[] = {"--", "sh", "-c", "kill -KILL 0; echo survived", NULL};
		int status = status_of(start(in, out, err, args));
		dprintf(report[1], "%d\n", status);
		_exit(0);
	}
	close(report[1]);
	close(go[0]);
	/* Both sides set the script's group: whichever runs first. */
	ck_assert_int_eq(setpgid(script, script), 0);
	/* The script's other child: a bystander in its process group. */
	pid_t bystander = fork();
	ck_assert_int_ge(bystander, 0);
	if (bystander == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(setpgid(bystander, script), 0);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	close(go[1]);

	int st;
	char line[32] = "", text[65536];
	ck_assert_int_eq(waitpid(script, &st, 0), script);
	ssize_t n = read(report[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(report[0]);
	int bystander_alive = waitpid(bystander, NULL, WNOHANG) == 0;
	kill(bystander, SIGKILL);
	waitpid(bystander, NULL, 0);
	slurp(path_in("err"), text, sizeof(text));
	ck_assert_msg(WIFEXITED(st),
		      "the script that ran nutshell was killed by signal %d:\n%.1500s",
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0, text);
	ck_assert_msg(bystander_alive, "another process of the caller's group was killed");
	/* Its own group is the container alone, and its pid 1 is immune to
	 * signals from inside (pid_namespaces(7)): it carries on. */
	ck_assert_msg(atoi(line) == 0, "nutshell exit '%s', expected 0:\n%.1500s", line, text);
	ck_assert_str_eq(slurp(path_in("out"), text, sizeof(text)), "survived\n");
	slurp(path_in("err"), text, sizeof(text));
	session_assert_nothing_left(run_container_id(text));
}
END_TEST

/* nutshell itself signalled (SIGTERM, SIGINT, SIGHUP): the signal reaches
 * COMMAND (through --init), the container ends, 128+N, and nothing of it
 * is left. */
START_TEST(session_signalled_nutshell_cleans_up)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char text[65536];
		int in = open("/dev/null", O_RDONLY);
		int out = open(path_in("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(path_in("err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *args[] = {"--init", "--", "sh", "-c", "echo started; exec sleep 60",
				      NULL};
		pid_t pid = start(in, out, err, args);
		close(in);
		close(out);
		close(err);
		for (int t = 0;
		     t < 400 && !strstr(slurp(path_in("out"), text, sizeof(text)), "started"); t++)
			nanosleep(&(struct timespec){0, 25000000}, NULL);
		ck_assert_msg(strstr(text, "started"), "the container did not start");
		ck_assert_int_eq(kill(pid, sigs[i]), 0);
		int status = status_of(pid);
		slurp(path_in("err"), text, sizeof(text));
		ck_assert_msg(status == 128 + sigs[i], "signal %d: exit %d:\n%.1500s", sigs[i],
			      status, text);
		session_assert_nothing_left(run_container_id(text));
	}
}
END_TEST

/* ---- standard input and output: files of the host ---- */

/*
 * `nutshell run -- sh -c 'chmod 4755 /proc/self/fd/1' >job.log` made root's
 * job.log set-user-ID root; `<input.txt` let the container rewrite and
 * chown a 0444 file of root's; a device node as stdout (here one the test
 * made, /dev/null's numbers) would be chmod'ed on the host. Now the
 * container's fds are pipes: chmod and chown change a pipe's inode, the
 * host's files keep their owner, mode and bytes.
 */
START_TEST(stdio_host_files_unreachable)
{
	char out[65536], err[65536], text[256];
	struct stat st;
	const char *job = path_in("job.log"), *input = path_in("input.txt"), *dev = path_in("null");

	write_file(input, "the input\n", 0444);
	ck_assert_int_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
	ck_assert_int_eq(chmod(dev, 0666), 0);
	/* stdout a file, stdin a file, stderr a device. */
	int in = open(input, O_RDONLY | O_CLOEXEC);
	int o = open(job, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int e = open(dev, O_WRONLY | O_CLOEXEC);
	const char *args[] = {"-q",
			      "--",
			      "sh",
			      "-c",
			      "chmod 4755 /proc/self/fd/1; chown 1234 /proc/self/fd/0; "
			      "chmod 666 /proc/self/fd/0; chmod 600 /proc/self/fd/2; "
			      "echo rewritten >/proc/self/fd/0; cat; echo done",
			      NULL};
	int status = status_of(start(in, o, e, args));
	close(in);
	close(o);
	close(e);
	ck_assert_int_eq(stat(job, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0644, "job.log is now %04o (was 0644)",
		      st.st_mode & 07777);
	ck_assert_int_eq(stat(input, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0444 && st.st_uid == 0,
		      "input.txt is now %04o, uid %u (was 0444, 0)", st.st_mode & 07777,
		      (unsigned)st.st_uid);
	ck_assert_str_eq(slurp(input, text, sizeof(text)), "the input\n");
	ck_assert_int_eq(stat(dev, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0666, "the device node is now %04o (was 0666)",
		      st.st_mode & 07777);
	/* What the container wrote into its stdin pipe came back to cat, with
	 * its input (in whichever order the two reached the pipe). */
	ck_assert_msg(status == 0, "exit %d", status);
	slurp(job, out, sizeof(out));
	ck_assert_msg(strcmp(out, "rewritten\nthe input\ndone\n") == 0 ||
			  strcmp(out, "the input\nrewritten\ndone\n") == 0,
		      "job.log: '%.1500s'", out);
	(void)err;
}
END_TEST

/* What the container sees: pipes for a file and for /dev/null, and the
 * caller's own pipe passed as it is (a pipe's inode is on no filesystem;
 * see stdio.c): the same pipe inode inside as here. */
START_TEST(stdio_what_the_container_holds)
{
	char out[65536], err[65536];
	const char *args[] = {"-q", "--", "inspect", NULL};

	ck_assert_int_eq(run_files(NULL, out, err, sizeof(out), args), 0);
	ck_assert_str_eq(row(out, "stdin"), "pipe");
	ck_assert_str_eq(row(out, "stdout"), "pipe");
	ck_assert_str_eq(row(out, "stderr"), "pipe");
	ck_assert_str_eq(row(out, "session"), "own");

	int p[2];
	struct stat st;
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(fstat(p[0], &st), 0);
	int e = open(path_in("err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *rargs[] = {"-q", "--", "readlink", "/proc/self/fd/1", NULL};
	pid_t pid = start(p[0], p[1], e, rargs);
	close(p[1]);
	close(e);
	ssize_t n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	ck_assert_int_eq(status_of(pid), 0);
	close(p[0]);
	char want[64];
	snprintf(want, sizeof(want), "pipe:[%lu]\n", (unsigned long)st.st_ino);
	ck_assert_str_eq(out, want);

	/* Started with stdin closed: /dev/null in its place, relayed - not
	 * one of nutshell's own descriptors that took the number 0. */
	int o = open(path_in("out"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	e = open(path_in("err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *closed[] = {"-q", "--", "readlink", "/proc/self/fd/0", NULL};
	ck_assert_int_eq(status_of(start(-1, o, e, closed)), 0);
	close(o);
	close(e);
	ck_assert_msg(strncmp(slurp(path_in("out"), out, sizeof(out)), "pipe:[", 6) == 0,
		      "stdin closed: the container's fd 0 is '%.200s'", out);
}
END_TEST

/* The relay keeps the semantics: end of input reaches the container, all
 * output is out before nutshell exits (a megabyte, appended to a file
 * opened O_APPEND), stdout and stderr into one file stay in the order
 * written, and the exit status is COMMAND's. */
START_TEST(stdio_relay_exact)
{
	static char out[1 << 21], err[65536], big[200001];
	const char *input = path_in("big.txt");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	write_file(input, big, 0644);
	const char *cat[] = {"-q", "--", "sh", "-c", "cat; echo end; exit 42", NULL};
	ck_assert_int_eq(run_files(input, out, err, sizeof(out), cat), 42);
	ck_assert_uint_eq(strlen(out), strlen(big) + 4);
	ck_assert_msg(strncmp(out, big, strlen(big)) == 0 &&
			  strcmp(out + strlen(big), "end\n") == 0,
		      "stdin did not arrive whole");

	/* 2>&1 into a file opened O_APPEND. */
	const char *app = path_in("append.log");
	write_file(app, "before\n", 0644);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int o = open(app, O_WRONLY | O_APPEND | O_CLOEXEC);
	const char *order[] = {
	    "-q",
	    "--",
	    "sh",
	    "-c",
	    "echo a; echo b >&2; echo c; head -c 1048576 /dev/zero | tr '\\0' y; echo; echo d >&2",
	    NULL};
	ck_assert_int_eq(status_of(start(in, o, o, order)), 0);
	close(in);
	close(o);
	slurp(app, out, sizeof(out));
	/* In a chroot nutshell's own warning comes first on its stderr, which
	 * is this file too: not the container's output. */
	const char *warning = "nutshell: warning: the container is not isolated";
	if (host_in_chroot() && strncmp(out + 7, warning, strlen(warning)) == 0) {
		char *end = strchr(out + 7, '\n');
		ck_assert_ptr_nonnull(end);
		memmove(out + 7, end + 1, strlen(end + 1) + 1);
	}
	ck_assert_uint_eq(strlen(out), 7 + 6 + 1048576 + 1 + 2);
	ck_assert_msg(strncmp(out, "before\na\nb\nc\nyyy", 16) == 0, "order: '%.20s'", out);
	ck_assert_str_eq(out + strlen(out) - 3, "\nd\n");

	/* stdin at end of file at once; the container exits without reading. */
	const char *quick[] = {"-q", "--", "sh", "-c", "read x; echo \"[$x]\" $?", NULL};
	ck_assert_int_eq(run_files(NULL, out, err, sizeof(out), quick), 0);
	ck_assert_str_eq(out, "[] 1\n");
}
END_TEST

Suite *
suite_session(void)
{
	Suite *s = suite_create("session");

	ADD(s, tiocsti_refused_without_seccomp);
	ADD(s, tiocsti_session_seen_by_inspect);
	ADD(s, session_kill0_spares_callers_group);
	ADD(s, session_signalled_nutshell_cleans_up);
	ADD(s, stdio_host_files_unreachable);
	ADD(s, stdio_what_the_container_holds);
	ADD(s, stdio_relay_exact);
	session_add_user(s); /* test_session_user.c */
	return s;
}
