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
#include "engine.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct engine eng;
static char *const dir = eng.dir;

#define sh(...) engine_sh(&eng, __VA_ARGS__)

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

/* The full id of container NAME: its cgroup's name (docker passes
 * linux.cgroupsPath /docker/ID with the cgroupfs driver). */
static void
docker_id(const char *name, char *id, size_t size)
{
	ck_assert_int_eq(docker(id, size, "inspect -f '{{.Id}}' %s", name), 0);
	id[strcspn(id, "\n")] = '\0';
	ck_assert_msg(strlen(id) == 64, "docker inspect: '%s'", id);
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
	static const char *const binaries[] = {"/usr/sbin/dockerd", "/usr/bin/docker", NULL};
	/* dockerd's containerd 1.6 shim uses /run/containerd whatever it is
	 * told, and dockerd 20.10 writes its trust key beside
	 * /etc/docker/daemon.json whatever --config-file says. */
	static const struct engine_path paths[] = {
	    {"/run/containerd", 0}, {"/etc/docker/key.json", 0}, {NULL, 0}};
	const char *root = getenv("NUTSHELL_ROOT");
	char out[4096], path[128], arg[4200], data[128], exec_root[128], pidfile[128], host[128],
	    conf[128], ready[200];
	static char trace[160];

	if (!engine_begin(&eng, "docker", binaries, paths))
		return;
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{}\n", f);
	fclose(f);
	snprintf(data, sizeof(data), "--data-root=%s/data", dir);
	snprintf(exec_root, sizeof(exec_root), "--exec-root=%s/exec", dir);
	snprintf(pidfile, sizeof(pidfile), "--pidfile=%s/docker.pid", dir);
	snprintf(host, sizeof(host), "--host=unix://%s/docker.sock", dir);
	snprintf(conf, sizeof(conf), "--config-file=%s/daemon.json", dir);
	snprintf(arg, sizeof(arg), "--add-runtime=nutshell=%s", eng.nutshell);
	/* The trace of every nutshell call, through containerd and the shim,
	 * which pass their environment on. */
	snprintf(trace, sizeof(trace), "NUTSHELL_JSON=%s/trace.json", dir);
	char *const argv[] = {"/usr/sbin/dockerd",
			      conf,
			      data,
			      exec_root,
			      pidfile,
			      host,
			      "--bridge=none",
			      "--iptables=false",
			      "--ip-forward=false",
			      "--ip-masq=false",
			      "--storage-driver=vfs",
			      arg,
			      NULL};
	snprintf(ready, sizeof(ready), "/usr/bin/docker -H unix://%s/docker.sock version", dir);
	engine_start(&eng, "dockerd.log", argv, trace, ready, 300);
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
	engine_end(&eng, "containerd");
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
	char id[128];
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
	docker_id("d-detached", id, sizeof(id));
	ck_assert_int_eq(docker(out, sizeof(out), "rm d-detached"), 0);
	snprintf(out, sizeof(out), "%s/exec/runtime-runc/moby", dir);
	engine_expect_nothing_left(&eng, id, out);
}
END_TEST

START_TEST(docker_terminal)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	/* -t: the shim's console socket gets the master of a pty of the
	 * container's devpts; docker relays it to its terminal, script(1)'s.
	 * Not -i: script's stdin, /dev/null, ends at once, and with -i that
	 * end raced the output (as test_oci_podman.c found, runc alike). */
	int rc = sh(out, sizeof(out),
		    "timeout 60 script -qec \"/usr/bin/docker -H unix://%s/docker.sock run -t --rm "
		    "--runtime nutshell --network none nutshell-bb sh -c 'tty; exit 4'\" /dev/null "
		    "</dev/null",
		    dir);
	ck_assert_msg(rc == 4 && strstr(out, "/dev/pts/0"), "exit %d: %s", rc, out);
}
END_TEST

/* docker top (containerd's shim: nutshell ps --format json), docker
 * pause/unpause (pause, resume: the freezer) and docker update --memory
 * (update --resources -: the limit in the container's cgroup). */
START_TEST(docker_top_pause_update)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	char id[128];
	int rc = docker(out, sizeof(out),
			"run -d --runtime nutshell --network none --name d-detached nutshell-bb "
			"sleep 301");
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	rc = docker(out, sizeof(out), "top d-detached");
	ck_assert_msg(rc == 0 && strstr(out, "PID") && strstr(out, "sleep 301"), "exit %d: %s", rc,
		      out);
	ck_assert_int_eq(docker(out, sizeof(out), "pause d-detached"), 0);
	ck_assert_int_eq(docker(out, sizeof(out), "inspect -f '{{.State.Status}}' d-detached"), 0);
	ck_assert_str_eq(out, "paused\n");
	/* The cgroup is where docker's linux.cgroupsPath /docker/ID says. */
	docker_id("d-detached", id, sizeof(id));
	engine_expect_frozen(&eng, id);
	ck_assert_int_eq(docker(out, sizeof(out), "unpause d-detached"), 0);
	ck_assert_int_eq(docker(out, sizeof(out), "inspect -f '{{.State.Status}}' d-detached"), 0);
	ck_assert_str_eq(out, "running\n");
	rc = docker(out, sizeof(out), "update --memory 48m --memory-swap 96m d-detached");
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	ck_assert_str_eq(
	    engine_cgroup_file(&eng, id, "memory.max", "memory.limit_in_bytes", out, sizeof(out)),
	    "50331648\n");
	rc = docker(out, sizeof(out),
		    "exec d-detached sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
		    "/sys/fs/cgroup/memory.max 2>/dev/null; true'");
	ck_assert_msg(rc == 0 && strcmp(out, "50331648\n") == 0, "inside: exit %d: '%s'", rc, out);
	ck_assert_int_eq(docker(out, sizeof(out), "rm -f d-detached"), 0);
	snprintf(out, sizeof(out), "%s/exec/runtime-runc/moby", dir);
	engine_expect_nothing_left(&eng, id, out);
}
END_TEST

/* The default image's inspect under docker, row by row against `nutshell
 * run -- inspect`: the same isolation, except what docker asked for. */
static const struct engine_inspect_diff docker_diffs[] = {
    {"hostname", "[0-9a-f]*",
     "docker names the container by its ID's first 12 digits, nutshell run by an id of its own"},
    {"no_new_privs", "0",
     "docker sets noNewPrivileges only with --security-opt no-new-privileges; nutshell always"},
    {"root_fstype", "ext4",
     "the test's dockerd has the vfs storage driver: the root is a directory on the host's disk"},
    {"mounts", "24",
     "docker's binds of /etc/hostname, /etc/hosts and /etc/resolv.conf, /dev/mqueue, its /dev/pts "
     "and /dev/shm over those of nutshell's small /dev; no /proc/interrupts mask (19 - 1 + 6)"},
    {"pids_max", "max",
     "docker run sets no pids limit without --pids-limit; nutshell run's default is 2048"},
    {"device_allow_list", "*;c 5:1 rwm",
     "docker's default device rules allow /dev/console (5:1) too"},
    {"stdin", "device (a file)",
     "without -i docker gives the container /dev/null; nutshell run relays its own through a pipe"},
    ENGINE_INSPECT_COMMON("docker"),
    {NULL, NULL, NULL},
};

START_TEST(docker_inspect)
{
	static char out[16384];

	if (!dir[0])
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	int rc =
	    docker(out, sizeof(out),
		   "run --rm --runtime nutshell --network none nutshell-bb inspect 2>/dev/null");
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	engine_expect_inspect(&eng, "docker", out, docker_diffs);
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
	tcase_add_test(tc, docker_terminal);
	tcase_add_test(tc, docker_top_pause_update);
	tcase_add_test(tc, docker_inspect);
	suite_add_tcase(s, tc);
	return s;
}
