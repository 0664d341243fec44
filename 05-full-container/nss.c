/*
 * nss.c - the name lookups the static launcher goes without.
 *
 * libnl-3.a, linked in whole objects, brings functions that turn addresses
 * and protocol numbers into names (nl_addr_info, nl_ip_proto2str). glibc
 * answers those through NSS modules it loads at run time, which a static
 * program cannot do, so ld warns about each ("Using 'getaddrinfo' in
 * statically linked applications requires at runtime the shared libraries
 * ..."). nutshell never asks for a name: these take glibc's place, so that
 * none of its NSS code is linked in, and answer "not found" should anything
 * ever ask. Read: nsswitch.conf(5), getaddrinfo(3), getprotoent(3).
 */
#include <netdb.h>
#include <stddef.h>

int
getaddrinfo(const char *restrict node, const char *restrict service,
	    const struct addrinfo *restrict hints, struct addrinfo **restrict res)
{
	(void)node, (void)service, (void)hints;
	*res = NULL;
	return EAI_NONAME;
}

int
getnameinfo(const struct sockaddr *restrict addr, socklen_t addrlen, char *restrict host,
	    socklen_t hostlen, char *restrict serv, socklen_t servlen, int flags)
{
	(void)addr, (void)addrlen, (void)host, (void)hostlen, (void)serv, (void)servlen,
	    (void)flags;
	return EAI_NONAME;
}

struct protoent *
getprotobyname(const char *name)
{
	(void)name;
	return NULL;
}

struct protoent *
getprotobynumber(int proto)
{
	(void)proto;
	return NULL;
}
