/*
 * sc_probe.c - harmless calls of each kind the launcher's default seccomp
 * profile decides about (sc.h), for 03-capabilities/seccomp to run through
 * the profile and compare with what the profile says.
 *
 * Read: seccomp(2), keyctl(2), io_uring_setup(2), bpf(2), vsock(7),
 * ioctl_tty(2) TIOCSTI.
 */
#include "../common/decode.h"
#include "../common/trace.h"
#include "sc.h"

#include <linux/keyctl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

size_t
sc_probe_default(struct sc_probe *out, size_t max)
{
	struct utsname u;
	struct sc_probe p[] = {
	    {"getpid", "0", dec_result(TRACE(getpid(), "getpid", "%s", ""))},
	    {"uname", "0", dec_result(TRACE(uname(&u), "uname", "%s", "{...}"))},
	    /* Each of these fails harmlessly without a filter too (bad
	     * arguments, missing paths): only the errno tells who refused. */
	    {"keyctl", "EPERM",
	     dec_result(
		 TRACE(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
		       "keyctl", "KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0"))},
	    {"unshare", "EPERM", dec_result(TRACE(unshare(CLONE_NEWNS), "unshare", "CLONE_NEWNS"))},
	    {"mount", "EPERM",
	     dec_result(TRACE(mount("none", "/nutshell-nonexistent", "tmpfs", 0, NULL), "mount",
			      "\"none\", \"/nutshell-nonexistent\", \"tmpfs\", 0, NULL"))},
	    {"clone3", "ENOSYS",
	     dec_result(TRACE(syscall(SYS_clone3, NULL, 0), "clone3", "NULL, 0"))},
	    {"io_uring_setup", "EPERM",
	     dec_result(TRACE(syscall(SYS_io_uring_setup, 0, NULL), "io_uring_setup", "0, NULL"))},
	    {"bpf", "EPERM",
	     dec_result(TRACE(syscall(SYS_bpf, -1, NULL, 0), "bpf", "-1, NULL, 0"))},
	    /* vsock is not namespaced (the whole VM's ports); TIOCSTI types
	     * into a terminal. Refused by argument: other families and other
	     * requests still work. */
	    {"socket_vsock", "EPERM",
	     dec_result(
		 TRACE(socket(AF_VSOCK, SOCK_STREAM, 0), "socket", "AF_VSOCK, SOCK_STREAM, 0"))},
	    {"ioctl_tiocsti", "EPERM",
	     dec_result(TRACE(ioctl(STDIN_FILENO, TIOCSTI, "x"), "ioctl", "0, TIOCSTI, \"x\""))},
	};
	size_t n = sizeof(p) / sizeof(p[0]);

	if (n > max)
		n = max;
	memcpy(out, p, n * sizeof(p[0]));
	return n;
}
