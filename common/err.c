/*
 * err.c - the error record (see err.h): filled where a failure happens,
 * printed once by whoever gives up.
 */
#include "err.h"
#include "decode.h"
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct err last;

static int
fill(int errnum, const char *fmt, va_list ap)
{
	char msg[sizeof(last.msg)];

	/* Through a copy: a caller may pass the record's own message as an
	 * argument (err_set(0, "--cpus '%s': %s", arg, err_last()->msg)), and
	 * vsnprintf into a buffer it also reads from is undefined (C11
	 * 7.21.6.12). */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(last.msg, msg, sizeof(last.msg));
	last.errnum = errnum;
	if (errnum)
		errno = errnum;
	return -1;
}

int
err_set(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(errnum, fmt, ap);
	va_end(ap);
	last.sys = 0;
	return -1;
}

int
err_sys(const char *fmt, ...)
{
	int saved = errno;
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* As trace_fail and strace write it: the errno's name, then its text. */
	err_set(saved, "%s: %s (%s)", what, dec_errno(saved), strerror(saved));
	last.sys = 1;
	return -1;
}

int
err_prefix(const char *fmt, ...)
{
	int saved = errno;
	char head[512], old[sizeof(last.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, last.msg, sizeof(old));
	/* Cut at the record's size: a long message loses its end, never its
	 * start. */
	size_t n = (size_t)snprintf(last.msg, sizeof(last.msg), "%s: ", head);
	if (n < sizeof(last.msg))
		memccpy(last.msg + n, old, '\0', sizeof(last.msg) - n);
	last.msg[sizeof(last.msg) - 1] = '\0';
	errno = saved;
	return -1;
}

const struct err *
err_last(void)
{
	return &last;
}

void
err_print(void)
{
	/* In a chroot, EINVAL from pivot_root(2) or mount(2) is the chroot's
	 * doing (host_why); EINVAL that err_set recorded is a refused value,
	 * and the chroot line under every bad-input line was noise (and not
	 * one line: make check failed 20 tests in a chroot). */
	trace_report_host(last.errnum, last.sys || last.errnum != EINVAL,
			  last.msg[0] ? last.msg : "failed");
	err_clear();
}

const char *
err_print_as(const char *shown)
{
	err_print();
	return shown;
}

int
err_print_status(int status)
{
	err_print();
	return status;
}

void
err_clear(void)
{
	last.errnum = 0;
	last.sys = 0;
	last.msg[0] = '\0';
}
