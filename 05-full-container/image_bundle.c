/*
 * image_bundle.c - `nutshell bundle --image REF DIR`: a stored image as an
 * OCI runtime bundle (runtime-spec bundle.md), DIR/config.json and
 * DIR/rootfs, for the OCI runtime mode (`nutshell create --bundle DIR`) or
 * any runtime (crun, runc). Linked into nutshell-image only.
 *
 * A bundle's root is one directory, not a stack: the image's layers are
 * flattened into it. overlayfs already knows how (whiteouts hide, opaque
 * directories replace), so the layers are mounted as one read-only overlay
 * in a mount namespace of this process alone (gone with it, even when it
 * is killed) and the merged view copied with `cp -a` (owners, modes,
 * times, hard links, xattrs such as security.capability; symlinks copied
 * as symlinks, never followed). The bundle is made in DIR.XXXXXX beside DIR
 * and renamed to DIR when whole. config.json comes from the image's config
 * (image-spec conversion.md: Entrypoint+Cmd -> process.args, Env, WorkingDir
 * -> cwd, User -> process.user) and the defaults of `runc spec`.
 */
#include "../03-capabilities/caps.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../04-overlay-chroot/store.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "image_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The capabilities are the launcher's (lesson 03's caps_default_names,
 * Docker's 14); the masked and read-only paths are Docker's, as nutshell
 * run uses them (rootfs.h). */
static json_t *
strings(const char *const *s)
{
	json_t *a = json_array();

	for (; *s; s++)
		json_array_append_new(a, json_string(*s));
	return a;
}

/* The layers as one overlay at MERGED (EMPTY: a lowest empty directory, as
 * overlayfs wants two lower layers when there is no upper), copied into
 * ROOTFS by cp -a. */
static int
flatten(const struct store_image *im, const char *merged, const char *empty, const char *rootfs)
{
	char opts[4096] = "lowerdir=";
	size_t len = strlen(opts);
	int status;

	for (size_t i = im->nlayers; i-- > 0;) {
		int n = snprintf(opts + len, sizeof(opts) - len, "%s:", im->layer[i]);
		if (n < 0 || (size_t)n >= sizeof(opts) - len)
			return err_set(E2BIG, "image '%s': %zu layers: too many for one mount",
				       im->name, im->nlayers);
		len += (size_t)n;
	}
	if (snprintf(opts + len, sizeof(opts) - len, "%s", empty) >= (int)(sizeof(opts) - len))
		return err_set(E2BIG, "image '%s': %zu layers: too many for one mount", im->name,
			       im->nlayers);
	/* Our own mount namespace, private: the overlay is seen by no one
	 * else and goes when we do. */
	if (TRACE(unshare(CLONE_NEWNS), "unshare", "CLONE_NEWNS") == -1)
		return err_sys("unshare(CLONE_NEWNS)");
	if (TRACE(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "mount",
		  "NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL") == -1)
		return err_sys("mount --make-rprivate /");
	if (TRACE(mount("overlay", merged, "overlay", MS_RDONLY, opts), "mount",
		  "\"overlay\", %s, \"overlay\", MS_RDONLY, %s", trace_str(merged),
		  trace_str(opts)) == -1)
		return err_sys("mount overlay of image '%s'", im->name);
	char src[PATH_MAX + 64];
	snprintf(src, sizeof(src), "%s/.", merged);
	pid_t pid = fork();
	if (pid == 0) {
		execlp("cp", "cp", "-a", "--", src, rootfs, (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return err_sys("cp -a");
	/* Unchecked: the mount namespace, and the mount with it, ends with
	 * this process anyway. */
	umount2(merged, MNT_DETACH);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(EIO, "cp -a %s %s: failed (exit status %d)", src, rootfs,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/* FILE (etc/passwd or etc/group) of the root ROOT, looked up inside it
 * (RESOLVE_IN_ROOT: a symlink to the host's file resolves in the root). */
static FILE *
open_in_root(int root, const char *file)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int fd = (int)syscall(SYS_openat2, root, file, &how, sizeof(how));

	return fd == -1 ? NULL : fdopen(fd, "r");
}

/* USER[:GROUP] (names or numbers, image-spec config.md "User") as ids,
 * names looked up in the image's own /etc/passwd and /etc/group. */
static int
user_ids(const char *rootfs, const char *user, long *uid, long *gid)
{
	char u[256], *g, *end;
	int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FILE *f;
	int ret = -1;

	*uid = *gid = 0;
	if (!user || !user[0])
		return root == -1 ? 0 : close(root);
	if (root == -1)
		return err_sys("open %s", rootfs);
	snprintf(u, sizeof(u), "%s", user);
	if ((g = strchr(u, ':')))
		*g++ = '\0';
	*uid = strtol(u, &end, 10);
	if (!u[0] || *end) {
		struct passwd *pw = NULL;
		if ((f = open_in_root(root, "etc/passwd"))) {
			while ((pw = fgetpwent(f)) && strcmp(pw->pw_name, u))
				;
			if (pw)
				*uid = pw->pw_uid, *gid = pw->pw_gid;
			fclose(f);
		}
		if (!pw) {
			err_set(EINVAL, "User '%s': '%s' is not in the image's /etc/passwd", user,
				u);
			goto out;
		}
	}
	if (g) {
		*gid = strtol(g, &end, 10);
		if (!g[0] || *end) {
			struct group *gr = NULL;
			if ((f = open_in_root(root, "etc/group"))) {
				while ((gr = fgetgrent(f)) && strcmp(gr->gr_name, g))
					;
				if (gr)
					*gid = gr->gr_gid;
				fclose(f);
			}
			if (!gr) {
				err_set(EINVAL, "User '%s': '%s' is not in the image's /etc/group",
					user, g);
				goto out;
			}
		}
	}
	ret = 0;
out:
	close(root);
	return ret;
}

/* The runtime spec of image IM whose root is ROOTFS; CMD replaces Cmd. */
static json_t *
spec(const struct store_image *im, const char *rootfs, char **cmd, int ncmd)
{
	json_t *c = im->config, *args = json_array(), *env = json_array(), *v;
	const char *wd = json_string_value(json_object_get(c, "WorkingDir"));
	long uid, gid;
	size_t i;
	int has_path = 0;

	json_array_foreach(json_object_get(c, "Entrypoint"), i, v) json_array_append(args, v);
	if (ncmd)
		for (int k = 0; k < ncmd; k++)
			json_array_append_new(args, json_string(cmd[k]));
	else
		json_array_foreach(json_object_get(c, "Cmd"), i, v) json_array_append(args, v);
	json_array_foreach(json_object_get(c, "Env"), i, v)
	{
		has_path |= json_is_string(v) && !strncmp(json_string_value(v), "PATH=", 5);
		json_array_append(env, v);
	}
	if (!has_path)
		json_array_append_new(
		    env, json_string(
			     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (json_array_size(args) == 0 || !json_is_string(json_array_get(args, 0))) {
		json_decref(args);
		json_decref(env);
		err_set(EINVAL, "image '%s': no Entrypoint or Cmd: give a COMMAND", im->name);
		return NULL;
	}
	if (user_ids(rootfs, json_string_value(json_object_get(c, "User")), &uid, &gid) == -1) {
		json_decref(args);
		json_decref(env);
		return NULL;
	}
	json_t *caps = strings(caps_default_names), *spec;
	spec = json_pack(
	    "{s:s, s:{s:b, s:{s:I, s:I}, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:b,"
	    " s:[{s:s, s:i, s:i}]},"
	    " s:{s:s, s:b}, s:s,"
	    " s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s,s,s,s]},"
	    "    {s:s, s:s, s:s, s:[s,s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s,s]},"
	    "    {s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}],"
	    " s:{s:[{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}], s:o, s:o}}",
	    "ociVersion", "1.0.2", "process", "terminal", 0, "user", "uid", (json_int_t)uid, "gid",
	    (json_int_t)gid, "args", args, "env", env, "cwd", wd && wd[0] == '/' ? wd : "/",
	    "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
	    "noNewPrivileges", 1, "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
	    "root", "path", "rootfs", "readonly", 0, "hostname", "nutshell", "mounts",
	    "destination", "/proc", "type", "proc", "source", "proc", "destination", "/dev", "type",
	    "tmpfs", "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755",
	    "size=65536k", "destination", "/dev/pts", "type", "devpts", "source", "devpts",
	    "options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
	    "destination", "/dev/shm", "type", "tmpfs", "source", "shm", "options", "nosuid",
	    "noexec", "nodev", "mode=1777", "size=65536k", "destination", "/dev/mqueue", "type",
	    "mqueue", "source", "mqueue", "options", "nosuid", "noexec", "nodev", "destination",
	    "/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec", "nodev",
	    "ro", "linux", "namespaces", "type", "pid", "type", "network", "type", "ipc", "type",
	    "uts", "type", "mount", "type", "cgroup", "maskedPaths", strings(rootfs_masked_paths),
	    "readonlyPaths", strings(rootfs_readonly_paths));
	json_decref(caps);
	if (!spec)
		err_set(EINVAL, "image '%s': config.json could not be made", im->name);
	return spec;
}

int
image_bundle(const char *root, const char *name, const char *dir, char **cmd, int ncmd)
{
	char tmp[PATH_MAX], path[PATH_MAX + 32], merged[PATH_MAX + 32], empty[PATH_MAX + 32];
	struct store_image im = {.config = NULL};
	struct stat st;
	json_t *config = NULL;
	int ret = -1;

	if (lstat(dir, &st) == 0)
		return err_set(EEXIST, "bundle '%s': exists; expected a new directory", dir);
	if (errno != ENOENT)
		return err_sys("bundle '%s'", dir);
	if (store_find(root, name, &im) == -1)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", dir) >= (int)sizeof(tmp) || !mkdtemp(tmp)) {
		json_decref(im.config);
		return err_sys("bundle '%s': mkdtemp", dir);
	}
	snprintf(merged, sizeof(merged), "%s/merged", tmp);
	snprintf(empty, sizeof(empty), "%s/empty", tmp);
	snprintf(path, sizeof(path), "%s/rootfs", tmp);
	if (mkdir(merged, 0700) == -1 || mkdir(empty, 0700) == -1) {
		err_sys("mkdir in %s", tmp);
		goto out;
	}
	if (flatten(&im, merged, empty, path) == -1 || rmdir(merged) == -1 || rmdir(empty) == -1)
		goto out;
	if (!(config = spec(&im, path, cmd, ncmd)))
		goto out;
	snprintf(path, sizeof(path), "%s/config.json", tmp);
	if (json_dump_file(config, path, JSON_INDENT(2)) == -1) {
		err_sys("writing %s", path);
		goto out;
	}
	/* mkdtemp made it 0700: a bundle is read by the runtime only, but
	 * its root is the container's "/", which everyone reads. */
	if (chmod(tmp, 0755) == -1 || rename(tmp, dir) == -1) {
		err_sys("bundle '%s': rename %s", dir, tmp);
		goto out;
	}
	trace_note("bundle %s: image %s, %zu layers flattened into rootfs/", dir, im.name,
		   im.nlayers);
	ret = 0;
out:
	json_decref(config);
	json_decref(im.config);
	if (ret == -1) {
		int saved = errno;
		umount2(merged, MNT_DETACH);
		rootfs_remove_tree(tmp);
		errno = saved;
	}
	return ret;
}
