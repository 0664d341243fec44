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

/* Where an idmapped layer is attached: the scratch directory, "/layer64". */
#define TREE_PATH (sizeof(((struct ctr_child *)0)->tmpdir) + 16)

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
		if (cloexec)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		else
			close(fd);
	}
	closedir(d);
	return 0;
}

static int
fail_step(const char *what)
{
	trace_fail(what);
	return -1;
}

static int
fail_rootfs(const char *what)
{
	trace_error("%s: %s", what, rootfs_error());
	return -1;
}

/* mount(2) through lesson 04's traced helper; a failure ends the step. */
static int
do_mount(const char *src, const char *target, const char *type, unsigned long flags,
	 const char *data)
{
	return rootfs_mount(src, target, type, flags, data) == -1 ? fail_rootfs(target) : 0;
}

/* A --volume: the target is resolved inside the root (a symlink in the
 * image must not send a bind mount onto the host: CVE-2021-30465), made
 * when missing, bound, and made read-only on :ro. */
static int
mount_volume(const char *root, const struct ctr_volume *v)
{
	char target[PATH_MAX];
	struct stat src, st;

	if (rootfs_resolve(root, v->inside, target, sizeof(target)) == -1)
		return fail_rootfs(v->inside);
	if (stat(v->host, &src) == -1)
		return fail_step(v->host);
	if (lstat(target, &st) == -1) {
		/* The missing directories on the way: rootfs_resolve() checked
		 * that what exists is inside the root; the rest has no links. */
		for (char *p = target + strlen(root) + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			if (mkdir(target, 0755) == -1 && errno != EEXIST)
				return fail_step(target);
			*p = '/';
		}
		if (S_ISDIR(src.st_mode)) {
			if (TRACE(mkdir(target, 0755), "mkdir", "%s, 0755", trace_str(target)) ==
			    -1)
				return fail_step(target);
		} else {
			int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd == -1)
				return fail_step(target);
			close(fd);
		}
	}
	/* The host's mounts beneath the source come along (MS_REC): nodev,
	 * nosuid and :ro must reach them too, and the source's own ro or
	 * noexec must stay (issue 23: a read-only host mount became writable,
	 * a node made in a tmpfs below a volume opened the host's disk). */
	if (do_mount(v->host, target, NULL, MS_BIND | MS_REC, NULL) == -1)
		return -1;
	if (rootfs_restrict_tree(target, v->read_only) == -1)
		return fail_rootfs(v->inside);
	return 0;
}

/* The container's cgroups, read-only at /sys/fs/cgroup: through the cgroup
 * namespace it sees its own cgroup as the root, nothing of the host's tree,
 * and can change nothing (no release_agent, CVE-2022-0492). */
static int
mount_cgroups(const char *root)
{
	char dir[PATH_MAX], sub[PATH_MAX + 32];
	const char *const v1[] = {"memory", "pids", "devices", NULL};
	static struct cg_layout show; /* static: 100 KiB, and the child's stack is small */
	struct stat st;

	if (rootfs_resolve(root, "/sys/fs/cgroup", dir, sizeof(dir)) == -1 || stat(dir, &st) == -1)
		return 0; /* no such directory in this sysfs: nothing to show */
	if (do_mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=4k") ==
	    -1)
		return -1;
	cg_layout_guess(&show, "", v1); /* from the host's /sys/fs/cgroup (lesson 02) */
	for (size_t i = 0; i < show.n; i++) {
		const struct cg_hier *h = &show.h[i];
		snprintf(sub, sizeof(sub), "%s/%s", dir, h->mount);
		if (mkdir(sub, 0755) == -1)
			return fail_step(sub);
		if (do_mount(h->version == 2 ? "cgroup2" : "cgroup", sub,
			     h->version == 2 ? "cgroup2" : "cgroup",
			     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     h->version == 2 ? NULL : h->controllers) == -1)
			return -1;
	}
	return do_mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			"mode=755,size=4k");
}

/* <<< trees */
/* --userns: the image and each --layer as the parent idmapped them
 * (idmap.c), attached in our scratch tmpfs, stand in for the host's
 * directories as the overlay's lower layers: root's files are root's. */
static int
attach_trees(const struct ctr_child *ch, char trees[][TREE_PATH], struct rootfs_layers *l)
{
	size_t n = ch->ntrees, i;

	for (i = 0; i < n; i++) {
		if (i == 0)
			snprintf(trees[i], TREE_PATH, "%s/image", ch->tmpdir);
		else
			snprintf(trees[i], TREE_PATH, "%s/layer%zu", ch->tmpdir, i);
		if (mkdir(trees[i], 0755) == -1) {
			fail_step(trees[i]);
			break;
		}
		if (rootfs_attach_tree(ch->tree_fd[i], trees[i]) == -1) {
			fail_rootfs("--userns: attaching an idmapped layer");
			break;
		}
		/* Attached: the mount table holds it now. The image goes to
		 * the bottom, the last --layer to the top. */
		close(ch->tree_fd[i]);
		l->lower[n - 1 - i] = trees[i];
	}
	for (size_t j = i; j < n; j++)
		close(ch->tree_fd[j]);
	return i == n ? 0 : -1;
}
/* >>> trees */

/* <<< root */
/* Lesson 04, in order: a private mount namespace, an overlay of the image
 * with a fresh upper layer on a tmpfs (discarded with the namespace), the
 * volumes, /proc /sys /dev, masked and read-only paths, pivot_root. */
static int
setup_root(const struct ctr_child *ch)
{
	const struct ctr_config *cfg = ch->cfg;
	char upper[PATH_MAX], work[PATH_MAX], root[PATH_MAX], dev[PATH_MAX + 8], opts[96];
	char trees[CTR_MAX_TREES][TREE_PATH];
	struct rootfs_layers layers = {.lower = {cfg->rootfs}, .nlower = 1}, host;

	if (ns_make_private() == -1)
		return fail_step("mount --make-rprivate /");
	/* The upper layer's tmpfs has a size (--storage-size): else it may
	 * take half the host's RAM, as shared memory the OOM killer cannot
	 * pin on any process. Its pages are charged to the memory cgroup of
	 * the process that first writes them (tmpfs(5), "Memory accounting"
	 * in cgroup-v2.rst): the container's, which we joined above. Inodes
	 * as ext4 makes them, one per 16 KiB: they are kernel memory too. */
	snprintf(opts, sizeof(opts), "mode=700,size=%llu,nr_inodes=%llu", cfg->storage_size,
		 cfg->storage_size / 16384 < 1024 ? 1024 : cfg->storage_size / 16384);
	if (do_mount("tmpfs", ch->tmpdir, "tmpfs", MS_NOSUID | MS_NODEV, opts) == -1)
		return -1;
	snprintf(upper, sizeof(upper), "%s/upper", ch->tmpdir);
	snprintf(work, sizeof(work), "%s/work", ch->tmpdir);
	snprintf(root, sizeof(root), "%s/root", ch->tmpdir);
	if (mkdir(upper, 0755) == -1)
		return fail_step(upper);
	if (mkdir(work, 0700) == -1)
		return fail_step(work);
	if (mkdir(root, 0755) == -1)
		return fail_step(root);
	/* overlayfs wants the top layer first: the last --layer given. */
	for (size_t i = 0; i < cfg->nlayers; i++)
		layers.lower[i] = cfg->layers[cfg->nlayers - 1 - i];
	layers.lower[cfg->nlayers] = cfg->rootfs;
	layers.nlower = cfg->nlayers + 1;
	layers.upper = upper;
	layers.work = work;
	host = layers;
	if (ch->ntrees && attach_trees(ch, trees, &layers) == -1)
		return -1;
	if (rootfs_mount_overlay(&layers, root) == -1) {
		if (!ch->ntrees || errno != EINVAL)
			return fail_rootfs("overlay");
		/* Linux 5.12 to 5.18 idmap, but overlayfs refuses such layers. */
		trace_error("--userns: the image's files will appear owned by nobody (65534) "
			    "inside: overlayfs refused the idmapped layers (%s; it takes them "
			    "from Linux 5.19)",
			    rootfs_error());
		if (rootfs_mount_overlay(&host, root) == -1)
			return fail_rootfs("overlay");
	}
	/* No devices policy in a cgroup here, so no device node outside /dev
	 * may be opened at all: nodev on every writable mount (an image's or a
	 * mknod'ed /tmp/sda would reach the host's disk), and /dev itself
	 * read-only once its few nodes exist. Set-uid files of the image do
	 * not raise privileges either (no_new_privs would stop that too). */
	if (do_mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_NODEV | MS_NOSUID, NULL) == -1)
		return -1;
	for (size_t i = 0; i < cfg->nvol; i++)
		if (mount_volume(root, &cfg->vol[i]) == -1)
			return -1;
	if (rootfs_mount_proc(root) == -1)
		return fail_rootfs("/proc");
	if (rootfs_mount_sys(root) == -1)
		return fail_rootfs("/sys");
	if (mount_cgroups(root) == -1)
		return -1;
	if (rootfs_mount_dev(root) == -1)
		return fail_rootfs("/dev");
	snprintf(dev, sizeof(dev), "%s/dev", root);
	if (do_mount(NULL, dev, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) == -1)
		return -1;
	if (rootfs_mask_all(root, rootfs_masked_paths) == -1)
		return fail_rootfs("masking");
	if (rootfs_readonly_all(root, rootfs_readonly_paths) == -1)
		return fail_rootfs("read-only paths");
	if (cfg->read_only &&
	    do_mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOSUID,
		     NULL) == -1)
		return -1;
	ctr_stamp(CTR_T_MOUNTS);
	if (rootfs_pivot(root) == -1)
		return fail_rootfs("pivot_root");
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
		return fail_step("netlink socket");
	if (ns_link_up(nl, "lo") == -1)
		goto out;
	if (cfg->net == CTR_NET_VETH && !cfg->rootless &&
	    (ns_addr_add(nl, "eth0", cfg->ctr_cidr) == -1 || ns_link_up(nl, "eth0") == -1))
		goto out;
	ret = 0;
out:
	if (ret == -1)
		trace_fail("network inside the container");
	ns_rtnl_close(nl);
	return ret;
}

/* Who COMMAND runs as (user.c), read from the image's files once our root
 * is the image; drop_privileges() takes the ids and groups from it. */
static struct ctr_user user;
/* The environment COMMAND gets: cfg's, and HOME when --env did not set it. */
static const char *env[CTR_MAX_ENV + 1];
static char home_env[sizeof(user.home) + 8];

/* HOME as docker sets it: the user's home directory from the image's
 * /etc/passwd, or "/" (a --env HOME=... wins). */
static void
set_environment(const struct ctr_config *cfg)
{
	size_t n = 0;
	int have_home = 0;

	for (size_t i = 0; i < cfg->nenv && n < CTR_MAX_ENV - 1; i++) {
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
	char err[4200];
	/* The value of `runc spec`'s template config.json (the runtime spec has
	 * no rlimit default): a runaway program cannot pin the host's file table. */
	struct rlimit nofile = {1024, 1024};

	if (TRACE(setrlimit(RLIMIT_NOFILE, &nofile), "prlimit64",
		  "0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=1024}, NULL") == -1)
		return fail_step("setrlimit");
	if (ch->tty_sock >= 0) {
		int tty = ctr_tty_open_inside(ch->tty_sock);
		close(ch->tty_sock);
		if (tty == -1)
			return fail_step("-t: a pty in the container");
		/* Our session (setsid at the start) gets the pty as controlling
		 * terminal: Ctrl-C in the relayed terminal reaches the
		 * container's foreground process group, not nutshell. */
		if (ioctl(tty, TIOCSCTTY, 0) == -1)
			return fail_step("-t: ioctl(TIOCSCTTY)");
		for (int fd = 0; fd < 3; fd++)
			if (dup2(tty, fd) == -1)
				return fail_step("dup2");
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
			return fail_step(dir);
	}
	/* The directory must be inside our root: a magic link such as
	 * /proc/self/fd/N leads wherever that fd points, and getcwd(3) then
	 * fails with ENOENT (CVE-2024-21626). */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/') {
		trace_error("--workdir '%s': outside the container's root; refused", dir);
		return -1;
	}
	/* The image's /etc/passwd and /etc/group, now our own. */
	if (ctr_user_lookup(cfg, "/etc/passwd", "/etc/group", &user, err, sizeof(err)) == -1) {
		trace_error("%s", err);
		return -1;
	}
	set_environment(cfg);
	/* docker's umask: files COMMAND makes are 0644, not whatever mask the
	 * caller of nutshell had (0000 would make them world-writable). */
	TRACE(umask(022), "umask", "022");
	/* Only 0, 1 and 2 pass into COMMAND: everything else is marked
	 * close-on-exec (the trace still writes until execve). A leaked
	 * directory fd of the host is an escape (CVE-2024-21626). */
	if (ctr_close_fds(1) == -1) {
		trace_fail("marking descriptors close-on-exec");
		return -1;
	}
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
	/* The supplementary groups the image gives the user (user.c) - for
	 * root too: the caller's own groups must not come in. While we still
	 * have CAP_SETGID. A rootless container may not (setgroups is denied
	 * before its gid_map is written, user_namespaces(7)) and has only
	 * the one gid mapped anyway. */
	if (!cfg->rootless &&
	    TRACE(setgroups(user.ngroups, user.groups), "setgroups", "%zu, [%u%s]", user.ngroups,
		  (unsigned)user.groups[0], user.ngroups > 1 ? ", ..." : "") == -1)
		return fail_step("setgroups");
	if (cfg->user_set) {
		/* Changing ids needs CAP_SETUID/SETGID for a moment; setresuid
		 * to a non-zero uid then clears the permitted and effective
		 * sets (capabilities(7), "Effect of user ID changes"). */
		keep[n++] = CAP_SETUID;
		keep[n++] = CAP_SETGID;
	}
	if (caps_keep_only(keep, n) == -1)
		return fail_step("dropping capabilities");
	if (cfg->user_set) {
		gid_t gid = user.gid;
		uid_t uid = user.uid;
		if (TRACE(setresgid(gid, gid, gid), "setresgid", "%u, %u, %u", (unsigned)gid,
			  (unsigned)gid, (unsigned)gid) == -1)
			return fail_step("--user: setresgid");
		if (TRACE(setresuid(uid, uid, uid), "setresuid", "%u, %u, %u", (unsigned)uid,
			  (unsigned)uid, (unsigned)uid) == -1)
			return fail_step("--user: setresuid");
	}
	if (caps_set_no_new_privs() == -1)
		return fail_step("no_new_privs");
	/* A change of uid or gid cleared the parent-death signal (prctl(2)). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		return fail_step("PR_SET_PDEATHSIG");
	ctr_stamp(CTR_T_PRIVILEGES);
	if (ch->seccomp.len && sc_load_bpf(&ch->seccomp, sc_default_profile.name) == -1)
		return fail_step("seccomp");
	return 0;
}
/* >>> privileges */

/* execve(2) of COMMAND through PATH; on failure 126 or 127, as a shell. */
static int
exec_command(const struct ctr_config *cfg)
{
	TRACE(execvp(cfg->argv[0], cfg->argv), "execve", "%s, [...], [...]",
	      trace_str(cfg->argv[0]));
	int e = errno;
	trace_error("%s: %s", cfg->argv[0], e == ENOENT ? "command not found" : strerror(e));
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
	if (!argv)
		return fail_step("--init"), CTR_EXIT_SETUP;
	argv[0] = "init";
	argv[1] = "--";
	memcpy(argv + 2, cfg->argv, n * sizeof(*argv));
	TRACE(execveat(ch->self_fd, "", (char *const *)argv, environ, AT_EMPTY_PATH), "execveat",
	      "%d, \"\", [\"init\", \"--\", %s, ...], [...], AT_EMPTY_PATH", ch->self_fd,
	      trace_str(cfg->argv[0]));
	free(argv);
	return fail_step("--init: execveat"), CTR_EXIT_SETUP;
}

int
ctr_init_main(char **argv)
{
	struct ctr_config cfg = {.argv = argv};
	sigset_t set;
	int fd, status = 0;

	/* Only errors are shown: the launcher's trace ended at our execve. */
	trace_cfg.quiet = true;
	/* Still non-dumpable, as the first process was: no one in the
	 * container reads pid 1's memory or opens its /proc/1/exe without
	 * CAP_SYS_PTRACE (proc(5)); the parent-death signal again, in case
	 * execve cleared it; and the name ps(1) knows, not the memfd's. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NAME, "nutshell", 0, 0, 0) == -1)
		return fail_step("init: prctl"), CTR_EXIT_SETUP;
	sigfillset(&set);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t child = fork();
	if (child == -1)
		return fail_step("fork"), CTR_EXIT_SETUP;
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(exec_command(&cfg));
	}
	if ((fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		return CTR_EXIT_SETUP;
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
}
/* >>> init */

/* <<< child */
int
ctr_child_main(void *arg)
{
	struct ctr_child *ch = arg;
	const struct ctr_config *cfg = ch->cfg;
	sigset_t none;
	char go;

	/* The parent blocked signals for its signalfd; COMMAND must not
	 * inherit that. If nutshell dies (even of SIGKILL), so do we, and
	 * with pid 1 the whole container (prctl(2) PR_SET_PDEATHSIG). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		return fail_step("prctl(PR_SET_PDEATHSIG)"), CTR_EXIT_SETUP;
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
	if (TRACE(setsid(), "setsid", "%s", "") == -1)
		return fail_step("setsid"), CTR_EXIT_SETUP;
	/* >>> session */
	/* Standard input and output the host's files: pipes instead, which
	 * nutshell relays (stdio.c). */
	if (ctr_stdio_child(ch->stdio) == -1)
		return fail_step("standard input/output"), CTR_EXIT_SETUP;
	/* 1. Wait until the parent has put us in the cgroup, written the id
	 * maps and moved our veth end in; end of file means it failed - or
	 * died before PR_SET_PDEATHSIG above - so our copy of the write end
	 * must not keep the pipe open. */
	close(ch->go_wr);
	close(ch->lock_fd);
	if (read(ch->go_fd, &go, 1) != 1)
		return CTR_EXIT_SETUP;
	close(ch->go_fd);
	/* Into the cgroup first, before anything is charged to it: ourselves,
	 * which is cheaper than the parent moving us (cg_join, lesson 02). */
	if (ch->join && cg_join(ch->join) == -1)
		return fail_step("joining the cgroup"), CTR_EXIT_SETUP;
	/* Not dumpable: no one in the container may open our /proc/PID/exe -
	 * the launcher's binary (CVE-2019-5736). Only now: a non-dumpable
	 * process's /proc files belong to root, and an ordinary user's
	 * nutshell could not have written our uid_map (rootless). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return fail_step("prctl(PR_SET_DUMPABLE)"), CTR_EXIT_SETUP;
	/* In a user namespace our ids are still the host's until we take the
	 * mapped root (user_namespaces(7)): kernel ids follow the map only
	 * for ids set after it was written. */
	if (cfg->userns && TRACE(setresgid(0, 0, 0), "setresgid", "0, 0, 0") == -1)
		return fail_step("setresgid(0) in the user namespace"), CTR_EXIT_SETUP;
	if (cfg->userns && TRACE(setresuid(0, 0, 0), "setresuid", "0, 0, 0") == -1)
		return fail_step("setresuid(0) in the user namespace"), CTR_EXIT_SETUP;
	/* The image's layers, idmapped by the parent for our id map. */
	if (ch->idmap_sock >= 0) {
		int n = ctr_idmap_receive(ch->idmap_sock, ch->tree_fd, CTR_MAX_TREES);
		close(ch->idmap_sock);
		if (n > 0 && (size_t)n != cfg->nlayers + 1) {
			for (int i = 0; i < n; i++)
				close(ch->tree_fd[i]);
			errno = EPROTO;
			n = -1;
		}
		if (n == -1)
			return fail_step("receiving the idmapped layers"), CTR_EXIT_SETUP;
		ch->ntrees = (size_t)n;
	}
	/* 2. A cgroup namespace now, so its root is the container's cgroup. */
	if (ns_unshare(CLONE_NEWCGROUP) == -1)
		return fail_step("unshare(CLONE_NEWCGROUP)"), CTR_EXIT_SETUP;
	/* 3. The hostname, in our UTS namespace. */
	if (TRACE(sethostname(cfg->hostname, strlen(cfg->hostname)), "sethostname", "%s, %zu",
		  trace_str(cfg->hostname), strlen(cfg->hostname)) == -1)
		return fail_step("sethostname"), CTR_EXIT_SETUP;
	/* 4. The network, 5. the root, 6. the process, 7. privileges. */
	if (setup_network(cfg) == -1)
		return CTR_EXIT_SETUP;
	ctr_stamp(CTR_T_NS);
	if (setup_root(ch) == -1)
		return CTR_EXIT_SETUP;
	ctr_pause_point("mounts");
	if (setup_process(ch) == -1)
		return CTR_EXIT_SETUP;
	ctr_stamp(CTR_T_PROCESS);
	if (drop_privileges(ch) == -1)
		return CTR_EXIT_SETUP;
	ctr_stamp(CTR_T_SECCOMP_LOAD);
	/* 8. COMMAND, or the init that runs it. */
	return cfg->init ? exec_init(ch) : exec_command(cfg);
}
/* >>> child */
