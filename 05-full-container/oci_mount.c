/*
 * oci_mount.c - the container's root as config.json describes it, made in
 * init's new mount namespace by lesson 04's rootfs_setup() (rootfs.h), the
 * one path that `nutshell run` takes too: config.json's root, mounts,
 * maskedPaths, readonlyPaths and root.readonly filled into one struct
 * rootfs_spec, in this order:
 *
 *	ns_make_private()             nothing mounted here leaks to the host
 *	rootfs_bind_self(root.path)   pivot_root(2) wants a mount point
 *	each of "mounts", in order    resolved inside the root (rootfs_resolve:
 *	                              a symlink in the image may not lead out,
 *	                              CVE-2019-19921, CVE-2021-30465)
 *	  a "cgroup" one              the container's own cgroups, read-only
 *	                              (ctr_cgroup_mounts): new mounts in its
 *	                              cgroup namespace, binds without one
 *	/dev                          lesson 04's small tmpfs
 *	rootfs_pivot()                the old root detached
 *
 * and then, inside the root, once init has written linux.sysctl into the
 * container's own /proc/sys (oci_protect_root, runc's order: the sysctls
 * go in while /proc/sys is still writable, standard_init_linux.go):
 *
 *	readonlyPaths, maskedPaths    the lists config.json gives
 *	root.readonly                 "/" remounted read-only
 *
 * Each of "mounts" gets one note in the trace, "mounts DEST (TYPE): ...",
 * with the paths in full (what an engine asked for; exercise 05-oci-docker
 * reads them), the system calls that follow cut them.
 *
 * The containerd shim has mounted the image's overlay at root.path already,
 * and podman hands over its own: no overlay of nutshell's in this mode.
 */
#include "oci.h"
#include "ctr.h"
#include "../02-cgroups/cgroup.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

/* <<< oci-root */
int
oci_setup_root(const struct oci_spec *s)
{
	struct rootfs_mount_spec mounts[OCI_MAX_MOUNTS + CG_MAX_HIER + 2];
	int cgroup_mounted = 0;
	struct rootfs_spec spec = {
	    .root = s->rootfs,
	    .mounts = mounts,
	    .enter = ROOTFS_PIVOT,
	};

	for (size_t i = 0; i < s->nmounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		/* /dev: lesson 04's small tmpfs with only the default devices
		 * (config-linux.md "Default Devices"), devpts and /dev/shm in
		 * it, read-only once made; the entries under /dev go in it. */
		if (strcmp(m->dest, "/dev") == 0 && m->type && strcmp(m->type, "tmpfs") == 0) {
			trace_note("mounts /dev (tmpfs): lesson 04's /dev, the default devices "
				   "only");
			spec.dev = 1;
			continue;
		}
		/* The container's own cgroups, read-only, as `nutshell run`
		 * shows them (ctr_cgroup_mounts): in its cgroup namespace,
		 * made by now (oci_create.c), new mounts rooted at its cgroup;
		 * without one, where new mounts would show the host's whole
		 * tree, binds of its own cgroups' directories, as runc makes
		 * them (init is in its cgroups by now: "go"). */
		if (m->type && strcmp(m->type, "cgroup") == 0) {
			if (cgroup_mounted++) {
				trace_note("mounts %s (cgroup): not mounted: once is enough",
					   m->dest);
				continue;
			}
			trace_note("mounts %s (cgroup): the container's own cgroups, %s%s", m->dest,
				   s->ns_flags & CLONE_NEWCGROUP ? ""
								 : "bound from the host's tree, ",
				   m->flags & MS_RDONLY ? "read-only"
							: "read-only all the same, as nutshell run "
							  "mounts it");
			spec.nmounts +=
			    ctr_cgroup_mounts(mounts + spec.nmounts, m->dest,
					      s->ns_flags & CLONE_NEWCGROUP ? 0 : CTR_CG_BIND);
			continue;
		}
		if (m->bind && (!m->source || m->source[0] != '/'))
			return err_set(EINVAL,
				       "mounts %s: bind source '%s': expected an absolute path",
				       m->dest, m->source ? m->source : "");
		/* Propagation: rootfs_setup() makes every mount private
		 * (ns_make_private), which is what "rprivate", the word podman
		 * and docker give, asks; another is set once the root is
		 * entered, below. A bind's MS_REC is kept, the rest of a
		 * non-bind's MS_REC dropped (mount(2) takes it only with
		 * MS_BIND). One note a mount, with its paths in full: the
		 * mount(2) lines cut them at 64 characters (trace_str, like
		 * strace -s), and an engine's root is longer than that. */
		trace_note("mounts %s (%s): from %s", m->dest, m->type ? m->type : "none",
			   m->source ? m->source : "none");
		mounts[spec.nmounts++] = (struct rootfs_mount_spec){
		    .destination = m->dest,
		    .type = m->type,
		    .source = m->source ? m->source : m->type,
		    .flags = m->bind ? m->flags : m->flags & ~(unsigned long)MS_REC,
		    .data = m->data[0] ? m->data : NULL,
		};
	}
	/* linux.devices: made in that /dev before it goes read-only. */
	if (s->ndevices && !spec.dev)
		return err_set(EINVAL,
			       "linux.devices: expected a tmpfs mount on /dev to make them in");
	spec.nodes = s->devices;
	spec.nnodes = s->ndevices;
	if (rootfs_setup(&spec) == -1)
		return -1;
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		if (!m->propagation || (m->propagation & ~(unsigned long)MS_REC) == MS_PRIVATE)
			continue;
		/* Inside the root now: "/" is the container's, so the path
		 * cannot name a host mount. */
		if (rootfs_mount(NULL, m->dest, NULL, m->propagation, NULL) == -1)
			return err_prefix("%s", m->dest);
	}
	return 0;
}

/* Inside the root (after pivot_root, so "/" is the container's and no
 * path can name a host file): config.json's lists, then root.readonly. */
int
oci_protect_root(const struct oci_spec *s)
{
	trace_phase("masks", "what of /proc and /sys the container may not read or write");
	if (rootfs_readonly_all("/", s->readonly_paths) == -1)
		return err_prefix("linux.readonlyPaths");
	if (rootfs_mask_all("/", s->masked) == -1)
		return err_prefix("linux.maskedPaths");
	if (s->readonly &&
	    rootfs_mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID,
			 NULL) == -1)
		return err_prefix("root.readonly");
	return 0;
}
/* >>> oci-root */
