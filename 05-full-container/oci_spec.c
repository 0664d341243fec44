/*
 * oci_spec.c - a bundle's config.json (runtime-spec config.md,
 * config-linux.md) read with jansson into struct oci_spec.
 *
 * Every field nutshell implements is checked here, before anything is
 * made; a field it does not implement is refused with one line naming it
 * (issue 16: "refused, not ignored") - an engine asked for it, and a
 * learner must see that nutshell did not do it.
 */
#include "oci.h"
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/caps.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The string at KEY of OBJ, or NULL when absent; -1 when not a string. */
static int
get_str(json_t *obj, const char *key, const char **out, const char *where)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(EINVAL, "config.json: %s.%s: expected a string", where, key);
	*out = json_string_value(v);
	return 0;
}

/* An array of strings at KEY into a new NULL-terminated list. */
static int
get_strs(json_t *obj, const char *key, const char ***out, size_t *n, const char *where)
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return err_set(EINVAL, "config.json: %s.%s: expected an array of strings", where,
			       key);
	if (!(*out = calloc(json_array_size(a) + 1, sizeof(**out))))
		return err_sys("config.json");
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return err_set(EINVAL, "config.json: %s.%s[%zu]: expected a string", where,
				       key, i);
		(*out)[(*n)++] = json_string_value(v);
	}
	return 0;
}

/* Fields that must be absent (or empty): nutshell does not implement them. */
static int
refuse_present(json_t *obj, const char *where, const char *const keys[])
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(obj, keys[i]);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
		    (json_is_array(v) && json_array_size(v) == 0) ||
		    (json_is_object(v) && json_object_size(v) == 0))
			continue;
		return err_set(EOPNOTSUPP, "config.json: %s.%s: not supported by nutshell", where,
			       keys[i]);
	}
	return 0;
}

static int
parse_caps(json_t *caps, const char *set, cap_value_t *out, size_t *n)
{
	json_t *a = json_object_get(caps, set), *v;
	size_t i;

	*n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return err_set(EINVAL, "config.json: process.capabilities.%s: expected an array",
			       set);
	json_array_foreach(a, i, v)
	{
		const char *name = json_string_value(v);
		if (!name)
			return err_set(
			    EINVAL, "config.json: process.capabilities.%s[%zu]: expected a string",
			    set, i);
		if (caps_from_name(name, &out[*n]) == -1)
			return err_prefix("config.json: process.capabilities.%s[%zu]", set, i);
		if (++*n > CAP_LAST_CAP)
			break;
	}
	return 0;
}

/* RLIMIT_NOFILE and friends by their OCI names. */
static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int
parse_process(json_t *p, struct oci_spec *s)
{
	static const char *const unsupported[] = {"apparmorProfile", "selinuxLabel", "ioPriority",
						  "scheduler", NULL};
	json_t *user = json_object_get(p, "user"), *v, *caps;
	size_t i;

	if (!json_is_object(p))
		return err_set(EINVAL, "config.json: process: expected an object");
	if (refuse_present(p, "process", unsupported) == -1)
		return -1;
	if (get_strs(p, "args", &s->args, &s->nargs, "process") == -1 ||
	    get_strs(p, "env", &s->env, &s->nenv, "process") == -1 ||
	    get_str(p, "cwd", &s->cwd, "process") == -1)
		return -1;
	if (!s->nargs)
		return err_set(EINVAL, "config.json: process.args: expected at least one argument");
	if (!s->cwd || s->cwd[0] != '/')
		return err_set(EINVAL, "config.json: process.cwd '%s': expected an absolute path",
			       s->cwd ? s->cwd : "");
	s->terminal = json_is_true(json_object_get(p, "terminal"));
	s->no_new_privs = json_is_true(json_object_get(p, "noNewPrivileges"));
	if ((v = json_object_get(p, "oomScoreAdj")) && json_is_integer(v)) {
		s->oom_score_adj_set = 1;
		s->oom_score_adj = (int)json_integer_value(v);
	}
	if (json_is_object(user)) {
		s->uid = (uid_t)json_integer_value(json_object_get(user, "uid"));
		s->gid = (gid_t)json_integer_value(json_object_get(user, "gid"));
		json_array_foreach(json_object_get(user, "additionalGids"), i, v)
		{
			if (s->ngroups == OCI_MAX_GROUPS || !json_is_integer(v))
				return err_set(EINVAL,
					       "config.json: process.user.additionalGids[%zu]: "
					       "expected at most %d numbers",
					       i, OCI_MAX_GROUPS);
			s->groups[s->ngroups++] = (gid_t)json_integer_value(v);
		}
	}
	/* One set the process may keep: the bounding set (engines send the
	 * same list as effective and permitted); ambient raised on top. */
	if ((caps = json_object_get(p, "capabilities")) &&
	    (parse_caps(caps, "bounding", s->caps, &s->ncaps) == -1 ||
	     parse_caps(caps, "ambient", s->ambient, &s->nambient) == -1))
		return -1;
	json_array_foreach(json_object_get(p, "rlimits"), i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		size_t k = 0;
		while (k < sizeof(rlimit_names) / sizeof(rlimit_names[0]) &&
		       (!type || strcmp(rlimit_names[k].name, type) != 0))
			k++;
		if (k == sizeof(rlimit_names) / sizeof(rlimit_names[0]) ||
		    s->nrlimits == OCI_MAX_RLIMITS)
			return err_set(EINVAL,
				       "config.json: process.rlimits[%zu].type '%s': "
				       "expected RLIMIT_NOFILE or another of getrlimit(2)",
				       i, type ? type : "");
		struct oci_rlimit *r = &s->rlimits[s->nrlimits++];
		r->name = type;
		r->resource = rlimit_names[k].resource;
		r->lim.rlim_cur = (rlim_t)json_integer_value(json_object_get(v, "soft"));
		r->lim.rlim_max = (rlim_t)json_integer_value(json_object_get(v, "hard"));
	}
	return 0;
}

const struct oci_ns_kind oci_ns_kinds[8] = {{"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET},
					    {"mount", CLONE_NEWNS},  {"ipc", CLONE_NEWIPC},
					    {"uts", CLONE_NEWUTS},   {"cgroup", CLONE_NEWCGROUP},
					    {"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME}};

/* The namespaces: made (no path) or joined (path, setns(2)). */
static int
parse_namespaces(json_t *a, struct oci_spec *s)
{
	const struct oci_ns_kind *kinds = oci_ns_kinds;
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type")), *path;
		size_t k = 0;
		while (k < 8 && (!type || strcmp(kinds[k].type, type) != 0))
			k++;
		if (k == 8)
			return err_set(EINVAL,
				       "config.json: linux.namespaces[%zu].type '%s': expected "
				       "pid, network, mount, ipc, uts, cgroup, user or time",
				       i, type ? type : "");
		if (get_str(v, "path", &path, "linux.namespaces") == -1)
			return -1;
		if (kinds[k].flag == CLONE_NEWUSER || kinds[k].flag == CLONE_NEWTIME)
			return err_set(EOPNOTSUPP,
				       "config.json: linux.namespaces: '%s': not "
				       "supported by nutshell's runtime mode yet",
				       type);
		if (!path || !*path) {
			s->ns_flags |= (unsigned long)kinds[k].flag;
			continue;
		}
		/* Joining a pid or mount namespace needs the join before the
		 * fork and a root of its own: not yet. */
		if (kinds[k].flag == CLONE_NEWPID || kinds[k].flag == CLONE_NEWNS)
			return err_set(EOPNOTSUPP,
				       "config.json: linux.namespaces: joining a %s "
				       "namespace (path '%s'): not supported by nutshell",
				       type, path);
		s->ns_path[s->nns_path] = path;
		s->ns_type[s->nns_path++] = kinds[k].flag;
	}
	if (!(s->ns_flags & CLONE_NEWNS))
		return err_set(EINVAL, "config.json: linux.namespaces: expected a mount namespace "
				       "(a container's root is its own)");
	return 0;
}

/* linux.resources in lesson 02's vocabulary (cgroup v2 file names, which
 * cg_set() translates to v1 where the host has v1). */
int
oci_resources_parse(json_t *r, struct oci_spec *s)
{
	static const char *const unsupported[] = {"hugepageLimits", "rdma", "network", NULL};
	json_t *mem = json_object_get(r, "memory"), *cpu = json_object_get(r, "cpu"), *v;
	json_int_t n;

	if (!r)
		return 0;
	if (refuse_present(r, "linux.resources", unsupported) == -1)
		return -1;
	if ((v = json_object_get(mem, "limit")) && (n = json_integer_value(v)) > 0)
		snprintf(s->memory, sizeof(s->memory), "%lld", (long long)n);
	/* OCI's swap is memory+swap (v1's memsw), -1 unlimited. */
	if ((v = json_object_get(mem, "swap")) && (n = json_integer_value(v)) > 0 && s->memory[0])
		snprintf(s->memory_swap, sizeof(s->memory_swap), "%lld",
			 (long long)(n - strtoll(s->memory, NULL, 10)));
	if ((v = json_object_get(json_object_get(r, "pids"), "limit")) &&
	    (n = json_integer_value(v)) > 0)
		snprintf(s->pids, sizeof(s->pids), "%lld", (long long)n);
	/* shares 0 means unset (OCI.md); v1's 2..262144 onto v2's 1..10000 as
	 * runc's ConvertCPUSharesToCgroupV2Value does. */
	if ((v = json_object_get(cpu, "shares")) && (n = json_integer_value(v)) >= 2)
		snprintf(s->cpu_weight, sizeof(s->cpu_weight), "%lld",
			 (long long)(1 + ((n - 2) * 9999) / 262142));
	if ((v = json_object_get(cpu, "quota")) && (n = json_integer_value(v)) > 0) {
		json_int_t period = json_integer_value(json_object_get(cpu, "period"));
		snprintf(s->cpu_max, sizeof(s->cpu_max), "%lld %lld", (long long)n,
			 (long long)(period > 0 ? period : 100000));
	}
	if (json_integer_value(json_object_get(cpu, "realtimeRuntime")) ||
	    json_integer_value(json_object_get(cpu, "realtimePeriod")))
		return err_set(EOPNOTSUPP, "config.json: linux.resources.cpu.realtime*: not "
					   "supported by nutshell");
	return 0;
}

/* The number at KEY of OBJ (a device's major, uid ...), DEF when absent;
 * -1 when not a number in 0..MAX. */
static long long
get_num(json_t *obj, const char *key, long long def, long long max)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return -1;
	return json_integer_value(v);
}

/* linux.devices: the nodes to make in the container's /dev
 * (config-linux.md "Devices"): type c, u (unbuffered: a character
 * device), b or p, with major and minor but for p, fileMode, uid, gid. */
static int
parse_devices(json_t *a, struct oci_spec *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		const char *path = json_string_value(json_object_get(v, "path"));
		const char *type = json_string_value(json_object_get(v, "type"));
		long long major = get_num(v, "major", -2, 0xfff),
			  minor = get_num(v, "minor", -2, 0xfffff);
		long long mode = get_num(v, "fileMode", 0666, 07777);
		long long uid = get_num(v, "uid", 0, 0xfffffffe),
			  gid = get_num(v, "gid", 0, 0xfffffffe);
		mode_t kind = !type						 ? 0
			      : strcmp(type, "c") == 0 || strcmp(type, "u") == 0 ? S_IFCHR
			      : strcmp(type, "b") == 0				 ? S_IFBLK
			      : strcmp(type, "p") == 0				 ? S_IFIFO
										 : 0;
		if (i == OCI_MAX_DEVICES)
			return err_set(E2BIG, "config.json: linux.devices: at most %d",
				       OCI_MAX_DEVICES);
		if (!path || strncmp(path, "/dev/", 5) != 0 || strstr(path, "/.") || !kind)
			return err_set(
			    EINVAL,
			    "config.json: linux.devices[%zu]: expected a path below /dev/ "
			    "and a type c, u, b or p (got '%s', '%s')",
			    i, path ? path : "", type ? type : "");
		if (kind != S_IFIFO && (major < 0 || minor < 0))
			return err_set(EINVAL,
				       "config.json: linux.devices[%zu] (%s): expected major and "
				       "minor numbers",
				       i, path);
		if (mode < 0 || uid < 0 || gid < 0)
			return err_set(
			    EINVAL,
			    "config.json: linux.devices[%zu] (%s): expected fileMode, uid "
			    "and gid as numbers",
			    i, path);
		s->devices[s->ndevices++] = (struct rootfs_dev_node){
		    .path = path,
		    .mode = kind | (mode_t)mode,
		    .dev = kind == S_IFIFO ? 0 : makedev((unsigned)major, (unsigned)minor),
		    .uid = (uid_t)uid,
		    .gid = (gid_t)gid,
		};
	}
	return 0;
}

/* Does deny rule D cover all of allow rule A (1), part of it (-1, an
 * allow-list cannot say that), or nothing of it (0)? */
static int
dev_covers(const struct cg_dev_rule *d, const struct cg_dev_rule *a)
{
	if ((d->type != 'a' && a->type != 'a' && d->type != a->type) ||
	    (d->major != -1 && a->major != -1 && d->major != a->major) ||
	    (d->minor != -1 && a->minor != -1 && d->minor != a->minor))
		return 0;
	return (d->type == 'a' || d->type == a->type) && (d->major == -1 || d->major == a->major) &&
		       (d->minor == -1 || d->minor == a->minor)
		   ? 1
		   : -1;
}

/* linux.resources.devices: the device cgroup's rules, in order, the last
 * that matches deciding; runc puts its default list after them
 * (specconv.AllowedDevices), so the defaults always hold. Lesson 02's is
 * an allow-list - every device denied but the defaults and the allows
 * here - so a deny takes its access back from the allows before it that
 * it covers, and is nothing where none is (docker denies c 10:229, which
 * nothing allowed). A deny that covers part of an earlier allow (c 136:3
 * after c 136:*) cannot be said in an allow-list: refused. */
static int
parse_device_rules(json_t *a, struct oci_spec *s)
{
	size_t n = 0, first, i;
	json_t *v;

	while (cg_dev_default[n].access)
		s->dev_rules[n] = cg_dev_default[n], n++;
	first = n;
	s->dev_rules[n].access = NULL;
	json_array_foreach(a, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *access = json_string_value(json_object_get(v, "access"));
		long long major = get_num(v, "major", -2, 0xfff),
			  minor = get_num(v, "minor", -2, 0xfffff);
		struct cg_dev_rule rule;

		s->dev_rules_set = 1;
		if (type && strcmp(type, "a") != 0 && strcmp(type, "c") != 0 &&
		    strcmp(type, "b") != 0)
			return err_set(
			    EINVAL,
			    "config.json: linux.resources.devices[%zu].type '%s': expected "
			    "a, c or b",
			    i, type);
		if (major == -1 || minor == -1 ||
		    (access && (!*access || strspn(access, "rwm") != strlen(access))))
			return err_set(
			    EINVAL,
			    "config.json: linux.resources.devices[%zu]: expected major and "
			    "minor numbers and access of r, w, m",
			    i);
		rule = (struct cg_dev_rule){
		    .type = type ? type[0] : 'a',
		    .major = major < 0 ? -1 : (int)major,
		    .minor = minor < 0 ? -1 : (int)minor,
		    .access = access ? access : "rwm",
		    .what = "linux.resources.devices",
		};
		if (!json_is_true(json_object_get(v, "allow"))) {
			for (size_t k = first; k < n; k++) {
				int c = dev_covers(&rule, &s->dev_rules[k]);
				if (c == -1)
					return err_set(
					    EOPNOTSUPP,
					    "config.json: linux.resources.devices[%zu]: a deny "
					    "rule for part of an earlier allow: not supported by "
					    "nutshell (an allow-list)",
					    i);
				if (c == 0)
					continue;
				/* Its letters taken from that allow. */
				char *acc = s->dev_access[k], *w = acc;
				for (char *r = acc; *r; r++)
					if (!strchr(rule.access, *r))
						*w++ = *r;
				*w = '\0';
			}
			continue;
		}
		if (n == sizeof(s->dev_rules) / sizeof(s->dev_rules[0]) - 1)
			return err_set(E2BIG, "config.json: linux.resources.devices: at most %d",
				       OCI_MAX_DEVICES);
		snprintf(s->dev_access[n], sizeof(s->dev_access[n]), "%s", rule.access);
		rule.access = s->dev_access[n];
		s->dev_rules[n] = rule;
		s->dev_rules[++n].access = NULL;
	}
	/* An allow all of whose access a deny took back: gone. */
	size_t w = first;
	for (size_t k = first; k < n; k++)
		if (s->dev_access[k][0]) {
			s->dev_rules[w] = s->dev_rules[k];
			memmove(s->dev_access[w], s->dev_access[k], sizeof(s->dev_access[w]));
			s->dev_rules[w].access = s->dev_access[w];
			w++;
		}
	s->dev_rules[w].access = NULL;
	return 0;
}

/* Does the process stay in the host's network namespace: none made, and
 * none joined, or the one joined is ours (/proc/self/ns/net)? */
static int
host_network(const struct oci_spec *s)
{
	struct stat ours, theirs;

	if (s->ns_flags & CLONE_NEWNET)
		return 0;
	for (size_t i = 0; i < s->nns_path; i++)
		if (s->ns_type[i] == CLONE_NEWNET)
			return stat(s->ns_path[i], &theirs) == -1 ||
			       stat("/proc/self/ns/net", &ours) == -1 ||
			       (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino);
	return 1;
}

static int
parse_linux(json_t *l, struct oci_spec *s)
{
	static const char *const unsupported[] = {"intelRdt",	 "personality", "mountLabel",
						  "netDevices",	 "uidMappings", "gidMappings",
						  "timeOffsets", NULL};
	const char **list;
	size_t n;

	if (!json_is_object(l))
		return err_set(EINVAL, "config.json: linux: expected an object");
	if (refuse_present(l, "linux", unsupported) == -1)
		return -1;
	if (parse_namespaces(json_object_get(l, "namespaces"), s) == -1 ||
	    oci_resources_parse(json_object_get(l, "resources"), s) == -1 ||
	    parse_devices(json_object_get(l, "devices"), s) == -1 ||
	    parse_device_rules(json_object_get(json_object_get(l, "resources"), "devices"), s) ==
		-1 ||
	    get_str(l, "cgroupsPath", &s->cgroups_path, "linux") == -1)
		return -1;
	if (get_strs(l, "maskedPaths", &list, &n, "linux") == -1 || n > OCI_MAX_PATHS)
		return n > OCI_MAX_PATHS
			   ? err_set(EINVAL, "linux.maskedPaths: at most %d", OCI_MAX_PATHS)
			   : -1;
	memcpy(s->masked, list, n * sizeof(*list));
	free(list);
	if (get_strs(l, "readonlyPaths", &list, &n, "linux") == -1 || n > OCI_MAX_PATHS)
		return n > OCI_MAX_PATHS
			   ? err_set(EINVAL, "linux.readonlyPaths: at most %d", OCI_MAX_PATHS)
			   : -1;
	memcpy(s->readonly_paths, list, n * sizeof(*list));
	free(list);
	s->seccomp = json_object_get(l, "seccomp");
	s->sysctl = json_object_get(l, "sysctl");
	/* Only the namespaced ones (runc's validate/validator.go sysctl()):
	 * any other would change the host. */
	const char *key;
	json_t *v;
	json_object_foreach(s->sysctl, key, v)
	{
		if (!json_is_string(v) || strchr(key, '/') || strstr(key, "..") ||
		    (strncmp(key, "net.", 4) != 0 && strncmp(key, "kernel.shm", 10) != 0 &&
		     strncmp(key, "kernel.msg", 10) != 0 && strcmp(key, "kernel.sem") != 0 &&
		     strncmp(key, "fs.mqueue.", 10) != 0))
			return err_set(EINVAL,
				       "config.json: linux.sysctl '%s': expected a "
				       "namespaced sysctl (net.*, kernel.shm*, kernel.msg*, "
				       "kernel.sem, fs.mqueue.*) with a string value",
				       key);
		/* net.* is the network namespace's: in the host's own it
		 * would change the host (runc's validator: "not allowed in
		 * host network namespace"). */
		if (strncmp(key, "net.", 4) == 0 && host_network(s))
			return err_set(EINVAL,
				       "config.json: linux.sysctl '%s': expected a network "
				       "namespace of the container's own (this one is the host's)",
				       key);
	}
	return 0;
}

/* Propagation words: the runtime's to set (oci_setup_root), not options of
 * the mount itself, which lesson 04's rootfs_mount_options() refuses. */
static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int
parse_mount(json_t *m, size_t i, struct oci_mount *out)
{
	json_t *opts = json_object_get(m, "options"), *v;
	const char *words[64];
	size_t k, nwords = 0;

	if (get_str(m, "destination", &out->dest, "mounts[]") == -1 ||
	    get_str(m, "type", &out->type, "mounts[]") == -1 ||
	    get_str(m, "source", &out->source, "mounts[]") == -1)
		return -1;
	if (!out->dest || out->dest[0] != '/')
		return err_set(EINVAL,
			       "config.json: mounts[%zu].destination '%s': expected an "
			       "absolute path",
			       i, out->dest ? out->dest : "");
	json_array_foreach(opts, k, v)
	{
		const char *o = json_string_value(v);
		size_t p = 0;
		if (!o)
			return err_set(EINVAL, "config.json: mounts[%zu].options: expected strings",
				       i);
		while (p < sizeof(propagations) / sizeof(propagations[0]) &&
		       strcmp(propagations[p].name, o) != 0)
			p++;
		if (p < sizeof(propagations) / sizeof(propagations[0]))
			out->propagation = propagations[p].flags;
		else if (strcmp(o, "tmpcopyup") == 0 || strcmp(o, "copy-symlink") == 0 ||
			 strncmp(o, "idmap", 5) == 0)
			return err_set(EOPNOTSUPP,
				       "config.json: mounts[%zu] (%s): option '%s': not "
				       "supported by nutshell",
				       i, out->dest, o);
		else if (nwords == sizeof(words) / sizeof(words[0]))
			return err_set(E2BIG, "config.json: mounts[%zu].options: at most %zu", i,
				       sizeof(words) / sizeof(words[0]));
		else
			words[nwords++] = o;
	}
	/* The rest split as runc does, by lesson 04: flags, and the
	 * filesystem's data ("mode=755"). */
	if (rootfs_mount_options(words, nwords, &out->flags, out->data, sizeof(out->data)) == -1)
		return err_prefix("config.json: mounts[%zu]", i);
	out->bind = (out->flags & MS_BIND) || (out->type && strcmp(out->type, "bind") == 0);
	if (out->bind)
		out->flags |= MS_BIND;
	if (!out->bind && !out->type)
		return err_set(EINVAL, "config.json: mounts[%zu] (%s): expected a type", i,
			       out->dest);
	return 0;
}

int
oci_spec_load(const char *bundle, struct oci_spec *s)
{
	static const char *const unsupported[] = {"solaris", "windows", "vm", "zos", NULL};
	char path[4200], root[4200];
	json_error_t jerr;
	json_t *v;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!realpath(bundle, s->bundle))
		return err_sys("bundle '%s'", bundle);
	snprintf(path, sizeof(path), "%s/config.json", s->bundle);
	if (!(s->json = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set(EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
	if (!json_is_object(s->json))
		return err_set(EINVAL, "%s: expected a JSON object", path);
	if (refuse_present(s->json, "(top level)", unsupported) == -1 ||
	    oci_hooks_check(json_object_get(s->json, "hooks")) == -1)
		return -1;
	/* root.path: relative to the bundle, or absolute (podman, docker). */
	const char *rp =
	    json_string_value(json_object_get(json_object_get(s->json, "root"), "path"));
	if (!rp)
		return err_set(EINVAL, "config.json: root.path: expected a string");
	snprintf(root, sizeof(root), "%s%s%s", rp[0] == '/' ? "" : s->bundle,
		 rp[0] == '/' ? "" : "/", rp);
	struct stat st;
	if (!realpath(root, s->rootfs) || stat(s->rootfs, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "config.json: root.path '%s': expected a directory", rp);
	s->readonly = json_is_true(json_object_get(json_object_get(s->json, "root"), "readonly"));
	if (get_str(s->json, "hostname", &s->hostname, "(top level)") == -1)
		return -1;
	if (parse_process(json_object_get(s->json, "process"), s) == -1 ||
	    parse_linux(json_object_get(s->json, "linux"), s) == -1)
		return -1;
	json_array_foreach(json_object_get(s->json, "mounts"), i, v)
	{
		if (s->nmounts == OCI_MAX_MOUNTS)
			return err_set(E2BIG, "config.json: mounts: at most %d", OCI_MAX_MOUNTS);
		if (parse_mount(v, i, &s->mounts[s->nmounts++]) == -1)
			return -1;
	}
	s->annotations = json_object_get(s->json, "annotations");
	return 0;
}

int
oci_process_load(const char *path, struct oci_spec *s)
{
	json_error_t jerr;

	free(s->args);
	free(s->env);
	s->args = s->env = NULL;
	s->nargs = s->nenv = s->ngroups = s->ncaps = s->nambient = s->nrlimits = 0;
	s->cwd = NULL;
	s->terminal = s->no_new_privs = s->oom_score_adj_set = 0;
	s->uid = 0;
	s->gid = 0;
	if (!(s->process_json = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set(EINVAL, "--process %s:%d: %s", path, jerr.line, jerr.text);
	if (parse_process(s->process_json, s) == -1)
		return err_prefix("--process %s", path);
	return 0;
}

void
oci_spec_free(struct oci_spec *s)
{
	free(s->args);
	free(s->env);
	if (s->json)
		json_decref(s->json);
	if (s->process_json)
		json_decref(s->process_json);
	s->json = s->process_json = NULL;
}
