/*
 * waiting.c - waiting with a deadline, interrupted by a signalfd (see
 * waiting.h).
 */
#include "waiting.h"
#include "decode.h"
#include "err.h"
#include "trace.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void
wait_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

int
wait_block_signals(void)
{
	sigset_t set;

	wait_stop_signals(&set);

	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

void
wait_unblock_signals(void)
{
	sigset_t set;

	wait_stop_signals(&set);

	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int stopped_by; /* the signal a wait read from its sigfd */

int
wait_stopped(void)
{
	sigset_t stop, pending;

	if (stopped_by)
		return stopped_by;
	if (trace_cfg.interrupted)
		return SIGINT;
	/* One that came while they were blocked and no wait has read yet
	 * (wait_guarded_tmpdir blocks them without a signalfd). */
	wait_stop_signals(&stop);
	if (sigpending(&pending) == 0)
		for (int sig = 1; sig < NSIG; sig++)
			if (sigismember(&stop, sig) == 1 && sigismember(&pending, sig) == 1)
				return sig;
	return 0;
}

int
wait_stopped_exit(void)
{
	trace_error("interrupted; cleaned up");
	return 128 + (wait_stopped() ? wait_stopped() : SIGINT);
}

double
wait_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void *
wait_shared_page(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		err_sys("mmap of %zu bytes to share with a child", size);
		return NULL;
	}
	return p;
}

int
wait_sleep(double seconds, int sigfd)
{
	double end = wait_now() + seconds;

	for (double left = seconds; left > 0; left = end - wait_now()) {
		struct pollfd p = {.fd = sigfd, .events = POLLIN};

		if (poll(&p, sigfd >= 0 ? 1 : 0, (int)(left * 1000) + 1) > 0) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) > 0) {
				stopped_by = (int)si.ssi_signo;
				trace_note("interrupted by %s: cleaning up",
					   dec_signal((int)si.ssi_signo));
			}
			errno = EINTR;
			return -1;
		}
	}
	return 0;
}

int
wait_child(pid_t pid, int *status, double seconds, int sigfd)
{
	double end = wait_now() + seconds;

	for (;;) {
		siginfo_t si = {0};

		/* WNOWAIT: only look; the wait4 below reaps, and is traced. */
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
			return -1;
		if (si.si_pid == pid)
			break;
		if (wait_now() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (wait_sleep(0.01, sigfd) != 0)
			return -1;
	}
	if (TRACE(wait4(pid, status, 0, NULL), "wait4", "%d, &status, 0, NULL", (int)pid) == -1)
		return -1;
	trace_note("child %d %s", (int)pid, dec_wait_status(*status));
	return 0;
}

int
wait_guarded_tmpdir(char *template, sigset_t *old)
{
	sigset_t guard;

	wait_stop_signals(&guard);
	if (sigprocmask(SIG_BLOCK, &guard, old) == -1)
		return err_sys("sigprocmask(SIG_BLOCK)");
	if (!mkdtemp(template)) {
		err_sys("mkdtemp %s", template);
		sigprocmask(SIG_SETMASK, old, NULL);
		return -1;
	}
	return 0;
}

int
wait_signals_to_fd(void)
{
	sigset_t set;

	wait_stop_signals(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return err_sys("sigprocmask(SIG_BLOCK)");
	int fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd == -1)
		return err_sys("signalfd");
	return fd;
}
