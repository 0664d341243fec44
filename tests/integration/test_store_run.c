/*
 * test_store_run.c - the store suite's runs of stored images (test_store.c
 * makes the suite): `nutshell run --image` by path, the Debian 12 and 13
 * images (issue 17's `debian` on a terminal),
 * worksheet 04's step 9, `nutshell bundle --image`, and a rootless
 * import and run (the overlay's userxattr).
 */
#include "../suites.h"
#include "harness.h"
#include "store_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* run --image PATH: a layout directory, DIR:TAG, an oci-archive tarball,
 * imported on use (the name it got, then as any stored image); what is not
 * there, one line, exit 125. */
START_TEST(store_run_path)
{
	struct run r;
	char path[256], tagged[300];

	make_base();
	make_oci("lay", "lay:7", "l1.tar.gz", "{\"Cmd\":[\"echo\",\"from-path\"]}");
	shell("cd %s && tar -C lay -cf lay.tar .", scratch);
	snprintf(path, sizeof(path), "%s/lay", scratch);
	nutshell(&r, 0, (const char *[]){"run", "--image", path, NULL});
	ck_assert_str_eq(r.out, "from-path\n");
	ck_assert_msg(strstr(r.err, "imported as lay:7"), "%s", r.err);
	run_free(&r);
	snprintf(tagged, sizeof(tagged), "%s:lay:7", path);
	nutshell(&r, 0, (const char *[]){"run", "--image", tagged, "echo", "tagged", NULL});
	ck_assert_str_eq(r.out, "tagged\n");
	run_free(&r);
	snprintf(path, sizeof(path), "%s/lay.tar", scratch);
	nutshell(&r, 0, (const char *[]){"run", "--image", path, NULL});
	ck_assert_str_eq(r.out, "from-path\n");
	run_free(&r);
	/* Three uses, one image, one layer. */
	ck_assert_int_eq(entries("%s/layers", store), 1);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_ptr_nonnull(strstr(r.out, "lay:7"));
	run_free(&r);
	snapshot("before");

	snprintf(tagged, sizeof(tagged), "%s/lay:nope", scratch);
	nutshell(&r, 125, (const char *[]){"-q", "run", "--image", tagged, NULL});
	ck_assert_msg(strstr(r.err, "import failed: index.json: no image named 'nope'"), "%s",
		      r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	run_free(&r);
	snprintf(path, sizeof(path), "%s/missing.tar", scratch);
	nutshell(&r, 125, (const char *[]){"-q", "run", "--image", path, NULL});
	ck_assert_msg(strstr(r.err, "missing.tar': stat: ENOENT"), "%s", r.err);
	run_free(&r);
	/* A tarball that is no image. */
	shell("cd %s && tar -C l2 -cf junk.tar . 2>/dev/null || (mkdir -p j && tar -C j -cf "
	      "junk.tar .)",
	      scratch);
	snprintf(path, sizeof(path), "%s/junk.tar", scratch);
	nutshell(&r, 125, (const char *[]){"-q", "run", "--image", path, NULL});
	ck_assert_msg(strstr(r.err, "import failed: "), "%s", r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	run_free(&r);
	snapshot("after");
	expect_same("before", "after");
	nutshell(&r, 0, (const char *[]){"-q", "image", "rm", "lay:7", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* A real distribution: the Debian root build/images/SUITE packed by
 * scripts/mkimage-debian.sh (what `make image-debian` runs) as a
 * one-layer OCI layout of 130 MB, imported and run: apt-get and dpkg work
 * inside, as the image's own PATH finds them, and apt is the release's
 * (APT, "apt 2." on Debian 12, "apt 3." on Debian 13). 0, or -1 when there
 * is no such root (the caller skips). */
static int
run_debian(const char *suite, const char *name, const char *apt)
{
	char root[4200], dir[4300], path[4400];
	struct run r;

	snprintf(root, sizeof(root), "%s", root_dir());
	snprintf(dir, sizeof(dir), "%s/build/images/%s", root, suite);
	snprintf(path, sizeof(path), "%s/.stamp", dir);
	if (access(path, F_OK) == -1)
		return -1;
	shell("%s/scripts/mkimage-debian.sh %s %s/%s >/dev/null", root, dir, scratch, suite);
	snprintf(path, sizeof(path), "%s/%s", scratch, suite);
	nutshell(&r, 0, (const char *[]){"-q", "image", "import", path, NULL});
	ck_assert_str_eq(r.out, strcat(strcpy(dir, name), "\n"));
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_msg(strstr(r.out, name) && strstr(r.out, "M      1 "), "ls:\n%s", r.out);
	run_free(&r);
	nutshell(&r, 0,
		 (const char *[]){"-q", "run", "--network", "none", "--image", name, "--", "sh",
				  "-c",
				  "apt-get --version | head -n 1; dpkg -l | grep -c '^ii'; "
				  "command -v bash",
				  NULL});
	ck_assert_msg(!strncmp(r.out, apt, strlen(apt)),
		      "%s: apt-get --version: expected %s...\n"
		      "stdout:\n%s\nstderr:\n%s",
		      name, apt, r.out, r.err);
	const char *count = strchr(r.out, '\n') + 1;
	ck_assert_msg(atoi(count) >= 50, "dpkg -l: %d packages installed, expected 50 or more",
		      atoi(count));
	ck_assert_msg(strstr(count, "\n/usr/bin/bash\n") || strstr(count, "\n/bin/bash\n"),
		      "stdout:\n%s", r.out);
	run_free(&r);
	/* Its Cmd, bash, reading a script from stdin (none: /dev/null). */
	nutshell(&r, 0, (const char *[]){"-q", "run", "--network", "none", "--image", name, NULL});
	run_free(&r);
	return 0;
}

/* Issue 17's Debian image: Debian 12 (the release of the workshop's
 * machines, make image-bookworm), imported as `make image-debian` does:
 * debian:12 and debian. Then the command as a participant types
 * it on a terminal, `nutshell run -t --image debian -- bash`: a root
 * prompt where apt-get and dpkg answer, and bash's exit status is run's. */
START_TEST(store_debian)
{
	char path[256], buf[1 << 16] = "";
	size_t len = 0;
	struct run r;
	int master, status;

	if (run_debian("bookworm", "debian:12", "apt 2.6") == -1)
		TEST_SKIP("no Debian 12 root at build/images/bookworm (make image-bookworm failed "
			  "or was not run; the VM lane's copy leaves build/ out)");
	snprintf(path, sizeof(path), "%s/bookworm", scratch);
	nutshell(&r, 0, (const char *[]){"-q", "image", "import", "--name", "debian", path, NULL});
	ck_assert_str_eq(r.out, "debian\n");
	run_free(&r);
	/* One layer for both names. */
	ck_assert_int_eq(entries("%s/layers", store), 1);

	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		char exe[4200];
		snprintf(exe, sizeof(exe), "%s/" NUTSHELL, root_dir());
		execl(exe, exe, "-q", "run", "-t", "--network", "none", "--image", "debian", "--",
		      "bash", (char *)NULL);
		_exit(127);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	ck_assert_msg(pty_read_until(master, buf, sizeof(buf), &len, 0, "# ", 20000),
		      "no root prompt from bash: '%s'", buf);
	size_t from = len;
	const char *line = "apt-get --version | head -n 1; echo pkgs=$(dpkg -l | grep -c ^ii)."
			   "; exit 7\r";
	ck_assert_int_eq(write(master, line, strlen(line)), (ssize_t)strlen(line));
	ck_assert_msg(pty_read_until(master, buf, sizeof(buf), &len, from, "\napt 2.6", 20000),
		      "no 'apt 2.6' line: '%s'", buf + from);
	char *pkgs = pty_read_until(master, buf, sizeof(buf), &len, from, "\npkgs=", 20000);
	ck_assert_msg(pkgs && atoi(pkgs + 6) >= 50, "dpkg -l in the terminal: '%s'", buf + from);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(master);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 7, "run -t: status %#x", status);

	nutshell(&r, 0, (const char *[]){"-q", "image", "rm", "debian", "debian:12", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* The Debian 13 root of make image-trixie (the one the CI builds for the
 * profile suite) as debian:13: apt 3 and its modern glibc from the store. */
START_TEST(store_debian13)
{
	struct run r;

	if (run_debian("trixie", "debian:13", "apt 3.") == -1)
		TEST_SKIP("no Debian 13 root at build/images/trixie (make image-trixie failed or "
			  "was not run; the VM lane's copy leaves build/ out)");
	nutshell(&r, 0, (const char *[]){"-q", "image", "rm", "debian:13", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* lessons/04-overlay-chroot.md step 9 as written, with the store in the
 * scratch directory: the container's "sleep 5" started in the background,
 * rm refused while it runs (the test waits until the layer is held, where
 * the worksheet says "sleep 1"), then removed after it ended. */
START_TEST(store_worksheet_step9)
{
	char path[4200], exe[4200], err[256];
	struct run r;
	int status;

	snprintf(path, sizeof(path), "%s/images/busybox-oci", root_dir());
	snprintf(exe, sizeof(exe), "%s/" NUTSHELL, root_dir());
	snprintf(err, sizeof(err), "%s/run.err", scratch);
	pid_t pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execl(exe, exe, "run", "--image", path, "--", "sleep", "5", (char *)NULL);
		_exit(127);
	}
	/* Held: flock(1) cannot take the layer exclusive. */
	shell("for i in $(seq 200); do l=$(ls -d %s/layers/* 2>/dev/null | head -n1); "
	      "[ -n \"$l\" ] && ! flock -n -x $l true && exit 0; sleep 0.05; done; exit 1",
	      store);
	nutshell(&r, 1, (const char *[]){"image", "rm", "busybox:latest", NULL});
	ck_assert_msg(strstr(r.err, "LOCK_EX|LOCK_NB) = -1 EAGAIN") &&
			  strstr(r.err, "image 'busybox:latest': layer sha256:") &&
			  strstr(r.err, "is in use by a running container; stop it first"),
		      "%s", r.err);
	run_free(&r);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run: status %d", status);
	char text[8192];
	read_text_file(err, text, sizeof(text));
	ck_assert_msg(strstr(text, "imported as busybox:latest"), "run's trace:\n%s", text);
	nutshell(&r, 0, (const char *[]){"image", "rm", "busybox:latest", NULL});
	ck_assert_msg(strstr(r.out, "removed busybox:latest (") && strstr(r.out, " bytes freed)"),
		      "%s", r.out);
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* nutshell bundle --image: the three-layer image as an OCI bundle, its
 * layers flattened as overlayfs merges them (no whiteout left, the opaque
 * directory's old files gone), config.json from the image's config; run by
 * nutshell's own OCI runtime mode (create, start; we reap init, as conmon
 * does). A bundle over an existing directory, or of no image: one line,
 * nothing made. */
START_TEST(store_bundle)
{
	char path[512], bundle[256], out[4096], pid_text[32];
	struct run r;
	int status;

	make_three();
	snprintf(path, sizeof(path), "%s/three", scratch);
	snprintf(bundle, sizeof(bundle), "%s/bundle", scratch);
	/* A path: imported first, then bundled. */
	nutshell(&r, 0, (const char *[]){"-q", "bundle", "--image", path, bundle, NULL});
	ck_assert_str_eq(r.out, strcat(strcpy(out, bundle), "\n"));
	run_free(&r);
	shell("cd %s/rootfs && test -f data/b && test ! -e data/a && test -f opt/new && "
	      "test ! -e opt/keep && test -x bin/busybox && test -z \"$(find . -type c)\"",
	      bundle);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	json_t *c = json_load_file(path, 0, NULL);
	ck_assert_ptr_nonnull(c);
	json_t *p = json_object_get(c, "process");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "args"), 2)),
			 "echo cmd:$GREETING; pwd");
	ck_assert_str_eq(json_string_value(json_object_get(p, "cwd")), "/data");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "env"), 1)),
			 "GREETING=hello");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "root"), "path")),
			 "rootfs");
	json_decref(c);

	/* The OCI runtime mode runs it. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	shell("cd %s && %s/" NUTSHELL " --root %s/state create --bundle %s --pid-file %s/pid b1 "
	      ">%s/out 2>&1",
	      scratch, root_dir(), scratch, bundle, scratch, scratch);
	snprintf(path, sizeof(path), "%s/pid", scratch);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(pid, 1);
	shell("%s/" NUTSHELL " --root %s/state start b1", root_dir(), scratch);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	snprintf(path, sizeof(path), "%s/out", scratch);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x: %s", status,
		      read_text_file(path, out, sizeof(out)));
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), "cmd:hello\n/data\n");
	shell("%s/" NUTSHELL " --root %s/state delete b1", root_dir(), scratch);

	/* Bad input: one line, nothing made beside the bundle. */
	nutshell(&r, 1, (const char *[]){"-q", "bundle", "--image", "three:1", bundle, NULL});
	ck_assert_msg(strstr(r.err, "exists; expected a new directory") &&
			  strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		      "%s", r.err);
	run_free(&r);
	snprintf(path, sizeof(path), "%s/other", scratch);
	nutshell(&r, 1, (const char *[]){"-q", "bundle", "--image", "nope:1", path, NULL});
	ck_assert_msg(strstr(r.err, "image 'nope:1': not in the store"), "%s", r.err);
	run_free(&r);
	shell("test -z \"$(ls -d %s/bundle.* %s/other* 2>/dev/null)\"", scratch, scratch);
	nutshell(&r, 0, (const char *[]){"-q", "image", "rm", "three:1", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* Rootless (issue 17): an import without root marks an opaque directory
 * with user.overlay.opaque, since trusted.* is root's (xattr(7)); and the
 * overlay, mounted in the rootless container's user namespace, cannot read
 * trusted.overlay.* at all. run --image mounts it with userxattr, so that
 * the opaque /opt of three:1 hides the lower layer's /opt/keep, as it does
 * for root (store_three_layers): /opt holds "new" alone, /data "b". */
START_TEST(store_rootless_opaque)
{
	char buf[64], nstore[256], path[512];
	struct run r;

	TEST_SKIP_IN_CHROOT();
	if (strcmp(read_line_file("/proc/sys/kernel/unprivileged_userns_clone", buf, sizeof(buf)),
		   "0") == 0)
		TEST_SKIP("kernel.unprivileged_userns_clone is 0 here");
	/* user.* xattrs: tmpfs holds them only from Linux 6.6 (the VM lanes'
	 * root is a tmpfs under Debian 12's 6.1); without them a rootless
	 * import cannot mark an opaque directory, and says so. */
	if (setxattr(scratch, "user.nutshell-probe", "y", 1, 0) == -1 && errno == EOPNOTSUPP)
		TEST_SKIP("%s: no user.* xattrs on this filesystem (tmpfs before Linux 6.6)",
			  scratch);
	make_three();
	/* nobody reads the image and owns a store of its own. */
	snprintf(nstore, sizeof(nstore), "%s/nobody/store", scratch);
	shell("chmod 755 %s && mkdir %s/nobody && chown 65534:65534 %s/nobody", scratch, scratch,
	      scratch);
	setenv("NUTSHELL_STORE", nstore, 1);
	snprintf(path, sizeof(path), "%s/three", scratch);
	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY,
				     (const char *[]){NUTSHELL, "image", "import", path, NULL}),
			 0);
	/* As rootless_run_as_nobody (test_nutshell_reliability.c): a tree in
	 * a directory only its owner may enter (a 0700 home, the copy
	 * scripts/mutants.sh makes) cannot be run by nobody. */
	if ((r.status == 127 && strstr(r.err, "harness: cannot run")) ||
	    (r.status == 125 && strstr(r.err, "nutshell-image (run 'make'): EACCES"))) {
		run_free(&r);
		TEST_SKIP("the toolkit is not reachable by nobody here (a 0700 directory?)");
	}
	ck_assert_msg(r.status == 0, "import as nobody: exit %d:\n%.1500s", r.status, r.err);
	run_free(&r);
	/* The opaque mark the import wrote: the user one, on one layer's
	 * /opt (the top's), and no trusted one (we are root: we could read
	 * it). */
	DIR *d = opendir((snprintf(path, sizeof(path), "%s/layers", nstore), path));
	struct dirent *de;
	int user = 0, trusted = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char opt[1024], v[8];
		if (de->d_name[0] == '.')
			continue;
		snprintf(opt, sizeof(opt), "%s/%s/opt", path, de->d_name);
		ssize_t n = lgetxattr(opt, "user.overlay.opaque", v, sizeof(v));
		user += n == 1 && v[0] == 'y';
		trusted += lgetxattr(opt, "trusted.overlay.opaque", v, sizeof(v)) >= 0;
	}
	closedir(d);
	ck_assert_msg(
	    user == 1 && trusted == 0,
	    "after a rootless import: %d layers' /opt with user.overlay.opaque=y, %d with "
	    "trusted.overlay.opaque; expected 1 and 0",
	    user, trusted);

	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY,
				     (const char *[]){NUTSHELL, "run", "--image", "three:1", "--",
						      "ls /opt; ls /data", NULL}),
			 0);
	ck_assert_msg(r.status == 0, "run --image as nobody: exit %d:\n%.1500s", r.status, r.err);
	ck_assert_msg(
	    !strcmp(r.out, "new\nb\n"),
	    "run --image three:1 as nobody: /opt and /data hold\n%s\nexpected new, then b "
	    "(the opaque /opt hides keep)",
	    r.out);
	ck_assert_msg(strstr(r.err, ",userxattr"), "no userxattr in the overlay options:\n%.1500s",
		      r.err);
	run_free(&r);
	ck_assert_int_eq(run_program(&r, RUN_AS_NOBODY,
				     (const char *[]){NUTSHELL, "image", "rm", "three:1", NULL}),
			 0);
	ck_assert_msg(r.status == 0, "image rm as nobody: exit %d:\n%.1500s", r.status, r.err);
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", nstore), 0);
	setenv("NUTSHELL_STORE", store, 1);
}
END_TEST

void
store_add_run(Suite *s)
{
	store_add(s, "store_run_path", store_run_path);
	store_add(s, "store_debian", store_debian);
	store_add(s, "store_debian13", store_debian13);
	store_add(s, "store_worksheet_step9", store_worksheet_step9);
	store_add(s, "store_bundle", store_bundle);
	store_add(s, "store_rootless_opaque", store_rootless_opaque);
}
