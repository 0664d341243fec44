/*
 * inside.c - the container's side of a start (see ctr.h): the child of
 * clone(2), from "wait for the parent" to execve(2) of COMMAND.
 *
 * The order is the point: mounts first (they need CAP_SYS_ADMIN and
 * mount(2), which the filter forbids), then the user, then capabilities,
 * no_new_privs, and the seccomp filter last, so that the only calls made
 * under the filter are the ones COMMAND makes - and execve(2).
 *
 * Any failure here ends the child with 125 after one line on stderr; the
 * parent passes that status on.
 */
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/caps.h"
#include "../03-capabilities/sc.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

int
ctr_close_fds(int cloexec)
{
	/* close_range(2) came in Linux 5.9 (CLOSE_RANGE_CLOEXEC in 5.11).
	 * Before it, or where a seccomp profile refuses it, the descriptors
	 * /proc/self/fd lists, whatever their number: a loop up to the
	 * RLIMIT_NOFILE of the moment would miss one above it. */
	if (syscall(SYS_close_range, 3U, ~0U, cloexec ? CLOSE_RANGE_CLOEXEC : 0U) == 0)
		return 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd < 3 || fd == dirfd(d))
			continue;
		/* Unchecked, a descriptor left open would pass into COMMAND. */
		if (cloexec && fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
			int saved = errno;
			closedir(d);
			errno = saved;
			return -1;
		}
		if (!cloexec)
			close(fd);
	}
	closedir(d);
	return 0;
}

/* <<< cgroup-mounts */
/* The directory of this process's own cgroup in the hierarchy WANT stands
 * for: the v2 tree, wherever it is mounted, or the v1 hierarchy mounted on
 * a directory of WANT's name ("memory"); from /proc/self/cgroup and
 * mountinfo (lesson 02's cg_layout_detect). NULL if there is none. */
static const char *
own_cgroup_dir(const struct cg_hier *want)
{
	static struct cg_layout here; /* static: 100 KiB, as below */
	static int detected;

	if (!detected++ && cg_layout_detect(&here) == -1)
		here.n = 0;
	for (size_t i = 0; i < here.n; i++) {
		const char *base = strrchr(here.h[i].mount, '/');
		if (here.h[i].version == want->version &&
		    (want->version == 2 || (base && strcmp(base + 1, want->mount) == 0)))
			return here.h[i].dir;
	}
	return NULL;
}

size_t
ctr_cgroup_mounts(struct rootfs_mount_spec *m, const char *at, int how)
{
	const char *const v1[] = {"memory", "pids", "devices", NULL};
	static struct cg_layout show; /* static: 100 KiB, and the child's stack is small */
	static char dest[CG_MAX_HIER][CG_PATH + 256];
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	size_t n = 0;

	if (access("/sys/fs/cgroup", F_OK) != 0)
		return 0;		/* no such directory in this sysfs: nothing to show */
	cg_layout_guess(&show, "", v1); /* from the host's /sys/fs/cgroup (lesson 02) */
	for (size_t i = 0; i < show.n; i++) {
		struct cg_hier *h = &show.h[i];
		/* Without a cgroup namespace a new mount of a hierarchy would
		 * show the host's whole tree: bind this process's own cgroup
		 * directory instead (runc's mountCgroupV1, rootfs_linux.go),
		 * found while the host's /proc is still the one mounted. */
		const char *own = how & CTR_CG_BIND ? own_cgroup_dir(h) : NULL;
		snprintf(h->dir, sizeof(h->dir), "%s", own ? own : "");
		if ((how & CTR_CG_BIND) && !own)
			trace_note("%s/%s: not mounted: this process is in no cgroup there", at,
				   h->mount);
	}
	if (show.kind == CG_V2) {
		if ((how & CTR_CG_BIND) && !show.h[0].dir[0])
			return 0;
		m[n++] =
		    how & CTR_CG_BIND
			? (struct rootfs_mount_spec){at, "bind", show.h[0].dir, MS_BIND | ro, NULL}
			: (struct rootfs_mount_spec){at, "cgroup2", "cgroup2", ro, NULL};
		return n;
	}
	m[n++] = (struct rootfs_mount_spec){at, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
					    "mode=755,size=4k"};
	for (size_t i = 0; i < show.n; i++) {
		const struct cg_hier *h = &show.h[i];
		const char *type = h->version == 2 ? "cgroup2" : "cgroup";
		if ((how & CTR_CG_BIND) && !h->dir[0])
			continue;
		snprintf(dest[i], sizeof(dest[i]), "%.200s/%s", at, h->mount);
		m[n++] =
		    how & CTR_CG_BIND
			? (struct rootfs_mount_spec){dest[i], "bind", h->dir, MS_BIND | ro, NULL}
			: (struct rootfs_mount_spec){dest[i], type, type, ro,
						     h->version == 2 ? NULL : h->controllers};
	}
	m[n++] = (struct rootfs_mount_spec){at, NULL, NULL, MS_REMOUNT | ro, "mode=755,size=4k"};
	return n;
}
/* >>> cgroup-mounts */

/* The flags procfs gets on every distribution (and in Docker); sysfs
 * read-only: a container may read /sys, not write the host's settings
 * through it. */
const struct rootfs_mount_spec ctr_proc_sys_mounts[2] = {
    {"/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
    {"/sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
};

static void
stamp_mounts(void)
{
	ctr_stamp(CTR_T_MOUNTS);
}

/* <<< root */
/* Lesson 04 makes the root from a description: the image and the --layers
 * on a fresh upper layer in a tmpfs of --storage-size, the volumes, /proc,
 * /sys and the cgroups, /dev, Docker's masked and read-only paths,
 * pivot_root (rootfs.h, rootfs_setup). An OCI runtime fills the same
 * description from a config.json. */
static int
setup_root(const struct ctr_child *ch)
{
	const struct ctr_config *cfg = ch->cfg;
	struct rootfs_mount_spec mounts[CTR_MAX_VOL + 8];
	char opts[96];
	int tree_fd[CTR_MAX_TREES];
	size_t n = 0;
	trace_phase("root", "the image's layers, /proc, /sys, /dev (lesson 04)");
	struct rootfs_spec spec = {
	    .scratch = ch->tmpdir,
	    .scratch_data = opts,
	    .tree_fd = tree_fd,
	    .ntrees = ch->ntrees,
	    .readonly = cfg->read_only,
	    .mounts = mounts,
	    .dev = 1,
	    .masked = rootfs_masked_paths,
	    .readonly_paths = rootfs_readonly_paths,
	    .enter = ROOTFS_PIVOT,
	    .mounted = stamp_mounts,
	};

	/* The upper layer's tmpfs has a size (--storage-size): else it may
	 * take half the host's RAM, as shared memory the OOM killer cannot
	 * pin on any process. Its pages are charged to the memory cgroup of
	 * the process that first writes them (tmpfs(5), "Memory accounting"
	 * in cgroup-v2.rst): the container's, which we joined above. Inodes
	 * as ext4 makes them, one per 16 KiB: they are kernel memory too. */
	snprintf(opts, sizeof(opts), "mode=700,size=%llu,nr_inodes=%llu", cfg->storage_size,
		 cfg->storage_size / 16384 < 1024 ? 1024 : cfg->storage_size / 16384);
	/* overlayfs wants the top layer first: the last --layer given. */
	for (size_t i = 0; i < cfg->nlayers; i++)
		spec.layers.lower[i] = cfg->layers[cfg->nlayers - 1 - i];
	spec.layers.lower[cfg->nlayers] = cfg->rootfs;
	spec.layers.nlower = cfg->nlayers + 1;
	spec.layers.userxattr = cfg->userxattr;
	/* The idmapped trees came image first (idmap.c); lowerdir= order is
	 * top first. */
	for (size_t i = 0; i < ch->ntrees; i++)
		tree_fd[i] = ch->tree_fd[ch->ntrees - 1 - i];
	/* A --volume is a bind, nodev and nosuid, read-only on :ro. */
	for (size_t i = 0; i < cfg->nvol; i++)
		mounts[n++] =
		    (struct rootfs_mount_spec){cfg->vol[i].inside, "bind", cfg->vol[i].host,
					       MS_BIND | MS_REC | MS_NODEV | MS_NOSUID |
						   (cfg->vol[i].read_only ? MS_RDONLY : 0),
					       NULL};
	for (size_t i = 0; i < 2; i++)
		mounts[n++] = ctr_proc_sys_mounts[i];
	n += ctr_cgroup_mounts(mounts + n, "/sys/fs/cgroup", 0);
	spec.nmounts = n;
	if (rootfs_setup(&spec) == -1)
		return -1;
	ctr_stamp(CTR_T_PIVOT);
	return 0;
}
/* >>> root */

/* Lesson 01's veth helpers, from inside: lo up, and eth0 addressed. */
static int
setup_network(const struct ctr_config *cfg)
{
	if (cfg->net == CTR_NET_HOST)
		return 0;
	struct nl_sock *nl = ns_rtnl_open();
	int ret = -1;

	if (!nl)
		return err_sys("netlink socket");
	if (ns_link_up(nl, "lo") == -1) {
		err_sys("network inside the container: lo up");
		goto out;
	}
	if (cfg->net == CTR_NET_VETH && !cfg->rootless) {
		if (ns_addr_add(nl, "eth0", cfg->ctr_cidr) == -1) {
			err_sys("network inside the container: eth0 address %s", cfg->ctr_cidr);
			goto out;
		}
		if (ns_link_up(nl, "eth0") == -1) {
			err_sys("network inside the container: eth0 up");
			goto out;
		}
	}
	ret = 0;
out:
	ns_rtnl_close(nl);
	return ret;
}

/* Who COMMAND runs as (user.c), read from the image's files once our root
 * is the image; drop_privileges() takes the ids and groups from it. */
static struct ctr_user user;
/* The environment COMMAND gets: cfg's, and HOME when --env did not set it. */
static const char *env[CTR_MAX_ENV + 1];
static char home_env[sizeof(user.home) + 8];

/* Whether A and B ("KEY=VALUE") set the same KEY. */
static int
same_key(const char *a, const char *b)
{
	size_t k = strcspn(a, "=");

	return strncmp(a, b, k) == 0 && b[k] == '=';
}

/* HOME as docker sets it: the user's home directory from the image's
 * /etc/passwd, or "/" (a --env HOME=... wins). A variable set twice (the
 * default PATH, then --env PATH=...) is passed once, the last value, as
 * docker run -e does: execvp(3) and getenv(3) take the first of two, so
 * COMMAND was looked up in the default PATH, not the one asked for. */
static void
set_environment(const struct ctr_config *cfg)
{
	size_t n = 0;
	int have_home = 0;

	for (size_t i = 0; i < cfg->nenv && n < CTR_MAX_ENV - 1; i++) {
		int later = 0;
		for (size_t j = i + 1; j < cfg->nenv && !later; j++)
			later = same_key(cfg->env[i], cfg->env[j]);
		if (later)
			continue;
		have_home |= strncmp(cfg->env[i], "HOME=", 5) == 0;
		env[n++] = cfg->env[i];
	}
	if (!have_home) {
		snprintf(home_env, sizeof(home_env), "HOME=%s", user.home);
		env[n++] = home_env;
	}
	env[n] = NULL;
	environ = (char **)env;
}

/* The terminal (-t), the working directory, the environment, fd hygiene. */
static int
setup_process(const struct ctr_child *ch)
{
	const struct ctr_config *cfg = ch->cfg;
	const char *dir = cfg->workdir ? cfg->workdir : "/";
	/* CTR_NOFILE: `runc spec`'s value (ctr.h). */
	struct rlimit nofile = {CTR_NOFILE, CTR_NOFILE};

	trace_phase("process", "limits, terminal, working directory, environment");
	if (TRACE(setrlimit(RLIMIT_NOFILE, &nofile), "prlimit64",
		  "0, RLIMIT_NOFILE, {rlim_cur=%d, rlim_max=%d}, NULL", CTR_NOFILE,
		  CTR_NOFILE) == -1)
		return err_sys("setrlimit(RLIMIT_NOFILE)");
	if (ch->chan.tty[1] >= 0) {
		int tty = ctr_tty_open_inside(ch->chan.tty[1]);
		close(ch->chan.tty[1]);
		if (tty == -1)
			return err_sys("-t: a pty in the container");
		/* Our session (setsid at the start) gets the pty as controlling
		 * terminal: Ctrl-C in the relayed terminal reaches the
		 * container's foreground process group, not nutshell. */
		if (ioctl(tty, TIOCSCTTY, 0) == -1)
			return err_sys("-t: ioctl(TIOCSCTTY)");
		for (int fd = 0; fd < 3; fd++)
			if (dup2(tty, fd) == -1)
				return err_sys("-t: dup2 onto %d", fd);
		if (tty > 2)
			close(tty);
	}
	if (TRACE(chdir(dir), "chdir", "%s", trace_str(dir)) == -1) {
		/* docker run -w makes the directory when the image lacks it. */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s", dir);
		for (char *p = path + 1; p; p = strchr(p + 1, '/')) {
			char c = *p;
			*p = '\0';
			mkdir(path, 0755);
			*p = c;
		}
		mkdir(path, 0755);
		if (TRACE(chdir(dir), "chdir", "%s", trace_str(dir)) == -1)
			return err_sys("--workdir: chdir %s", dir);
	}
	/* The directory must be inside our root: a magic link such as
	 * /proc/self/fd/N leads wherever that fd points, and getcwd(3) then
	 * fails with ENOENT (CVE-2024-21626). */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return err_set(EACCES, "--workdir '%s': outside the container's root; refused",
			       dir);
	/* The image's /etc/passwd and /etc/group, now our own. */
	if (ctr_user_lookup(cfg, "/etc/passwd", "/etc/group", &user) == -1)
		return -1;
	set_environment(cfg);
	/* docker's umask: files COMMAND makes are 0644, not whatever mask the
	 * caller of nutshell had (0000 would make them world-writable). */
	TRACE(umask(022), "umask", "022");
	/* Only 0, 1 and 2 pass into COMMAND: everything else is marked
	 * close-on-exec (the trace still writes until execve). A leaked
	 * directory fd of the host is an escape (CVE-2024-21626). */
	if (ctr_close_fds(1) == -1)
		return err_sys("marking descriptors close-on-exec");
	return 0;
}

/* <<< privileges */
/* Lesson 03: the user, the capabilities kept, no_new_privs, the filter. */
static int
drop_privileges(const struct ctr_child *ch)
{
	const struct ctr_config *cfg = ch->cfg;
	cap_value_t keep[CTR_MAX_CAPS + 2];
	size_t n = cfg->ncaps;

	memcpy(keep, cfg->caps, n * sizeof(*keep));
	trace_phase("capabilities", "groups, the capabilities kept, no_new_privs (lesson 03)");
	/* The supplementary groups the image gives the user (user.c) - for
	 * root too: the caller's own groups must not come in. While we still
	 * have CAP_SETGID. A rootless container may not (setgroups is denied
	 * before its gid_map is written, user_namespaces(7)) and has only
	 * the one gid mapped anyway. */
	if (!cfg->rootless &&
	    TRACE(setgroups(user.ngroups, user.groups), "setgroups", "%zu, [%u%s]", user.ngroups,
		  (unsigned)user.groups[0], user.ngroups > 1 ? ", ..." : "") == -1)
		return err_sys("setgroups");
	if (cfg->user_set) {
		/* Changing ids needs CAP_SETUID/SETGID for a moment; setresuid
		 * to a non-zero uid then clears the permitted and effective
		 * sets (capabilities(7), "Effect of user ID changes"). */
		keep[n++] = CAP_SETUID;
		keep[n++] = CAP_SETGID;
	}
	if (caps_keep_only(keep, n) == -1)
		return err_prefix("dropping capabilities");
	if (cfg->user_set) {
		gid_t gid = user.gid;
		uid_t uid = user.uid;
		if (TRACE(setresgid(gid, gid, gid), "setresgid", "%u, %u, %u", (unsigned)gid,
			  (unsigned)gid, (unsigned)gid) == -1)
			return err_sys("--user: setresgid(%u)", (unsigned)gid);
		if (TRACE(setresuid(uid, uid, uid), "setresuid", "%u, %u, %u", (unsigned)uid,
			  (unsigned)uid, (unsigned)uid) == -1)
			return err_sys("--user: setresuid(%u)", (unsigned)uid);
	}
	if (caps_set_no_new_privs() == -1)
		return -1; /* the error names the call */
	/* A change of uid or gid cleared the parent-death signal (prctl(2)). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		return err_sys("prctl(PR_SET_PDEATHSIG)");
	ctr_stamp(CTR_T_PRIVILEGES);
	if (ch->seccomp.len)
		trace_phase("seccomp", "the filter, loaded last (lesson 03)");
	if (ch->seccomp.len && sc_load_bpf(&ch->seccomp, sc_default_profile.name) == -1)
		return err_sys("seccomp: loading the filter");
	return 0;
}
/* >>> privileges */

/* execve(2) of COMMAND (ARGV) through PATH; on failure 126 or 127, as a
 * shell. ARGV alone, not the whole ctr_config: --init's pid 1 calls this
 * too, and a ctr_config (over 250 KiB) on its stack is what it need not
 * hold. */
static int
exec_command(char *const *argv)
{
	TRACE(execvp(argv[0], argv), "execve", "%s, [...], [...]", trace_str(argv[0]));
	int e = errno;
	err_set(e, "%s: %s", argv[0], e == ENOENT ? "command not found" : strerror(e));
	err_print();
	return e == ENOENT ? CTR_EXIT_NOTFOUND : CTR_EXIT_NOEXEC;
}

/* <<< init */
/* --init: pid 1 forks COMMAND and stays: it reaps every orphan that the
 * kernel re-parents to it (no zombies) and passes signals on, which a
 * COMMAND as pid 1 would ignore unless it handles them (pid_namespaces(7)).
 * It is a fresh execve(2) of the sealed copy (sealed.c), as docker's init
 * is a program of its own: a fork of the launcher would show the container
 * the launcher's command line (volume paths), its environment (the caller's
 * secrets) and its memory through /proc/1 (issue 23, item 10). */
static int
exec_init(const struct ctr_child *ch)
{
	const struct ctr_config *cfg = ch->cfg;
	size_t n = 0;

	while (cfg->argv[n])
		n++;
	const char **argv = calloc(n + 3, sizeof(*argv));
	if (!argv) {
		err_sys("--init: calloc");
		err_print();
		return CTR_EXIT_SETUP;
	}
	argv[0] = "init";
	argv[1] = "--";
	memcpy(argv + 2, cfg->argv, n * sizeof(*argv));
	TRACE(execveat(ch->self_fd, "", (char *const *)argv, environ, AT_EMPTY_PATH), "execveat",
	      "%d, \"\", [\"init\", \"--\", %s, ...], [...], AT_EMPTY_PATH", ch->self_fd,
	      trace_str(cfg->argv[0]));
	err_sys("--init: execveat");
	free(argv);
	err_print();
	return CTR_EXIT_SETUP;
}

int
ctr_init_main(char **argv)
{
	sigset_t set;
	int fd, status = 0;

	/* Only errors are shown: the launcher's trace ended at our execve. */
	trace_cfg.quiet = true;
	/* Still non-dumpable, as the first process was: no one in the
	 * container reads pid 1's memory or opens its /proc/1/exe without
	 * CAP_SYS_PTRACE (proc(5)); the parent-death signal again, in case
	 * execve cleared it; and the name ps(1) knows, not the memfd's. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		err_sys("init: prctl(PR_SET_DUMPABLE)");
		goto fail;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1) {
		err_sys("init: prctl(PR_SET_PDEATHSIG)");
		goto fail;
	}
	if (prctl(PR_SET_NAME, "nutshell", 0, 0, 0) == -1) {
		err_sys("init: prctl(PR_SET_NAME)");
		goto fail;
	}
	sigfillset(&set);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		err_sys("init: sigprocmask");
		goto fail;
	}
	pid_t child = fork();
	if (child == -1) {
		err_sys("init: fork");
		goto fail;
	}
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(exec_command(argv));
	}
	if ((fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		err_sys("init: signalfd");
		goto fail;
	}
	for (;;) {
		struct signalfd_siginfo si;
		pid_t pid;

		if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(child, (int)si.ssi_signo);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == child)
				return WIFEXITED(status) ? WEXITSTATUS(status)
							 : 128 + WTERMSIG(status);
	}
fail:
	err_print();
	return CTR_EXIT_SETUP;
}
/* >>> init */

/* <<< child */
int
ctr_child_main(void *arg)
{
	struct ctr_child *ch = arg;
	const struct ctr_config *cfg = ch->cfg;
	sigset_t none;

	/* The parent blocked signals for its signalfd; COMMAND must not
	 * inherit that. If nutshell dies (even of SIGKILL), so do we, and
	 * with pid 1 the whole container (prctl(2) PR_SET_PDEATHSIG). */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1) {
		err_sys("sigprocmask(SIG_SETMASK, {})");
		goto fail;
	}
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR) {
		err_sys("signal(SIGPIPE, SIG_DFL)");
		goto fail;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1) {
		err_sys("prctl(PR_SET_PDEATHSIG)");
		goto fail;
	}
	/* <<< session */
	/* A session and process group of our own, before any code of the
	 * image runs. Sharing the caller's, kill(0, SIG) from inside reached
	 * the shell script that ran nutshell, its other children and nutshell
	 * itself (which then skipped its cleanup); and the caller's terminal
	 * stayed our controlling terminal, so ioctl(TIOCSTI) typed into it
	 * whatever the container liked, for the user's shell to run after we
	 * exit (CVE-2017-5226; bubblewrap's --new-session, runc). Outside our
	 * session, TIOCSTI on that terminal needs CAP_SYS_ADMIN (tty_ioctl(4)),
	 * which the container does not have. setsid(2) cannot fail here: we
	 * are no process group leader (our pgid is the caller's). */
	if (TRACE(setsid(), "setsid", "%s", "") == -1) {
		err_sys("setsid");
		goto fail;
	}
	/* >>> session */
	/* Standard input and output the host's files: pipes instead, which
	 * nutshell relays (stdio.c). */
	if (ctr_stdio_child(ch->stdio) == -1) {
		err_sys("standard input/output");
		goto fail;
	}
	/* 1. Wait until the parent has put us in the cgroup, written the id
	 * maps and moved our veth end in; end of file means it failed - or
	 * died before PR_SET_PDEATHSIG above (channels.c). */
	close(ch->lock_fd);
	if (ctr_channels_wait_go(&ch->chan) == -1)
		return CTR_EXIT_SETUP; /* the parent says why */
	/* Into the cgroup first, before anything is charged to it: ourselves,
	 * which is cheaper than the parent moving us (cg_join, lesson 02). */
	if (ch->join && cg_join(ch->join) == -1) {
		err_prefix("joining the cgroup");
		goto fail;
	}
	/* Not dumpable: no one in the container may open our /proc/PID/exe -
	 * the launcher's binary (CVE-2019-5736). Only now: a non-dumpable
	 * process's /proc files belong to root, and an ordinary user's
	 * nutshell could not have written our uid_map (rootless). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		err_sys("prctl(PR_SET_DUMPABLE)");
		goto fail;
	}
	/* In a user namespace our ids are still the host's until we take the
	 * mapped root (user_namespaces(7)): kernel ids follow the map only
	 * for ids set after it was written. */
	if (cfg->userns && TRACE(setresgid(0, 0, 0), "setresgid", "0, 0, 0") == -1) {
		err_sys("setresgid(0) in the user namespace");
		goto fail;
	}
	if (cfg->userns && TRACE(setresuid(0, 0, 0), "setresuid", "0, 0, 0") == -1) {
		err_sys("setresuid(0) in the user namespace");
		goto fail;
	}
	/* The image's layers, idmapped by the parent for our id map. */
	if (ch->chan.idmap[1] >= 0) {
		int n = ctr_idmap_receive(ch->chan.idmap[1], ch->tree_fd, CTR_MAX_TREES);
		close(ch->chan.idmap[1]);
		if (n > 0 && (size_t)n != cfg->nlayers + 1) {
			for (int i = 0; i < n; i++)
				close(ch->tree_fd[i]);
			errno = EPROTO;
			n = -1;
		}
		if (n == -1) {
			err_sys("receiving the idmapped layers");
			goto fail;
		}
		ch->ntrees = (size_t)n;
	}
	/* 2. A cgroup namespace now, so its root is the container's cgroup. */
	if (ns_unshare(CLONE_NEWCGROUP) == -1)
		goto fail; /* the error names the call */
	/* 3. The hostname, in our UTS namespace. */
	if (TRACE(sethostname(cfg->hostname, strlen(cfg->hostname)), "sethostname", "%s, %zu",
		  trace_str(cfg->hostname), strlen(cfg->hostname)) == -1) {
		err_sys("sethostname");
		goto fail;
	}
	/* 4. The network, 5. the root, 6. the process, 7. privileges. */
	if (setup_network(cfg) == -1)
		goto fail;
	ctr_stamp(CTR_T_NS);
	if (setup_root(ch) == -1)
		goto fail;
	ctr_pause_point("mounts");
	if (setup_process(ch) == -1)
		goto fail;
	ctr_stamp(CTR_T_PROCESS);
	if (drop_privileges(ch) == -1)
		goto fail;
	ctr_stamp(CTR_T_SECCOMP_LOAD);
	/* 8. COMMAND, or the init that runs it. */
	trace_phase("exec", "%s; a successful execve(2) never returns, so what follows is its own",
		    cfg->init ? "nutshell's init, which runs COMMAND" : "COMMAND");
	return cfg->init ? exec_init(ch) : exec_command(cfg->argv);
fail:
	/* The one line of this start's failure (common/err.h). */
	err_print();
	return CTR_EXIT_SETUP;
}
/* >>> child */
