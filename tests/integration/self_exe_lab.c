/*
 * self_exe_lab.c - the lab of the /proc/self/exe tests (CVE-2019-5736):
 * a copy of nutshell made for each test, a volume holding the attack's
 * files, and the observer, a second process in the container's mount
 * namespace that opens /proc/N/exe of each of its processes, during the run
 * and after it. Used by test_self_exe.c (nutshell run) and
 * test_self_exe_oci.c (nutshell create/start). See self_exe_lab.h.
 */
#include "self_exe_lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void
lab_nap(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

char *
lab_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap)
			buf = realloc(buf, cap = 2 * cap + 65536 + 1);
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (size)
		*size = n;
	return buf;
}

void
lab_write_file(const char *path, const char *data, size_t size, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

void
lab_make(struct lab *l)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char path[PATH_MAX + 64], top[PATH_MAX];
	static const char script[] = "#!/proc/self/exe run\n";

	memset(l, 0, sizeof(*l));
	ck_assert_ptr_nonnull(realpath(root, top));
	snprintf(l->dir, sizeof(l->dir), "/tmp/nutshell-test-exe.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(l->dir));
	snprintf(path, sizeof(path), "%s/%s", top, NUTSHELL);
	l->bytes = lab_slurp(path, &l->size);
	ck_assert_ptr_nonnull(l->bytes);
	snprintf(l->bin, sizeof(l->bin), "%s/nutshell", l->dir);
	lab_write_file(l->bin, l->bytes, l->size, 0755);
	ck_assert_int_eq(stat(l->bin, &l->st), 0);
	snprintf(l->img, sizeof(l->img), "%s/images/busybox", top);
	snprintf(l->vol, sizeof(l->vol), "%s/vol", l->dir);
	ck_assert_int_eq(mkdir(l->vol, 0755), 0);
	snprintf(path, sizeof(path), "%s/entry", l->vol);
	ck_assert_int_eq(symlink("/proc/self/exe", path), 0);
	snprintf(path, sizeof(path), "%s/init", l->vol);
	ck_assert_int_eq(symlink("/proc/self/exe", path), 0);
	snprintf(path, sizeof(path), "%s/script", l->vol);
	lab_write_file(path, script, sizeof(script) - 1, 0755);
	snprintf(path, sizeof(path), "%s/trace", l->vol);
	ck_assert_int_eq(mkfifo(path, 0666), 0);
	snprintf(l->out, sizeof(l->out), "%s/out", l->dir);
	snprintf(l->err, sizeof(l->err), "%s/err", l->dir);
}

/* The copy is byte for byte what was built; then everything goes. */
void
lab_end(struct lab *l)
{
	size_t size = 0;
	char *now = lab_slurp(l->bin, &size);
	const char *names[] = {"vol/entry", "vol/init", "vol/script", "vol/trace",
			       "nutshell",  "out",	"err"};
	char path[256];

	ck_assert_msg(now && size == l->size && memcmp(now, l->bytes, size) == 0,
		      "the runtime's binary was changed from inside");
	free(now);
	free(l->bytes);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", l->dir, names[i]);
		unlink(path);
	}
	rmdir(l->vol);
	rmdir(l->dir);
}

/* Waits until a process of the container's mount namespace runs with
 * argv[0] one of "/x/entry", "init" or "/proc/self/exe": COMMAND became
 * the runtime (which then waits on the fifo /x/trace, for ever). */
void
lab_wait_for_runtime_inside(pid_t ctr)
{
	char path[64];
	struct stat ns, other;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)ctr);
	ck_assert_int_eq(stat(path, &ns), 0);
	/* Up to 30 s: the copy inside starts as slowly as a loaded machine
	 * (the VM lane, another suite) lets it. */
	for (int i = 0; i < 3000; i++, lab_nap(10)) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int found = 0;

		while (d && (e = readdir(d)) && !found) {
			char cmd[64] = "", proc[320];
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(proc, sizeof(proc), "/proc/%s/ns/mnt", e->d_name);
			if (stat(proc, &other) != 0 || other.st_ino != ns.st_ino)
				continue;
			snprintf(proc, sizeof(proc), "/proc/%s/cmdline", e->d_name);
			read_line_file(proc, cmd, sizeof(cmd));
			found = strcmp(cmd, "/x/entry") == 0 || strcmp(cmd, "init") == 0 ||
				strcmp(cmd, "/proc/self/exe") == 0;
		}
		if (d)
			closedir(d);
		if (found)
			return;
	}
	ck_abort_msg("COMMAND never became the runtime's binary inside");
}

/* The observer's report of one descriptor: is it the host's copy? */
static int
is_host_binary(int fd, const struct stat *host)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == host->st_dev && st.st_ino == host->st_ino;
}

/* The second process: in the container's mount namespace, with every
 * capability. Reports on `report`, waits for a byte on `go` (the run has
 * ended), then tries again what it held. */
void
lab_observe(pid_t ctr, const struct stat *host, int report, int go)
{
	char path[PATH_MAX];
	int held[MAX_HELD], nheld = 0;
	FILE *r = fdopen(report, "w");

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)ctr);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	/* The container's root, as `nutshell exec` takes it: after setns(2)
	 * we are at the namespace's root, which in a chroot is not the
	 * container's (oci_exec.c). */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)ctr);
	int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Our own /proc/self/fd, for later: the container's /proc knows only
	 * its own pid namespace, and it goes with it. */
	int self = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!r || ns < 0 || root < 0 || self < 0 || setns(ns, CLONE_NEWNS) != 0 ||
	    fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0)
		_exit(97);
	close(root);
	DIR *d = opendir("/proc"); /* the container's: its pid namespace */
	struct dirent *e;
	while (d && (e = readdir(d)) && nheld < MAX_HELD) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		int fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		held[nheld++] = fd;
		if (is_host_binary(fd, host))
			fprintf(r, "HOST-BINARY %s\n", path);
		int w = open(path, O_WRONLY | O_CLOEXEC);
		if (w >= 0 && is_host_binary(w, host))
			fprintf(r, "HOST-WRITABLE during: %s\n", path);
		else
			fprintf(r, "during %s: %s\n", path,
				w >= 0 ? "not the host's" : strerror(errno));
		if (w >= 0)
			close(w);
	}
	fprintf(r, "probed %d\n", nheld);
	fflush(r);
	char c;
	if (read(go, &c, 1) != 1)
		_exit(96);
	for (int i = 0; i < nheld; i++) {
		snprintf(path, sizeof(path), "%d", held[i]);
		int w = openat(self, path, O_WRONLY | O_CLOEXEC);
		char link[64] = "";
		readlinkat(self, path, link, sizeof(link) - 1);
		if (w >= 0 && is_host_binary(w, host))
			fprintf(r, "HOST-WRITABLE after the run: exe %d\n", i);
		else if (w >= 0 && strncmp(link, "/memfd:", 7) == 0 && pwrite(w, "X", 1, 0) == 1)
			/* The runtime's own copy of a run that is over: the only
			 * file written here, and only when its seals failed. */
			fprintf(r, "MEMFD-WRITTEN after the run: exe %d\n", i);
		else if (w >= 0 && strcmp(link, "/nutshell") == 0)
			/* The read-only overlayfs view of the lab's copy (its
			 * path is the one inside that mount, sealed.c): opened
			 * for writing, nothing written. */
			fprintf(r, "VIEW-WRITABLE after the run: exe %d\n", i);
		else
			fprintf(r, "after %d (%s): %s\n", i, link,
				w >= 0 ? "not the host's" : strerror(errno));
		if (w >= 0)
			close(w);
	}
	fprintf(r, "end\n");
	fclose(r);
	_exit(0);
}

/* What the observer said (lab_observe): it probed, and opened nothing of
 * the host's, nor the runtime's copy or view for writing. */
void
lab_assert_observer_reached_nothing(const char *seen)
{
	int probed = 0;
	const char *p = strstr(seen, "probed ");

	if (p)
		probed = atoi(p + 7);
	ck_assert_msg(probed >= 1 && strstr(seen, "\nend\n"), "the observer saw nothing:\n%.3000s",
		      seen);
	ck_assert_msg(!strstr(seen, "HOST-BINARY"),
		      "the host's binary is a container process's /proc/PID/exe:\n%.3000s", seen);
	ck_assert_msg(!strstr(seen, "HOST-WRITABLE"),
		      "the host's binary could be opened for writing from inside:\n%.3000s", seen);
	ck_assert_msg(!strstr(seen, "MEMFD-WRITTEN"),
		      "the runtime's copy is not sealed against writes:\n%.3000s", seen);
	ck_assert_msg(!strstr(seen, "VIEW-WRITABLE"),
		      "the runtime's overlayfs view could be opened for writing:\n%.3000s", seen);
}

char *
lab_watch(const struct lab *l, pid_t ctr, void (*end)(void *), void *arg, int *observer_status)
{
	int report[2], go[2];

	ck_assert_int_eq(pipe2(report, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid_t obs = fork();
	if (obs == 0) {
		close(report[0]);
		close(go[1]);
		lab_observe(ctr, &l->st, report[1], go[0]);
	}
	close(report[1]);
	close(go[0]);
	/* During: read up to "probed"; then the run ends. */
	char text[8192] = "";
	size_t n = 0;
	ssize_t got;
	while (!strstr(text, "probed") && n < sizeof(text) - 1 &&
	       (got = read(report[0], text + n, sizeof(text) - 1 - n)) > 0)
		text[n += (size_t)got] = '\0';
	end(arg);
	/* After: nothing executes the copy any more. */
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	while (n < sizeof(text) - 1 && (got = read(report[0], text + n, sizeof(text) - 1 - n)) > 0)
		text[n += (size_t)got] = '\0';
	close(report[0]);
	ck_assert_int_eq(waitpid(obs, observer_status, 0), obs);
	return strdup(text);
}
