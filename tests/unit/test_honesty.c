/*
 * test_honesty.c - the trace-honesty check itself, on sample strace output:
 * it must accept a true trace and catch a lie.
 */
#include "../integration/harness.h"
#include "../suites.h"

#include <string.h>

static const char *strace_text =
    "100  clone(child_stack=0x5555, flags=CLONE_NEWUTS|SIGCHLD) = 101\n"
    "101  sethostname(\"\"..., 9) = 0\n"
    "100  wait4(101,  <unfinished ...>\n"
    "101  +++ exited with 0 +++\n"
    "100  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101\n"
    "100  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---\n"
    "100  mount(\"\"..., \"\"..., NULL, MS_REC|MS_PRIVATE, NULL) = -1 EPERM (Operation not "
    "permitted)\n";

static int
check(const char *events_json, char *why, size_t size)
{
	struct run r = {0};

	r.strace = strdup(strace_text);
	r.events = json_loads(events_json, 0, NULL);
	ck_assert_ptr_nonnull(r.events);
	int lies = run_honest(&r, why, size);
	run_free(&r);
	return lies;
}

START_TEST(honesty_accepts_the_truth)
{
	char why[256];
	const char *events =
	    "[{\"ev\":\"note\",\"text\":\"x\"},"
	    "{\"ev\":\"syscall\",\"name\":\"clone\",\"ret\":101},"
	    "{\"ev\":\"syscall\",\"name\":\"sethostname\",\"ret\":0},"
	    "{\"ev\":\"syscall\",\"name\":\"wait4\",\"ret\":101},"
	    "{\"ev\":\"syscall\",\"name\":\"mount\",\"ret\":-1,\"errno\":\"EPERM\"}]";

	ck_assert_msg(check(events, why, sizeof(why)) == 0, "%s", why);
}
END_TEST

/* A name only x86-64 has is a lie on arm64, even where strace on x86-64
 * saw it: the check refuses it on both. */
START_TEST(honesty_refuses_x86_only_names)
{
	char why[256];
	struct run r = {0};

	r.strace = strdup("100  mkdir(\"/tmp/x\", 0755) = 0\n"
			  "100  mkdirat(AT_FDCWD, \"/tmp/y\", 0755) = 0\n");
	r.events = json_loads("[{\"ev\":\"syscall\",\"name\":\"mkdir\",\"args\":\"x\",\"ret\":0}]",
			      0, NULL);
	ck_assert_int_eq(run_honest(&r, why, sizeof(why)), 1);
	ck_assert_msg(strstr(why, "arm64 has no mkdir call") && strstr(why, "mkdirat"), "%s", why);
	json_decref(r.events);
	r.events = json_loads("[{\"ev\":\"syscall\",\"name\":\"mkdirat\",\"ret\":0}]", 0, NULL);
	ck_assert_msg(run_honest(&r, why, sizeof(why)) == 0, "%s", why);
	run_free(&r);
}
END_TEST

START_TEST(honesty_catches_lies)
{
	char why[256];
	/* A result strace did not see, a wrong errno, a call made once but
	 * reported twice, and a call never made. */
	const char *wrong_ret = "[{\"ev\":\"syscall\",\"name\":\"sethostname\",\"ret\":1}]";
	const char *wrong_errno =
	    "[{\"ev\":\"syscall\",\"name\":\"mount\",\"ret\":-1,\"errno\":\"EBUSY\"}]";
	const char *twice = "[{\"ev\":\"syscall\",\"name\":\"clone\",\"ret\":101},"
			    "{\"ev\":\"syscall\",\"name\":\"clone\",\"ret\":101}]";
	const char *never =
	    "[{\"ev\":\"syscall\",\"name\":\"pivot_root\",\"args\":\"\\\".\\\"\",\"ret\":0}]";

	ck_assert_int_eq(check(wrong_ret, why, sizeof(why)), 1);
	ck_assert_int_eq(check(wrong_errno, why, sizeof(why)), 1);
	ck_assert_int_eq(check(twice, why, sizeof(why)), 1);
	ck_assert_int_eq(check(never, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "pivot_root(\".\") = 0: strace saw no such call");
}
END_TEST

Suite *
suite_honesty(void)
{
	Suite *s = suite_create("honesty");
	TCase *tc = tcase_create("honesty");

	tcase_add_test(tc, honesty_accepts_the_truth);
	tcase_add_test(tc, honesty_catches_lies);
	tcase_add_test(tc, honesty_refuses_x86_only_names);
	suite_add_tcase(s, tc);
	return s;
}
