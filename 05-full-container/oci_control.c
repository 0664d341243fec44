/*
 * oci_control.c - the runtime commands that act on a container through the
 * cgroup `create` made for it (recorded in ROOT/ID/cgroups), each one of
 * lesson 02's helpers:
 *
 *	kill [--all] ID [SIGNAL]
 *	                      kill(2) to init; --all: to each pid of cgroup.procs
 *	pause ID              cg_freeze(1): cgroup.freeze, or v1's freezer.state
 *	resume ID             cg_freeze(0)
 *	ps [--format json|table] ID [PS_ARG...]
 *	                      the pids in cgroup.procs (docker top and ctr task
 *	                      ps get them through containerd's shim as JSON)
 *	update [--resources FILE|-] [--memory N] [--memory-swap N]
 *	       [--pids-limit N] [--cpu-quota N] [--cpu-period N] [--cpu-share N] ID
 *	                      cg_set() of each limit, as create wrote them
 *
 * and the status "paused", which runc reads off the freezer too
 * (libcontainer/container_linux.go currentStatus): nothing is stored.
 */
#include "oci.h"
#include "../02-cgroups/cgroup.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
oci_cgroup_load(const char *dir, struct cg *cg, struct cg_layout *l, int controllers)
{
	char path[4200], name[300];
	struct cg_layout host;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroups", dir);
	oci_cgroup_leaf(dir, name, sizeof(name));
	if (!(f = fopen(path, "re")))
		return err_sys("the cgroup record %s", path);
	int n = cg_record_read(cg, l, f, "/sys/fs/cgroup/", name);
	fclose(f);
	if (n == -1 || !controllers)
		return n;
	/* The record says only each directory's cgroup version; which v1
	 * hierarchy holds which controller (cg_set's translation needs it)
	 * comes from the host's layout now. */
	if (cg_layout_detect(&host) == -1)
		return err_prefix("cgroup");
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &l->h[cg->d[i].hier];
		for (size_t k = 0; k < host.n; k++) {
			size_t len = strlen(host.h[k].mount);
			if (host.h[k].version == h->version &&
			    strncmp(cg->d[i].dir, host.h[k].mount, len) == 0 &&
			    cg->d[i].dir[len] == '/')
				*h = host.h[k];
		}
	}
	return n;
}

int
oci_frozen(const char *dir)
{
	static struct cg_layout l;
	struct cg cg;
	int saved = errno;

	/* No record, no cgroup: not paused (the error is not the caller's). */
	int frozen = oci_cgroup_load(dir, &cg, &l, 1) > 0 && cg_stat(&cg, "frozen") == 1;
	err_clear();
	errno = saved;
	return frozen;
}

int
oci_freeze(const char *dir, int on)
{
	static struct cg_layout l;
	struct cg cg;

	if (oci_cgroup_load(dir, &cg, &l, 1) == -1)
		return -1;
	return cg_freeze(&cg, on);
}

int
oci_pause(const struct oci_state *st, int on)
{
	const char *status = oci_status(st);

	/* runc pause: a created or running container; resume: a paused one
	 * (libcontainer/container_linux.go Pause, Resume). */
	if (on && strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
		return err_set(EINVAL, "container %s is %s: not running", st->id, status);
	if (!on && strcmp(status, "paused") != 0)
		return err_set(EINVAL, "container %s is %s: not paused", st->id, status);
	if (oci_freeze(st->dir, on) == -1)
		return err_prefix("%s %s", on ? "pause" : "resume", st->id);
	return 0;
}

/* The pids in the container's cgroup (any hierarchy holds them all). */
static int
read_pids(const struct oci_state *st, json_t *pids)
{
	static struct cg_layout l;
	struct cg cg;
	char path[sizeof(cg.d[0].dir) + 16];
	int pid;

	if (oci_cgroup_load(st->dir, &cg, &l, 0) < 1)
		return err_set(ENOENT, "container %s: no cgroup recorded", st->id);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg.d[0].dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return err_sys("%s", path);
	while (fscanf(f, "%d", &pid) == 1)
		json_array_append_new(pids, json_integer(pid));
	fclose(f);
	return 0;
}

/* runc's table: ps(1) run with ARGV (default -ef), its header and the
 * rows whose PID column is one of the container's (runc ps.go). */
static int
ps_table(json_t *pids, char **argv, int argc)
{
	char *args[64] = {"ps"}, line[4096];
	int pipefd[2], n = 1, column = -1, status;

	if (argc == 0)
		args[n++] = "-ef";
	for (int i = 0; i < argc && n < 63; i++)
		args[n++] = argv[i];
	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return err_sys("pipe2");
	pid_t pid = fork();
	if (pid == -1)
		return err_sys("fork");
	if (pid == 0) {
		dup2(pipefd[1], 1);
		execvp("ps", args);
		_exit(127);
	}
	close(pipefd[1]);
	FILE *f = fdopen(pipefd[0], "r");
	for (int row = 0; f && fgets(line, sizeof(line), f); row++) {
		char copy[4096], *save = NULL, *word;
		int k = 0, keep = row == 0;
		snprintf(copy, sizeof(copy), "%s", line);
		for (word = strtok_r(copy, " \t\n", &save); word;
		     word = strtok_r(NULL, " \t\n", &save), k++) {
			if (row == 0 && strcmp(word, "PID") == 0)
				column = k;
			if (row > 0 && k == column) {
				size_t i;
				json_t *p;
				json_array_foreach(pids, i, p) keep |=
				    json_integer_value(p) == atoll(word);
			}
		}
		if (keep)
			fputs(line, stdout);
	}
	if (f)
		fclose(f);
	if (waitpid(pid, &status, 0) == -1)
		return err_sys("waitpid ps");
	/* 127: the child's execvp failed (no ps(1) in PATH; procps). */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && column == -1)
		return err_set(ENOENT, "ps: ps(1) not found in PATH (install procps)");
	if (column == -1)
		return err_set(EINVAL, "ps: no PID column in its output (its options: keep the "
				       "default format's PID)");
	return 0;
}

int
oci_ps(const struct oci_state *st, int json, char **argv, int argc)
{
	json_t *pids = json_array();
	int rc = pids ? read_pids(st, pids) : err_set(ENOMEM, "ps");

	if (rc == 0 && json) {
		char *text = json_dumps(pids, JSON_COMPACT);
		printf("%s\n", text ? text : "[]");
		free(text);
	} else if (rc == 0)
		rc = ps_table(pids, argv, argc);
	json_decref(pids);
	return rc;
}

int
oci_cgroup_limits(struct cg *cg, const struct oci_spec *s)
{
	const struct {
		const char *file, *value;
	} limits[] = {{"memory.max", s->memory},
		      {"memory.swap.max", s->memory_swap},
		      {"pids.max", s->pids},
		      {"cpu.max", s->cpu_max},
		      {"cpu.weight", s->cpu_weight}};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (limits[i].value[0] && cg_set(cg, limits[i].file, limits[i].value) == -1)
			return err_prefix("linux.resources: %s %s", limits[i].file,
					  limits[i].value);
	return 0;
}

int
oci_update(const struct oci_state *st, const struct oci_spec *resources)
{
	static struct cg_layout l;
	struct cg cg;
	const char *status = oci_status(st);

	if (strcmp(status, "stopped") == 0)
		return err_set(EINVAL, "container %s is stopped: cannot update it", st->id);
	if (oci_cgroup_load(st->dir, &cg, &l, 1) == -1 || oci_cgroup_limits(&cg, resources) == -1)
		return err_prefix("update %s", st->id);
	return 0;
}

/* update: linux.resources from --resources FILE (- for stdin: what
 * containerd's shim sends for docker update), then the flags runc has. */
int
oci_update_opts(const struct oci_state *st, const struct oci_opt *opts)
{
	struct oci_spec r = {0};
	json_error_t e;
	json_t *res = NULL;
	int rc = -1;

	if (opts[0].value) {
		int stdin_ = strcmp(opts[0].value, "-") == 0;
		res = stdin_ ? json_loadf(stdin, 0, &e) : json_load_file(opts[0].value, 0, &e);
		if (!res) {
			err_set(EINVAL, "update --resources %s:%d: %s", opts[0].value, e.line,
				e.text);
			goto out;
		}
		if (oci_resources_parse(res, &r) == -1) {
			err_prefix("update --resources %s", opts[0].value);
			goto out;
		}
	}
	/* The flags, each checked as lesson 02 checks its values. */
	for (const struct oci_opt *o = opts + 1; o->name; o++) {
		uint64_t n;
		if (!o->value)
			continue;
		if (strcmp(o->name, "--pids-limit") == 0 ? cg_parse_count(o->value, &n) == -1
							 : cg_parse_size(o->value, &n) == -1) {
			err_prefix("update %s '%s'", o->name, o->value);
			goto out;
		}
		char *field = strcmp(o->name, "--memory") == 0	      ? r.memory
			      : strcmp(o->name, "--memory-swap") == 0 ? r.memory_swap
			      : strcmp(o->name, "--pids-limit") == 0  ? r.pids
			      : strcmp(o->name, "--cpu-share") == 0   ? r.cpu_weight
								      : NULL;
		if (field) /* each as long as r.memory */
			snprintf(field, sizeof(r.memory), "%llu", (unsigned long long)n);
	}
	/* runc's units: swap is memory+swap; shares onto v2's weight; the
	 * quota over its period (100 ms unless given). */
	if (opts[2].value && r.memory[0])
		snprintf(r.memory_swap, sizeof(r.memory_swap), "%llu",
			 strtoull(r.memory_swap, NULL, 10) - strtoull(r.memory, NULL, 10));
	else if (opts[2].value)
		r.memory_swap[0] = '\0';
	if (opts[4].value) {
		unsigned long long shares = strtoull(r.cpu_weight, NULL, 10);
		snprintf(r.cpu_weight, sizeof(r.cpu_weight), "%llu",
			 shares < 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142);
	}
	if (opts[5].value || opts[6].value)
		snprintf(r.cpu_max, sizeof(r.cpu_max), "%s %s",
			 opts[5].value ? opts[5].value : "max",
			 opts[6].value ? opts[6].value : "100000");
	rc = oci_update(st, &r);
out:
	json_decref(res);
	return rc;
}

static int
parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {{"HUP", SIGHUP},	{"INT", SIGINT},     {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
		     {"USR1", SIGUSR1}, {"USR2", SIGUSR2},   {"TERM", SIGTERM}, {"CONT", SIGCONT},
		     {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}};
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].sig;
	return -1;
}

int
oci_kill(const struct oci_state *st, const char *sig_text, int all)
{
	int sig = parse_signal(sig_text ? sig_text : "TERM");

	if (sig == -1)
		return err_set(EINVAL,
			       "kill: signal '%s': expected a number or a name such as TERM",
			       sig_text);
	if (strcmp(oci_status(st), "stopped") == 0)
		return err_set(ESRCH, "container not running");
	/* --all: init is pid 1 of its own pid namespace; its end ends every
	 * process there (pid_namespaces(7)), but a signal other than KILL
	 * must reach each one itself. */
	if (all) {
		char path[4400], line[4200];
		snprintf(path, sizeof(path), "%s/cgroups", st->dir);
		FILE *f = fopen(path, "re");
		if (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\t\n")] = '\0';
			snprintf(path, sizeof(path), "%s/cgroup.procs", line + 2);
			FILE *p = fopen(path, "re");
			int pid;
			while (p && fscanf(p, "%d", &pid) == 1)
				TRACE(kill(pid, sig), "kill", "%d, %d", pid, sig);
			if (p)
				fclose(p);
		}
		if (f)
			fclose(f);
	}
	if (TRACE(kill(st->pid, sig), "kill", "%d, %d", (int)st->pid, sig) == -1)
		return err_sys("kill %s", st->id);
	/* A task of a frozen v1 cgroup does not even die of SIGKILL until
	 * thawed: a paused container is let go after KILL (runc's Signal). */
	if (sig == SIGKILL && oci_frozen(st->dir) && oci_freeze(st->dir, 0) == -1) {
		err_prefix("warning");
		err_print();
	}
	return 0;
}
