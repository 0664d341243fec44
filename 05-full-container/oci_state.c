/*
 * oci_state.c - what the runtime keeps of a container between its commands:
 * the directory ROOT/ID (mode 0700; made with mkdir(2), so an existing
 * name or a symlink planted there is refused) holding
 *
 *	state.json   id, pid, its start time, bundle, created, annotations
 *	exec.fifo    present from create to start (runc's create/start split)
 *	cgroups      the cgroup directories made for it (reclaim.c's format)
 *
 * Status is never stored: it is read off the machine each time, as runc
 * does (libcontainer/container_linux.go currentStatus): no init (its pid
 * gone, a zombie, or a new process with the same pid - the start time
 * tells) is "stopped"; a frozen cgroup is "paused" (oci_control.c); a fifo
 * still there is "created"; else "running".
 */
#include "oci.h"
#include "ctr.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
oci_state_path(const char *root, const char *id, char *out, size_t size)
{
	/* runc's rule (libcontainer/factory_linux.go validateID): letters,
	 * digits, _ + - and dots, and never a path (., .., a slash). */
	if (!*id ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") !=
		strlen(id) ||
	    strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 200)
		return err_set(EINVAL,
			       "container id '%s': expected letters, digits, _ + - . "
			       "(at most 200)",
			       id);
	if ((size_t)snprintf(out, size, "%s/%s", root, id) >= size)
		return err_set(ENAMETOOLONG, "--root '%s': too long", root);
	return 0;
}

unsigned long long
oci_start_time(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || proc_read(path, buf, sizeof(buf)) < 0)
		return 0;
	/* The command (field 2) may hold spaces and ')': fields 3.. come
	 * after the last ')'. Field 3 is the state, 22 the start time. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0; /* a zombie has ended: stopped */
	p += 2;
	for (int field = 3; field < 22 && p; field++)
		if ((p = strchr(p, ' ')))
			p++;
	if (p)
		t = strtoull(p, NULL, 10);
	return t;
}

const char *
oci_status(const struct oci_state *s)
{
	char fifo[4200];

	if (!s->pid || oci_start_time(s->pid) != s->start_time)
		return "stopped";
	if (oci_frozen(s->dir))
		return "paused";
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", s->dir);
	return access(fifo, F_OK) == 0 ? "created" : "running";
}

char *
oci_state_json(const struct oci_state *s, const char *status)
{
	int stopped = strcmp(status, "stopped") == 0;

	/* "o" takes the reference it is given: a new object, or one more of ours. */
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "ociVersion", "1.0.2", "id",
		      s->id, "status", status, "pid", stopped ? 0 : (int)s->pid, "bundle",
		      s->bundle, "rootfs", s->rootfs, "created", s->created, "annotations",
		      s->annotations ? json_incref(s->annotations) : json_object());
	if (!o)
		return NULL;
	char *text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return text;
}

int
oci_state_save(const struct oci_state *s)
{
	char path[4200], tmp[4210];
	json_t *o = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:o}", "id", s->id, "pid",
			      (int)s->pid, "start_time", (json_int_t)s->start_time, "bundle",
			      s->bundle, "rootfs", s->rootfs, "created", s->created, "annotations",
			      s->annotations ? json_incref(s->annotations) : json_object());

	snprintf(path, sizeof(path), "%s/state.json", s->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!o)
		return err_set(ENOMEM, "state.json");
	/* 0600 (oci_main's umask); renamed over: a reader never sees half. */
	int rc = json_dump_file(o, tmp, 0);
	json_decref(o);
	if (rc == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		return err_sys("writing %s", path);
	}
	return 0;
}

int
oci_state_load(const char *root, const char *id, struct oci_state *s)
{
	char path[4200];
	json_error_t jerr;
	struct stat st;
	json_t *o;
	int pid = 0;
	json_int_t start = 0;
	const char *bundle = "", *created = "", *rootfs = NULL;
	json_t *ann = NULL;

	memset(s, 0, sizeof(*s));
	if (oci_state_path(root, id, s->dir, sizeof(s->dir)) == -1)
		return -1;
	snprintf(s->id, sizeof(s->id), "%s", id);
	/* lstat: a symlink planted as ROOT/ID is not our directory. */
	if (lstat(s->dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "container %s does not exist", id);
	snprintf(path, sizeof(path), "%s/state.json", s->dir);
	if (!(o = json_load_file(path, 0, &jerr)))
		/* create still at work (or killed half-way): no state yet. */
		return err_set(ENOENT, "container %s does not exist (no state: %s)", id, jerr.text);
	if (json_unpack_ex(o, &jerr, 0, "{s:i, s:I, s:s, s?s, s:s, s?O}", "pid", &pid, "start_time",
			   &start, "bundle", &bundle, "rootfs", &rootfs, "created", &created,
			   "annotations", &ann) == -1) {
		json_decref(o);
		return err_set(EINVAL, "%s: %s", path, jerr.text);
	}
	s->pid = pid;
	s->start_time = (unsigned long long)start;
	snprintf(s->bundle, sizeof(s->bundle), "%s", bundle);
	if (rootfs)
		snprintf(s->rootfs, sizeof(s->rootfs), "%s", rootfs);
	else /* a state written before the field: the bundle's usual rootfs */
		snprintf(s->rootfs, sizeof(s->rootfs), "%s/rootfs", bundle);
	snprintf(s->created, sizeof(s->created), "%s", created);
	s->annotations = ann;
	json_decref(o);
	return 0;
}

int
oci_write_pid_file(const char *path, pid_t pid)
{
	char tmp[4200];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return err_set(ENAMETOOLONG, "--pid-file: too long");
	/* Engines read it as soon as create exits: whole or not at all. */
	if (!(f = fopen(tmp, "we")) || fprintf(f, "%d", (int)pid) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) == -1) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return err_sys("--pid-file %s", path);
	}
	return 0;
}

int
oci_cgroup_remove(const char *dir)
{
	static struct cg_layout recorded;
	struct cg cg;
	char path[4200];

	snprintf(path, sizeof(path), "%s/cgroups", dir);
	if (access(path, F_OK) == -1) {
		oci_cgroup_remove_parents(dir);
		return 0; /* none made */
	}
	if (oci_cgroup_load(dir, &cg, &recorded, 0) == -1)
		return -1;
	/* The controllers create enabled in the parent stay on: other
	 * containers' oci-* cgroups beside this one may rely on them, and
	 * cg_remove() knows only its own CG_PREFIX names as ours. */
	for (size_t i = 0; i < cg.n; i++)
		cg.d[i].enabled[0] = '\0';
	cg_kill(&cg);
	if (cg_remove(&cg) == -1)
		return err_sys("removing the cgroup of %s", dir);
	unlink(path);
	oci_cgroup_remove_parents(dir);
	return 0;
}
