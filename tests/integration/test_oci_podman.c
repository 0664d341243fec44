/*
 * test_oci_podman.c - podman with nutshell as its OCI runtime (issue 16):
 * `podman --runtime .../nutshell run` through conmon, which calls
 * nutshell create, start, state, kill and delete.
 *
 * podman is started as this test's own: storage, run root and temporary
 * files in a directory of the test (vfs driver: no overlay mounts left
 * behind), a containers.conf of its own (OCI.md: this host's root lacks
 * CAP_SYS_RESOURCE, so podman's default rlimits are lowered, and
 * runtime_supports_json names nutshell, so podman passes --log-format json
 * --log), cgroupfs with a cgroup parent of the test's own, --network none.
 * The image is imported from a tarball made here: no registry is reached.
 * Afterwards the cgroups podman made (the parent, conmon's) are removed,
 * and /run/nutshell, podman's runtime root for nutshell (its state call
 * passes no --root), and /var/lib/containers (podman's blob info cache), if
 * they were not there before.
 */
#include "../suites.h"
#include "engine.h"
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct engine eng;
static char *const dir = eng.dir, *const nutshell = eng.nutshell;
static char parent[64];

#define sh(...) engine_sh(&eng, __VA_ARGS__)

/* podman with every setting the test's own, before its arguments. */
static const char *
podman_command(void)
{
	static char cmd[8192];

	snprintf(cmd, sizeof(cmd),
		 "env CONTAINERS_CONF=%s/containers.conf CONTAINERS_STORAGE_CONF=%s/storage.conf "
		 "CONTAINERS_REGISTRIES_CONF=/dev/null podman --root %s/root --runroot %s/runroot "
		 "--tmpdir %s/tmp --storage-driver vfs --cgroup-manager cgroupfs --runtime %s",
		 dir, dir, dir, dir, dir, nutshell);
	return cmd;
}

/* podman; FMT: its arguments. */
static int
podman(char *out, size_t size, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return sh(out, size, "timeout 120 %s %s", podman_command(), args);
}

static void
setup(void)
{
	static const char *const binaries[] = {"/usr/bin/podman", NULL};
	/* podman's runtime root for nutshell (its state call passes no
	 * --root), and its blob info cache, which goes to /var/lib/containers
	 * whatever --root says (containers/image blobinfocache, for root). */
	static const struct engine_path paths[] = {
	    {"/run/nutshell", 1}, {"/var/lib/containers", 0}, {NULL, 0}};
	char out[4096];

	if (!engine_begin(&eng, "podman", binaries, paths))
		return;
	snprintf(parent, sizeof(parent), "/nutshell-test-podman-%d", (int)getpid());
	FILE *f;
	char path[128];
	snprintf(path, sizeof(path), "%s/containers.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f,
		"[containers]\ndefault_ulimits=[\"nofile=1024:20000\",\"nproc=32768:32768\"]\n"
		"[engine]\nruntime_supports_json=[\"nutshell\"]\ncgroup_manager=\"cgroupfs\"\n"
		"events_logger=\"file\"\nevents_logfile_path=\"%s/events.log\"\n"
		"static_dir=\"%s/static\"\nvolume_path=\"%s/volumes\"\ntmp_dir=\"%s/tmp\"\n",
		dir, dir, dir, dir);
	fclose(f);
	snprintf(path, sizeof(path), "%s/storage.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "[storage]\ndriver=\"vfs\"\nrunroot=\"%s/runroot\"\ngraphroot=\"%s/root\"\n",
		dir, dir);
	fclose(f);
	/* The image: busybox, a tarball, podman import. */
	ck_assert_int_eq(
	    sh(out, sizeof(out),
	       "set -e; mkdir -p %s/img/bin %s/img/proc %s/img/dev %s/img/sys; "
	       "cp /bin/busybox %s/img/bin/; for c in sh echo cat sleep; do ln -s busybox "
	       "%s/img/bin/$c; done; tar -C %s/img -cf %s/bb.tar .",
	       dir, dir, dir, dir, dir, dir, dir, dir),
	    0);
	ck_assert_msg(podman(out, sizeof(out), "import %s/bb.tar localhost/nutshell-bb", dir) == 0,
		      "podman import: %s", out);
}

static void
teardown(void)
{
	if (!dir[0])
		return;
	/* podman's own leftovers first (pods: the infra container goes only
	 * with its pod; its storage may hold mounts), and
	 * the cgroups it made (the parent, conmon's). */
	podman(NULL, 0, "pod rm --all --force");
	podman(NULL, 0, "rm --all --force");
	sh(NULL, 0,
	   "find /sys/fs/cgroup -maxdepth 2 -type d -name '%s' | while read d; do "
	   "find $d -depth -type d -exec rmdir {} \\; ; done",
	   parent + 1);
	engine_end(&eng, NULL);
}

START_TEST(podman_runs_a_container)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no podman here (make engine-deps installs it)");
	/* A line from the container, through conmon, on podman's output. */
	int rc =
	    podman(out, sizeof(out),
		   "run --rm --network none --cgroup-parent %s --annotation "
		   "org.nutshell.trace=%s/trace.json localhost/nutshell-bb echo hi from podman",
		   parent, dir);
	ck_assert_msg(rc == 0 && strcmp(out, "hi from podman\n") == 0, "exit %d: %s", rc, out);
	/* podman's binds of files (/etc/hosts) and its mqueue under the small
	 * /dev: made through lesson 04's rootfs_setup(), like `nutshell run`'s. */
	rc = podman(out, sizeof(out),
		    "run --rm --network none --cgroup-parent %s localhost/nutshell-bb sh -c "
		    "'cat /etc/hosts && cd /dev/mqueue && echo in /dev/mqueue'",
		    parent);
	ck_assert_msg(rc == 0 && strstr(out, "localhost") && strstr(out, "in /dev/mqueue\n"),
		      "exit %d: %s", rc, out);
	/* The container's exit status, and the runtime's "not found". */
	rc = podman(
	    out, sizeof(out),
	    "run --rm --network none --cgroup-parent %s localhost/nutshell-bb sh -c 'exit 3'",
	    parent);
	ck_assert_msg(rc == 3, "exit %d: %s", rc, out);
	rc = podman(out, sizeof(out),
		    "run --rm --network none --cgroup-parent %s localhost/nutshell-bb nosuchcmd",
		    parent);
	ck_assert_msg(rc == 127 && strstr(out, "executable file not found in $PATH"), "exit %d: %s",
		      rc, out);
	/* What podman's config.json asked for, in the trace a learner reads. */
	char path[128];
	snprintf(path, sizeof(path), "%s/trace.json", dir);
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c '\"name\":\"pivot_root\"' %s", path), 0);
	ck_assert_int_eq(sh(out, sizeof(out), "grep -c '\"name\":\"seccomp\"' %s", path), 0);
	/* Every container gone: no state, no cgroup of nutshell's. */
	engine_expect_nothing_left(&eng, "libpod-[0-9a-f]*", "/run/nutshell");
}
END_TEST

/* Issue 17: an image podman saved, imported into nutshell's store and run
 * with `run --image`, shows the container exactly the files podman's own
 * unpacking does. The image is the store suite's three layers (a whiteout
 * deletes data/a, an opaque directory replaces opt/), loaded into podman
 * from an OCI archive and saved back by podman in both its formats;
 * `find / -xdev` lists the root in a podman container and in nutshell's,
 * and the lists are compared, less the files each engine adds itself. */
START_TEST(podman_saved_image_in_store)
{
	static char out[16384], a[16384], b[16384];
	const char *root = getenv("NUTSHELL_ROOT");
	char top[4096], store[128], path[256];

	if (!dir[0])
		TEST_SKIP("no podman here (make engine-deps installs it)");
	ck_assert_ptr_nonnull(realpath(root ? root : ".", top));
	ck_assert_msg(
	    sh(out, sizeof(out),
	       "set -e; cd %s; for f in %s/images/busybox-oci/blobs/sha256/*; do "
	       "gunzip -t $f 2>/dev/null && cp $f l1.tar.gz; done; "
	       "mkdir -p l2/data l2/opt/keep && echo a >l2/data/a && echo b >l2/data/b && "
	       "echo k >l2/opt/keep/k && tar -C l2 --numeric-owner -cf l2.tar . && "
	       "mkdir -p l3/data l3/opt && : >l3/data/.wh.a && : >l3/opt/.wh..wh..opq && "
	       "echo n >l3/opt/new && tar -C l3 --numeric-owner -cf l3.tar . && "
	       "%s/scripts/mkoci.sh three three:1 l1.tar.gz l2.tar l3.tar && "
	       "tar -C three -cf three.tar .",
	       dir, top, top) == 0,
	    "%s", out);
	ck_assert_msg(podman(out, sizeof(out), "load -i %s/three.tar", dir) == 0, "%s", out);
	ck_assert_msg(podman(out, sizeof(out),
			     "save --format docker-archive -o %s/saved.tar localhost/three:1",
			     dir) == 0,
		      "%s", out);
	ck_assert_msg(podman(out, sizeof(out),
			     "save --format oci-archive -o %s/saved-oci.tar localhost/three:1",
			     dir) == 0,
		      "%s", out);
	/* What each engine adds: its mounts' contents (-xdev leaves them
	 * out, not their mount points), podman's /etc files, its /etc/mtab
	 * (a symlink to /proc/mounts libpod adds to a root without one) and
	 * /run/.containerenv. */
	const char *drop =
	    "grep -Ev '^/(etc/(hosts|hostname|resolv.conf|mtab)|run|run/.containerenv)$'";
	ck_assert_msg(podman(out, sizeof(out),
			     "run --rm --network none --cgroup-parent %s localhost/three:1 "
			     "find / -xdev | sort | %s >%s/podman.txt",
			     parent, drop, dir) == 0,
		      "%s", out);

	snprintf(store, sizeof(store), "%s/store", dir);
	setenv("NUTSHELL_STORE", store, 1);
	ck_assert_msg(sh(out, sizeof(out), "%s -q image import %s/saved.tar", nutshell, dir) == 0,
		      "docker-archive: %s", out);
	ck_assert_str_eq(out, "localhost/three:1\n");
	ck_assert_msg(sh(out, sizeof(out),
			 "%s -q run --network none --image localhost/three:1 -- find / -xdev | "
			 "sort | %s >%s/nutshell.txt",
			 nutshell, drop, dir) == 0,
		      "%s", out);
	snprintf(path, sizeof(path), "%s/podman.txt", dir);
	read_text_file(path, a, sizeof(a));
	snprintf(path, sizeof(path), "%s/nutshell.txt", dir);
	read_text_file(path, b, sizeof(b));
	ck_assert_msg(strstr(a, "\n/opt/new\n") && !strstr(a, "/data/a\n") &&
			  !strstr(a, "/opt/keep"),
		      "podman's list:\n%s", a);
	if (strcmp(a, b)) {
		sh(out, sizeof(out), "diff %s/podman.txt %s/nutshell.txt | head -n 20", dir, dir);
		ck_abort_msg("podman's list (<) and nutshell's (>) differ:\n%.3000s", out);
	}
	/* podman's OCI archive of the same image: the same layers, shared. */
	ck_assert_msg(sh(out, sizeof(out), "%s -q image import %s/saved-oci.tar", nutshell, dir) ==
			  0,
		      "oci-archive: %s", out);
	ck_assert_int_eq(sh(out, sizeof(out), "ls %s/layers | wc -l", store), 0);
	ck_assert_str_eq(out, "3\n");
	ck_assert_int_eq(sh(out, sizeof(out), "%s -q image rm localhost/three:1", nutshell), 0);
	unsetenv("NUTSHELL_STORE");
}
END_TEST

/* The rest of the Done-when list under podman: exit 126, -it on a pty,
 * --memory and --pids-limit in the cgroup, exec, top, pause/unpause, stop
 * (TERM, then KILL: 137), kill. */
START_TEST(podman_lifecycle)
{
	char out[8192];

	if (!dir[0])
		TEST_SKIP("no podman here (make engine-deps installs it)");
	/* A directory as the command: the runtime's "permission denied". */
	int rc =
	    podman(out, sizeof(out),
		   "run --rm --network none --cgroup-parent %s localhost/nutshell-bb /bin", parent);
	ck_assert_msg(rc == 126 && strstr(out, "permission denied"), "exit %d: %s", rc, out);
	/* -t: conmon's console socket, the pty master from nutshell's init;
	 * script(1) is podman's terminal. Not -i: script reads its stdin,
	 * /dev/null, to the end at once, podman -i hands that end on, and the
	 * output was then lost in 8 of 60 runs (runc's too: 7 of 60); -t
	 * alone, 0 of 160. */
	rc = sh(out, sizeof(out),
		"timeout 60 script -qec \"%s run -t --rm --network none --cgroup-parent %s "
		"localhost/nutshell-bb sh -c 'tty; exit 4'\" /dev/null </dev/null",
		podman_command(), parent);
	ck_assert_msg(rc == 4 && strstr(out, "/dev/pts/0"), "exit %d: %s", rc, out);
	rc = podman(out, sizeof(out),
		    "run -d --name p-detached --network none --cgroup-parent %s --memory 64m "
		    "--pids-limit 50 localhost/nutshell-bb sleep 302",
		    parent);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	ck_assert_str_eq(engine_cgroup_file(&eng, "libpod-[0-9a-f]*", "memory.max",
					    "memory.limit_in_bytes", out, sizeof(out)),
			 "67108864\n");
	ck_assert_str_eq(
	    engine_cgroup_file(&eng, "libpod-[0-9a-f]*", "pids.max", "pids.max", out, sizeof(out)),
	    "50\n");
	/* And from inside, through podman's cgroup mount: the container's own
	 * cgroups (bound, as no cgroup namespace is asked for on v1). */
	rc = podman(out, sizeof(out),
		    "exec p-detached sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
		    "/sys/fs/cgroup/memory.max /sys/fs/cgroup/pids/pids.max "
		    "/sys/fs/cgroup/pids.max 2>/dev/null; true'");
	ck_assert_msg(rc == 0 && strcmp(out, "67108864\n50\n") == 0, "inside: exit %d: '%s'", rc,
		      out);
	rc = podman(out, sizeof(out), "exec p-detached sh -c 'echo exec in pid $$; exit 2'");
	ck_assert_msg(rc == 2 && strstr(out, "exec in pid ") && !strstr(out, "pid 1\n"),
		      "exit %d: %s", rc, out);
	rc = podman(out, sizeof(out), "top p-detached");
	ck_assert_msg(rc == 0 && strstr(out, "sleep 302"), "exit %d: %s", rc, out);
	ck_assert_int_eq(podman(out, sizeof(out), "pause p-detached"), 0);
	ck_assert_int_eq(podman(out, sizeof(out), "inspect -f '{{.State.Status}}' p-detached"), 0);
	ck_assert_str_eq(out, "paused\n");
	engine_expect_frozen(&eng, "libpod-[0-9a-f]*");
	ck_assert_int_eq(podman(out, sizeof(out), "unpause p-detached"), 0);
	ck_assert_int_eq(podman(out, sizeof(out), "inspect -f '{{.State.Status}}' p-detached"), 0);
	ck_assert_str_eq(out, "running\n");
	/* stop: TERM, which sleep as pid 1 ignores, then KILL. */
	ck_assert_int_eq(podman(out, sizeof(out), "stop -t 1 p-detached"), 0);
	ck_assert_int_eq(podman(out, sizeof(out), "inspect -f '{{.State.ExitCode}}' p-detached"),
			 0);
	ck_assert_str_eq(out, "137\n");
	ck_assert_int_eq(podman(out, sizeof(out), "rm p-detached"), 0);
	/* kill. */
	rc =
	    podman(out, sizeof(out),
		   "run -d --name p-killed --network none --cgroup-parent %s localhost/nutshell-bb "
		   "sleep 303",
		   parent);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	ck_assert_int_eq(podman(out, sizeof(out), "kill -s KILL p-killed"), 0);
	ck_assert_int_eq(podman(out, sizeof(out), "wait p-killed"), 0);
	ck_assert_str_eq(out, "137\n");
	ck_assert_int_eq(podman(out, sizeof(out), "rm p-killed"), 0);
	engine_expect_nothing_left(&eng, "libpod-[0-9a-f]*", "/run/nutshell");
}
END_TEST

/* The default image (it has inspect) in podman's storage, from its OCI
 * layout as a tarball: localhost/busybox:latest. */
static void
load_default_image(void)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char out[4096];

	if (podman(out, sizeof(out), "image exists localhost/busybox:latest") == 0)
		return;
	ck_assert_msg(sh(out, sizeof(out), "tar -C %s/images/busybox-oci -cf %s/default.tar .",
			 root ? root : ".", dir) == 0,
		      "tar: %s", out);
	ck_assert_msg(podman(out, sizeof(out), "load -i %s/default.tar", dir) == 0,
		      "podman load: %s", out);
}

/* A pod: its infra container (podman's pause image, which podman 4.3
 * builds from catatonit, /usr/libexec/podman/catatonit) makes the network
 * namespace, and each container of the pod gets a linux.namespaces entry
 * with a path, /proc/INFRA/ns/net, which nutshell opens and joins with
 * setns(2) (oci_create.c). Both containers see the infra's namespace, not
 * the host's. --network none: with podman's default (bridge) the pod's
 * first try here made a CNI bridge cni-podman0 on the host, set
 * net.ipv4.ip_forward to 1 and added iptables chains. */
START_TEST(podman_pod_shares_a_netns)
{
	char out[8192], a[64], b[64], infra[64], host[64], forward[16], path[4096];

	if (!dir[0])
		TEST_SKIP("no podman here (make engine-deps installs it)");
	load_default_image();
	read_text_file("/proc/sys/net/ipv4/ip_forward", forward, sizeof(forward));
	ssize_t len = readlink("/proc/self/ns/net", host, sizeof(host) - 1);
	ck_assert_int_gt(len, 0);
	host[len] = '\0';
	int rc = podman(out, sizeof(out),
			"pod create --name p-net --infra-name p-net-infra --network none "
			"--cgroup-parent %s",
			parent);
	ck_assert_msg(rc == 0, "pod create: exit %d: %s", rc, out);
	rc = podman(out, sizeof(out),
		    "run -d --pod p-net --name p-a --annotation org.nutshell.trace=%s/pod.json "
		    "localhost/busybox:latest sh -c 'readlink /proc/self/ns/net; exec sleep 304'",
		    dir);
	ck_assert_msg(rc == 0, "run --pod p-a: exit %d: %s", rc, out);
	rc = podman(b, sizeof(b),
		    "run --rm --pod p-net localhost/busybox:latest readlink /proc/self/ns/net");
	ck_assert_msg(rc == 0, "run --pod (second): exit %d: %s", rc, b);
	for (int i = 0; i < 50 && podman(a, sizeof(a), "logs p-a") == 0 && !a[0]; i++)
		usleep(100000);
	ck_assert_int_eq(podman(infra, sizeof(infra), "inspect -f '{{.State.Pid}}' p-net-infra"),
			 0);
	infra[strcspn(infra, "\n")] = '\0';
	/* The same namespace in both, the infra's, not the host's. */
	char theirs[64];
	snprintf(path, sizeof(path), "/proc/%s/ns/net", infra);
	len = readlink(path, theirs, sizeof(theirs) - 2);
	ck_assert_msg(len > 0, "%s: no infra process", path);
	theirs[len] = '\n';
	theirs[len + 1] = '\0';
	ck_assert_msg(strcmp(a, b) == 0 && strcmp(a, theirs) == 0 && strncmp(a, "net:[", 5) == 0,
		      "p-a: '%s', second: '%s', infra: '%s'", a, b, theirs);
	ck_assert_msg(strncmp(a, host, strlen(host)) != 0, "the host's namespace: %s", a);
	/* What podman asked for: the infra's namespace by its path. */
	ck_assert_int_eq(podman(out, sizeof(out), "inspect -f '{{.OCIConfigPath}}' p-a"), 0);
	out[strcspn(out, "\n")] = '\0';
	json_error_t e;
	json_t *config = json_load_file(out, 0, &e), *ns;
	ck_assert_msg(config != NULL, "%s: %s", out, e.text);
	const char *joined = NULL;
	size_t i;
	json_t *list = json_object_get(json_object_get(config, "linux"), "namespaces");
	json_array_foreach(list, i, ns)
	{
		const char *type = json_string_value(json_object_get(ns, "type"));
		if (type && strcmp(type, "network") == 0)
			joined = json_string_value(json_object_get(ns, "path"));
	}
	ck_assert_msg(joined && strcmp(joined, path) == 0, "config.json's network namespace: %s",
		      joined ? joined : "(no path)");
	json_decref(config);
	/* And nutshell's trace: that path opened, its descriptor joined. */
	rc = sh(out, sizeof(out),
		"fd=$(grep -F '\"name\":\"openat\",\"args\":\"AT_FDCWD, \\\"%s\\\"' %s/pod.json | "
		"sed -n 's/.*\"ret\":\\([0-9]*\\).*/\\1/p'); test -n \"$fd\" && "
		"grep -F \"\\\"name\\\":\\\"setns\\\",\\\"args\\\":\\\"$fd, "
		"CLONE_NEWNET\\\",\\\"ret\\\":0\" %s/pod.json",
		path, dir, dir);
	ck_assert_msg(rc == 0, "no openat of %s and setns of it in nutshell's trace: %s", path,
		      out);
	/* The pod gone, and nothing of it left. */
	ck_assert_int_eq(podman(out, sizeof(out), "pod rm -f -t 0 p-net"), 0);
	ck_assert_int_eq(podman(out, sizeof(out), "ps -a -q"), 0);
	ck_assert_str_eq(out, "");
	engine_expect_nothing_left(&eng, "oci-*", "/run/nutshell");
	read_text_file("/proc/sys/net/ipv4/ip_forward", out, sizeof(out));
	ck_assert_str_eq(out, forward);
	ck_assert_int_ne(sh(out, sizeof(out), "ip -br link | grep cni-podman"), 0);
}
END_TEST

/* The default image's inspect under podman, row by row against `nutshell
 * run -- inspect`: the same isolation, except what podman asked for. */
static const struct engine_inspect_diff podman_diffs[] = {
    {"hostname", "[0-9a-f]*",
     "podman names the container by its ID's first 12 digits, nutshell run by an id of its own"},
    {"no_new_privs", "0",
     "podman sets noNewPrivileges only with --security-opt no-new-privileges; nutshell always"},
    {"root_fstype", "ext4",
     "the test gives podman the vfs storage driver: the root is a directory on the host's disk"},
    {"mounts", "25",
     "podman's binds of /etc/hostname, /etc/hosts and /run/.containerenv, /dev/mqueue, its "
     "/dev/pts and /dev/shm over those of nutshell's small /dev, /sys/dev/block masked; no "
     "/proc/interrupts mask (19 - 1 + 7)"},
    {"interfaces", "lo:down",
     "--network none: podman makes the namespace and leaves lo down; nutshell run brings it up"},
    {"stdin", "device (a file)",
     "without -i podman gives the container /dev/null; nutshell run relays its own through a pipe"},
    ENGINE_INSPECT_COMMON("podman"),
    {NULL, NULL, NULL},
};

START_TEST(podman_inspect)
{
	static char out[16384];

	if (!dir[0])
		TEST_SKIP("no podman here (make engine-deps installs it)");
	load_default_image();
	int rc = podman(out, sizeof(out),
			"run --rm --network none --cgroup-parent %s localhost/busybox:latest "
			"inspect 2>/dev/null",
			parent);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
	engine_expect_inspect(&eng, "podman", out, podman_diffs);
}
END_TEST

Suite *
suite_oci_podman(void)
{
	Suite *s = suite_create("oci-podman");
	TCase *tc = tcase_create("podman_runs_a_container");

	tcase_set_timeout(tc, 300);
	/* In the runner: a failed assertion ends the test's process, and a
	 * checked teardown would not run. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, podman_runs_a_container);
	suite_add_tcase(s, tc);
	tc = tcase_create("podman_lifecycle");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, podman_lifecycle);
	suite_add_tcase(s, tc);
	tc = tcase_create("podman_saved_image_in_store");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, podman_saved_image_in_store);
	suite_add_tcase(s, tc);
	tc = tcase_create("podman_pod_inspect");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, podman_pod_shares_a_netns);
	tcase_add_test(tc, podman_inspect);
	suite_add_tcase(s, tc);
	return s;
}
