/*
 * test_oci_docker.c - docker with nutshell as a runtime (issue 16):
 * `dockerd --add-runtime nutshell=PATH`, `docker run --runtime nutshell`.
 * dockerd starts its own containerd, which starts the runc-v2 shim with
 * BinaryName nutshell: the containerd contract (test_oci_containerd.c)
 * plus the prestart hook docker always adds (`dockerd libnetwork-setkey`,
 * even with --network none).
 *
 * dockerd is the test's own: data root, exec root, pid file, config file
 * and socket in a directory of the test; no bridge, no iptables, no IP
 * forwarding or masquerading; the vfs storage driver (no overlay mounts to
 * leave behind); stopped by its pid. The image is the default image's OCI
 * layout repacked as a `docker save` archive (manifest.json beside the same
 * blobs) and loaded with `docker load`: no registry is reached. Afterwards
 * the shims and dockerd's containerd (found by the test's directory on
 * their command line), mounts under the directory, and /run/containerd and
 * /etc/docker/key.json if they were not there before, are gone.
 *
 * Its first run (2026-12-03) failed in nutshell create with "linux.sysctl
 * net.ipv4.ip_unprivileged_port_start: EROFS": docker asks for that sysctl
 * on every container, and nutshell wrote sysctls after readonlyPaths had
 * made /proc/sys read-only; runc writes them before (oci_sysctl in
 * test_oci.c holds that order).
 */
#include "../suites.h"
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64], nutshell[4096];
static pid_t dockerd = -1;
static int had_run_containerd, had_key;

static int sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
sh(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = harness_vsh(dir, out, size, fmt, ap);
	va_end(ap);
	return rc;
}

/* The docker client on the test's dockerd (/usr/bin/docker: Debian's). */
static int docker(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
docker(char *out, size_t size, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return sh(out, size, "timeout 120 /usr/bin/docker -H unix://%s/docker.sock %s", dir, args);
}

/* The default image's OCI layout as a `docker save` archive: the same
 * blobs, and a manifest.json naming its config and layers. */
static void
make_archive(const char *root)
{
	char path[4200], out[4096];
	json_error_t e;

	snprintf(path, sizeof(path), "%s/images/busybox-oci/index.json", root);
	json_t *index = json_load_file(path, 0, &e);
	ck_assert_msg(index != NULL, "%s: %s", path, e.text);
	const char *digest = json_string_value(
	    json_object_get(json_array_get(json_object_get(index, "manifests"), 0), "digest"));
	ck_assert_ptr_nonnull(digest);
	snprintf(path, sizeof(path), "%s/images/busybox-oci/blobs/sha256/%s", root, digest + 7);
	json_t *m = json_load_file(path, 0, &e);
	ck_assert_msg(m != NULL, "%s: %s", path, e.text);
	json_t *layers = json_array(), *l;
	size_t i;
	json_array_foreach(json_object_get(m, "layers"), i, l)
	{
		char name[128];
		snprintf(name, sizeof(name), "blobs/sha256/%s",
			 json_string_value(json_object_get(l, "digest")) + 7);
		json_array_append_new(layers, json_string(name));
	}
	char config[128];
	snprintf(config, sizeof(config), "blobs/sha256/%s",
		 json_string_value(json_object_get(json_object_get(m, "config"), "digest")) + 7);
	json_t *save = json_pack("[{s:s, s:[s], s:o}]", "Config", config, "RepoTags",
				 "nutshell-bb:latest", "Layers", layers);
	ck_assert_int_eq(sh(out, sizeof(out),
			    "mkdir -p %s/img && cp -r %s/images/busybox-oci/blobs "
			    "%s/img/",
			    dir, root, dir),
			 0);
	snprintf(path, sizeof(path), "%s/img/manifest.json", dir);
	ck_assert_int_eq(json_dump_file(save, path, 0), 0);
	json_decref(save);
	json_decref(m);
	json_decref(index);
	ck_assert_msg(sh(out, sizeof(out), "tar -C %s/img -cf %s/bb-docker.tar .", dir, dir) == 0,
		      "tar: %s", out);
}

static void
setup(void)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char rel[512], out[4096], path[128], arg[4200];
	struct stat st;

	dir[0] = '\0';
	if (access("/usr/sbin/dockerd", X_OK) != 0 || access("/usr/bin/docker", X_OK) != 0)
		return;
	snprintf(dir, sizeof(dir), "/tmp/nutshell-docker.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rel, sizeof(rel), "%s/05-full-container/nutshell", root ? root : ".");
	ck_assert_ptr_nonnull(realpath(rel, nutshell));
	had_run_containerd = stat("/run/containerd", &st) == 0;
	/* dockerd 20.10 writes its trust key beside /etc/docker/daemon.json
	 * whatever --config-file says. */
	had_key = stat("/etc/docker/key.json", &st) == 0;
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{}\n", f);
	fclose(f);
	dockerd = fork();
	ck_assert_int_ne(dockerd, -1);
	if (dockerd == 0) {
		char data[128], exec_root[128], pidfile[128], host[128], conf[128];
		snprintf(path, sizeof(path), "%s/dockerd.log", dir);
		if (!freopen(path, "w", stdout) || dup2(1, 2) == -1)
			_exit(127);
		setsid();
		snprintf(data, sizeof(data), "--data-root=%s/data", dir);
		snprintf(exec_root, sizeof(exec_root), "--exec-root=%s/exec", dir);
		snprintf(pidfile, sizeof(pidfile), "--pidfile=%s/docker.pid", dir);
		snprintf(host, sizeof(host), "--host=unix://%s/docker.sock", dir);
		snprintf(conf, sizeof(conf), "--config-file=%s/daemon.json", dir);
		snprintf(arg, sizeof(arg), "--add-runtime=nutshell=%s", nutshell);
		/* The trace of every nutshell call, through containerd and
		 * the shim, which pass their environment on. */
		snprintf(path, sizeof(path), "NUTSHELL_JSON=%s/trace.json", dir);
		putenv(path);
		execl("/usr/sbin/dockerd", "dockerd", conf, data, exec_root, pidfile, host,
		      "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
		      "--storage-driver=vfs", arg, (char *)NULL);
		_exit(127);
	}
	int up = 1;
	for (int i = 0; i < 300 && (up = docker(out, sizeof(out), "version")) != 0; i++)
		usleep(100000);
	ck_assert_msg(up == 0, "dockerd did not start: %s", out);
	make_archive(root ? root : ".");
	ck_assert_msg(docker(out, sizeof(out), "load -i %s/bb-docker.tar", dir) == 0,
		      "docker load: %s", out);
}

static void
teardown(void)
{
	char out[4096];

	if (!dir[0])
		return;
	docker(out, sizeof(out), "rm -f d-detached");
	if (dockerd > 0) {
		kill(dockerd, SIGTERM);
		waitpid(dockerd, NULL, 0);
		dockerd = -1;
	}
	harness_kill_by_cmdline("containerd", dir);
	sh(NULL, 0, "grep -o ' %s[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l",
	   dir);
	if (!had_run_containerd)
		sh(NULL, 0, "rm -rf /run/containerd");
	if (!had_key)
		unlink("/etc/docker/key.json");
	sh(NULL, 0, "rm -rf %s", dir);
}

START_TEST(docker_runs_a_container)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	int rc =
	    docker(out, sizeof(out),
		   "run --rm --runtime nutshell --network none nutshell-bb echo hi from docker");
	ck_assert_msg(rc == 0 && strcmp(out, "hi from docker\n") == 0, "exit %d: %s", rc, out);
	rc = docker(out, sizeof(out),
		    "run --rm --runtime nutshell --network none nutshell-bb sh -c 'exit 3'");
	ck_assert_msg(rc == 3, "exit %d: %s", rc, out);
	/* The runtime's "not found", which docker turns into 127. */
	rc = docker(out, sizeof(out),
		    "run --rm --runtime nutshell --network none nutshell-bb nosuchcmd");
	ck_assert_msg(rc == 127 && strstr(out, "executable file not found in $PATH"), "exit %d: %s",
		      rc, out);
	/* docker's prestart hook ran, as the trace says. */
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c 'hooks.prestart\\[0\\]' %s/trace.json", dir),
			 0);
}
END_TEST

START_TEST(docker_exec_and_stop)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	int rc = docker(out, sizeof(out),
			"run -d --runtime nutshell --network none --name d-detached nutshell-bb "
			"sleep 300");
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	/* docker exec: the shim calls nutshell exec --process F --detach. */
	rc = docker(out, sizeof(out), "exec d-detached sh -c 'echo exec in pid $$; exit 2'");
	ck_assert_msg(rc == 2 && strstr(out, "exec in pid ") && !strstr(out, "pid 1\n"),
		      "exit %d: %s", rc, out);
	/* docker stop: TERM, which sleep as pid 1 ignores, then KILL: 137. */
	ck_assert_int_eq(docker(out, sizeof(out), "stop -t 1 d-detached"), 0);
	ck_assert_int_eq(docker(out, sizeof(out), "inspect -f '{{.State.ExitCode}}' d-detached"),
			 0);
	ck_assert_str_eq(out, "137\n");
	ck_assert_int_eq(docker(out, sizeof(out), "rm d-detached"), 0);
	sh(out, sizeof(out),
	   "ls -A %s/exec/runtime-runc/moby 2>/dev/null; find /sys/fs/cgroup -maxdepth 6 -name "
	   "'oci-*'",
	   dir);
	ck_assert_msg(!out[0], "left behind: %s", out);
}
END_TEST

Suite *
suite_oci_docker(void)
{
	Suite *s = suite_create("oci-docker");
	TCase *tc = tcase_create("docker");

	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, docker_runs_a_container);
	tcase_add_test(tc, docker_exec_and_stop);
	suite_add_tcase(s, tc);
	return s;
}
