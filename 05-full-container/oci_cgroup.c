/*
 * oci_cgroup.c - where a container's cgroup goes: config.json's
 * linux.cgroupsPath (config-linux.md "Cgroups Path"), made with lesson 02's
 * helpers and removed again, with any parent directory it needed.
 *
 *	"/docker/ID"        absolute: from the root of each hierarchy
 *	                    (/sys/fs/cgroup/memory/docker/ID on v1,
 *	                    /sys/fs/cgroup/docker/ID on v2)
 *	"mine/ID"           relative: beneath nutshell's own cgroup (lesson
 *	                    02's base: where `nutshell run` makes its own)
 *	""                  "/ID"
 *	"s.slice:p:name"    only with --systemd-cgroup: runc asks systemd over
 *	                    D-Bus for the scope p-name.scope in slice s.slice.
 *	                    nutshell has no D-Bus client: it makes the
 *	                    directory systemd would have made,
 *	                    /s.slice/p-name.scope, itself (cgroupfs), and says
 *	                    so in one warning line: systemd does not know it.
 *
 * runc's rules: libcontainer/specconv/spec_linux.go (createCgroupConfig),
 * libcontainer/cgroups/systemd/common.go (ExpandSlice: "a-b.slice" is
 * /a.slice/a-b.slice), libcontainer/cgroups/fs2/defaultpath.go.
 *
 * Parents that did not exist are made (runc MkdirAll's them) and written
 * down in ROOT/ID/cgroup.path below the cgroup's own name, so that delete
 * removes them again when nothing else is in them: the host check finds the
 * machine as it was.
 */
#include "oci.h"
#include "ctr.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_RECORD "cgroup.path"

/* "a-b-c.slice" as systemd's path, "/a.slice/a-b.slice/a-b-c.slice"; "-.slice"
 * is the root, "" (runc ExpandSlice). */
static int
expand_slice(const char *slice, char *out, size_t size)
{
	size_t len = strlen(slice), used = 0;

	out[0] = '\0';
	if (len <= 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
		return err_set(EINVAL,
			       "linux.cgroupsPath: slice '%s': expected NAME.slice, without '/'",
			       slice);
	if (strcmp(slice, "-.slice") == 0)
		return 0;
	for (size_t i = 0; i < len - 6; i++) {
		if (slice[i] != '-' && i + 1 < len - 6)
			continue;
		size_t end = slice[i] == '-' ? i : i + 1;
		if (end == 0 || slice[end - 1] == '-' || (slice[i] == '-' && i + 1 == len - 6))
			return err_set(EINVAL, "linux.cgroupsPath: slice '%s': an empty component",
				       slice);
		int n = snprintf(out + used, size - used, "/%.*s.slice", (int)end, slice);
		if (n < 0 || (size_t)n >= size - used)
			return err_set(ENAMETOOLONG, "linux.cgroupsPath: slice '%s': too long",
				       slice);
		used += (size_t)n;
	}
	return 0;
}

int
oci_cgroup_resolve(const char *cgroups_path, const char *id, int systemd, char *out, size_t size)
{
	const char *p = cgroups_path ? cgroups_path : "";
	char clean[1024];
	size_t used = 0;
	int mapped = 0;

	if (systemd) {
		/* runc with --systemd-cgroup: "" is system.slice:runc:ID. */
		char slice[512], prefix[256], name[256], sliced[768];
		const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (*p && (!c2 || strchr(c2 + 1, ':')))
			return err_set(EINVAL,
				       "linux.cgroupsPath '%s': expected slice:prefix:name with "
				       "--systemd-cgroup",
				       p);
		snprintf(slice, sizeof(slice), "%.*s", c1 ? (int)(c1 - p) : 0, p);
		snprintf(prefix, sizeof(prefix), "%.*s", c2 ? (int)(c2 - c1 - 1) : 0,
			 c1 ? c1 + 1 : "");
		snprintf(name, sizeof(name), "%s", c2 ? c2 + 1 : id);
		if (!*p)
			snprintf(prefix, sizeof(prefix), "nutshell");
		if (expand_slice(slice[0] ? slice : "system.slice", sliced, sizeof(sliced)) == -1)
			return -1;
		/* The unit: PREFIX-NAME.scope, or NAME itself when it is a
		 * slice (runc systemd/common.go getUnitName). */
		size_t nlen = strlen(name);
		snprintf(clean, sizeof(clean), "%s/%s%s%s%s", sliced, prefix, prefix[0] ? "-" : "",
			 name, nlen > 6 && strcmp(name + nlen - 6, ".slice") == 0 ? "" : ".scope");
		p = clean;
		mapped = 1;
	} else if (strchr(p, ':'))
		return err_set(EINVAL,
			       "linux.cgroupsPath '%s': a systemd slice:prefix:name, but "
			       "--systemd-cgroup was not given (expected a path)",
			       p);
	if (!*p) {
		snprintf(out, size, "/%s", id);
		return 0;
	}
	/* Cleaned as runc's utils.CleanPath does for "//", but ".." and "."
	 * are refused: the path must not climb out of the hierarchy. */
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", p);
	if (strlen(p) >= sizeof(buf) - 1)
		return err_set(ENAMETOOLONG, "linux.cgroupsPath '%s': too long", p);
	out[0] = '\0';
	if (p[0] == '/')
		out[used++] = '/';
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return err_set(EINVAL,
				       "linux.cgroupsPath '%s': expected a path without '.' or "
				       "'..'",
				       cgroups_path);
		int n = snprintf(out + used, size - used, "%s%s",
				 used && out[used - 1] != '/' ? "/" : "", c);
		if (n < 0 || (size_t)n >= size - used)
			return err_set(ENAMETOOLONG, "linux.cgroupsPath '%s': too long", p);
		used += (size_t)n;
	}
	if (!used || strcmp(out, "/") == 0)
		return err_set(EINVAL, "linux.cgroupsPath '%s': expected a cgroup, not the root",
			       cgroups_path);
	return mapped;
}

/* Writes "+CONTROLLER" for each of WANT into DIR's cgroup.subtree_control
 * (v2: what a child may use, cgroup-v2.rst "Enabling and Disabling"). */
static int
enable_in(const char *dir, const char *want)
{
	char path[4200], words[128], *save = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	snprintf(words, sizeof(words), "%s", want);
	for (char *c = strtok_r(words, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		char v[64];
		snprintf(v, sizeof(v), "+%s", c);
		int fd = TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat", "AT_FDCWD, %s, O_WRONLY",
			       trace_str(path));
		if (fd == -1)
			return err_sys("%s", path);
		ssize_t n = TRACE(write(fd, v, strlen(v)), "write", "%d, %s, %zu", fd, trace_str(v),
				  strlen(v));
		int saved = errno;
		close(fd);
		if (n == -1) {
			errno = saved;
			return err_sys("%s: %s", path, v);
		}
	}
	return 0;
}

int
oci_cgroup_make(const char *path, const char *dir, struct cg *cg, const struct cg_layout *l,
		const char *const wanted[])
{
	/* The layout with each base moved to the leaf's parent: static, as
	 * cg->layout points into it until the process ends. */
	static struct cg_layout at;
	const char *leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int plen = (int)(leaf - path);
	char record[4200], short_name[64];
	FILE *f;

	at = *l;
	for (size_t h = 0; h < at.n; h++) {
		char base[sizeof(at.h[h].base)];
		snprintf(base, sizeof(base), "%s%s%.*s",
			 path[0] == '/' ? at.h[h].mount : l->h[h].base,
			 path[0] == '/' || !plen ? "" : "/", plen, path);
		base[strlen(base) - (plen && base[strlen(base) - 1] == '/')] = '\0';
		memcpy(at.h[h].base, base, sizeof(base));
	}
	snprintf(short_name, sizeof(short_name), "%s", leaf);
	if (cg_plan(cg, &at, NULL, short_name, wanted) == -1)
		return err_prefix("linux.cgroupsPath %s", path);
	/* The name may be longer than struct cg's (docker's 64 hex digits). */
	for (size_t i = 0; i < cg->n; i++)
		snprintf(cg->d[i].dir, sizeof(cg->d[i].dir), "%s/%s", cg->d[i].parent, leaf);
	/* The plan first: the name, then the parents still to make. */
	snprintf(record, sizeof(record), "%s/" PATH_RECORD, dir);
	if (!(f = fopen(record, "we")))
		return err_sys("%s", record);
	fprintf(f, "%s\n", leaf);
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &l->h[cg->d[i].hier];
		const char *start = path[0] == '/' ? h->mount : h->base;
		char *p = cg->d[i].parent + strlen(start);
		struct stat st;
		while (p && *p == '/') {
			char *next = strchr(p + 1, '/');
			char sub[sizeof(cg->d[i].parent)];
			snprintf(
			    sub, sizeof(sub), "%.*s",
			    (int)(next ? next - cg->d[i].parent : (long)strlen(cg->d[i].parent)),
			    cg->d[i].parent);
			if (stat(sub, &st) == -1)
				fprintf(f, "%s\n", sub);
			p = next;
		}
	}
	if (fclose(f) != 0)
		return err_sys("%s", record);
	if (ctr_record_cgroups(dir, cg) == -1)
		return err_prefix("cgroup %s", path);
	ctr_pause_point("oci-cgroup-planned");
	/* The parents, each with the controllers its child needs on v2. */
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &l->h[cg->d[i].hier];
		const char *start = path[0] == '/' ? h->mount : h->base;
		char *p = cg->d[i].parent + strlen(start);
		while (p && *p == '/') {
			char *next = strchr(p + 1, '/');
			char up[sizeof(cg->d[i].parent)], sub[sizeof(cg->d[i].parent)];
			snprintf(up, sizeof(up), "%.*s", (int)(p - cg->d[i].parent),
				 cg->d[i].parent);
			snprintf(
			    sub, sizeof(sub), "%.*s",
			    (int)(next ? next - cg->d[i].parent : (long)strlen(cg->d[i].parent)),
			    cg->d[i].parent);
			if (h->version == 2 && cg->d[i].want[0] &&
			    enable_in(up, cg->d[i].want) == -1)
				return err_prefix("linux.cgroupsPath %s", path);
			if (TRACE(mkdirat(AT_FDCWD, sub, 0755), "mkdirat", "AT_FDCWD, %s, 0755",
				  trace_str(sub)) == -1 &&
			    errno != EEXIST)
				return err_sys("linux.cgroupsPath %s: mkdir %s", path, sub);
			p = next;
		}
	}
	if (cg_make(cg) == -1)
		return err_prefix("cgroup %s", path);
	ctr_pause_point("oci-cgroup-made");
	if (ctr_record_cgroups(dir, cg) == -1)
		return err_prefix("cgroup %s", path);
	return 0;
}

int
oci_cgroup_leaf(const char *dir, char *out, size_t size)
{
	char path[4200];
	FILE *f;

	snprintf(out, size, "oci-%.48s", strrchr(dir, '/') + 1);
	snprintf(path, sizeof(path), "%s/" PATH_RECORD, dir);
	if (!(f = fopen(path, "re")))
		return 0; /* a cgroup made before cgroupsPath was: oci-ID */
	char line[300];
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && !strchr(line, '/') && strcmp(line, "..") != 0 &&
		    strcmp(line, ".") != 0)
			snprintf(out, size, "%s", line);
	}
	fclose(f);
	return 0;
}

void
oci_cgroup_remove_parents(const char *dir)
{
	static char lines[64][2200];
	char path[4200];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" PATH_RECORD, dir);
	if (!(f = fopen(path, "re")))
		return;
	/* Line 1 is the cgroup's name; then its parents, outermost first. */
	while (n < 64 && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	fclose(f);
	for (size_t i = n; i-- > 1;) {
		lines[i][strcspn(lines[i], "\n")] = '\0';
		/* Only a cgroup directory, never a path that climbs out. */
		if (strncmp(lines[i], "/sys/fs/cgroup/", 15) != 0 || strstr(lines[i], "/.."))
			continue;
		/* Another container may still be in it: then it stays.
		 * unlinkat, the call strace shows on both architectures
		 * (arm64 has no rmdir). */
		TRACE(unlinkat(AT_FDCWD, lines[i], AT_REMOVEDIR), "unlinkat",
		      "AT_FDCWD, %s, AT_REMOVEDIR", trace_str(lines[i]));
	}
	unlink(path);
}
