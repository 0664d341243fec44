/*
 * test_oci_spec.c - `nutshell spec` and bundles run directly (issue 16,
 * "Directly"): a bundle whose config.json `nutshell spec` wrote, and one
 * that umoci unpacked from an OCI image layout, each run through
 * create/start/state/kill/delete as an engine runs runc, the state JSON
 * checked field by field at each step. The bundles' roots are copies of
 * the default image (never the image itself); the layout is made here from
 * a tarball of it with scripts/mkoci.sh. Also: `nutshell ps` when ps(1) is
 * not there.
 *
 * The test process is a child subreaper, as conmon and the containerd shim
 * are: create leaves no nutshell behind, init becomes our child and we
 * take its status. Everything is in a directory of the test's own
 * (engine.h's frame), --root included; nothing stays.
 */
#include "../../03-capabilities/sc.h"
#include "../suites.h"
#include "engine.h"
#include "harness.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct engine eng;
static char *const dir = eng.dir, *const nutshell = eng.nutshell;

/* The shell command FMT, in the test's directory (engine_sh). */
static int sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return engine_sh(&eng, out, size, "cd %s && %s", dir, cmd);
}

/* The toolkit's top directory (the image, scripts/), absolute: the
 * commands run in the test's directory. */
static const char *
top(void)
{
	static char path[PATH_MAX];
	const char *root = getenv("NUTSHELL_ROOT");

	ck_assert_ptr_nonnull(realpath(root ? root : ".", path));
	return path;
}

static void
begin(void)
{
	static const char *const none[] = {NULL};
	static const struct engine_path paths[] = {{NULL, 0}};

	ck_assert_int_eq(engine_begin(&eng, "oci-spec", none, paths), 1);
}

static void
end(void)
{
	/* A failed test's containers: killed and removed as an engine would. */
	sh(NULL, 0,
	   "for id in $(ls %s/root 2>/dev/null); do %s --root %s/root delete --force $id; done",
	   dir, nutshell, dir);
	engine_end(&eng, NULL);
}

static void
setup(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* `nutshell --root DIR/root ARGS` in the test's directory; its output
 * (stdout and stderr) into out. */
#define OCI(out, fmt, ...)                                                                         \
	sh(out, sizeof(out), "%s --root %s/root " fmt, nutshell, dir, ##__VA_ARGS__)

/* No cgroup named NAME, nothing in the test's runtime root STATE. */
static void
nothing_left(const char *name, const char *state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, state);
	engine_expect_nothing_left(&eng, name, path);
}

/* A bundle DIR/NAME whose root is a copy of the default image and whose
 * config.json is nutshell spec's (with OPTS), then ARGS (a JSON array) as
 * process.args and no terminal. */
static void
spec_bundle(const char *name, const char *opts, const char *args)
{
	char out[4096], path[256];
	json_error_t e;

	ck_assert_msg(sh(out, sizeof(out), "mkdir %s && cp -a %s/images/busybox %s/rootfs", name,
			 top(), name) == 0,
		      "bundle %s: %s", name, out);
	ck_assert_msg(sh(out, sizeof(out), "%s spec --bundle %s %s", nutshell, name, opts) == 0,
		      "nutshell spec: %s", out);
	ck_assert_str_eq(out, "");
	if (!args)
		return;
	snprintf(path, sizeof(path), "%s/%s/config.json", dir, name);
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_msg(c != NULL, "%s: %s", path, e.text);
	json_t *p = json_object_get(c, "process");
	json_object_set_new(p, "args", json_loads(args, 0, &e));
	json_object_set_new(p, "terminal", json_false());
	ck_assert_int_eq(json_dump_file(c, path, JSON_INDENT(2)), 0);
	json_decref(c);
}

/* The state of ID, checked field by field: ociVersion, id, status, pid
 * (PID; 0 once stopped, as runc prints it), bundle (BUNDLE, absolute),
 * rootfs, created (RFC 3339, UTC), annotations (an object; ANNOTATION
 * "KEY=VALUE" in it when not NULL). */
static void
expect_state(const char *id, const char *status, pid_t pid, const char *bundle,
	     const char *annotation)
{
	char out[8192], abs[PATH_MAX], path[PATH_MAX + 16];
	json_error_t e;

	ck_assert_msg(OCI(out, "state %s", id) == 0, "state %s: %s", id, out);
	json_t *s = json_loads(out, 0, &e);
	ck_assert_msg(s != NULL, "state is not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(s, "ociVersion")), "1.0.2");
	ck_assert_str_eq(json_string_value(json_object_get(s, "id")), id);
	ck_assert_str_eq(json_string_value(json_object_get(s, "status")), status);
	ck_assert(json_is_integer(json_object_get(s, "pid")));
	ck_assert_int_eq(json_integer_value(json_object_get(s, "pid")),
			 strcmp(status, "stopped") == 0 ? 0 : pid);
	snprintf(path, sizeof(path), "%s/%s", dir, bundle);
	ck_assert_ptr_nonnull(realpath(path, abs));
	ck_assert_str_eq(json_string_value(json_object_get(s, "bundle")), abs);
	/* rootfs: config.json's root.path, made absolute as runc shows it. */
	snprintf(path, sizeof(path), "%s/config.json", abs);
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_ptr_nonnull(c);
	const char *root = json_string_value(json_object_get(json_object_get(c, "root"), "path"));
	ck_assert_ptr_nonnull(root);
	snprintf(path, sizeof(path), "%s%s%s", root[0] == '/' ? "" : abs, root[0] == '/' ? "" : "/",
		 root);
	json_decref(c);
	ck_assert_str_eq(json_string_value(json_object_get(s, "rootfs")), path);
	const char *created = json_string_value(json_object_get(s, "created"));
	ck_assert_msg(created && strlen(created) == 20 && created[10] == 'T' && created[19] == 'Z',
		      "created: %s", created ? created : "(none)");
	json_t *a = json_object_get(s, "annotations");
	ck_assert(json_is_object(a));
	if (annotation) {
		const char *eq = strchr(annotation, '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - annotation), annotation);
		ck_assert_msg(json_string_value(json_object_get(a, key)) &&
				  strcmp(json_string_value(json_object_get(a, key)), eq + 1) == 0,
			      "annotation %s: %s", annotation, out);
	} else
		ck_assert_int_eq(json_object_size(a), 0);
	json_decref(s);
}

/* create, start, state at each step, kill, delete: BUNDLE's process
 * runs `sleep 100`; nothing of ID is left after. */
static void
lifecycle(const char *id, const char *bundle, const char *annotation)
{
	char out[4096], path[128], text[32], name[64];
	int status;

	/* Init inherits create's standard output: a file, not sh.out. */
	snprintf(path, sizeof(path), "%s/%s.out", dir, id);
	ck_assert_msg(OCI(out, "create --bundle %s --pid-file %s.pid %s >%s.out 2>&1 </dev/null",
			  bundle, id, id, id) == 0,
		      "create %s: %s", id, read_text_file(path, out, sizeof(out)));
	snprintf(path, sizeof(path), "%s/%s.pid", dir, id);
	pid_t pid = atoi(read_text_file(path, text, sizeof(text)));
	ck_assert_int_gt(pid, 1);
	expect_state(id, "created", pid, bundle, annotation);
	ck_assert_msg(OCI(out, "start %s", id) == 0, "start %s: %s", id, out);
	expect_state(id, "running", pid, bundle, annotation);
	/* sleep is pid 1 of its namespace: TERM, which it does not handle,
	 * would be ignored (pid_namespaces(7)); KILL is not. */
	ck_assert_msg(OCI(out, "kill %s KILL", id) == 0, "kill %s: %s", id, out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	expect_state(id, "stopped", pid, bundle, annotation);
	ck_assert_msg(OCI(out, "delete %s", id) == 0, "delete %s: %s", id, out);
	ck_assert_int_eq(OCI(out, "state %s", id), 1);
	snprintf(text, sizeof(text), "container %s does not exist", id);
	ck_assert_msg(strstr(out, text) != NULL, "state after delete: %s", out);
	snprintf(name, sizeof(name), "oci-%s", id);
	nothing_left(name, "root");
}

/* What `nutshell spec` writes: runc spec's frame, and the container it
 * makes has what `nutshell run` gives by default - the same capability
 * sets, no_new_privs and open-file limit, read in /proc/self/status. */
START_TEST(oci_spec_defaults)
{
	const char *probe = "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "
			    "/proc/self/status; ulimit -n";
	char out[4096], ran[4096], path[256], text[32], args[512];
	json_error_t e;
	int status;

	spec_bundle("b", "", NULL);
	snprintf(path, sizeof(path), "%s/b/config.json", dir);
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_msg(c != NULL, "%s: %s", path, e.text);
	json_t *p = json_object_get(c, "process");
	/* runc spec's frame (libcontainer/specconv/example.go). */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "root"), "path")),
			 "rootfs");
	ck_assert(json_is_true(json_object_get(json_object_get(c, "root"), "readonly")));
	ck_assert_int_eq(json_array_size(json_object_get(p, "args")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "args"), 0)), "sh");
	ck_assert(json_is_true(json_object_get(p, "terminal")));
	ck_assert(json_is_true(json_object_get(p, "noNewPrivileges")));
	ck_assert_str_eq(json_string_value(json_object_get(p, "cwd")), "/");
	/* The launcher's: each namespace nutshell run makes by default. */
	const char *ns[] = {"pid", "network", "mount", "ipc", "uts", "cgroup"};
	json_t *list = json_object_get(json_object_get(c, "linux"), "namespaces");
	ck_assert_int_eq(json_array_size(list), 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_array_get(list, i), "type")), ns[i]);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(json_object_get(c, "linux"), "resources"), "pids"),
		"limit")),
	    2048);
	json_decref(c);

	/* The same probe in nutshell run's container and in the bundle's. */
	ck_assert_msg(
	    sh(ran, sizeof(ran), "%s -q run -- sh -c \"%s\" 2>/dev/null", nutshell, probe) == 0,
	    "nutshell run: %s", ran);
	ck_assert_ptr_nonnull(strstr(ran, "NoNewPrivs:\t1"));
	ck_assert_ptr_nonnull(strstr(ran, "\n1024\n"));
	json_t *a = json_pack("[s, s, s]", "sh", "-c", probe);
	char *text_args = json_dumps(a, JSON_COMPACT);
	snprintf(args, sizeof(args), "%s", text_args);
	free(text_args);
	json_decref(a);
	spec_bundle("b2", "", args);
	ck_assert_msg(OCI(out, "create --bundle b2 --pid-file s.pid s1 >s1.out 2>&1 </dev/null") ==
			  0,
		      "create: %s", out);
	snprintf(path, sizeof(path), "%s/s.pid", dir);
	pid_t pid = atoi(read_text_file(path, text, sizeof(text)));
	ck_assert_int_eq(OCI(out, "start s1"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	snprintf(path, sizeof(path), "%s/s1.out", dir);
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), ran);
	ck_assert_int_eq(OCI(out, "delete s1"), 0);
	nothing_left("oci-s1", "root");
}
END_TEST

/* The values the default profile's argument rules compare with, as
 * scprobe's ARG=VALUE words into words (room for max): each comparison's
 * datum and its neighbours, with the upper half set too (an int argument's
 * upper half the kernel ignores); each bit of an arg0_none row's mask and
 * the whole mask. Returns how many. */
static size_t
sweep_values(char (*words)[32], size_t max)
{
	const struct sc_profile *p = &sc_default_profile;
	unsigned arg[256];
	uint64_t val[256];
	size_t n = 0;

#define VALUE(i, v)                                                                                \
	do {                                                                                       \
		size_t k_ = 0;                                                                     \
		while (k_ < n && !(arg[k_] == (i) && val[k_] == (uint64_t)(v)))                    \
			k_++;                                                                      \
		if (k_ == n && n < max && n < 256) {                                               \
			arg[n] = (i);                                                              \
			val[n++] = (uint64_t)(v);                                                  \
		}                                                                                  \
	} while (0)
	for (size_t i = 0; i < p->n_args; i++)
		for (size_t k = 0; k < 2 && p->args[i].when[k].op; k++) {
			const struct sc_cmp *c = &p->args[i].when[k];
			uint64_t d = c->op == SCMP_CMP_MASKED_EQ ? c->b : c->a;
			VALUE(c->arg, d);
			VALUE(c->arg, d + 1);
			VALUE(c->arg, d - 1);
			VALUE(c->arg, d | 1ULL << 32);
			if (c->op == SCMP_CMP_MASKED_EQ)
				VALUE(c->arg, c->a);
		}
	for (size_t i = 0; i < p->n_rules; i++) {
		unsigned long m = p->rules[i].arg0_none;
		for (int b = 0; m && b < 64; b++)
			if ((m >> b) & 1)
				VALUE(0, 1ULL << b);
		if (m)
			VALUE(0, m);
	}
#undef VALUE
	for (size_t i = 0; i < n; i++)
		snprintf(words[i], sizeof(words[i]), "%u=0x%llx", arg[i],
			 (unsigned long long)val[i]);
	return n;
}

/* NAME.txt, scprobe's sweep in the test's directory (NAME.err: what it
 * and nutshell said on standard error). */
static const char *
sweep_output(const char *name, char *buf, size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, strchr(name, '.') ? "" : ".txt");
	return read_text_file(path, buf, size);
}

/* The line of call NR in a sweep's output, into line. */
static const char *
sweep_line(const char *out, int nr, char *line, size_t size)
{
	char key[16];
	size_t len = (size_t)snprintf(key, sizeof(key), "%d ", nr);
	const char *p = out;

	while (p && strncmp(p, key, len) != 0)
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	snprintf(line, size, "%.*s", p ? (int)strcspn(p, "\n") : 6, p ? p : "(none)");
	return line;
}

/* A container of nutshell spec's bundle gets the launcher's seccomp
 * answers: scprobe's sweep asks every call number up to the profile's
 * horizon and a few beyond it, with the values the argument rules compare
 * with (clone's namespace bits, socket families, ioctl requests), once
 * under `nutshell run` and once under `nutshell run --bundle`, and the two
 * outputs are equal line for line. The bundle without its linux.seccomp
 * answers otherwise: the sweep sees the filter. */
START_TEST(oci_spec_seccomp)
{
	static char words[256][32], launcher[1 << 20], bundle[1 << 20];
	char out[4096], cmd[16384], l1[4096], l2[4096], path[256];
	size_t nw = sweep_values(words, 256);
	int max = sc_max_nr(0) + 8, len = 0;
	json_error_t e;

	len = snprintf(cmd, sizeof(cmd), "[\"/scprobe\", \"sweep\", \"%d\"", max);
	for (size_t i = 0; i < nw; i++)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, ", \"%s\"", words[i]);
	snprintf(cmd + len, sizeof(cmd) - (size_t)len, "]");
	spec_bundle("b", "", cmd);
	spec_bundle("b0", "", cmd);
	snprintf(path, sizeof(path), "%s/b0/config.json", dir);
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_msg(c != NULL, "%s: %s", path, e.text);
	ck_assert_int_eq(json_object_del(json_object_get(c, "linux"), "seccomp"), 0);
	ck_assert_int_eq(json_dump_file(c, path, JSON_INDENT(2)), 0);
	json_decref(c);
	ck_assert_msg(sh(out, sizeof(out),
			 "cp %s/tests/probe/scprobe b/rootfs/ && "
			 "cp %s/tests/probe/scprobe b0/rootfs/",
			 top(), top()) == 0,
		      "scprobe: %s", out);

	/* The launcher's answers. */
	len = snprintf(cmd, sizeof(cmd),
		       "%s -q run --network none --volume %s/tests/probe:/probe:ro -- "
		       "/probe/scprobe sweep %d",
		       nutshell, top(), max);
	for (size_t i = 0; i < nw; i++)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " %s", words[i]);
	snprintf(cmd + len, sizeof(cmd) - (size_t)len, " >launcher.txt 2>launcher.err");
	ck_assert_msg(sh(out, sizeof(out), "%s", cmd) == 0, "nutshell run: %s",
		      sweep_output("launcher.err", out, sizeof(out)));
	sweep_output("launcher", launcher, sizeof(launcher));
	/* It sees the profile: keyctl EPERM, getpid through, the first
	 * number above the horizon ENOSYS, one line per number. */
	ck_assert_msg(strncmp(sweep_line(launcher, sc_resolve("keyctl", 0), l1, sizeof(l1)) +
				  strcspn(l1, " "),
			      " EPERM", 6) == 0,
		      "keyctl: %s", l1);
	ck_assert_msg(strncmp(sweep_line(launcher, sc_resolve("getpid", 0), l1, sizeof(l1)) +
				  strcspn(l1, " "),
			      " +", 2) == 0,
		      "getpid: %s", l1);
	ck_assert_msg(
	    strncmp(sweep_line(launcher, sc_max_nr(0) + 1, l1, sizeof(l1)) + strcspn(l1, " "),
		    " ENOSYS", 7) == 0,
	    "above the horizon: %s", l1);
	sweep_line(launcher, max, l1, sizeof(l1));
	ck_assert_msg(atoi(l1) == max, "the sweep ended early: %s", l1);

	/* The bundle's, line for line. */
	ck_assert_msg(OCI(out, "run --bundle b sc1 >bundle.txt 2>bundle.err </dev/null") == 0,
		      "run --bundle: %s", sweep_output("bundle.err", out, sizeof(out)));
	sweep_output("bundle", bundle, sizeof(bundle));
	for (int nr = 0; nr <= max; nr++) {
		sweep_line(launcher, nr, l1, sizeof(l1));
		sweep_line(bundle, nr, l2, sizeof(l2));
		char *name = sc_name(0, nr);
		ck_assert_msg(strcmp(l1, l2) == 0,
			      "call %d (%s): the launcher answers\n  %s\nspec's bundle\n  %s\n"
			      "(all arguments 0, then with %s ...)",
			      nr, name ? name : "no name", l1, l2, nw ? words[0] : "");
		free(name);
	}
	ck_assert_str_eq(bundle, launcher);
	/* Without linux.seccomp, no filter: other answers. */
	ck_assert_msg(OCI(out, "run --bundle b0 sc0 >none.txt 2>none.err </dev/null") == 0,
		      "run --bundle: %s", sweep_output("none.err", out, sizeof(out)));
	ck_assert_str_ne(sweep_output("none", bundle, sizeof(bundle)), launcher);
	nothing_left("oci-sc1", "root");
	nothing_left("oci-sc0", "root");
}
END_TEST

/* runc spec's rules for the file itself, and --rootless. */
START_TEST(oci_spec_refusals)
{
	char out[4096], before[4096], path[256], expected[512];

	spec_bundle("b", "", NULL);
	snprintf(path, sizeof(path), "%s/b/config.json", dir);
	read_text_file(path, before, sizeof(before));
	/* Never over an existing config.json: one line, exit 1, the file
	 * as it was and no temporary file beside it. */
	ck_assert_int_eq(sh(out, sizeof(out), "%s spec --bundle b", nutshell), 1);
	snprintf(expected, sizeof(expected),
		 "nutshell: spec: b/config.json exists already: remove it first\n");
	ck_assert_str_eq(out, expected);
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), before);
	ck_assert_int_eq(sh(out, sizeof(out), "ls -A b"), 0);
	ck_assert_str_eq(out, "config.json\nrootfs\n");
	ck_assert_int_eq(sh(out, sizeof(out), "%s spec --bundle nosuch", nutshell), 1);
	ck_assert_str_eq(out,
			 "nutshell: spec: bundle 'nosuch': ENOENT (No such file or directory)\n");
	ck_assert_int_eq(sh(out, sizeof(out), "%s spec extra", nutshell), 1);
	ck_assert_str_eq(out, "nutshell: usage: nutshell spec [--bundle DIR] [--rootless]\n");
	/* --rootless: a user namespace mapping the caller to root (runc's
	 * ToRootless). nutshell's runtime mode makes no user namespace yet:
	 * create refuses it, naming the field, and leaves nothing. */
	spec_bundle("r", "--rootless", NULL);
	snprintf(path, sizeof(path), "%s/r/config.json", dir);
	json_error_t e;
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_ptr_nonnull(c);
	json_t *m = json_array_get(json_object_get(json_object_get(c, "linux"), "uidMappings"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "hostID")), geteuid());
	ck_assert_int_eq(json_integer_value(json_object_get(m, "containerID")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "size")), 1);
	json_t *list = json_object_get(json_object_get(c, "linux"), "namespaces");
	ck_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(list, json_array_size(list) - 1), "type")),
			 "user");
	json_decref(c);
	ck_assert_int_eq(OCI(out, "create --bundle r r1 </dev/null"), 1);
	ck_assert_str_eq(out, "nutshell: config.json: linux.uidMappings: not supported by "
			      "nutshell\n");
	nothing_left("oci-r1", "root");
}
END_TEST

/* The Done-when's "Directly": nutshell spec's bundle, its root moved to a
 * directory not called rootfs (the state shows root.path, not a guess). */
START_TEST(oci_spec_bundle_lifecycle)
{
	char out[4096];

	spec_bundle("b", "", "[\"sleep\",\"100\"]");
	ck_assert_msg(sh(out, sizeof(out),
			 "mv b/rootfs b/fs && sed -i 's/\"path\": \"rootfs\"/\"path\": \"fs\"/' "
			 "b/config.json && grep -q '\"path\": \"fs\"' b/config.json") == 0,
		      "root.path: %s", out);
	lifecycle("spec1", "b", NULL);
}
END_TEST

/* And a bundle umoci unpacked from an OCI layout of the default image:
 * umoci's config.json (runc spec's, plus the image's Cmd, Env and
 * annotations) runs as it is, args aside (its cgroup mount is made in a
 * cgroup namespace, and left out with a note in the trace without one). */
START_TEST(oci_spec_umoci_lifecycle)
{
	char out[8192], path[256];
	json_error_t e;

	if (access("/usr/bin/umoci", X_OK) != 0)
		TEST_SKIP("no umoci here (make engine-deps installs it)");
	ck_assert_msg(sh(out, sizeof(out),
			 "tar -C %s/images/busybox -cf layer.tar . && %s/scripts/mkoci.sh layout "
			 "latest layer.tar && umoci unpack --image layout:latest u",
			 top(), top()) == 0,
		      "umoci unpack: %s", out);
	snprintf(path, sizeof(path), "%s/u/config.json", dir);
	json_t *c = json_load_file(path, 0, &e);
	ck_assert_msg(c != NULL, "%s: %s", path, e.text);
	json_t *p = json_object_get(c, "process");
	/* The image's Cmd (mkoci.sh's default config) became the args. */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "args"), 0)),
			 "/bin/sh");
	json_object_set_new(p, "args", json_pack("[s, s]", "sleep", "100"));
	json_object_set_new(p, "terminal", json_false());
	ck_assert_int_eq(json_dump_file(c, path, JSON_INDENT(2)), 0);
	json_decref(c);
	lifecycle("umoci1", "u", "org.opencontainers.image.os=linux");
}
END_TEST

/* nutshell ps runs ps(1) for its table, as runc does: without one in
 * PATH, one line that says so (its child exits 127), not a parse error. */
START_TEST(oci_ps_without_ps)
{
	char out[4096], path[128], text[32];
	int status;

	spec_bundle("b", "", "[\"sleep\",\"100\"]");
	ck_assert_int_eq(OCI(out, "create --bundle b --pid-file p.pid p1 >p1.out 2>&1 </dev/null"),
			 0);
	snprintf(path, sizeof(path), "%s/p.pid", dir);
	pid_t pid = atoi(read_text_file(path, text, sizeof(text)));
	ck_assert_int_eq(OCI(out, "start p1"), 0);
	ck_assert_int_eq(
	    sh(out, sizeof(out), "env PATH=%s/nosuch %s --root %s/root ps p1", dir, nutshell, dir),
	    1);
	ck_assert_str_eq(out, "nutshell: ps: ps(1) not found in PATH (install procps)\n");
	/* With ps(1), the container's init is in the table. */
	ck_assert_int_eq(OCI(out, "ps p1"), 0);
	snprintf(text, sizeof(text), " %d ", pid);
	ck_assert_msg(strstr(out, text) && strstr(out, "sleep 100"), "ps: %s", out);
	ck_assert_int_eq(OCI(out, "kill p1 KILL"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(OCI(out, "delete p1"), 0);
	nothing_left("oci-p1", "root");
}
END_TEST

/* SRC with every FROM replaced by TO, into out. */
static void
replace(const char *src, const char *from, const char *to, char *out, size_t size)
{
	size_t n = 0, len = strlen(from);
	const char *p;

	while ((p = strstr(src, from)) && n < size) {
		n += (size_t)snprintf(out + n, size - n, "%.*s%s", (int)(p - src), src, to);
		src = p + len;
	}
	if (n < size)
		snprintf(out + n, size - n, "%s", src);
}

/* Worksheet 05, step 13, its commands as written (sudo dropped, /tmp/sb
 * and the toolkit's paths made the test's), and what it says you will
 * see: the refusal line, 42, created, running with the same pid, stopped
 * with pid 0, and "does not exist" after delete. */
START_TEST(oci_spec_worksheet_step)
{
	static char sheet[1 << 17];
	char path[PATH_MAX + 64], cmd[6][4096], line[14][4096], out[14][4096], where[PATH_MAX];
	int rc[14], n = 0;
	pid_t pid = 0;
	json_error_t e;

	snprintf(path, sizeof(path), "%s/lessons/05-full-container.md", top());
	const char *t = strstr(read_text_file(path, sheet, sizeof(sheet)), "## Step 13:");
	ck_assert_ptr_nonnull(t);
	const char *stop = strstr(t, "What you will see");
	ck_assert_ptr_nonnull(stop);
	snprintf(where, sizeof(where), "%s/sb", dir);
	for (const char *p = strstr(t, "\n    "); p && p < stop; p = strstr(p + 1, "\n    ")) {
		ck_assert_int_lt(n, 14);
		snprintf(cmd[0], sizeof(cmd[0]), "%.*s", (int)strcspn(p + 5, "\n"), p + 5);
		replace(cmd[0], "sudo ", "", cmd[1], sizeof(cmd[1]));
		replace(cmd[1], "./05-full-container/nutshell", nutshell, cmd[2], sizeof(cmd[2]));
		replace(cmd[2], "images/busybox", "IMAGE", cmd[3], sizeof(cmd[3]));
		snprintf(path, sizeof(path), "%s/images/busybox", top());
		replace(cmd[3], "IMAGE", path, cmd[4], sizeof(cmd[4]));
		replace(cmd[4], "/tmp/sb", where, line[n], sizeof(line[n]));
		n++;
	}
	ck_assert_int_eq(n, 14);
	for (int i = 0; i < n; i++) {
		rc[i] = sh(out[i], sizeof(out[i]), "%s", line[i]);
		/* The kill: we are init's subreaper, and reap it. */
		if (strstr(line[i], " kill s1 KILL") && pid > 0)
			ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		if (!strstr(line[i], " state s1") || rc[i] != 0)
			continue;
		json_t *s = json_loads(out[i], 0, &e);
		ck_assert_msg(s != NULL, "%s: %s", line[i], out[i]);
		if (!pid)
			pid = (pid_t)json_integer_value(json_object_get(s, "pid"));
		json_decref(s);
	}
	for (int i = 0; i < n; i++)
		if (!strstr(line[i], " spec ") && !strstr(line[i], " state s1"))
			ck_assert_msg(rc[i] == 0, "%s: exit %d: %s", line[i], rc[i], out[i]);
	ck_assert_msg(strstr(line[2], " spec ") && rc[2] == 1, "%s: exit %d", line[2], rc[2]);
	snprintf(path, sizeof(path),
		 "nutshell: spec: %s/config.json exists already: remove it first\n", where);
	ck_assert_str_eq(out[2], path);
	ck_assert_str_eq(out[3], "42\n");
	const char *status[] = {"created", "running", "stopped"};
	const int state_line[] = {6, 8, 10};
	for (int k = 0; k < 3; k++) {
		const char *l = line[state_line[k]];
		ck_assert_msg(strstr(l, " state s1"), "line %d: %s", state_line[k], l);
		json_t *s = json_loads(out[state_line[k]], 0, &e);
		ck_assert_msg(s != NULL, "%s: %s", l, out[state_line[k]]);
		ck_assert_str_eq(json_string_value(json_object_get(s, "status")), status[k]);
		ck_assert_int_eq(json_integer_value(json_object_get(s, "pid")), k < 2 ? pid : 0);
		json_decref(s);
	}
	ck_assert_int_gt(pid, 1);
	ck_assert_msg(strstr(line[12], " state s1") && rc[12] == 1, "%s", line[12]);
	ck_assert_str_eq(out[12], "nutshell: container s1 does not exist\n");
	ck_assert_int_eq(access(where, F_OK), -1);
	nothing_left("oci-s1", "sb-state");
}
END_TEST

Suite *
suite_oci_spec(void)
{
	Suite *s = suite_create("oci-spec");
	/* One case per test, named after it (CK_RUN_CASE). */
	const struct {
		const char *name;
		const TTest *test;
	} tests[] = {
	    {"oci_spec_defaults", oci_spec_defaults},
	    {"oci_spec_seccomp", oci_spec_seccomp},
	    {"oci_spec_refusals", oci_spec_refusals},
	    {"oci_spec_bundle_lifecycle", oci_spec_bundle_lifecycle},
	    {"oci_spec_umoci_lifecycle", oci_spec_umoci_lifecycle},
	    {"oci_ps_without_ps", oci_ps_without_ps},
	    {"oci_spec_worksheet_step", oci_spec_worksheet_step},
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);
		tcase_set_timeout(tc, 60);
		tcase_add_unchecked_fixture(tc, begin, end);
		tcase_add_checked_fixture(tc, setup, NULL);
		tcase_add_test(tc, tests[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
