/*
 * hostcheck.c - snapshots of what a test could leave behind (hostcheck.h).
 */
#include "hostcheck.h"
#include "../../02-cgroups/cgroup.h"
#include "../../common/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static struct snapshot baseline;

static int
add(struct snapshot *s, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **lines = realloc(s->lines, cap * sizeof(*lines));
		if (!lines)
			return -1;
		s->lines = lines;
		s->cap = cap;
	}
	if (!(s->lines[s->n] = strdup(line)))
		return -1;
	s->n++;
	return 0;
}

/* Every entry of dir whose name starts with prefix; a missing dir is empty. */
static int
add_dir(struct snapshot *s, const char *kind, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			add(s, "%s %s", kind, e->d_name);
	closedir(d);
	return 0;
}

/* nftw() has no user argument: the snapshot being filled, and whether the
 * hierarchy walked is cgroup v2. */
static struct snapshot *walking;
static int walking_v2;

/* v2: the controllers DIR hands to its children. A program that enables
 * one (cg_create) must give it back; cgroup.c says when it may not. */
static void
add_subtree_control(const char *dir)
{
	char path[4200], text[512];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (proc_read(path, text, sizeof(text)) < 0)
		return;
	text[strcspn(text, "\n")] = '\0';
	add(walking, "subtree_control %s '%s'", dir, text);
}

static int
add_cgroup_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (type != FTW_D)
		return 0;
	if (ftw->level > 0)
		add(walking, "cgroup %s", path);
	if (walking_v2)
		add_subtree_control(path);
	return 0;
}

/* Every cgroup beneath the place each hierarchy's new cgroups go: our own
 * cgroup, or on v2 the nearest ancestor without processes (lesson 02's
 * cg_layout_detect() decides, as it does for the programs). */
static int
add_cgroups(struct snapshot *s)
{
	struct cg_layout l;

	if (cg_layout_detect(&l) != 0)
		return 0; /* no cgroup mounted: nothing to leave behind there */
	for (size_t i = 0; i < l.n; i++) {
		/* A named v1 hierarchy (name=systemd) has no controller: nothing
		 * of ours goes there, and the host's own tools come and go in it. */
		if (strncmp(l.h[i].controllers, "name=", 5) == 0)
			continue;
		walking = s;
		walking_v2 = l.h[i].version == 2;
		nftw(l.h[i].base, add_cgroup_dir, 16, FTW_PHYS);
		/* And the tests' own at the hierarchy's root: the podman test
		 * gives podman --cgroup-parent /nutshell-test-podman-PID, which
		 * cgroupfs makes there, outside our cgroup (test_oci_podman.c). */
		char pattern[sizeof(l.h[i].mount) + 32];
		glob_t g;
		snprintf(pattern, sizeof(pattern), "%s/nutshell-test-*", l.h[i].mount);
		if (strcmp(l.h[i].mount, l.h[i].base) != 0 &&
		    glob(pattern, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				add(s, "cgroup %s", g.gl_pathv[k]); /* nftw's level 0 */
				nftw(g.gl_pathv[k], add_cgroup_dir, 16, FTW_PHYS);
			}
			globfree(&g);
		}
	}
	return 0;
}

/* ---- the default image, which no test may write (bundle roots are copies) ---- */

/* The tree hostcheck_tree() is listing: nftw() has no user argument. */
static size_t tree_prefix;

/* The sha256 of a regular file's bytes, in hex; "?" when unreadable. The
 * default image is ~3 MB (busybox, inspect): hashing it is cheap. */
static void
file_sha256(const char *path, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
	uint8_t buf[65536], md[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	strcpy(hex, "?");
	if (fd == -1)
		return;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&c, (size_t)n, buf);
	close(fd);
	if (n == -1)
		return;
	sha256_digest(&c, sizeof(md), md);
	for (size_t i = 0; i < sizeof(md); i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

/* One line per entry: its path in the tree, type, mode, owner, and what
 * it holds (a file's size and sha256, a link's target, a node's numbers).
 * Not a directory's size or any time: ext4 directories never shrink, and
 * reading a file changes its atime. */
static int
add_tree_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *name = path[tree_prefix] ? path + tree_prefix : "/";
	char what[4200] = "", hex[2 * SHA256_DIGEST_SIZE + 1];
	char kind = S_ISDIR(st->st_mode)    ? 'd'
		    : S_ISREG(st->st_mode)  ? 'f'
		    : S_ISLNK(st->st_mode)  ? 'l'
		    : S_ISCHR(st->st_mode)  ? 'c'
		    : S_ISBLK(st->st_mode)  ? 'b'
		    : S_ISFIFO(st->st_mode) ? 'p'
		    : S_ISSOCK(st->st_mode) ? 's'
					    : '?';

	(void)ftw;
	if (type == FTW_NS || type == FTW_DNR) {
		add(walking, "image %s unreadable", name);
		return 0;
	}
	if (kind == 'f') {
		file_sha256(path, hex);
		snprintf(what, sizeof(what), "%lld sha256:%s", (long long)st->st_size, hex);
	} else if (kind == 'l') {
		ssize_t n = readlink(path, what + 3, sizeof(what) - 4);
		memcpy(what, "-> ", 3);
		what[n > 0 ? 3 + n : 3] = '\0';
	} else if (kind == 'c' || kind == 'b') {
		snprintf(what, sizeof(what), "%u:%u", major(st->st_rdev), minor(st->st_rdev));
	}
	add(walking, "image %s %c %04o %u:%u%s%s", name, kind, (unsigned)(st->st_mode & 07777),
	    (unsigned)st->st_uid, (unsigned)st->st_gid, what[0] ? " " : "", what);
	return 0;
}

int
hostcheck_tree(struct snapshot *s, const char *dir)
{
	walking = s;
	tree_prefix = strlen(dir);
	if (access(dir, F_OK) == -1)
		return 0; /* not built: nothing to compare */
	return nftw(dir, add_tree_entry, 16, FTW_PHYS);
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
hostcheck_snapshot(struct snapshot *s)
{
	size_t size = 1 << 20;
	char *mountinfo = malloc(size);
	int ret = -1;

	*s = (struct snapshot){0};
	if (!mountinfo || proc_read("/proc/self/mountinfo", mountinfo, size) < 0)
		goto out;
	for (char *save = NULL, *line = strtok_r(mountinfo, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;

		if (proc_parse_mountinfo(line, &m) == 0)
			add(s, "mount %s %s", m.point, m.fstype);
	}
	if (add_cgroups(s) != 0)
		goto out;
	add_dir(s, "link", "/sys/class/net", "");
	add_dir(s, "netns", "/run/netns", "");
	add_dir(s, "tmp", "/tmp", "nutshell");
	add_dir(s, "shm", "/dev/shm", "nutshell"); /* the launcher's scratch directories */
	if (hostcheck_tree(s, HOSTCHECK_IMAGE) != 0)
		goto out;
	qsort(s->lines, s->n, sizeof(*s->lines), by_text);
	ret = 0;
out:
	free(mountinfo);
	return ret;
}

void
hostcheck_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	*s = (struct snapshot){0};
}

size_t
hostcheck_diff(const struct snapshot *a, const struct snapshot *b, char *out, size_t size)
{
	size_t i = 0, j = 0, n = 0, len = 0;

	out[0] = '\0';
	/* Both lists are sorted: walk them side by side, like comm(1). */
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->lines[i], b->lines[j]);
		const char *line = c < 0 ? a->lines[i++] : c > 0 ? b->lines[j++] : NULL;

		if (c == 0) {
			i++, j++;
			continue;
		}
		n++;
		if (len < size)
			len += (size_t)snprintf(out + len, size - len, "%s %s\n", c < 0 ? "-" : "+",
						line);
	}
	return n;
}

int
hostcheck_take_baseline(void)
{
	return hostcheck_snapshot(&baseline);
}

const struct snapshot *
hostcheck_baseline(void)
{
	return &baseline;
}
