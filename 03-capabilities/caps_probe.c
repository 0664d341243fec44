/*
 * caps_probe.c - three things root can do, each behind one capability
 * (caps.h). Each tries once, traced, and returns how it ended as
 * dec_result() spells it: "0", "EPERM", "EACCES". Used by
 * 03-capabilities/drop, before and after a capability is dropped.
 *
 * Read: capabilities(7), chown(2), bind(2), ip(7), path_resolution(7).
 */
#include "../common/decode.h"
#include "../common/trace.h"
#include "caps.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* <<< probes */
const char *
caps_try_chown(const char *file)
{
	/* Giving a file to another user needs CAP_CHOWN, even for its owner. */
	const char *r = dec_result(TRACE(fchownat(AT_FDCWD, file, 65534, -1, 0), "fchownat",
					 "AT_FDCWD, %s, 65534, -1, 0", trace_str(file)));
	if (chown(file, 0, 0) == -1 && errno != EPERM) /* back to root for the next try */
		return "?";
	return r;
}

const char *
caps_try_bind(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = (int)TRACE(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket",
			    "AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP");

	if (fd == -1)
		return dec_result(-1);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	/* Ports below 1024 (net.ipv4.ip_unprivileged_port_start) need
	 * CAP_NET_BIND_SERVICE. */
	const char *r = dec_result(TRACE(bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind",
					 "%d, {sa_family=AF_INET, sin_port=htons(%d), "
					 "sin_addr=inet_addr(\"127.0.0.1\")}, 16",
					 fd, port));
	close(fd);
	return r;
}

const char *
caps_try_read(const char *file)
{
	/* Mode 000: no one may read it - but root with CAP_DAC_OVERRIDE or
	 * CAP_DAC_READ_SEARCH skips the check (path_resolution(7)). */
	int fd = (int)TRACE(open(file, O_RDONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
			    trace_str(file), dec_open(O_RDONLY | O_CLOEXEC));
	const char *r = dec_result(fd);

	if (fd >= 0)
		close(fd);
	return r;
}
/* >>> probes */
