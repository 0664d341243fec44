/*
 * break-net - a process that shares the network namespace sees every
 * interface, and can use the host's addresses.
 *
 * Nothing here touches the real host. The program first clone(2)s a
 * stand-in "host" with CLONE_NEWNET and gives it an interface, host-eth0,
 * with the address 10.200.2.1/24 (a veth pair over rtnetlink; ns_net.c).
 * That host then starts two "containers": one with clone(2) flags that
 * leave out CLONE_NEWNET, sharing the host's network namespace, and one
 * with CLONE_NEWNET. Each lists the links it sees and tries to bind(2) a
 * UDP socket to the host's address - what a process does to impersonate a
 * host service, or the first step of listening in on its traffic (a packet
 * socket on host-eth0 would see every frame).
 *
 * System calls: clone(2) with and without CLONE_NEWNET; sendmsg/recvmsg on
 *               rtnetlink (RTM_NEWLINK, RTM_NEWADDR, RTM_GETLINK); socket(2),
 *               bind(2).
 * /proc:        /proc/PID/ns/net of the host and both containers.
 * Look for:     the sharing container lists host-eth0 and binds to
 *               10.200.2.1; the other sees lo, no host-eth0, and gets
 *               EADDRNOTAVAIL (fallback tunnels such as tunl0 may sit next
 *               to lo where their modules are loaded).
 * Read:         network_namespaces(7), clone(2), bind(2), packet(7).
 */
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOST_ADDR "10.200.2.1"
#define HOST_PORT 53 /* as if the host ran a DNS server there */

/* <<< container */
/* A container: what links does it see, and may it bind the host's address? */
static int
container(void *arg)
{
	const char *label = arg;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(HOST_PORT)};
	char links[256], key[64];
	struct nl_sock *nl = ns_rtnl_open();

	/* lo up, as container runtimes do. Until a namespace has a local routing
	 * table (made with its first address: 127.0.0.1 when lo comes up),
	 * the kernel's address check finds no table and lets any bind(2)
	 * through (__inet_dev_addr_type, net/ipv4/fib_frontend.c). */
	if (!nl || (strcmp(label, "own") == 0 && ns_link_up(nl, "lo") == -1) ||
	    ns_link_list(nl, links, sizeof(links)) == -1)
		return EXIT_DEMO_FAILED;
	ns_rtnl_close(nl);
	int fd = (int)TRACE(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket",
			    "AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0");
	inet_pton(AF_INET, HOST_ADDR, &sin.sin_addr);
	long ret = TRACE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), "bind", "%d, {%s:%d}, %zu",
			 fd, HOST_ADDR, HOST_PORT, sizeof(sin));
	const char *result = ret == 0 ? "bound" : dec_errno(errno);

	snprintf(key, sizeof(key), "links_%s", label);
	trace_fact(key, "%s", links);
	snprintf(key, sizeof(key), "bind_host_addr_%s", label);
	trace_fact(key, "%s", result);
	printf("%-8s %-18s %-36s %s\n", label, proc_ns_quiet(0, "net"), links, result);
	fflush(stdout); /* a child of clone(2) ends with _exit: no stdio flush */
	return EXIT_DEMO_OK;
}
/* >>> container */

/* The stand-in host: an interface with an address, then two containers. */
static int
host(void *arg)
{
	char ns_host[64], ns_shared[64], ns_own[64];
	int status, failed = 0;
	struct nl_sock *nl = ns_rtnl_open();

	(void)arg;
	if (!nl || ns_link_up(nl, "lo") == -1 ||
	    ns_veth_create(nl, "host-eth0", "host-peer", 0) == -1 ||
	    ns_addr_add(nl, "host-eth0", HOST_ADDR "/24") == -1 ||
	    ns_link_up(nl, "host-eth0") == -1)
		return EXIT_DEMO_FAILED;
	ns_rtnl_close(nl);
	snprintf(ns_host, sizeof(ns_host), "%s", proc_ns(0, "net") ?: err_print_as("?"));
	printf("%-8s %-18s %-36s %s\n", "", "/proc/self/ns/net", "links it sees",
	       "bind(" HOST_ADDR ")");
	fflush(stdout);

	/* <<< clones */
	/* No CLONE_NEWNET: the child shares our network namespace, as
	 * `docker run --network host` or a forgotten flag would. */
	pid_t shared = ns_clone(SIGCHLD, container, "shared");
	if (shared == -1 || ns_wait(shared, &status) == -1 || status != 0)
		failed = 1;
	snprintf(ns_shared, sizeof(ns_shared), "%s", proc_ns_quiet(0, "net"));
	/* CLONE_NEWNET: a namespace of its own, with nothing but lo. */
	pid_t own = ns_clone(CLONE_NEWNET | SIGCHLD, container, "own");
	/* >>> clones */
	if (own == -1)
		return EXIT_DEMO_FAILED;
	snprintf(ns_own, sizeof(ns_own), "%s", proc_ns(own, "net") ?: err_print_as("?"));
	if (ns_wait(own, &status) == -1 || status != 0)
		failed = 1;
	trace_fact("net_ns_parent", "%s", ns_host);
	trace_fact("net_ns_shared", "%s", ns_shared);
	trace_fact("net_ns_child", "%s", ns_own);
	trace_fact("net_ns_differs", "%s", strcmp(ns_host, ns_own) ? "yes" : "no");
	return failed ? EXIT_DEMO_FAILED : EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "break-net",
    .synopsis = "",
    .about = "Inside a stand-in host (its own network namespace with host-eth0), a\n"
	     "container that shares the host's network namespace sees host-eth0 and binds\n"
	     "the host's address; one with its own namespace sees lo, no host-eth0. The\n"
	     "real host's network is never touched. Needs root.",
    .look_for = "The sharing container lists host-eth0 and binds to 10.200.2.1; the other\n"
		"sees lo but no host-eth0, and gets EADDRNOTAVAIL.",
};

int
main(int argc, char **argv)
{
	int status;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'break-net --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	trace_note("the real host's network namespace, never changed");
	if (!proc_ns(0, "net"))
		err_print(); /* shown, not needed */

	fflush(stdout);
	pid_t pid = ns_clone(CLONE_NEWNET | SIGCHLD, host, NULL);
	if (pid == -1 || ns_wait(pid, &status) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (status != 0) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nThe shared container could answer for the host on " HOST_ADDR " and, with\n"
	       "CAP_NET_RAW, read every frame on host-eth0. The launcher prevents it:\n"
	       "nutshell run gives every container its own network namespace by default\n"
	       "(CLONE_NEWNET), where it sees only interfaces of its own.\n");
	return EXIT_DEMO_OK;
}
