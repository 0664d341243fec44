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
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* ---- JSON Lines ----
 * An event is written straight into a line: a JSON object, its members in a
 * fixed order ("ev", "t", the event's own, "pid" last), then a newline, and
 * the whole line in one write(2). Not built with jansson and dumped: its dump
 * checks the UTF-8 of every string again, character by character, which was
 * a third of an event's cost (issue 21), where our strings are plain ASCII
 * or made valid UTF-8 by trace_utf8() first. The output is the same bytes
 * as jansson's JSON_COMPACT; readers (tests, oci_spec.c) still use jansson. */
struct jline {
	bool on; /* someone reads JSON, and no allocation failed */
	char *p; /* buf, or allocated once an event outgrows it */
	size_t len, cap;
	char buf[4096];
};

static void
jl_put(struct jline *l, const char *s, size_t n)
{
	if (!l->on)
		return;
	if (l->len + n + 1 > l->cap) { /* + 1: room for the newline */
		size_t cap = 2 * (l->len + n + 1);
		char *p = l->p == l->buf ? malloc(cap) : realloc(l->p, cap);

		if (!p) {
			l->on = false; /* the event is dropped, as a failed write */
			return;
		}
		if (l->p == l->buf)
			memcpy(p, l->buf, l->len);
		l->p = p;
		l->cap = cap;
	}
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

/* ,"KEY":"VALUE": quoted and escaped as RFC 8259 says ('"', '\\' and the
 * control characters; \u with capitals, as jansson writes them). */
static void
jl_str(struct jline *l, const char *key, const char *value)
{
	if (!l->on)
		return;
	const char *v = value ? value : "", *run;
	char *clean = NULL;
	char head[64];

	/* Plain ASCII, nearly every string here, needs no cleaning. */
	for (run = v; *run != '\0' && (unsigned char)*run < 0x80; run++)
		;
	if (*run != '\0') {
		clean = trace_utf8(v);
		v = clean ? clean : "";
	}
	jl_put(l, head, (size_t)snprintf(head, sizeof(head), ",\"%s\":\"", key));
	for (run = v;; v++) {
		unsigned char c = (unsigned char)*v;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue; /* part of the run copied as it is */
		jl_put(l, run, (size_t)(v - run));
		if (c == '\0')
			break;
		/* Seven have a short escape; the other controls, \u and hex. */
		const char *in = "\"\\\b\f\n\r\t", *as = "\"\\bfnrt";
		const char *at = memchr(in, c, strlen(in));

		if (at)
			snprintf(esc, sizeof(esc), "\\%c", as[at - in]);
		else
			snprintf(esc, sizeof(esc), "\\u%04X", c);
		jl_put(l, esc, strlen(esc));
		run = v + 1;
	}
	jl_put(l, "\"", 1);
	free(clean);
}

/* ,"KEY":N */
static void
jl_int(struct jline *l, const char *key, long long n)
{
	char member[96];

	if (l->on)
		jl_put(l, member, (size_t)snprintf(member, sizeof(member), ",\"%s\":%lld", key, n));
}

/* Begins an event that began at T microseconds (-1: now); nothing when
 * nobody reads JSON, so tracing then costs no clock read and no allocation.
 * The setters and emit() do nothing for an event that is off. */
static void
event(struct jline *l, const char *ev, long long t)
{
	l->on = trace_cfg.json_fd >= 0;
	l->p = l->buf;
	l->len = 0;
	l->cap = sizeof(l->buf);
	if (!l->on)
		return;
	char head[96];

	jl_put(l, head,
	       (size_t)snprintf(head, sizeof(head), "{\"ev\":\"%s\",\"t\":%lld", ev,
				t < 0 ? since_start_us() : t));
}

/* Ends the event with its pid and writes it as one line. */
static void
emit(struct jline *l)
{
	jl_int(l, "pid", getpid());
	jl_put(l, "}", 1);
	if (l->on) {
		l->p[l->len++] = '\n'; /* jl_put left room for it */
		write_all(trace_cfg.json_fd, l->p, l->len);
	}
	if (l->p != l->buf)
		free(l->p);
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

	struct jline l;
	event(&l, "syscall", pending.t);
	jl_str(&l, "name", pending.name);
	jl_str(&l, "args", pending.args);
	jl_int(&l, "ret", ret);
	if (ret == -1)
		jl_str(&l, "errno", dec_errno(saved));
	emit(&l);

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
	struct jline l;
	event(&l, "proc", -1);
	jl_str(&l, "path", path);
	jl_str(&l, "value", value);
	emit(&l);
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
	struct jline l;
	event(&l, "fact", -1);
	jl_str(&l, "key", key);
	jl_str(&l, "value", value);
	emit(&l);
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
	struct jline l;
	event(&l, "note", -1);
	jl_str(&l, "text", text);
	if (phase)
		jl_str(&l, "phase", phase);
	emit(&l);
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
	struct jline l;
	event(&l, "note", -1);
	jl_str(&l, "text", text);
	if (errnum)
		jl_str(&l, "errno", dec_errno(errnum));
	emit(&l);
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
