/*
 * cgroup_layout.c - which cgroup hierarchies the host mounts, where our own
 * cgroup is in each, and which holds a controller (see cgroup.h).
 */
#include "../common/err.h"
#include "../common/procfs.h"
#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the layout ---- */

const char *
cg_kind_name(enum cg_kind kind)
{
	switch (kind) {
	case CG_V1:
		return "cgroup v1";
	case CG_V2:
		return "cgroup v2";
	case CG_HYBRID:
		return "hybrid (cgroup v1 controllers and cgroup2)";
	default:
		return "none";
	}
}

/* Finds the mount of one /proc/self/cgroup line (procfs.h) and fills h;
 * 0 when found. */
static int
find_mount(const char *root, const char *mountinfo, const struct proc_cgroup *cg, struct cg_hier *h)
{
	char dir[sizeof(h->dir)];

	if (proc_cgroup_mount(mountinfo, cg, h->mount, sizeof(h->mount), dir, sizeof(dir)) != 0)
		return -1;
	h->version = cg->hierarchy == 0 ? 2 : 1;
	snprintf(h->controllers, sizeof(h->controllers), "%s", cg->controllers);
	snprintf(h->path, sizeof(h->path), "%s", cg->path);
	snprintf(h->dir, sizeof(h->dir), "%s%s", root, dir);
	return 0;
}

/*
 * cgroup v2: a cgroup that holds processes may not hand controllers to
 * children, unless it is the root ("no internal processes", cgroups(7)).
 * Our own cgroup usually holds the shell we were started from (a login
 * session's scope on a systemd laptop; init.scope in the VM lane), so new
 * cgroups go beneath the nearest ancestor that holds no process itself (the
 * user's slice, or the root). v1 has no such rule: there base is our own.
 */
static void
v2_base(struct cg_hier *h)
{
	char path[sizeof(h->path)], procs[sizeof(h->base) + 16], pids[64];

	snprintf(path, sizeof(path), "%s", h->path);
	while (strcmp(path, "/") != 0 && path[0] != '\0') {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", h->base);
		/* Missing (a fake tree in a test) or empty: no process here. */
		if (proc_read(procs, pids, sizeof(pids)) <= 0)
			return;
		*strrchr(h->base, '/') = '\0';
		char *slash = strrchr(path, '/');
		slash[slash == path ? 1 : 0] = '\0';
	}
}

int
cg_layout_parse(struct cg_layout *l, const char *root, const char *mountinfo,
		const char *self_cgroup)
{
	char *copy = strdup(self_cgroup), *save = NULL;
	int v1_controllers = 0, v2 = 0;

	/* Not *l = (struct cg_layout){0}: that writes all 100 KiB of it, and
	 * the launcher's peak memory is measured. Each h[] we use is set below. */
	l->kind = CG_NONE;
	l->n = 0;
	if (!copy)
		return err_set(ENOMEM, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && l->n < CG_MAX_HIER;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_cgroup c;
		struct cg_hier *h = &l->h[l->n];

		if (proc_parse_cgroup(line, &c) != 0 || find_mount(root, mountinfo, &c, h) != 0)
			continue;
		_Static_assert(sizeof(h->base) == sizeof(h->dir), "base starts as a copy of dir");
		memcpy(h->base, h->dir, strlen(h->dir) + 1);
		if (h->version == 2) {
			char path[sizeof(h->dir) + 32], text[512];

			v2_base(h);
			/* What the base may hand to its children. */
			snprintf(path, sizeof(path), "%s/cgroup.controllers", h->base);
			if (proc_read(path, text, sizeof(text)) < 0)
				text[0] = '\0';
			text[strcspn(text, "\n")] = '\0';
			snprintf(h->controllers, sizeof(h->controllers), "%s", text);
			v2 = 1;
		} else if (strncmp(h->controllers, "name=", 5) != 0) {
			v1_controllers = 1; /* name=systemd alone controls nothing */
		}
		l->n++;
	}
	free(copy);
	l->kind = v1_controllers && v2 ? CG_HYBRID : v1_controllers ? CG_V1 : v2 ? CG_V2 : CG_NONE;
	if (l->kind == CG_NONE)
		return err_set(
		    ENOENT, "no cgroup hierarchy is mounted where /proc/self/cgroup says we are");
	return 0;
}

int
cg_layout_detect(struct cg_layout *l)
{
	size_t big = 1 << 20;
	char *mountinfo = malloc(big), self[8192];
	int ret = -1;

	if (!mountinfo)
		return err_set(ENOMEM, "out of memory");
	if (proc_read("/proc/self/mountinfo", mountinfo, big) < 0 ||
	    proc_read("/proc/self/cgroup", self, sizeof(self)) < 0)
		err_set(errno, "cannot read /proc/self/mountinfo or /proc/self/cgroup: %s",
			strerror(errno));
	else
		ret = cg_layout_parse(l, "", mountinfo, self);
	free(mountinfo);
	return ret;
}

/* Part of the v2 core rather than a controller to enable: freezing
 * (cgroup.freeze, Linux 5.2) and the device allow-list (a BPF program
 * attached to the cgroup, Linux 4.15; cgroup_devices.c). */
int
cg_v2_core(const char *controller)
{
	return strcmp(controller, "freezer") == 0 || strcmp(controller, "devices") == 0;
}

/* The v1 name of a controller: io is blkio there. */
static const char *
v1_name(const char *controller)
{
	return strcmp(controller, "io") == 0 ? "blkio" : controller;
}

int
cg_layout_find(const struct cg_layout *l, const char *controller)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->h[i].version == 1 &&
		    proc_has_words(l->h[i].controllers, v1_name(controller), ','))
			return (int)i;
	for (size_t i = 0; i < l->n; i++) {
		if (l->h[i].version != 2)
			continue;
		if (cg_v2_core(controller) || proc_has_words(l->h[i].controllers, controller, ' '))
			return (int)i;
	}
	errno = ENOENT;
	return -1;
}

int
cg_layout_guess(struct cg_layout *l, const char *root, const char *const v1[])
{
	char memory[CG_PATH], unified[CG_PATH];

	l->kind = CG_NONE;
	l->n = 0;
	snprintf(memory, sizeof(memory), "%s/sys/fs/cgroup/memory", root);
	snprintf(unified, sizeof(unified), "%s/sys/fs/cgroup/unified", root);
	/* A hybrid host's cgroup2 at unified holds none of our controllers:
	 * v1 alone then. Anywhere else a v2 tree: the whole of it on a v2
	 * host, an empty one (the kernel always has it) beside pure v1. */
	if (access(memory, F_OK) != 0 || access(unified, F_OK) != 0) {
		struct cg_hier *h = &l->h[l->n++];

		h->version = 2;
		snprintf(h->controllers, sizeof(h->controllers), "%s", "");
		snprintf(h->mount, sizeof(h->mount), "%s", "unified");
	}
	for (size_t i = 0; v1[i] && l->n < CG_MAX_HIER; i++) {
		char dir[CG_PATH + 64];
		struct cg_hier *h = &l->h[l->n];

		snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/%s", root, v1[i]);
		if (access(dir, F_OK) != 0)
			continue; /* not a v1 hierarchy here */
		h->version = 1;
		snprintf(h->controllers, sizeof(h->controllers), "%s", v1[i]);
		snprintf(h->mount, sizeof(h->mount), "%s", v1[i]);
		l->n++;
	}
	int v2 = l->n && l->h[0].version == 2, v1s = l->n > (size_t)v2;
	l->kind = v2 && v1s ? CG_HYBRID : v1s ? CG_V1 : v2 ? CG_V2 : CG_NONE;
	return 0;
}
