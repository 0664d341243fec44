/*
 * test_profile.c - the launcher's seccomp profile, asserted from inside a
 * default container (issue 25; issue 23 item 8; issue 18's seccomp half).
 * tests/probe/scprobe (static, its directory bound in read-only) tries the
 * calls and prints NAME=RESULT; a Debian 13 root (make image-trixie) runs
 * the commands that broke under an EPERM for fchmodat2.
 */
#include "../../03-capabilities/sc.h"
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <sys/syscall.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NUTSHELL "05-full-container/nutshell"
#define TRIXIE	 "build/images/trixie"

/* An absolute path under the toolkit's top directory (--volume and
 * --rootfs want absolute paths). */
static const char *
top_path(char *buf, size_t size, const char *rel)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char cwd[PATH_MAX];

	if (!root || !*root)
		root = getcwd(cwd, sizeof(cwd));
	ck_assert_ptr_nonnull(root);
	snprintf(buf, size, "%s/%s", root, rel);
	return buf;
}

/* What scprobe said for NAME ("" when it said nothing). */
static const char *
said(const struct run *r, const char *name)
{
	static char value[64];
	char key[80];

	value[0] = '\0';
	snprintf(key, sizeof(key), "\n%s=", name);
	const char *p = r->out ? strstr(r->out, key) : NULL;
	if (!p && r->out && strncmp(r->out, key + 1, strlen(key + 1)) == 0)
		p = r->out - 1;
	if (p)
		sscanf(p + strlen(key), "%63[^\n]", value);
	return value;
}

/* nutshell -q run [--cap-add EXTRA] --volume tests/probe:/probe:ro -- /probe/scprobe [MODE] */
static void
run_probe(struct run *r, const char *extra, const char *mode)
{
	char vol[PATH_MAX + 16], dir[PATH_MAX];
	const char *argv[16];
	int n = 0;

	ck_assert_msg(access(top_path(dir, sizeof(dir), "tests/probe/scprobe"), X_OK) == 0,
		      "tests/probe/scprobe missing: run 'make check'");
	snprintf(vol, sizeof(vol), "%s:/probe:ro", top_path(dir, sizeof(dir), "tests/probe"));
	argv[n++] = NUTSHELL;
	argv[n++] = "-q";
	argv[n++] = "run";
	argv[n++] = "--network";
	argv[n++] = "none";
	if (extra) {
		argv[n++] = "--cap-add";
		argv[n++] = extra;
	}
	argv[n++] = "--volume";
	argv[n++] = vol;
	argv[n++] = "--";
	argv[n++] = "/probe/scprobe";
	if (mode)
		argv[n++] = mode;
	argv[n] = NULL;
	ck_assert_int_eq(run_program(r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r->status == 0, "exit %d, stdout:\n%s\nstderr:\n%.2000s", r->status, r->out,
		      r->err);
}

/* Whether this kernel has the call NAME: asked here, outside any filter,
 * with arguments it refuses harmlessly (fd or address -1). */
static int
kernel_has(const char *name)
{
	int nr = sc_resolve(name, 0);

	ck_assert_msg(nr >= 0, "%s: no number on this architecture", name);
	errno = 0;
	long ret = syscall(nr, -1L, 0L, 0L, 0L, 0L, 0L);
	return !(ret == -1 && errno == ENOSYS);
}

#define EXPECT(r, name, want)                                                                      \
	ck_assert_msg(strcmp(said(r, name), want) == 0, "%s=%s inside, expected %s", name,         \
		      said(r, name), want)

/* Issue 23 item 8: with --network none, vsock is still the whole VM's
 * (not namespaced) and AF_ALG the kernel's crypto API: both EPERM by
 * seccomp - also AF_VSOCK with the upper half of the int set, which the
 * kernel would read as 40. The families a program needs still work. */
START_TEST(profile_socket_families)
{
	struct run r;

	run_probe(&r, NULL, NULL);
	EXPECT(&r, "socket_vsock", "EPERM");
	EXPECT(&r, "socket_alg", "EPERM");
	EXPECT(&r, "socket_vsock_upper", "EPERM");
	EXPECT(&r, "socket_inet", "0");
	EXPECT(&r, "socket_unix", "0");
	EXPECT(&r, "socket_netlink", "0");
	run_free(&r);
}
END_TEST

/* The two answers: a call the profile knows and denies is EPERM; a number
 * no call has, and a call newer than the profile (open_tree_attr, Linux
 * 6.15), are ENOSYS, as on an older kernel. pidfd_getfd needs
 * CAP_SYS_PTRACE, as in Docker. The calls issue 25 allowed reach the
 * kernel (neither EPERM nor ENOSYS; the kernel's own errors for the
 * probe's harmless arguments are fine; ENOSYS only where the kernel
 * itself lacks the call). */
START_TEST(profile_answers)
{
	struct run r;
	const char *reach[] = {"fchmodat2",  "futex_wake", "mseal",	 "cachestat",
			       "statmount",  "listmount",  "getxattrat", "removexattrat",
			       "pidfd_open", NULL};

	run_probe(&r, NULL, NULL);
	EXPECT(&r, "keyctl", "EPERM");
	EXPECT(&r, "pidfd_getfd", "EPERM");
	EXPECT(&r, "nr_1000", "ENOSYS");
	EXPECT(&r, "open_tree_attr", "ENOSYS");
	for (int i = 0; reach[i]; i++) {
		const char *v = said(&r, reach[i]);
		ck_assert_msg(v[0] && strcmp(v, "EPERM") != 0, "%s=%s inside: the profile stops it",
			      reach[i], v);
		/* ENOSYS only where this kernel lacks the call (the VM lane's 6.1). */
		if (kernel_has(reach[i]))
			ck_assert_msg(strcmp(v, "ENOSYS") != 0,
				      "%s=%s inside: the profile stops it", reach[i], v);
	}
	if (kernel_has("fchmodat2"))
		EXPECT(&r, "fchmodat2", "0");
	if (kernel_has("mseal"))
		EXPECT(&r, "mseal", "0");
	run_free(&r);
}
END_TEST

/* Issue 18, the seccomp half: TIOCSTI and TIOCLINUX are refused by the
 * profile even where the kernel would allow them - a pty the container
 * opened itself as its controlling terminal, with CAP_SYS_ADMIN given by
 * option - and also with the request's upper 32 bits set. TIOCGWINSZ on
 * the same terminal still works. */
START_TEST(profile_tiocsti_with_sys_admin)
{
	struct run r;

	run_probe(&r, "SYS_ADMIN", "tty");
	EXPECT(&r, "setsid", "0");
	EXPECT(&r, "open_slave", "0");
	EXPECT(&r, "tiocgwinsz", "0");
	EXPECT(&r, "tiocsti", "EPERM");
	EXPECT(&r, "tiocsti_upper", "EPERM");
	EXPECT(&r, "tioclinux", "EPERM");
	run_free(&r);
}
END_TEST

/*
 * Issue 25: a modern distribution under the profile. Debian 13's glibc
 * (2.41) does fchmodat(AT_SYMLINK_NOFOLLOW) with fchmodat2 and falls back
 * only on ENOSYS: under an EPERM, tar -x fails with "Cannot change mode".
 */
static const char trixie_script[] =
    "set -e\n"
    "cd /tmp\n"
    "mkdir -p src/dir\n"
    "echo hi > src/dir/f\n"
    "chmod 640 src/dir/f\n"
    "chmod 750 src/dir\n"
    "ln -s dir/f src/link\n"
    "tar -cf a.tar -C src .\n"
    "mkdir out\n"
    "tar -xf a.tar -C out\n"
    "echo \"modes $(stat -c %a out/dir) $(stat -c %a out/dir/f) $(readlink out/link)\"\n"
    "chmod --no-dereference 700 out/dir\n"
    "echo \"chmod-h $(stat -c %a out/dir)\"\n"
    "mkfifo -m 640 fifo\n"
    "echo \"fifo $(stat -c '%a %F' fifo)\"\n"
    "apt-get --version | head -n 1\n";

START_TEST(profile_trixie_root)
{
	char root[PATH_MAX];
	struct stat st;
	struct run r;

	top_path(root, sizeof(root), TRIXIE);
	if (stat(TRIXIE "/.stamp", &st) == -1) {
		/* Not built by make check (debootstrap, minutes, the network): CI
		 * runs make image-trixie first and allows no skip of it (.ci/run). */
		TEST_SKIP("no Debian 13 root at %s (make image-trixie failed or was not run; the "
			  "VM lane's copy leaves build/ out)",
			  TRIXIE);
	}
	const char *argv[] = {NUTSHELL, "-q", "run",	 "--network", "none",	     "--rootfs",
			      root,	"--", "/bin/sh", "-c",	      trixie_script, NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stdout:\n%s\nstderr:\n%.2000s", r.status, r.out,
		      r.err);
	ck_assert_ptr_null(strstr(r.err, "Cannot change mode"));
	ck_assert_msg(strstr(r.out, "modes 750 640 dir/f\n"), "stdout:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "chmod-h 700\n"), "stdout:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "fifo 640 fifo\n"), "stdout:\n%s", r.out);
	ck_assert_msg(strncmp(strstr(r.out, "apt ") ? strstr(r.out, "apt ") : "", "apt 3.", 6) == 0,
		      "stdout:\n%s", r.out);
	run_free(&r);
}
END_TEST

/* One case per test: scripts/mutants.sh names a case to run. */
static void
add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *
suite_profile(void)
{
	Suite *s = suite_create("profile");

	add(s, "profile_socket_families", profile_socket_families);
	add(s, "profile_answers", profile_answers);
	add(s, "profile_tiocsti_with_sys_admin", profile_tiocsti_with_sys_admin);
	add(s, "profile_trixie_root", profile_trixie_root);
	return s;
}
