/*
 * test_trace.c - the shared options, TRACE(), and the JSON Lines it writes.
 */
#include "../../common/err.h"
#include "../../common/trace.h"
#include "../suites.h"

#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct trace_prog test_prog = {
    .name = "testprog",
    .synopsis = "[ARG...]",
    .about = "A program for the tests.",
};

/* Runs trace_main() on argv in a child with stdout and stderr captured;
 * the child prints the settings it ended with. Returns the exit status. */
static int
parse_as(const struct trace_prog *prog, const char *const argv[], char *out, size_t size,
	 int stderr_fd)
{
	int fds[2], status, argc = 0;

	while (argv[argc])
		argc++;
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(stderr_fd >= 0 ? stderr_fd : fds[1], 2);
		int first = trace_main(prog, argc, (char **)argv);
		printf("first=%d quiet=%d verbose=%d step=%d json=%d color=%d\n", first,
		       trace_cfg.quiet, trace_cfg.verbose, trace_cfg.step, trace_cfg.json_fd,
		       trace_cfg.color);
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n, len = 0;
	while ((n = read(fds[0], out + len, size - 1 - (size_t)len)) > 0)
		len += n;
	out[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WEXITSTATUS(status);
}

static int
parse(const char *const argv[], char *out, size_t size, int stderr_fd)
{
	return parse_as(&test_prog, argv, out, size, stderr_fd);
}

START_TEST(trace_options_common)
{
	const char *argv[] = {"testprog", "-q", "-v", "--step", "--no-color", "a", "b", NULL};
	char out[4096];

	ck_assert_int_eq(parse(argv, out, sizeof(out), -1), 0);
	ck_assert_str_eq(out, "first=5 quiet=1 verbose=1 step=1 json=-1 color=0\n");
}
END_TEST

START_TEST(trace_options_json)
{
	const char *to_stdout[] = {"testprog", "--json", "-", NULL};
	const char *bad_path[] = {"testprog", "--json", "/nonexistent/dir/trace.json", NULL};
	char out[4096];

	ck_assert_int_eq(parse(to_stdout, out, sizeof(out), -1), 0);
	ck_assert_ptr_nonnull(strstr(out, "json=1 "));
	ck_assert_int_eq(parse(bad_path, out, sizeof(out), -1), 2);
	ck_assert_str_eq(out, "testprog: cannot write the JSON trace to "
			      "'/nonexistent/dir/trace.json': No such file or directory\n");
	/* The environment variable does what --json does. */
	setenv("NUTSHELL_JSON", "-", 1);
	const char *plain[] = {"testprog", NULL};
	ck_assert_int_eq(parse(plain, out, sizeof(out), -1), 0);
	ck_assert_ptr_nonnull(strstr(out, "json=1 "));
	unsetenv("NUTSHELL_JSON");
}
END_TEST

START_TEST(trace_options_bad)
{
	const char *unknown[] = {"testprog", "--nope", NULL};
	const char *short_unknown[] = {"testprog", "-x", NULL};
	const char *no_value[] = {"testprog", "--json", NULL};
	char out[4096];

	ck_assert_int_eq(parse(unknown, out, sizeof(out), -1), 2);
	ck_assert_str_eq(out, "testprog: unknown option '--nope'; see 'testprog --help'\n");
	ck_assert_int_eq(parse(short_unknown, out, sizeof(out), -1), 2);
	ck_assert_str_eq(out, "testprog: unknown option '-x'; see 'testprog --help'\n");
	ck_assert_int_eq(parse(no_value, out, sizeof(out), -1), 2);
	ck_assert_str_eq(out, "testprog: option '--json' needs a value; see 'testprog --help'\n");
}
END_TEST

START_TEST(trace_options_help)
{
	const char *argv[] = {"testprog", "--help", NULL};
	char out[4096];

	ck_assert_int_eq(parse(argv, out, sizeof(out), -1), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: testprog [-hqv] [--step] [--json FILE]"));
	ck_assert_ptr_nonnull(strstr(out, "A program for the tests."));
	ck_assert_ptr_nonnull(strstr(out, "NUTSHELL_JSON"));
}
END_TEST

START_TEST(trace_help_shows_look_for)
{
	const char *argv[] = {"testprog", "--help", NULL};
	struct trace_prog p = test_prog;
	char out[4096];

	p.look_for = "the first line\nand the second";
	ck_assert_int_eq(parse_as(&p, argv, out, sizeof(out), -1), 0);
	ck_assert_ptr_nonnull(
	    strstr(out, "what to look for:\n  the first line\n  and the second\n\n"));
}
END_TEST

/* DESIGN.md: every program's --help says what to look for in its output.
 * Each built program whose main calls trace_main() - itself, or through
 * lesson 04's frame, rootfs_demo_begin() - is asked. The launcher's help
 * (options.c, called from nutshell.c) is the docker-style option list
 * instead. */
START_TEST(every_program_help_says_what_to_look_for)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char pattern[4096];
	glob_t g;
	int n = 0;

	snprintf(pattern, sizeof(pattern), "%s/0[1-5]-*/*.c", root ? root : ".");
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *src = g.gl_pathv[i];
		char text[65536], bin[4096], cmd[8192], help[16384];
		FILE *f = fopen(src, "re");
		ck_assert_ptr_nonnull(f);
		size_t len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[len] = '\0';
		if (!strstr(text, "\nmain(") ||
		    (!strstr(text, "trace_main(") && !strstr(text, "rootfs_demo_begin(")))
			continue;
		snprintf(bin, sizeof(bin), "%.*s", (int)(strlen(src) - 2), src);
		ck_assert_msg(access(bin, X_OK) == 0, "%s: not built (run make)", bin);
		snprintf(cmd, sizeof(cmd), "'%s' --help 2>&1", bin);
		FILE *p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		len = fread(help, 1, sizeof(help) - 1, p);
		help[len] = '\0';
		ck_assert_int_eq(pclose(p), 0);
		ck_assert_msg(strstr(help, "\nwhat to look for:\n  ") != NULL,
			      "%s --help does not say what to look for", bin);
		n++;
	}
	globfree(&g);
	ck_assert_int_ge(n, 25);
}
END_TEST

/* Under -q no trace was printed: the closing line must not point at one. */
START_TEST(trace_unexpected_fits_quiet)
{
	bool quiet = trace_cfg.quiet;

	trace_cfg.quiet = false;
	ck_assert_str_eq(trace_unexpected(), "Unexpected: see the trace above.");
	trace_cfg.quiet = true;
	ck_assert_ptr_null(strstr(trace_unexpected(), "above"));
	ck_assert_ptr_nonnull(strstr(trace_unexpected(), "without -q"));
	trace_cfg.quiet = quiet;
}
END_TEST

START_TEST(trace_colour_rules)
{
	unsetenv("NO_COLOR");
	ck_assert(trace_color_wanted(false, true));
	ck_assert(!trace_color_wanted(false, false)); /* not a terminal */
	ck_assert(!trace_color_wanted(true, true));   /* --no-color */
	setenv("NO_COLOR", "1", 1);
	ck_assert(!trace_color_wanted(false, true));
	setenv("NO_COLOR", "", 1); /* empty means unset (no-color.org) */
	ck_assert(trace_color_wanted(false, true));
	unsetenv("NO_COLOR");
}
END_TEST

START_TEST(trace_colour_on_a_real_terminal)
{
	const char *argv[] = {"testprog", NULL};
	char out[4096];
	int pty = posix_openpt(O_RDWR | O_NOCTTY);

	/* A chroot or container without /dev/pts has no terminal to offer;
	 * trace_colour_rules covers the decision there. */
	if (pty < 0) {
		printf("note: no pseudo-terminal (%s); colour checked without one\n",
		       strerror(errno));
		return;
	}
	ck_assert_int_eq(grantpt(pty), 0);
	ck_assert_int_eq(unlockpt(pty), 0);
	int tty = open(ptsname(pty), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(tty, 0);
	unsetenv("NO_COLOR");
	ck_assert_int_eq(parse(argv, out, sizeof(out), tty), 0);
	ck_assert_ptr_nonnull(strstr(out, "color=1"));
	ck_assert_int_eq(parse(argv, out, sizeof(out), -1), 0); /* a pipe */
	ck_assert_ptr_nonnull(strstr(out, "color=0"));
	close(tty);
	close(pty);
}
END_TEST

/* The contents of a memfd, from the start. */
static char *
contents(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, (size_t)len + 1);

	ck_assert_int_eq(pread(fd, buf, (size_t)len, 0), len);
	return buf;
}

START_TEST(trace_call_line_and_event)
{
	int json = memfd_create("json", 0), err = memfd_create("err", 0), saved = dup(2);

	trace_cfg.json_fd = json;
	dup2(err, 2);
	errno = 0;
	long ret = TRACE(close(-1), "close", "%d", -1);
	int e = errno;
	ret = TRACE(getpid(), "getpid", "%s", "");
	dup2(saved, 2);

	ck_assert_int_eq(e, EBADF); /* errno survives the tracing */
	ck_assert_int_eq(ret, getpid());
	char *human = contents(err);
	char expected[256];
	snprintf(expected, sizeof(expected),
		 "close(-1) = -1 EBADF (Bad file descriptor)\ngetpid() = %d\n", getpid());
	ck_assert_str_eq(human, expected);

	char *text = contents(json);
	char *nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	json_t *ev = json_loadb(text, (size_t)(nl - text), 0, NULL);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "ev")), "syscall");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "name")), "close");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "args")), "-1");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "ret")), -1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "errno")), "EBADF");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "pid")), getpid());
	/* "t": microseconds since the start, never negative, never going back */
	ck_assert(json_is_integer(json_object_get(ev, "t")));
	json_int_t t1 = json_integer_value(json_object_get(ev, "t"));
	ck_assert_int_ge(t1, 0);
	json_decref(ev);
	ev = json_loads(nl + 1, 0, NULL);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_ge(json_integer_value(json_object_get(ev, "t")), t1);
	ck_assert_ptr_null(json_object_get(ev, "errno")); /* only when the call failed */
	json_decref(ev);
	free(text);
	free(human);
}
END_TEST

START_TEST(trace_json_valid_for_any_bytes)
{
	int json = memfd_create("json", 0);

	trace_cfg.json_fd = json;
	trace_cfg.quiet = true;
	trace_proc("/tmp/bad\xff\xfe name", "host\x01\"name\"\n");
	trace_fact("hostname_inside", "%s", "caf\xc3\xa9");
	trace_note("overlong \xc0\xaf and surrogate \xed\xa0\x80");
	/* Longer than the buffer on the stack an event is written into. */
	static char big[6001];
	memset(big, 'x', sizeof(big) - 1);
	trace_proc("/proc/big", big);

	char *text = contents(json);
	const char *keys[] = {"path", "value", "text", "value"};
	const char *expect[] = {"/tmp/bad\xef\xbf\xbd\xef\xbf\xbd name", "caf\xc3\xa9",
				"overlong \xef\xbf\xbd\xef\xbf\xbd and surrogate "
				"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
				big};
	int lines = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		json_error_t error;
		json_t *ev = json_loads(line, 0, &error);

		ck_assert_msg(ev != NULL, "line %d is not JSON: %s", lines, error.text);
		ck_assert_str_eq(json_string_value(json_object_get(ev, keys[lines])),
				 expect[lines]);
		json_decref(ev);
	}
	ck_assert_int_eq(lines, 4); /* one object per line */
	free(text);
}
END_TEST

/* A line byte for byte: the members in their order, each control
 * character escaped as RFC 8259 and jansson write it (\u with capitals),
 * '"' and '\\' escaped, and a reader gets the bytes back. */
START_TEST(trace_json_line_bytes)
{
	int json = memfd_create("json", 0);
	char all[40];
	size_t n = 0;

	for (int c = 1; c < 0x20; c++)
		all[n++] = (char)c;
	all[n++] = '"';
	all[n++] = '\\';
	all[n++] = 0x7f;
	all[n] = '\0';
	trace_cfg.json_fd = json;
	trace_cfg.quiet = true;
	trace_begin("write", "%s", all);
	errno = EBADF;
	trace_end(-1);

	char *text = contents(json), want[512];
	const char *after_t = strstr(text, ",\"name\"");
	snprintf(want, sizeof(want),
		 ",\"name\":\"write\",\"args\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006"
		 "\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013"
		 "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D"
		 "\\u001E\\u001F\\\"\\\\\x7f\",\"ret\":-1,\"errno\":\"EBADF\",\"pid\":%d}\n",
		 (int)getpid());
	ck_assert_msg(strncmp(text, "{\"ev\":\"syscall\",\"t\":", 20) == 0, "begins: %s", text);
	ck_assert_ptr_nonnull(after_t);
	ck_assert_str_eq(after_t, want);

	json_error_t error;
	json_t *ev = json_loads(text, 0, &error);
	ck_assert_msg(ev != NULL, "not JSON: %s", error.text);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "args")), all);
	json_decref(ev);
	free(text);
}
END_TEST

START_TEST(trace_quoting)
{
	char *clean = trace_utf8("plain caf\xc3\xa9");

	ck_assert_str_eq(trace_str("lesson-01"), "\"lesson-01\"");
	ck_assert_str_eq(trace_str("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\1\"");
	ck_assert_str_eq(trace_str(NULL), "NULL");
	ck_assert_str_eq(
	    trace_str("0123456789012345678901234567890123456789012345678901234567890123"
		      "456789"),
	    "\"0123456789012345678901234567890123456789012345678901234567890123\"...");
	ck_assert_str_eq(clean, "plain caf\xc3\xa9");
	free(clean);
}
END_TEST

/* A caller may give the record's own message back to err_set (options.c:
 * bad("--memory '%s': %s", arg, err_last()->msg)): the line it makes is
 * the new text around the old, not a garble of both. */
START_TEST(err_set_takes_its_own_message)
{
	err_set(EINVAL, "'%s': expected a size such as 64M", "5x");
	err_set(0, "--memory '%s': %s", "5x", err_last()->msg);
	ck_assert_str_eq(err_last()->msg, "--memory '5x': '5x': expected a size such as 64M");
	err_prefix("while parsing");
	ck_assert_str_eq(err_last()->msg,
			 "while parsing: --memory '5x': '5x': expected a size such as 64M");
	err_clear();
}
END_TEST

Suite *
suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_test(tc, trace_options_common);
	tcase_add_test(tc, trace_options_json);
	tcase_add_test(tc, trace_options_bad);
	tcase_add_test(tc, trace_options_help);
	tcase_add_test(tc, trace_help_shows_look_for);
	tcase_add_test(tc, every_program_help_says_what_to_look_for);
	tcase_add_test(tc, trace_unexpected_fits_quiet);
	tcase_add_test(tc, trace_colour_rules);
	tcase_add_test(tc, trace_colour_on_a_real_terminal);
	tcase_add_test(tc, trace_call_line_and_event);
	tcase_add_test(tc, trace_json_valid_for_any_bytes);
	tcase_add_test(tc, trace_json_line_bytes);
	tcase_add_test(tc, trace_quoting);
	tcase_add_test(tc, err_set_takes_its_own_message);
	suite_add_tcase(s, tc);
	return s;
}
