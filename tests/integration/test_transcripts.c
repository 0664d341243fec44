/*
 * test_transcripts.c - the book's transcripts are real, and still true.
 *
 * Every program output BOOK.md shows is a file in book/transcripts/, written
 * by a real run: NAME.trace (standard error, the human trace), NAME.out
 * (standard output), NAME.calls (the system calls of that run, below) and
 * NAME.json (its --json trace, one event a line, which the web book draws
 * with the trace viewer, book/viewer.js).
 *
 *   sudo make transcripts     runs each program and rewrites its three files
 *   sudo make check           (this suite) runs each program again and fails
 *                             when its calls no longer match NAME.calls
 *
 * NAME.calls is the trace reduced to what does not vary between runs: one
 * line per process, its traced calls in order ("clone sethostname wait4",
 * a failed call as "name=ERRNO"), and the lines sorted (processes run in
 * whatever order the scheduler likes). Pids, namespace ids, addresses,
 * times and byte counts are not part of it. The comparison counts each
 * process's calls rather than their order: the JSON names a process by the
 * pid it sees itself, so two processes that are both pid 1 of their own
 * pid namespace (break-pid) share a line, interleaved differently in each
 * run. Three or more of the same call in a row count as one loop, since
 * a loop may run once more in one run than in another (pids kills until
 * its cgroup is empty). A traced call added to or removed from a program
 * changes a count (except one more call inside such a loop).
 *
 * The calls depend on the cgroup layout (v1 files or v2 files, a kill loop
 * or cgroup.kill), so NAME.calls records the layout it was captured on. The
 * cgroup v2 VM lane has a set of its own, book/transcripts/v2/NAME.*,
 * captured there by `make transcripts-vm` (NUTSHELL_TRANSCRIPTS=write-v2 in
 * the guest); on a v2 machine a host transcript from a hybrid layout is
 * compared with that set instead. Only where neither layout matches is the
 * comparison skipped with a note (the program must still exit as it did).
 *
 * Before they are written, the trace, output and JSON lose what belongs to
 * the capturing machine (transcript_norm.h): the checkout's directory, the
 * build sandbox's cgroup, mkdtemp's random names.
 */
#include "../suites.h"
#include "harness.h"
#include "transcript_norm.h"

#include <errno.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the book shows, in the book's order. "PID" in argv is replaced by
 * the pid of a target process the test starts (for enter). */
static const struct shown {
	const char *name;
	const char *argv[10];
	const char *env; /* NAME=VALUE set for this run, or NULL */
	int flags;	 /* RUN_AS_NOBODY: as uid 65534, as the book's setpriv line */
} shown[] = {
    {.name = "01-uts", .argv = {"01-namespaces/uts"}},
    {.name = "01-ipc", .argv = {"01-namespaces/ipc"}},
    {.name = "01-pid", .argv = {"01-namespaces/pid"}},
    {.name = "01-pid1", .argv = {"01-namespaces/pid1"}},
    {.name = "01-mnt", .argv = {"01-namespaces/mnt"}},
    {.name = "01-cgroupns", .argv = {"01-namespaces/cgroupns"}},
    {.name = "01-time", .argv = {"01-namespaces/time", "--offset", "86400"}},
    {.name = "01-break-pid", .argv = {"01-namespaces/break-pid"}},
    {.name = "01-net", .argv = {"01-namespaces/net"}},
    {.name = "01-user", .argv = {"01-namespaces/user"}},
    {.name = "01-enter",
     .argv = {"01-namespaces/enter", "--target", "PID", "--ns", "uts", "--", "hostname"}},
    {.name = "01-break-net", .argv = {"01-namespaces/break-net"}},
    {.name = "02-memory", .argv = {"02-cgroups/memory"}},
    {.name = "02-memory-high", .argv = {"02-cgroups/memory-high"}},
    {.name = "02-pids", .argv = {"02-cgroups/pids"}},
    /* "Try it" of chapter 2: other limits than the chapter's runs. */
    {.name = "02-try-pids", .argv = {"02-cgroups/pids", "--max", "4"}},
    {.name = "02-try-memory", .argv = {"02-cgroups/memory", "--limit", "16M"}},
    {.name = "02-try-cpu", .argv = {"02-cgroups/cpu", "--cpus", "0.5"}},
    {.name = "02-cpu", .argv = {"02-cgroups/cpu"}},
    {.name = "02-freeze", .argv = {"02-cgroups/freeze"}},
    {.name = "02-io", .argv = {"02-cgroups/io"}},
    {.name = "02-devices", .argv = {"02-cgroups/devices"}},
    {.name = "03-sets", .argv = {"03-capabilities/sets"}},
    {.name = "03-drop", .argv = {"03-capabilities/drop"}},
    /* "Try it" of chapter 3: the sets inside a user namespace, and the
     * capability whose loss changes nothing on its own. */
    {.name = "03-try-sets-userns", .argv = {"03-capabilities/sets", "--userns"}},
    {.name = "03-try-drop-dac-read",
     .argv = {"03-capabilities/drop", "--cap", "CAP_DAC_READ_SEARCH"}},
    {.name = "03-try-profile", .argv = {"03-capabilities/seccomp", "--show-profile"}},
    {.name = "03-sysadmin", .argv = {"03-capabilities/sysadmin"}},
    {.name = "03-gain", .argv = {"03-capabilities/gain"}},
    {.name = "03-seccomp", .argv = {"03-capabilities/seccomp"}},
    {.name = "03-shocker", .argv = {"03-capabilities/shocker"}},
    {.name = "04-layers", .argv = {"04-overlay-chroot/layers"}},
    {.name = "04-chroot", .argv = {"04-overlay-chroot/chroot"}},
    {.name = "04-escape", .argv = {"04-overlay-chroot/escape"}},
    {.name = "04-pivot", .argv = {"04-overlay-chroot/pivot"}},
    {.name = "04-newmount", .argv = {"04-overlay-chroot/newmount"}},
    {.name = "05-inspect", .argv = {"05-full-container/inspect"}},
    {.name = "05-run-inspect",
     .argv = {"05-full-container/nutshell", "run", "--hostname", "box", "--", "inspect"}},
    {.name = "05-userns",
     .argv = {"05-full-container/nutshell", "run", "--userns", "--", "stat", "-c", "%u:%g:%n",
	      "/bin/busybox", "/etc"}},
    /* "Try it" of chapter 5: the default capabilities seen from inside,
     * and bad input costing one line. */
    {.name = "05-try-caps",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "grep", "Cap", "/proc/self/status"}},
    {.name = "05-try-hostname",
     .argv = {"05-full-container/nutshell", "run", "-q", "--hostname", "try", "--", "hostname"}},
    {.name = "05-try-pids-limit",
     .argv = {"05-full-container/nutshell", "run", "-q", "--pids-limit", "5", "--", "sh", "-c",
	      "for i in 1 2 3 4 5 6; do sleep 1 & done; wait"}},
    {.name = "05-try-userns-id",
     .argv = {"05-full-container/nutshell", "run", "-q", "--userns", "--", "id"}},
    {.name = "05-try-read-only",
     .argv = {"05-full-container/nutshell", "run", "-q", "--read-only", "--", "touch", "/x"}},
    {.name = "05-try-bad-input",
     .argv = {"05-full-container/nutshell", "run", "--pids-limit", "0", "--", "true"}},
    {.name = "05-timings",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "true"},
     .env = "NUTSHELL_TIMINGS=1"},
    /* "Try it" of the sections that had none (issue 19). */
    {.name = "01-try-ipc", .argv = {"01-namespaces/ipc", "-v"}},
    {.name = "01-try-pid-ps",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "ps", "-o", "pid,ppid,comm"}},
    {.name = "01-try-mnt", .argv = {"01-namespaces/mnt", "-v"}},
    {.name = "01-try-cgroupns", .argv = {"01-namespaces/cgroupns", "-v"}},
    {.name = "01-try-time", .argv = {"01-namespaces/time", "--offset", "3600"}},
    {.name = "01-try-break-pid", .argv = {"01-namespaces/break-pid", "-q"}},
    {.name = "02-try-doctor", .argv = {"05-full-container/doctor"}},
    {.name = "02-try-freeze", .argv = {"02-cgroups/freeze", "-v"}},
    {.name = "02-try-devices", .argv = {"02-cgroups/devices", "-q"}},
    {.name = "02-try-outside",
     .argv = {"05-full-container/nutshell", "run", "-q", "--memory", "64M", "--", "cat",
	      "/proc/self/cgroup"}},
    {.name = "03-try-sysadmin",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "mount -t tmpfs x /mnt; echo mount: $?"}},
    {.name = "03-try-nnp",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "grep", "NoNewPrivs",
	      "/proc/self/status"}},
    {.name = "03-try-cap-drop",
     .argv = {"05-full-container/nutshell", "run", "-q", "--cap-drop", "ALL", "--", "grep",
	      "CapEff", "/proc/self/status"}},
    {.name = "03-try-seccomp",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "grep", "Seccomp",
	      "/proc/self/status"}},
    {.name = "03-try-shocker",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "inspect --probes | grep -E 'open_by_handle_at|init_module'"}},
    {.name = "04-try-layers",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "grep ' / / ' /proc/self/mountinfo"}},
    {.name = "04-try-whiteout",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "rm /bin/ls && test ! -e /bin/ls && echo gone"}},
    {.name = "04-try-image-limit",
     .argv = {"04-overlay-chroot/unpack", "--max-size", "1K", "ROOT/images/busybox-oci", "/tmp"}},
    {.name = "04-try-proc-root",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "ls", "/proc/1/root/"}},
    {.name = "04-try-pivot",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "inspect | grep -E '^(root_fstype|old_root_visible|mounts) '"}},
    {.name = "04-try-propagation",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "grep -c shared: /proc/self/mountinfo"}},
    {.name = "04-try-dev", .argv = {"05-full-container/nutshell", "run", "-q", "--", "ls", "/dev"}},
    {.name = "04-try-newmount",
     .argv = {"05-full-container/nutshell", "run", "--volume", "ROOT/book:/book:ro", "--", "true"}},
    {.name = "04-try-targets",
     .argv = {"05-full-container/nutshell", "run", "-q", "--layer",
	      "ROOT/book/fixtures/proc-escape", "--", "true"}},
    {.name = "05-try-veth",
     .argv = {"05-full-container/nutshell", "run", "-q", "--network", "veth", "--", "ip", "-4",
	      "addr"}},
    {.name = "05-try-user-limits",
     .argv = {"05-full-container/nutshell", "run", "-q", "--user", "1000", "--", "sh", "-c",
	      "id -u; cat /proc/self/uid_map"}},
    {.name = "05-try-session",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "inspect | grep -E '^(sid|pgid|session|controlling_terminal) '"}},
    {.name = "05-try-inspect-userns",
     .argv = {"05-full-container/nutshell", "run", "-q", "--userns", "--", "sh", "-c",
	      "inspect | grep -E '^(uid_map|cap_eff) '"}},
    {.name = "05-try-probes",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "inspect --probes | grep -c ALLOWED"}},
    {.name = "05-try-rootless",
     .argv = {"05-full-container/nutshell", "run", "-q", "--", "sh", "-c",
	      "id; cat /proc/self/uid_map"},
     .flags = RUN_AS_NOBODY},
    {.name = "05-try-self-exe",
     .argv = {"05-full-container/nutshell", "run", "-q", "--init", "--cap-add", "SYS_PTRACE", "--",
	      "readlink", "/proc/1/exe"}},
    {.name = "05-try-cleanup", .argv = {"05-full-container/nutshell", "cleanup"}},
};

/* What each "Try it" tells the reader they will see: TEXT in the run's
 * standard output ("out") or trace ("err"), on any cgroup layout or only on
 * LAYOUT. Checked on every run, recording or comparing. */
static const struct expect {
	const char *name, *part, *text, *layout;
} expects[] = {
    {"02-try-pids", "out", "3 worked", NULL},
    {"02-try-pids", "out", "failed with EAGAIN", NULL},
    {"02-memory-high", "out", "alive", "v2"},
    {"02-memory-high", "out", "oom_kill 0", "v2"},
    {"02-memory-high", "err", "has no memory.high", "v1-or-hybrid"},
    {"02-try-memory", "out", "killed by SIGKILL", NULL},
    {"02-try-memory", "out", "oom_kill", NULL},
    {"02-try-cpu", "out", "cpu.max = 0.5 CPUs", NULL},
    {"03-try-sets-userns", "out", "in a new user namespace", NULL},
    {"03-try-drop-dac-read", "out", "without CAP_DAC_READ_SEARCH                  works", NULL},
    {"03-try-profile", "out", "open_by_handle_at", NULL},
    {"05-try-caps", "out", "CapEff:\t00000000a80425fb", NULL},
    {"05-try-caps", "out", "CapAmb:\t0000000000000000", NULL},
    {"05-try-hostname", "out", "try\n", NULL},
    {"05-try-pids-limit", "err", "can't fork", NULL},
    {"05-try-userns-id", "out", "uid=0(root)", NULL},
    {"05-try-read-only", "err", "Read-only file system", NULL},
    {"05-try-bad-input", "err", "--pids-limit '0': expected", NULL},
    {"01-try-ipc", "err", "/proc/self/ns/ipc: ipc:[", NULL},
    {"01-try-ipc", "err", "/proc/sysvipc/shm:", NULL},
    {"01-try-pid-ps", "out", "    1     0 ps", NULL},
    {"01-try-mnt", "err", "/proc/self/mountinfo:", NULL},
    {"01-try-mnt", "err", " shared:", NULL},
    {"01-try-cgroupns", "err", "/proc/self/ns/cgroup: cgroup:[", NULL},
    {"01-try-time", "out", "3600", NULL},
    {"01-try-break-pid", "out", "-1 ESRCH", NULL},
    {"02-try-doctor", "out", "cgroups:          cgroup v2", "v2"},
    {"02-try-doctor", "out", "cgroups:          hybrid", "v1-or-hybrid"},
    {"02-try-freeze", "err", "cgroup.freeze", "v2"},
    {"02-try-freeze", "err", "freezer.state", "v1-or-hybrid"},
    {"02-try-devices", "out", "EPERM", NULL},
    {"02-io", "err", "rbytes=4194304", "v2"},
    {"02-try-outside", "out", "0::/\n", "v2"},
    {"02-try-outside", "out", ":memory:/\n", "v1-or-hybrid"},
    {"03-try-sysadmin", "out", "mount: 1", NULL},
    {"03-try-nnp", "out", "NoNewPrivs:\t1", NULL},
    {"03-try-cap-drop", "out", "CapEff:\t0000000000000000", NULL},
    {"03-try-seccomp", "out", "Seccomp:\t2", NULL},
    {"03-try-shocker", "out", "open_by_handle_at", NULL},
    {"03-try-shocker", "out", "EPERM", NULL},
    {"04-try-layers", "out", " - overlay overlay ", NULL},
    {"04-try-layers", "out", "lowerdir=", NULL},
    {"04-try-whiteout", "out", "gone\n", NULL},
    {"04-try-image-limit", "err", "# checked blobs/sha256/", NULL},
    {"04-try-image-limit", "err", "more than 1024 bytes uncompressed (--max-size)", NULL},
    {"04-try-proc-root", "out", "bin\n", NULL},
    {"04-try-pivot", "out", "old_root_visible             no", NULL},
    {"04-try-pivot", "out", "root_fstype                  overlay", NULL},
    {"04-try-propagation", "out", "0\n", NULL},
    {"04-try-targets", "err", "is a symlink to '/etc', outside the root; refusing to follow it",
     NULL},
    {"04-try-dev", "out", "null\n", NULL},
    {"04-try-newmount", "err",
     "AT_SYMLINK_NOFOLLOW|AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|"
     "MOUNT_ATTR_NODEV, attr_clr=0",
     NULL},
    {"04-newmount", "out", "seen writable under a read-only bind        yes       no", NULL},
    {"04-try-dev", "out", "pts\n", NULL},
    {"05-try-veth", "out", "inet 10.200.", NULL},
    {"05-try-session", "out", "session                      own", NULL},
    {"05-try-session", "out", "controlling_terminal         none", NULL},
    {"05-try-probes", "out", "0\n", NULL},
    {"05-try-user-limits", "out", "1000\n", NULL},
    {"05-try-user-limits", "out", " 0 4294967295", NULL},
    {"05-try-inspect-userns", "out", " 65536\n", NULL},
    {"05-try-inspect-userns", "out", "cap_eff                      00000000a80425fb", NULL},
    {"05-try-rootless", "out", "uid=0(root)", NULL},
    {"05-try-rootless", "out", " 65534          1\n", NULL},
    {"05-try-rootless", "err", "rootless: ", NULL},
    {"05-try-self-exe", "out", "/nutshell\n", NULL},
    {"05-try-cleanup", "out", "cleanup: ", NULL},
};

static const char *
cgroup_layout(void)
{
	struct statfs s;

	if (statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	return "v1-or-hybrid";
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The reduced calls of a run (see the top of the file); malloc'ed. */
static char *
calls_of(const struct run *r)
{
	enum { MAXP = 256 };
	long pids[MAXP];
	char *text[MAXP];
	size_t len[MAXP];
	FILE *f[MAXP];
	int np = 0;
	size_t i;
	json_t *ev;

	json_array_foreach(r->events, i, ev)
	{
		const char *e = json_string_value(json_object_get(ev, "ev"));
		const char *name = json_string_value(json_object_get(ev, "name"));
		const char *err = json_string_value(json_object_get(ev, "errno"));
		long pid = (long)json_integer_value(json_object_get(ev, "pid"));
		char tok[96];
		int k;

		if (!e || strcmp(e, "syscall") != 0 || !name)
			continue;
		for (k = 0; k < np && pids[k] != pid; k++)
			;
		if (k == np) {
			if (np == MAXP)
				continue;
			pids[k] = pid;
			f[k] = open_memstream(&text[k], &len[k]);
			np++;
		}
		snprintf(tok, sizeof(tok), "%s%s%s", name, err ? "=" : "", err ? err : "");
		fprintf(f[k], "%s%s", ftell(f[k]) > 0 ? " " : "", tok);
	}
	for (int k = 0; k < np; k++)
		fclose(f[k]);
	qsort(text, (size_t)np, sizeof(*text), by_string);

	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	for (int k = 0; k < np; k++) {
		fprintf(o, "%s\n", text[k]);
		free(text[k]);
	}
	fclose(o);
	return out;
}

/* CALLS with each line's calls sorted, then the lines sorted: what the
 * comparison holds equal (see the top of the file); malloc'ed. */
static char *
counted(const char *calls)
{
	char *copy = strdup(calls), *out = NULL, *lines[512];
	size_t outlen = 0;
	int nl = 0;

	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && nl < 512;
	     line = strtok_r(NULL, "\n", &save)) {
		char *toks[4096], *tsave = NULL, *buf = NULL;
		size_t blen = 0;
		int nt = 0;

		for (char *t = strtok_r(line, " ", &tsave); t && nt < 4096;
		     t = strtok_r(NULL, " ", &tsave))
			toks[nt++] = t;
		/* A loop: three or more of the same call in a row (a kill loop
		 * that repeats while processes fork) count as one "name+",
		 * however many this run made. */
		char *kept[4096];
		int nk = 0;
		for (int i = 0, j; i < nt; i = j) {
			for (j = i; j < nt && strcmp(toks[j], toks[i]) == 0; j++)
				;
			for (int k = i; k < j; k++) {
				if (j - i >= 3 && asprintf(&kept[nk], "%s+", toks[i]) >= 0) {
					nk++;
					break;
				}
				kept[nk++] = strdup(toks[k]);
			}
		}
		qsort(kept, (size_t)nk, sizeof(*kept), by_string);
		FILE *f = open_memstream(&buf, &blen);
		for (int i = 0; i < nk; i++) {
			fprintf(f, "%s%s", i ? " " : "", kept[i]);
			free(kept[i]);
		}
		fclose(f);
		lines[nl++] = buf;
	}
	qsort(lines, (size_t)nl, sizeof(*lines), by_string);
	FILE *o = open_memstream(&out, &outlen);
	for (int i = 0; i < nl; i++) {
		fprintf(o, "%s\n", lines[i]);
		free(lines[i]);
	}
	fclose(o);
	free(copy);
	return out;
}

static pid_t target;

/* A process in a UTS namespace of its own, hostname "target-ns" (for enter). */
static pid_t
start_target(void)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWUTS) != 0 || sethostname("target-ns", 9) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void
stop_target(void)
{
	if (target > 0) {
		kill(target, SIGKILL);
		waitpid(target, NULL, 0);
		target = 0;
	}
}

static char *
slurp_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *mem = open_memstream(&buf, &len);
	int c;
	while ((c = getc(f)) != EOF)
		putc(c, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* "# key: value" from the header of a .calls file, into buf. */
static const char *
header(const char *text, const char *key, char *buf, size_t size)
{
	char pat[64];

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "# %s: ", key);
	const char *p = strstr(text, pat);
	if (p) {
		p += strlen(pat);
		snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
	}
	return buf;
}

/* The body of a .calls file: everything after the header lines. */
static const char *
body(const char *text)
{
	while (text[0] == '#') {
		const char *nl = strchr(text, '\n');
		if (!nl)
			return "";
		text = nl + 1;
	}
	return text;
}

/* TEXT through the rules, into PATH. */
static void
write_normalised(const char *path, const struct tn_rules *rules, const char *text)
{
	char *n = tn_normalise(rules, text);

	write_file(path, n);
	free(n);
}

/* The events as JSON Lines, in the order they were written. */
static void
write_json_lines(const char *path, json_t *events)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	json_t *ev;

	ck_assert_ptr_nonnull(f);
	json_array_foreach(events, i, ev)
	{
		char *line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);

		ck_assert_ptr_nonnull(line);
		fprintf(f, "%s\n", line);
		free(line);
	}
	fclose(f);
	write_file(path, text);
	free(text);
}

START_TEST(transcript_matches)
{
	const struct shown *s = &shown[_i];
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	const char *argv[10] = {0};
	char pid[16] = "", path[512], cmd[512] = "sudo ./", want_layout[64], want_exit[16];
	const char *mode = getenv("NUTSHELL_TRANSCRIPTS") ? getenv("NUTSHELL_TRANSCRIPTS") : "";
	/* write: book/transcripts/ (the host); write-v2: book/transcripts/v2/,
	 * the cgroup v2 VM lane's set (make transcripts-vm). */
	int writing = strcmp(mode, "write") == 0, writing_v2 = strcmp(mode, "write-v2") == 0;
	const char *dir = writing_v2 ? "book/transcripts/v2" : "book/transcripts";
	struct run r;

	/* What a chroot forbids (user namespaces; pivot_root's point, so one
	 * of inspect's probes gets through there, as nutshell warns). */
	static const char *const not_in_chroot[] = {"01-user",
						    "03-sysadmin",
						    "04-escape",
						    "05-userns",
						    "03-try-sets-userns",
						    "05-try-userns-id",
						    "05-try-probes",
						    "05-try-inspect-userns",
						    "05-try-rootless",
						    NULL};
	for (int k = 0; not_in_chroot[k]; k++)
		if (strcmp(s->name, not_in_chroot[k]) == 0 && host_in_chroot())
			TEST_SKIP("%s: %s", s->name, host_chroot_line);
	if (s->env) {
		ck_assert_int_eq(putenv((char *)s->env), 0); /* this test's own process */
		snprintf(cmd, sizeof(cmd), "sudo %s ./", s->env);
	}
	if (s->flags & RUN_AS_NOBODY)
		snprintf(cmd, sizeof(cmd),
			 "sudo setpriv --reuid 65534 --regid 65534 --clear-groups ./");
	static char rooted[10][4200];
	for (int k = 0; s->argv[k]; k++) {
		/* The command line as the reader types it: no machine's path. */
		const char *shown = s->argv[k];
		char typed[256];

		argv[k] = s->argv[k];
		/* "ROOT/x": x of the toolkit, as an absolute path (the reader types
		 * $PWD/x from the top directory). */
		if (strncmp(argv[k], "ROOT/", 5) == 0) {
			char top[4096];
			snprintf(rooted[k], sizeof(rooted[k]), "%s/%s",
				 realpath(root, top) ? top : root, argv[k] + 5);
			argv[k] = rooted[k];
			snprintf(typed, sizeof(typed), "$PWD/%s", s->argv[k] + 5);
			shown = typed;
		}
		if (strcmp(argv[k], "PID") == 0) {
			target = start_target();
			snprintf(pid, sizeof(pid), "%d", (int)target);
			argv[k] = pid;
			shown = pid;
		}
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", k ? " " : "", shown);
	}
	int rc = run_program(&r, s->flags, argv);
	stop_target();
	ck_assert_int_eq(rc, 0);
	/* A tree in a home only its owner may enter (Debian 13's adduser makes
	 * them 0700): nobody cannot run the program or reach the image. */
	if ((s->flags & RUN_AS_NOBODY) &&
	    ((r.status == 127 && strstr(r.err, "cannot run")) ||
	     (r.status == 125 && strstr(r.err, "cannot be reached as uid 65534: EACCES")))) {
		run_free(&r);
		TEST_SKIP("%s: the toolkit is not reachable by nobody here (a 0700 home?)",
			  s->name);
	}
	ck_assert_msg(r.json_error[0] == '\0', "%s: invalid JSON Lines: %s", s->name, r.json_error);
	char *calls = calls_of(&r);

	for (size_t k = 0; k < sizeof(expects) / sizeof(*expects); k++) {
		const struct expect *x = &expects[k];
		const char *text = strcmp(x->part, "out") == 0 ? r.out : r.err;

		if (strcmp(x->name, s->name) != 0 ||
		    (x->layout && strcmp(x->layout, cgroup_layout()) != 0))
			continue;
		ck_assert_msg(
		    text && strstr(text, x->text),
		    "%s: the book's \"Try it\" says the %s shows \"%s\"; it does not:\n%s", s->name,
		    strcmp(x->part, "out") == 0 ? "output" : "trace", x->text,
		    text ? text : "(nothing)");
	}

	snprintf(path, sizeof(path), "%s/%s/%s.calls", root, dir, s->name);
	if (writing || writing_v2) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		struct tn_rules rules;

		ck_assert_msg(!writing_v2 || strcmp(cgroup_layout(), "v2") == 0,
			      "NUTSHELL_TRANSCRIPTS=write-v2 needs a cgroup v2 only machine (make "
			      "transcripts-vm), this is %s",
			      cgroup_layout());
		/* The host's own cgroup is the build sandbox's; the VM's, /init.scope,
		 * is what the VM shows, and its transcripts say they are the VM's. */
		tn_rules_init(&rules, root, writing);
		fprintf(f, "# command: %s\n# cgroup: %s\n# exit: %d\n%s", cmd, cgroup_layout(),
			r.status, calls);
		fclose(f);
		write_file(path, text);
		free(text);
		snprintf(path, sizeof(path), "%s/%s/%s.trace", root, dir, s->name);
		write_normalised(path, &rules, r.err);
		snprintf(path, sizeof(path), "%s/%s/%s.out", root, dir, s->name);
		write_normalised(path, &rules, r.out);
		snprintf(path, sizeof(path), "%s/%s/%s.json", root, dir, s->name);
		tn_normalise_json(&rules, r.events);
		write_json_lines(path, r.events);
		printf("transcripts: %s: exit %d, %s\n", s->name, r.status, cmd);
	} else {
		char *stored = slurp_file(path);
		char other[512];

		ck_assert_msg(stored != NULL, "%s: no transcript; run 'sudo make transcripts'",
			      path);
		/* Captured on another cgroup layout: the VM lane's set, if this
		 * machine's layout is the one it was captured on. */
		snprintf(other, sizeof(other), "%s/book/transcripts/v2/%s.calls", root, s->name);
		if (strcmp(header(stored, "cgroup", want_layout, sizeof(want_layout)),
			   cgroup_layout()) != 0 &&
		    access(other, R_OK) == 0) {
			free(stored);
			stored = slurp_file(other);
			ck_assert_ptr_nonnull(stored);
			snprintf(path, sizeof(path), "%s", other);
		}
		header(stored, "exit", want_exit, sizeof(want_exit));
		ck_assert_msg(r.status == atoi(want_exit), "%s: exit %d, the transcript says %s",
			      s->name, r.status, want_exit);
		if (strcmp(header(stored, "cgroup", want_layout, sizeof(want_layout)),
			   cgroup_layout()) != 0) {
			printf("transcripts: %s: captured on cgroup %s, this is %s: calls not "
			       "compared\n",
			       s->name, want_layout, cgroup_layout());
		} else {
			char *want = counted(body(stored)), *got = counted(calls);
			int same = strcmp(want, got) == 0;

			free(want);
			free(got);
			ck_assert_msg(same,
				      "%s: the calls changed; the book's transcript is stale "
				      "(re-run 'sudo make transcripts').\nstored:\n%s\nnow:\n%s",
				      path, body(stored), calls);
		}
		free(stored);
	}
	free(calls);
	run_free(&r);
}
END_TEST

Suite *
suite_transcripts(void)
{
	Suite *s = suite_create("transcripts");
	TCase *tc = tcase_create("calls");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, transcript_matches, 0, (int)(sizeof(shown) / sizeof(*shown)));
	suite_add_tcase(s, tc);
	return s;
}
