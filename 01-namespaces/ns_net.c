/*
 * ns_net.c - network helpers (see ns.h, "network"): veth pairs, addresses
 * and link state over rtnetlink, with libmnl.
 *
 * rtnetlink (rtnetlink(7), netlink(7)) is how ip(8) talks to the kernel:
 * a request is a struct nlmsghdr, a fixed header (struct ifinfomsg for
 * links, struct ifaddrmsg for addresses) and attributes (IFLA_*, IFA_*),
 * some nested. libmnl builds them and parses the answers; the kernel
 * answers each request flagged NLM_F_ACK with an NLMSG_ERROR whose error is
 * 0 (an ack) or -errno. mnl_socket_sendto() is sendto(2), and
 * mnl_socket_recvfrom() is recvmsg(2): the names strace shows.
 */
#include "../common/decode.h"
#include "../common/trace.h"
#include "ns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Big enough for a dump of a few links in one recvmsg(2) (libmnl's
 * MNL_SOCKET_DUMP_SIZE in later versions). */
#define NS_NL_BUF 32768

static unsigned int seq;

struct mnl_socket *
ns_rtnl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		mnl_socket_close(nl);
		errno = saved;
		return NULL;
	}
	if (seq == 0)
		seq = (unsigned int)time(NULL);
	return nl;
}

void
ns_rtnl_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

static struct nlmsghdr *
request(char *buf, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = ++seq;
	return nlh;
}

/* <<< ns-talk */
/*
 * Sends one request and reads answers until the ack (or, for a dump, the
 * NLMSG_DONE), handing data messages to cb. WHAT describes the request in
 * the trace. Returns 0, or -1 with errno the kernel's answer.
 */
static int
talk(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what, mnl_cb_t cb, void *data)
{
	static char buf[NS_NL_BUF];
	unsigned int portid = mnl_socket_get_portid(nl);
	int fd = mnl_socket_get_fd(nl);

	if (TRACE(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len), "sendto", "%d, {%s}, %u, 0", fd, what,
		  nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = TRACE(mnl_socket_recvfrom(nl, buf, sizeof(buf)), "recvmsg",
				  "%d, {answer to seq %u}, 0", fd, nlh->nlmsg_seq);
		if (n < 0)
			return -1;
		/* mnl_cb_run: MNL_CB_STOP at the ack or NLMSG_DONE, -1 with
		 * errno set when the kernel answered an error. */
		int ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
		if (ret == MNL_CB_ERROR) {
			trace_note("kernel: %s failed: %s (%s)", what, dec_errno(errno),
				   strerror(errno));
			return -1;
		}
		if (ret == MNL_CB_STOP)
			return 0;
	}
}
/* >>> ns-talk */

/* <<< ns-veth */
int
ns_veth_create(struct mnl_socket *nl, const char *name, const char *peer, pid_t peer_pid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[256];
	struct nlmsghdr *nlh = request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* IFLA_LINKINFO { KIND "veth", DATA { VETH_INFO_PEER { ifinfomsg,
	 * IFLA_IFNAME peer, IFLA_NET_NS_PID pid } } } - what
	 * "ip link add NAME type veth peer name PEER netns PID" sends. */
	struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *peer_ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifm));
	peer_ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_pid > 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)peer_pid);
	mnl_attr_nest_end(nlh, peer_info);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	if (peer_pid > 0)
		snprintf(what, sizeof(what), "RTM_NEWLINK %s type veth peer %s netns_pid=%d", name,
			 peer, (int)peer_pid);
	else
		snprintf(what, sizeof(what), "RTM_NEWLINK %s type veth peer %s", name, peer);
	return talk(nl, nlh, what, NULL, NULL);
}
/* >>> ns-veth */

int
ns_link_up(struct mnl_socket *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[128];
	struct nlmsghdr *nlh = request(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	/* ifi_change says which flags to change, ifi_flags their values. With
	 * ifi_index 0 the kernel finds the link by IFLA_IFNAME. */
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	snprintf(what, sizeof(what), "RTM_NEWLINK %s flags=IFF_UP", name);
	return talk(nl, nlh, what, NULL, NULL);
}

int
ns_addr_add(struct mnl_socket *nl, const char *name, const char *cidr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[128], addr[32];
	unsigned int prefix = 32, index = if_nametoindex(name);
	struct in_addr in;
	char *slash;

	snprintf(addr, sizeof(addr), "%s", cidr);
	if ((slash = strchr(addr, '/'))) {
		*slash = '\0';
		prefix = (unsigned int)atoi(slash + 1);
	}
	if (index == 0)
		return -1; /* errno ENODEV from if_nametoindex(3) */
	if (inet_pton(AF_INET, addr, &in) != 1 || prefix > 32) {
		errno = EINVAL;
		return -1;
	}
	struct nlmsghdr *nlh = request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = index;
	/* IFA_LOCAL is the interface's address; on a point-to-multipoint link
	 * like a veth IFA_ADDRESS is the same. */
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(in), &in);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(in), &in);
	snprintf(what, sizeof(what), "RTM_NEWADDR %s %s/%u", name, addr, prefix);
	return talk(nl, nlh, what, NULL, NULL);
}

struct link_list {
	char *out;
	size_t size, len;
};

static int
add_link(const struct nlmsghdr *nlh, void *arg)
{
	struct link_list *l = arg;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr;
	const char *name = "?";

	mnl_attr_for_each(attr, nlh, sizeof(*ifm))
	{
		if (mnl_attr_get_type(attr) == IFLA_IFNAME)
			name = mnl_attr_get_str(attr);
	}
	if (l->len < l->size)
		l->len += (size_t)snprintf(l->out + l->len, l->size - l->len, "%s%s:%s",
					   l->len ? " " : "", name,
					   ifm->ifi_flags & IFF_UP ? "UP" : "DOWN");
	return MNL_CB_OK;
}

int
ns_link_list(struct mnl_socket *nl, char *out, size_t size)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct link_list l = {out, size, 0};

	ifm->ifi_family = AF_UNSPEC;
	out[0] = '\0';
	return talk(nl, nlh, "RTM_GETLINK dump", add_link, &l);
}
