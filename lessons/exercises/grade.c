/*
 * grade.c - run a participant's program once, then grade it part by part
 * (grade.h).
 */
#include "grade.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS   16
#define RUN_SECONDS 120

const char *grade_prog;
struct run grade_run;

static const char *exercise;
static Suite *suite;
static const char *titles[MAX_PARTS];
static size_t nparts;

/* A program that never ends (a child waiting for a parent that forgot to
 * tell it something) must not hang the grader: kill the run's process group
 * (the harness starts it in a session of its own) and say so. */
static void
on_alarm(int sig)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/thread-self/children", "re");

	(void)sig;
	if (f) {
		if (fgets(buf, sizeof(buf), f) && atoi(buf) > 0)
			kill(-atoi(buf), SIGKILL);
		fclose(f);
	}
	printf("FAIL  the program did not end within %d s\n"
	       "hint: is a child waiting for something that never comes? Run it by hand:\n"
	       "      sudo %s --step\n"
	       "%s: 0 parts pass\n",
	       RUN_SECONDS, grade_prog, exercise);
	fflush(stdout);
	_exit(1);
}

void
grade_begin(const char *name, const char *needs_root, int argc, char **argv,
	    const char *const args[])
{
	const char *argv_run[32] = {NULL};
	int n = 0;

	exercise = name;
	/* Started from tests/check, the grader must not take the suite
	 * filters and log files meant for it (check(3) environment). */
	const char *ck_vars[] = {"CK_RUN_SUITE",	 "CK_RUN_CASE",	     "CK_INCLUDE_TAGS",
				 "CK_EXCLUDE_TAGS",	 "CK_LOG_FILE_NAME", "CK_XML_LOG_FILE_NAME",
				 "CK_TAP_LOG_FILE_NAME", "CK_VERBOSITY"};
	for (size_t i = 0; i < sizeof(ck_vars) / sizeof(*ck_vars); i++)
		unsetenv(ck_vars[i]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s PROGRAM  (or: make grade EX=%s)\n", argv[0], name);
		exit(2);
	}
	grade_prog = argv[1];
	if (needs_root && geteuid() != 0) {
		printf("%s: the grader needs root, as %s: run 'sudo make grade EX=%s'\n", name,
		       needs_root, name);
		exit(1);
	}
	if (access(grade_prog, X_OK) != 0) {
		printf("%s: no program %s: build it with 'make grade EX=%s'\n", name, grade_prog,
		       name);
		exit(1);
	}
	argv_run[n++] = grade_prog;
	for (int i = 0; args && args[i] && n < 31; i++)
		argv_run[n++] = args[i];

	printf("%s: grading %s\n", name, grade_prog);
	fflush(stdout);
	signal(SIGALRM, on_alarm);
	alarm(RUN_SECONDS);
	if (run_program(&grade_run, RUN_STRACE, argv_run) != 0) {
		printf("%s: cannot run %s\n", name, grade_prog);
		exit(1);
	}
	alarm(0);
	suite = suite_create(name);
}

void
grade_part(const char *title, const TTest *test)
{
	if (nparts == MAX_PARTS)
		abort();
	TCase *tc = tcase_create(title);
	tcase_set_timeout(tc, RUN_SECONDS);
	tcase_add_test(tc, test);
	suite_add_tcase(suite, tc);
	titles[nparts++] = title;
}

int
grade_end(void)
{
	SRunner *sr = srunner_create(suite);
	const char *hint = NULL;
	size_t passed = 0;

	srunner_run_all(sr, CK_SILENT);
	TestResult **res = srunner_results(sr);
	int nres = srunner_ntests_run(sr);
	for (size_t i = 0; i < nparts; i++) {
		TestResult *tr = NULL;
		for (int k = 0; k < nres; k++)
			if (strcmp(tr_tcname(res[k]), titles[i]) == 0)
				tr = res[k];
		int ok = tr && tr_rtype(tr) == CK_PASS;
		printf("%s  %zu. %s\n", ok ? "PASS" : "FAIL", i + 1, titles[i]);
		if (ok)
			passed++;
		else if (!hint)
			hint = tr ? tr_msg(tr) : "the part did not run";
	}
	if (hint)
		printf("hint: %s\n", hint);
	printf("%s: %zu of %zu parts pass%s\n", exercise, passed, nparts,
	       passed == nparts ? ": well done" : "");
	free(res);
	srunner_free(sr);
	run_free(&grade_run);
	return passed == nparts ? 0 : 1;
}

void
grade_assert_trace(void)
{
	char why[512];

	ck_assert_msg(grade_run.json_error[0] == '\0',
		      "the JSON trace is broken (%s): did the program write to standard output "
		      "with something other than printf?",
		      grade_run.json_error);
	ck_assert_msg(run_honest(&grade_run, why, sizeof(why)) == 0,
		      "the trace lies: %s. Wrap the real call in TRACE(call, \"name\", ...) "
		      "with the name strace shows",
		      why);
}

void
grade_assert_nutshell_made_it(const char *engine, const char *no_trace)
{
	ck_assert_msg(json_array_size(grade_run.events) > 0,
		      "no trace from nutshell in the grader's file: %s", no_trace);
	ck_assert_msg(grade_syscall("clone", "CLONE_NEWPID"),
		      "nutshell's trace has no clone() with CLONE_NEWPID: did it make the "
		      "container?");
	ck_assert_msg(grade_syscall("pivot_root", NULL),
		      "nutshell's trace has no pivot_root(): it did not enter %s's root", engine);
}

void
grade_assert_nothing_left(const char *cmd)
{
	char out[4096];

	ck_assert_msg(grade_shell(cmd, out, sizeof(out)) == 0, "left behind:\n%s", out);
}

json_t *
grade_syscall(const char *name, const char *with)
{
	size_t i;
	json_t *ev;

	json_array_foreach(grade_run.events, i, ev)
	{
		const char *e = json_string_value(json_object_get(ev, "ev"));
		const char *n = json_string_value(json_object_get(ev, "name"));

		if (e && n && strcmp(e, "syscall") == 0 && strcmp(n, name) == 0 &&
		    (!with || strstr(grade_args(ev), with)))
			return ev;
	}
	return NULL;
}

const char *
grade_args(json_t *ev)
{
	const char *a = json_string_value(json_object_get(ev, "args"));

	return a ? a : "";
}

const char *
grade_result(json_t *ev)
{
	static char buf[64];
	const char *err = json_string_value(json_object_get(ev, "errno"));

	snprintf(buf, sizeof(buf), "%lld%s%s",
		 (long long)json_integer_value(json_object_get(ev, "ret")), err ? " " : "",
		 err ? err : "");
	return buf;
}

size_t
grade_shell(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, size - 1, p) : 0;

	out[n] = '\0';
	if (p)
		pclose(p);
	return n;
}

const char *
grade_err_tail(void)
{
	const char *err = grade_run.err ? grade_run.err : "";
	size_t i = strlen(err);
	int lines = 0;

	if (i > 0 && err[i - 1] == '\n')
		i--;
	for (; i > 0; i--)
		if (err[i - 1] == '\n' && ++lines == 3)
			break;
	return err + i;
}
