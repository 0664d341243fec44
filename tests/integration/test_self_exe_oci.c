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
 * processes for writing during the run and after it. create runs from the
 * sealed view or copy (nutshell.c step 0; start, which puts no process of
 * ours into the container, does not): what init executes is never the
 * host's file.
 *
 * And through `nutshell exec`, as the CVE was exploited with `docker exec`:
 * exec's process is a symlink to /proc/self/exe, so it runs whatever exec
 * ran from; exec is sealed too (oci_enters_container).
 *
 * The test process is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER),
 * as conmon and the containerd shim are: create (and exec --detach) leaves
 * no nutshell behind, so the container's init (the exec'd process) becomes
 * our child.
 */
#include "self_exe_lab.h"

#include <errno.h>
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

/* A bundle in the lab whose process has ARGS (a JSON array's items) with
 * /x first in PATH, the lab's volume at /x. create_start's are "init -- sh
 * -c 'read x </x/trace'": /x/init, the symlink to /proc/self/exe, run as
 * --init's pid 1 is (test_self_exe.c, SELF_EXE_AS_INIT), its shell waiting
 * on the fifo. */
static void
write_bundle(const struct lab *l, const char *args)
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
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[%s],"
		"\"env\":[\"PATH=/x:/bin\"],\"cwd\":\"/\","
		"\"user\":{\"uid\":0,\"gid\":0},\"noNewPrivileges\":true},"
		"\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"self-exe\","
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		"{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\","
		"\"options\":[\"rbind\",\"rw\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
		"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}}",
		args, l->vol);
	fclose(f);
}

/* create and start c1 from the lab's bundle: init's pid on the host. */
static pid_t
create_start(struct lab *l)
{
	char path[256], pid_file[160], pid_text[32] = "";

	snprintf(path, sizeof(path), "%s/bundle", l->dir);
	snprintf(pid_file, sizeof(pid_file), "%s/pid", l->dir);
	const char *create[] = {"create", "--bundle", path, "--pid-file", pid_file, "c1", NULL};
	int status = oci_run(l, create);
	char *err = lab_slurp(l->err, NULL);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "create: %#x\n%s", status,
		      err ? err : "");
	free(err);
	pid_t ctr = atoi(read_line_file(pid_file, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(ctr, 1);
	const char *start[] = {"start", "c1", NULL};
	status = oci_run(l, start);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "start: %#x", status);
	return ctr;
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
	char path[256];

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	lab_make(&l);
	write_bundle(&l, "\"init\",\"--\",\"sh\",\"-c\",\"read x </x/trace\"");
	pid_t ctr = create_start(&l);
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
	snprintf(path, sizeof(path), "%s/pid", l.dir);
	unlink(path);
	lab_end(&l);
}
END_TEST

/* lab_watch's end of an exec: the exec'd process killed, and reaped by us
 * (--detach: its parent exited, we are the subreaper). */
static void
end_exec(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	int status;

	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

/* PID's pid in its own pid namespace: the last field of NSpid
 * (proc(5) /proc/PID/status). */
static int
inner_pid(pid_t pid)
{
	char path[64], line[256];
	int inner = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			inner = atoi(last ? last + 1 : line + 6);
		}
	fclose(f);
	return inner;
}

/* The attack as it was made on runc, through `docker exec` (CVE-2019-5736):
 * a running container, and `nutshell exec` of a command that is a symlink
 * to /proc/self/exe, so the process exec puts into the container runs
 * whatever exec ran from. The container's own process is a plain sleep:
 * the exec'd one is the only runtime inside. Run as "init --root /x/root
 * state wait" it blocks on opening state.json, a fifo (oci_state_load, a
 * command that enters no container and so seals nothing itself), while
 * the observer opens its /proc/PID/exe, during and after. */
START_TEST(self_exe_oci_exec)
{
	struct lab l;
	char path[256], pid_file[160], exec_pid_file[160], pid_text[32] = "";
	struct stat st;
	int status;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	lab_make(&l);
	write_bundle(&l, "\"sleep\",\"3600\"");
	char state_dir[200], state_fifo[220];
	snprintf(path, sizeof(path), "%s/root", l.vol);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(state_dir, sizeof(state_dir), "%s/root/wait", l.vol);
	ck_assert_int_eq(mkdir(state_dir, 0755), 0);
	snprintf(state_fifo, sizeof(state_fifo), "%s/state.json", state_dir);
	ck_assert_int_eq(mkfifo(state_fifo, 0600), 0);
	snprintf(pid_file, sizeof(pid_file), "%s/pid", l.dir);
	snprintf(exec_pid_file, sizeof(exec_pid_file), "%s/exec-pid", l.dir);
	pid_t ctr = create_start(&l);

	const char *exec[] = {"exec",	"--detach", "--pid-file", exec_pid_file, "c1", "init",
			      "--root", "/x/root",  "state",	  "wait",	 NULL};
	status = oci_run(&l, exec);
	char *err = lab_slurp(l.err, NULL);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exec: %#x\n%s", status,
		      err ? err : "");
	free(err);
	pid_text[0] = '\0';
	pid_t execd = atoi(read_line_file(exec_pid_file, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(execd, 1);
	lab_wait_for_runtime_inside(ctr);
	/* From the host: what the exec'd process executes is not our file
	 * (asserted once the container is gone, so a failure leaves none). */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)execd);
	int seen = stat(path, &st) == 0 ? 0 : errno;
	char probe[64];
	snprintf(probe, sizeof(probe), "during /proc/%d/exe", inner_pid(execd));

	/* The observer, during the run; then the exec'd process is killed
	 * (our child now) and it looks again. */
	int ost;
	char *text = lab_watch(&l, ctr, end_exec, &execd, &ost);
	ck_assert_int_eq(kill(ctr, SIGKILL), 0);
	ck_assert_int_eq(waitpid(ctr, &status, 0), ctr);
	const char *del[] = {"delete", "c1", NULL};
	int deleted = oci_run(&l, del);
	ck_assert_msg(seen == 0, "%s: %s", path, strerror(seen));
	ck_assert_msg(st.st_dev != l.st.st_dev || st.st_ino != l.st.st_ino,
		      "the exec'd process runs the host's binary (%s is dev %lu ino %lu)", path,
		      (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	ck_assert_msg(WIFEXITED(ost) && WEXITSTATUS(ost) == 0, "observer: %#x\n%s", ost, text);
	ck_assert_msg(strstr(text, probe), "the observer never probed the exec'd process (%s):\n%s",
		      probe, text);
	lab_assert_observer_reached_nothing(text);
	free(text);
	ck_assert_msg(WIFEXITED(deleted) && WEXITSTATUS(deleted) == 0, "delete: %#x", deleted);
	unlink(state_fifo);
	rmdir(state_dir);
	snprintf(path, sizeof(path), "%s/root", l.vol);
	rmdir(path);
	snprintf(path, sizeof(path), "rm -rf '%s/bundle'", l.dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "%s/root", l.dir);
	rmdir(path);
	unlink(pid_file);
	unlink(exec_pid_file);
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
	tc = tcase_create("self_exe_oci_exec");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, self_exe_oci_exec);
	suite_add_tcase(s, tc);
	return s;
}
