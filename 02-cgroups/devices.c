/*
 * devices - a device allow-list: which device nodes a cgroup may open.
 *
 * A device node is only a name for a driver: whoever may open a node of
 * /dev/kmsg's numbers (c 1:11) writes the kernel's log, whatever directory
 * the node lies in and whatever its mode. Mounting with nodev closes the
 * nodes of one mount; the cgroup's devices policy closes them for its
 * processes everywhere. The program makes a cgroup with the launcher's
 * allow-list (the OCI default: null, zero, full, random, urandom, tty,
 * ptmx, the ptys; any node may be made, none other opened) and starts a
 * child in it. The child mounts a tmpfs of its own, without nodev, in a
 * private mount namespace, makes two nodes there - null (c 1:3) and kmsg
 * (c 1:11) - and opens each for writing. Nothing is written.
 *
 * On cgroup v1 the list is text in devices.deny and devices.allow. On v2
 * there is no file: a BPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
 * loaded with bpf(2) and attached to the cgroup, answers each open and
 * mknod of a node (cgroup_devices.c builds it instruction by instruction).
 *
 * System calls: mkdir(2), rmdir(2); v1: openat(2) + write(2) of
 *               devices.deny and devices.allow; v2: bpf(2) BPF_PROG_LOAD
 *               and BPF_PROG_ATTACH; in the child unshare(2), mount(2),
 *               mknodat(2), openat(2).
 * Files:        devices.deny, devices.allow (v1), cgroup.procs.
 * Look for:     both mknodat calls work; openat of null works, openat of
 *               kmsg fails with EPERM - the cgroup, not the file's mode or
 *               the mount, refuses it.
 * Read:         Documentation/admin-guide/cgroup-v1/devices.rst,
 *               cgroup-v2.rst "Device controller", bpf(2), mknod(2).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* What the child found, in a page shared with us: 0, or the errno. */
static struct result {
	volatile int done, made, null_err, kmsg_err;
} * res;

static char dir[] = "/tmp/nutshell-devices.XXXXXX";

/* mknodat(2) of DIR/NAME, then openat(2) for writing: 0 or the errno. */
static int
make_and_open(const char *name, unsigned major, unsigned minor)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (TRACE(mknodat(AT_FDCWD, path, S_IFCHR | 0666, makedev(major, minor)), "mknodat",
		  "AT_FDCWD, %s, S_IFCHR|0666, makedev(%#x, %#x)", trace_str(path), major,
		  minor) != 0)
		return -1;
	res->made++;
	int fd = (int)TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
			    trace_str(path), dec_open(O_WRONLY | O_CLOEXEC));
	if (fd < 0)
		return errno;
	close(fd); /* opened is the point: nothing is written */
	return 0;
}

/* <<< child */
static int
child(void *arg)
{
	(void)arg;
	/* A tmpfs of our own, without nodev, in a mount namespace of our own:
	 * gone when we exit. Only the cgroup stands between us and c 1:11. */
	if (TRACE(unshare(CLONE_NEWNS), "unshare", "%s", dec_unshare(CLONE_NEWNS)) != 0 ||
	    ns_make_private() != 0 ||
	    TRACE(mount("tmpfs", dir, "tmpfs", 0, "size=64k"), "mount",
		  "\"tmpfs\", %s, \"tmpfs\", 0, \"size=64k\"", trace_str(dir)) != 0)
		return EXIT_DEMO_FAILED;
	res->null_err = make_and_open("null", 1, 3);
	res->kmsg_err = make_and_open("kmsg", 1, 11);
	res->done = 1;
	return EXIT_DEMO_OK;
}
/* >>> child */

static const struct trace_prog prog = {
    .name = "devices",
    .synopsis = "",
    .about = "A cgroup's device allow-list: a child in it makes /dev/null's and /dev/kmsg's\n"
	     "nodes on a tmpfs without nodev; null opens, kmsg fails with EPERM. cgroup v1\n"
	     "writes devices.deny/devices.allow; v2 loads a BPF program with bpf(2).\n"
	     "Needs root.",
    .look_for = "Both mknodat calls work; openat of null works, openat of kmsg fails with\n"
		"EPERM - the cgroup, not the file's mode or the mount, refuses it.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"devices", NULL};
	char name[64], rule[64];
	struct cg_layout l;
	struct cg cg;
	int status, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'devices --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	res = wait_shared_page(sizeof(*res));
	if (!res || (!mkdtemp(dir) && err_sys("mkdtemp %s", dir))) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	wait_block_signals();
	snprintf(name, sizeof(name), "nutshell-devices-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		rmdir(dir);
		return EXIT_DEMO_FAILED;
	}
	for (const struct cg_dev_rule *r = cg_dev_default; r->access; r++)
		trace_note("allow %-11s %s", cg_dev_rule_text(r, rule, sizeof(rule)), r->what);
	/* <<< allow */
	if (cg_devices_allow(&cg, cg_dev_default) != 0)
		goto out;
	/* >>> allow */
	pid_t pid = cg_fork(&cg, child, NULL, 20);
	if (pid < 0) {
		err_prefix("cannot start the child");
		goto out;
	}
	if (wait_child(pid, &status, 10, -1) != 0) {
		err_set(errno, "the child did not end: %s", strerror(errno));
		goto out;
	}
	printf("In a cgroup with the allow-list, on a tmpfs without nodev:\n");
	printf("  mknod of c 1:3 and c 1:11: %d of 2 made\n", res->made);
	printf("  open c 1:3  (null) for writing: %s\n",
	       res->null_err ? dec_errno(res->null_err) : "opened");
	printf("  open c 1:11 (kmsg) for writing: %s\n",
	       res->kmsg_err ? dec_errno(res->kmsg_err) : "opened");
	trace_fact("devices_hierarchy", "cgroup v%d", l.h[cg_layout_find(&l, "devices")].version);
	trace_fact("allowed_open", "%s", res->null_err ? dec_errno(res->null_err) : "ok");
	trace_fact("denied_open", "%s", res->kmsg_err ? dec_errno(res->kmsg_err) : "ok");
	ok = res->done && res->made == 2 && res->null_err == 0 && res->kmsg_err == EPERM;
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	rmdir(dir);
	/* Ctrl-C at a --step pause (signals blocked above): cleaned up now,
	 * and said so, as pids and freeze do. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nThe node's mode said 0666 and the mount allowed devices: the cgroup's\n"
	       "allow-list alone refused /dev/kmsg (EPERM), as it does in the container.\n");
	return EXIT_DEMO_OK;
}
