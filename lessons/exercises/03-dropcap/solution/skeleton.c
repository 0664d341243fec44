/*
 * Exercise 03-dropcap - root without CAP_CHOWN.
 * (The reference solution: the TODO done.)
 *
 * The program makes a file, gives it to uid 65534 with chown(2), and starts
 * a child (still root) that tries to chown it back to root. (The trace names
 * fchownat(AT_FDCWD, ...): arm64 has no chown call, and that one is the
 * same on x86-64 and arm64.) Root's power to change a file's owner is one
 * capability, CAP_CHOWN (capabilities(7)):
 *
 *   TODO 1  in the child, drop CAP_CHOWN from every set with caps_drop()
 *           (03-capabilities/caps.h) before its chown.
 *
 * The child's chown must then fail with EPERM, while the parent, which kept
 * the capability, still can. The file is removed at the end.
 * Build and grade:  sudo make grade EX=03-dropcap
 * Run it yourself:  sudo ./lessons/exercises/03-dropcap/skeleton
 * Read:             capabilities(7), chown(2), prctl(2) (PR_CAPBSET_DROP).
 */
#include "03-capabilities/caps.h"
#include "common/decode.h"
#include "common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[] = "/tmp/nutshell-ex-dropcap.XXXXXX";

static int
give(const char *who, uid_t uid)
{
	int ret = (int)TRACE(fchownat(AT_FDCWD, path, uid, uid, 0), "fchownat",
			     "AT_FDCWD, %s, %d, %d, 0", trace_str(path), (int)uid, (int)uid);
	trace_fact(who, "%s", ret == 0 ? "0" : dec_errno(errno));
	return ret;
}

static int
child_main(void)
{
	struct caps_state st;

	/* TODO 1, done: gone from bounding, effective, permitted, inheritable
	 * and ambient; the parent, another process, keeps it. */
	if (caps_drop(CAP_CHOWN) != 0)
		return EXIT_DEMO_FAILED;

	if (caps_show(0, &st) != 0)
		return EXIT_DEMO_FAILED;
	trace_fact("child_cap_chown", "%s",
		   st.set[CAPS_EFFECTIVE] & (1ULL << CAP_CHOWN) ? "yes" : "no");
	return give("child_chown", 0) == -1 && errno == EPERM ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 03-dropcap: without CAP_CHOWN, root cannot give a file away.",
};

int
main(int argc, char **argv)
{
	int status = -1, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	int fd = mkstemp(path);
	if (fd < 0) {
		trace_fail("mkstemp");
		return EXIT_DEMO_FAILED;
	}
	close(fd);
	if (give("parent_chown_before", 65534) != 0)
		goto out;

	trace_begin("clone",
		    "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main());
	if (trace_end(pid) < 0)
		goto out;
	if (TRACE(waitpid(pid, &status, 0), "wait4", "%d, &status, 0, NULL", (int)pid) < 0)
		goto out;
	trace_note("child %s", dec_wait_status(status));
	ok = give("parent_chown_after", 0) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("the child's chown back to root: %s; the parent's: %s\n",
	       ok || (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? "refused" : "allowed",
	       ok ? "allowed" : "see the trace");
out:
	unlink(path);
	return ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
