/*
 * options_ids.c - the options of nutshell run about ids (see ctr.h): --user
 * USER[:GROUP], and --uidmap/--gidmap INSIDE:OUTSIDE:COUNT, each range
 * checked as the kernel would take the whole map (ns_idmap_parse, lesson
 * 01), and its host ids checked to be nobody's subordinate ids.
 */
#include "../01-namespaces/ns.h"
#include "../common/err.h"
#include "ctr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bad input: the error record names the value and what was expected. */
#define bad(...) err_set(0, __VA_ARGS__)

/* One half of --user: a number 0..4294967294, or a name as passwd(5) and
 * useradd(8) allow ([A-Za-z0-9_.-], not starting with '-', at most 32),
 * looked up later in the image (user.c). 0, or -1 when it is neither. */
static int
parse_id(const char *text, size_t len, unsigned long *id, char *name, size_t size)
{
	char buf[40], *end;

	if (len == 0 || len >= sizeof(buf) || len >= size)
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	name[0] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		*id = strtoul(buf, &end, 10);
		if (errno == 0 && *end == '\0' && *id <= 4294967294UL)
			return 0;
	}
	if (buf[0] == '-' || strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_.-") != len)
		return -1;
	memcpy(name, buf, len + 1);
	*id = 0;
	return 0;
}

int
ctr_parse_user(struct ctr_config *cfg, const char *arg)
{
	size_t ulen = strcspn(arg, ":");
	unsigned long uid, gid = 0;

	if (parse_id(arg, ulen, &uid, cfg->user_name, sizeof(cfg->user_name)) == -1 ||
	    (arg[ulen] == ':' && parse_id(arg + ulen + 1, strlen(arg + ulen + 1), &gid,
					  cfg->group_name, sizeof(cfg->group_name)) == -1))
		return bad("--user '%s': expected USER[:GROUP], each a name in the image's "
			   "/etc/passwd or /etc/group or a number 0..4294967294",
			   arg);
	cfg->user_set = 1;
	cfg->user_spec = arg;
	cfg->uid = (uid_t)uid;
	cfg->gid_set = arg[ulen] == ':';
	cfg->gid = (gid_t)gid;
	return 0;
}

/* --uidmap/--gidmap "INSIDE:OUTSIDE:COUNT", added to the map text and the
 * whole map checked again as the kernel would (ns_idmap_parse, lesson 01):
 * an overlap names the option value that made it. */
int
ctr_add_idmap(struct ctr_config *cfg, char *map, size_t size, const char *opt, const char *arg)
{
	unsigned long v[3];
	const char *p = arg;
	char line[96];
	struct ns_idmap maps[NS_IDMAP_MAX];

	for (int i = 0; i < 3; i++) {
		char *end;
		if (*p < '0' || *p > '9')
			goto bad_syntax;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || (i < 2 && *end != ':') || (i == 2 && *end != '\0'))
			goto bad_syntax;
		p = end + 1;
	}
	snprintf(line, sizeof(line), "%lu %lu %lu\n", v[0], v[1], v[2]);
	if (strlen(map) + strlen(line) >= size)
		return bad("%s '%s': too many ranges", opt, arg);
	strcat(map, line);
	if (ns_idmap_parse(map, maps, NS_IDMAP_MAX) < 0)
		return err_prefix("%s '%s'", opt, arg);
	cfg->userns = 1;
	return 0;
bad_syntax:
	return bad("%s '%s': expected INSIDE:OUTSIDE:COUNT, three numbers", opt, arg);
}

/* The host id that MAP (uid_map text) gives to id 0 inside, or -1. */
long long
ctr_idmap_root(const char *map)
{
	struct ns_idmap maps[NS_IDMAP_MAX];
	int n = ns_idmap_parse(map, maps, NS_IDMAP_MAX);

	for (int i = 0; i < n; i++)
		if (maps[i].inside == 0)
			return (long long)maps[i].outside;
	return -1;
}

/* The container's root must exist inside: the child becomes uid 0. */
static int
check_root_mapped(const struct ctr_config *cfg)
{
	const char *maps[] = {cfg->uidmap, cfg->gidmap}, *opts[] = {"--uidmap", "--gidmap"};

	for (int i = 0; i < 2; i++)
		if (maps[i][0] && ctr_idmap_root(maps[i]) < 0)
			return bad("%s: no range maps id 0; expected one that starts at 0 (root "
				   "inside)",
				   opts[i]);
	return 0;
}

/* An explicit map's host ids must be nobody else's: a user that
 * /etc/subuid gives them to could read the container's files, plant its
 * own and signal its processes (issue 23, 7). MAP is uid_map text. */
static int
check_subids(const char *opt, const char *map, const char *file)
{
	struct ns_idmap maps[NS_IDMAP_MAX];
	char who[256];
	int n = map[0] ? ns_idmap_parse(map, maps, NS_IDMAP_MAX) : 0;

	for (int i = 0; i < n; i++)
		if (ctr_subid_owned(file, maps[i].outside, maps[i].count, who, sizeof(who)))
			return bad("%s '%lu:%lu:%lu': host ids %lu-%lu overlap %.*s's subordinate "
				   "range %s in %s; expected ids no user owns, or --userns-force",
				   opt, maps[i].inside, maps[i].outside, maps[i].count,
				   maps[i].outside, maps[i].outside + maps[i].count - 1,
				   (int)strcspn(who, ":"), who, who, file);
	return 0;
}

int
ctr_check_idmaps(const struct ctr_config *cfg)
{
	if (!cfg->uidmap[0] && !cfg->gidmap[0])
		return 0;
	if (geteuid() != 0)
		return bad("--uidmap/--gidmap: rootless, only your own id can be mapped (to 0); "
			   "expected root");
	return check_root_mapped(cfg);
}

int
ctr_check_subids(const struct ctr_config *cfg)
{
	if (check_subids("--uidmap", cfg->uidmap, "/etc/subuid") == -1)
		return -1;
	return check_subids("--gidmap", cfg->gidmap[0] ? cfg->gidmap : cfg->uidmap, "/etc/subgid");
}
