/*
 * oci_run.c - `nutshell run --bundle DIR ID`, runc's `run`: create and
 * start in one, in the foreground. create's init is our own child here (no
 * conmon or shim), so we are its parent: we wait for it, pass SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT on to it (it is in a session of its own, so
 * the terminal's Ctrl-C reaches only us), relay its terminal when
 * process.terminal is true (the pty master comes over a console socket of
 * our own, as an engine's would), and take its exit status: the command's,
 * 128+N when signal N killed it (docker run's convention). oci.c's cmd_run
 * deletes the container after.
 */
#include "oci.h"
#include "ctr.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int
oci_run_console(struct oci_run_console *rc)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(rc->dir, sizeof(rc->dir), "/tmp/nutshell-console.XXXXXX");
	if (!mkdtemp(rc->dir)) {
		rc->dir[0] = '\0';
		return err_sys("console socket directory");
	}
	snprintf(rc->path, sizeof(rc->path), "%s/sock", rc->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", rc->path);
	if ((rc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(rc->fd, (struct sockaddr *)&a, sizeof(a)) == -1 || listen(rc->fd, 1) == -1) {
		err_sys("console socket %s", rc->path);
		if (rc->fd >= 0)
			close(rc->fd);
		rc->fd = -1;
		oci_run_console_remove(rc);
		return -1;
	}
	return 0;
}

void
oci_run_console_remove(struct oci_run_console *rc)
{
	if (rc->dir[0]) {
		unlink(rc->path);
		rmdir(rc->dir);
		rc->dir[0] = '\0';
	}
}

int
oci_run_wait(const struct oci_state *st, int sigfd, int console)
{
	int status, master = -1, stdin_eof = 0;

	/* The master init sent while create set it up: waiting in the
	 * socket's queue since create connected. */
	if (console >= 0) {
		int conn = accept4(console, NULL, NULL, SOCK_CLOEXEC);
		master = conn == -1 ? -1 : ctr_tty_receive(conn);
		if (conn != -1)
			close(conn);
		if (master == -1)
			return err_sys("the container's terminal");
		if (ctr_tty_raw() == -1)
			return -1;
		ctr_tty_winsize(master);
	}
	for (;;) {
		struct pollfd p[3] = {
		    {.fd = sigfd, .events = POLLIN},
		    {.fd = master, .events = POLLIN},
		    {.fd = master < 0 || stdin_eof ? -1 : STDIN_FILENO, .events = POLLIN}};

		if (poll(p, 3, -1) == -1 && errno != EINTR)
			return err_sys("poll");
		if (master >= 0 && (p[1].revents || p[2].revents) &&
		    ctr_tty_relay(master, !stdin_eof, p[2].revents, p[1].revents, &stdin_eof) ==
			-1) {
			close(master);
			master = -1;
		}
		struct signalfd_siginfo si;
		if (!(p[0].revents & POLLIN) || read(sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && master >= 0)
			ctr_tty_winsize(master);
		else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
			TRACE(kill(st->pid, (int)si.ssi_signo), "kill", "%d, %s", (int)st->pid,
			      dec_signal((int)si.ssi_signo));
		if (TRACE(waitpid(st->pid, &status, WNOHANG), "wait4", "%d, &status, WNOHANG, NULL",
			  (int)st->pid) == st->pid)
			break;
	}
	/* What the container still wrote before its end. */
	while (master >= 0 && ctr_tty_relay(master, 0, 0, POLLIN, &stdin_eof) == 0)
		;
	if (master >= 0)
		close(master);
	ctr_tty_restore();
	trace_note("container %s %s", st->id, dec_wait_status(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
