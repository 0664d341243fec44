/*
 * cgroup_record.c - a cgroup made by another process, or by us before we
 * were killed: written down as it is made, read back into a struct cg to
 * kill and remove it (see cgroup.h). The launcher's reclaim
 * (05-full-container/reclaim.c) is the user.
 */
#include "../common/err.h"
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int
cg_record_write(const struct cg *cg, FILE *f)
{
	/* "VERSION DIR", then on v2 a tab and what it enables in the parent. */
	for (size_t i = 0; i < cg->n; i++)
		if (fprintf(f, "%d %s%s%s\n", cg->layout->h[cg->d[i].hier].version, cg->d[i].dir,
			    cg->d[i].enabled[0] ? "\t" : "", cg->d[i].enabled) < 0)
			return err_sys("writing the record of cgroup %s", cg->name);
	return 0;
}

int
cg_record_read(struct cg *cg, struct cg_layout *l, FILE *f, const char *under, const char *name)
{
	char line[sizeof(cg->d[0].dir) + sizeof(cg->d[0].enabled) + 8], tail[80];
	size_t ulen = strlen(under);

	snprintf(tail, sizeof(tail), "/%s", name);
	cg_empty(cg, l, name);
	l->kind = CG_NONE;
	l->n = 0;
	while (fgets(line, sizeof(line), f) && cg->n < CG_MAX_HIER) {
		int version = line[0] - '0';
		char *dir = line + 2, *enabled = "";

		dir[strcspn(dir, "\n")] = '\0';
		if (strchr(dir, '\t')) {
			enabled = strchr(dir, '\t') + 1;
			enabled[-1] = '\0';
		}
		size_t len = strlen(dir);
		/* The record lies in a directory others may write to (the
		 * scratch directory): only a cgroup NAME beneath UNDER is
		 * taken, never a path that climbs out of it. */
		if ((version != 1 && version != 2) || line[1] != ' ' ||
		    len >= sizeof(cg->d[0].dir) || strlen(enabled) >= sizeof(cg->d[0].enabled) ||
		    strncmp(dir, under, ulen) != 0 || strstr(dir, "/..") || len < strlen(tail) ||
		    strcmp(dir + len - strlen(tail), tail) != 0)
			continue; /* not what cg_record_write() writes: leave it */
		l->h[l->n].version = version;
		cg_take(cg, (int)l->n++);
		memcpy(cg->d[cg->n - 1].dir, dir, len + 1);
		snprintf(cg->d[cg->n - 1].parent, sizeof(cg->d[0].parent), "%.*s",
			 (int)(len - strlen(tail)), dir);
		/* Controllers only a v2 parent has: "memory pids", nothing else. */
		if (version == 2 &&
		    strspn(enabled, "abcdefghijklmnopqrstuvwxyz_ ") == strlen(enabled))
			memcpy(cg->d[cg->n - 1].enabled, enabled, strlen(enabled) + 1);
	}
	if (ferror(f))
		return err_sys("reading the record of cgroup %s", name);
	return (int)cg->n;
}

int
cg_lookup(struct cg *cg, const struct cg_layout *l, const char *name)
{
	struct stat st;

	cg_empty(cg, l, name);
	for (size_t h = 0; h < l->n && cg->n < CG_MAX_HIER; h++) {
		char dir[sizeof(cg->d[0].dir)];

		snprintf(dir, sizeof(dir), "%s/%s", l->h[h].base, cg->name);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		int i = cg_take(cg, (int)h);
		memcpy(cg->d[i].dir, dir, strlen(dir) + 1);
		snprintf(cg->d[i].parent, sizeof(cg->d[i].parent), "%s", l->h[h].base);
	}
	return (int)cg->n;
}
