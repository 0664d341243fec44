/*
 * test_self_exe_oci.c - the runtime's binary, seen from inside, when an
 * engine starts the container: `nutshell create` then `nutshell start`, as
 * containerd and podman call runc (issue 18, CVE-2019-5736).
 *
 * The same attack as test_self_exe.c (self_exe_lab.h), in runtime mode:
 * config.json's process.args[0] is the volume's "init", a symlink to
 * /proc/self/exe. create's init process resolves it when `start` lets it
 * execve(2), so COMMAND becomes whatever init runs from; the observer, in
 * the container's mount namespace, opens /proc/N/exe of each of its
 * processes for writing during the run and after it. create and start run
 * from the sealed view or copy (nutshell.c step 0, before the OCI commands
 * are told apart): what init executes is never the host's file.
 *
 * The test process is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER),
 * as conmon and the containerd shim are: create leaves no nutshell behind,
 * so the container's init becomes our child.
 */
#include "self_exe_lab.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The lab's copy, run with ARGS (a NULL-ended list) and --root DIR/root;
 * its exit status. Output into the lab's out and err files. */
static int
oci_run(const struct lab *l, const char *const args[])
{
	const char *argv[16] = {l->bin, "--root", NULL};
	char root[160];
	size_t n = 3;
	int status;

	snprintf(root, sizeof(root), "%s/root", l->dir);
	argv[2] = root;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open(l->out, O_WRONLY | O_CREAT, 0644),
		    err = open(l->err, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(99);
		execv(argv[0], (char *const *)argv);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* A bundle in the lab whose process is "init -- sh -c 'read x </x/trace'"
 * with /x first in PATH: /x/init, the symlink to /proc/self/exe, run as
 * --init's pid 1 is (test_self_exe.c, SELF_EXE_AS_INIT), its shell waiting
 * on the fifo; the lab's volume at /x. */
static void
write_bundle(const struct lab *l)
{
	char path[256];

	char cmd[PATH_MAX + 400];

	snprintf(path, sizeof(path), "%s/bundle", l->dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	/* The root is a copy of the image, as an engine's bundle is: create
	 * makes the missing mountpoint /x in it, and the toolkit's own
	 * images/busybox must stay as it was built. */
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/bundle/rootfs'", l->img, l->dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/bundle/config.json", l->dir);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"init\",\"--\",\"sh\",\"-c\","
		"\"read x </x/trace\"],\"env\":[\"PATH=/x:/bin\"],\"cwd\":\"/\","
		"\"user\":{\"uid\":0,\"gid\":0},\"noNewPrivileges\":true},"
		"\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"self-exe\","
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		"{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\","
		"\"options\":[\"rbind\",\"rw\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
		"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}}",
		l->vol);
	fclose(f);
}

/* lab_watch's end of the run: init killed, and reaped by us. */
static void
end_init(void *arg)
{
	pid_t ctr = *(pid_t *)arg;
	int status;

	ck_assert_int_eq(kill(ctr, SIGKILL), 0);
	ck_assert_int_eq(waitpid(ctr, &status, 0), ctr);
}

START_TEST(self_exe_oci_create_start)
{
	struct lab l;
	char path[256], pid_text[32] = "";
	int status;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	lab_make(&l);
	write_bundle(&l);
	snprintf(path, sizeof(path), "%s/bundle", l.dir);
	char pid_file[160];
	snprintf(pid_file, sizeof(pid_file), "%s/pid", l.dir);
	const char *create[] = {"create", "--bundle", path, "--pid-file", pid_file, "c1", NULL};
	status = oci_run(&l, create);
	char *err = lab_slurp(l.err, NULL);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "create: %#x\n%s", status,
		      err ? err : "");
	free(err);
	pid_t ctr = atoi(read_line_file(pid_file, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(ctr, 1);
	const char *start[] = {"start", "c1", NULL};
	status = oci_run(&l, start);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "start: %#x", status);
	lab_wait_for_runtime_inside(ctr);

	/* The observer, during the run; then the container is killed (init
	 * is our child now) and it looks again. */
	int ost;
	char *text = lab_watch(&l, ctr, end_init, &ctr, &ost);
	const char *del[] = {"delete", "c1", NULL};
	int deleted = oci_run(&l, del);
	ck_assert_msg(WIFEXITED(ost) && WEXITSTATUS(ost) == 0, "observer: %#x\n%s", ost, text);
	lab_assert_observer_reached_nothing(text);
	free(text);
	ck_assert_msg(WIFEXITED(deleted) && WEXITSTATUS(deleted) == 0, "delete: %#x", deleted);
	snprintf(path, sizeof(path), "%s/bundle/config.json", l.dir);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s/bundle'", l.dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "%s/root", l.dir);
	rmdir(path);
	unlink(pid_file);
	lab_end(&l);
}
END_TEST

Suite *
suite_self_exe_oci(void)
{
	Suite *s = suite_create("self_exe_oci");
	TCase *tc = tcase_create("self_exe_oci_create_start");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, self_exe_oci_create_start);
	suite_add_tcase(s, tc);
	return s;
}
