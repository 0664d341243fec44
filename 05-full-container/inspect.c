/*
 * inspect - what this process's isolation looks like from the inside.
 *
 * Run it on the host, then in a container (nutshell run -- inspect): the
 * same questions, different answers. It only reads: /proc/self/ns/ (the
 * namespaces), /proc/self/uid_map and gid_map, /proc/self/status (the five
 * capability sets, NoNewPrivs, Seccomp and Seccomp_filters),
 * /proc/self/cgroup and the limits under /sys/fs/cgroup, /proc/self/mountinfo
 * (the root's filesystem, and whether it sits on another visible mount),
 * the masked and read-only paths of the default container, the hostname,
 * /proc (the processes it can see), its session, process group and
 * controlling terminal (/proc/self/stat), what its fds 0-2 are (a terminal
 * from outside, a pipe, a file of the host ...) and /proc/net/dev (network
 * interfaces).
 *
 * Built static, so it runs in any image; the default image has it as
 * /bin/inspect. --json - gives every observation as a "fact" (the tests'
 * probe); the table then is left out of standard output.
 * Read: namespaces(7), capabilities(7), proc_pid_status(5), cgroups(7),
 * proc_pid_mountinfo(5), seccomp(2).
 */
#include "../03-capabilities/caps.h"
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int table = 1;

/* One observation: a row of the table and a fact. */
static void show(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
show(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	const char *value = trace_vfact(key, fmt, ap);
	va_end(ap);
	if (table)
		printf("%-28s %s\n", key, value);
}

static void
namespaces(void)
{
	const char *types[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
	char key[32];

	for (size_t i = 0; i < 8; i++) {
		const char *id = proc_ns_quiet(0, types[i]);
		snprintf(key, sizeof(key), "ns_%s", types[i]);
		show(key, "%s", id ? id : "(none)");
	}
}

static void
id_maps(void)
{
	char buf[4096];
	const char *files[] = {"/proc/self/uid_map", "/proc/self/gid_map"};
	const char *keys[] = {"uid_map", "gid_map"};

	for (int i = 0; i < 2; i++) {
		if (proc_read(files[i], buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "?");
		/* "         0          0 4294967295" -> "0 0 4294967295" */
		char out[4096] = "", *o = out;
		for (char *p = buf; *p; p++)
			if (!isspace((unsigned char)*p) ||
			    (o > out && o[-1] != ' ' && o[-1] != ';' && p[1] &&
			     !isspace((unsigned char)p[1])))
				*o++ = *p == '\n' ? ';' : (isspace((unsigned char)*p) ? ' ' : *p);
		*o = '\0';
		show(keys[i], "%s", out);
	}
	show("uid", "%u", (unsigned)getuid());
	show("gid", "%u", (unsigned)getgid());
}

static void
privileges(void)
{
	struct caps_state st;
	const char *keys[] = {"cap_eff", "cap_prm", "cap_inh", "cap_bnd", "cap_amb"};
	char names[2048], key[32];
	int last = caps_last_cap();

	if (caps_read(0, &st) == -1) {
		show("caps", "unreadable: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < CAPS_NSETS; i++) {
		show(keys[i], "%016" PRIx64, st.set[i]);
		snprintf(key, sizeof(key), "%s_names", keys[i]);
		show(key, "%s", caps_describe(st.set[i], last, names, sizeof(names)));
	}
	show("no_new_privs", "%d", st.no_new_privs);
	show("seccomp", "%d", st.seccomp);
	show("seccomp_filters", "%d", st.seccomp_filters);
}

/* The directory of our own cgroup for CONTROLLER, as mounted here: the v1
 * hierarchy that has it, else the v2 tree. The path /proc/self/cgroup
 * gives is relative to the mount's root (mountinfo's fourth field), which
 * is "/" in a cgroup namespace, and the container's cgroup itself where an
 * engine's runtime bound only that directory (runc's way, and nutshell's
 * runtime mode, without a cgroup namespace): proc_cgroup_mount(). */
static int
own_cgroup_dir(const char *controller, char *dir, size_t size)
{
	static char text[4096], mountinfo[65536];
	char point[PATH_MAX], v2dir[PATH_MAX] = "";

	if (proc_read("/proc/self/cgroup", text, sizeof(text)) < 0 ||
	    proc_read("/proc/self/mountinfo", mountinfo, sizeof(mountinfo)) < 0)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct proc_cgroup c;
		if (proc_parse_cgroup(line, &c) != 0)
			continue;
		if (c.hierarchy == 0)
			proc_cgroup_mount(mountinfo, &c, point, sizeof(point), v2dir,
					  sizeof(v2dir));
		else if (proc_has_words(c.controllers, controller, ',') &&
			 proc_cgroup_mount(mountinfo, &c, point, sizeof(point), dir, size) == 0)
			return 1;
	}
	if (!v2dir[0])
		return -1;
	snprintf(dir, size, "%s", v2dir);
	return 2;
}

/* The limit of our cgroup: V1FILE in the v1 hierarchy CONTROLLER, or
 * V2FILE in the v2 tree, whichever holds the controller here. */
static void
cgroup_limit(const char *key, const char *controller, const char *v1file, const char *v2file)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], value[64] = "(not visible)";
	int version = own_cgroup_dir(controller, dir, sizeof(dir));

	snprintf(path, sizeof(path), "%s/%s", dir, version == 1 ? v1file : v2file);
	if (version > 0 && proc_read(path, value, sizeof(value)) >= 0) {
		value[strcspn(value, "\n")] = '\0';
		/* v1 says "no limit" with a huge number. */
		if (strtoull(value, NULL, 10) >= (1ULL << 62))
			snprintf(value, sizeof(value), "max");
	} else
		snprintf(value, sizeof(value), "(not visible)");
	show(key, "%s", value);
}

/* The device allow-list. cgroup v1 shows it as text (devices.list of our
 * cgroup in the devices hierarchy mounted here). On v2 it is a BPF
 * program, and from inside nothing can list it: bpf(BPF_PROG_QUERY) needs
 * CAP_SYS_ADMIN and the seccomp profile refuses bpf(2); --probes then
 * shows it at work. */
static void
devices(void)
{
	char text[2048], dir[PATH_MAX], path[PATH_MAX + 32];
	int version = own_cgroup_dir("devices", dir, sizeof(dir));

	snprintf(path, sizeof(path), "%s/devices.list", dir);
	if (version == 1 && proc_read(path, text, sizeof(text)) >= 0) {
		text[strcspn(text, "\0")] = '\0';
		for (char *p = text; (p = strchr(p, '\n'));)
			*p = p[1] ? ';' : '\0';
		show("device_allow_list", "v1 devices.list: %s", text);
	} else if (version == 2) {
		show("device_allow_list", "cgroup v2: a BPF program, if any, cannot be listed "
					  "from inside (bpf(2) needs CAP_SYS_ADMIN); see --probes");
	} else {
		show("device_allow_list", "not visible (no devices hierarchy mounted here)");
	}
}

static void
cgroups(void)
{
	char text[4096];

	if (proc_read("/proc/self/cgroup", text, sizeof(text)) >= 0) {
		for (char *p = text; (p = strchr(p, '\n'));)
			*p = p[1] ? ';' : '\0';
		show("cgroup", "%s", text);
	}
	cgroup_limit("memory_max", "memory", "memory.limit_in_bytes", "memory.max");
	cgroup_limit("pids_max", "pids", "pids.max", "pids.max");
	devices();
}

static void
filesystem(void)
{
	char text[65536], fstype[64] = "?";
	int root_parent = -1, parent_visible = 0, n = 0;

	if (proc_read("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return;
	int ids[1024];
	char *copy = strdup(text);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		struct proc_mount m;
		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		if (n < 1024)
			ids[n++] = m.id;
		if (strcmp(m.point, "/") == 0) {
			snprintf(fstype, sizeof(fstype), "%s", m.fstype);
			root_parent = m.parent;
		}
	}
	free(copy);
	for (int i = 0; i < n; i++)
		parent_visible |= ids[i] == root_parent;
	show("root_fstype", "%s", fstype);
	/* After pivot_root and the detach, nothing is under our root: the
	 * mount it sits on is not in our table. A chroot leaves it there. */
	show("old_root_visible", "%s", parent_visible ? "yes" : "no");
	show("mounts", "%d", n);
	struct statvfs sv;
	show("root_readonly", "%s",
	     statvfs("/", &sv) == 0 && (sv.f_flag & ST_RDONLY) ? "yes" : "no");
	/* What / may hold: an overlay reports its upper layer's filesystem
	 * (ovl_statfs), so this is nutshell's --storage-size tmpfs - or, on
	 * the host, the disk. */
	struct statfs sf;
	if (statfs("/", &sf) == 0)
		show("root_size", "%llu bytes, %llu free",
		     (unsigned long long)sf.f_blocks * (unsigned long long)sf.f_bsize,
		     (unsigned long long)sf.f_bavail * (unsigned long long)sf.f_bsize);
}

/* How a path of the default masks looks: masked (/dev/null over a file, an
 * empty tmpfs over a directory), visible, or absent on this kernel. */
static void
paths(void)
{
	const char *masked[] = {"/proc/acpi",	     "/proc/asound",  "/proc/interrupts",
				"/proc/kcore",	     "/proc/keys",    "/proc/latency_stats",
				"/proc/sched_debug", "/proc/scsi",    "/proc/timer_list",
				"/proc/timer_stats", "/sys/firmware", NULL};
	const char *ro[] = {"/proc/bus",	   "/proc/fs", "/proc/irq", "/proc/sys",
			    "/proc/sysrq-trigger", NULL};
	char key[64];

	for (size_t i = 0; masked[i]; i++) {
		struct stat st;
		struct statfs sf;
		const char *state = "visible";

		if (stat(masked[i], &st) == -1)
			state = "absent";
		else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
			state = "masked";
		else if (S_ISDIR(st.st_mode) && statfs(masked[i], &sf) == 0 &&
			 sf.f_type == 0x01021994 /* TMPFS_MAGIC */)
			state = "masked";
		snprintf(key, sizeof(key), "masked:%s", masked[i]);
		show(key, "%s", state);
	}
	for (size_t i = 0; ro[i]; i++) {
		struct statvfs sv;
		const char *state = "absent";

		if (statvfs(ro[i], &sv) == 0)
			state = sv.f_flag & ST_RDONLY ? "ro" : "rw";
		snprintf(key, sizeof(key), "readonly:%s", ro[i]);
		show(key, "%s", state);
	}
}

static void
processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char list[4096] = "", comm[64], path[300];
	size_t len = 0;
	int n = 0;

	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (proc_read(path, comm, sizeof(comm)) < 0)
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		if (len < sizeof(list) - 100)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s:%s",
						len ? " " : "", e->d_name, comm);
	}
	if (d)
		closedir(d);
	show("pid", "%d", (int)getpid());
	show("processes", "%d", n);
	show("process_list", "%s", n > 30 ? "(many)" : list);
}

static void
network(void)
{
	char text[16384], list[1024] = "", path[128], state[32];
	size_t len = 0;

	if (proc_read("/proc/net/dev", text, sizeof(text)) < 0) {
		show("interfaces", "(unreadable)");
		return;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		line += strspn(line, " ");
		snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", line);
		if (proc_read(path, state, sizeof(state)) < 0)
			snprintf(state, sizeof(state), "?");
		state[strcspn(state, "\n")] = '\0';
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s:%s", len ? " " : "",
					line, state);
		if (len >= sizeof(list))
			break;
	}
	show("interfaces", "%s", list);
}

/* ---- --probes: the classic escapes, each tried, none may work ---- */

static void
probe(const char *name, long ret)
{
	char key[64];

	snprintf(key, sizeof(key), "probe:%s", name);
	show(key, "%s", ret == -1 ? dec_errno(errno) : "ALLOWED");
}

/* Double chroot (CAP_SYS_CHROOT): chroot into a subdirectory, then climb
 * ".." from the cwd left outside it. With pivot_root and the old root
 * detached there is nothing above "/" to climb to. Escaped when the root
 * reached is not ours. */
static long
double_chroot(void)
{
	struct stat before, after;

	pid_t pid = fork();
	if (pid == 0) {
		mkdir("/tmp/.probe-chroot", 0700);
		if (stat("/", &before) == -1 || chroot("/tmp/.probe-chroot") == -1)
			_exit(2);
		for (int i = 0; i < 64; i++)
			if (chdir("..") == -1)
				_exit(2);
		if (chroot(".") == -1 || stat("/", &after) == -1)
			_exit(2);
		_exit(after.st_dev == before.st_dev && after.st_ino == before.st_ino ? 1 : 0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	rmdir("/tmp/.probe-chroot");
	errno = EXDEV; /* "stayed on the same root" */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A probe that would change this process if it were allowed (a new
 * namespace) runs in a child of its own: one that works must not change
 * what the next probe finds. The result comes back on a pipe. */
static long
in_child(long (*try)(void))
{
	struct {
		long ret;
		int err;
	} r = {-1, EIO};
	int fds[2];

	if (pipe(fds) == -1)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		r.ret = try();
		r.err = errno;
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &r, sizeof(r)) != sizeof(r))
		r.ret = -1, r.err = EIO;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	errno = r.err;
	return r.ret;
}

static long
try_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}

static long
try_unshare_mnt(void)
{
	return unshare(CLONE_NEWNS);
}

static void
probes(void)
{
	char handle[sizeof(struct file_handle) + 128] = {0};
	struct file_handle *fh = (struct file_handle *)handle;
	int fd;

	probe("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	probe("unshare_user", in_child(try_unshare_user));
	probe("unshare_mnt", in_child(try_unshare_mnt));
	probe("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	probe("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, -3));
	fh->handle_bytes = 8;
	probe("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, fh, O_RDONLY));
	probe("init_module", syscall(SYS_init_module, NULL, 0, ""));
	probe("ptrace_attach", syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, 0, 0));
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
	probe("write_core_pattern", fd);
	if (fd >= 0)
		close(fd);
	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	probe("write_sysrq_trigger", fd);
	if (fd >= 0)
		close(fd);
	/* A raw disk: make the node (CAP_MKNOD is a default), then open it. */
	mknod("/tmp/.probe-sda", S_IFBLK | 0600, makedev(8, 0));
	fd = open("/tmp/.probe-sda", O_RDONLY | O_CLOEXEC);
	probe("open_block_device", fd);
	if (fd >= 0)
		close(fd);
	unlink("/tmp/.probe-sda");
	/* /dev/kmsg's numbers (c 1:11), not on the allow-list. EACCES: the
	 * mount (nodev) refused before the cgroup was asked; EPERM: the
	 * device cgroup refused. */
	mknod("/tmp/.probe-kmsg", S_IFCHR | 0600, makedev(1, 11));
	fd = open("/tmp/.probe-kmsg", O_WRONLY | O_CLOEXEC);
	probe("open_kmsg_node", fd);
	show("device_refused_by", "%s",
	     fd >= 0	       ? "nothing: the node opened"
	     : errno == EPERM  ? "the device cgroup (EPERM)"
	     : errno == EACCES ? "nodev on the mount (EACCES); the cgroup was not asked"
			       : dec_errno(errno));
	if (fd >= 0)
		close(fd);
	unlink("/tmp/.probe-kmsg");
	probe("double_chroot", double_chroot());
	/* CVE-2019-5736: what pid 1 runs, and whether it opens for writing
	 * (nothing is written). nutshell's --init shows "/memfd:nutshell
	 * (deleted)", a sealed copy, when it can be read at all: pid 1 is not
	 * dumpable, so without CAP_SYS_PTRACE the link says EACCES. */
	char exe[256];
	ssize_t n = readlink("/proc/1/exe", exe, sizeof(exe) - 1);
	show("pid1_exe", "%s", n < 0 ? dec_errno(errno) : (exe[n] = '\0', exe));
	fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
	probe("write_pid1_exe", fd);
	if (fd >= 0)
		close(fd);
}

/* The session and process group: 0 means their leader is in a parent pid
 * namespace, i.e. outside - the caller's, whose members kill(0, SIG) would
 * reach. A container's first process makes its own (setsid(2)). And the
 * controlling terminal (tty_nr, field 7 of /proc/self/stat, proc_pid_stat(5)):
 * with none, ioctl(TIOCSTI) on a terminal needs CAP_SYS_ADMIN
 * (CVE-2017-5226). */
static void
session(void)
{
	char stat[1024];
	long tty_nr = -1;
	pid_t sid = getsid(0), pgid = getpgrp();

	if (proc_read("/proc/self/stat", stat, sizeof(stat)) > 0 && strrchr(stat, ')'))
		sscanf(strrchr(stat, ')') + 2, "%*c %*d %*d %*d %ld", &tty_nr);
	show("sid", "%d", (int)sid);
	show("pgid", "%d", (int)pgid);
	show("session", "%s", sid == 0 ? "outside (the caller's)" : "own");
	show("process_group", "%s", pgid == 0 ? "outside (the caller's)" : "own");
	if (tty_nr <= 0)
		show("controlling_terminal", "%s", tty_nr == 0 ? "none" : "?");
	else
		show("controlling_terminal", "%u:%u", major((dev_t)tty_nr), minor((dev_t)tty_nr));
}

/* What fd is: a terminal (the container's own pty, or one from outside,
 * whose node is not in our /dev: the caller's), an anonymous pipe, a
 * socket, or a file of some filesystem (a regular file, a device, a FIFO). */
static const char *
fd_kind(int fd)
{
	char link[64], path[256];
	struct stat st, node;
	struct statfs fs;
	ssize_t n;

	if (fstat(fd, &st) == -1)
		return "closed";
	if (isatty(fd)) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, path, sizeof(path) - 1);
		if (n > 0)
			path[n] = '\0';
		if (n > 0 && stat(path, &node) == 0 && node.st_dev == st.st_dev &&
		    node.st_ino == st.st_ino)
			return "terminal";
		return "terminal (from outside: the caller's)";
	}
	if (S_ISSOCK(st.st_mode))
		return "socket";
	if (S_ISFIFO(st.st_mode))
		return fstatfs(fd, &fs) == 0 && fs.f_type == 0x50495045 /* PIPEFS_MAGIC */
			   ? "pipe"
			   : "fifo (a file)";
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return "device (a file)";
	return S_ISREG(st.st_mode) ? "file" : "other (a file)";
}

static void
stdio(void)
{
	static const char *names[] = {"stdin", "stdout", "stderr"};

	for (int fd = 0; fd < 3; fd++)
		show(names[fd], "%s", fd_kind(fd));
}

/* Open fds beyond 0, 1, 2 (and the one reading the directory). */
static void
fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char list[512] = "";
	size_t len = 0;

	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d) && len < sizeof(list) - 16)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? " " : "", e->d_name);
	if (d)
		closedir(d);
	show("extra_fds", "%s", len ? list : "none");
}

static int want_probes;

static int
on_option(int opt, const char *arg)
{
	(void)opt;
	(void)arg;
	want_probes = 1;
	return 0;
}

static const struct option options[] = {
    {"probes", no_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

static const struct trace_prog prog = {
    .name = "inspect",
    .synopsis = "[--probes]",
    .about = "Shows this process's isolation from the inside: namespaces, id maps, the five\n"
	     "capability sets, no_new_privs, seccomp, cgroup and limits, the root filesystem,\n"
	     "masked and read-only paths, hostname, processes and network interfaces.\n"
	     "Compare:  inspect   and   sudo 05-full-container/nutshell run -- inspect",
    .look_for = "Inside a container: ns_* ids other than the host's, a uid_map that maps 0\n"
		"to an unprivileged host uid (with --userns), cap_eff_names a short list,\n"
		"no_new_privs 1, seccomp 2, memory_max and pids_max set, masked:* paths\n"
		"\"masked\" and old_root_visible no. On the host: the host's ids, all\n"
		"capabilities, seccomp 0, masked paths \"visible\".",
    .options = "  --probes  also try the classic escapes (mount, keyctl, open_by_handle_at,\n"
	       "            module loading, double chroot, raw disk ...) and say how each ended;\n"
	       "            only inside a container: on the host some would work\n",
    .longopts = options,
    .on_option = on_option,
};

int
main(int argc, char **argv)
{
	char host[256];

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'inspect --help'", argv[optind]);
		return EXIT_USAGE;
	}
	table = trace_cfg.json_fd != STDOUT_FILENO;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "?");
	show("hostname", "%s", host);
	namespaces();
	id_maps();
	privileges();
	cgroups();
	filesystem();
	paths();
	processes();
	session();
	network();
	stdio();
	fds();
	if (want_probes)
		probes();
	return EXIT_DEMO_OK;
}
