/*
 * gain - how capabilities come back at execve(2), and what stops them.
 *
 * A process without capabilities gets some at execve(2) in three ways, each
 * tried here by a child that runs as uid 65534 (nobody) and executes a copy
 * of this program that this program made in a directory of its own (the
 * copies, the file capabilities and the change of uid: caps_exec.c):
 *   file capabilities  the copy carries the extended attribute
 *                      security.capability = cap_net_bind_service=ep, as
 *                      setcap(8) writes it (libcap's cap_set_file);
 *   ambient            the child keeps CAP_NET_BIND_SERVICE through its
 *                      change of uid, raises it to ambient, runs a plain copy;
 *   set-uid root       the copy is owned by root, mode 4755.
 * The executed copy sends its /proc/self/status back on a pipe: its CapEff
 * is the gain. Then all three again with CAP_NET_BIND_SERVICE dropped from
 * the bounding set first, and again with no_new_privs set first.
 *
 * System calls: setxattr(2) (cap_set_file), fchmod(2), clone(2), prctl(2)
 *               PR_CAPBSET_DROP, PR_SET_KEEPCAPS, PR_CAP_AMBIENT,
 *               PR_SET_NO_NEW_PRIVS, capset(2), setgroups(2), setresgid(2),
 *               setresuid(2), execve(2), wait4(2).
 * /proc:        /proc/self/status of the executed copy: Uid, CapEff, CapAmb.
 * Look for:     CapEff CAP_NET_BIND_SERVICE after each gain; with the bounding
 *               set reduced execve = EPERM, capset = EPERM and a set-uid root
 *               without it; with no_new_privs euid 65534 and nothing gained,
 *               except ambient: a capability the process already had.
 * Read:         capabilities(7) ("Transformation of capabilities during
 *               execve()"), prctl(2), setcap(8), execve(2).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#define GAIN	 CAP_NET_BIND_SERVICE
#define NOBODY	 65534
#define FILE_CAP "cap_net_bind_service=ep"

enum way { FILE_CAPS, AMBIENT, SET_UID, N_WAYS };
enum block { NOTHING, BOUNDING, NO_NEW_PRIVS, N_BLOCKS };

static const char *const way_names[N_WAYS] = {"file capabilities", "ambient", "set-uid root"};
static const char *const way_keys[N_WAYS] = {"file_caps", "ambient", "set_uid"};
static const char *const block_titles[N_BLOCKS] = {
    "nothing in the way", "CAP_NET_BIND_SERVICE dropped from the bounding set first",
    "no_new_privs set first"};
static const char *const block_keys[N_BLOCKS] = {"", "_bounding", "_nnp"};
/* Gained? Ambient passes no_new_privs: it gains nothing new at execve(2),
 * the process held the capability already. */
static const int expect[N_WAYS][N_BLOCKS] = {{1, 0, 0}, {1, 0, 1}, {1, 0, 0}};

static char dir[] = "/tmp/nutshell-gain.XXXXXX";
static char copy[N_WAYS][64]; /* the copy each way executes (ambient: a plain one) */

struct attempt {
	enum way way;
	enum block block;
	int fd; /* the pipe's write end */
};

/* <<< attempt */
static int
attempt(void *arg)
{
	const struct attempt *a = arg;
	char *const argv[] = {"gain", "--report-caps", NULL};

	/* Both need CAP_SETPCAP (bounding) or nothing (no_new_privs): as root. */
	if (a->block == BOUNDING && caps_drop(GAIN) == -1)
		return EXIT_DEMO_FAILED;
	if (a->block == NO_NEW_PRIVS && caps_set_no_new_privs() == -1)
		return EXIT_DEMO_FAILED;
	if (caps_become(NOBODY, NOBODY, a->way == AMBIENT) == -1)
		return EXIT_DEMO_FAILED;
	/* Ambient needs the capability permitted and inheritable; the kernel
	 * refuses an inheritable one outside the bounding set. */
	if (a->way == AMBIENT && caps_raise_ambient(GAIN) == -1)
		dprintf(a->fd, "Raise:\t%s\n", dec_errno(errno));
	caps_show(0, NULL);
	/* The copy writes its status to stdout: the pipe. */
	if (dup2(a->fd, STDOUT_FILENO) == -1)
		return EXIT_DEMO_FAILED;
	/* On success execve(2) does not return: no "= 0" line, the copy answers. */
	trace_note("execve(%s): the copy reports on the pipe", copy[a->way]);
	TRACE(execv(copy[a->way], argv), "execve", "%s, [\"gain\", \"--report-caps\"], %p",
	      trace_str(copy[a->way]), (void *)environ);
	dprintf(a->fd, "Execve:\t%s\n", dec_errno(errno));
	return EXIT_DEMO_OK;
}
/* >>> attempt */

/* Runs one attempt; prints and records what the executed copy got.
 * Returns 1 when the outcome is the expected one. */
static int
try(enum way way, enum block block)
{
	struct attempt a = {way, block, -1};
	struct caps_state st = {0};
	char text[8192], key[64], value[64], uids[64] = "", names[900], what[1024];
	int p[2], status, last = caps_last_cap();
	size_t len = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return 0;
	a.fd = p[1];
	fflush(stdout);
	pid_t pid = ns_clone(SIGCHLD, attempt, &a);
	close(p[1]);
	while (pid > 0 && len < sizeof(text) - 1 &&
	       (n = read(p[0], text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = '\0';
	close(p[0]);
	if (pid == -1 || ns_wait(pid, &status) == -1 || status != 0)
		return 0;

	snprintf(key, sizeof(key), "%s%s", way_keys[way], block_keys[block]);
	if (proc_parse_status(text, "Execve", value, sizeof(value)) == 0) {
		snprintf(what, sizeof(what),
			 "execve = %s: the file wants more than bounding allows", value);
		trace_fact_kv(key, "_execve", value);
	} else if (caps_parse_status(text, &st) == 0 &&
		   proc_parse_status(text, "Uid", uids, sizeof(uids)) == 0) {
		unsigned ruid = 0, euid = 0;

		sscanf(uids, "%u %u", &ruid, &euid);
		snprintf(what, sizeof(what), "uid %u euid %-5u CapEff %s", ruid, euid,
			 caps_describe(st.set[CAPS_EFFECTIVE], last, names, sizeof(names)));
		snprintf(value, sizeof(value), "%u", euid);
		trace_fact_kv(key, "_euid", value);
		snprintf(value, sizeof(value), "%016" PRIx64, st.set[CAPS_EFFECTIVE]);
		trace_fact_kv(key, "_capeff", value);
		trace_proc("/proc/self/status of the executed copy", what);
	} else {
		return 0;
	}
	if (proc_parse_status(text, "Raise", value, sizeof(value)) == 0) {
		trace_fact_kv(key, "_raise", value);
		printf("  %-18s capset = %s, no ambient; %s\n", way_names[way], value, what);
	} else {
		printf("  %-18s %s\n", way_names[way], what);
	}
	int gained = (st.set[CAPS_EFFECTIVE] >> GAIN) & 1;
	trace_fact(key, "%s", gained ? "gained" : "blocked");
	return gained == expect[way][block];
}

static const struct trace_prog prog = {
    .name = "gain",
    .synopsis = "",
    .about = "As uid 65534, gains CAP_NET_BIND_SERVICE at execve(2) three ways: file\n"
	     "capabilities on a copy of this program, the ambient set, a set-uid root copy;\n"
	     "then with the bounding set reduced, which blocks all three, and with\n"
	     "no_new_privs, which blocks all but ambient. Needs root.",
    .look_for = "CapEff CAP_NET_BIND_SERVICE after each gain; with the bounding set reduced\n"
		"execve = EPERM, capset = EPERM and a set-uid root without it; with\n"
		"no_new_privs euid 65534 and nothing gained, except ambient: a capability the\n"
		"process already had.",
};

int
main(int argc, char **argv)
{
	sigset_t old;
	char back[256];
	int ok = 1, ret = EXIT_DEMO_FAILED;

	/* <<< report */
	/* The executed copy: what it got, as the kernel says (its
	 * /proc/self/status), to whoever asked. Set-uid or with file
	 * capabilities (AT_SECURE) it does that one thing: its options must not make it, say, write a
	 * --json FILE as root for whoever runs it. */
	if (argc == 2 && strcmp(argv[1], "--report-caps") == 0)
		return proc_copy("/proc/self/status", STDOUT_FILENO) == 0 ? 0 : 1;
	if (getauxval(AT_SECURE)) {
		fprintf(stderr, "gain: privileged by set-uid or file capabilities; refusing\n");
		return EXIT_USAGE;
	}
	/* >>> report */
	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'gain --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	/* A set-uid root copy must not outlive us: Ctrl-C waits for the cleanup. */
	if (wait_guarded_tmpdir(dir, &old) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* Root's, group 65534 may enter: nobody runs the copies, others cannot. */
	if (chown(dir, 0, NOBODY) == -1 || chmod(dir, 0710) == -1) {
		trace_fail(dir);
		goto out;
	}
	snprintf(copy[FILE_CAPS], sizeof(copy[0]), "%s/file-caps", dir);
	snprintf(copy[AMBIENT], sizeof(copy[0]), "%s/plain", dir);
	snprintf(copy[SET_UID], sizeof(copy[0]), "%s/set-uid", dir);
	if (caps_copy_self(copy[AMBIENT], 0755) == -1 ||
	    caps_copy_self(copy[FILE_CAPS], 0755) == -1 ||
	    caps_copy_self(copy[SET_UID], 04755) == -1 ||
	    caps_set_file(copy[FILE_CAPS], FILE_CAP, back, sizeof(back)) == -1) {
		err_print();
		goto out;
	}
	if (back[0]) {
		trace_fact("file_caps_xattr", "%s", back);
		printf("%s: %s (as 'getcap' shows it)\n", copy[FILE_CAPS], back);
	}
	for (int b = 0; b < N_BLOCKS; b++) {
		printf("\nas uid 65534, %s:\n", block_titles[b]);
		trace_note("as uid 65534, %s", block_titles[b]);
		for (int w = 0; w < N_WAYS; w++)
			ok &= try((enum way)w, (enum block)b);
	}
	if (ok) {
		ret = EXIT_DEMO_OK;
		printf(
		    "\nThe bounding set caps every gain at execve(2): file permitted & bounding;\n"
		    "set-uid root gets the bounding set. no_new_privs makes execve(2) ignore\n"
		    "file capabilities and set-uid bits. Ambient only carries what the process\n"
		    "already had. The launcher reduces bounding to Docker's 14, clears ambient\n"
		    "and inheritable, and sets no_new_privs.\n");
	} else {
		printf("\n%s\n", trace_unexpected());
	}
out:
	for (int w = 0; w < N_WAYS; w++)
		if (copy[w][0])
			unlink(copy[w]);
	rmdir(dir);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
