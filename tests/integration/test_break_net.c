/*
 * test_break_net.c - 01-namespaces/break-net, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define BREAK_NET "01-namespaces/break-net"

static void
check_trace(const struct run *r)
{
	char why[512];

	ck_assert_msg(r->json_error[0] == '\0', "invalid JSON Lines: %s", r->json_error);
	ck_assert_msg(run_honest(r, why, sizeof(why)) == 0, "the trace lies: %s", why);
}

/* One line on stderr, exit 2, nothing created. */
static void
check_usage_error(const char *const argv[], const char *expected)
{
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, expected) != NULL, "stderr lacks '%s':\n%s", expected, r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "clone"));
	run_free(&r);
}

START_TEST(break_net_shared_namespace_sees_host)
{
	struct run r;
	const char *argv[] = {BREAK_NET, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	check_trace(&r);
	/* The sharing container is in the stand-in host's namespace ... */
	ck_assert_str_eq(run_fact(&r, "net_ns_shared"), run_fact(&r, "net_ns_parent"));
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "links_shared"), "host-eth0:UP"));
	ck_assert_str_eq(run_fact(&r, "bind_host_addr_shared"), "bound");
	/* ... the other has its own, with nothing but lo. */
	ck_assert_str_eq(run_fact(&r, "net_ns_differs"), "yes");
	ck_assert_str_eq(run_fact(&r, "links_own"), "lo:UP");
	ck_assert_str_eq(run_fact(&r, "bind_host_addr_own"), "EADDRNOTAVAIL");
	ck_assert_ptr_nonnull(strstr(r.err, "flags=SIGCHLD) = "));
	ck_assert_ptr_nonnull(strstr(r.err, "{10.200.2.1:53}, 16) = -1 EADDRNOTAVAIL"));
	ck_assert_ptr_nonnull(
	    strstr(r.out, "nutshell run gives every container its own network namespace"));
	run_free(&r);
}
END_TEST

START_TEST(break_net_bad_input)
{
	const char *extra[] = {BREAK_NET, "surplus", NULL};

	check_usage_error(extra, "unexpected argument 'surplus'");
}
END_TEST

Suite *
suite_break_net(void)
{
	Suite *s = suite_create("break-net");
	TCase *tc = tcase_create("break-net");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, break_net_shared_namespace_sees_host);
	tcase_add_test(tc, break_net_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
