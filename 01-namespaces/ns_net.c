/*
 * ns_net.c - network helpers (see ns.h, "network"): veth pairs, addresses
 * and link state over rtnetlink, with the core of libnl (libnl-3).
 *
 * rtnetlink (rtnetlink(7), netlink(7)) is how ip(8) talks to the kernel:
 * a request is a struct nlmsghdr, a fixed header (struct ifinfomsg for
 * links, struct ifaddrmsg for addresses) and attributes (IFLA_*, IFA_*),
 * some nested. libnl builds them (nlmsg_*, nla_*) and hands the answers to
 * callbacks; the kernel answers each request flagged NLM_F_ACK with an
 * NLMSG_ERROR whose error is 0 (an ack) or -errno. Only libnl's core is
 * used, not libnl-route's caches of link objects: each helper sends one
 * request, as ip(8) does. libnl sends with sendmsg(2) and receives with
 * recvmsg(2): the names strace shows, and the names traced here.
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room for any datagram the kernel sends: it sizes dumps to the reader's
 * buffer, at most 32 KiB (netlink_dump() in net/netlink/af_netlink.c). */
#define NS_NL_BUF 32768

/* The request whose answer is being read, for the recvmsg(2) trace line
 * (libnl's receive hook has no argument of its own). */
static const char *waiting_for = "?";

/* libnl returns -NLE_* codes. After a failed system call errno is still the
 * call's, and a trace line shows what the call returned: -1. */
static long
syscall_result(int ret)
{
	return ret < 0 ? -1 : ret;
}

/* libnl's own failures back to an errno: the reverse of nl_syserr2nlerr(),
 * which folds errnos it does not know into NLE_FAILURE (EIO here). */
static int
nle_errno(int nle)
{
	static const int to_errno[NLE_MAX + 1] = {
	    [NLE_INTR] = EINTR,
	    [NLE_BAD_SOCK] = EBADF,
	    [NLE_AGAIN] = EAGAIN,
	    [NLE_NOMEM] = ENOMEM,
	    [NLE_EXIST] = EEXIST,
	    [NLE_INVAL] = EINVAL,
	    [NLE_RANGE] = ERANGE,
	    [NLE_MSGSIZE] = EMSGSIZE,
	    [NLE_OPNOTSUPP] = EOPNOTSUPP,
	    [NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
	    [NLE_OBJ_NOTFOUND] = ENOENT,
	    [NLE_MSG_TRUNC] = EMSGSIZE,
	    [NLE_NOADDR] = EADDRNOTAVAIL,
	    [NLE_BUSY] = EBUSY,
	    [NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
	    [NLE_NOACCESS] = EACCES,
	    [NLE_PERM] = EPERM,
	    [NLE_NODEV] = ENODEV,
	};

	nle = nle < 0 ? -nle : nle;
	return nle <= NLE_MAX && to_errno[nle] ? to_errno[nle] : EIO;
}

/* libnl's receive, traced. ns_rtnl_open() turned off libnl's MSG_PEEK pass,
 * so each call here is exactly one recvmsg(2). */
static int
traced_recv(struct nl_sock *nl, struct sockaddr_nl *from, unsigned char **buf, struct ucred **creds)
{
	int ret = 0;

	TRACE(syscall_result(ret = nl_recv(nl, from, buf, creds)), "recvmsg",
	      "%d, {answer to %s}, 0", nl_socket_get_fd(nl), waiting_for);
	return ret;
}

struct nl_sock *
ns_rtnl_open(void)
{
	struct nl_sock *nl = nl_socket_alloc();
	struct nl_cb *cb;
	int err;

	if (!nl) {
		err_set(ENOMEM, "nl_socket_alloc: no memory for a netlink socket");
		return NULL;
	}
	/* Without these, libnl reads each datagram twice: a MSG_PEEK|MSG_TRUNC
	 * recvmsg(2) for its size, then the real one. */
	nl_socket_disable_msg_peek(nl);
	nl_socket_set_msg_buf_size(nl, NS_NL_BUF);
	cb = nl_socket_get_cb(nl);
	nl_cb_overwrite_recv(cb, traced_recv);
	nl_cb_put(cb);
	/* socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE), buffer
	 * sizes, bind(2) to a port id of its own, getsockname(2): plumbing. */
	if ((err = nl_connect(nl, NETLINK_ROUTE)) < 0) {
		nl_socket_free(nl);
		errno = nle_errno(err);
		err_sys("netlink: connect");
		return NULL;
	}
	return nl;
}

void
ns_rtnl_close(struct nl_sock *nl)
{
	nl_socket_free(nl); /* closes the socket; NULL is fine */
}

/* <<< ns-talk */
/* Keeps the kernel's errno from an NLMSG_ERROR: nl_syserr2nlerr() would
 * fold it into one of libnl's NLE_* codes, and the trace says what the
 * kernel said (EEXIST, EPERM ...). */
static int
kernel_error(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	(void)from;
	*(int *)arg = -e->error;
	return NL_STOP;
}

/*
 * Reads the answers to the request just sent: for a dump, each link to
 * VALID until NLMSG_DONE; otherwise until the ack. WHAT describes the
 * request in the trace. Returns 0, or -1 with errno the kernel's answer
 * and the error recorded (err.h).
 */
static int
answer(struct nl_sock *nl, const char *what, nl_recvmsg_msg_cb_t valid, void *arg)
{
	int error = 0, ret;

	waiting_for = what;
	nl_socket_modify_err_cb(nl, NL_CB_CUSTOM, kernel_error, &error);
	if (valid) {
		nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
		ret = nl_recvmsgs_default(nl);
	} else {
		ret = nl_wait_for_ack(nl);
	}
	/* No callback may outlive the arguments it points to. */
	nl_socket_modify_err_cb(nl, NL_CB_DEFAULT, NULL, NULL);
	nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	waiting_for = "?";
	if (ret >= 0)
		return 0;
	if (error)
		trace_note("kernel: %s failed: %s (%s)", what, dec_errno(error), strerror(error));
	errno = error ? error : nle_errno(ret);
	return err_sys("%s", what);
}

/* Sends MSG (port id, sequence number and NLM_F_ACK filled in by libnl),
 * frees it, and reads the kernel's ack. */
static int
talk(struct nl_sock *nl, struct nl_msg *msg, const char *what)
{
	long sent = TRACE(syscall_result(nl_send_auto(nl, msg)), "sendmsg", "%d, {%s}, 0",
			  nl_socket_get_fd(nl), what);
	int saved = errno;

	nlmsg_free(msg);
	errno = saved;
	if (sent == -1)
		return err_sys("%s: sendmsg", what);
	return answer(nl, what, NULL, NULL);
}
/* >>> ns-talk */

/* <<< ns-veth */
int
ns_veth_create(struct nl_sock *nl, const char *name, const char *peer, pid_t peer_pid)
{
	struct ifinfomsg ifm = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct nlattr *linkinfo, *data, *peer_info;
	char what[256];

	if (!msg)
		return err_set(ENOMEM, "%s: no memory for a netlink message", __func__);
	if (nlmsg_append(msg, &ifm, sizeof(ifm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT_STRING(msg, IFLA_IFNAME, name);
	/* IFLA_LINKINFO { KIND "veth", DATA { VETH_INFO_PEER { ifinfomsg,
	 * IFLA_IFNAME peer, IFLA_NET_NS_PID pid } } } - what
	 * "ip link add NAME type veth peer name PEER netns PID" sends. */
	if (!(linkinfo = nla_nest_start(msg, IFLA_LINKINFO)))
		goto nla_put_failure;
	NLA_PUT_STRING(msg, IFLA_INFO_KIND, "veth");
	if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    !(peer_info = nla_nest_start(msg, VETH_INFO_PEER)) ||
	    nlmsg_append(msg, &ifm, sizeof(ifm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT_STRING(msg, IFLA_IFNAME, peer);
	if (peer_pid > 0)
		NLA_PUT_U32(msg, IFLA_NET_NS_PID, (uint32_t)peer_pid);
	nla_nest_end(msg, peer_info);
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);

	if (peer_pid > 0)
		snprintf(what, sizeof(what), "RTM_NEWLINK %s type veth peer %s netns_pid=%d", name,
			 peer, (int)peer_pid);
	else
		snprintf(what, sizeof(what), "RTM_NEWLINK %s type veth peer %s", name, peer);
	return talk(nl, msg, what);
nla_put_failure: /* libnl's NLA_PUT_* jump here: the message is full */
	nlmsg_free(msg);
	return err_set(EMSGSIZE, "%s: the netlink message is full", __func__);
}
/* >>> ns-veth */

int
ns_link_up(struct nl_sock *nl, const char *name)
{
	/* ifi_change says which flags to change, ifi_flags their values. With
	 * ifi_index 0 the kernel finds the link by IFLA_IFNAME. */
	struct ifinfomsg ifm = {.ifi_family = AF_UNSPEC, .ifi_change = IFF_UP, .ifi_flags = IFF_UP};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK);
	char what[128];

	if (!msg)
		return err_set(ENOMEM, "%s: no memory for a netlink message", __func__);
	if (nlmsg_append(msg, &ifm, sizeof(ifm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT_STRING(msg, IFLA_IFNAME, name);
	snprintf(what, sizeof(what), "RTM_NEWLINK %s flags=IFF_UP", name);
	return talk(nl, msg, what);
nla_put_failure:
	nlmsg_free(msg);
	return err_set(EMSGSIZE, "%s: the netlink message is full", __func__);
}

int
ns_link_delete(struct nl_sock *nl, const char *name)
{
	/* Deleting one end of a veth deletes its peer too, whatever namespace
	 * it is in (veth(4)); the kernel does it before it answers. */
	struct ifinfomsg ifm = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_ACK);
	char what[128];

	if (!msg)
		return err_set(ENOMEM, "%s: no memory for a netlink message", __func__);
	if (nlmsg_append(msg, &ifm, sizeof(ifm), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	NLA_PUT_STRING(msg, IFLA_IFNAME, name);
	snprintf(what, sizeof(what), "RTM_DELLINK %s", name);
	return talk(nl, msg, what);
nla_put_failure:
	nlmsg_free(msg);
	return err_set(EMSGSIZE, "%s: the netlink message is full", __func__);
}

int
ns_ipv6_refuse_ra(const char *name)
{
	const char *knobs[] = {"accept_ra", "autoconf"};
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s", name);
	if (stat(path, &st) == -1 && errno == ENOENT)
		return 0; /* IPv6 is off (disable_ipv6, or ipv6.disable=1): nothing to accept */
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", name, knobs[i]);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd == -1)
			return err_sys("%s", path);
		ssize_t n = TRACE(write(fd, "0", 1), "write", "%d, \"0\", 1", fd);
		int saved = errno;
		close(fd);
		errno = saved;
		if (n != 1)
			return err_sys("%s", path);
	}
	return 0;
}

int
ns_addr_add(struct nl_sock *nl, const char *name, const char *cidr)
{
	char what[128], addr[32];
	unsigned int prefix = 32, index = if_nametoindex(name);
	struct in_addr in;
	char *slash;

	snprintf(addr, sizeof(addr), "%s", cidr);
	if ((slash = strchr(addr, '/'))) {
		*slash = '\0';
		prefix = (unsigned int)atoi(slash + 1);
	}
	if (index == 0)
		return err_sys("link '%s'", name); /* ENODEV from if_nametoindex(3) */
	if (inet_pton(AF_INET, addr, &in) != 1 || prefix > 32)
		return err_set(EINVAL, "'%s': expected an IPv4 address such as 10.0.0.1/24", cidr);
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = index};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);

	if (!msg)
		return err_set(ENOMEM, "%s: no memory for a netlink message", __func__);
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;
	/* IFA_LOCAL is the interface's address; on a point-to-multipoint link
	 * like a veth IFA_ADDRESS is the same. */
	NLA_PUT(msg, IFA_LOCAL, sizeof(in), &in);
	NLA_PUT(msg, IFA_ADDRESS, sizeof(in), &in);
	snprintf(what, sizeof(what), "RTM_NEWADDR %s %s/%u", name, addr, prefix);
	return talk(nl, msg, what);
nla_put_failure:
	nlmsg_free(msg);
	return err_set(EMSGSIZE, "%s: the netlink message is full", __func__);
}

struct link_list {
	char *out;
	size_t size, len;
};

/* One RTM_NEWLINK of the dump: its name (IFLA_IFNAME) and IFF_UP. */
static int
add_link(struct nl_msg *msg, void *arg)
{
	struct link_list *l = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ifinfomsg *ifm = nlmsg_data(nlh);
	struct nlattr *tb[IFLA_MAX + 1];
	const char *name = "?";

	/* Attributes newer than our headers' IFLA_MAX are skipped. */
	if (nlmsg_parse(nlh, sizeof(*ifm), tb, IFLA_MAX, NULL) == 0 && tb[IFLA_IFNAME])
		name = nla_get_string(tb[IFLA_IFNAME]);
	if (l->len < l->size)
		l->len += (size_t)snprintf(l->out + l->len, l->size - l->len, "%s%s:%s",
					   l->len ? " " : "", name,
					   ifm->ifi_flags & IFF_UP ? "UP" : "DOWN");
	return NL_OK;
}

int
ns_link_list(struct nl_sock *nl, char *out, size_t size)
{
	struct ifinfomsg ifm = {.ifi_family = AF_UNSPEC};
	struct link_list l = {out, size, 0};

	out[0] = '\0';
	/* NLM_F_DUMP: every link, in as many datagrams as it takes, then
	 * NLMSG_DONE (a dump is not acked, even with NLM_F_ACK). */
	if (TRACE(syscall_result(nl_send_simple(nl, RTM_GETLINK, NLM_F_DUMP, &ifm, sizeof(ifm))),
		  "sendmsg", "%d, {RTM_GETLINK dump}, 0", nl_socket_get_fd(nl)) == -1)
		return err_sys("RTM_GETLINK dump: sendmsg");
	return answer(nl, "RTM_GETLINK dump", add_link, &l);
}
