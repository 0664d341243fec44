/*
 * oci_hooks.c - config.json's hooks (runtime-spec config.md "POSIX-platform
 * Hooks", runtime.md "Lifecycle"): programs of the engine's that the
 * runtime runs at fixed points, each with the container's state JSON on
 * its standard input.
 *
 *	prestart, createRuntime   in create, once init is set up and waits on
 *	                          the fifo; a failure fails create (and
 *	                          nothing is left)
 *	poststart                 in start, after the fifo is opened; a
 *	                          failure is a warning
 *	poststop                  in delete, after the cgroup and state are
 *	                          gone; a failure is a warning
 *
 * They run on the host, in the runtime's namespaces, as runc runs them;
 * docker always adds a prestart hook (`dockerd libnetwork-setkey`, OCI.md)
 * that configures the container's network namespace through /proc/PID.
 * createContainer and startContainer run inside the container's namespaces:
 * nutshell does not implement those, and create refuses them, naming them.
 * The hooks are read from the bundle's config.json each time: start and
 * delete have no other copy, and the root filesystem may be gone by then.
 */
#include "oci.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "../common/waiting.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
oci_hooks_check(json_t *hooks)
{
	static const char *const kinds[] = {"prestart", "createRuntime", "poststart", "poststop",
					    NULL};
	const char *kind;
	json_t *list;

	if (!hooks)
		return 0;
	if (!json_is_object(hooks))
		return err_set(EINVAL, "config.json: hooks: expected an object");
	json_object_foreach(hooks, kind, list)
	{
		size_t k = 0, i;
		json_t *h;
		while (kinds[k] && strcmp(kinds[k], kind) != 0)
			k++;
		if (!kinds[k])
			return err_set(EOPNOTSUPP,
				       "config.json: hooks.%s: not supported by nutshell "
				       "(prestart, createRuntime, poststart and poststop are)",
				       kind);
		if (!json_is_array(list))
			return err_set(EINVAL, "config.json: hooks.%s: expected an array", kind);
		json_array_foreach(list, i, h)
		{
			const char *path = json_string_value(json_object_get(h, "path"));
			json_t *t = json_object_get(h, "timeout");
			if (!path || path[0] != '/')
				return err_set(EINVAL,
					       "config.json: hooks.%s[%zu].path '%s': expected an "
					       "absolute path",
					       kind, i, path ? path : "");
			if (t && (!json_is_integer(t) || json_integer_value(t) <= 0))
				return err_set(EINVAL,
					       "config.json: hooks.%s[%zu].timeout: expected a "
					       "number of seconds above 0",
					       kind, i);
			const char *keys[] = {"args", "env"};
			for (size_t j = 0; j < 2; j++) {
				json_t *a = json_object_get(h, keys[j]), *v;
				size_t n;
				if (a && !json_is_array(a))
					return err_set(EINVAL,
						       "config.json: hooks.%s[%zu].%s: expected an "
						       "array of strings",
						       kind, i, keys[j]);
				json_array_foreach(a, n, v)
				{
					if (!json_is_string(v))
						return err_set(
						    EINVAL,
						    "config.json: hooks.%s[%zu].%s[%zu]: "
						    "expected a string",
						    kind, i, keys[j], n);
				}
			}
		}
	}
	return 0;
}

/* A NULL-terminated copy of the strings of array A (or of FALLBACK alone). */
static char **
strings(json_t *a, const char *fallback)
{
	size_t n = json_array_size(a), i;
	char **out = calloc(n + 2, sizeof(*out));
	json_t *v;

	if (!out)
		return NULL;
	if (!n)
		out[0] = (char *)fallback;
	json_array_foreach(a, i, v)
	{
		out[i] = (char *)json_string_value(v);
	}
	return out;
}

/* <<< oci-hook */
/* One hook: its program with STATE on standard input, for at most its
 * timeout (runc's default: none; ours: 60 s, so a hung hook cannot hang
 * the engine for ever). 0 when it exited 0. */
static int
run_hook(const char *kind, size_t i, json_t *h, const char *state)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *t = json_object_get(h, "timeout");
	double seconds = t ? (double)json_integer_value(t) : 60;
	char **argv = strings(json_object_get(h, "args"), path);
	char **envp = strings(json_object_get(h, "env"), NULL);
	int in[2] = {-1, -1}, status = 0, ret = -1;

	if (!argv || !envp || pipe2(in, O_CLOEXEC) == -1) {
		err_sys("hooks.%s[%zu]", kind, i);
		goto out;
	}
	trace_note("hooks.%s[%zu]: %s, the state on its standard input", kind, i, path);
	pid_t pid = trace_fork();
	if (pid == -1) {
		err_sys("hooks.%s[%zu]: fork", kind, i);
		goto out;
	}
	if (pid == 0) {
		/* The state on 0; the hook's output goes where ours goes. */
		if (dup2(in[0], 0) == -1)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(in[0]);
	in[0] = -1;
	/* A hook that does not read its input must not block us: SIGPIPE is
	 * ignored by the write, which then fails with EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	ssize_t ignored = write(in[1], state, strlen(state));
	(void)ignored;
	close(in[1]);
	in[1] = -1;
	if (wait_child(pid, &status, seconds, -1) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		err_set(ETIMEDOUT, "hooks.%s[%zu] %s: did not end within %.0f s", kind, i, path,
			seconds);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(EINVAL, "hooks.%s[%zu] %s: %s %d", kind, i, path,
			WIFEXITED(status) ? "exited with" : "killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	ret = 0;
out:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	free(argv);
	free(envp);
	return ret;
}
/* >>> oci-hook */

int
oci_hooks_run(const struct oci_state *st, const char *kind, const char *status)
{
	char path[4200];
	json_error_t jerr;
	json_t *config, *h;
	size_t i;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/config.json", st->bundle);
	/* A bundle already removed (an engine's delete after its own
	 * cleanup) has no hooks left to run. */
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if (!(config = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set(EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
	json_t *list = json_object_get(json_object_get(config, "hooks"), kind);
	char *state = json_array_size(list) ? oci_state_json(st, status) : NULL;
	json_array_foreach(list, i, h)
	{
		if (!state || (ret = run_hook(kind, i, h, state)) == -1)
			break;
	}
	if (json_array_size(list) && !state)
		ret = err_set(ENOMEM, "hooks.%s: the state", kind);
	free(state);
	json_decref(config);
	return ret;
}
