/*
 * test_nutshell_load.c - many containers at once, and many one after the
 * other (issue #9, reliability).
 *
 * Parallel: rounds of 16 containers started together, each with its own
 * memory and pids limits and hostname, each looking from inside with
 * inspect: it is pid 1 and alone, its hostname and limits are its own (so
 * no two share a cgroup), every one exits 0, their ids never collide, and
 * after each round nothing of them is left.
 *
 * Sequential: hundreds of starts of /bin/true while a long-lived container
 * (the observer) runs beside them; afterwards no more open files in this
 * process or in the observer (its launcher and its pid 1), no more mounts
 * here or in the observer's mount namespace, no nutshell cgroup more.
 *
 * In the VM lane (NUTSHELL_VM=1, set by tests/vm/init) the CPU is emulated,
 * several times slower: the counts are scaled down, and printed either way.
 */
#include "../suites.h"
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NUTSHELL  "05-full-container/nutshell"
#define PER_ROUND 16
#define MAX_IDS	  (8 * PER_ROUND)

static int rounds = 3, sequential = 500;

static void
scale(void)
{
	const char *vm = getenv("NUTSHELL_VM");

	if (vm && strcmp(vm, "1") == 0) {
		rounds = 1;
		sequential = 50;
	}
	printf("load: %s: %d round(s) of %d parallel containers, %d sequential starts\n",
	       vm && strcmp(vm, "1") == 0 ? "VM lane (NUTSHELL_VM=1), scaled down" : "host", rounds,
	       PER_ROUND, sequential);
	fflush(stdout);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
nap_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

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

/* The value of fact KEY among JSON lines (inspect's stdout); "" if absent. */
static const char *
fact_in(const char *text, const char *key, char *value, size_t size)
{
	value[0] = '\0';
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		json_t *obj = json_loadb(line, len, 0, NULL);
		const char *k = obj ? json_string_value(json_object_get(obj, "key")) : NULL;
		const char *v = obj ? json_string_value(json_object_get(obj, "value")) : NULL;

		if (k && v && strcmp(k, key) == 0) {
			snprintf(value, size, "%s", v);
			json_decref(obj);
			break;
		}
		json_decref(obj);
		line += len + (line[len] == '\n');
	}
	return value;
}

/* The container id from the first note of a --json trace ("container ID: ..."). */
static void
id_in(const char *trace, char id[16])
{
	const char *p = strstr(trace, "\"container ");

	id[0] = '\0';
	if (p)
		sscanf(p, "\"container %12[0-9a-f]:", id);
}

/* Starts nutshell with argv (relative to NUTSHELL_ROOT), stdin from in (-1:
 * /dev/null), stdout and stderr into out/err (NULL: /dev/null). */
static pid_t
spawn(const char *const argv[], int in, const char *out, const char *err)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char prog[512];

	snprintf(prog, sizeof(prog), "%s/%s", root ? root : ".", argv[0]);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setsid();
	int i = in >= 0 ? in : open("/dev/null", O_RDONLY);
	int o = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (i < 0 || o < 0 || e < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
		_exit(127);
	execv(prog, (char *const *)argv);
	dprintf(2, "test: cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

static int
status_of(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- what is there: open files, mounts, nutshell cgroups ---- */

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
count_fds(pid_t pid)
{
	char path[64];

	if (pid == 0)
		return count_entries("/proc/self/fd") - 1; /* opendir's own */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	return count_entries(path);
}

static int
count_mounts(pid_t pid)
{
	char path[64], line[4096];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Every cgroup directory named nutshell-* down to depth 6, as one string of
 * "path\n" lines (the launcher puts its cgroups beneath our own). */
static void
find_cgroups(const char *dir, int depth, FILE *out, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strncmp(e->d_name, "nutshell-", 9) == 0) {
			fprintf(out, "%s\n", path);
			(*n)++;
		}
		if (depth < 6)
			find_cgroups(path, depth + 1, out, n);
	}
	closedir(d);
}

static char *
nutshell_cgroups(int *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	*n = 0;
	find_cgroups("/sys/fs/cgroup", 1, out, n);
	fclose(out);
	return buf;
}

/* Nothing of container ID left: no scratch directory, no cgroup (why
 * says otherwise). */
static void
assert_gone(const char *id, const char *cgroups, char *why, size_t size)
{
	char pattern[128], name[32];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/dev/shm/nutshell-run-%s.*", id);
	if (glob(pattern, 0, NULL, &g) != GLOB_NOMATCH)
		snprintf(why, size, "scratch directory left: %s", g.gl_pathv[0]);
	globfree(&g);
	snprintf(name, sizeof(name), "/nutshell-%s\n", id);
	if (strstr(cgroups, name))
		snprintf(why, size, "cgroup left: nutshell-%s", id);
}

/* Lines of after that are not in before ("" when none). */
static void
new_lines(const char *before, const char *after, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (const char *l = after; *l;) {
		size_t len = strcspn(l, "\n");
		char line[4096];
		snprintf(line, sizeof(line), "\n%.*s\n", (int)len, l);
		int known = strncmp(before, line + 1, len + 1) == 0 || strstr(before, line);
		if (!known && used + len + 2 < size)
			used += (size_t)snprintf(out + used, size - used, "%.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
}

/* ---- on failure too, nothing left ---- */

/* What a test made: its scratch directory, the containers still running
 * (waited for: each ends by itself), the observer's stdin. */
static char scratch[64];
static pid_t running[PER_ROUND + 1];
static int nrunning, observer_stdin = -1;

static void
clean_up(void)
{
	if (observer_stdin >= 0)
		close(observer_stdin); /* the observer's sh reads EOF and exits */
	observer_stdin = -1;
	for (int i = 0; i < nrunning; i++)
		if (running[i] > 0)
			status_of(running[i]);
	nrunning = 0;
	if (scratch[0]) {
		DIR *d = opendir(scratch);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char path[512];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
			unlink(path);
		}
		if (d)
			closedir(d);
		rmdir(scratch);
	}
	scratch[0] = '\0';
}

/* ck_assert_msg, after cleaning up. */
#define LOAD_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			clean_up();                                                                \
			ck_abort_msg(__VA_ARGS__);                                                 \
		}                                                                                  \
	} while (0)

static void
make_scratch(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/nutshell-test.XXXXXX");
	if (!mkdtemp(scratch)) {
		scratch[0] = '\0';
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	}
}

/* ---- the tests ---- */

/* What container I of ROUND saw from inside (inspect's facts in OUT), and
 * its id from the trace; "" when all is as it should be, else why not. */
static void
check_container(int round, int i, int status, const char *o, const char *e, const char *t,
		char id[16], char *why, size_t size)
{
	char v[256], v2[256], want[64];

	why[0] = '\0';
	snprintf(want, sizeof(want), "load-%d-%d", round, i);
	id_in(t, id);
	if (status != 0)
		snprintf(why, size, "%s: exit %d:\n%s", want, status, e);
	else if (strcmp(fact_in(o, "hostname", v, sizeof(v)), want) != 0)
		snprintf(why, size, "%s: hostname inside '%s'", want, v);
	else if (strcmp(fact_in(o, "pid", v, sizeof(v)), "1") != 0 ||
		 strcmp(fact_in(o, "processes", v, sizeof(v)), "1") != 0)
		snprintf(why, size, "%s: not alone: pid %s, processes %s (%s)", want,
			 fact_in(o, "pid", v2, sizeof(v2)), v,
			 fact_in(o, "process_list", v2, sizeof(v2)));
	else if (atoll(fact_in(o, "memory_max", v, sizeof(v))) != (32LL + i) * 1024 * 1024)
		snprintf(why, size, "%s: memory.max inside %s, expected %dM", want, v, 32 + i);
	else if (atoi(fact_in(o, "pids_max", v, sizeof(v))) != 40 + i)
		snprintf(why, size, "%s: pids.max inside %s, expected %d", want, v, 40 + i);
	else if (strlen(id) != 12)
		snprintf(why, size, "%s: no container id in the trace:\n%.500s", want, t);
}

START_TEST(load_parallel_rounds)
{
	char ids[MAX_IDS][16], why[4096];
	int nids = 0;
	double t0 = now();

	scale();
	make_scratch();
	for (int round = 0; round < rounds; round++) {
		char out[PER_ROUND][128], err[PER_ROUND][128], trace[PER_ROUND][128];
		double r0 = now();

		for (int i = 0; i < PER_ROUND; i++) {
			char mem[16], plim[16], host[32];
			/* Limits and hostname differ per container: if two shared a
			 * cgroup or a UTS namespace, one would read the other's. */
			snprintf(mem, sizeof(mem), "%dM", 32 + i);
			snprintf(plim, sizeof(plim), "%d", 40 + i);
			snprintf(host, sizeof(host), "load-%d-%d", round, i);
			snprintf(out[i], sizeof(out[i]), "%s/out%d", scratch, i);
			snprintf(err[i], sizeof(err[i]), "%s/err%d", scratch, i);
			snprintf(trace[i], sizeof(trace[i]), "%s/trace%d", scratch, i);
			const char *argv[] = {NUTSHELL,	 "--json",     trace[i], "run",
					      "-q",	 "--memory",   mem,	 "--pids-limit",
					      plim,	 "--hostname", host,	 "--",
					      "inspect", "--json",     "-",	 NULL};
			running[nrunning] = spawn(argv, -1, out[i], err[i]);
			LOAD_ASSERT(running[nrunning] > 0, "fork: %s", strerror(errno));
			nrunning++;
		}
		why[0] = '\0';
		for (int i = 0; i < PER_ROUND; i++) {
			int status = status_of(running[i]);
			char *o = slurp(out[i]), *e = slurp(err[i]), *t = slurp(trace[i]),
			     one[2048];

			running[i] = 0;
			check_container(round, i, status, o, e, t, ids[nids], one, sizeof(one));
			for (int j = 0; !one[0] && j < nids; j++)
				if (strcmp(ids[j], ids[nids]) == 0)
					snprintf(one, sizeof(one), "id %.15s used twice", ids[j]);
			if (one[0] && !why[0])
				snprintf(why, sizeof(why), "round %d: %s", round + 1, one);
			nids += !one[0];
			free(o);
			free(e);
			free(t);
		}
		nrunning = 0;
		LOAD_ASSERT(!why[0], "%s", why);
		int n;
		char *cgroups = nutshell_cgroups(&n);
		for (int j = nids - PER_ROUND; j < nids && !why[0]; j++)
			assert_gone(ids[j], cgroups, why, sizeof(why));
		free(cgroups);
		LOAD_ASSERT(!why[0], "%s", why);
		printf("load: round %d: %d containers, all exited 0, own hostname/limits, alone "
		       "(processes=1), in %.2f s\n",
		       round + 1, PER_ROUND, now() - r0);
		fflush(stdout);
	}
	clean_up();
	printf("load: %d parallel containers, %d distinct ids, nothing left, in %.2f s\n", nids,
	       nids, now() - t0);
	fflush(stdout);
}
END_TEST

START_TEST(load_sequential_starts)
{
	char trace[128], errfile[128], id[16], why[4096] = "";
	int in[2];
	double t0;

	scale();
	make_scratch();
	snprintf(trace, sizeof(trace), "%s/observer.json", scratch);
	snprintf(errfile, sizeof(errfile), "%s/err", scratch);
	/* The observer: a container that lives through all the starts, until
	 * its stdin (a pipe nobody else inherits) is closed. */
	LOAD_ASSERT(pipe2(in, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	observer_stdin = in[1];
	const char *obs_argv[] = {NUTSHELL,	    "--json",	trace, "-q", "run",
				  "--hostname",	    "observer", "--",  "sh", "-c",
				  "read x; exit 0", NULL};
	pid_t observer = spawn(obs_argv, in[0], NULL, NULL);
	close(in[0]);
	LOAD_ASSERT(observer > 0, "fork: %s", strerror(errno));
	running[nrunning++] = observer;

	/* Its pid 1: the launcher's only child, once it runs sh in a mount
	 * namespace of its own. */
	pid_t ctr = 0;
	for (int i = 0; i < 400 && ctr <= 0; i++) {
		char path[64], buf[64] = "", comm[32] = "", ns_self[64] = "", ns_ctr[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)observer,
			 (int)observer);
		read_line_file(path, buf, sizeof(buf));
		ctr = (pid_t)atoi(buf);
		if (ctr > 0) {
			snprintf(path, sizeof(path), "/proc/%d/comm", (int)ctr);
			read_line_file(path, comm, sizeof(comm));
			snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)ctr);
			ssize_t n = readlink(path, ns_ctr, sizeof(ns_ctr) - 1);
			ns_ctr[n > 0 ? n : 0] = '\0';
			n = readlink("/proc/self/ns/mnt", ns_self, sizeof(ns_self) - 1);
			ns_self[n > 0 ? n : 0] = '\0';
			if (strcmp(comm, "sh") != 0 || strcmp(ns_self, ns_ctr) == 0)
				ctr = 0;
		}
		if (ctr <= 0)
			nap_ms(50);
	}
	LOAD_ASSERT(ctr > 0, "the observer container did not start");
	nap_ms(200); /* its launcher settles: what it opened for the start is closed */

	int cg_before_n, cg_after_n;
	char *cg_before = nutshell_cgroups(&cg_before_n);
	int fds_self = count_fds(0), fds_launcher = count_fds(observer), fds_ctr = count_fds(ctr);
	int mnt_self = count_mounts(getpid()), mnt_ctr = count_mounts(ctr);

	t0 = now();
	for (int i = 0; i < sequential && !why[0]; i++) {
		const char *argv[] = {NUTSHELL, "run", "-q", "--", "/bin/true", NULL};
		pid_t pid = spawn(argv, -1, NULL, errfile);
		int status = pid > 0 ? status_of(pid) : -1;
		if (status != 0) {
			char *e = slurp(errfile);
			snprintf(why, sizeof(why), "start %d: exit %d:\n%s", i + 1, status, e);
			free(e);
		}
	}
	double took = now() - t0;
	LOAD_ASSERT(!why[0], "%s", why);

	int fds_self2 = count_fds(0), fds_launcher2 = count_fds(observer),
	    fds_ctr2 = count_fds(ctr);
	int mnt_self2 = count_mounts(getpid()), mnt_ctr2 = count_mounts(ctr);
	char *cg_after = nutshell_cgroups(&cg_after_n), leftover[4096];
	/* Another suite's container may be starting at this moment: what is
	 * new must still be there 3 s later to count as ours, left behind. */
	new_lines(cg_before, cg_after, leftover, sizeof(leftover));
	for (int i = 0; i < 30 && (leftover[0] || mnt_self2 != mnt_self); i++) {
		nap_ms(100);
		free(cg_after);
		cg_after = nutshell_cgroups(&cg_after_n);
		new_lines(cg_before, cg_after, leftover, sizeof(leftover));
		mnt_self2 = count_mounts(getpid());
	}
	free(cg_before);
	free(cg_after);

	printf("load: %d sequential starts of /bin/true in %.1f s (%.0f ms each)\n", sequential,
	       took, took * 1000 / sequential);
	printf("load: open files: test process %d -> %d, observer launcher %d -> %d, observer "
	       "pid 1 %d -> %d\n",
	       fds_self, fds_self2, fds_launcher, fds_launcher2, fds_ctr, fds_ctr2);
	printf("load: mounts: here %d -> %d, observer %d -> %d; nutshell cgroups %d -> %d\n",
	       mnt_self, mnt_self2, mnt_ctr, mnt_ctr2, cg_before_n, cg_after_n);
	fflush(stdout);

	LOAD_ASSERT(fds_self2 == fds_self && fds_launcher2 == fds_launcher && fds_ctr2 == fds_ctr,
		    "open files grew (see above)");
	LOAD_ASSERT(mnt_self2 == mnt_self && mnt_ctr2 == mnt_ctr, "mounts changed (see above)");
	LOAD_ASSERT(!leftover[0], "cgroups left:\n%s", leftover);

	/* The observer ends as asked, exit 0, and leaves nothing either. */
	close(observer_stdin);
	observer_stdin = -1;
	int status = status_of(observer);
	nrunning = 0;
	char *t = slurp(trace);
	id_in(t, id);
	free(t);
	LOAD_ASSERT(status == 0, "the observer: exit %d", status);
	LOAD_ASSERT(strlen(id) == 12, "no container id in the observer's trace");
	cg_after = nutshell_cgroups(&cg_after_n);
	assert_gone(id, cg_after, why, sizeof(why));
	free(cg_after);
	LOAD_ASSERT(!why[0], "%s", why);
	clean_up();
}
END_TEST

Suite *
suite_nutshell_load(void)
{
	Suite *s = suite_create("nutshell-load");
	TCase *tc = tcase_create("load");

	/* Host: ~15 s and ~45 s; the VM lane multiplies by 4 (and scales down). */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, load_parallel_rounds);
	tcase_add_test(tc, load_sequential_starts);
	suite_add_tcase(s, tc);
	return s;
}
