/*
 * ocicycle - one container's life through an OCI runtime's command line,
 * as an engine's shim drives it: create, start, wait for the exit, delete.
 *
 *	bench/ocicycle BUNDLE ID RUNTIME [GLOBAL-OPTION...]
 *
 * runs RUNTIME [GLOBAL-OPTION...] create --bundle BUNDLE --pid-file
 * BUNDLE/ID.pid ID, then ... start ID, waits for the container's init (this
 * program is a child subreaper, prctl(2) PR_SET_CHILD_SUBREAPER, as
 * containerd's shim and podman's conmon are: create leaves init behind, and
 * it is reparented here), then ... delete ID. bench/timer times the whole
 * (make bench, the "OCI path" table), so runc, crun and nutshell are timed
 * on the same bundle doing the same four steps.
 *
 * Exit status 0 when every step exited 0 and init did too; else 1, with one
 * line on stderr naming the step (and the runtime's own lines before it).
 * With OCICYCLE_STEPS set, each step's time on stderr: "step create 3.120
 * ms" (where an OCI path's time goes, make bench's steps rows).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

static double last_ms;

/* With OCICYCLE_STEPS: the time since the last stamp, named. */
static void
stamp(const char *what)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	double now = (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
	if (what && getenv("OCICYCLE_STEPS"))
		fprintf(stderr, "step %s %.3f ms\n", what, now - last_ms);
	last_ms = now;
}

/* RUNTIME GLOBAL... STEP [ARG...] into argv; its exit status, or -1. */
static int
step(char **rt, int nrt, char *const args[])
{
	char *argv[MAX_ARGS];
	int n = 0, status;

	for (int i = 0; i < nrt && n < MAX_ARGS - 8; i++)
		argv[n++] = rt[i];
	for (int i = 0; args[i] && n < MAX_ARGS - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "ocicycle: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
fail(const char *what, const char *id, int rc)
{
	fprintf(stderr, "ocicycle: %s %s: exit %d\n", what, id, rc);
	return 1;
}

int
main(int argc, char **argv)
{
	char pidfile[4096];
	int status;

	if (argc < 4) {
		fprintf(stderr, "usage: ocicycle BUNDLE ID RUNTIME [GLOBAL-OPTION...]\n");
		return 2;
	}
	char *bundle = argv[1], *id = argv[2], **rt = argv + 3;
	int nrt = argc - 3;
	snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", bundle, id);
	/* A closed stderr (a reader gone) must not end us between create and
	 * delete: the container's init would wait on its fifo for ever,
	 * holding whatever our caller left open (a lock file). */
	signal(SIGPIPE, SIG_IGN);
	/* Orphans of create (the container's init) come to us, not to pid 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("ocicycle: prctl PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	stamp(NULL);
	char *create[] = {"create", "--bundle", bundle, "--pid-file", pidfile, id, NULL};
	int rc = step(rt, nrt, create);
	if (rc != 0)
		return fail("create", id, rc);
	stamp("create");
	FILE *f = fopen(pidfile, "r");
	long init = 0;
	if (!f || fscanf(f, "%ld", &init) != 1 || init <= 0) {
		char *force[] = {"delete", "--force", id, NULL};
		step(rt, nrt, force);
		fprintf(stderr, "ocicycle: %s: no pid in it\n", pidfile);
		return 1;
	}
	fclose(f);
	unlink(pidfile);
	char *start[] = {"start", id, NULL};
	rc = step(rt, nrt, start);
	if (rc != 0) {
		char *force[] = {"delete", "--force", id, NULL};
		step(rt, nrt, force);
		return fail("start", id, rc);
	}
	stamp("start");
	while (waitpid((pid_t)init, &status, 0) < 0)
		if (errno != EINTR) {
			perror("ocicycle: waitpid init");
			return 1;
		}
	stamp("wait");
	char *del[] = {"delete", id, NULL};
	rc = step(rt, nrt, del);
	if (rc != 0)
		return fail("delete", id, rc);
	stamp("delete");
	/* Any other orphan of the runtime's, reaped. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ocicycle: %s: the container's init ended with status 0x%x\n", id,
			status);
		return 1;
	}
	return 0;
}
