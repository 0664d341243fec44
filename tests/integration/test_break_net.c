/*
 * test_break_net.c - 01-namespaces/break-net, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <string.h>

#define BREAK_NET "01-namespaces/break-net"

START_TEST(break_net_shared_namespace_sees_host)
{
	struct run r;
	const char *argv[] = {BREAK_NET, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* The sharing container is in the stand-in host's namespace ... */
	ck_assert_str_eq(run_fact(&r, "net_ns_shared"), run_fact(&r, "net_ns_parent"));
	ck_assert_ptr_nonnull(strstr(run_fact(&r, "links_shared"), "host-eth0:UP"));
	ck_assert_str_eq(run_fact(&r, "bind_host_addr_shared"), "bound");
	/* ... the other has its own, with nothing but lo. */
	ck_assert_str_eq(run_fact(&r, "net_ns_differs"), "yes");
	ck_assert_msg(links_of_new_netns(run_fact(&r, "links_own"), "lo:UP"),
		      "links_own is '%s', expected lo:UP and only fallback tunnels",
		      run_fact(&r, "links_own"));
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

	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
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
