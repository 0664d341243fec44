/*
 * alloc.c - what two running containers must not share (see ctr.h): the
 * host ids a --userns container's root and users are, and the subnet of a
 * --network veth pair.
 *
 * Host ids: whoever owns the host uid a container's root is can read its
 * 0600 files in a volume, plant files there and signal its processes
 * (kill(2) checks the real or saved uid, not the namespace). A fixed
 * 100000 is the range /etc/subuid gives the first ordinary user on most
 * distributions (useradd's SUB_UID_MIN, login.defs(5)), and the same for
 * every container. So nutshell keeps a range of its own, as podman does
 * for --userns=auto and systemd-nspawn for --private-users=pick: slots of
 * 65536 ids from 0x60000000, inside the range systemd sets aside for
 * containers (0x80000-0x6fffffff, systemd.io/UIDS-GIDS), below 2^31
 * (tools that take a uid for signed stumble above it); a slot that an
 * /etc/subuid or /etc/subgid entry overlaps is skipped.
 *
 * Subnets: two veth pairs with the same 10.200.0.1/24 on two host
 * interfaces give the host two routes to one subnet; the older one answers
 * for both. Each running container gets its own 10.200.N.0/24, skipping
 * what a host interface has an address in.
 *
 * Recorded where the rest of a running container's state is: the file
 * "alloc" in its scratch directory, which its nutshell holds flock(2) on
 * while it lives (reclaim.c). Choosing and recording happen under flock(2)
 * on the directory the scratch directories are in, so two starts never
 * take the same. Freed with the scratch directory: at the end of the
 * container, or after a SIGKILL by `nutshell cleanup` or the next run's
 * reclaim. Read: user_namespaces(7), subuid(5), flock(2), getifaddrs(3).
 */
#include "../01-namespaces/ns.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD	     "alloc"
#define USERNS_SIZE  65536UL
#define MAX_RECORDED 1024

int
ctr_subid_owned(const char *file, unsigned long first, unsigned long count, char *who, size_t size)
{
	char line[512], name[256];
	unsigned long start, n;
	FILE *f = fopen(file, "re");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		/* "name:first:count" (subuid(5)); a name may be a number. */
		if (sscanf(line, "%255[^:\n]:%lu:%lu", name, &start, &n) != 3)
			continue;
		/* Root's own ranges are root's to map. */
		if (strcmp(name, "root") == 0 || strcmp(name, "0") == 0)
			continue;
		if (first < start + n && start < first + count) {
			snprintf(who, size, "%s:%lu:%lu", name, start, n);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* One thing a running container holds: host ids (uid or gid lines) or a
 * subnet (as a network address and a mask, host order). */
struct held {
	char kind; /* 'u', 'g', 'n' */
	unsigned long first, count;
	char id[13]; /* whose: the container id */
};

static struct held held[MAX_RECORDED];
static size_t nheld;

int
ctr_alloc_owned_by(const char *scratch, uid_t uid)
{
	char path[4200], line[128];
	unsigned long first = 0, count;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/" RECORD, scratch);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "uid %lu %lu", &first, &count) == 2 && first == uid;
	fclose(f);
	return found;
}

/* The records of every other scratch directory beside ours: made by us
 * (root), or - --userns - given to the container's root, whose id the
 * record itself names. Another user's directory with a record would
 * otherwise hold ranges and subnets away from every container. */
static void
read_records(const char *base, const char *scratch)
{
	char pattern[4200], line[128];
	glob_t g;

	nheld = 0;
	snprintf(pattern, sizeof(pattern), "%s/nutshell-run-*.*/" RECORD, base);
	if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *dir = g.gl_pathv[i];
		struct stat st;
		if (strncmp(dir, scratch, strlen(scratch)) == 0)
			continue; /* ours: none yet */
		*strrchr(dir, '/') = '\0';
		int trusted = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
			      (st.st_uid == geteuid() || ctr_alloc_owned_by(dir, st.st_uid));
		dir[strlen(dir)] = '/';
		if (!trusted)
			continue;
		FILE *f = fopen(dir, "re");
		const char *name = strstr(g.gl_pathv[i], "nutshell-run-") + 13;
		while (f && nheld < MAX_RECORDED && fgets(line, sizeof(line), f)) {
			struct held *h = &held[nheld];
			unsigned a, b, c, d, prefix;
			if (sscanf(line, "uid %lu %lu", &h->first, &h->count) == 2)
				h->kind = 'u';
			else if (sscanf(line, "gid %lu %lu", &h->first, &h->count) == 2)
				h->kind = 'g';
			else if (sscanf(line, "net %u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) == 5 &&
				 prefix >= 8 && prefix <= 30) {
				h->kind = 'n';
				h->first = (unsigned long)a << 24 | b << 16 | c << 8 | d;
				h->count = 1UL << (32 - prefix);
			} else
				continue;
			snprintf(h->id, sizeof(h->id), "%.12s", name);
			nheld++;
		}
		if (f)
			fclose(f);
	}
	globfree(&g);
}

/* The container that holds something of KIND (a string of kinds) in
 * FIRST..FIRST+COUNT-1, or NULL. */
static const char *
holder(const char *kind, unsigned long first, unsigned long count)
{
	for (size_t i = 0; i < nheld; i++)
		if (strchr(kind, held[i].kind) && first < held[i].first + held[i].count &&
		    held[i].first < first + count)
			return held[i].id;
	return NULL;
}

/* --userns without a map: the first slot of nutshell's range that no user
 * owns and no running container holds (as uids or gids: one slot, both). */
static int
pick_ids(struct ctr_config *cfg)
{
	char who[256];

	for (unsigned long k = 0; k < CTR_USERNS_SLOTS; k++) {
		unsigned long first = CTR_USERNS_BASE + k * USERNS_SIZE;
		if (holder("ug", first, USERNS_SIZE) ||
		    ctr_subid_owned("/etc/subuid", first, USERNS_SIZE, who, sizeof(who)) ||
		    ctr_subid_owned("/etc/subgid", first, USERNS_SIZE, who, sizeof(who)))
			continue;
		cfg->outer_uid = (uid_t)first;
		cfg->outer_gid = (gid_t)first;
		cfg->userns_count = USERNS_SIZE;
		return 0;
	}
	return err_set(0,
		       "--userns: every id range of nutshell's (%d of 65536 ids from %lu) is in "
		       "use or owned in /etc/subuid or /etc/subgid",
		       CTR_USERNS_SLOTS, CTR_USERNS_BASE);
}

/* An explicit map (uid_map text) that a running container holds too. */
static int
check_map(const struct ctr_config *cfg, const char *opt, const char *map, const char *kind)
{
	struct ns_idmap maps[NS_IDMAP_MAX];
	int n = ns_idmap_parse(map, maps, NS_IDMAP_MAX);
	const char *id;

	for (int i = 0; i < n && !cfg->userns_force; i++)
		if ((id = holder(kind, maps[i].outside, maps[i].count)))
			return err_set(0,
				       "%s '%lu:%lu:%lu': host ids %lu-%lu are in use by running "
				       "container %s; expected others, or --userns-force",
				       opt, maps[i].inside, maps[i].outside, maps[i].count,
				       maps[i].outside, maps[i].outside + maps[i].count - 1, id);
	return 0;
}

/* The host interface with an IPv4 address in NET/MASK, or NULL. */
static const char *
host_address_in(struct ifaddrs *ifs, unsigned long net, unsigned long count)
{
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
			continue;
		unsigned long a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		unsigned long m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
		/* Overlap: equal under the shorter of the two masks. */
		unsigned long mine = ~(count - 1) & 0xffffffffUL, both = m & mine;
		if ((a & both) == (net & both))
			return i->ifa_name;
	}
	return NULL;
}

/* CIDR "A.B.C.D/N" into a network address and its size. */
static int
subnet_of(const char *cidr, unsigned long *net, unsigned long *count)
{
	unsigned a, b, c, d, prefix;

	if (sscanf(cidr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) != 5 || prefix < 8 ||
	    prefix > 30)
		return -1;
	*count = 1UL << (32 - prefix);
	*net = ((unsigned long)a << 24 | b << 16 | c << 8 | d) & ~(*count - 1) & 0xffffffffUL;
	return 0;
}

/* --network veth: the subnet asked for, if free; else the first free
 * 10.200.N.0/24. */
static int
pick_subnet(struct ctr_config *cfg)
{
	struct ifaddrs *ifs = NULL;
	unsigned long net, count;
	const char *who;
	int ret = -1;

	if (TRACE(getifaddrs(&ifs), "getifaddrs", "&ifs") == -1)
		return err_sys("getifaddrs");
	if (cfg->host_cidr[0]) {
		subnet_of(cfg->host_cidr, &net, &count);
		if ((who = holder("n", net, count)))
			err_set(0,
				"--subnet '%s': in use by running container %s; expected "
				"another, or none (a free one is picked)",
				cfg->host_cidr, who);
		else if ((who = host_address_in(ifs, net, count)))
			err_set(0,
				"--subnet '%s': this host's interface %s has an address in "
				"it; expected another, or none (a free one is picked)",
				cfg->host_cidr, who);
		else
			ret = 0;
		goto out;
	}
	for (unsigned n = 0; n < 256; n++) {
		net = (10UL << 24) | (200UL << 16) | (unsigned long)n << 8;
		if (holder("n", net, 256) || host_address_in(ifs, net, 256))
			continue;
		snprintf(cfg->host_cidr, sizeof(cfg->host_cidr), "10.200.%u.1/24", n);
		snprintf(cfg->ctr_cidr, sizeof(cfg->ctr_cidr), "10.200.%u.2/24", n);
		ret = 0;
		goto out;
	}
	err_set(0, "--network veth: every subnet 10.200.0.0/24 to 10.200.255.0/24 is held by a "
		   "running container or overlaps an address of this host; give --subnet");
out:
	freeifaddrs(ifs);
	return ret;
}

/* The record: written aside and renamed, so a reader sees all or none. */
static int
write_record(const struct ctr_config *cfg, const char *scratch)
{
	FILE *f = ctr_record_begin(scratch, RECORD);

	if (!f)
		return -1;
	if (cfg->userns && cfg->uidmap[0]) {
		struct ns_idmap maps[NS_IDMAP_MAX];
		int n = ns_idmap_parse(cfg->uidmap, maps, NS_IDMAP_MAX);
		for (int i = 0; i < n; i++)
			fprintf(f, "uid %lu %lu\n", maps[i].outside, maps[i].count);
		n = ns_idmap_parse(cfg->gidmap, maps, NS_IDMAP_MAX);
		for (int i = 0; i < n; i++)
			fprintf(f, "gid %lu %lu\n", maps[i].outside, maps[i].count);
	} else if (cfg->userns)
		fprintf(f, "uid %lu %lu\ngid %lu %lu\n", (unsigned long)cfg->outer_uid,
			cfg->userns_count, (unsigned long)cfg->outer_gid, cfg->userns_count);
	if (cfg->net == CTR_NET_VETH) {
		unsigned long net, count;
		subnet_of(cfg->host_cidr, &net, &count);
		fprintf(f, "net %lu.%lu.%lu.%lu/%d\n", net >> 24, net >> 16 & 255, net >> 8 & 255,
			net & 255, 32 - __builtin_ctzl(count));
	}
	return ctr_record_commit(f, scratch, RECORD);
}

int
ctr_allocate(struct ctr_config *cfg, const char *scratch)
{
	char base[4096];
	int lock, ret = -1;

	/* Rootless: the caller's own uid, and no veth. */
	if (cfg->rootless || (!cfg->userns && cfg->net != CTR_NET_VETH))
		return 0;
	snprintf(base, sizeof(base), "%s", scratch);
	*strrchr(base, '/') = '\0';
	lock = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock == -1) {
		err_sys("%s", base);
		goto out;
	}
	if (TRACE(flock(lock, LOCK_EX), "flock", "%d, LOCK_EX", lock) == -1) {
		err_sys("%s: flock", base);
		goto out;
	}
	read_records(base, scratch);
	if (cfg->userns && !cfg->uidmap[0] && pick_ids(cfg) == -1)
		goto out;
	if (cfg->userns && cfg->uidmap[0] &&
	    (check_map(cfg, "--uidmap", cfg->uidmap, "u") == -1 ||
	     check_map(cfg, "--gidmap", cfg->gidmap, "g") == -1))
		goto out;
	if (cfg->net == CTR_NET_VETH && pick_subnet(cfg) == -1)
		goto out;
	if (write_record(cfg, scratch) == -1) {
		err_sys("%s/" RECORD, scratch);
		goto out;
	}
	ret = 0;
out:
	if (lock >= 0)
		close(lock); /* and with it the flock */
	return ret;
}

void
ctr_veth_name(const char *id, char name[16])
{
	/* IFNAMSIZ is 16 with its NUL: "nsh" and 8 of the id's 12 digits. */
	snprintf(name, 16, "nsh%.8s", id);
}

void
ctr_alloc_release(const char *scratch)
{
	char path[4200], line[128], name[16];
	const char *id = strstr(scratch, "nutshell-run-");
	FILE *f;
	int veth = 0;

	snprintf(path, sizeof(path), "%s/" RECORD, scratch);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			veth |= strncmp(line, "net ", 4) == 0;
		fclose(f);
	}
	/* The host end of its veth goes now, not when the kernel gets round
	 * to it: the network namespace is freed from a workqueue after its
	 * last process (net/core/net_namespace.c, cleanup_net), and until then
	 * the old pair holds the subnet's address on this host, so the next
	 * start would skip the subnet just freed. Deleting one end deletes the
	 * other (veth(4)); ENODEV: already gone. */
	if (veth && id && geteuid() == 0) {
		struct nl_sock *nl = ns_rtnl_open();
		ctr_veth_name(id + strlen("nutshell-run-"), name);
		if (nl && ns_link_delete(nl, name) == -1 && errno != ENODEV)
			trace_fail(name);
		if (nl)
			ns_rtnl_close(nl);
	}
	snprintf(path, sizeof(path), "%s/" RECORD ".new", scratch);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" RECORD, scratch);
	unlink(path);
}
