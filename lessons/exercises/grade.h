/*
 * grade.h - the graders of the workshop exercises (lessons/exercises/NN-name).
 *
 * A grader is a small Check program: `grader PROGRAM` runs the participant's
 * build of an exercise once under strace, with --json (the harness of the
 * integration tests, tests/integration/harness.h), and then each part of the
 * exercise is one Check test asserting on that run: its exit status, its
 * facts, its system calls, its standard output, the host after it. A part's
 * failure message is the hint the participant sees. Output, one line a part:
 *
 *	PASS  1. the trace is valid JSON and strace agrees with it
 *	FAIL  2. clone asks for a new UTS namespace
 *	hint: clone() was called with flags=SIGCHLD: add CLONE_NEWUTS (TODO 1)
 *	01-hostname: 1 of 2 parts pass
 *
 * Exit status 0 when every part passes, 1 otherwise (and when the grader
 * needs root and is not root: one line says so), 2 for a usage error.
 *
 *	int
 *	main(int argc, char **argv)
 *	{
 *		grade_begin("01-hostname", "it creates namespaces", argc, argv, NULL);
 *		grade_part("clone asks for a new UTS namespace", clone_has_newuts);
 *		return grade_end();
 *	}
 */
#ifndef NUTSHELL_GRADE_H
#define NUTSHELL_GRADE_H

#include "../../tests/integration/harness.h"

#include <check.h>

/* The participant's program (a path relative to the toolkit's top
 * directory) and its one run, done by grade_begin(). */
extern const char *grade_prog;
extern struct run grade_run;

/*
 * Parses `grader PROGRAM`; unless needs_root is NULL and we are root, says
 * in one line why root is needed and exits 1. Then runs PROGRAM with ARGS
 * (NULL-terminated, or NULL for none) under strace, at most 120 s.
 */
void grade_begin(const char *exercise, const char *needs_root, int argc, char **argv,
		 const char *const args[]);

/* One part, in the order they are added; TITLE is what the line says. */
void grade_part(const char *title, const TTest *test);

/* Runs the parts and prints the verdict; returns the exit status. */
int grade_end(void);

/* ---- assertions the parts share ---- */

/* The run wrote valid JSON Lines and strace saw every traced call. */
void grade_assert_trace(void);

/* An engine's container was nutshell's: the trace has events (NO_TRACE,
 * a hint, when not: how the engine passes the file on), a clone() with
 * CLONE_NEWPID and a pivot_root() into ENGINE's root. */
void grade_assert_nutshell_made_it(const char *engine, const char *no_trace);

/* Nothing is left on the host: the shell command CMD, which lists what
 * is, prints nothing. */
void grade_assert_nothing_left(const char *cmd);

/* The first "syscall" event named NAME whose args contain WITH (NULL: any),
 * or NULL. */
json_t *grade_syscall(const char *name, const char *with);

/* Its "args" string ("" when absent) and its result as in the human trace
 * ("0", "-1 EPERM"), into a static buffer. */
const char *grade_args(json_t *ev);
const char *grade_result(json_t *ev);

/* The standard output of the shell command CMD (at most size - 1 bytes)
 * into out; its length. What a part finds on the host afterwards. */
size_t grade_shell(const char *cmd, char *out, size_t size);

/* The last few lines of the program's standard error, for a hint. */
const char *grade_err_tail(void);

#endif
