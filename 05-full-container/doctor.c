/*
 * doctor - what this machine allows, lesson by lesson (make doctor).
 *
 * An instructor runs it on every laptop before the workshop, a learner when
 * a program fails with a bare errno. It looks, changes nothing, and prints
 * one line per fact, then which lessons run fully, which partly, and why:
 * the 8 namespaces, user namespaces as root and as an ordinary user (made,
 * and granting capabilities in them), the cgroup layout and controllers,
 * overlayfs, idmapped mounts, the time namespace, and whether this runs in
 * a chroot, a container or a VM.
 *
 * System calls: unshare(2) CLONE_NEWUSER then CLONE_NEWNS in throw-away
 *               children (as root, and as uid 65534), mount_setattr(2) with
 *               an invalid fd (ENOSYS: no idmapped mounts).
 * /proc:        /proc/self/ns/NS, /proc/self/mountinfo, /proc/self/cgroup,
 *               /proc/filesystems, /proc/sys/user/max_user_namespaces,
 *               /proc/1/root, /proc/1/environ, /proc/cpuinfo.
 * Look for:     "runs fully" for every lesson; a "partly" line says what is
 *               refused and the one change that allows it (BOOK.md,
 *               Troubleshooting).
 * Read:         namespaces(7), user_namespaces(7), cgroups(7), clone(2).
 */
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/host.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a throw-away child (as UID, or as we are when UID is 0): errno of
 * unshare(CLONE_NEWUSER), or 0 and then in *caps whether a capability works
 * in it (unshare(CLONE_NEWNS) needs CAP_SYS_ADMIN there). */
static int
try_userns(uid_t uid, int *caps)
{
	int fds[2], res[2] = {ENOSYS, 0};

	if (pipe(fds) != 0)
		return errno;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (uid && (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0))
			res[0] = -1; /* uid not mapped here (inside a user namespace) */
		else if (unshare(CLONE_NEWUSER) != 0)
			res[0] = errno;
		else {
			res[0] = 0;
			res[1] = unshare(CLONE_NEWNS) == 0;
		}
		_exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], res, sizeof(res)) != sizeof(res))
		res[0] = pid < 0 ? errno : EIO;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	*caps = res[1];
	return res[0];
}

/* "yes", or "no: WHY" for a user namespace as root (UID 0) or as UID. */
static const char *
userns_verdict(uid_t uid, char *buf, size_t size, int *made)
{
	char why[512];
	int caps = 0, err = try_userns(uid, &caps);

	*made = err == 0;
	if (err == 0 && caps)
		return "yes";
	if (err == -1) {
		snprintf(buf, size, "not tried: cannot become uid %d here", (int)uid);
		return buf;
	}
	const char *w = host_userns_why(err, uid == 0, why, sizeof(why));
	if (err == 0)
		snprintf(buf, size, "made, but no capability in it: %s",
			 w ? w : "refused by a security module");
	else
		snprintf(buf, size, "no (%s): %s", strerror(err), w ? w : "cause not known");
	return buf;
}

/* Where this runs: "a chroot", "a container (...)", "a VM (...)", "a machine". */
static const char *
runs_in(char *buf, size_t size)
{
	char text[8192];

	if (host_in_chroot())
		return "a chroot";
	if (access("/.dockerenv", F_OK) == 0)
		return "a container (docker)";
	if (access("/run/.containerenv", F_OK) == 0)
		return "a container (podman)";
	ssize_t n = proc_read("/proc/1/environ", text, sizeof(text));
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(text + i) + 1)
		if (strncmp(text + i, "container=", 10) == 0) {
			snprintf(buf, size, "a container (%.64s)", text + i + 10);
			return buf;
		}
	if (proc_read("/sys/class/dmi/id/sys_vendor", text, sizeof(text)) > 0 &&
	    (strstr(text, "QEMU") || strstr(text, "KVM") || strstr(text, "VMware") ||
	     strstr(text, "innotek") || strstr(text, "Microsoft"))) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(buf, size, "a VM (%.64s)", text);
		return buf;
	}
	if (proc_read("/proc/cpuinfo", text, sizeof(text)) > 0 && strstr(text, " hypervisor"))
		return "a VM";
	return "a machine (no container or VM seen)";
}

static const struct trace_prog prog = {
    .name = "doctor",
    .synopsis = "",
    .about = "Prints what this machine allows and which lessons run fully or partly, and\n"
	     "why. Changes nothing. Look for: 'runs fully' for every lesson; a 'partly'\n"
	     "line names what is refused and how to allow it. Root sees the most.",
    .look_for = "\"runs fully\" for every lesson; a \"partly\" line says what is refused and the\n"
		"one change that allows it (BOOK.md, Troubleshooting).",
};

int
main(int argc, char **argv)
{
	char buf[1024], root_v[640], user_v[640], where[256], fs[8192];
	char names[128] = "";
	int n_ns = 0, root_made, user_made;
	struct cg_layout l;
	struct stat st;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'doctor --help'", argv[optind]);
		return EXIT_USAGE;
	}
	for (int i = 0; i < 8; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_types[i]);
		if (lstat(path, &st) == 0) {
			n_ns++;
			continue;
		}
		strcat(names, " ");
		strcat(names, ns_types[i]);
	}
	int chroot = host_in_chroot();
	const char *uroot = geteuid() == 0 ? userns_verdict(0, root_v, sizeof(root_v), &root_made)
					   : "not tried (run as root)";
	const char *uuser = geteuid() == 0
				? userns_verdict(65534, user_v, sizeof(user_v), &user_made)
				: userns_verdict(0, user_v, sizeof(user_v), &user_made);
	int cg = cg_layout_detect(&l);
	/* Read-only (inside another container whose cgroup mount is ro):
	 * detected, but no cgroup can be made, root or not. */
	int cg_ro = 0;
	for (size_t i = 0; cg == 0 && i < l.n; i++)
		cg_ro |= access(l.h[i].base, W_OK) != 0 && errno == EROFS;
	int overlay =
	    proc_read("/proc/filesystems", fs, sizeof(fs)) > 0 && strstr(fs, "\toverlay\n");
	/* mount_setattr(2) (5.12, with idmapped mounts): EBADF on fd -1 where it exists. */
	int idmap = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) == -1 && errno != ENOSYS;
	int timens = lstat("/proc/self/ns/time", &st) == 0;

	printf("nutshell doctor: what this machine allows\n");
	printf("  runs in:          %s\n", runs_in(where, sizeof(where)));
	trace_fact("runs_in", "%s", chroot ? "chroot" : where);
	trace_fact("in_chroot", "%s", chroot ? "yes" : "no");
	printf("  namespaces:       %d of 8%s%s\n", n_ns, n_ns < 8 ? ", missing:" : "", names);
	trace_fact("namespaces", "%d", n_ns);
	printf("  user ns as root:  %s\n", uroot);
	printf("  user ns as user:  %s\n", uuser);
	if (geteuid() == 0)
		trace_fact("userns_root", "%s", root_made ? "yes" : "no");
	trace_fact("userns_user", "%s", user_made ? "yes" : "no");
	if (cg == 0) {
		buf[0] = '\0';
		for (size_t i = 0; i < l.n; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s(v%d)",
				 i ? " " : "", l.h[i].controllers, l.h[i].version);
		printf("  cgroups:          %s: %s%s\n", cg_kind_name(l.kind), buf,
		       cg_ro ? "; read-only here (no cgroup can be made)" : "");
		trace_fact("cgroup_layout", "%s", cg_kind_name(l.kind));
		trace_fact("cgroup_read_only", "%s", cg_ro ? "yes" : "no");
	} else {
		printf("  cgroups:          none usable: %s\n", err_last()->msg);
		err_clear();
		trace_fact("cgroup_layout", "none");
	}
	printf("  overlayfs:        %s\n", overlay ? "yes" : "no (modprobe overlay)");
	printf("  idmapped mounts:  %s\n",
	       idmap ? "yes (mount_setattr)" : "no (kernel before 5.12)");
	printf("  time namespace:   %s\n", timens ? "yes" : "no (kernel before 5.6)");
	trace_fact("overlay", "%s", overlay ? "yes" : "no");
	trace_fact("idmapped_mounts", "%s", idmap ? "yes" : "no");
	trace_fact("time_namespace", "%s", timens ? "yes" : "no");

	/* The verdicts: what each lesson needs of the above. */
	int userns_ok = geteuid() != 0 || strcmp(uroot, "yes") == 0;
	printf("lessons:\n");
	printf("  01 namespaces:    %s\n",
	       chroot	    ? "runs partly: user (and 03's sets, sysadmin) need a user "
			      "namespace, which a chroot is refused"
	       : !userns_ok ? "runs partly: user needs a user namespace (above)"
	       : !timens    ? "runs partly: time needs the time namespace"
	       : n_ns < 8   ? "runs partly: a namespace is missing (above)"
			    : "runs fully");
	printf("  02 cgroups:       %s\n",
	       cg != 0		 ? "does not run: no cgroup hierarchy usable (above)"
	       : cg_ro		 ? "does not run: the cgroup filesystem is read-only (above)"
	       : l.kind == CG_V2 ? "runs fully"
				 : "runs fully (memory.high and io need cgroup v2: "
				   "shown on v1 with the v1 files; make vm for v2 only)");
	printf("  03 capabilities:  %s\n",
	       chroot || !userns_ok ? "runs partly: sets and sysadmin need a user namespace"
				    : "runs fully");
	printf("  04 overlay/root:  %s\n",
	       chroot	  ? "runs partly: escape and pivot need a real root: this is a chroot"
	       : !overlay ? "runs partly: layers needs overlayfs"
			  : "runs fully");
	printf("  05 container:     %s\n",
	       cg != 0 || cg_ro ? "does not run: nutshell run makes a cgroup (above)"
	       : chroot		? "runs partly: --userns and rootless need a user namespace"
	       : !user_made	? "runs fully as root; rootless needs user namespaces as a user"
	       : !idmap		? "runs fully (--userns shows image files as nobody: no idmapped "
				  "mounts)"
				: "runs fully");
	if (chroot)
		printf("why: %s\n", host_chroot_line);
	if (cg_ro)
		printf("why: %s\n", host_cgroup_why(EROFS, NULL, buf, sizeof(buf)));
	return EXIT_DEMO_OK;
}
