/*
 * waiting.h - waiting with a deadline, and Ctrl-C that ends a wait instead
 * of the program: for any program that runs a child and must clean up after
 * it (a cgroup to remove, a scratch directory to delete), whatever lesson it
 * belongs to.
 *
 * The signals that ask a program to stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT)
 * are blocked and read from a signalfd(2), so a wait sees them as EINTR and
 * the program goes on to its cleanup. Read: signalfd(2), waitid(2).
 */
#ifndef NUTSHELL_WAITING_H
#define NUTSHELL_WAITING_H

#include <signal.h>
#include <sys/types.h>

/* The signals that ask a program to stop: SIGINT, SIGTERM, SIGHUP, SIGQUIT. */
void wait_stop_signals(sigset_t *set);

/*
 * Blocks wait_stop_signals() and returns a signalfd for them (-1 with errno
 * on failure), so Ctrl-C ends a wait (wait_child, wait_sleep) instead of the
 * program, and the program cleans up. A child calls wait_unblock_signals()
 * first.
 */
int wait_block_signals(void);
void wait_unblock_signals(void);

/*
 * For a parent that waits for a container: the stop signals and the two
 * its loop reads as well, its child's end (SIGCHLD) and a resized terminal
 * (SIGWINCH), blocked; a signalfd for them (close-on-exec, blocking), or
 * -1 with the error record set (err.h).
 */
int wait_signals_to_fd(void);

/*
 * A scratch directory from TEMPLATE (mkdtemp(3), "/tmp/nutshell-NAME.XXXXXX")
 * with wait_stop_signals() blocked from before it exists (the mask as it
 * was into OLD): Ctrl-C then waits until the program has removed it and
 * restored OLD. 0, or -1 with the error recorded (err.h) and OLD restored.
 */
int wait_guarded_tmpdir(char *template, sigset_t *old);

/*
 * Waits for child PID for at most SECONDS (or until a signal arrives on
 * sigfd, -1 for none): the one wait4(2) that reaps it is traced, its end
 * narrated. Returns 0, or -1 with ETIMEDOUT or EINTR (the child still runs:
 * kill it, then wait again).
 */
int wait_child(pid_t pid, int *status, double seconds, int sigfd);

/* Sleeps SECONDS unless a signal arrives on sigfd: 0, or -1 with EINTR. */
int wait_sleep(double seconds, int sigfd);

/*
 * The stop signal that ended a wait (wait_sleep and wait_child read it from
 * the sigfd), SIGINT for a Ctrl-C at a --step pause (trace_cfg.interrupted),
 * or one pending while blocked (sigpending(2)); 0 when none came. A program
 * checks it before it starts a child (no child after Ctrl-C) and after its
 * cleanup.
 */
int wait_stopped(void);

/* After such a signal and the cleanup: says "interrupted; cleaned up" (one
 * line, as nutshell does) and returns the status to exit with, 128 + the
 * signal's number (130 for Ctrl-C). */
int wait_stopped_exit(void);

/*
 * SIZE bytes, zeroed, shared with the children the caller forks or clones
 * after it (mmap(2) MAP_SHARED|MAP_ANONYMOUS): where a child leaves what it
 * saw for the parent, also after being killed. The page is charged to the
 * caller's cgroup, not the child's. NULL with the error recorded (err.h).
 */
void *wait_shared_page(size_t size);

/* Seconds since an arbitrary point (CLOCK_MONOTONIC). */
double wait_now(void);

#endif
