/*
 * idmap.c - nutshell run --userns: the image's layers as idmapped mounts
 * (see ctr.h), so that the image's files, owned by root on the host, are
 * root's inside the container too.
 *
 * The container's root is host uid 100000. Without help, a file of host
 * uid 0 has no owner in its user namespace and shows as the overflow uid
 * 65534, nobody (user_namespaces(7)). An idmapped mount (mount_setattr(2),
 * Linux 5.12) shows a filesystem through the container's id map instead:
 * host uid 0 becomes uid 0 inside, and nothing on disk changes. Making one
 * needs CAP_SYS_ADMIN over the filesystem - the host's, which the container
 * never has - so nutshell makes them, one per layer, after it has written
 * the id maps and before it lets the container go, and hands them in over a
 * unix socket (SCM_RIGHTS, unix(7)); the container attaches them with
 * move_mount(2) in its scratch tmpfs and stacks its overlay on them
 * (overlayfs takes idmapped layers from Linux 5.19).
 *
 * Where the kernel or the filesystem cannot (tmpfs before Linux 6.3,
 * ramfs, an older kernel) or nutshell is rootless, the container stands on
 * the host's directories as before, after one line saying so.
 */
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One message: a byte, and the layers' descriptors (none: stand on the
 * host's directories). */
static int
send_layers(int sock, const int *fds, size_t n)
{
	char buf[CMSG_SPACE(sizeof(int) * CTR_MAX_TREES)] = {0}, byte = 'l';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (n) {
		msg.msg_control = buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	if (TRACE(sendmsg(sock, &msg, 0), "sendmsg", "%d, {SCM_RIGHTS [%zu fds]}, 0", sock, n) != 1)
		return err_sys("sending the idmapped layers");
	return 0;
}

/* <<< idmap-send */
int
ctr_idmap_send(const struct ctr_config *cfg, pid_t pid, int sock)
{
	char path[64];
	int fds[CTR_MAX_TREES], userns = -1, ret = -1;
	size_t n = 0;

	if (cfg->rootless) {
		/* No host privilege; the caller's own files are root's anyway. */
		trace_error("rootless: the image's files will appear owned by nobody (65534) "
			    "inside, except your own: an idmapped mount needs CAP_SYS_ADMIN over "
			    "the image's filesystem");
		return 0;
	}
	/* The container's user namespace, whose id map the mounts take. */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if ((userns = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_sys("%s", path);
	/* The image first, then each --layer in the order given. */
	for (size_t i = 0; i <= cfg->nlayers; i++) {
		const char *dir = i == 0 ? cfg->rootfs : cfg->layers[i - 1];
		int fd = rootfs_idmapped_tree(dir, userns);
		if (fd >= 0) {
			fds[n++] = fd;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS && errno != EPERM) {
			err_prefix("--userns");
			goto out;
		}
		/* Refused by this kernel or filesystem: all layers or none. */
		trace_error("--userns: the image's files will appear owned by nobody (65534) "
			    "inside: no idmapped mount here (%s; Linux has them from 5.12, on "
			    "tmpfs from 6.3)",
			    err_last()->msg);
		err_clear();
		while (n > 0)
			close(fds[--n]);
		break;
	}
	ret = send_layers(sock, fds, n);
out:
	/* Ours are copies: the container holds the layers now, and what it
	 * did not take dies with the socket. */
	while (n > 0)
		close(fds[--n]);
	close(userns);
	return ret;
}
/* >>> idmap-send */

int
ctr_idmap_receive(int sock, int *fds, size_t max)
{
	char buf[CMSG_SPACE(sizeof(int) * CTR_MAX_TREES)] = {0}, byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	size_t n = 0;

	if (TRACE(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC), "recvmsg", "%d, {...}, MSG_CMSG_CLOEXEC",
		  sock) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), sizeof(int) * (n < max ? n : max));
	}
	if (n > max || (msg.msg_flags & MSG_CTRUNC)) {
		for (size_t i = 0; i < n && i < max; i++)
			close(fds[i]);
		errno = EPROTO;
		return -1;
	}
	return (int)n;
}
