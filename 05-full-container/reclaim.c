/*
 * reclaim.c - what a nutshell killed half-way leaves behind, found and
 * removed (see ctr.h): `nutshell cleanup`, and a quiet pass at the start of
 * every `nutshell run`.
 *
 * SIGKILL cannot be caught, so a launcher killed at the wrong moment
 * cannot clean up after itself. The kernel reclaims most of a container by
 * itself: the child dies with its parent (PR_SET_PDEATHSIG, and end of file
 * on the start pipe), the pid namespace with its pid 1, and with the last
 * process the mount namespace, its tmpfs and overlay, and the network
 * namespace with its veth. Two things are not the kernel's to reclaim: the
 * cgroup directories (a cgroup outlives its processes until rmdir(2)) and
 * the scratch directory /dev/shm/nutshell-run-ID.XXXXXX the tmpfs was mounted
 * on (/tmp/... where there is no /dev/shm).
 *
 * Which of them are orphans? The name says "nutshell made this" (the
 * 12-digit container id in both names), and a lock says "someone is still
 * using it": a running nutshell holds flock(2) on its scratch directory from
 * before its cgroup exists until after the cgroup is gone. The kernel drops
 * the lock when the holder dies, whatever killed it, so a scratch directory
 * we can lock is an orphan; and a cgroup nutshell-ID with no locked scratch
 * directory of the same ID is one too. Read: flock(2), prctl(2)
 * PR_SET_PDEATHSIG, cgroups(7).
 */
#include "../02-cgroups/cgroup.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where scratch directories go: /dev/shm, the tmpfs every Linux system has
 * (shm_overview(7)), so that making and removing one costs no disk journal -
 * on an ext4 /tmp that was half a millisecond of every start; /tmp where
 * there is no /dev/shm (a bare chroot). `nutshell cleanup` looks in both. */
static const char *const scratch_bases[] = {"/dev/shm", "/tmp"};
#define N_BASES (sizeof(scratch_bases) / sizeof(scratch_bases[0]))

static const char *
scratch_base(void)
{
	struct stat st;

	if (stat(scratch_bases[0], &st) == 0 && S_ISDIR(st.st_mode) &&
	    access(scratch_bases[0], W_OK) == 0)
		return scratch_bases[0];
	return scratch_bases[1];
}
/* In the scratch directory (hidden inside the container by its tmpfs): the
 * cgroup directories made for it. A reclaiming nutshell may run in another
 * cgroup and so look beneath other directories than the one that made them. */
#define RECORD "cgroups"

FILE *
ctr_record_begin(const char *scratch, const char *name)
{
	char next[4200];

	snprintf(next, sizeof(next), "%s/%s.new", scratch, name);
	return fopen(next, "wxe");
}

int
ctr_record_commit(FILE *f, const char *scratch, const char *name)
{
	char path[4200], next[4210];

	/* Renamed over the last one: whenever we die, the record is whole. */
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	snprintf(next, sizeof(next), "%s.new", path);
	if (fclose(f) != 0 || rename(next, path) != 0) {
		unlink(next);
		return -1;
	}
	return 0;
}

int
ctr_record_cgroups(const char *scratch, const struct cg *cg)
{
	/* The plan first, then what was made. */
	FILE *f = ctr_record_begin(scratch, RECORD);

	if (!f)
		return err_sys("%s/" RECORD ".new", scratch);
	if (cg_record_write(cg, f) == -1) {
		char next[4200];

		/* Half a record must not replace the last whole one. */
		fclose(f);
		snprintf(next, sizeof(next), "%s/" RECORD ".new", scratch);
		unlink(next); /* cg_record_write said why */
		return -1;
	}
	if (ctr_record_commit(f, scratch, RECORD) == -1)
		return err_sys("%s/" RECORD, scratch);
	return 0;
}

void
ctr_unrecord(const char *scratch)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/" RECORD ".new", scratch);
	unlink(path); /* one half written when its writer was killed */
	snprintf(path, sizeof(path), "%s/" RECORD, scratch);
	unlink(path);
	/* What alloc.c recorded: the ids and subnet are free again. */
	ctr_alloc_release(scratch);
}

int
ctr_make_scratch(const char *id, char *out, size_t size)
{
	const char *base = scratch_base();
	struct stat path_st, fd_st;

	/* Between mkdtemp and flock another nutshell's reclaim may take the
	 * new directory for an orphan and remove it: once locked, it must
	 * still be the directory at that path, else make another. */
	for (int tries = 0; tries < 5; tries++) {
		if ((size_t)snprintf(out, size, "%s/nutshell-run-%s.XXXXXX", base, id) >= size)
			return err_set(ENAMETOOLONG, "%s: scratch directory name too long", base);
		if (!mkdtemp(out))
			return err_sys("%s", out);
		int fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			continue;
		if (TRACE(flock(fd, LOCK_EX | LOCK_NB), "flock", "%d, LOCK_EX|LOCK_NB", fd) == 0 &&
		    fstat(fd, &fd_st) == 0 && stat(out, &path_st) == 0 &&
		    fd_st.st_ino == path_st.st_ino && fd_st.st_dev == path_st.st_dev)
			return fd;
		close(fd);
		rmdir(out); /* ours, if it is still there */
	}
	return err_set(0, "%s: removed again and again while being made", out);
}

/* The container id of a name "PREFIX" + 12 hex digits + END, or NULL. */
static const char *
id_of(const char *name, const char *prefix, const char *end, char id[13])
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0 || strspn(name + n, "0123456789abcdef") != 12 ||
	    strncmp(name + n + 12, end, strlen(end)) != 0)
		return NULL;
	memcpy(id, name + n, 12);
	id[12] = '\0';
	return id;
}

static struct cg_layout layout, recorded;
static int have_layout = -1; /* -1: not looked yet; 0: no cgroups for us */

static int
detect_layout(void)
{
	if (have_layout < 0) {
		/* No cgroups for us: nothing of ours to reclaim, no error. */
		have_layout = cg_layout_detect(&layout) == 0;
		err_clear();
	}
	return have_layout;
}

static int remove_dirs(struct cg *cg, int report);

/* The cgroup nutshell-ID in every hierarchy where it exists: its processes
 * killed, then the directories removed (cg_kill, cg_remove of lesson 02). */
static int
remove_cgroup(const char *id, int report)
{
	struct cg cg;
	char name[64];

	if (!detect_layout())
		return 0;
	snprintf(name, sizeof(name), "nutshell-%s", id);
	return cg_lookup(&cg, &layout, name) > 0 ? remove_dirs(&cg, report) : 0;
}

/* Kills and removes CG, reporting what went; returns how many. */
static int
remove_dirs(struct cg *cg, int report)
{
	char dirs[CG_MAX_HIER][sizeof(cg->d[0].dir)];
	size_t n = cg->n;
	struct stat st;
	int removed = 0;

	/* A record is written before its cgroup is made: one that never was
	 * is no news. */
	for (size_t i = 0; i < n; i++)
		snprintf(dirs[i], sizeof(dirs[i]), "%s",
			 stat(cg->d[i].dir, &st) == 0 ? cg->d[i].dir : "");
	cg_kill(cg);   /* PR_SET_PDEATHSIG should have killed them all; make sure */
	cg_remove(cg); /* and gives back what the record says it enabled */
	for (size_t i = 0; i < n; i++)
		if (dirs[i][0] && stat(dirs[i], &st) != 0) {
			removed++;
			if (report)
				printf("removed cgroup %s\n", dirs[i]);
			else
				trace_note(
				    "reclaimed cgroup %s, left by a nutshell that was killed",
				    dirs[i]);
		} else if (dirs[i][0])
			trace_error("cleanup: cannot remove cgroup %s", dirs[i]);
	return removed;
}

/* The cgroups SCRATCH's record names, each checked to be nutshell-ID
 * beneath /sys/fs/cgroup; -1 when there is no record. */
static int
remove_recorded(const char *scratch, const char *id, int report)
{
	char path[4200], name[32];
	struct cg cg;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" RECORD, scratch);
	if (!(f = fopen(path, "re"))) {
		ctr_unrecord(scratch); /* a half-written first one, maybe */
		return -1;
	}
	snprintf(name, sizeof(name), "nutshell-%s", id);
	/* Only nutshell-ID beneath /sys/fs/cgroup: the record is in a
	 * directory of /dev/shm, where another user may have put it. */
	cg_record_read(&cg, &recorded, f, "/sys/fs/cgroup/", name);
	err_clear(); /* a record that cannot be read names nothing to remove */
	fclose(f);
	int n = remove_dirs(&cg, report);
	ctr_unrecord(scratch);
	return n;
}

/* Is there a scratch directory of container ID? (Then its lock decides.) */
static int
scratch_exists(const char *id)
{
	char pattern[64];
	glob_t g;
	int found = 0;

	for (size_t b = 0; b < N_BASES && !found; b++) {
		snprintf(pattern, sizeof(pattern), "%s/nutshell-run-%s.*", scratch_bases[b], id);
		found = glob(pattern, GLOB_NOSORT, NULL, &g) == 0;
		globfree(&g);
	}
	return found;
}

/* No process in BASE/NAME, and made more than a minute ago. */
static int
abandoned(const char *base, const char *name)
{
	char path[sizeof(layout.h[0].base) + 64], procs[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", base, name);
	FILE *f = fopen(path, "re");
	int empty = f && !fgets(procs, sizeof(procs), f);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/%s", base, name);
	return empty && stat(path, &st) == 0 && time(NULL) - st.st_mtime > 60;
}

/* The scratch directory PATH, if it is an orphan: its recorded cgroups,
 * then itself. How many things were removed. */
static int
reclaim_scratch(const char *path, int report)
{
	struct stat st;
	char id[13];
	int removed = 0;

	/* Ours by name, a real directory of this user (or, --userns, of the
	 * container root its record names: nutshell gave it away), and not
	 * locked: its nutshell is dead. */
	if (!id_of(strrchr(path, '/') + 1, "nutshell-run-", ".", id) || lstat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && !(geteuid() == 0 && ctr_alloc_owned_by(path, st.st_uid))))
		return 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd); /* a live nutshell's */
		return 0;
	}
	/* The cgroups first, as recorded, then the directory. No record:
	 * killed before its cgroup existed (or just after - the scan in
	 * ctr_reclaim finds that one). Never by name alone: the directory may
	 * be one its maker is about to lock, retrying under the same id. */
	int n = remove_recorded(path, id, report);
	removed += n > 0 ? n : 0;
	if (TRACE(unlinkat(AT_FDCWD, path, AT_REMOVEDIR), "unlinkat", "AT_FDCWD, %s, AT_REMOVEDIR",
		  trace_str(path)) == 0) {
		removed++;
		if (report)
			printf("removed %s\n", path);
		else
			trace_note("reclaimed %s, left by a nutshell that was killed", path);
	} else if (errno != ENOENT) /* its maker gave it up */
		trace_error("cleanup: cannot remove %s: %s", path, strerror(errno));
	close(fd);
	return removed;
}

int
ctr_reclaim(int report)
{
	int removed = 0;
	char id[13];

	/* A start looks where it makes its own; cleanup in every place. */
	for (size_t b = 0; b < N_BASES; b++) {
		char pattern[64];
		glob_t g;

		if (!report && strcmp(scratch_bases[b], scratch_base()) != 0)
			continue;
		snprintf(pattern, sizeof(pattern), "%s/nutshell-run-*.*", scratch_bases[b]);
		if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++)
				removed += reclaim_scratch(g.gl_pathv[i], report);
		globfree(&g);
	}
	/* `nutshell cleanup` also looks at the cgroups themselves: one whose
	 * scratch directory is gone (a /tmp cleaner) has no owner either - if
	 * it is empty and older than a minute: a live nutshell made and
	 * locked its scratch directory first, but maybe in another /tmp. */
	if (report && detect_layout()) {
		for (size_t h = 0; h < layout.n; h++) {
			DIR *d = opendir(layout.h[h].base);
			struct dirent *e;
			while (d && (e = readdir(d)))
				if (e->d_type == DT_DIR && id_of(e->d_name, "nutshell-", "", id) &&
				    e->d_name[21] == '\0' && !scratch_exists(id) &&
				    abandoned(layout.h[h].base, e->d_name))
					removed += remove_cgroup(id, report);
			if (d)
				closedir(d);
		}
	}
	if (report)
		printf(removed ? "cleanup: removed %d\n"
			       : "cleanup: nothing of nutshell's left "
				 "here%.0d\n",
		       removed);
	fflush(stdout);
	return removed;
}

void
ctr_pause_point(const char *stage)
{
	const char *want = getenv("NUTSHELL_TEST_PAUSE");

	if (!want || strcmp(want, stage) != 0)
		return;
	trace_error("NUTSHELL_TEST_PAUSE: paused at %s", stage);
	/* pid 1 of a pid namespace cannot stop itself (signals it has no
	 * handler for are ignored, pid_namespaces(7)): it waits instead. */
	if (getpid() == 1)
		for (;;)
			pause();
	raise(SIGSTOP);
}
