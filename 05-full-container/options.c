/*
 * options.c - nutshell run's command line, parsed and checked before
 * anything is created (see ctr.h).
 *
 * Names follow docker run and podman run where one exists. Every value is
 * checked here, with the lessons' own parsers (sizes and CPUs from
 * cgroup.h, capability names from caps.h, id maps from ns.h): a typo must
 * cost one line on stderr and exit 125, never a half-made container.
 */
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/caps.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* The size of the container's writable layer when --storage-size is not
 * given: a tmpfs of this size= (BOOK.md, "The defaults, and why"). */
#define CTR_DEFAULT_STORAGE "1G"

enum {
	OPT_ROOTFS = 0x2000,
	OPT_HOSTNAME,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_PIDS,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECURITY,
	OPT_VOLUME,
	OPT_READ_ONLY,
	OPT_NETWORK,
	OPT_SUBNET,
	OPT_INIT,
	OPT_USERNS,
	OPT_TIME,
	OPT_LAYER,
	OPT_UIDMAP,
	OPT_GIDMAP,
	OPT_USERNS_FORCE,
	OPT_STORAGE,
	OPT_IMAGE,
};

static const struct option options[] = {
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"env", required_argument, NULL, 'e'},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
    {"pids-limit", required_argument, NULL, OPT_PIDS},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"security-opt", required_argument, NULL, OPT_SECURITY},
    {"volume", required_argument, NULL, OPT_VOLUME},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"subnet", required_argument, NULL, OPT_SUBNET},
    {"tty", no_argument, NULL, 't'},
    {"init", no_argument, NULL, OPT_INIT},
    {"userns", no_argument, NULL, OPT_USERNS},
    {"time-offset", required_argument, NULL, OPT_TIME},
    {"layer", required_argument, NULL, OPT_LAYER},
    {"uidmap", required_argument, NULL, OPT_UIDMAP},
    {"gidmap", required_argument, NULL, OPT_GIDMAP},
    {"userns-force", no_argument, NULL, OPT_USERNS_FORCE},
    {"storage-size", required_argument, NULL, OPT_STORAGE},
    {"image", required_argument, NULL, OPT_IMAGE},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "nutshell",
    .synopsis = "run [OPTIONS] [--] COMMAND [ARG...]  |  nutshell cleanup  |  nutshell image "
		"import|ls|rm (see 'nutshell image --help')",
    .about = "Runs COMMAND in a new container: namespaces (lesson 01), a cgroup with limits\n"
	     "(02), capabilities, no_new_privs and seccomp (03), an overlay root with\n"
	     "pivot_root, /proc, /sys, /dev, masked and read-only paths (04). Exits with\n"
	     "COMMAND's status; 125 when nutshell fails, 126 when COMMAND cannot be run, 127\n"
	     "when it is not found, 128+N when it was killed by signal N. Try:\n"
	     "  sudo 05-full-container/nutshell run -- inspect\n"
	     "'nutshell cleanup' removes what a nutshell killed half-way left (its cgroup,\n"
	     "its /dev/shm/nutshell-run-* directory) and says what it removed; run does the same,\n"
	     "quietly, before it starts. Without root it runs rootless: a user namespace that\n"
	     "maps only your uid to root, no cgroup limits, no veth.\n"
	     "It is an OCI runtime too, with runc's command line (podman, containerd and\n"
	     "docker drive it): [--root DIR] create, start, state, kill, delete, exec, ps,\n"
	     "pause, resume, update, list, features, spec, and run --bundle DIR ID.",
    .options =
	"  --rootfs DIR          the image (default: images/busybox beside nutshell)\n"
	"  --hostname NAME       (default: the container's id)\n"
	"  -e, --env KEY[=VALUE] set a variable (KEY alone: take it from here)\n"
	"  -w, --workdir DIR     working directory inside (default /)\n"
	"  -u, --user USER[:GROUP]\n"
	"                        run COMMAND as USER (a name in the image's /etc/passwd,\n"
	"                        or a uid) and GROUP (likewise, /etc/group)\n"
	"  --memory SIZE         memory.max, e.g. 64M (at least 6M; a number alone is\n"
	"                        bytes, as docker)\n"
	"  --memory-swap SIZE    memory plus swap, as docker (-1: unlimited; default:\n"
	"                        no swap where the host can limit it)\n"
	"  --pids-limit N        pids.max, 1 to 4194304 (default " CTR_DEFAULT_PIDS "; max or -1:\n"
	"                        none; 0 is refused: docker reads it as none, the kernel\n"
	"                        as no fork at all)\n"
	"  --cpus N              CPUs, e.g. 0.5 (cpu.max)\n"
	"  --cpu-weight N        1..10000 (cpu.weight, default 100)\n"
	"  --cap-add CAP         keep CAP too (names as in capabilities(7), or ALL)\n"
	"  --cap-drop CAP        drop CAP from the default 14 (or ALL)\n"
	"  --security-opt seccomp=unconfined   no seccomp filter (warned)\n"
	"  --volume HOST:DIR[:ro]  bind HOST at DIR inside (resolved inside the root)\n"
	"  --read-only           the root filesystem read-only\n"
	"  --storage-size SIZE   what the container may write to its root, e.g. 256M\n"
	"                        (default " CTR_DEFAULT_STORAGE
	", at least 1M): the size of the tmpfs under\n"
	"                        it, charged to its memory cgroup; 'df /' inside shows it\n"
	"  --network MODE        none (default: own namespace, lo up), host (shared,\n"
	"                        warned), veth (a pair to this namespace)\n"
	"  --subnet CIDR         for veth: host .1, container .2 (default: the first\n"
	"                        10.200.N.0/24 no running container or host address uses;\n"
	"                        one in use is refused)\n"
	"  -t, --tty             a pseudo-terminal, this terminal in raw mode\n"
	"  --init                a tiny init as pid 1: reaps zombies, forwards signals\n"
	"  --userns              container root is a host uid of nutshell's own: 65536 ids\n"
	"                        from 1610612736 up, no /etc/subuid or /etc/subgid entry's,\n"
	"                        none another running container's; the image idmapped so\n"
	"                        its files stay root's inside\n"
	"  --uidmap IN:OUT:COUNT a user namespace with this uid_map line (repeatable; must\n"
	"                        map 0); --gidmap likewise (default: as --uidmap); ids a\n"
	"                        user owns in /etc/subuid (subgid) or a running container\n"
	"                        uses are refused\n"
	"  --userns-force        map such ids all the same\n"
	"  --time-offset SECS    a time namespace: CLOCK_MONOTONIC/BOOTTIME + SECS\n"
	"  --layer DIR           a read-only layer over the image (repeatable; the last\n"
	"                        given is the top one), as an image's layers stack\n"
	"  --image NAME|PATH     a stored image ('nutshell image import', 'nutshell image\n"
	"                        ls'): its layers as the overlay's lower directories, its\n"
	"                        Entrypoint, Cmd, Env, WorkingDir, User as defaults (a\n"
	"                        COMMAND given replaces Cmd); COMMAND is then optional.\n"
	"                        Or a PATH (layout DIR, DIR:TAG, tarball): imported first\n",
    .longopts = options,
    .on_option = NULL, /* set below: it needs the config */
    .usage_exit = CTR_EXIT_SETUP,
    .shortopts = "e:w:u:t",
};

static struct ctr_config *cfg;
static const char *cap_add[CTR_MAX_CAPS], *cap_drop[CTR_MAX_CAPS];
static size_t n_add, n_drop;
static const char *subnet, *volumes[CTR_MAX_VOL];
static const char *image_name; /* --image */

/* Bad input: the error record (common/err.h) names the value and what was
 * expected; ctr_parse prints it once and exits 125, nothing created. */
#define bad(...) err_set(0, __VA_ARGS__)

/* OPT's value ARG refused by a lesson's parser, whose message names the
 * value already ("'5x': expected ..."): said once, after the option. */
static int
bad_value(const char *opt, const char *arg)
{
	const char *why = err_last()->msg;

	return why[0] == '\'' ? bad("%s %s", opt, why) : bad("%s '%s': %s", opt, arg, why);
}

static int
set_value(char *out, size_t size, const char *file, const char *opt, const char *value)
{
	if (cg_normalize(file, value, out, size) != 0)
		return err_prefix("%s '%s'", opt, value);
	return 0;
}

static int
parse_env(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (arg[0] == '\0' || eq == arg)
		return bad("--env '%s': expected KEY=VALUE or KEY", arg);
	if (cfg->nenv + 8 >= CTR_MAX_ENV)
		return bad("--env '%s': at most %d variables", arg, CTR_MAX_ENV - 8);
	if (!eq) {
		/* KEY alone: its value here, as docker run -e KEY does; skipped
		 * when it is not set. */
		const char *v = getenv(arg);
		char *kv;
		if (!v)
			return 0;
		if (asprintf(&kv, "%s=%s", arg, v) < 0)
			return bad("--env: out of memory");
		arg = kv;
	}
	cfg->env[cfg->nenv++] = arg;
	return 0;
}

static int
parse_option(int opt, const char *arg)
{
	/* "--memory --cpus 1": getopt takes the next word as the value. */
	if (arg && strncmp(arg, "--", 2) == 0) {
		const char *name = "?";
		for (size_t i = 0; options[i].name; i++)
			if (options[i].val == opt)
				name = options[i].name;
		return bad("--%s '%s': expected a value, not an option", name, arg);
	}
	switch (opt) {
	case OPT_LAYER: {
		struct stat st;
		char dir[PATH_MAX];
		if (arg[0] != '/' || lstat(arg, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    !realpath(arg, dir) || strpbrk(dir, ",:\\") || cfg->nlayers == CTR_MAX_LAYERS)
			return bad(
			    "--layer '%s': expected an absolute path of a directory, without "
			    "',' ':' '\\' (at most %d)",
			    arg, CTR_MAX_LAYERS);
		size_t len = strlen(dir) + 1;
		if (cfg->layer_used + len > sizeof(cfg->layer_text))
			return bad("--layer '%s': the layers' paths together exceed %zu bytes, "
				   "the most one overlay mount takes",
				   arg, sizeof(cfg->layer_text));
		char *copy = cfg->layer_text + cfg->layer_used;
		memcpy(copy, dir, len);
		cfg->layer_used += len;
		cfg->layers[cfg->nlayers++] = copy;
		return 0;
	}
	case OPT_IMAGE:
		image_name = arg;
		return 0;
	case OPT_ROOTFS: {
		struct stat st;
		/* Relative or a symlink: what it names could change between
		 * this check and the mount. The image directory itself. */
		if (arg[0] != '/')
			return bad("--rootfs '%s': expected an absolute path", arg);
		if (lstat(arg, &st) == 0 && S_ISLNK(st.st_mode))
			return bad("--rootfs '%s': a symlink; expected the image directory itself",
				   arg);
		if (!realpath(arg, cfg->rootfs) || stat(cfg->rootfs, &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			return bad("--rootfs '%s': expected an existing directory (%s)", arg,
				   strerror(errno ? errno : ENOTDIR));
		/* overlayfs' lowerdir= would split the path at these. */
		if (strpbrk(cfg->rootfs, ",:\\"))
			return bad("--rootfs '%s': a path with ',' ':' or '\\' cannot be an "
				   "overlay layer",
				   arg);
		return 0;
	}
	case OPT_HOSTNAME:
		/* RFC 1123 labels, as docker run checks: letters, digits, '-', '.'. */
		if (arg[0] == '\0' || strlen(arg) > 64 ||
		    strspn(arg,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
			strlen(arg) ||
		    arg[0] == '-' || arg[0] == '.')
			return bad("--hostname '%s': expected 1 to 64 letters, digits, '-' or '.'",
				   arg);
		snprintf(cfg->hostname, sizeof(cfg->hostname), "%s", arg);
		return 0;
	case 'e':
		return parse_env(arg);
	case 'w':
		if (arg[0] != '/')
			return bad("--workdir '%s': expected an absolute path", arg);
		cfg->workdir = arg;
		return 0;
	case 'u':
		return ctr_parse_user(cfg, arg);
	case OPT_MEMORY: {
		uint64_t bytes;
		if (cg_parse_size(arg, &bytes) != 0)
			return bad_value("--memory", arg);
		/* Below a few MiB not even the container's setup fits (docker: 6M). */
		if (bytes < 6 * 1024 * 1024)
			return bad("--memory '%s': expected at least 6M", arg);
		return set_value(cfg->memory, sizeof(cfg->memory), "memory.max", "--memory", arg);
	}
	case OPT_STORAGE: {
		uint64_t bytes;
		if (cg_parse_size(arg, &bytes) != 0)
			return bad_value("--storage-size", arg);
		/* Room for the overlay's upper and work directories at least. */
		if (bytes < 1024 * 1024)
			return bad("--storage-size '%s': expected at least 1M", arg);
		cfg->storage_size = bytes;
		return 0;
	}
	case OPT_MEMORY_SWAP:
		if (strcmp(arg, "-1") == 0)
			arg = "max";
		return set_value(cfg->memory_swap, sizeof(cfg->memory_swap), "memory.max",
				 "--memory-swap", arg);
	case OPT_PIDS:
		/* runc: -1 is no limit; 0 means "none" to docker but "no
		 * fork at all" to pids.max - ambiguous, so refused. */
		if (strcmp(arg, "0") == 0)
			return bad("--pids-limit '0': expected 1 to 4194304, or -1 or max for no "
				   "limit");
		if (strcmp(arg, "-1") == 0)
			arg = "max";
		return set_value(cfg->pids, sizeof(cfg->pids), "pids.max", "--pids-limit", arg);
	case OPT_CPUS: {
		uint64_t quota;
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (cg_parse_cpus(arg, 100000, &quota) != 0)
			return bad_value("--cpus", arg);
		if (quota == CG_UNLIMITED || quota < 1000 || quota > (uint64_t)ncpu * 100000)
			return bad("--cpus '%s': expected 0.01 to %ld (the CPUs here)", arg, ncpu);
		snprintf(cfg->cpus, sizeof(cfg->cpus), "%llu 100000", (unsigned long long)quota);
		return 0;
	}
	case OPT_CPU_WEIGHT:
		return set_value(cfg->cpu_weight, sizeof(cfg->cpu_weight), "cpu.weight",
				 "--cpu-weight", arg);
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: {
		const char **list = opt == OPT_CAP_ADD ? cap_add : cap_drop;
		size_t *n = opt == OPT_CAP_ADD ? &n_add : &n_drop;
		cap_value_t c;
		if (*n == CTR_MAX_CAPS)
			return bad("--cap-add/--cap-drop: at most %d", CTR_MAX_CAPS);
		if (strcasecmp(arg, "ALL") != 0 && caps_from_name(arg, &c) != 0)
			return err_prefix("%s '%s'",
					  opt == OPT_CAP_ADD ? "--cap-add" : "--cap-drop", arg);
		list[(*n)++] = arg;
		return 0;
	}
	case OPT_SECURITY:
		if (strcmp(arg, "seccomp=unconfined") == 0) {
			cfg->seccomp = 0;
			return 0;
		}
		return bad("--security-opt '%s': expected seccomp=unconfined", arg);
	case OPT_VOLUME:
		if (cfg->nvol == CTR_MAX_VOL)
			return bad("--volume '%s': at most %d volumes", arg, CTR_MAX_VOL);
		volumes[cfg->nvol++] = arg;
		return 0;
	case OPT_READ_ONLY:
		cfg->read_only = 1;
		return 0;
	case OPT_NETWORK:
		if (strcmp(arg, "none") == 0)
			cfg->net = CTR_NET_NONE;
		else if (strcmp(arg, "host") == 0)
			cfg->net = CTR_NET_HOST;
		else if (strcmp(arg, "veth") == 0)
			cfg->net = CTR_NET_VETH;
		else
			return bad("--network '%s': expected none, host or veth", arg);
		return 0;
	case OPT_SUBNET:
		subnet = arg;
		return 0;
	case 't':
		/* Docker's words: with input from a pipe, the shell would wait for
		 * an end of file that a terminal in raw mode never passes on. */
		if (!isatty(STDIN_FILENO))
			return bad("-t: the input device is not a TTY (drop -t to pipe input)");
		cfg->tty = 1;
		return 0;
	case OPT_INIT:
		cfg->init = 1;
		return 0;
	case OPT_USERNS:
		cfg->userns = 1;
		return 0;
	case OPT_USERNS_FORCE:
		cfg->userns_force = 1;
		return 0;
	case OPT_UIDMAP:
		return ctr_add_idmap(cfg, cfg->uidmap, sizeof(cfg->uidmap), "--uidmap", arg);
	case OPT_GIDMAP:
		return ctr_add_idmap(cfg, cfg->gidmap, sizeof(cfg->gidmap), "--gidmap", arg);
	case OPT_TIME: {
		char *end;
		errno = 0;
		long long v = strtoll(arg, &end, 10);
		/* timens_offsets takes seconds; keep far from overflow. */
		if (errno || end == arg || *end || v < -1000000000LL || v > 1000000000LL)
			return bad("--time-offset '%s': expected whole seconds, -1000000000 to "
				   "1000000000",
				   arg);
		cfg->time_set = 1;
		cfg->time_offset = v;
		return 0;
	}
	}
	return bad("internal: option %d", opt);
}

/* trace_main() exits 125 when an option is refused: its line first. */
static int
on_option(int opt, const char *arg)
{
	if (parse_option(opt, arg) == -1) {
		err_print();
		return -1;
	}
	return 0;
}

/* "HOST:DIR[:ro|:rw]" into v. */
static int
parse_volume(const char *arg, struct ctr_volume *v)
{
	char copy[8192], *inside, *mode;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", arg);
	v->read_only = 0;
	inside = strchr(copy, ':');
	if (!inside || inside == copy)
		return bad("--volume '%s': expected HOST:CONTAINER[:ro]", arg);
	*inside++ = '\0';
	mode = strchr(inside, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			return bad("--volume '%s': mode '%s': expected ro or rw", arg, mode);
		v->read_only = strcmp(mode, "ro") == 0;
	}
	if (copy[0] != '/')
		return bad("--volume '%s': host path '%s': expected an absolute path", arg, copy);
	if (!realpath(copy, v->host) || stat(v->host, &st) != 0)
		return bad("--volume '%s': host path '%s': %s", arg, copy, strerror(errno));
	/* Only '/' and '.' without "..": the root however written ("//", "/."),
	 * found by tests/fuzz/fuzz_volume.c. */
	if (inside[0] != '/' || (inside[strspn(inside, "/.")] == '\0' && !strstr(inside, "..")) ||
	    strstr(inside, "/../") ||
	    (strlen(inside) >= 3 && strcmp(inside + strlen(inside) - 3, "/..") == 0))
		return bad("--volume '%s': container path '%s': expected an absolute path "
			   "other than / and without '..'",
			   arg, inside);
	if (strlen(inside) >= sizeof(v->inside))
		return bad("--volume '%s': container path too long", arg);
	/* A symlink of the image on the way must not lead the bind mount
	 * out of the root (CVE-2021-30465); inside.c resolves it again. */
	char resolved[4096];
	if (rootfs_resolve(cfg->rootfs, inside, resolved, sizeof(resolved)) == -1)
		return err_prefix("--volume '%s': container path", arg);
	memcpy(v->inside, inside, strlen(inside) + 1);
	return 0;
}

/* Docker's rule: the default 14; --cap-drop ALL empties them first,
 * --cap-add ALL grants every capability not named by --cap-drop. */
static int
resolve_caps(void)
{
	int last = caps_last_cap();
	uint64_t set = 0, drop = 0;
	int drop_all = 0, add_all = 0;
	cap_value_t c;

	if (last < 0)
		return bad("cannot read /proc/sys/kernel/cap_last_cap: %s", strerror(errno));
	for (size_t i = 0; caps_default_names[i]; i++)
		if (caps_from_name(caps_default_names[i], &c) == 0)
			set |= 1ULL << c;
	for (size_t i = 0; i < n_drop; i++) {
		if (strcasecmp(cap_drop[i], "ALL") == 0)
			drop_all = 1;
		else if (caps_from_name(cap_drop[i], &c) == 0)
			drop |= 1ULL << c;
	}
	for (size_t i = 0; i < n_add; i++)
		add_all |= strcasecmp(cap_add[i], "ALL") == 0;
	if (drop_all)
		set = 0;
	set &= ~drop;
	if (add_all)
		set |= (last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1) & ~drop;
	for (size_t i = 0; i < n_add; i++)
		if (strcasecmp(cap_add[i], "ALL") != 0 && caps_from_name(cap_add[i], &c) == 0)
			set |= 1ULL << c;
	cfg->ncaps = 0;
	for (int b = 0; b <= last; b++)
		if ((set >> b) & 1)
			cfg->caps[cfg->ncaps++] = b;
	return 0;
}

/* "A.B.C.D/N": the host end gets the first address, the container the
 * second. */
static int
parse_subnet(const char *arg)
{
	char addr[32];
	struct in_addr in;
	char *slash;
	long n;

	snprintf(addr, sizeof(addr), "%s", arg);
	slash = strchr(addr, '/');
	/* Not cut short, and N digits only: strtol(3) would skip spaces and
	 * take a sign (found by tests/fuzz/fuzz_network.c). */
	if (strlen(arg) >= sizeof(addr) || !slash || slash[1] < '0' || slash[1] > '9')
		return bad("--subnet '%s': expected A.B.C.D/N with N from 8 to 30", arg);
	*slash = '\0';
	n = strtol(slash + 1, &slash, 10);
	if (*slash || n < 8 || n > 30 || inet_pton(AF_INET, addr, &in) != 1)
		return bad("--subnet '%s': expected A.B.C.D/N with N from 8 to 30", arg);
	uint32_t net = ntohl(in.s_addr) & ~((1U << (32 - n)) - 1);
	struct in_addr h = {htonl(net + 1)}, c = {htonl(net + 2)};
	char hs[INET_ADDRSTRLEN], cs[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &h, hs, sizeof(hs));
	inet_ntop(AF_INET, &c, cs, sizeof(cs));
	snprintf(cfg->host_cidr, sizeof(cfg->host_cidr), "%s/%ld", hs, n);
	snprintf(cfg->ctr_cidr, sizeof(cfg->ctr_cidr), "%s/%ld", cs, n);
	return 0;
}

/* The default image: images/busybox next to the directory nutshell is in. */
static int
default_rootfs(void)
{
	/* We run from a sealed copy (sealed.c): its /proc/self/exe is a
	 * memfd, so the path is the one the copy was made from. */
	if (rootfs_image_beside(ctr_self_path(), cfg->rootfs, sizeof(cfg->rootfs)) == -1)
		return err_prefix("--rootfs not given");
	return 0;
}

/* "nutshell [COMMON...] run [OPTIONS]": the word run is taken out, so the
 * common options (the harness puts --json first) may come before it. */
static int
drop_run_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "run") == 0 || strcmp(argv[i], "cleanup") == 0) {
			cfg->cleanup = argv[i][0] == 'c';
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			return argc - 1;
		}
		if (strcmp(argv[i], "--json") == 0)
			i++;
		else if (argv[i][0] != '-' || strcmp(argv[i], "--") == 0)
			break;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return argc; /* help without run */
	}
	return -1;
}

void
ctr_parse(struct ctr_config *c, int argc, char **argv)
{
	struct trace_prog p = prog;
	static const char *base_env[] = {CTR_DEFAULT_PATH};
	unsigned char rnd[6];

	cfg = c;
	/* All but the volume table: 256 KiB that only --volume fills (nvol
	 * counts its entries); clearing it would fault in 64 pages per start. */
	memset(cfg, 0, offsetof(struct ctr_config, vol));
	memset(&cfg->nvol, 0, sizeof(*cfg) - offsetof(struct ctr_config, nvol));
	cfg->seccomp = 1;
	cfg->net = CTR_NET_NONE;
	n_add = n_drop = 0; /* a second call starts afresh too (tests/fuzz) */
	subnet = NULL;
	image_name = NULL;
	cfg->env[cfg->nenv++] = base_env[0];
	p.on_option = on_option;
	int n = drop_run_word(argc, argv);
	if (n < 0) {
		trace_error("expected 'run' or 'cleanup' as the command; see 'nutshell --help'");
		exit(CTR_EXIT_SETUP);
	}
	if (cfg->cleanup) {
		/* Only the common options (-q, --json ...) and nothing else. */
		p.longopts = NULL;
		p.shortopts = NULL;
		p.options = NULL;
		p.synopsis = "cleanup";
		p.about = "Removes the cgroups and /dev/shm/nutshell-run-* (or /tmp/...)\n"
			  "directories of nutshells that were killed before they could clean\n"
			  "up (no live nutshell holds them), one line on standard output per\n"
			  "thing removed.";
		if (trace_main(&p, n, argv) < n) {
			trace_error("cleanup: expected no arguments; see 'nutshell --help'");
			exit(CTR_EXIT_SETUP);
		}
		return;
	}
	int first = trace_main(&p, n, argv);
	if (first >= n && !image_name) {
		trace_error("run: expected a COMMAND to run; see 'nutshell --help'");
		exit(CTR_EXIT_SETUP);
	}
	cfg->argv = &argv[first];
	if (first < n && argv[first][0] == '\0') {
		trace_error("run: COMMAND '': expected a program name or path");
		exit(CTR_EXIT_SETUP);
	}

	int ok = resolve_caps() == 0;
	const char *image_user = NULL;
	if (ok && image_name &&
	    ctr_image_use(cfg, image_name, &argv[first], n - first, &image_user))
		ok = 0; /* printed below */
	if (ok && image_user)
		ok = ctr_parse_user(cfg, image_user) == 0;
	if (ok && !cfg->rootfs[0])
		ok = default_rootfs() == 0;
	/* The image's /proc, /dev and /sys must stay inside it: a symlink
	 * to the host's would get the mounts (CVE-2019-19921). */
	if (ok && rootfs_check_image(cfg->rootfs) == -1)
		ok = err_prefix("--rootfs '%s'", cfg->rootfs) == 0;
	for (size_t i = 0; ok && i < cfg->nvol; i++)
		ok = parse_volume(volumes[i], &cfg->vol[i]) == 0;
	if (ok && subnet && cfg->net != CTR_NET_VETH)
		ok = bad("--subnet '%s': only with --network veth", subnet) == 0;
	/* Without --subnet, ctr_allocate() picks a free one at the start. */
	if (ok && subnet)
		ok = parse_subnet(subnet) == 0;
	if (ok && cfg->memory_swap[0] && !cfg->memory[0])
		ok = bad("--memory-swap '%s': needs --memory too", cfg->memory_swap) == 0;
	if (ok && cfg->memory_swap[0] && strcmp(cfg->memory_swap, "max") != 0 &&
	    strtoull(cfg->memory_swap, NULL, 10) < strtoull(cfg->memory, NULL, 10))
		ok = bad("--memory-swap '%s': expected at least --memory (%s bytes), or -1",
			 cfg->memory_swap, cfg->memory) == 0;
	if (ok)
		ok = ctr_check_idmaps(cfg) == 0;
	if (ok && !cfg->userns_force)
		ok = ctr_check_subids(cfg) == 0;
	if (ok && !cfg->storage_size) {
		uint64_t bytes = 0;
		cg_parse_size(CTR_DEFAULT_STORAGE, &bytes);
		cfg->storage_size = bytes;
	}
	if (!ok) {
		err_print();
		exit(CTR_EXIT_SETUP);
	}

	if (!cfg->pids[0])
		snprintf(cfg->pids, sizeof(cfg->pids), "%s", CTR_DEFAULT_PIDS);
	cfg->memory_swap_default = cfg->memory[0] && !cfg->memory_swap[0];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		trace_fail("getrandom");
		exit(CTR_EXIT_SETUP);
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(cfg->id + 2 * i, 3, "%02x", rnd[i]);
	if (!cfg->hostname[0])
		snprintf(cfg->hostname, sizeof(cfg->hostname), "%s", cfg->id);
	cfg->rootless = geteuid() != 0;
	if (cfg->rootless || cfg->userns) {
		cfg->userns = 1;
		/* As root, ctr_allocate() picks the range at the start. */
		cfg->outer_uid = cfg->rootless ? geteuid() : (uid_t)-1;
		cfg->outer_gid = cfg->rootless ? getegid() : (gid_t)-1;
		cfg->userns_count = cfg->rootless ? 1 : 65536;
	}
	if (cfg->uidmap[0] || cfg->gidmap[0]) {
		/* One given: the other alike. Root inside is the host id
		 * mapped to 0 (it must own the scratch directory). */
		if (!cfg->gidmap[0])
			memcpy(cfg->gidmap, cfg->uidmap, sizeof(cfg->gidmap));
		if (!cfg->uidmap[0])
			memcpy(cfg->uidmap, cfg->gidmap, sizeof(cfg->uidmap));
		cfg->outer_uid = (uid_t)ctr_idmap_root(cfg->uidmap);
		cfg->outer_gid = (gid_t)ctr_idmap_root(cfg->gidmap);
	}
}
