/*
 * net - a network namespace has its own interfaces, addresses and ports.
 *
 * The parent starts two children, A and B, each with clone(2) and
 * CLONE_NEWNET. Each lists its links: a new network namespace holds the
 * loopback device `lo`, down, plus the fallback devices (tunl0, sit0, ...)
 * of tunnel modules loaded in the host unless
 * net.core.fb_tunnels_only_for_init_net is set
 * (Documentation/admin-guide/sysctl/net.rst). A then creates a veth pair over
 * rtnetlink - a virtual cable whose two ends are interfaces - with its own
 * end veth0 in A's namespace and the peer veth1 created straight in B's
 * (IFLA_NET_NS_PID). Both give their end an address in 10.200.1.0/24 and
 * bring it up, and A sends B a UDP datagram over the cable. The host's
 * namespace is never touched: the veths die with the namespaces.
 *
 * System calls: clone(2) with CLONE_NEWNET; sendmsg(2)/recvmsg(2) on a
 *               NETLINK_ROUTE socket (RTM_GETLINK, RTM_NEWLINK,
 *               RTM_NEWADDR; ns_net.c); socket, bind, sendto, recvfrom on UDP.
 * /proc:        /proc/PID/ns/net of the parent and both children;
 *               /sys/class/net (the parent's links, before and after).
 * Look for:     three different net:[...] ids; "lo:DOWN" as each child's
 *               first link (then only fallback tunnels, where their modules
 *               are loaded); the datagram arriving from 10.200.1.1; the
 *               host's links unchanged.
 * Read:         network_namespaces(7), veth(4), rtnetlink(7), netlink(7), ip-link(8).
 */
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ns.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define ADDR_A "10.200.1.1"
#define ADDR_B "10.200.1.2"
#define PORT   7777
#define HELLO  "hello over the veth"

static pid_t pid_b; /* A creates the veth peer in B's namespace */

/* The host's links, from sysfs: it shows the namespace that mounted it. */
static void
host_links(char *out, size_t size)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	size_t len = 0;

	out[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
						e->d_name);
	if (d)
		closedir(d);
}

/* The links of a new namespace; reported to the parent. */
static struct nl_sock *
show_links(struct ns_sync *sync, const char *who)
{
	char links[256];
	struct nl_sock *nl = ns_rtnl_open();

	if (!nl || ns_link_list(nl, links, sizeof(links)) == -1) {
		trace_fail("rtnetlink");
		return NULL;
	}
	trace_note("%s: links in this new namespace: %s", who, links);
	ns_sync_tell(sync->to_parent[1], links);
	return nl;
}

/* <<< child-a */
static int
child_a(void *arg)
{
	struct ns_sync *sync = arg;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	char go[8];

	ns_sync_in_child(sync);
	struct nl_sock *nl = show_links(sync, "child A");
	/* One end here, the other created directly in B's namespace: no link
	 * ever exists in the host's namespace. */
	if (!nl || ns_veth_create(nl, "veth0", "veth1", pid_b) == -1 ||
	    ns_addr_add(nl, "veth0", ADDR_A "/24") == -1 || ns_link_up(nl, "veth0") == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_tell(sync->to_parent[1], "veth0 up");
	if (ns_sync_hear(sync->to_child[0], go, sizeof(go)) <= 0) /* B listens */
		return EXIT_DEMO_FAILED;

	int fd = (int)TRACE(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket",
			    "AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0");
	inet_pton(AF_INET, ADDR_B, &to.sin_addr);
	if (fd == -1 ||
	    TRACE(sendto(fd, HELLO, strlen(HELLO), 0, (struct sockaddr *)&to, sizeof(to)), "sendto",
		  "%d, %s, %zu, 0, {%s:%d}", fd, trace_str(HELLO), strlen(HELLO), ADDR_B,
		  PORT) == -1)
		return EXIT_DEMO_FAILED;
	ns_rtnl_close(nl);
	return EXIT_DEMO_OK;
}
/* >>> child-a */

/* <<< child-b */
static int
child_b(void *arg)
{
	struct ns_sync *sync = arg;
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(PORT)}, from;
	socklen_t len = sizeof(from);
	struct timeval five = {.tv_sec = 5};
	char go[8], msg[128], report[192];

	ns_sync_in_child(sync);
	struct nl_sock *nl = show_links(sync, "child B");
	if (!nl || ns_sync_hear(sync->to_child[0], go, sizeof(go)) <= 0) /* veth1 is here */
		return EXIT_DEMO_FAILED;
	if (ns_addr_add(nl, "veth1", ADDR_B "/24") == -1 || ns_link_up(nl, "veth1") == -1)
		return EXIT_DEMO_FAILED;
	int fd = (int)TRACE(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket",
			    "AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0");
	inet_pton(AF_INET, ADDR_B, &me.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof(five)); /* never hang */
	if (fd == -1 || TRACE(bind(fd, (struct sockaddr *)&me, sizeof(me)), "bind",
			      "%d, {%s:%d}, %zu", fd, ADDR_B, PORT, sizeof(me)) == -1)
		return EXIT_DEMO_FAILED;
	ns_sync_tell(sync->to_parent[1], "listening");
	ssize_t n = TRACE(recvfrom(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&from, &len),
			  "recvfrom", "%d, buf, %zu, 0, &from, &len", fd, sizeof(msg) - 1);
	if (n < 0)
		return EXIT_DEMO_FAILED;
	msg[n] = '\0';
	snprintf(report, sizeof(report), "%s|%s", msg, inet_ntoa(from.sin_addr));
	ns_sync_tell(sync->to_parent[1], report);
	ns_rtnl_close(nl);
	return EXIT_DEMO_OK;
}
/* >>> child-b */

static const struct trace_prog prog = {
    .name = "net",
    .synopsis = "",
    .about = "Creates two children in new network namespaces: each starts with lo,\n"
	     "down (plus fallback tunnels such as tunl0 and sit0 where the host has\n"
	     "their modules loaded). A veth pair (rtnetlink, libnl) joins them, they\n"
	     "get 10.200.1.1/24 and 10.200.1.2/24, and A sends B a UDP datagram. The\n"
	     "host's network namespace is never changed. Needs root (CAP_SYS_ADMIN,\n"
	     "CAP_NET_ADMIN).",
    .look_for = "Three different net:[...] ids; \"lo:DOWN\" as each child's first link\n"
		"(no veth yet); the datagram arriving from 10.200.1.1; the host's links\n"
		"unchanged.",
};

int
main(int argc, char **argv)
{
	char before[1024], after[1024], links_a[256], links_b[256], msg[192], ns[3][64];
	struct ns_sync sa, sb;
	int status_a, status_b;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'net --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();

	trace_note("parent: the host's network namespace and links");
	host_links(before, sizeof(before));
	trace_proc("/sys/class/net", before);
	snprintf(ns[0], sizeof(ns[0]), "%s", proc_ns(0, "net") ?: err_print_as("?"));
	if (ns_sync_init(&sa) == -1 || ns_sync_init(&sb) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* <<< clone */
	pid_b = ns_clone(CLONE_NEWNET | SIGCHLD, child_b, &sb);
	if (pid_b == -1)
		return EXIT_DEMO_FAILED;
	/* Named in the trace: the question of step 11 is which pid is which. */
	trace_note("parent: child B is pid %d", (int)pid_b);
	ns_sync_in_parent(&sb);
	ns_sync_hear(sb.to_parent[0], links_b, sizeof(links_b));
	pid_t pid_a = ns_clone(CLONE_NEWNET | SIGCHLD, child_a, &sa);
	/* >>> clone */
	if (pid_a == -1)
		return EXIT_DEMO_FAILED;
	trace_note("parent: child A is pid %d", (int)pid_a);
	ns_sync_in_parent(&sa);
	ns_sync_hear(sa.to_parent[0], links_a, sizeof(links_a));
	snprintf(ns[1], sizeof(ns[1]), "%s", proc_ns(pid_a, "net") ?: err_print_as("?"));
	snprintf(ns[2], sizeof(ns[2]), "%s", proc_ns(pid_b, "net") ?: err_print_as("?"));

	/* The handshake: A's veth is up -> B configures and listens -> A
	 * sends. A child that failed closes its pipe: the chain stops, and
	 * closing ours below lets the other child end too. */
	signal(SIGPIPE, SIG_IGN);
	msg[0] = '\0';
	if (ns_sync_hear(sa.to_parent[0], msg, sizeof(msg)) > 0 &&
	    ns_sync_tell(sb.to_child[1], "go") == 0 &&
	    ns_sync_hear(sb.to_parent[0], msg, sizeof(msg)) > 0 &&
	    ns_sync_tell(sa.to_child[1], "go") == 0)
		ns_sync_hear(sb.to_parent[0], msg, sizeof(msg));
	ns_sync_close(&sa);
	ns_sync_close(&sb);
	if (ns_wait(pid_a, &status_a) == -1 || ns_wait(pid_b, &status_b) == -1)
		return EXIT_DEMO_FAILED;
	host_links(after, sizeof(after));
	trace_proc("/sys/class/net", after);

	char *from = strchr(msg, '|');
	if (from)
		*from++ = '\0';
	printf("%-18s %-20s %-20s %s\n", "", "parent (host)", "child A", "child B");
	printf("%-18s %-20d %-20d %d\n", "pid", (int)getpid(), (int)pid_a, (int)pid_b);
	printf("%-18s %-20s %-20s %s\n", "/proc/PID/ns/net", ns[0], ns[1], ns[2]);
	printf("%-18s %-20s %-20s %s\n", "links at start", "(the host's)", links_a, links_b);
	printf("%-18s %-20s %-20s %s\n", "veth end", "-", "veth0 " ADDR_A, "veth1 " ADDR_B);
	printf("\nB received \"%s\" from %s.\n", msg, from ? from : "?");

	int differs = strcmp(ns[0], ns[1]) && strcmp(ns[0], ns[2]) && strcmp(ns[1], ns[2]);
	int unchanged = strcmp(before, after) == 0;
	trace_fact("net_ns_parent", "%s", ns[0]);
	trace_fact("net_ns_child", "%s", ns[1]);
	trace_fact("net_ns_child_b", "%s", ns[2]);
	trace_fact("net_ns_differs", "%s", differs ? "yes" : "no");
	trace_fact("links_new_ns", "%s", links_a);
	trace_fact("datagram_received", "%s", msg);
	trace_fact("datagram_from", "%s", from ? from : "");
	trace_fact("host_links_unchanged", "%s", unchanged ? "yes" : "no");

	if (!differs || !unchanged || status_a != 0 || status_b != 0 || strcmp(msg, HELLO)) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("Each namespace has its own lo and its own end of the cable; the host's\n"
	       "links are what they were: %s\n",
	       after);
	return EXIT_DEMO_OK;
}
