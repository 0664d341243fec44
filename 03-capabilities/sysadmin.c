/*
 * sysadmin - CAP_SYS_ADMIN, "the new root": it lets a process change what
 * it sees.
 *
 * A child is clone(2)d into a new user namespace and a new mount namespace
 * owned by it, so it holds CAP_SYS_ADMIN over that mount namespace. With it,
 * the child mounts a tmpfs over a directory this program made, and writes a
 * file there that only it sees. Then it drops CAP_SYS_ADMIN from every set
 * and the same mount and umount2 fail with EPERM. The parent, on the host,
 * sees the directory empty throughout.
 *
 * System calls: clone(2) CLONE_NEWUSER|CLONE_NEWNS, mount(2) (MS_PRIVATE,
 *               tmpfs), umount2(2), prctl(2) PR_CAPBSET_DROP, capset(2).
 * /proc:        /proc/self/status CapEff; /proc/self/mountinfo below the
 *               directory, in the child and in the parent.
 * Look for:     mount(... "tmpfs" ...) = 0 with the capability, = -1 EPERM
 *               without; the host's mountinfo has no such mount.
 * Read:         capabilities(7) (CAP_SYS_ADMIN: "overloaded"), mount(2),
 *               mount_namespaces(7), user_namespaces(7).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "caps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char dir[] = "/tmp/nutshell-sysadmin.XXXXXX";
static char file[64];

static const char *
mount_tmpfs(void)
{
	return dec_result(TRACE(mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k"),
				"mount", "\"tmpfs\", %s, \"tmpfs\", %s, \"size=64k\"",
				trace_str(dir), dec_mount(MS_NOSUID | MS_NODEV)));
}

/* How many entries the directory has, as the caller sees it. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* <<< child */
static int
child_main(void *arg)
{
	(void)arg;

	/* Every capability - in the new user namespace, which owns the new
	 * mount namespace: enough for mounts here, nothing outside. */
	caps_show(0, NULL);
	if (ns_make_private() == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int before = entries();
	const char *with = mount_tmpfs();
	trace_fact("mount_with_sys_admin", "%s", with);
	if (proc_show_mountinfo(0, dir) == -1)
		err_print(); /* shown, not needed: the listing below tells */
	trace_fact("child_entries", "%d", entries());
	/* The tmpfs covers the directory: its file is hidden, here only. */
	printf("with CAP_SYS_ADMIN:    %d file(s) in %s; mount tmpfs = %s; now %d\n", before, dir,
	       with, entries());

	if (caps_drop(CAP_SYS_ADMIN) == -1)
		return EXIT_DEMO_FAILED;
	const char *without = mount_tmpfs();
	const char *umount = dec_result(TRACE(umount2(dir, 0), "umount2", "%s, 0", trace_str(dir)));
	trace_fact("mount_without_sys_admin", "%s", without);
	trace_fact("umount_without_sys_admin", "%s", umount);
	printf("without CAP_SYS_ADMIN: mount = %s, umount2 = %s\n", without, umount);
	fflush(stdout);
	return strcmp(with, "0") == 0 && strcmp(without, "EPERM") == 0 ? EXIT_DEMO_OK
								       : EXIT_DEMO_FAILED;
}
/* >>> child */

static const struct trace_prog prog = {
    .name = "sysadmin",
    .synopsis = "",
    .about = "In a user and mount namespace of its own, a child with CAP_SYS_ADMIN mounts\n"
	     "a tmpfs and sees a different directory; without the capability the same\n"
	     "mount fails with EPERM. The host sees nothing change.",
    .look_for = "Mount(... \"tmpfs\" ...) = 0 with the capability, = -1 EPERM without; the\n"
		"host's mountinfo has no such mount.",
};

int
main(int argc, char **argv)
{
	int status, ret = EXIT_DEMO_FAILED;
	sigset_t old;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'sysadmin --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	/* The directory must not outlive us: Ctrl-C (or a kill) waits for the
	 * cleanup below, as in drop. The child inherits the mask and finishes
	 * its few calls first; its mounts die with its namespace. */
	if (wait_guarded_tmpdir(dir, &old) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	snprintf(file, sizeof(file), "%s/host-file", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		trace_fail(file);
		goto out;
	}
	close(fd);
	/* The mount namespace belongs to the new user namespace: created
	 * together, the user namespace first (clone(2)). */
	pid_t pid = ns_clone(CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, child_main, NULL);
	if (pid == -1) {
		err_print(); /* and why the host refused, when it knows */
		goto out;
	}
	if (ns_wait(pid, &status) == -1 || wait_stopped())
		goto out;
	trace_note("parent, on the host: the directory, and mounts below it");
	if (proc_show_mountinfo(0, dir) == -1)
		err_print(); /* shown, not needed: the listing below tells */
	int host = entries();
	trace_fact("host_entries", "%d", host);
	printf("on the host:           %s holds %d file(s), no mount\n\n", dir, host);
	if (status == 0 && host == 1) {
		ret = EXIT_DEMO_OK;
		printf(
		    "CAP_SYS_ADMIN gates mount, umount, swapon, sethostname, setns, bpf, quotactl\n"
		    "and more: whoever holds it in the host's user namespace can rearrange what\n"
		    "every process sees. A container must never keep it; and because any user\n"
		    "may get it inside a new user namespace, the launcher's seccomp profile also\n"
		    "refuses unshare, setns, clone with CLONE_NEW* flags, and mount.\n");
	} else {
		printf("%s\n", trace_unexpected());
	}
out:
	unlink(file);
	rmdir(dir);
	/* Ctrl-C (or SIGTERM, SIGHUP): the directory is gone, say so. */
	if (wait_stopped())
		return wait_stopped_exit();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
