/*
 * cgroup.c - the life of a cgroup of our own: planned, made, set, joined,
 * killed and removed (see cgroup.h). Values are checked in cgroup_value.c,
 * the host's layout found in cgroup_layout.c, the files read in
 * cgroup_stat.c.
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/host.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"
#include "cgroup_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- files ---- */

/* Writes VALUE to DIR/FILE: the openat and the write are what the lesson
 * shows, so both are traced; close(2) is not. 0, or -1 with the error
 * recorded (common/err.h). */
int
cg_write_file(const char *dir, const char *file, const char *value)
{
	char path[CG_PATH * 3];
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = (int)TRACE(open(path, O_WRONLY | O_CLOEXEC), "openat",
			    "AT_FDCWD, \"%s\", O_WRONLY|O_CLOEXEC", path);
	if (fd < 0)
		return err_sys("open %s", path);
	long n = TRACE(write(fd, value, len), "write", "%d, %s, %zu", fd, trace_str(value), len);
	int saved = errno;
	close(fd);
	errno = saved;
	if (n == -1)
		return err_sys("writing '%s' to %s", value, path);
	if (n != (long)len)
		return err_set(EIO, "writing '%s' to %s: %ld of %zu bytes written", value, path, n,
			       len);
	return 0;
}

static int
exists(const char *dir, const char *file)
{
	char path[CG_PATH * 3];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* cgroup_impl.h */
const char *
cg_dir_of(const struct cg *cg, const char *controller, int *version)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->layout->h[cg->d[i].hier];

		if ((h->version == 1 && controller &&
		     proc_has_words(h->controllers, controller, ',')) ||
		    (h->version == 2 && !controller)) {
			if (version)
				*version = h->version;
			return cg->d[i].dir;
		}
	}
	return NULL;
}

/* cgroup_impl.h */
const char *
cg_locate(const struct cg *cg, const char *file, const char **v1)
{
	const char *controller = cg_v1_controller(file);
	const char *dir = controller ? cg_dir_of(cg, controller, NULL) : NULL;

	*v1 = NULL;
	if (dir) {
		*v1 = cg_v1_file(file);
		return dir;
	}
	return cg_dir_of(cg, NULL, NULL);
}

/* ---- a cgroup of our own ---- */

/* Appends WORD to the space-separated list in buf. */
static void
add_word(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? " " : "", word);
}

void
cg_empty(struct cg *cg, const struct cg_layout *l, const char *name)
{
	cg->layout = l;
	cg->n = 0;
	snprintf(cg->name, sizeof(cg->name), "%s", name);
}

int
cg_take(struct cg *cg, int hier)
{
	size_t i = cg->n++;

	cg->d[i].hier = hier;
	cg->d[i].dir[0] = cg->d[i].parent[0] = '\0';
	cg->d[i].enabled[0] = cg->d[i].want[0] = '\0';
	return (int)i;
}

int
cg_plan(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	const char *const controllers[])
{
	cg_empty(cg, l, name);
	for (size_t c = 0; controllers[c]; c++) {
		int h = cg_layout_find(l, controllers[c]);
		size_t i;

		if (h < 0)
			return err_set(ENOENT,
				       "the %s controller is not available here (%s): not mounted, "
				       "or not in cgroup.controllers",
				       controllers[c], cg_kind_name(l->kind));
		for (i = 0; i < cg->n && cg->d[i].hier != h; i++)
			;
		if (i == cg->n)
			cg_take(cg, h);
		/* Freezing and devices are no controllers on v2: nothing to
		 * enable for them. */
		if (l->h[h].version == 2 && !cg_v2_core(controllers[c]))
			add_word(cg->d[i].want, sizeof(cg->d[i].want), controllers[c]);
	}
	for (size_t i = 0; i < cg->n; i++) {
		const char *pdir = l->h[cg->d[i].hier].base;

		if (parent) {
			size_t k;
			for (k = 0; k < parent->n && parent->d[k].hier != cg->d[i].hier; k++)
				;
			if (k == parent->n) {
				cg->n = 0;
				return err_set(EINVAL, "%s: the parent lacks a controller", name);
			}
			pdir = parent->d[k].dir;
		}
		snprintf(cg->d[i].parent, sizeof(cg->d[i].parent), "%s", pdir);
		snprintf(cg->d[i].dir, sizeof(cg->d[i].dir), "%s/%s", pdir, name);
		/* What is off in the parent now, cg_make() will probably turn on. */
		char path[sizeof(cg->d[i].parent) + 32], on[256], want[128], *save = NULL;
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", pdir);
		if (!cg->d[i].want[0] || proc_read(path, on, sizeof(on)) < 0)
			on[0] = '\0';
		on[strcspn(on, "\n")] = '\0';
		snprintf(want, sizeof(want), "%s", cg->d[i].want);
		for (char *c = strtok_r(want, " ", &save); c; c = strtok_r(NULL, " ", &save))
			if (!proc_has_words(on, c, ' '))
				add_word(cg->d[i].enabled, sizeof(cg->d[i].enabled), c);
	}
	return 0;
}

/* flock(2) on DIR (a cgroup directory: cgroupfs takes it like any other
 * file system); the descriptor to close, or -1. Plumbing: not traced. */
static int
lock_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_sys("open %s", dir);
	if (flock(fd, LOCK_EX) != 0) {
		err_sys("flock %s", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * v2: the controllers these helpers turned on in a parent's
 * cgroup.subtree_control and have not given back, kept on the parent
 * itself as an extended attribute (cgroupfs keeps trusted.* ones,
 * xattr(7)). It outlives the cgroup that turned them on: when that one
 * goes first while another of ours still relies on them, the last of ours
 * to go gives them back. Where the attribute cannot be kept, each cgroup
 * gives back only what it turned on itself. Called with the parent locked.
 */
#define ENABLED_XATTR "trusted.nutshell.enabled"

static void
enabled_get(const char *parent, char *list, size_t size)
{
	ssize_t n = getxattr(parent, ENABLED_XATTR, list, size - 1);
	list[n > 0 ? n : 0] = '\0';
}

/* The words of MORE that LIST lacks, added to it (a set union). */
static void
add_words(char *list, size_t size, const char *more)
{
	char copy[128], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", more);
	for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save))
		if (!proc_has_words(list, c, ' '))
			add_word(list, size, c);
}

static void
enabled_add(const char *parent, const char *more)
{
	char list[128];

	enabled_get(parent, list, sizeof(list));
	add_words(list, sizeof(list), more);
	TRACE(setxattr(parent, ENABLED_XATTR, list, strlen(list), 0), "setxattr",
	      "\"%s\", \"%s\", \"%s\", %zu, 0", parent, ENABLED_XATTR, list, strlen(list));
}

int
cg_make(struct cg *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		const char *pdir = cg->d[i].parent;
		int lock = -1;

		cg->d[i].enabled[0] = '\0';
		if (cg->d[i].want[0]) {
			/* A v2 cgroup offers its children only the controllers
			 * enabled in its cgroup.subtree_control. Locked: another
			 * cg_remove() must not turn one off before our mkdir. */
			char path[sizeof(cg->d[i].parent) + 32], on[256], want[128], *save = NULL;

			if ((lock = lock_dir(pdir)) < 0) {
				int e = errno;
				cg->d[i].dir[0] = '\0';
				cg->n = i + 1;
				cg_remove(cg);
				return err_set(e, "cannot lock %s: %s", pdir, strerror(e));
			}
			snprintf(path, sizeof(path), "%s/cgroup.subtree_control", pdir);
			if (proc_read(path, on, sizeof(on)) < 0)
				on[0] = '\0';
			on[strcspn(on, "\n")] = '\0';
			snprintf(want, sizeof(want), "%s", cg->d[i].want);
			for (char *c = strtok_r(want, " ", &save); c;
			     c = strtok_r(NULL, " ", &save)) {
				char plus[32];

				if (proc_has_words(on, c, ' '))
					continue;
				snprintf(plus, sizeof(plus), "+%s", c);
				if (cg_write_file(pdir, "cgroup.subtree_control", plus) != 0) {
					int e = errno;
					close(lock); /* cg_remove() takes it again */
					cg->d[i].dir[0] = '\0';
					cg->n = i + 1;
					cg_remove(cg);
					/* EBUSY: the host's layout is why (host.h). */
					char why[512];
					const char *w = host_cgroup_why(e, path, why, sizeof(why));
					return err_set(e, "cannot enable %s in %s: %s", c, path,
						       w ? w : strerror(e));
				}
				add_word(cg->d[i].enabled, sizeof(cg->d[i].enabled), c);
			}
			if (cg->d[i].enabled[0])
				enabled_add(pdir, cg->d[i].enabled);
		}
		int made = (int)TRACE(mkdirat(AT_FDCWD, cg->d[i].dir, 0755), "mkdirat",
				      "AT_FDCWD, \"%s\", 0755", cg->d[i].dir);
		int e = errno;
		if (lock >= 0)
			close(lock);
		if (made != 0) {
			/* This one was not made: only undo what it enabled. */
			cg->d[i].dir[0] = '\0';
			cg->n = i + 1;
			cg_remove(cg);
			/* A read-only cgroupfs, no delegation: the host is why
			 * (host.h). err_print() says so for a read-only
			 * /sys/fs/cgroup itself (host_why): not twice. */
			char why[512];
			const char *w = e == EROFS
					    ? NULL
					    : host_cgroup_why(e, cg->d[i].parent, why, sizeof(why));
			return err_set(e, "mkdir %s: %s%s%s", cg->d[i].parent, strerror(e),
				       w ? ": " : "", w ? w : "");
		}
	}
	return 0;
}

int
cg_create(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	  const char *const controllers[])
{
	if (cg_plan(cg, l, parent, name, controllers) != 0)
		return -1;
	return cg_make(cg);
}

int
cg_has(const struct cg *cg, const char *file)
{
	const char *v1, *dir = cg_locate(cg, file, &v1);

	return dir && exists(dir, v1 ? v1 : file);
}

int
cg_set(struct cg *cg, const char *file, const char *value)
{
	char norm[256];
	const char *controller = cg_v1_controller(file);
	int version = 2;

	if (cg_normalize(file, value, norm, sizeof(norm)) != 0)
		return -1;
	const char *dir = controller ? cg_dir_of(cg, controller, &version) : NULL;
	if (!dir) {
		/* v2 (a v1 host has a v1 directory for each controller we use). */
		if (!(dir = cg_dir_of(cg, NULL, NULL)))
			return err_set(ENOENT, "%s: this cgroup has no %s controller", file,
				       controller ? controller : "such");
		if (!exists(dir, file))
			return err_set(ENOENT, "%s does not exist in %s", file, dir);
		if (cg_write_file(dir, file, norm) != 0)
			return err_set(errno, "writing '%s' to %s/%s: %s", norm, dir, file,
				       strerror(errno));
		return 0;
	}

	struct cg_v1_write w[4];
	uint64_t limit = CG_UNLIMITED;
	if (strcmp(file, "memory.swap.max") == 0) {
		char path[sizeof(cg->d[0].dir) + 32], text[64];

		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
		if (proc_read(path, text, sizeof(text)) > 0 &&
		    strtoull(text, NULL, 10) < (1ULL << 62))
			limit = strtoull(text, NULL, 10);
	}
	int n = cg_v1_translate(file, norm, limit, w, 4);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *d = cg_dir_of(cg, w[i].controller, NULL);

		if (!d || !exists(d, w[i].file))
			return err_set(
			    ENOENT, "%s (v1 for %s) does not exist here%s", w[i].file, file,
			    strstr(w[i].file, "memsw") ? ": swap accounting is off" : "");
		if (cg_write_file(d, w[i].file, w[i].value) != 0)
			return err_set(errno, "writing '%s' to %s/%s: %s", w[i].value, d, w[i].file,
				       strerror(errno));
	}
	return 0;
}

int
cg_attach(struct cg *cg, pid_t pid)
{
	char num[32];

	snprintf(num, sizeof(num), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write_file(cg->d[i].dir, "cgroup.procs", num) != 0) {
			/* EOPNOTSUPP on v2: the host's layout is why (host.h);
			 * else cg_write_file's record stands. */
			int e = errno;
			char path[sizeof(cg->d[i].dir) + 16], why[512];
			snprintf(path, sizeof(path), "%s/cgroup.procs", cg->d[i].dir);
			const char *w = host_cgroup_why(e, path, why, sizeof(why));
			return w ? err_set(e, "moving %s into %s: %s", num, cg->d[i].dir, w) : -1;
		}
	return 0;
}

/* <<< join */
int
cg_join(struct cg *cg)
{
	/* Moving another process (a pid) or a whole thread group takes the
	 * kernel's global cgroup_threadgroup_rwsem for writing, which waits
	 * for an RCU grace period: about a millisecond here. A thread moving
	 * itself ("0") to a v1 tasks file needs no such lock - it cannot exit
	 * or exec while it writes (cgroup_procs_write_start() in
	 * kernel/cgroup/cgroup.c). v2 has no per-thread file outside threaded
	 * cgroups: cgroup.procs there. For a single-threaded caller only. */
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write_file(cg->d[i].dir,
				  cg->layout->h[cg->d[i].hier].version == 1 ? "tasks"
									    : "cgroup.procs",
				  "0") != 0)
			return -1;
	return 0;
}
/* >>> join */

/* Appends the pids of DIR/cgroup.procs to pids; the new count. */
static size_t
read_pids(const char *dir, pid_t *pids, size_t n, size_t max)
{
	char path[CG_PATH * 3], text[65536];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (proc_read(path, text, sizeof(text)) < 0)
		return n;
	for (char *p = text, *end; *p && n < max; p = end + (*end == '\n')) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (pid_t)v;
	}
	return n;
}

int
cg_kill(struct cg *cg)
{
	static pid_t pids[8192];
	double deadline = wait_now() + 5;
	const char *v2 = cg_dir_of(cg, NULL, NULL);
	int used_kill_file = 0;

	/* cgroup.kill (Linux 5.14) kills every process at once, with no race
	 * against a process that forks meanwhile. */
	if (v2 && exists(v2, "cgroup.kill")) {
		if (cg_write_file(v2, "cgroup.kill", "1") != 0)
			return -1;
		used_kill_file = 1;
	}
	/* A v1 frozen task does not even die of SIGKILL until thawed. */
	const char *freezer = cg_dir_of(cg, "freezer", NULL);
	char state[64], path[CG_PATH * 3];
	snprintf(path, sizeof(path), "%s/freezer.state", freezer ? freezer : "");
	if (freezer && proc_read(path, state, sizeof(state)) > 0 &&
	    strncmp(state, "THAWED", 6) != 0)
		cg_write_file(freezer, "freezer.state", "THAWED");
	for (;;) {
		size_t n = 0;

		/* On v1 a process is in one cgroup per hierarchy: any will do,
		 * but look at all, in case one attach failed half-way. */
		for (size_t i = 0; i < cg->n; i++)
			n = read_pids(cg->d[i].dir, pids, n, sizeof(pids) / sizeof(pids[0]));
		if (n == 0)
			return 0;
		if (wait_now() > deadline)
			return err_set(EBUSY, "%s: %zu processes still there 5 s after SIGKILL",
				       cg->d[0].dir, n);
		/* cgroup.kill signals the leader thread of each process only
		 * (send_sig): one whose leader has exited, its other threads
		 * still running, lives on (seen on 6.1 and 6.18). kill(2) of
		 * the process reaches them: from the second round on. */
		if (!used_kill_file || used_kill_file++ > 1)
			for (size_t i = 0; i < n; i++)
				TRACE(kill(pids[i], SIGKILL), "kill", "%d, SIGKILL", (int)pids[i]);
		wait_sleep(0.02, -1);
	}
}

/* rmdir DIR, traced; while EBUSY, retried (a killed process is still
 * leaving). */
static int
remove_dir(const char *dir)
{
	double deadline = wait_now() + 5, pause = 0.01;

	for (;;) {
		if (TRACE(unlinkat(AT_FDCWD, dir, AT_REMOVEDIR), "unlinkat",
			  "AT_FDCWD, \"%s\", AT_REMOVEDIR", dir) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EBUSY || wait_now() > deadline)
			return err_sys("rmdir %s", dir);
		wait_sleep(pause, -1);
		pause = pause < 0.5 ? pause * 2 : pause;
	}
}

/* A cgroup beneath PARENT other than SELF that may rely on what PARENT
 * enables: one of ours (cgroup.h, CG_PREFIX); its name, or NULL. */
static const char *
user_beside(const char *parent, const char *self)
{
	static char name[256];
	const char *base = strrchr(parent, '/'), *me = strrchr(self, '/');
	int ours = base && strncmp(base + 1, CG_PREFIX, strlen(CG_PREFIX)) == 0;
	DIR *d = opendir(parent);
	struct dirent *e;

	name[0] = '\0';
	while (d && (e = readdir(d)) && !name[0])
		if (e->d_type == DT_DIR && e->d_name[0] != '.' &&
		    (!me || strcmp(e->d_name, me + 1) != 0) &&
		    (ours || strncmp(e->d_name, CG_PREFIX, strlen(CG_PREFIX)) == 0))
			snprintf(name, sizeof(name), "%s", e->d_name);
	if (d)
		closedir(d);
	return name[0] ? name : NULL;
}

/* Disables what ours turned on in PARENT's cgroup.subtree_control (ENABLED,
 * by SELF, and what ENABLED_XATTR says), if nobody else of ours
 * (user_beside) is there; SELF is gone already. */
static int
give_back(const char *parent, const char *self, const char *enabled)
{
	char list[128], kept[128], *save = NULL;
	int lock = lock_dir(parent), ret = 0;

	if (lock < 0)
		return errno == ENOENT ? 0 : -1; /* no parent: nothing to give back */
	enabled_get(parent, kept, sizeof(kept));
	snprintf(list, sizeof(list), "%s", kept);
	add_words(list, sizeof(list), enabled);
	const char *user = user_beside(parent, self);
	if (user) {
		if (list[0])
			trace_note("%s stay enabled in %s/cgroup.subtree_control: %s may rely "
				   "on them",
				   list, parent, user);
		close(lock);
		return 0;
	}
	for (char *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		char minus[32];

		snprintf(minus, sizeof(minus), "-%s", c);
		if (cg_write_file(parent, "cgroup.subtree_control", minus) != 0)
			ret = -1;
	}
	if (kept[0])
		TRACE(removexattr(parent, ENABLED_XATTR), "removexattr", "\"%s\", \"%s\"", parent,
		      ENABLED_XATTR);
	close(lock);
	return ret;
}

/* Is there anything of ours to give back in PARENT (v2)? */
static int
kept_in(const char *parent)
{
	return getxattr(parent, ENABLED_XATTR, NULL, 0) > 0;
}

int
cg_remove(struct cg *cg)
{
	int ret = 0;

	for (size_t k = cg->n; k-- > 0;) {
		if (cg->d[k].dir[0] && remove_dir(cg->d[k].dir) != 0)
			ret = -1; /* still there: it keeps what it has */
		else if ((cg->d[k].enabled[0] || kept_in(cg->d[k].parent)) &&
			 give_back(cg->d[k].parent, cg->d[k].dir, cg->d[k].enabled) != 0)
			ret = -1;
		cg->d[k].enabled[0] = '\0';
		cg->d[k].dir[0] = '\0';
	}
	cg->n = 0;
	return ret;
}

/* For a program run by a user who may not create cgroups: 0 when the
 * caller may write its own cgroup in each hierarchy of CONTROLLERS, else -1
 * with one line saying what is needed. */
static int
check_access(const struct cg_layout *l, const char *const controllers[])
{
	for (size_t c = 0; controllers[c]; c++) {
		int h = cg_layout_find(l, controllers[c]);

		if (h < 0)
			return err_set(
			    ENOENT, "needs the %s controller, which this host (%s) does not offer",
			    controllers[c], cg_kind_name(l->kind));
		if (access(l->h[h].base, W_OK) != 0 && errno == EROFS)
			/* Root or not, a read-only mount is why (inside another
			 * container): the printer adds host_why()'s line. */
			return err_set(EROFS, "cannot write %s: the cgroup filesystem is read-only",
				       l->h[h].base);
		if (access(l->h[h].base, W_OK) != 0)
			return err_set(
			    EACCES,
			    "needs root, or a cgroup delegated to you (systemd-run --user "
			    "--scope -p Delegate=yes ...): cannot write %s",
			    l->h[h].base);
	}
	return 0;
}

pid_t
cg_fork(struct cg *cg, int (*fn)(void *), void *arg, unsigned timeout)
{
	int go[2];
	char byte = 0;

	if (pipe2(go, O_CLOEXEC) != 0)
		return err_sys("pipe2");
	/* TRACE() by halves: the child must not report the call as its own
	 * (strace sees one clone, in the parent). */
	trace_begin("clone", "child_stack=NULL, "
			     "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	pid_t pid = fork();
	if (pid == 0) {
		wait_unblock_signals();
		close(go[1]);
		alarm(timeout);
		/* End of file without a byte: the parent could not attach us. */
		if (read(go[0], &byte, 1) != 1)
			_exit(EXIT_DEMO_FAILED);
		close(go[0]);
		_exit(fn(arg));
	}
	trace_end(pid);
	close(go[0]);
	if (pid < 0)
		err_sys("fork");
	if (pid < 0 || cg_attach(cg, pid) != 0) {
		int saved = errno;
		close(go[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		errno = saved;
		return -1;
	}
	if (write(go[1], &byte, 1) != 1) {
		err_sys("telling the child it is in its cgroup");
		close(go[1]);
		return -1;
	}
	close(go[1]);
	return pid;
}

int
cg_prepare(struct cg_layout *l, const char *const controllers[])
{
	if (cg_layout_detect(l) != 0)
		return -1;
	return cg_prepare_detected(l, controllers);
}

int
cg_prepare_detected(const struct cg_layout *l, const char *const controllers[])
{
	if (check_access(l, controllers) != 0)
		return -1;
	trace_note("cgroup layout: %s", cg_kind_name(l->kind));
	for (size_t c = 0; controllers[c]; c++) {
		const struct cg_hier *h = &l->h[cg_layout_find(l, controllers[c])];

		trace_note("%s: cgroup v%d, our cgroup %s is %s", controllers[c], h->version,
			   h->path, h->dir);
		if (strcmp(h->base, h->dir) != 0)
			trace_note("%s holds processes, and a v2 cgroup with processes cannot give "
				   "its children controllers (cgroups(7), no internal processes): "
				   "new cgroups go beneath %s",
				   h->dir, h->base);
	}
	return 0;
}
