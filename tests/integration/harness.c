/*
 * harness.c - run a program, load its trace, hold it against strace
 * (harness.h).
 */
#include "harness.h"

#include <check.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <stdarg.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

/* The whole file, NUL-terminated; "" when it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

static void
load_events(struct run *r, const char *text)
{
	int lineno = 0;

	r->events = json_array();
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		json_error_t err;

		lineno++;
		json_t *obj = json_loadb(line, len, 0, &err);
		if (!obj || !json_is_object(obj)) {
			snprintf(r->json_error, sizeof(r->json_error), "line %d: %s: %.*s", lineno,
				 obj ? "not an object" : err.text, (int)(len > 80 ? 80 : len),
				 line);
			json_decref(obj);
		} else {
			json_array_append_new(r->events, obj);
		}
		line += len + (line[len] == '\n');
	}
}

int harness_skip_fd = -1;

void
harness_skip(const char *test_fn, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	/* START_TEST(name) defines name_fn: the test's name is __func__ less "_fn". */
	size_t len = strlen(test_fn);
	int n = len > 3 && strcmp(test_fn + len - 3, "_fn") == 0 ? (int)len - 3 : (int)len;
	int off = snprintf(line, sizeof(line), "skipped: %.*s: ", n, test_fn);

	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	fputs(line, stdout);
	fflush(stdout);
	/* One write(2) per line: the forked tests append to one shared file. */
	if (harness_skip_fd >= 0 && write(harness_skip_fd, line, strlen(line)) < 0)
		ck_abort_msg("cannot record the skip: %s", strerror(errno));
}

static void
child(pid_t parent, int flags, const char *dir, char *const argv[])
{
	char path[512];

	/* A case that times out is killed by Check; a program it ran that hung
	 * must go with it, or it lives on holding the test lock (a hung net did
	 * for 29 minutes). prctl(2): the signal comes when the parent dies. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	setsid(); /* no controlling terminal: --step must not wait for anyone */
	int in = open("/dev/null", O_RDONLY);
	snprintf(path, sizeof(path), "%s/out", dir);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(path, sizeof(path), "%s/err", dir);
	int err = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if ((flags & RUN_AS_NOBODY) &&
	    (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
run_program(struct run *r, int flags, const char *const argv[])
{
	const char *root = getenv("NUTSHELL_ROOT");
	char dir[] = "/tmp/nutshell-test.XXXXXX", prog[512], json[600], strace[600], path[600];
	char *args[64];
	int n = 0, status;

	*r = (struct run){0};
	if (!mkdtemp(dir))
		return -1;
	/* The program writes its JSON into dir: let it, as nobody too. */
	chmod(dir, 0777);
	/* An absolute path is used as it is (make grade EX=PATH: a copy elsewhere). */
	snprintf(prog, sizeof(prog), "%s%s%s",
		 argv[0][0] == '/' ? ""
		 : root		   ? root
				   : ".",
		 argv[0][0] == '/' ? "" : "/", argv[0]);
	snprintf(json, sizeof(json), "%s/trace.json", dir);
	snprintf(strace, sizeof(strace), "%s/strace", dir);
	if (flags & RUN_STRACE) {
		/* -f: follow children; -qq: no attach/exit lines; -s 0: no string
		 * contents, so no " = " inside an argument confuses the parser. */
		const char *s[] = {"strace", "-f", "-qq", "-s", "0", "-o", strace};
		for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
			args[n++] = (char *)s[i];
	}
	args[n++] = prog;
	args[n++] = "--json";
	args[n++] = json;
	for (int i = 1; argv[i] && n < 63; i++)
		args[n++] = (char *)argv[i];
	args[n] = NULL;

	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		child(parent, flags, dir, args);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	snprintf(path, sizeof(path), "%s/out", dir);
	r->out = slurp(path);
	snprintf(path, sizeof(path), "%s/err", dir);
	r->err = slurp(path);
	r->strace = slurp(strace);
	char *text = slurp(json);
	load_events(r, text);
	free(text);

	/* Leave nothing: the host check looks for /tmp/nutshell* too. */
	const char *files[] = {"out", "err", "trace.json", "strace"};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->strace);
	json_decref(r->events);
	*r = (struct run){0};
}

static const char *
str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

json_t *
run_find(const struct run *r, const char *ev, const char *key, const char *value)
{
	size_t i;
	json_t *obj;

	json_array_foreach(r->events, i, obj)
	{
		const char *e = str_of(obj, "ev"), *v = str_of(obj, key);

		if (e && v && strcmp(e, ev) == 0 && strcmp(v, value) == 0)
			return obj;
	}
	return NULL;
}

const char *
run_fact(const struct run *r, const char *key)
{
	json_t *obj = run_find(r, "fact", "key", key);
	const char *v = obj ? str_of(obj, "value") : NULL;

	return v ? v : "";
}

bool
links_of_new_netns(const char *links, const char *lo)
{
	/* The fallback devices a tunnel module creates in every new network
	 * namespace unless net.core.fb_tunnels_only_for_init_net is set
	 * (Documentation/admin-guide/sysctl/net.rst): ipip, sit, ip6_tunnel,
	 * ip_gre, ip6_gre, ip_vti, ip6_vti. */
	static const char *const fallback[] = {"tunl0",	   "sit0",    "ip6tnl0", "gre0",
					       "gretap0",  "erspan0", "ip6gre0", "ip_vti0",
					       "ip6_vti0", NULL};
	size_t n = strlen(lo);
	const char *p = links;

	if (strncmp(p, lo, n) != 0 || (p[n] != '\0' && p[n] != ' '))
		return false;
	for (p += n; *p == ' ';) {
		const char *name = ++p, *colon = strchr(name, ':');
		size_t len = strcspn(name, " ");
		bool known = false;

		if (!colon || colon > name + len || strncasecmp(colon + 1, "down", 4) != 0 ||
		    colon + 5 != name + len)
			return false;
		for (int i = 0; fallback[i]; i++)
			if (strlen(fallback[i]) == (size_t)(colon - name) &&
			    strncmp(name, fallback[i], (size_t)(colon - name)) == 0)
				known = true;
		if (!known)
			return false;
		p = name + len;
	}
	return *p == '\0';
}

/* One completed call in strace's output. */
struct seen {
	char name[64];
	long ret;
	char err[32];
	int used;
};

/*
 * Parses "1234  name(args) = ret [ENAME (text)]" and the second half of a
 * split call, "1234  <... name resumed>args) = ret". Skips signals ("---"),
 * exits ("+++") and "<unfinished ...>" halves. Returns 0 for a call.
 */
static int
parse_strace_line(char *line, struct seen *s)
{
	char *p = line, *eq = NULL;

	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	if (strncmp(p, "---", 3) == 0 || strncmp(p, "+++", 3) == 0 || strstr(p, "<unfinished ...>"))
		return -1;
	if (strncmp(p, "<... ", 5) == 0)
		p += 5;
	size_t len = strcspn(p, "( ");
	if (len == 0 || len >= sizeof(s->name))
		return -1;
	memcpy(s->name, p, len);
	s->name[len] = '\0';
	/* The result is after the last " = "; an argument never holds one
	 * because strings are not printed (-s 0). */
	for (char *q = strstr(p, " = "); q; q = strstr(q + 1, " = "))
		eq = q;
	if (!eq)
		return -1;
	s->ret = strtol(eq + 3, &p, 0);
	s->err[0] = '\0';
	s->used = 0;
	if (s->ret == -1)
		sscanf(p, " %31s", s->err);
	return 0;
}

/*
 * System calls x86-64 has and arm64 does not: arm64 has only the generic
 * table (include/uapi/asm-generic/unistd.h), and there glibc makes the call
 * on the right for the function on the left. A trace that names one of these
 * is true on x86-64 and a lie on arm64, so it is refused here on every
 * architecture: a program traces the call that exists on both (DESIGN.md,
 * "The trace contract").
 */
static const struct {
	const char *legacy, *generic;
} x86_only[] = {
    {"open", "openat"},
    {"creat", "openat"},
    {"link", "linkat"},
    {"unlink", "unlinkat"},
    {"rmdir", "unlinkat"},
    {"mkdir", "mkdirat"},
    {"mknod", "mknodat"},
    {"rename", "renameat"},
    {"symlink", "symlinkat"},
    {"readlink", "readlinkat"},
    {"chmod", "fchmodat"},
    {"chown", "fchownat"},
    {"lchown", "fchownat"},
    {"access", "faccessat"},
    {"stat", "newfstatat"},
    {"lstat", "newfstatat"},
    {"pipe", "pipe2"},
    {"dup2", "dup3"},
    {"fork", "clone"},
    {"vfork", "clone"},
    {"poll", "ppoll"},
    {"select", "pselect6"},
    {"epoll_create", "epoll_create1"},
    {"epoll_wait", "epoll_pwait"},
    {"inotify_init", "inotify_init1"},
    {"eventfd", "eventfd2"},
    {"signalfd", "signalfd4"},
    {"getdents", "getdents64"},
    {"utime", "utimensat"},
    {"utimes", "utimensat"},
    {"futimesat", "utimensat"},
    {"time", "clock_gettime"},
    {"alarm", "setitimer"},
    {"pause", "ppoll"},
    {"getpgrp", "getpgid"},
};

static const char *
arm64_lacks(const char *name)
{
	for (size_t i = 0; name && i < sizeof(x86_only) / sizeof(x86_only[0]); i++)
		if (strcmp(name, x86_only[i].legacy) == 0)
			return x86_only[i].generic;
	return NULL;
}

int
run_honest(const struct run *r, char *why, size_t size)
{
	struct seen *seen = NULL;
	size_t n = 0, cap = 0, i;
	int lies = 0;
	json_t *ev;
	char *text = strdup(r->strace);

	why[0] = '\0';
	if (!text || text[0] == '\0') {
		snprintf(why, size, "strace saw nothing (is strace installed?)");
		free(text);
		return 1;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			seen = realloc(seen, cap * sizeof(*seen));
		}
		if (parse_strace_line(line, &seen[n]) == 0)
			n++;
	}
	json_array_foreach(r->events, i, ev)
	{
		const char *e = str_of(ev, "ev"), *name = str_of(ev, "name"),
			   *err = str_of(ev, "errno");
		long ret = (long)json_integer_value(json_object_get(ev, "ret"));
		size_t k;

		if (!e || strcmp(e, "syscall") != 0)
			continue;
		if (arm64_lacks(name)) {
			if (lies++ == 0)
				snprintf(why, size,
					 "%s(%s): arm64 has no %s call (glibc makes %s there); "
					 "trace %s, which both architectures have",
					 name, str_of(ev, "args") ? str_of(ev, "args") : "", name,
					 arm64_lacks(name), arm64_lacks(name));
			continue;
		}
		for (k = 0; k < n; k++)
			if (!seen[k].used && name && strcmp(seen[k].name, name) == 0 &&
			    seen[k].ret == ret &&
			    (ret != -1 || (err && strcmp(seen[k].err, err) == 0)))
				break;
		if (k < n) {
			seen[k].used = 1;
		} else if (lies++ == 0) {
			snprintf(why, size, "%s(%s) = %ld%s%s: strace saw no such call",
				 name ? name : "?", str_of(ev, "args") ? str_of(ev, "args") : "",
				 ret, err ? " " : "", err ? err : "");
		}
	}
	free(seen);
	free(text);
	return lies;
}

const char *
read_line_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

const char *
read_text_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

int
harness_vsh(const char *dir, char *out, size_t size, const char *fmt, va_list ap)
{
	char cmd[8192], file[4200], full[12600];

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	snprintf(file, sizeof(file), "%s/sh.out", dir);
	snprintf(full, sizeof(full), "(%s) >%s 2>&1", cmd, file);
	int status = system(full);
	if (out)
		read_text_file(file, out, size);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void
harness_kill_by_cmdline(const char *word, const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[300], cmd[4096];
		int pid = atoi(e->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i < n; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		cmd[n] = '\0';
		if (strstr(cmd, word) && strstr(cmd, dir))
			kill(pid, SIGKILL);
	}
	if (d)
		closedir(d);
}

int
harness_sh(const char *dir, char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = harness_vsh(dir, out, size, fmt, ap);
	va_end(ap);
	return rc;
}

void
run_expect_honest(const struct run *r)
{
	char why[512];

	ck_assert_msg(r->json_error[0] == '\0', "invalid JSON Lines: %s", r->json_error);
	ck_assert_msg(run_honest(r, why, sizeof(why)) == 0, "the trace lies: %s", why);
}

void
run_expect_usage_error(const char *const argv[], int status, const char *expected)
{
	struct run r;

	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == status, "exit %d, expected %d; stderr:\n%s", r.status, status,
		      r.err);
	ck_assert_msg(strstr(r.err, expected) != NULL, "stderr lacks '%s':\n%s", expected, r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	/* Refused before anything exists. */
	const char *makers[] = {"clone", "unshare", "mkdirat", "mount"};
	for (size_t i = 0; i < sizeof(makers) / sizeof(*makers); i++)
		ck_assert_msg(run_find(&r, "syscall", "name", makers[i]) == NULL,
			      "%s was called before the error", makers[i]);
	run_free(&r);
}

/* Nothing of container ID left on the host: no scratch directory, no
 * cgroup. (Only this container's: another run of this suite may be going
 * on at the same time.) */
void
run_expect_ctr_gone(const char *id)
{
	glob_t g;
	char line[512], pattern[128], cmd[256];

	ck_assert_msg(strlen(id) == 12, "no container id in the trace");
	snprintf(pattern, sizeof(pattern), "/dev/shm/nutshell-run-%s.*", id);
	ck_assert_msg(glob(pattern, 0, NULL, &g) == GLOB_NOMATCH, "scratch directory left: %s",
		      g.gl_pathc ? g.gl_pathv[0] : "");
	globfree(&g);
	snprintf(cmd, sizeof(cmd),
		 "find /sys/fs/cgroup -maxdepth 6 -type d -name 'nutshell-%s' 2>/dev/null", id);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	int found = fgets(line, sizeof(line), f) != NULL;
	pclose(f);
	ck_assert_msg(!found, "cgroup left: %s", line);
}

/* The container's id, from the first note of the trace. */
const char *
run_ctr_id(const struct run *r)
{
	static char id[16];
	size_t i;
	json_t *obj;

	id[0] = '\0';
	json_array_foreach(r->events, i, obj)
	{
		const char *text = json_string_value(json_object_get(obj, "text"));
		if (text && sscanf(text, "container %12[0-9a-f]:", id) == 1)
			break;
	}
	return id;
}

/* The container id in nutshell's trace text ("container 0123456789ab: ..."). */
const char *
run_container_id(const char *text)
{
	static char id[16];
	const char *p = text;

	id[0] = '\0';
	while (p && (p = strstr(p, "container ")))
		if (sscanf(p += 10, "%12[0-9a-f]:", id) == 1 && strlen(id) == 12)
			break;
	return id;
}

/* ---- --step on a terminal ---- */

char *
pty_read_until(int master, char *buf, size_t size, size_t *len, size_t from, const char *needle,
	       int ms)
{
	for (int waited = 0;; waited += 20) {
		char *at = strstr(buf + from, needle);
		if (at || waited >= ms)
			return at;
		ssize_t n = read(master, buf + *len, size - *len - 1);
		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
			continue;
		}
		struct timespec t = {0, 20 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
}

int
run_step_walk(const char *const argv[], const char *at, void (*at_pause)(const char *, void *),
	      void *data, char **text)
{
	const char *root = getenv("NUTSHELL_ROOT");
	static char buf[1 << 18];
	char prog[512], *args[64];
	size_t len = 0, from = 0;
	int master, status = -1, n = 0;

	buf[0] = '\0';
	/* An absolute path is used as it is (make grade EX=PATH: a copy elsewhere). */
	snprintf(prog, sizeof(prog), "%s%s%s",
		 argv[0][0] == '/' ? ""
		 : root		   ? root
				   : ".",
		 argv[0][0] == '/' ? "" : "/", argv[0]);
	args[n++] = prog;
	args[n++] = "--no-color";
	args[n++] = "--step";
	for (int i = 1; argv[i] && n < 63; i++)
		args[n++] = (char *)argv[i];
	args[n] = NULL;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid == 0) {
		execv(prog, args);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	fcntl(master, F_SETFL, O_NONBLOCK);
	for (int pauses = 0; pauses < 500; pauses++) {
		char *prompt =
		    pty_read_until(master, buf, sizeof(buf), &len, from, "press Enter", 10000);
		if (!prompt)
			break;
		char *line = prompt;
		while (line > buf && line[-1] != '\n')
			line--;
		from = (size_t)(prompt - buf) + strlen("press Enter");
		ck_assert_msg(strncmp(line, "[pid ", 5) == 0, "a prompt without its pid: %.*s",
			      (int)(from - (size_t)(line - buf)), line);
		/* One prompt at a time: nothing else asks while this one waits. */
		ck_assert_msg(
		    !pty_read_until(master, buf, sizeof(buf), &len, from, "press Enter", 300),
		    "two prompts at once:\n%s", line);
		if (at && strstr(line, at) && strstr(line, at) < prompt) {
			char copy[1024];
			snprintf(copy, sizeof(copy), "%.*s", (int)(prompt - line), line);
			if (!at_pause) {
				ck_assert_int_eq(write(master, "\003", 1), 1); /* Ctrl-C */
				continue;
			}
			at_pause(copy, data);
		}
		ck_assert_int_eq(write(master, "\r", 1), 1);
	}
	for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		pty_read_until(master, buf, sizeof(buf), &len, len, "\001", 50);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	pty_read_until(master, buf, sizeof(buf), &len, len, "\001", 50);
	close(master);
	if (text)
		*text = strdup(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
