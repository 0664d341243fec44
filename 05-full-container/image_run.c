/*
 * image_run.c - the launcher's side of the image store: `nutshell image
 * ...` handed to nutshell-image, and `nutshell run --image NAME` turned
 * into what run's own options would say.
 *
 * A stored image is a stack of layer directories and a config
 * (04-overlay-chroot/store.h). Running it needs no archive code: the
 * bottom layer becomes the overlay's lowest directory (what --rootfs
 * names), the others the read-only layers above it (what --layer adds),
 * and the config's Entrypoint, Cmd, Env, WorkingDir and User become the
 * defaults of COMMAND, --env, --workdir and --user, by docker's rules
 * (image-spec config.md; docker run reference, "Defaults"): a COMMAND
 * given replaces Cmd and follows Entrypoint, --env overrides a variable of
 * the image, --workdir and --user replace the image's. The store is read
 * with jansson only, which the launcher links already.
 */
#include "../04-overlay-chroot/store.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int
ctr_image_command(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	int i;

	/* The first word after the common options (the harness puts --json
	 * FILE first). */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			i++;
		else if (argv[i][0] != '-')
			break;
	}
	if (i >= argc || (strcmp(argv[i], "image") && strcmp(argv[i], "bundle")))
		return 0;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return err_sys("readlink /proc/self/exe");
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(path, sizeof(path), "%s/nutshell-image", self);
	/* "bundle" stays: it is nutshell-image's command word. */
	if (!strcmp(argv[i], "image"))
		memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
	execv(path, argv);
	return err_sys("executing %s (run 'make')", path);
}

static struct store_image image;

/* KEY=VALUE's key is among ENV[0..N-1]. */
static int
has_key(const char *const *env, size_t n, const char *kv)
{
	size_t len = strcspn(kv, "=");

	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], kv, len) && env[i][len] == '=')
			return 1;
	return 0;
}

/* The image's Env under cfg's: a variable --env sets is the user's. */
static int
merge_env(struct ctr_config *cfg, json_t *img_env)
{
	const char *env[CTR_MAX_ENV], *user[CTR_MAX_ENV];
	size_t n = 0, nuser = cfg->nenv - 1, i;
	json_t *v;

	/* cfg->env[0] is run's default PATH; the rest came from --env. */
	memcpy(user, cfg->env + 1, nuser * sizeof(*user));
	json_array_foreach(img_env, i, v)
	{
		const char *kv = json_string_value(v);
		if (!kv || !strchr(kv, '=') || kv[0] == '=')
			return err_set(EINVAL, "Env entry %zu: expected KEY=VALUE", i);
		if (has_key(user, nuser, kv))
			continue;
		if (n + nuser + 8 >= CTR_MAX_ENV)
			return err_set(E2BIG, "Env: at most %d variables", CTR_MAX_ENV - 8);
		env[n++] = kv;
	}
	if (!has_key(env, n, cfg->env[0]) && !has_key(user, nuser, cfg->env[0]))
		env[n++] = cfg->env[0];
	memcpy(env + n, user, nuser * sizeof(*user));
	memcpy(cfg->env, env, (n + nuser) * sizeof(*env));
	cfg->nenv = n + nuser;
	return 0;
}

/* The strings of ARR (a JSON array, or nothing) onto ARGV at *n. */
static int
add_strings(char **argv, size_t *n, json_t *arr, const char *what)
{
	json_t *v;
	size_t i;

	if (arr && !json_is_array(arr) && !json_is_null(arr))
		return err_set(EINVAL, "%s: expected an array of strings", what);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return err_set(EINVAL, "%s: expected an array of strings", what);
		argv[(*n)++] = (char *)json_string_value(v);
	}
	return 0;
}

/* Entrypoint, then CMD (given) or Cmd (the image's). */
static int
make_argv(struct ctr_config *cfg, char **cmd, int ncmd)
{
	json_t *ep = json_object_get(image.config, "Entrypoint");
	json_t *dflt = json_object_get(image.config, "Cmd");
	size_t n = 0, max = json_array_size(ep) + (ncmd ? (size_t)ncmd : json_array_size(dflt));
	char **argv = calloc(max + 1, sizeof(*argv));

	if (!argv)
		return err_sys("calloc");
	if (add_strings(argv, &n, ep, "Entrypoint") == -1)
		return -1;
	for (int k = 0; k < ncmd; k++)
		argv[n++] = cmd[k];
	if (!ncmd && add_strings(argv, &n, dflt, "Cmd") == -1)
		return -1;
	if (n == 0 || !argv[0][0])
		return err_set(EINVAL, "the image has no Entrypoint or Cmd: give a COMMAND");
	cfg->argv = argv;
	return 0;
}

/* nutshell-image, beside the nutshell we were started as (we run from a
 * sealed copy: /proc/self/exe is a memfd). */
static void
image_program(char *out, size_t size, const char *self)
{
	const char *slash = strrchr(self, '/');

	snprintf(out, size, "%.*s/nutshell-image", slash ? (int)(slash - self) : 1,
		 slash ? self : ".");
}

/* All of FD into BUF (NUL-terminated, what does not fit dropped). */
static void
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	char sink[512];

	while ((n = read(fd, len + 1 < size ? buf + len : sink,
			 len + 1 < size ? size - len - 1 : sizeof(sink))) > 0 ||
	       (n == -1 && errno == EINTR))
		if (n > 0 && len + 1 < size)
			len += (size_t)n;
	buf[len] = '\0';
}

/* PATH is what import reads: a file (a tarball), or a directory holding
 * index.json (an OCI layout) or manifest.json (a docker save, unpacked). */
static int
is_image_path(const char *path)
{
	char file[PATH_MAX + 32];
	struct stat st;

	if (stat(path, &st) == -1)
		return 0;
	if (S_ISREG(st.st_mode))
		return 1;
	snprintf(file, sizeof(file), "%s/index.json", path);
	if (S_ISDIR(st.st_mode) && access(file, F_OK) == 0)
		return 1;
	snprintf(file, sizeof(file), "%s/manifest.json", path);
	return S_ISDIR(st.st_mode) && access(file, F_OK) == 0;
}

/* --image PATH: an image not yet in the store, given as what `nutshell
 * image import` reads - a layout directory (DIR, or DIR:TAG to pick one of
 * several) or a tarball. It is imported (each layer checked, unpacked once,
 * shared with what is stored already) and its stored name put in NAME. 0
 * with NAME empty when REF is no path that exists: a stored name. */
static int
import_path(const char *ref, char *name, size_t size)
{
	char path[PATH_MAX], prog[PATH_MAX + 32], out[STORE_NAME_MAX + 8], err[2048];
	const char *tag = NULL;
	struct stat st;
	int po[2], pe[2], status;

	name[0] = '\0';
	if (snprintf(path, sizeof(path), "%s", ref) >= (int)sizeof(path))
		return 0;
	if (stat(path, &st) == -1) {
		int saved = errno;
		/* The tag may hold ':' itself (busybox:latest): the first one
		 * after the last '/'. */
		char *slash = strrchr(path, '/'), *colon = strchr(slash ? slash : path, ':');
		if (colon) {
			*colon = '\0';
			if (is_image_path(path))
				tag = colon + 1;
			else
				*colon = ':';
		}
		/* Neither PATH nor DIR:TAG. Written as a path, it names no
		 * stored image: why it is not there. Else a stored name. */
		if (!tag && (path[0] == '/' || path[0] == '.')) {
			errno = saved;
			return err_sys("stat");
		}
		if (!tag)
			return 0;
	} else if (!is_image_path(path)) {
		return 0; /* a directory that is no image: a name (bench:3 beside bench/) */
	}
	image_program(prog, sizeof(prog), ctr_self_path());
	const char *argv[] = {
	    prog, "-q", "import", tag ? "--ref" : path, tag ? tag : NULL, tag ? path : NULL, NULL};
	if (pipe2(po, O_CLOEXEC) == -1)
		return err_sys("pipe");
	if (pipe2(pe, O_CLOEXEC) == -1) {
		close(po[0]);
		close(po[1]);
		return err_sys("pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (dup2(po[1], 1) == -1 || dup2(pe[1], 2) == -1)
			_exit(127);
		execv(prog, (char **)argv);
		dprintf(2, "executing %s (run 'make'): %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (pid == -1) {
		close(po[0]);
		close(pe[0]);
		return err_sys("fork");
	}
	/* Its name is one line; its one error line a few hundred bytes:
	 * read in turn, neither pipe fills. */
	read_all(po[0], out, sizeof(out));
	read_all(pe[0], err, sizeof(err));
	close(po[0]);
	close(pe[0]);
	if (waitpid(pid, &status, 0) == -1)
		return err_sys("waitpid %s", prog);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* nutshell-image said why, in one line: that line, once. */
		const char *why = strstr(err, "nutshell image: ");
		why = why ? why + strlen("nutshell image: ") : err;
		return err_set(EINVAL, "import failed: %.*s", (int)strcspn(why, "\n"),
			       why[0] ? why : "no reason given");
	}
	out[strcspn(out, "\n")] = '\0';
	if (!out[0])
		return err_set(EINVAL, "import printed no name");
	snprintf(name, size, "%.*s", STORE_NAME_MAX - 1, out);
	trace_note("image %s imported as %s", ref, name);
	return 0;
}

int
ctr_image_use(struct ctr_config *cfg, const char *name, char **cmd, int ncmd, const char **user)
{
	char root[STORE_ROOT_MAX + 1];
	static char imported[STORE_NAME_MAX];
	const char *wd, *u;

	if (cfg->rootfs[0])
		return err_set(EINVAL, "--image '%s': not with --rootfs (the image is the root)",
			       name);
	if (store_root(root, sizeof(root)) == -1)
		return err_prefix("--image");
	if (import_path(name, imported, sizeof(imported)) == -1)
		return err_prefix("--image '%s'", name);
	if (imported[0])
		name = imported;
	if (store_find(root, name, &image) == -1)
		return err_prefix("--image");
	/* Held for as long as we live, which is as long as the container:
	 * `image rm` cannot take the layers from under its overlay. */
	if (store_hold(&image) == -1)
		return err_prefix("--image");
	if (cfg->nlayers + image.nlayers - 1 > CTR_MAX_LAYERS)
		return err_set(E2BIG, "--image '%s': %zu layers and %zu --layer: at most %d", name,
			       image.nlayers, cfg->nlayers, CTR_MAX_LAYERS + 1);
	/* Bottom layer where --rootfs would be, the others beneath the
	 * --layer directories given (those stay on top). */
	snprintf(cfg->rootfs, sizeof(cfg->rootfs), "%s", image.layer[0]);
	memmove(cfg->layers + image.nlayers - 1, cfg->layers, cfg->nlayers * sizeof(*cfg->layers));
	for (size_t i = 1; i < image.nlayers; i++)
		cfg->layers[i - 1] = image.layer[i];
	cfg->nlayers += image.nlayers - 1;
	/* Without root the store is the caller's own, imported without root,
	 * so its opaque directories carry user.overlay.opaque; and the overlay
	 * is mounted in a user namespace, where overlayfs cannot read
	 * trusted.overlay.* at all (it needs CAP_SYS_ADMIN in the initial
	 * one). Without userxattr an opaque directory would show the lower
	 * layers' files through it (overlayfs.rst, "Permission model"). */
	cfg->userxattr = geteuid() != 0;
	if (merge_env(cfg, json_object_get(image.config, "Env")) == -1 ||
	    make_argv(cfg, cmd, ncmd) == -1)
		return err_prefix("--image '%s'", name);
	wd = json_string_value(json_object_get(image.config, "WorkingDir"));
	if (!cfg->workdir && wd && wd[0]) {
		if (wd[0] != '/')
			return err_set(EINVAL,
				       "--image '%s': WorkingDir '%s': expected an absolute path",
				       name, wd);
		cfg->workdir = wd;
	}
	u = json_string_value(json_object_get(image.config, "User"));
	*user = !cfg->user_set && u && u[0] ? u : NULL;
	trace_note("image %s (%.19s): %zu layers from %s", image.name, image.id, image.nlayers,
		   root);
	return 0;
}
