/*
 * trace.c - options, the human trace, JSON Lines and --step (see trace.h).
 *
 * Everything here writes with one write(2) per line: a parent and the
 * children it forks share standard error and the JSON file, and a line must
 * never be cut in two by another process's line.
 */
#include "trace.h"

#include "host.h"
#include "decode.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct trace_settings trace_cfg = {.json_fd = -1};

static const char *prog_name = "nutshell";
static pid_t main_pid;

/* --step: one prompt at a time. A pause holds a POSIX record lock on this
 * file (created in trace_main(), inherited by every child): record locks
 * belong to a process, not to the open file, so a parent and its children
 * sharing the descriptor still exclude each other (fcntl(2), "Advisory
 * record locking"), and the lock goes with a process that dies. */
static int step_lock_fd = -1;

/* CLOCK_MONOTONIC when the program started (trace_main()), in microseconds:
 * the origin of every event's "t". Children forked later inherit it, so the
 * events of all the processes of one run share one time axis. */
static long long start_us = -1;

/* The call between trace_begin() and trace_end(); t is when it began. */
static struct {
	const char *name;
	char args[1024];
	long long t;
} pending;

enum { OPT_STEP = 0x1000, OPT_JSON, OPT_NO_COLOR };

static const struct option common_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"step", no_argument, NULL, OPT_STEP},
    {"json", required_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {NULL, 0, NULL, 0},
};

#define COLOR(code) (trace_cfg.color ? "\033[" code "m" : "")
#define RESET	    COLOR("0")

/* ---- output primitives ---- */

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a closed pipe must not kill the demonstration */
		buf += n;
		len -= (size_t)n;
	}
}

/* Long paths the human trace shows by a short name (trace_shorten()). */
static struct {
	char path[256];
	char name[16];
} shorts[4];
static size_t nshorts;

/* Each registered path in LINE replaced by its name, in place. */
static void
shorten(char *line, size_t size)
{
	for (size_t i = 0; i < nshorts; i++) {
		size_t plen = strlen(shorts[i].path), nlen = strlen(shorts[i].name);

		for (char *p = strstr(line, shorts[i].path); p;
		     p = strstr(p + nlen, shorts[i].path)) {
			size_t rest = strlen(p + plen) + 1;

			if ((size_t)(p - line) + nlen + rest > size)
				break;
			memmove(p + nlen, p + plen, rest);
			memcpy(p, shorts[i].name, nlen);
		}
	}
}

/* One human line on stderr, "[pid N] " first in processes other than the
 * one that started, as strace -f does. */
static void
human(const char *fmt, ...)
{
	char line[2048];
	int off = 0;
	va_list ap;

	if (main_pid != 0 && getpid() != main_pid)
		off =
		    snprintf(line, sizeof(line), "%s[pid %d]%s ", COLOR("2"), (int)getpid(), RESET);
	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - (size_t)off - 1, fmt, ap);
	va_end(ap);
	shorten(line, sizeof(line) - 1);
	size_t len = strlen(line);
	line[len++] = '\n';
	write_all(STDERR_FILENO, line, len);
}

/* Adds a string member, made valid UTF-8 first. */
static void
json_set_str(json_t *obj, const char *key, const char *value)
{
	if (!obj)
		return;
	const char *v = value ? value : "";
	size_t len = 0;

	/* Plain ASCII, nearly every string here, needs no cleaning; and the
	 * clean string needs no second check by jansson (_nocheck). */
	while (v[len] != '\0' && (unsigned char)v[len] < 0x80)
		len++;
	if (v[len] == '\0') {
		json_object_set_new_nocheck(obj, key, json_stringn_nocheck(v, len));
		return;
	}
	char *clean = trace_utf8(v);

	json_object_set_new_nocheck(obj, key, json_string_nocheck(clean ? clean : ""));
	free(clean);
}

/* Microseconds since the program started, CLOCK_MONOTONIC (clock_gettime(2):
 * never jumps when someone sets the date). Only called when JSON is written,
 * so quiet tracing never reads the clock. */
static long long
since_start_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	long long now = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;

	if (start_us < 0) /* a test that sets json_fd without trace_main() */
		start_us = now;
	return now - start_us;
}

/* Writes obj as one JSON line and frees it. */
static void
emit(json_t *obj)
{
	if (obj) {
		json_object_set_new(obj, "pid", json_integer(getpid()));
		/* Into a buffer on the stack, the newline after it: one write(2),
		 * no allocation (a longer event, rare, is allocated). */
		char buf[4096], *line = buf;
		size_t len =
		    json_dumpb(obj, buf, sizeof(buf) - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (len >= sizeof(buf) - 1 && (line = malloc(len + 1)) != NULL)
			len = json_dumpb(obj, line, len, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line && len > 0) {
			line[len] = '\n';
			write_all(trace_cfg.json_fd, line, len + 1);
		}
		if (line != buf)
			free(line);
	}
	json_decref(obj);
}

/* A new event, or NULL when nobody reads JSON: then nothing is built and
 * tracing costs no allocation. The setters and emit() take NULL. */
static json_t *
event(const char *ev)
{
	if (trace_cfg.json_fd < 0)
		return NULL;
	json_t *obj = json_object();

	json_object_set_new(obj, "ev", json_string(ev));
	json_object_set_new(obj, "t", json_integer(since_start_us()));
	return obj;
}

/* ---- options ---- */

static void
usage(const struct trace_prog *prog, FILE *out)
{
	fprintf(out, "usage: %s [-hqv] [--step] [--json FILE] [--no-color]%s%s\n\n%s\n\n",
		prog->name, prog->synopsis && prog->synopsis[0] ? " " : "",
		prog->synopsis ? prog->synopsis : "", prog->about);
	if (prog->look_for) {
		/* Indented as the options are: "  " before each line. */
		fprintf(out, "what to look for:\n");
		for (const char *l = prog->look_for; *l;) {
			size_t n = strcspn(l, "\n");
			fprintf(out, "  %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		fprintf(out, "\n");
	}
	if (prog->options)
		fprintf(out, "options:\n%s", prog->options);
	fprintf(out, "%s",
		"common options:\n"
		"  -h, --help       this help\n"
		"  -q, --quiet      only errors and the final observations\n"
		"  -v, --verbose    also each conclusion as a 'fact KEY = VALUE' line\n"
		"  --step           pause before each traced system call until Enter\n"
		"  --json FILE      also write the trace as JSON Lines to FILE (- = stdout);\n"
		"                   NUTSHELL_JSON=FILE does the same\n"
		"  --no-color       no colour (also off when NO_COLOR is set or stderr is no "
		"terminal)\n");
}

static int
open_json(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	/* O_APPEND: parent and children write whole lines at the end, never over
	 * each other. */
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

bool
trace_color_wanted(bool no_color_option, bool stderr_is_tty)
{
	/* https://no-color.org: NO_COLOR set to anything but "" turns it off. */
	const char *env = getenv("NO_COLOR");

	return !no_color_option && !(env && env[0] != '\0') && stderr_is_tty;
}

int
trace_main(const struct trace_prog *prog, int argc, char **argv)
{
	size_t n_common = sizeof(common_opts) / sizeof(common_opts[0]) - 1, n_own = 0;
	const char *json_path = getenv("NUTSHELL_JSON");
	int no_color = 0;

	prog_name = prog->name;
	main_pid = getpid();
	while (prog->longopts && prog->longopts[n_own].name)
		n_own++;

	struct option *all = calloc(n_common + n_own + 1, sizeof(*all));
	if (!all) {
		trace_fail("calloc");
		exit(EXIT_DEMO_FAILED);
	}
	memcpy(all, common_opts, n_common * sizeof(*all));
	if (n_own)
		memcpy(all + n_common, prog->longopts, n_own * sizeof(*all));

	char shortopts[64];
	snprintf(shortopts, sizeof(shortopts), "+:hqv%s", prog->shortopts ? prog->shortopts : "");
	opterr = 0; /* our own one-line messages, not getopt's */
	for (;;) {
		int idx = optind, c = getopt_long(argc, argv, shortopts, all, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'h':
			usage(prog, stdout);
			free(all);
			exit(EXIT_DEMO_OK);
		case 'q':
			trace_cfg.quiet = true;
			break;
		case 'v':
			trace_cfg.verbose = true;
			break;
		case OPT_STEP:
			trace_cfg.step = true;
			if (step_lock_fd < 0)
				step_lock_fd = memfd_create("nutshell-step", MFD_CLOEXEC);
			break;
		case OPT_JSON:
			json_path = optarg;
			break;
		case OPT_NO_COLOR:
			no_color = 1;
			break;
		case ':':
			trace_error("option '%s' needs a value; see '%s --help'", argv[idx],
				    prog->name);
			free(all);
			exit(prog->usage_exit ? prog->usage_exit : EXIT_USAGE);
		case '?':
			trace_error("unknown option '%s'; see '%s --help'", argv[idx], prog->name);
			free(all);
			exit(prog->usage_exit ? prog->usage_exit : EXIT_USAGE);
		default:
			if (!prog->on_option || prog->on_option(c, optarg) != 0) {
				if (err_last()->msg[0]) /* recorded, not yet printed */
					err_print();
				free(all);
				exit(prog->usage_exit ? prog->usage_exit : EXIT_USAGE);
			}
		}
	}
	free(all);

	trace_cfg.color = trace_color_wanted(no_color, isatty(STDERR_FILENO));
	if (json_path && json_path[0] != '\0') {
		start_us = -1;
		(void)since_start_us(); /* "t": 0 is now */
		trace_cfg.json_fd = open_json(json_path);
		if (trace_cfg.json_fd < 0) {
			trace_error("cannot write the JSON trace to '%s': %s", json_path,
				    strerror(errno));
			exit(prog->usage_exit ? prog->usage_exit : EXIT_USAGE);
		}
	}
	return optind;
}

/* ---- events ---- */

/* --step: wait for Enter on the terminal. Without a terminal (a test, a
 * pipe, CI) there is nobody to wait for, so it does not pause. A program
 * that blocks SIGINT (the launcher, which takes signals from a signalfd)
 * would never see Ctrl-C while paused: so the pause looks for a pending
 * SIGINT too, sets trace_cfg.interrupted and stops pausing; the program
 * finishes the step it is in, cleans up and exits. (A program that does not
 * block SIGINT simply dies of it, as without --step; one that catches it
 * sets trace_cfg.interrupted in its handler, which ends the pause too.) */
static bool
step_interrupted(void)
{
	sigset_t sigs;

	/* A program's own handler said so (lesson 04's rootfs_guard_child). */
	if (trace_cfg.interrupted)
		return true;
	if (sigpending(&sigs) == 0 && sigismember(&sigs, SIGINT)) {
		trace_cfg.interrupted = true;
		human("--step: Ctrl-C: %s finishes this step, cleans up and exits", prog_name);
		return true;
	}
	return false;
}

/* Takes (F_WRLCK) or gives back (F_UNLCK) the pause lock; polls rather than
 * F_SETLKW so that a blocked SIGINT is still noticed while waiting. Without
 * the lock file (memfd_create failed, or a program closed it) it pauses
 * unlocked, as before. Returns false on Ctrl-C. */
static bool
step_lock(short type)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET};

	while (step_lock_fd >= 0 && fcntl(step_lock_fd, F_SETLK, &l) == -1) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			break;
		if (step_interrupted())
			return false;
		struct timespec t = {0, 50 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
	return true;
}

/* A run of the same call with the same first argument (26 times
 * prctl(PR_CAPBSET_DROP, ...)), or of the same pair of calls (openat of
 * devices.allow, write of one rule: ten times on a cgroup v1 host), pauses
 * once, unless a reply began with "e" (expand): then every call pauses. */
static bool step_expand;

static bool
step_folded(void)
{
	static char last[3][64]; /* the calls before: [0] the one just before */
	char key[64];
	size_t len = strcspn(pending.args, ",");

	snprintf(key, sizeof(key), "%s(%.*s", pending.name, (int)(len < 40 ? len : 40),
		 pending.args);
	bool same = strcmp(key, last[0]) == 0 ||
		    (strcmp(key, last[1]) == 0 && strcmp(last[0], last[2]) == 0);
	memmove(last[1], last[0], 2 * sizeof(last[0]));
	snprintf(last[0], sizeof(last[0]), "%s", key);
	return same && !step_expand;
}

static void
step_pause(void)
{
	static int tty = -2;
	static bool told;
	char buf[64], who[32] = "";
	ssize_t n;

	if (tty == -2)
		tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty < 0 || trace_cfg.interrupted)
		return;
	if (step_folded()) {
		if (!told)
			human("--step: %s(%.*s...) again: one pause for the run (reply e and "
			      "Enter at a pause to stop at each)",
			      pending.name, (int)strcspn(pending.args, ","), pending.args);
		told = true;
		return;
	}
	told = false;
	if (!step_lock(F_WRLCK))
		return;
	/* Ctrl-C came while we waited for the lock, and the holder (a child
	 * that died of it) let go: no prompt now. */
	if (trace_cfg.interrupted) {
		step_lock(F_UNLCK);
		return;
	}
	/* Input typed while another process had the prompt was meant for it. */
	tcflush(tty, TCIFLUSH);
	/* The prompt names the pid that waits (children have "[pid N]" already). */
	if (main_pid == 0 || getpid() == main_pid)
		snprintf(who, sizeof(who), "[pid %d] ", (int)getpid());
	human("%s%s--step: next %s(%s) - press Enter%s", who, COLOR("7"), pending.name,
	      pending.args, RESET);
	for (;;) {
		struct pollfd p = {.fd = tty, .events = POLLIN};

		if (step_interrupted())
			break;
		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((n = read(tty, buf, sizeof(buf))) > 0 && buf[0] == 'e')
			step_expand = true;
		if (n <= 0 || memchr(buf, '\n', (size_t)n))
			break;
	}
	step_lock(F_UNLCK);
}

void
trace_begin(const char *name, const char *fmt, ...)
{
	va_list ap;

	pending.name = name;
	va_start(ap, fmt);
	vsnprintf(pending.args, sizeof(pending.args), fmt, ap);
	va_end(ap);
	if (trace_cfg.step)
		step_pause();
	/* "t" of a syscall event is when the call began (after any --step pause). */
	pending.t = trace_cfg.json_fd >= 0 ? since_start_us() : 0;
}

void
trace_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pending.args, sizeof(pending.args), fmt, ap);
	va_end(ap);
}

long
trace_end(long ret)
{
	int saved = errno;

	if (!trace_cfg.quiet) {
		if (ret == -1)
			human("%s%s%s(%s) = %s-1 %s (%s)%s", COLOR("1"), pending.name, RESET,
			      pending.args, COLOR("31"), dec_errno(saved), strerror(saved), RESET);
		else
			human("%s%s%s(%s) = %s%ld%s", COLOR("1"), pending.name, RESET, pending.args,
			      COLOR("32"), ret, RESET);
	}

	json_t *obj = event("syscall");
	if (obj)
		json_object_set_new(obj, "t", json_integer(pending.t));
	json_set_str(obj, "name", pending.name);
	json_set_str(obj, "args", pending.args);
	if (obj)
		json_object_set_new(obj, "ret", json_integer(ret));
	if (ret == -1)
		json_set_str(obj, "errno", dec_errno(saved));
	emit(obj);

	errno = saved;
	return ret;
}

pid_t
trace_fork(void)
{
	if (TRACE_UNREAD)
		return fork();
	/* glibc's fork(2) is this clone(2) (strace shows it so). */
	trace_begin("clone", "child_stack=NULL, "
			     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork();
	if (pid != 0)
		trace_end(pid);
	return pid;
}

void
trace_proc(const char *path, const char *value)
{
	if (!trace_cfg.quiet)
		human("  %s%s%s: %s", COLOR("36"), path, RESET, value);
	json_t *obj = event("proc");
	json_set_str(obj, "path", path);
	json_set_str(obj, "value", value);
	emit(obj);
}

void
trace_fact(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vfact(key, fmt, ap);
	va_end(ap);
}

const char *
trace_vfact(const char *key, const char *fmt, va_list ap)
{
	static char value[1024];

	vsnprintf(value, sizeof(value), fmt, ap);
	/* Facts are what the program prints on stdout anyway; the human trace
	 * repeats them only when asked to be verbose. */
	if (trace_cfg.verbose)
		human("  %sfact%s %s = %s", COLOR("33"), RESET, key, value);
	json_t *obj = event("fact");
	json_set_str(obj, "key", key);
	json_set_str(obj, "value", value);
	emit(obj);
	return value;
}

/* A note, "# TEXT"; with PHASE, a phase's header "== PHASE: TEXT ==". */
static void
note(const char *phase, const char *text)
{
	if (!trace_cfg.quiet && phase)
		human("%s== %s: %s ==%s", COLOR("1;4"), phase, text, RESET);
	else if (!trace_cfg.quiet)
		human("%s# %s%s", COLOR("2;3"), text, RESET);
	json_t *obj = event("note");
	json_set_str(obj, "text", text);
	if (phase)
		json_set_str(obj, "phase", phase);
	emit(obj);
}

void
trace_note(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	note(NULL, text);
}

void
trace_phase(const char *phase, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	note(phase, text);
}

void
trace_shorten(const char *path, const char *name)
{
	/* Under -q the note is not shown, so an error line must not use the name. */
	if (trace_cfg.quiet || nshorts == sizeof(shorts) / sizeof(shorts[0]) ||
	    strlen(path) >= sizeof(shorts[0].path) || strlen(name) >= sizeof(shorts[0].name) ||
	    strlen(path) <= strlen(name))
		return; /* shown whole: only a line gets longer */
	trace_note("%s is %s (shortened so in the lines below; --json keeps it whole)", name, path);
	snprintf(shorts[nshorts].path, sizeof(shorts[0].path), "%s", path);
	snprintf(shorts[nshorts].name, sizeof(shorts[0].name), "%s", name);
	nshorts++;
}

void
trace_report(int errnum, const char *text)
{
	trace_report_host(errnum, 1, text);
}

void
trace_report_host(int errnum, int host, const char *text)
{
	int saved = errno;

	human("%s%s: %s%s", COLOR("31"), prog_name, text, RESET);
	json_t *obj = event("note");
	json_set_str(obj, "text", text);
	if (errnum)
		json_set_str(obj, "errno", dec_errno(errnum));
	emit(obj);
	/* When the host is why (a chroot, a sysctl, cgroups not delegated): say
	 * so, in one more line (host.h). */
	char buf[512];
	const char *why = errnum && host ? host_why(errnum, buf, sizeof(buf)) : NULL;
	if (why)
		human("%s: %s", prog_name, why);
	errno = saved;
}

void
trace_fail(const char *what)
{
	int saved = errno;
	char text[1024];

	snprintf(text, sizeof(text), "%s: %s (%s)", what, dec_errno(saved), strerror(saved));
	trace_report(saved, text);
	errno = saved;
}

void
trace_error(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	human("%s: %s", prog_name, text);
}

void
trace_fact_kv(const char *key, const char *suffix, const char *value)
{
	char k[256];

	snprintf(k, sizeof(k), "%s%s", key, suffix);
	trace_fact(k, "%s", value);
}

const char *
trace_unexpected(void)
{
	return trace_cfg.quiet ? "Unexpected: run it again without -q to see the trace."
			       : "Unexpected: see the trace above.";
}

void
trace_need_root(void)
{
	if (geteuid() == 0)
		return;
	trace_error("needs root to create namespaces: run it with sudo");
	exit(EXIT_DEMO_FAILED);
}
