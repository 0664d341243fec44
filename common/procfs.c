/*
 * procfs.c - /proc readers and parsers (see procfs.h).
 */
#include "procfs.h"
#include "decode.h"
#include "err.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mountinfo can be long on a busy host. */
#define PROC_BIG (256 * 1024)

ssize_t
proc_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	/* /proc files are generated on read: loop until end of file. */
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	int saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int
proc_copy(const char *path, int fd)
{
	char text[8192];
	ssize_t n = proc_read(path, text, sizeof(text));

	return n > 0 && write(fd, text, (size_t)n) == n ? 0 : -1;
}

const char *
proc_value(const char *path, char *buf, size_t size)
{
	if (proc_read(path, buf, size) < 0) {
		err_sys("%s", path);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	trace_proc(path, buf);
	return buf;
}

const char *
proc_path(char *buf, size_t size, pid_t pid, const char *name)
{
	if (pid == 0)
		snprintf(buf, size, "/proc/self/%s", name);
	else
		snprintf(buf, size, "/proc/%d/%s", (int)pid, name);
	return buf;
}

const char *
proc_ns_quiet(pid_t pid, const char *ns)
{
	char name[32], path[64];
	char *buf = dec_scratch();

	snprintf(name, sizeof(name), "ns/%s", ns);
	ssize_t n = readlink(proc_path(path, sizeof(path), pid, name), buf, DEC_SCRATCH_SIZE - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

const char *
proc_ns(pid_t pid, const char *ns)
{
	char name[32], path[64];
	const char *id = proc_ns_quiet(pid, ns);

	snprintf(name, sizeof(name), "ns/%s", ns);
	proc_path(path, sizeof(path), pid, name);
	if (!id) {
		err_sys("%s", path);
		return NULL;
	}
	trace_proc(path, id);
	return id;
}

/* Calls show(line) for each line of a /proc file; the line is writable.
 * Returns how many calls returned more than 0 (lines shown), or -1. */
static int
each_line(const char *path, int (*show)(const char *path, char *line, const void *arg),
	  const void *arg)
{
	char *text = malloc(PROC_BIG);
	int ret = -1;

	if (!text)
		return err_sys("reading %s", path);
	if (proc_read(path, text, PROC_BIG) < 0) {
		err_sys("%s", path);
		goto out;
	}
	ret = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ret += show(path, line, arg) > 0;
out:
	free(text);
	return ret;
}

static int
show_status_line(const char *path, char *line, const void *arg)
{
	(void)arg;
	if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
	    strncmp(line, "Seccomp", 7) == 0) {
		/* "CapEff:\t000001ffffffffff" reads better as "CapEff 000001ffffffffff" */
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = ' ';
		trace_proc(path, line);
	}
	return 0;
}

char
proc_state(pid_t pid)
{
	char path[64], text[512], *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* The name in parentheses may hold spaces and ')': the state follows
	 * the last ')'. */
	if (proc_read(path, text, sizeof(text)) < 0 || !(paren = strrchr(text, ')')) ||
	    paren[1] != ' ' || !paren[2])
		return '?';
	char state = paren[2];
	paren[3] = '\0'; /* "1234 (name) S": the rest is numbers */
	trace_proc(path, text);
	return state;
}

int
proc_show_status(pid_t pid)
{
	char path[64];

	return each_line(proc_path(path, sizeof(path), pid, "status"), show_status_line, NULL);
}

static int
show_line(const char *path, char *line, const void *arg)
{
	(void)arg;
	trace_proc(path, line);
	return 0;
}

int
proc_show_lines(pid_t pid, const char *name)
{
	char path[64];

	return each_line(proc_path(path, sizeof(path), pid, name), show_line, NULL);
}

static int
show_mount_line(const char *path, char *line, const void *arg)
{
	const char *prefix = arg;
	struct proc_mount m;
	char *copy = strdup(line);
	int shown = 0;

	if (!copy)
		return -1;
	/* Parse a copy: the parser cuts the line, and we show it whole. */
	if (proc_parse_mountinfo(copy, &m) == 0) {
		size_t len = prefix ? strlen(prefix) : 0;

		if (!prefix || (strncmp(m.point, prefix, len) == 0 &&
				(m.point[len] == '\0' || m.point[len] == '/' || len == 1))) {
			trace_proc(path, line);
			shown = 1;
		}
	}
	free(copy);
	return shown;
}

int
proc_show_mountinfo(pid_t pid, const char *prefix)
{
	char path[64];

	return each_line(proc_path(path, sizeof(path), pid, "mountinfo"), show_mount_line, prefix);
}

/* ---- parsers ---- */

static const char *
next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

int
proc_parse_status(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line; line = next_line(line)) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		const char *v = line + klen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t len = strcspn(v, "\n");
		if (len >= size)
			len = size - 1;
		memcpy(out, v, len);
		out[len] = '\0';
		return 0;
	}
	errno = ENOENT; /* no such key: say so, as a lookup would */
	return -1;
}

/* Decodes the \ooo escapes the kernel writes for space, tab, newline and
 * backslash in mount paths (fs/proc_namespace.c, mangle()). */
static void
unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* The next space-separated field; NULL at the end of the line. */
static char *
field(char **cursor)
{
	char *start = *cursor;

	if (!start || *start == '\0')
		return NULL;
	char *sp = strchr(start, ' ');
	if (sp) {
		*sp = '\0';
		*cursor = sp + 1;
	} else {
		*cursor = start + strlen(start);
	}
	return start;
}

int
proc_parse_mountinfo(char *line, struct proc_mount *m)
{
	/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
	char *cur = line, *id, *parent;

	line[strcspn(line, "\n")] = '\0';
	if (!(id = field(&cur)) || !(parent = field(&cur)) || !(m->devno = field(&cur)) ||
	    !(m->root = field(&cur)) || !(m->point = field(&cur)) || !(m->options = field(&cur)))
		goto bad;
	m->id = atoi(id);
	m->parent = atoi(parent);

	/* Zero or more optional fields ("shared:1 master:2"), then a lone "-". */
	if (strncmp(cur, "- ", 2) == 0) {
		m->optional = "";
		cur += 2;
	} else {
		char *sep = strstr(cur, " - ");
		if (!sep)
			goto bad;
		*sep = '\0';
		m->optional = cur;
		cur = sep + 3;
	}
	if (!(m->fstype = field(&cur)) || !(m->source = field(&cur)))
		goto bad;
	m->super = *cur ? cur : "";
	unescape((char *)m->root);
	unescape((char *)m->point);
	unescape((char *)m->source);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
proc_parse_cgroup(char *line, struct proc_cgroup *c)
{
	char *colon1 = strchr(line, ':'), *colon2;

	line[strcspn(line, "\n")] = '\0';
	if (!colon1 || !(colon2 = strchr(colon1 + 1, ':'))) {
		errno = EINVAL;
		return -1;
	}
	*colon1 = *colon2 = '\0';
	c->hierarchy = atoi(line);
	c->controllers = colon1 + 1;
	c->path = colon2 + 1;
	return 0;
}

int
proc_parse_idmap(const char *line, struct proc_idmap *m)
{
	if (sscanf(line, " %lu %lu %lu", &m->inside, &m->outside, &m->count) != 3) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
proc_has_words(const char *list, const char *words, char sep)
{
	const char seps[] = {sep, '\0'};

	for (const char *w = words; *w;) {
		size_t wlen = strcspn(w, seps), found = 0;

		for (const char *p = list; p && *p && !found;) {
			size_t n = strcspn(p, seps);

			found = wlen && n == wlen && strncmp(p, w, wlen) == 0;
			p += n;
			if (*p == sep)
				p++;
		}
		if (wlen && !found)
			return 0;
		w += wlen;
		if (*w == sep)
			w++;
	}
	return 1;
}

int
proc_cgroup_mount(const char *mountinfo, const struct proc_cgroup *cg, char *point, size_t psize,
		  char *dir, size_t dsize)
{
	char *copy = strdup(mountinfo), *save = NULL;
	int found = -1;

	if (!copy)
		return -1;
	for (char *line = strtok_r(copy, "\n", &save); line && found;
	     line = strtok_r(NULL, "\n", &save)) {
		struct proc_mount m;

		if (proc_parse_mountinfo(line, &m) != 0)
			continue;
		int v2 = cg->hierarchy == 0 && strcmp(m.fstype, "cgroup2") == 0;
		int v1 = cg->hierarchy != 0 && strcmp(m.fstype, "cgroup") == 0 &&
			 proc_has_words(m.super, cg->controllers, ',');
		if (!v1 && !v2)
			continue;
		/* Our path is relative to the hierarchy's root; the mount may
		 * show only a sub-tree of it (a container's view). */
		size_t rlen = strcmp(m.root, "/") == 0 ? 0 : strlen(m.root);
		if (strncmp(cg->path, m.root, rlen) != 0)
			continue;
		const char *rest = cg->path + rlen;
		snprintf(point, psize, "%s", m.point);
		snprintf(dir, dsize, "%s%s", m.point, strcmp(rest, "/") == 0 ? "" : rest);
		found = 0;
	}
	free(copy);
	if (found)
		errno = ENOENT;
	return found;
}
