/*
 * ctr_run.c - ctr_parse() inside a fuzz harness (fuzz.h): exit(3) jumps
 * back instead of ending the process, the trace settings and getopt(3)
 * start afresh for every input, and nothing is written anywhere.
 */
#include "../../common/trace.h"
#include "fuzz.h"

#include <getopt.h>
#include <setjmp.h>
#include <unistd.h>

void __real_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status) __attribute__((noreturn));

static jmp_buf back;
static volatile int parsing, exit_status;

void
__wrap_exit(int status)
{
	if (parsing) {
		exit_status = status;
		longjmp(back, 1);
	}
	__real_exit(status); /* libFuzzer's own exit */
}

int
fuzz_ctr_parse(struct ctr_config *cfg, int argc, char **argv)
{
	static struct trace_settings fresh;
	static int started;
	volatile int status = -1;

	if (!started) {
		/* No variable to take for --env KEY, no NUTSHELL_JSON trace. */
		clearenv();
		fresh = trace_cfg;
		started = 1;
	}
	/* --json FILE would create files: never fuzzed (nor "--j", "--js"...,
	 * getopt's abbreviations of it). */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--j", 3) == 0)
			return -2;
	optind = 0; /* glibc: a full re-initialisation of getopt */
	parsing = 1;
	if (setjmp(back) == 0)
		ctr_parse(cfg, argc, argv);
	else
		status = exit_status;
	parsing = 0;
	if (trace_cfg.json_fd >= 0)
		close(trace_cfg.json_fd);
	trace_cfg = fresh;
	/* Bad input is 125 (ctr.h), --help 0; anything else is a bug. */
	FUZZ_ASSERT(status == -1 || status == 0 || status == CTR_EXIT_SETUP, "exit status %d",
		    status);
	return status;
}

int
fuzz_volume_path_ok(const char *path)
{
	int named = 0;

	if (path[0] != '/')
		return 0;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && strncmp(p, "..", 2) == 0)
			return 0;
		if (len > 0 && !(len == 1 && p[0] == '.'))
			named = 1;
		p += len + (p[len] == '/');
	}
	return named;
}
