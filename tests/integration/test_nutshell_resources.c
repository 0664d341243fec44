/*
 * test_nutshell_resources.c - issue 23, items 5, 6, 7 and 9: what a
 * container could take from the host or from another container, each
 * reproduced from inside (or from the container's side of its veth) and
 * shown stopped.
 *
 *   storage   the root's writable layer has a size: `df /` shows it, a write
 *             beyond it fails with ENOSPC, its pages are the container's
 *             memory cgroup's, and the host's shared memory is as before
 *   RA        a router advertisement from the container gives the veth's
 *             host end no address and no route (CVE-2020-13401)
 *   userns    two --userns containers get distinct host id ranges that no
 *             /etc/subuid entry owns; an explicit map over one is refused
 *   subnets   two veth containers get distinct subnets, each reaches its
 *             own host end; allocations are freed, also after a SIGKILL
 *
 * Every case first gives its own process (Check forks one per case) a
 * network namespace and a private mount namespace: the veths' host ends
 * land there, never on the host, and /etc/subuid and /etc/subgid are test
 * files bound over the host's, seen by the nutshells it starts only.
 */
#include "../suites.h"
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NUTSHELL "05-full-container/nutshell"
/* Owned by test users: nutshell's first slot, and the usual first range. */
#define SUBIDS "alice:1610612736:65536\nbob:100000:65536\n"

static void
nap(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* This case's own network namespace and private mounts, SUBIDS as both
 * /etc/subuid and /etc/subgid. */
static void
private_host(void)
{
	char file[] = "/tmp/nutshell-test-subid.XXXXXX";
	const char *targets[] = {"/etc/subuid", "/etc/subgid"};
	struct stat st;

	ck_assert_int_eq(unshare(CLONE_NEWNS | CLONE_NEWNET), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	int fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, SUBIDS, strlen(SUBIDS)), (ssize_t)strlen(SUBIDS));
	close(fd);
	for (int i = 0; i < 2; i++) {
		if (stat(targets[i], &st) != 0) /* none here: one to bind on, in a tmpfs */
			continue;
		ck_assert_int_eq(mount(file, targets[i], NULL, MS_BIND, NULL), 0);
	}
	unlink(file); /* the mounts keep it */
	if (stat(targets[0], &st) != 0) {
		/* No /etc/subuid on this host: a tmpfs /etc would hide too much;
		 * say so rather than pass without the check. */
		ck_abort_msg("/etc/subuid missing: the subordinate-id cases need one to bind over");
	}
}

/* Starts nutshell ARGV (after the program name) with stdout and stderr
 * into OUT; PAUSE: NUTSHELL_TEST_PAUSE. */
static pid_t
start(const char *out, const char *const argv[], const char *pause)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char path[512];
	const char *args[24] = {NUTSHELL};
	size_t n = 1;

	for (; argv[n - 1] && n < 23; n++)
		args[n] = argv[n - 1];
	args[n] = NULL;
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(o, 1);
		dup2(o, 2);
		if (pause)
			setenv("NUTSHELL_TEST_PAUSE", pause, 1);
		execv(path, (char *const *)args);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* Waits (10 s at most) until OUT says WHAT; its text. */
static const char *
wait_for(const char *out, const char *what)
{
	static char text[65536];

	for (int i = 0; i < 400 && !strstr(read_text_file(out, text, sizeof(text)), what); i++)
		nap(25);
	ck_assert_msg(strstr(text, what), "never said '%s':\n%.2000s", what, text);
	return text;
}

/* The container's pid 1: nutshell's child. */
static pid_t
pid1_of(pid_t nutshell)
{
	char path[64], kids[256];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)nutshell, (int)nutshell);
	return (pid_t)atoi(read_text_file(path, kids, sizeof(kids)));
}

/* Ends a started container from outside and waits for its nutshell. */
static void
finish(pid_t nutshell)
{
	pid_t pid1 = pid1_of(nutshell);
	int status;

	if (pid1 > 0)
		kill(pid1, SIGKILL);
	ck_assert_int_eq(waitpid(nutshell, &status, 0), nutshell);
}

/* "container ID:" from the trace. */
static const char *
id_in(const char *text, char id[16])
{
	const char *p = strstr(text, "container ");

	id[0] = '\0';
	while (p && !(sscanf(p + 10, "%12[0-9a-f]:", id) == 1 && strlen(id) == 12))
		p = strstr(p + 10, "container ");
	return id;
}

/* Nothing of container ID left: no scratch directory (nor its record of
 * ids and subnet), no cgroup. */
static void
assert_gone(const char *id)
{
	char pattern[128], cmd[256], line[512];
	glob_t g;

	ck_assert_msg(strlen(id) == 12, "no container id");
	snprintf(pattern, sizeof(pattern), "/dev/shm/nutshell-run-%s.*", id);
	int left = glob(pattern, 0, NULL, &g) == 0;
	globfree(&g);
	ck_assert_msg(!left, "container %s: scratch directory left", id);
	snprintf(cmd, sizeof(cmd),
		 "find /sys/fs/cgroup -maxdepth 6 -type d -name 'nutshell-%s' 2>/dev/null", id);
	FILE *f = popen(cmd, "r");
	int found = f && fgets(line, sizeof(line), f);
	if (f)
		pclose(f);
	ck_assert_msg(!found, "container %s: cgroup left: %s", id, line);
}

/* Runs nutshell -q run OPTS... -- sh -c SCRIPT to the end. */
static void
run_sh(struct run *r, const char *const opts[], const char *script)
{
	const char *argv[24] = {NUTSHELL, "run"};
	size_t n = 2;

	for (size_t i = 0; opts && opts[i]; i++)
		argv[n++] = opts[i];
	argv[n++] = "--";
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	ck_assert_int_eq(run_program(r, RUN_PLAIN, argv), 0);
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Shmem of /proc/meminfo, in KiB. */
static long
host_shmem_kib(void)
{
	char text[8192];
	const char *p = strstr(read_text_file("/proc/meminfo", text, sizeof(text)), "Shmem:");

	return p ? atol(p + 6) : -1;
}

/* ---- 5: the root's writable layer ---- */

START_TEST(resources_storage_size_limit)
{
	struct run r;
	long before = host_shmem_kib();

	/* The default: 1 GiB, not half the host's RAM. (Worksheet 05: `df -h /`
	 * shows Size 1.0G.) */
	run_sh(&r, NULL, "df -k / | tail -n 1; df -h / | tail -n 1");
	ck_assert_msg(r.status == 0, "exit %d:\n%.2000s", r.status, r.err);
	long kib = 0;
	ck_assert_int_eq(sscanf(r.out, "overlay %ld", &kib), 1);
	ck_assert_msg(kib == 1048576, "df / inside: %ld KiB, expected the 1G default:\n%s", kib,
		      r.out);
	ck_assert_msg(strstr(r.out, " 1.0G "), "df -h / inside:\n%s", r.out);
	run_free(&r);

	/* Beyond --storage-size: ENOSPC inside. */
	run_sh(&r, OPTS("--storage-size", "16m"),
	       "df -k / | tail -n 1; dd if=/dev/zero of=/big bs=1M count=64; echo dd=$?; "
	       "inspect --json - | grep root_size");
	ck_assert_msg(r.status == 0, "exit %d:\n%.2000s", r.status, r.err);
	ck_assert_int_eq(sscanf(r.out, "overlay %ld", &kib), 1);
	ck_assert_msg(kib == 16384, "df / inside: %ld KiB, expected 16384:\n%s", kib, r.out);
	ck_assert_msg(strstr(r.err, "No space left on device") && strstr(r.out, "dd=1"),
		      "a write beyond --storage-size did not fail with ENOSPC:\n%s\n%.2000s", r.out,
		      r.err);
	/* inspect says so too (statfs of / inside). */
	ck_assert_msg(strstr(r.out, "\"key\":\"root_size\",\"value\":\"16777216 bytes"),
		      "inspect's root_size:\n%s", r.out);
	run_free(&r);
	/* What the container wrote went with it. */
	long after = host_shmem_kib();
	ck_assert_msg(after - before < 8192, "host Shmem %ld KiB before, %ld KiB after", before,
		      after);
}
END_TEST

/* A size that is not one, or too small for the overlay's own directories:
 * one line, 125, nothing made. */
START_TEST(resources_storage_size_bad_input)
{
	static const struct {
		const char *value, *expected;
	} cases[] = {
	    {"0", "--storage-size '0': expected at least 1M"},
	    {"512k", "--storage-size '512k': expected at least 1M"},
	    {"lots", "--storage-size 'lots'"},
	    {"-5M", "--storage-size '-5M'"},
	    {"99999999999999999999", "--storage-size '99999999999999999999'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {NUTSHELL, "run", "--storage-size", cases[i].value, "--",
				      "true",	NULL};
		run_expect_usage_error(argv, 125, cases[i].expected);
	}
}
END_TEST

/* The upper layer's pages are the container's memory: with --memory 32m a
 * 128 MiB file cannot be written, whatever --storage-size allows - the
 * writer is in the container's cgroup when it first touches them. */
START_TEST(resources_storage_charged_to_memcg)
{
	struct run r;

	run_sh(&r, OPTS("--memory", "32m", "--storage-size", "512m"),
	       "dd if=/dev/zero of=/big bs=1M count=128 2>/dev/null; echo dd=$?");
	ck_assert_msg(!strstr(r.out, "dd=0"),
		      "128 MiB written to / under --memory 32m (exit %d):\n%s\n%.2000s", r.status,
		      r.out, r.err);
	run_free(&r);
}
END_TEST

/* ---- 6: router advertisements ---- */

/* The ones' complement sum of LEN bytes. */
static unsigned
sum16(const void *data, size_t len, unsigned sum)
{
	const unsigned char *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (unsigned)(p[len - 1] << 8);
	return sum;
}

/* From the network namespace of PID: one router advertisement on its eth0
 * to ff02::1, as a raw Ethernet frame (a packet socket needs CAP_NET_RAW,
 * which the default set has), offering the prefix 2001:db8:1::/64 with
 * on-link and autonomous flags, and itself as default router for 1800 s.
 * 0 when sent. */
static int
send_router_advertisement(pid_t pid)
{
	struct {
		struct ether_header eth;
		struct ip6_hdr ip;
		struct nd_router_advert ra;
		struct nd_opt_prefix_info prefix;
	} __attribute__((packed)) f = {0};
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET) != 0)
		return -1;
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
	if (s < 0)
		return -1;
	memcpy(f.eth.ether_dhost, "\x33\x33\x00\x00\x00\x01", 6);
	memcpy(f.eth.ether_shost, "\x02\x00\x00\x00\x00\x02", 6);
	f.eth.ether_type = htons(ETHERTYPE_IPV6);
	f.ip.ip6_flow = htonl(6U << 28);
	f.ip.ip6_plen = htons(sizeof(f.ra) + sizeof(f.prefix));
	f.ip.ip6_nxt = IPPROTO_ICMPV6;
	f.ip.ip6_hlim = 255; /* RFC 4861: else the receiver drops it */
	inet_pton(AF_INET6, "fe80::2", &f.ip.ip6_src);
	inet_pton(AF_INET6, "ff02::1", &f.ip.ip6_dst);
	f.ra.nd_ra_type = ND_ROUTER_ADVERT;
	f.ra.nd_ra_curhoplimit = 64;
	f.ra.nd_ra_router_lifetime = htons(1800);
	f.prefix.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
	f.prefix.nd_opt_pi_len = 4;
	f.prefix.nd_opt_pi_prefix_len = 64;
	f.prefix.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
	f.prefix.nd_opt_pi_valid_time = htonl(86400);
	f.prefix.nd_opt_pi_preferred_time = htonl(14400);
	inet_pton(AF_INET6, "2001:db8:1::", &f.prefix.nd_opt_pi_prefix);
	/* The checksum over the pseudo-header (RFC 8200 8.1) and the message. */
	unsigned sum = sum16(&f.ip.ip6_src, 32, 0) + sizeof(f.ra) + sizeof(f.prefix) + 58;
	sum = sum16(&f.ra, sizeof(f.ra) + sizeof(f.prefix), sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f.ra.nd_ra_cksum = htons((uint16_t)~sum);
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_IPV6),
				 .sll_ifindex = (int)if_nametoindex("eth0"),
				 .sll_halen = 6};
	memcpy(to.sll_addr, f.eth.ether_dhost, 6);
	int ret = 0;
	for (int i = 0; i < 3; i++) {
		if (sendto(s, &f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) !=
		    (ssize_t)sizeof(f))
			ret = -1;
		nap(50);
	}
	close(s);
	return ret;
}

/* Lines of /proc/PID/net/FILE that name interface IF and start with WHAT. */
static int
net_lines(pid_t pid, const char *file, const char *ifname, const char *what, char *first,
	  size_t size)
{
	char path[64], text[32768];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, file);
	read_text_file(path, text, sizeof(text));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, ifname) && strncmp(line, what, strlen(what)) == 0 && n++ == 0)
			snprintf(first, size, "%s", line);
	return n;
}

START_TEST(resources_veth_ignores_router_advertisement)
{
	char out[] = "/tmp/nutshell-test-ra.XXXXXX", host_if[32] = "", id[16], line[256] = "";
	struct stat st;

	private_host();
	if (stat("/proc/sys/net/ipv6/conf/all", &st) != 0)
		ck_abort_msg("IPv6 is off on this host: the router advertisement case needs it");
	close(mkstemp(out));
	pid_t pid = start(
	    out, OPTS("run", "--network", "veth", "--", "sh", "-c", "echo started; exec sleep 30"),
	    NULL);
	const char *text = wait_for(out, "started");
	ck_assert_int_eq(sscanf(strstr(text, "veth: "), "veth: %31s", host_if), 1);
	id_in(text, id);

	/* The container's side of the link sends; the host end is in this
	 * case's namespace, which is nutshell's. */
	pid_t sender = fork();
	if (sender == 0)
		_exit(send_router_advertisement(pid1_of(pid)) == 0 ? 0 : 1);
	int status;
	ck_assert_int_eq(waitpid(sender, &status, 0), sender);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "no RA sent");
	nap(300);
	/* /proc/PID/net/if_inet6: "20010db80001... IDX 40 00 FLAGS IF";
	 * ipv6_route: "DEST LEN SRC LEN NEXTHOP ... IF". */
	int addrs = net_lines(pid, "if_inet6", host_if, "20010db80001", line, sizeof(line));
	ck_assert_msg(addrs == 0, "the host end took an address from the container's RA: %s", line);
	int routes = net_lines(pid, "ipv6_route", host_if, "20010db8000100000000000000000000 40",
			       line, sizeof(line));
	ck_assert_msg(routes == 0, "the host end took a prefix route from the container's RA: %s",
		      line);
	int dflt = net_lines(pid, "ipv6_route", host_if, "00000000000000000000000000000000 00",
			     line, sizeof(line));
	ck_assert_msg(dflt == 0, "the host took a default route through the container: %s", line);
	finish(pid);
	assert_gone(id);
	unlink(out);
}
END_TEST

/* ---- 7: host id ranges ---- */

/* The host id root inside PID is (its uid_map's first line), and the count. */
static unsigned long
outside_of(pid_t pid, unsigned long *count)
{
	char path[64], text[256];
	unsigned long inside = 1, outside = 0;

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (sscanf(read_text_file(path, text, sizeof(text)), "%lu %lu %lu", &inside, &outside,
		   count) != 3 ||
	    inside != 0)
		return 0;
	return outside;
}

START_TEST(resources_userns_ranges_distinct)
{
	char out[2][40] = {"/tmp/nutshell-test-uA.XXXXXX", "/tmp/nutshell-test-uB.XXXXXX"};
	char id[2][16];
	unsigned long first[2], count[2];

	TEST_SKIP_IN_CHROOT(); /* --userns: a user namespace */
	pid_t pid[2];

	private_host();
	for (int i = 0; i < 2; i++) {
		close(mkstemp(out[i]));
		pid[i] = start(
		    out[i],
		    OPTS("run", "--userns", "--", "sh", "-c", "echo started; exec sleep 30"), NULL);
		id_in(wait_for(out[i], "started"), id[i]);
		first[i] = outside_of(pid1_of(pid[i]), &count[i]);
	}
	/* Both at once: neither the other's, nor alice's or bob's. */
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(first[i] + count[i] <= 100000 || first[i] >= 165536,
			      "container %d is host uid %lu, in bob's /etc/subuid range", i,
			      first[i]);
		ck_assert_msg(
		    first[i] >= 1610612736UL + 65536 || first[i] + count[i] <= 1610612736UL,
		    "container %d is host uid %lu, in alice's /etc/subuid range", i, first[i]);
	}
	ck_assert_msg(first[0] + count[0] <= first[1] || first[1] + count[1] <= first[0],
		      "two running containers share host ids: %lu+%lu and %lu+%lu", first[0],
		      count[0], first[1], count[1]);

	/* A map over a running container's ids: refused, one line. */
	char map[64];
	struct run r;
	snprintf(map, sizeof(map), "0:%lu:65536", first[0]);
	const char *argv[] = {NUTSHELL, "run", "--uidmap", map, "--", "true", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 125 && strstr(r.err, "in use by running container"),
		      "a map over a running container's ids: exit %d:\n%.2000s", r.status, r.err);
	run_free(&r);

	for (int i = 0; i < 2; i++) {
		finish(pid[i]);
		assert_gone(id[i]);
		unlink(out[i]);
	}
	/* Freed: the next one gets the first free range again. */
	const char *again[] = {NUTSHELL, "run", "--userns", "--", "cat", "/proc/self/uid_map",
			       NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, again), 0);
	unsigned long inside, outside, n;
	ck_assert_int_eq(sscanf(r.out, "%lu %lu %lu", &inside, &outside, &n), 3);
	ck_assert_uint_eq(outside, first[0] < first[1] ? first[0] : first[1]);
	run_free(&r);
}
END_TEST

START_TEST(resources_uidmap_over_subuid_refused)
{
	struct run r;

	private_host();
	/* bob's range: refused before anything exists, one line. */
	const char *const bad[] = {"--uidmap", "0:100000:65536", NULL};
	const char *argv[] = {NUTSHELL, "run", bad[0], bad[1], "--", "true", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 125, "bob's ids mapped: exit %d, expected 125", r.status);
	run_free(&r);
	run_expect_usage_error(argv, 125,
			       "--uidmap '0:100000:65536': host ids 100000-165535 overlap bob's "
			       "subordinate range bob:100000:65536 in /etc/subuid");
	/* A --gidmap alone is checked against /etc/subgid. */
	const char *gid[] = {NUTSHELL, "run", "--gidmap", "0:130000:10", "--", "true", NULL};
	run_expect_usage_error(gid, 125, "overlap bob's subordinate range");
	/* Forced, it runs, as asked: in a user namespace, which a chroot is
	 * refused (the refusals above hold there too). */
	TEST_SKIP_IN_CHROOT();
	const char *forced[] = {NUTSHELL, "run", "--userns-force",     "--uidmap", "0:100000:65536",
				"--",	  "cat", "/proc/self/uid_map", NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, forced), 0);
	ck_assert_msg(r.status == 0 && strstr(r.out, "100000"), "forced: exit %d:\n%.2000s",
		      r.status, r.err);
	run_free(&r);
}
END_TEST

/* ---- 9: subnets ---- */

START_TEST(resources_veth_subnets_distinct)
{
	char sync[] = "/tmp/nutshell-test-sync.XXXXXX", vol[128], go[160], id[2][16];
	char out[2][40] = {"/tmp/nutshell-test-nA.XXXXXX", "/tmp/nutshell-test-nB.XXXXXX"};
	char host[2][32] = {"", ""}, text[65536];
	pid_t pid[2];

	private_host();
	ck_assert_ptr_nonnull(mkdtemp(sync));
	snprintf(vol, sizeof(vol), "%s:/sync", sync);
	snprintf(go, sizeof(go), "%s/go", sync);
	/* Each pings its own host end (eth0's .2 -> .1) once both exist. */
	const char *script =
	    "echo started; while [ ! -e /sync/go ]; do sleep 0.05; done; "
	    "h=$(ip -4 addr show dev eth0 | sed -n 's/.*inet \\([0-9.]*\\)\\.2\\/.*/\\1.1/p'); "
	    "ping -c 1 -W 2 $h >/dev/null; echo ping=$?";
	for (int i = 0; i < 2; i++) {
		close(mkstemp(out[i]));
		pid[i] = start(
		    out[i],
		    OPTS("run", "--network", "veth", "--volume", vol, "--", "sh", "-c", script),
		    NULL);
		const char *t = wait_for(out[i], "started");
		sscanf(strstr(t, "veth: "), "veth: %*s %31s", host[i]);
		id_in(t, id[i]);
	}
	ck_assert_msg(strcmp(host[0], host[1]) != 0, "two running containers, one subnet: %s",
		      host[0]);
	close(open(go, O_WRONLY | O_CREAT, 0644));
	for (int i = 0; i < 2; i++) {
		int status;
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(strstr(read_text_file(out[i], text, sizeof(text)), "ping=0"),
			      "container %d (%s) could not reach its host end:\n%.2000s", i,
			      host[i], text);
		assert_gone(id[i]);
		unlink(out[i]);
	}
	unlink(go);
	rmdir(sync);
	/* Freed: the next one gets the first again. */
	struct run r;
	run_sh(&r, OPTS("--network", "veth"), "true");
	ck_assert_msg(strstr(r.out, "veth: ") && strstr(r.out, host[0]),
		      "after both: not %s again:\n%s", host[0], r.out);
	run_free(&r);
	/* An explicit --subnet that a running container holds: refused. */
	pid_t holder = start(out[0],
			     OPTS("run", "--network", "veth", "--subnet", "10.200.7.0/24", "--",
				  "sh", "-c", "echo started; exec sleep 30"),
			     NULL);
	id_in(wait_for(out[0], "started"), id[0]);
	run_sh(&r, OPTS("--network", "veth", "--subnet", "10.200.7.0/24"), "true");
	ck_assert_msg(r.status == 125 && strstr(r.err, "--subnet '10.200.7.1/24': in use by "
						       "running container"),
		      "a subnet in use: exit %d:\n%.2000s", r.status, r.err);
	run_free(&r);
	finish(holder);
	assert_gone(id[0]);
	unlink(out[0]);
}
END_TEST

/* ---- what was allocated, after a SIGKILL of nutshell ---- */

START_TEST(resources_allocation_reclaimed_after_sigkill)
{
	const char *stages[] = {"allocated", "running"};
	char out[] = "/tmp/nutshell-test-kill.XXXXXX", id[16], pattern[128], rec[4200];
	char text[4096];
	struct run r;

	TEST_SKIP_IN_CHROOT(); /* --userns: a user namespace */
	private_host();
	close(mkstemp(out));
	for (int round = 0; round < 2; round++) {
		int running = round == 1;
		pid_t pid = start(out,
				  OPTS("run", "--userns", "--network", "veth", "--", "sh", "-c",
				       "echo started; exec sleep 30"),
				  running ? NULL : stages[round]);
		id_in(wait_for(out, running ? "started" : "paused at allocated"), id);
		/* Recorded before it goes on. */
		glob_t g;
		snprintf(pattern, sizeof(pattern), "/dev/shm/nutshell-run-%s.*", id);
		ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
		snprintf(rec, sizeof(rec), "%s/alloc", g.gl_pathv[0]);
		globfree(&g);
		read_text_file(rec, text, sizeof(text));
		ck_assert_msg(strstr(text, "uid 1610678272 65536\n") &&
				  strstr(text, "net 10.200.0.0/24\n"),
			      "%s: record:\n%s", stages[round], text);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		/* The next start reclaims the orphan and gets the same again:
		 * the first range alice does not own, the first subnet. */
		run_sh(&r, OPTS("--userns", "--network", "veth"), "cat /proc/self/uid_map");
		ck_assert_msg(r.status == 0, "exit %d:\n%.2000s", r.status, r.err);
		ck_assert_msg(strstr(r.out, "1610678272") && strstr(r.out, "10.200.0.1/24"),
			      "%s: not given the freed range and subnet:\n%s", stages[round],
			      r.out);
		run_free(&r);
		assert_gone(id);
	}
	unlink(out);
}
END_TEST

/* One test case per test, named after it: CK_RUN_CASE=NAME runs one
 * (scripts/mutants.sh does). */
Suite *
suite_resources(void)
{
	const TTest *const tests[] = {
	    resources_storage_size_limit,	resources_storage_size_bad_input,
	    resources_storage_charged_to_memcg, resources_veth_ignores_router_advertisement,
	    resources_userns_ranges_distinct,	resources_uidmap_over_subuid_refused,
	    resources_veth_subnets_distinct,	resources_allocation_reclaimed_after_sigkill,
	};
	Suite *s = suite_create("resources");

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i]->name);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, tests[i]);
		suite_add_tcase(s, tc);
	}
	return s;
}
