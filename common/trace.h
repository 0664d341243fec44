/*
 * trace.h - the tracing core every nutshell program links.
 *
 * A program calls trace_main() once to parse the options every program
 * shares (-h -q -v --step --json FILE --no-color) plus its own, then wraps
 * each system call it wants to show in TRACE():
 *
 *	if (TRACE(unshare(CLONE_NEWUTS), "unshare", "%s", dec_clone(CLONE_NEWUTS)) == -1)
 *		...errno is still the one unshare(2) set...
 *
 * TRACE formats the decoded arguments, pauses in --step mode, makes the real
 * call, prints "unshare(CLONE_NEWUTS) = 0" (or "= -1 EPERM (Operation not
 * permitted)") on standard error, writes the JSON Lines event, and gives back
 * the call's result with errno untouched. The name given must be the name
 * strace(1) shows, so the trace can be held against strace -f.
 *
 * JSON events (DESIGN.md, "The trace contract"): every object has "ev",
 * "t" and "pid" (getpid() as the process itself sees it). "t" is the time
 * of the event in microseconds since the program started (trace_main()),
 * from CLOCK_MONOTONIC; for a syscall, when the call began. Processes forked
 * by the program share that origin, so make view can draw every process of
 * a run on one time axis. The clock is read only when JSON is written. Each event is written with
 * a single write(2) on a file opened with O_APPEND, so lines written by a
 * parent and its children after fork never interleave.
 */
#ifndef NUTSHELL_TRACE_H
#define NUTSHELL_TRACE_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

/* What a program tells trace_main() about itself. */
struct trace_prog {
	const char *name;	       /* "uts" */
	const char *synopsis;	       /* "[--hostname NAME]" */
	const char *about;	       /* what it shows (--help) */
	const char *look_for;	       /* what to look for in its output (--help; DESIGN.md) */
	const char *options;	       /* help lines for the program's own options, or NULL */
	const struct option *longopts; /* the program's own long options, or NULL */
	/* Called for each of the program's own options; returns 0, or -1 with
	 * the error recorded (common/err.h: trace_main() prints it) or printed
	 * already; trace_main() then exits 2. */
	int (*on_option)(int opt, const char *arg);
	/* Exit status for a usage error; 0 means EXIT_USAGE (2). The launcher
	 * uses 125, as docker run and podman run do. */
	int usage_exit;
	/* Short options of the program's own, as for getopt(3) ("te:"), or
	 * NULL; each must also be in longopts with the same val. */
	const char *shortopts;
};

/* The shared settings, read-only for programs. */
struct trace_settings {
	bool quiet;
	bool verbose;
	bool step;
	bool color;
	int json_fd;	  /* -1 when there is no JSON output */
	bool interrupted; /* Ctrl-C during a --step pause (with SIGINT blocked) */
};
extern struct trace_settings trace_cfg;

/*
 * Parses argv. Exits 0 after --help, 2 after a usage error (one line on
 * stderr). Returns the index of the first operand.
 */
int trace_main(const struct trace_prog *prog, int argc, char **argv);

/* Colour on a terminal, unless --no-color or NO_COLOR says otherwise. */
bool trace_color_wanted(bool no_color_option, bool stderr_is_tty);

/* Exit status convention of the lesson programs (DESIGN.md "Programs"). */
enum { EXIT_DEMO_OK = 0, EXIT_DEMO_FAILED = 1, EXIT_USAGE = 2 };

/* The two halves of TRACE(); use the macro. */
void trace_begin(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Between the call and trace_end(): the arguments again, now showing what
 * the call wrote into an output buffer, as strace prints such a call
 * (lgetxattr's value) once it has returned. */
void trace_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long trace_end(long ret);

/* fork(2), traced as strace sees it: one clone(2), the parent's, with the
 * child's pid. The child returns from fork() too and reports nothing (a
 * TRACE() would log its "= 0" as a second call). */
pid_t trace_fork(void);

/* <<< trace-macro */
/* Wraps one system call: see the comment at the top. Evaluates to its result
 * as a long; the comma operator guarantees the order begin, call, end. When
 * nobody reads the trace (-q, no --json, no --step), only the call is made:
 * not even the arguments are decoded, so quiet tracing costs a test. */
#define TRACE_UNREAD (trace_cfg.quiet && trace_cfg.json_fd < 0 && !trace_cfg.step)
#define TRACE(call, name, ...)                                                                     \
	(TRACE_UNREAD ? (long)(call) : (trace_begin(name, __VA_ARGS__), trace_end((long)(call))))
/* >>> trace-macro */
/* make bench only: the launcher built with TRACE() reduced to the bare call
 * (build/untraced/nutshell), to measure what quiet tracing costs. */
#ifdef TRACE_COMPILED_OUT
#undef TRACE
#define TRACE(call, name, ...) ((long)(call))
#endif

/* The other three kinds of event. Human output: proc and fact at the default
 * level, note too; all three are silent with -q except facts, which are the
 * final observations. */
void trace_proc(const char *path, const char *value);
void trace_fact(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list; returns the value as written (until the next
 * fact), for a program that also prints it (inspect's table). */
const char *trace_vfact(const char *key, const char *fmt, va_list ap);
/* One of a family of facts: key KEY followed by SUFFIX ("with_cap" +
 * "_read"), value VALUE. */
void trace_fact_kv(const char *key, const char *suffix, const char *value);
void trace_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A header before one phase of a long run (the launcher's cgroup,
 * namespaces, root, masks, process, capabilities, seccomp, exec), so that a
 * room following --step knows where it is: "== root: TEXT ==" in the human
 * trace (not with -q), a "note" event with TEXT and "phase": PHASE in JSON. */
void trace_phase(const char *phase, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* From now on the human trace shows PATH (a scratch directory that pushes
 * lines past 150 columns) as NAME ("$RUN"), after a note saying so; the JSON
 * keeps it whole. Up to four paths; children forked later inherit them.
 * Not under -q, which shows no note to say what NAME is. */
void trace_shorten(const char *path, const char *name);

/* A failure the program is about to exit for: "name: what: ENAME (message)"
 * on stderr, always shown, and a "note" event. Uses errno. */
void trace_fail(const char *what);

/* The printing half of trace_fail and err_print (err.h): "name: TEXT" on
 * stderr in red, always shown, a "note" event with ERRNUM's name (when not
 * 0), and the host's reason when host.h knows one. */
void trace_report(int errnum, const char *text);
/* The same; the host's reason only when HOST is not 0. */
void trace_report_host(int errnum, int host, const char *text);

/* One-line error for bad input, always shown: "name: message". */
void trace_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exits 1 with one line ("needs root: run it with sudo") unless the
 * effective uid is 0; most lessons need root. */
void trace_need_root(void);

/* What a program says on standard output when its demonstration did not go
 * as intended: "Unexpected: see the trace above.", or, under -q, where no
 * trace was printed, how to get one. */
const char *trace_unexpected(void);

/*
 * Quote a string for a trace line, C style, like strace does: "abc\n".
 * Returns one of a small ring of static buffers, so a few can be used in one
 * trace_begin(). Long strings are cut with "...".
 */
const char *trace_str(const char *s);

/* Turn arbitrary bytes into valid UTF-8 (bad bytes become U+FFFD) so any
 * path or hostname can go into JSON. Caller frees. */
char *trace_utf8(const char *s);

#endif
