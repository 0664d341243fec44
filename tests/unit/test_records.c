/*
 * test_records.c - helpers that fail record why where they fail (common/err.h)
 * and print nothing: the record names the call or the file and the errno,
 * errno is kept, and standard error stays empty (issue 15: cg_write_file,
 * caps_read, ns_setns, ns_wait used to leave errno alone to speak; the /proc
 * readers proc_value, proc_ns and the proc_show_* ones printed their own
 * line, and 73 callers relied on it). Also trace_vfact, which inspect's
 * table prints from, and err_print_as, which the displays that go on
 * without a value say it with.
 */
#include "../../01-namespaces/ns.h"
#include "../../02-cgroups/cgroup_impl.h"
#include "../../03-capabilities/caps.h"
#include "../../common/err.h"
#include "../../common/procfs.h"
#include "../../common/trace.h"
#include "../suites.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int saved_stderr = -1, quiet;
static char captured[] = "/tmp/nutshell-test-records.XXXXXX";

/* Standard error into a file, the trace quiet: what a helper prints itself
 * (an error is printed even when quiet) lands there. */
static void
capture(void)
{
	int fd = mkstemp(captured);

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
	quiet = trace_cfg.quiet;
	trace_cfg.quiet = true;
	err_clear();
}

/* Back to the real standard error; what was printed meanwhile. */
static const char *
release(void)
{
	static char text[4096];
	int fd = open(captured, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(captured);
	strcpy(captured, "/tmp/nutshell-test-records.XXXXXX");
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	trace_cfg.quiet = quiet;
	return text;
}

/* The record holds each of the words, and nothing was printed. */
static void
expect_record(int errnum, const char *a, const char *b)
{
	int e = errno;
	const char *printed = release();
	const char *msg = err_last()->msg;

	ck_assert_msg(e == errnum, "errno %d, expected %d", e, errnum);
	ck_assert_int_eq(err_last()->errnum, errnum);
	ck_assert_msg(strstr(msg, a) && strstr(msg, b), "record '%s' lacks '%s' or '%s'", msg, a,
		      b);
	ck_assert_msg(printed[0] == '\0', "the helper printed: %s", printed);
	err_clear();
}

START_TEST(records_cg_write_file)
{
	capture();
	ck_assert_int_eq(cg_write_file("/nonexistent-nutshell", "cgroup.procs", "1"), -1);
	expect_record(ENOENT, "/nonexistent-nutshell/cgroup.procs", "ENOENT");
}
END_TEST

START_TEST(records_caps_read)
{
	struct caps_state st;

	/* Above pid_max's ceiling (4194304): no such process, ever. */
	capture();
	ck_assert_int_eq(caps_read(2147483647, &st), -1);
	expect_record(ENOENT, "/proc/2147483647/status", "ENOENT");
}
END_TEST

START_TEST(records_ns_calls)
{
	int status;

	capture();
	ck_assert_int_eq(ns_setns(-1, 0), -1);
	expect_record(EBADF, "setns(", "EBADF");
	/* We are no child of ours. */
	capture();
	ck_assert_int_eq(ns_wait(getpid(), &status), -1);
	expect_record(ECHILD, "wait4(", "ECHILD");
}
END_TEST

START_TEST(records_proc_readers)
{
	char buf[64];

	capture();
	ck_assert_ptr_null(proc_value("/proc/nonexistent-nutshell", buf, sizeof(buf)));
	expect_record(ENOENT, "/proc/nonexistent-nutshell", "ENOENT");
	capture();
	ck_assert_ptr_null(proc_ns(2147483647, "uts"));
	expect_record(ENOENT, "/proc/2147483647/ns/uts", "ENOENT");
	capture();
	ck_assert_int_eq(proc_show_lines(2147483647, "cgroup"), -1);
	expect_record(ENOENT, "/proc/2147483647/cgroup", "ENOENT");
	capture();
	ck_assert_int_eq(proc_show_status(2147483647), -1);
	expect_record(ENOENT, "/proc/2147483647/status", "ENOENT");
	capture();
	ck_assert_int_eq(proc_show_mountinfo(2147483647, "/"), -1);
	expect_record(ENOENT, "/proc/2147483647/mountinfo", "ENOENT");
}
END_TEST

/* A display that goes on without the value: the record printed once, as
 * the reader used to print it, the placeholder returned, the record clear. */
START_TEST(records_err_print_as)
{
	capture();
	const char *shown = proc_ns(2147483647, "net") ?: err_print_as("?");
	const char *printed = release();

	ck_assert_str_eq(shown, "?");
	ck_assert_msg(
	    strstr(printed, ": /proc/2147483647/ns/net: ENOENT (No such file or directory)"),
	    "printed: %s", printed);
	ck_assert_ptr_eq(strchr(printed, '\n'), printed + strlen(printed) - 1); /* one line */
	ck_assert_str_eq(err_last()->msg, "");
}
END_TEST

static const char *
vfact(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	const char *value = trace_vfact(key, fmt, ap);
	va_end(ap);
	return value;
}

START_TEST(records_trace_vfact_returns_the_value)
{
	ck_assert_str_eq(vfact("k", "%s=%d", "x", 42), "x=42");
}
END_TEST

Suite *
suite_records(void)
{
	Suite *s = suite_create("records");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, records_cg_write_file);
	tcase_add_test(tc, records_caps_read);
	tcase_add_test(tc, records_ns_calls);
	tcase_add_test(tc, records_proc_readers);
	tcase_add_test(tc, records_err_print_as);
	tcase_add_test(tc, records_trace_vfact_returns_the_value);
	suite_add_tcase(s, tc);
	return s;
}
