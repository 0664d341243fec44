/*
 * oci_default.c - `nutshell spec`: the config.json that `runc spec` writes
 * (runc libcontainer/specconv/example.go: root.path "rootfs", process.args
 * ["sh"], terminal, TERM=xterm), but with what `nutshell run` gives a
 * container by default, taken from the tables the launcher itself uses:
 *
 *	capabilities       lesson 03's caps_default_names (Docker's 14)
 *	maskedPaths,       lesson 04's rootfs_masked_paths and
 *	  readonlyPaths      rootfs_readonly_paths (Docker's)
 *	rlimits            CTR_NOFILE (ctr.h, inside.c)
 *	namespaces         CTR_CLONE_NAMESPACES (nutshell.c), the network one
 *	                     (default --network none: a namespace of its own)
 *	                     and the cgroup one (inside.c)
 *	mounts             ctr_proc_sys_mounts (inside.c), their flags as
 *	                     lesson 04's option words; /dev (lesson 04's small
 *	                     tmpfs, devpts and /dev/shm in it); /sys/fs/cgroup
 *	                     (ctr_cgroup_mounts, inside.c)
 *	resources          pids.limit CTR_DEFAULT_PIDS (ctr.h)
 *	noNewPrivileges    true: the launcher always sets it (inside.c)
 *	seccomp            lesson 03's sc_default_profile for those
 *	                     capabilities (oci_default_seccomp.c): podman's
 *	                     form, default ENOSYS for calls newer than the
 *	                     profile, the known calls it refuses listed with
 *	                     EPERM, its argument rules as config.json's args;
 *	                     a container of the bundle gets every answer the
 *	                     launcher's filter gives (test oci_spec_seccomp)
 *
 * Not expressible in config.json, and so not in it:
 * - --storage-size: a bundle's root is a directory, with no tmpfs layer
 *   over it; root.readonly is therefore true, as runc's default: the
 *   launcher's root is writable because the writes land in a throwaway
 *   layer, a bundle's would land in the bundle;
 * - the hostname: the launcher's is the container's random id; "nutshell".
 */
#include "oci.h"
#include "../03-capabilities/caps.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "ctr.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *
strings(const char *const *s)
{
	json_t *a = json_array();

	for (; a && *s; s++)
		json_array_append_new(a, json_string(*s));
	return a;
}

/* One launcher mount as an OCI mount: its flags as option words. */
static json_t *
mount_json(const struct rootfs_mount_spec *m)
{
	const char *words[32];
	size_t n = rootfs_mount_words(m->flags, words, 31);

	words[n] = NULL;
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", m->destination, "type", m->type,
			 "source", m->source, "options", strings(words));
}

/* The namespaces of FLAGS by their config.json names (oci_ns_kinds). */
static json_t *
namespaces(unsigned long flags)
{
	json_t *a = json_array();

	for (size_t k = 0; a && k < sizeof(oci_ns_kinds) / sizeof(oci_ns_kinds[0]); k++)
		if (flags & (unsigned long)oci_ns_kinds[k].flag)
			json_array_append_new(a, json_pack("{s:s}", "type", oci_ns_kinds[k].type));
	return a;
}

/* <<< oci-default */
json_t *
oci_default_spec(int rootless)
{
	unsigned long ns = CTR_CLONE_NAMESPACES | CLONE_NEWNET | CLONE_NEWCGROUP;
	json_t *caps = strings(caps_default_names), *mounts = json_array();

	for (size_t i = 0; mounts && i < 2; i++)
		json_array_append_new(mounts, mount_json(&ctr_proc_sys_mounts[i]));
	/* The container's own cgroups, read-only, in its cgroup namespace
	 * (ctr_cgroup_mounts, as `nutshell run` has them): runc spec's entry. */
	json_array_append_new(mounts,
			      json_pack("{s:s, s:s, s:s, s:[sssss]}", "destination",
					"/sys/fs/cgroup", "type", "cgroup", "source", "cgroup",
					"options", "nosuid", "noexec", "nodev", "relatime", "ro"));
	/* Only the tmpfs: with it, nutshell's runtime makes lesson 04's
	 * small /dev (rootfs_mount_dev: the default devices, devpts,
	 * /dev/shm), as `nutshell run` has it. */
	json_array_append_new(mounts, json_pack("{s:s, s:s, s:s}", "destination", "/dev", "type",
						"tmpfs", "source", "tmpfs"));
	/* As the launcher's rootless mode: a user namespace mapping the
	 * caller to root, one id (runc's ToRootless too). runc drops the
	 * network namespace and the resources; the launcher keeps a network
	 * namespace of its own, and its cgroup limits where the caller may
	 * write a cgroup (one warning line where not), so they stay. */
	if (rootless)
		ns |= CLONE_NEWUSER;
	json_t *spec = json_pack(
	    "{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[ss], s:s, s:{s:O, s:O, s:O}, s:b,"
	    " s:[{s:s, s:i, s:i}]}, s:{s:s, s:b}, s:s, s:o,"
	    " s:{s:o, s:o, s:o, s:{s:{s:I}}}}",
	    "ociVersion", "1.0.2", "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args",
	    "sh", "env", CTR_DEFAULT_PATH, "TERM=xterm", "cwd", "/", "capabilities", "bounding",
	    caps, "effective", caps, "permitted", caps, "noNewPrivileges", 1, "rlimits", "type",
	    "RLIMIT_NOFILE", "hard", CTR_NOFILE, "soft", CTR_NOFILE, "root", "path", "rootfs",
	    "readonly", 1, "hostname", "nutshell", "mounts", mounts, "linux", "namespaces",
	    namespaces(ns), "maskedPaths", strings(rootfs_masked_paths), "readonlyPaths",
	    strings(rootfs_readonly_paths), "resources", "pids", "limit",
	    (json_int_t)strtoll(CTR_DEFAULT_PIDS, NULL, 10));
	json_decref(caps);
	if (!spec) {
		err_set(ENOMEM, "spec: config.json could not be made");
		return NULL;
	}
	/* The launcher's filter, for the capabilities written above. */
	cap_value_t kept[64];
	int n = caps_default(kept, 64);
	json_t *sc = n < 0 ? NULL : oci_default_seccomp(&sc_default_profile, kept, (size_t)n);
	if (!sc) {
		json_decref(spec);
		return NULL; /* recorded */
	}
	json_object_set_new(json_object_get(spec, "linux"), "seccomp", sc);
	if (rootless) {
		json_t *linux = json_object_get(spec, "linux");
		json_object_set_new(linux, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)geteuid(), "size", 1));
		json_object_set_new(linux, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)getegid(), "size", 1));
	}
	return spec;
}
/* >>> oci-default */

/* Never over an existing config.json (runc spec's rule): written to a
 * temporary file in the bundle and linked into place, so that a file that
 * appears meanwhile is not overwritten either. */
int
oci_default_spec_write(const char *bundle, int rootless)
{
	char path[4096], tmp[4096 + 16];
	json_t *spec = NULL;
	int rc = -1;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return err_set(ENAMETOOLONG, "spec --bundle '%s': too long", bundle);
	snprintf(tmp, sizeof(tmp), "%s/.config.XXXXXX", bundle);
	if (!(spec = oci_default_spec(rootless)))
		return -1;
	/* The bundle's config.json is read by the runtime only, but engines
	 * and users read it: 0644, as runc writes it. */
	int fd = mkstemp(tmp);
	if (fd == -1) {
		err_sys("spec: bundle '%s'", bundle);
		goto out;
	}
	if (fchmod(fd, 0644) == -1 || json_dumpfd(spec, fd, JSON_INDENT(2)) == -1 ||
	    write(fd, "\n", 1) != 1) {
		err_sys("spec: writing %s", tmp);
		close(fd);
		goto unlink;
	}
	if (close(fd) == -1) {
		err_sys("spec: writing %s", tmp);
		goto unlink;
	}
	if (link(tmp, path) == -1) {
		if (errno == EEXIST)
			err_set(EEXIST, "spec: %s exists already: remove it first", path);
		else
			err_sys("spec: %s", path);
		goto unlink;
	}
	rc = 0;
unlink:
	unlink(tmp);
out:
	json_decref(spec);
	return rc;
}
