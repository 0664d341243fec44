/*
 * test_devices.c - issue 23, items 1 and 2, as an attacker inside a default
 * container tries them: device nodes made below a volume, or on a mount the
 * container made itself, must not open the host's devices; a :ro volume is
 * read-only all the way down, and a host directory that is itself a
 * read-only mount stays read-only inside. Each case makes its own mounts
 * on the host (a tmpfs below a volume's source, a read-only bind), and
 * removes them before it asserts anything: a failed assertion ends the
 * test's process, and nothing may stay behind.
 */
#include "../suites.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NUTSHELL "05-full-container/nutshell"

/* A scratch tree: DIR/vol (a volume's source) with a tmpfs at DIR/vol/sub,
 * a submount the host has below the volume. */
struct scratch {
	char dir[64], vol[96], sub[112];
};

static void
scratch_make(struct scratch *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/nutshell-test-dev.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	snprintf(s->vol, sizeof(s->vol), "%s/vol", s->dir);
	snprintf(s->sub, sizeof(s->sub), "%s/sub", s->vol);
	ck_assert_int_eq(mkdir(s->vol, 0755), 0);
	ck_assert_int_eq(mkdir(s->sub, 0755), 0);
	ck_assert_int_eq(mount("tmpfs", s->sub, "tmpfs", 0, "size=64k"), 0);
}

static void
scratch_remove(struct scratch *s)
{
	char cmd[160];

	umount2(s->sub, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s->dir);
}

/* nutshell -q run [--volume VOLUME] [EXTRA] -- sh -c SCRIPT (FLAGS: RUN_STRACE) */
static void
run_sh(struct run *r, int flags, const char *volume, const char *extra, const char *script)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = NUTSHELL;
	argv[n++] = "-q";
	argv[n++] = "run";
	if (volume) {
		argv[n++] = "--volume";
		argv[n++] = volume;
	}
	if (extra)
		argv[n++] = extra;
	argv[n++] = "--";
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	ck_assert_int_eq(run_program(r, flags, argv), 0);
	run_expect_ctr_gone(run_ctr_id(r));
}

/* Item 1b: a node made in the host's tmpfs below a volume. c 1:3 (null) is
 * on the allow-list, so only nodev stands here: the open must fail with
 * EACCES, and the submount shows nosuid,nodev from inside. */
START_TEST(volume_submount_nodev)
{
	struct scratch s;
	struct run r;
	char vol[160];

	scratch_make(&s);
	snprintf(vol, sizeof(vol), "%s:/v", s.vol);
	run_sh(&r, RUN_STRACE, vol, NULL,
	       "grep ' /v/sub ' /proc/self/mountinfo | grep -q 'nosuid,nodev' && echo flags-ok;"
	       "mknod /v/sub/null c 1 3 && if echo x > /v/sub/null; then echo opened; "
	       "else echo refused; fi");
	scratch_remove(&s);
	ck_assert_msg(strcmp(r.out, "flags-ok\nrefused\n") == 0,
		      "a device node below a volume opened (exit %d):\n%s%s", r.status, r.out,
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "Permission denied"));
	/* The mount_setattr(2) and the devices writes (or bpf(2) calls) of
	 * the trace are the calls strace saw. */
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "mount_setattr"));
	run_expect_honest(&r);
	run_free(&r);
}
END_TEST

/* Item 1a: with CAP_SYS_ADMIN added, the container mounts a tmpfs of its
 * own - no nodev there - and makes /dev/kmsg's node (c 1:11) in it. The
 * device cgroup alone refuses the open (EPERM); null (c 1:3) still opens.
 * Nothing is written to the kernel's log: the open is the test. */
START_TEST(cgroup_denies_device)
{
	struct run r;

	run_sh(&r, RUN_PLAIN, NULL, "--cap-add=SYS_ADMIN",
	       "mkdir /m && mount -t tmpfs t /m && mknod /m/kmsg c 1 11 && mknod /m/null c 1 3 "
	       "&& echo x > /m/null && echo null-opened;"
	       "if printf '' > /m/kmsg; then echo kmsg-opened; else echo kmsg-refused; fi");
	ck_assert_msg(strcmp(r.out, "null-opened\nkmsg-refused\n") == 0,
		      "the device allow-list let /dev/kmsg open (exit %d):\n%s%s", r.status, r.out,
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "Operation not permitted"));
	run_free(&r);
}
END_TEST

/* Item 2: a :ro volume is read-only in the host's submounts below it too. */
START_TEST(volume_ro_recursive)
{
	struct scratch s;
	struct run r;
	char vol[160], path[160];

	scratch_make(&s);
	snprintf(vol, sizeof(vol), "%s:/v:ro", s.vol);
	run_sh(&r, RUN_PLAIN, vol, NULL,
	       "if echo x > /v/sub/planted; then echo written; else echo refused; fi");
	snprintf(path, sizeof(path), "%s/planted", s.sub);
	int planted = access(path, F_OK) == 0;
	scratch_remove(&s);
	ck_assert_msg(strcmp(r.out, "refused\n") == 0 && !planted,
		      "a file was written below a :ro volume (exit %d):\n%s%s", r.status, r.out,
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "Read-only file system"));
	run_free(&r);
}
END_TEST

/* Item 2: the host directory given as a (read-write) volume is itself a
 * read-only, noexec bind mount: inside it stays read-only and noexec. */
START_TEST(volume_keeps_source_flags)
{
	struct scratch s;
	struct run r;
	char vol[160], ro[112], path[160];

	scratch_make(&s);
	snprintf(ro, sizeof(ro), "%s/ro", s.dir);
	ck_assert_int_eq(mkdir(ro, 0755), 0);
	ck_assert_int_eq(mount(s.vol, ro, NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(mount(NULL, ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOEXEC, NULL),
			 0);
	snprintf(vol, sizeof(vol), "%s:/v", ro);
	run_sh(&r, RUN_PLAIN, vol, NULL,
	       "grep ' /v ' /proc/self/mountinfo | grep -q ' ro,.*noexec' && echo flags-kept;"
	       "if echo x > /v/planted; then echo written; else echo refused; fi");
	snprintf(path, sizeof(path), "%s/planted", s.vol);
	int planted = access(path, F_OK) == 0;
	umount2(ro, MNT_DETACH);
	scratch_remove(&s);
	ck_assert_msg(strcmp(r.out, "flags-kept\nrefused\n") == 0 && !planted,
		      "a read-only host mount became writable inside (exit %d):\n%s%s", r.status,
		      r.out, r.err);
	run_free(&r);
}
END_TEST

/* Before Linux 5.12 there is no mount_setattr(2): made so here with a
 * seccomp filter on nutshell (ENOSYS, what an old kernel answers), the
 * launcher remounts each mount of the volume on its own, from
 * /proc/self/mountinfo, and the submount is still read-only and nodev. */
START_TEST(volume_fallback_without_mount_setattr)
{
	struct scratch s;
	char vol[160], out[96], path[160];
	const char *root = getenv("NUTSHELL_ROOT");
	int status;

	scratch_make(&s);
	snprintf(vol, sizeof(vol), "%s:/v:ro", s.vol);
	snprintf(out, sizeof(out), "%s/out", s.dir);
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", NUTSHELL);
	pid_t pid = fork();
	if (pid == 0) {
		const char *argv[] = {
		    NUTSHELL,
		    "-q",
		    "run",
		    "--volume",
		    vol,
		    "--",
		    "sh",
		    "-c",
		    "grep ' /v/sub ' /proc/self/mountinfo | grep -q ' ro,nosuid,nodev'"
		    " && echo flags-ok;"
		    "if echo x > /v/sub/planted; then echo written; else echo refused; fi",
		    NULL};
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		/* Root may load a filter without no_new_privs (seccomp(2)). */
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (fd < 0 || dup2(fd, 1) != 1 || !ctx ||
		    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) != 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(mount_setattr), 0) !=
			0 ||
		    seccomp_load(ctx) != 0)
			_exit(97);
		execv(path, (char *const *)argv);
		_exit(96);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	char text[256] = "";
	FILE *f = fopen(out, "re");
	if (f) {
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/planted", s.sub);
	int planted = access(path, F_OK) == 0;
	scratch_remove(&s);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	ck_assert_msg(strcmp(text, "flags-ok\nrefused\n") == 0 && !planted,
		      "without mount_setattr the submount stayed writable or kept its devices:\n%s",
		      text);
}
END_TEST

/* inspect reports the allow-list from inside: the list itself where v1
 * shows it, and with --probes which defence refused a kmsg node - here on
 * a tmpfs the container (given CAP_SYS_ADMIN) mounted over /tmp itself,
 * so that only the cgroup can refuse. */
START_TEST(inspect_shows_devices)
{
	struct run r;

	run_sh(&r, RUN_PLAIN, NULL, "--cap-add=SYS_ADMIN",
	       "mount -t tmpfs t /tmp && inspect --probes --json - | grep '\"device_'");
	ck_assert_msg(r.status == 0, "exit %d:\n%s%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, "\"the device cgroup (EPERM)\""), "%s", r.out);
	ck_assert_msg(strstr(r.out, "c 1:3 rwm") || strstr(r.out, "cannot be listed from inside"),
		      "%s", r.out);
	run_free(&r);
}
END_TEST

/* Lesson 02's devices program: null opens, kmsg fails with EPERM, on the
 * host's kind of cgroup (v1 files here, a BPF program in the v2 lane), and
 * the trace - bpf(2) calls included - is what strace saw. */
START_TEST(lesson_devices)
{
	struct run r;
	const char *argv[] = {"02-cgroups/devices", NULL};

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d:\n%s%s", r.status, r.out, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "allowed_open"), "ok");
	ck_assert_str_eq(run_fact(&r, "denied_open"), "EPERM");
	int v1 = strcmp(run_fact(&r, "devices_hierarchy"), "cgroup v1") == 0;
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", v1 ? "write" : "bpf"));
	run_free(&r);
	glob_t g;
	ck_assert_int_eq(glob("/tmp/nutshell-devices.*", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
}
END_TEST

Suite *
suite_devices(void)
{
	Suite *s = suite_create("devices");
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
	    {"volume_submount_nodev", volume_submount_nodev},
	    {"cgroup_denies_device", cgroup_denies_device},
	    {"volume_ro_recursive", volume_ro_recursive},
	    {"volume_keeps_source_flags", volume_keeps_source_flags},
	    {"volume_fallback_without_mount_setattr", volume_fallback_without_mount_setattr},
	    {"inspect_shows_devices", inspect_shows_devices},
	    {"lesson_devices", lesson_devices},
	};

	/* One case per defence, so a mutant names the one that must fail. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
