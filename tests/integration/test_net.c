/*
 * test_net.c - 01-namespaces/net, as the worksheet runs it.
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define NET "01-namespaces/net"

START_TEST(net_veth_between_two_namespaces)
{
	struct run r;
	const char *argv[] = {NET, NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	/* Both children in new network namespaces, neither the host's. */
	ck_assert_ptr_nonnull(strstr(r.err, "flags=CLONE_NEWNET|SIGCHLD) = "));
	ck_assert_str_eq(run_fact(&r, "net_ns_differs"), "yes");
	ck_assert_str_ne(run_fact(&r, "net_ns_parent"), run_fact(&r, "net_ns_child"));
	ck_assert_str_ne(run_fact(&r, "net_ns_child"), run_fact(&r, "net_ns_child_b"));
	/* A new network namespace: lo, down, and nothing else but the
	 * fallback tunnel devices of modules loaded in the host. */
	ck_assert_msg(links_of_new_netns(run_fact(&r, "links_new_ns"), "lo:DOWN"),
		      "links_new_ns is '%s', expected lo:DOWN and only fallback tunnels",
		      run_fact(&r, "links_new_ns"));
	/* The rtnetlink requests, by name, with the peer made in B's namespace. */
	ck_assert_ptr_nonnull(strstr(r.err, "sendmsg(") ? strstr(r.err, "{RTM_GETLINK dump}")
							: NULL);
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "sendmsg"));
	ck_assert_ptr_nonnull(strstr(r.err, "{RTM_NEWLINK veth0 type veth peer veth1 netns_pid="));
	/* Step 11's question answered from the trace: the labels name the
	 * pids, and netns_pid is child B's. */
	int pid_b = 0, pid_a = 0;
	const char *lb = strstr(r.err, "parent: child B is pid ");
	const char *la = strstr(r.err, "parent: child A is pid ");
	ck_assert_msg(lb && la, "the trace does not say which pid is A and B:\n%s", r.err);
	sscanf(lb, "parent: child B is pid %d", &pid_b);
	sscanf(la, "parent: child A is pid %d", &pid_a);
	char peer[96];
	snprintf(peer, sizeof(peer), "peer veth1 netns_pid=%d}", pid_b);
	ck_assert_msg(strstr(r.err, peer), "no '%s' in:\n%s", peer, r.err);
	for (int i = 0; i < 2; i++) {
		char note[64], line[256] = "";
		snprintf(note, sizeof(note), "child %c: links in this new namespace: ", "AB"[i]);
		const char *at = strstr(r.err, note);
		ck_assert_msg(at, "no '%s' in:\n%s", note, r.err);
		sscanf(at + strlen(note), "%255[^\n]", line);
		ck_assert_msg(links_of_new_netns(line, "lo:DOWN"), "child %c's links: '%s'",
			      "AB"[i], line);
	}
	char row[96];
	snprintf(row, sizeof(row), " %d ", pid_a);
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "pid "), row));
	ck_assert_ptr_nonnull(strstr(r.err, "{RTM_NEWADDR veth0 10.200.1.1/24}"));
	ck_assert_ptr_nonnull(strstr(r.err, "{RTM_NEWADDR veth1 10.200.1.2/24}"));
	ck_assert_ptr_nonnull(strstr(r.err, "{RTM_NEWLINK veth1 flags=IFF_UP}"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "recvmsg"));
	/* The datagram crossed the cable. */
	ck_assert_str_eq(run_fact(&r, "datagram_received"), "hello over the veth");
	ck_assert_str_eq(run_fact(&r, "datagram_from"), "10.200.1.1");
	ck_assert_ptr_nonnull(strstr(r.out, "B received \"hello over the veth\" from 10.200.1.1."));
	ck_assert_ptr_nonnull(strstr(r.out, "lo:DOWN"));
	/* The host's links did not change (the host suite checks it again). */
	ck_assert_str_eq(run_fact(&r, "host_links_unchanged"), "yes");
	ck_assert_ptr_null(strstr(run_fact(&r, "net_ns_parent"), "?"));
	run_free(&r);
}
END_TEST

/* The check above, on the lists a host may give: fallback tunnels pass,
 * anything else (a veth, lo missing or up) fails. */
START_TEST(net_new_netns_links_rule)
{
	ck_assert(links_of_new_netns("lo:DOWN", "lo:DOWN"));
	ck_assert(links_of_new_netns("lo:DOWN tunl0:DOWN sit0:DOWN ip6tnl0:DOWN", "lo:DOWN"));
	ck_assert(
	    links_of_new_netns("lo:unknown gre0:down gretap0:down erspan0:down", "lo:unknown"));
	ck_assert(!links_of_new_netns("lo:DOWN veth0:DOWN", "lo:DOWN"));
	ck_assert(!links_of_new_netns("lo:DOWN tunl0:UP", "lo:DOWN"));
	ck_assert(!links_of_new_netns("lo:DOWN tunl0", "lo:DOWN"));
	ck_assert(!links_of_new_netns("lo:DOWN tunl00:DOWN", "lo:DOWN"));
	ck_assert(!links_of_new_netns("lo:UP", "lo:DOWN"));
	ck_assert(!links_of_new_netns("lo:DOWNX", "lo:DOWN"));
	ck_assert(!links_of_new_netns("tunl0:DOWN lo:DOWN", "lo:DOWN"));
	ck_assert(!links_of_new_netns("", "lo:DOWN"));
}
END_TEST

START_TEST(net_bad_input_and_no_root)
{
	const char *extra[] = {NET, "surplus", NULL};
	const char *unknown[] = {NET, "--bogus", NULL};
	const char *argv[] = {NET, NULL};
	struct run r;

	run_expect_usage_error(extra, 2, "unexpected argument 'surplus'");
	run_expect_usage_error(unknown, 2, "unknown option '--bogus'");
	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY, argv), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "net: needs root to create namespaces: run it with sudo\n");
	run_free(&r);
}
END_TEST

Suite *
suite_net(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, net_veth_between_two_namespaces);
	tcase_add_test(tc, net_new_netns_links_rule);
	tcase_add_test(tc, net_bad_input_and_no_root);
	suite_add_tcase(s, tc);
	return s;
}
