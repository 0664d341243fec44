/*
 * test_oci_running.c - the OCI runtime's commands on a running container,
 * part of the oci suite (oci_test.h; test_oci.c makes it): exec (ctr task
 * exec, podman exec, docker exec), --console-socket (-t), pause and resume
 * (the freezer), ps (docker top) and update (docker update), the cgroup
 * namespace seen from inside and out, and run --bundle (runc run).
 */
#include "oci_test.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* exec: one more process in the container's namespaces, cgroup and
 * privileges (ctr task exec, podman exec and docker exec call it). */
START_TEST(oci_exec)
{
	char out[4096], path[128], pid_text[32];
	int status;
	pid_t pid = oci_start_sleeper("e1");

	/* The short form: its hostname, a pid of the container's pid
	 * namespace (init is 1), its cgroup, config.json's one capability
	 * (CAP_KILL, bit 5) and the exit status as nutshell's. */
	ck_assert_int_eq(OCI(out, "exec e1 sh -c 'echo $(hostname) $$; grep -c /e1$ "
				  "/proc/self/cgroup; grep CapBnd /proc/self/status; exit 5'"),
			 5);
	int inner = 0, cgroups = 0;
	char host[64] = "", caps[64] = "";
	ck_assert_msg(sscanf(out, "%63s %d %d CapBnd: %63s", host, &inner, &cgroups, caps) == 4,
		      "exec printed: %s", out);
	ck_assert_str_eq(host, "oci-test");
	ck_assert_msg(inner > 1 && inner < 100, "pid %d is not one of the container's", inner);
	ck_assert_int_gt(cgroups, 0);
	ck_assert_str_eq(caps, "0000000000000020");
	/* The engines' form: --process FILE, --detach, --pid-file. The
	 * process is reaped by us, the subreaper, as by the shim. */
	snprintf(path, sizeof(path), "%s/process.json", oci_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"args\":[\"sh\",\"-c\",\"echo detached in $(hostname); exit 7\"]," PROCESS_REST
		"}");
	fclose(f);
	ck_assert_int_eq(OCI(out, "exec --process %s --detach --pid-file %s/epid e1 >%s/eout", path,
			     oci_dir, oci_dir),
			 0);
	snprintf(path, sizeof(path), "%s/epid", oci_dir);
	pid_t epid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_gt(epid, 1);
	ck_assert_int_eq(waitpid(epid, &status, 0), epid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 7, "status 0x%x", status);
	snprintf(path, sizeof(path), "%s/eout", oci_dir);
	ck_assert_str_eq(read_text_file(path, out, sizeof(out)), "detached in oci-test\n");
	/* Bad input: one line each, exit 1. */
	ck_assert_int_eq(OCI(out, "exec e1 nosuchcmd"), 1);
	ck_assert_str_eq(out,
			 "nutshell: exec: \"nosuchcmd\": executable file not found in $PATH\n");
	ck_assert_int_eq(OCI(out, "exec --process %s/nosuch.json e1", oci_dir), 1);
	ck_assert_msg(strstr(out, "--process") && strchr(out, '\n') == strrchr(out, '\n'), "%s",
		      out);
	ck_assert_int_eq(OCI(out, "exec nosuch true"), 1);
	ck_assert_str_eq(out, "nutshell: container nosuch does not exist\n");
	ck_assert_int_eq(OCI(out, "exec e1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "usage: nutshell exec"));
	oci_end_sleeper("e1", pid);
	oci_write_config("[\"echo\"]", NULL);
	ck_assert_int_eq(OCI(out, "create --bundle bundle --pid-file %s/pid e2", oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start e2"), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(OCI(out, "exec e2 echo"), 1);
	ck_assert_str_eq(out, "nutshell: cannot exec in a stopped container\n");
	ck_assert_int_eq(OCI(out, "delete e2"), 0);
	oci_expect_gone("e2");
}
END_TEST

/* At exec's pause before execve(2): what the container sees of the
 * process entering it. */
struct peek {
	const char *id;
	char seen[4096];
	int done;
};

static void
peek_at_exec(const char *prompt, void *data)
{
	struct peek *p = data;
	int pid = 0;

	if (p->done || sscanf(prompt, "[pid %d]", &pid) != 1)
		return;
	p->done = 1;
	/* From another process of the container (uid 0, CAP_KILL only): the
	 * entering process's descriptors and binary. Listing /proc/PID/fd is
	 * allowed to the owner (root) either way; following a link in it
	 * takes the ptrace access check (proc(5)), which a non-dumpable
	 * process fails. */
	oci_run(p->seen, sizeof(p->seen),
		"exec %s sh -c 'readlink /proc/%d/fd/0 >/dev/null && echo fds open; "
		"readlink /proc/%d/exe >/dev/null && echo exe open; echo checked'",
		p->id, pid, pid);
}

/* CVE-2016-9962 class: a process entering a container is not dumpable
 * until it has executed its command, so the container's own processes
 * cannot reach its host descriptors or nutshell's binary through /proc. */
START_TEST(oci_exec_not_dumpable)
{
	char root[128];
	struct peek p = {.id = "d1"};
	pid_t pid = oci_start_sleeper("d1");

	snprintf(root, sizeof(root), "%s/root", oci_dir);
	const char *argv[] = {
	    "05-full-container/nutshell", "--root", root, "exec", "d1", "echo", NULL};
	int rc = run_step_walk(argv, "next execve", peek_at_exec, &p, NULL);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(p.done, "no pause before execve");
	ck_assert_msg(strstr(p.seen, "checked") && !strstr(p.seen, "fds open") &&
			  !strstr(p.seen, "exe open"),
		      "the container reached the entering process: %s", p.seen);
	oci_end_sleeper("d1", pid);
}
END_TEST

/* --console-socket: terminal true; init sends the master of a pty of the
 * container's own devpts over the socket (SCM_RIGHTS), as the containerd
 * shim and conmon receive it; the slave is the container's 0-2. */
START_TEST(oci_console_socket)
{
	char out[4096], path[128], sock_path[96], pid_text[32], buf[4096];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int status;

	oci_write_config("[\"sh\",\"-c\",\"tty; exit 6\"]", NULL);
	snprintf(path, sizeof(path), "%s/bundle/config.json", oci_dir);
	/* terminal: true, and the devpts the pty comes from. */
	ck_assert_int_eq(
	    oci_sh(NULL, 0,
		   "sed -i 's/\"args\"/\"terminal\":true,\"args\"/; "
		   "s|\"mounts\":\\[|\"mounts\":[{\"destination\":\"/dev/pts\",\"type\":"
		   "\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\","
		   "\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},|' %s",
		   path),
	    0);
	snprintf(sock_path, sizeof(sock_path), "%s/console.sock", oci_dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ls, 0);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	/* Without the socket, a terminal is refused (runc's rule). */
	ck_assert_int_eq(OCI(out, "create --bundle bundle c1"), 1);
	ck_assert_str_eq(out, "nutshell: process.terminal is true: expected --console-socket\n");
	oci_expect_gone("c1");
	ck_assert_int_eq(OCI(out, "create --bundle bundle --console-socket %s --pid-file %s/pid c1",
			     sock_path, oci_dir),
			 0);
	/* create has returned: the master is waiting in the socket. */
	int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	char cbuf[CMSG_SPACE(sizeof(int))], name[64];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ck_assert_int_ge(recvmsg(conn, &msg, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ck_assert_msg(c && c->cmsg_type == SCM_RIGHTS, "no descriptor in the message");
	int master;
	memcpy(&master, CMSG_DATA(c), sizeof(int));
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	ck_assert_int_eq(OCI(out, "start c1"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 6, "status 0x%x", status);
	ssize_t n = read(master, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	ck_assert_msg(strstr(buf, "/dev/pts/0"), "the terminal showed: '%s'", buf);
	close(master);
	close(conn);
	close(ls);
	ck_assert_int_eq(OCI(out, "delete c1"), 0);
	oci_expect_gone("c1");
}
END_TEST

/* The container's cgroup file FILE (v2 name) or V1 (its v1 name), as
 * its cgroup /ID holds it (no linux.cgroupsPath); "" when neither exists. */
static char *
cgroup_file(const char *id, const char *file, const char *v1, char *out, size_t size)
{
	oci_sh(out, size,
	       "find /sys/fs/cgroup -maxdepth 6 -type d -name %s | while read d; do { cat $d/%s "
	       "|| cat $d/%s; } 2>/dev/null; done; true",
	       id, file, v1);
	return out;
}

/* pause and resume (lesson 02's freezer: cgroup.freeze, v1 freezer.state),
 * ps (the pids of the cgroup: docker top, ctr task ps) and update (the
 * limits rewritten: docker update), each on a running container. */
START_TEST(oci_pause_ps_update)
{
	char out[4096], want[64], path[128];
	int status;
	pid_t pid = oci_start_sleeper("p1");

	/* ps: JSON, as containerd's shim reads it; the table of ps -ef. */
	ck_assert_int_eq(OCI(out, "ps --format json p1"), 0);
	snprintf(want, sizeof(want), "[%d]\n", (int)pid);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(OCI(out, "ps p1"), 0);
	snprintf(want, sizeof(want), " %d ", (int)pid);
	ck_assert_msg(strstr(out, "PID") && strstr(out, want) && strstr(out, "sleep 100") &&
			  !strstr(out, "tests/check"),
		      "ps p1: %s", out);
	/* pause: the cgroup frozen, the state "paused"; exec and a plain
	 * delete refused. */
	ck_assert_int_eq(OCI(out, "pause p1"), 0);
	json_decref(oci_state_is("p1", "paused"));
	cgroup_file("p1", "cgroup.freeze", "freezer.state", out, sizeof(out));
	ck_assert_msg(strcmp(out, "1\n") == 0 || strcmp(out, "FROZEN\n") == 0, "freezer: %s", out);
	ck_assert_int_eq(OCI(out, "exec p1 echo"), 1);
	ck_assert_str_eq(out, "nutshell: cannot exec in a paused container\n");
	ck_assert_int_eq(OCI(out, "delete p1"), 1);
	ck_assert_str_eq(out, "nutshell: cannot delete container p1 that is not stopped: paused\n");
	ck_assert_int_eq(OCI(out, "pause p1"), 1);
	ck_assert_str_eq(out, "nutshell: container p1 is paused: not running\n");
	ck_assert_int_eq(OCI(out, "resume p1"), 0);
	json_decref(oci_state_is("p1", "running"));
	ck_assert_int_eq(OCI(out, "resume p1"), 1);
	ck_assert_str_eq(out, "nutshell: container p1 is running: not paused\n");
	/* update: flags, and linux.resources from a file and from stdin. */
	ck_assert_int_eq(OCI(out, "update --memory 32m --pids-limit 30 p1"), 0);
	ck_assert_str_eq(cgroup_file("p1", "memory.max", "memory.limit_in_bytes", out, sizeof(out)),
			 "33554432\n");
	ck_assert_str_eq(cgroup_file("p1", "pids.max", "pids.max", out, sizeof(out)), "30\n");
	snprintf(path, sizeof(path), "%s/resources.json", oci_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"memory\":{\"limit\":50331648},\"pids\":{\"limit\":40}}", f);
	fclose(f);
	ck_assert_int_eq(OCI(out, "update --resources %s p1", path), 0);
	ck_assert_str_eq(cgroup_file("p1", "memory.max", "memory.limit_in_bytes", out, sizeof(out)),
			 "50331648\n");
	ck_assert_int_eq(OCI(out, "update -r - p1 <%s", path), 0);
	ck_assert_str_eq(cgroup_file("p1", "pids.max", "pids.max", out, sizeof(out)), "40\n");
	/* Bad values: one line, exit 1, the limit as it was. */
	ck_assert_int_eq(OCI(out, "update --memory lots p1"), 1);
	ck_assert_msg(strstr(out, "--memory 'lots'") && strchr(out, '\n') == strrchr(out, '\n'),
		      "%s", out);
	ck_assert_int_eq(OCI(out, "update -r %s/nosuch.json p1", oci_dir), 1);
	ck_assert_msg(strstr(out, "nosuch.json") && strchr(out, '\n') == strrchr(out, '\n'), "%s",
		      out);
	ck_assert_int_eq(OCI(out, "ps --format yaml p1"), 1);
	ck_assert_str_eq(out, "nutshell: ps --format 'yaml': expected table or json\n");
	ck_assert_str_eq(cgroup_file("p1", "memory.max", "memory.limit_in_bytes", out, sizeof(out)),
			 "50331648\n");
	/* KILL reaches a paused container (v1 thaws it: runc's Signal). */
	ck_assert_int_eq(OCI(out, "pause p1"), 0);
	ck_assert_int_eq(OCI(out, "kill p1 KILL"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	json_decref(oci_state_is("p1", "stopped"));
	ck_assert_int_eq(OCI(out, "pause p1"), 1);
	ck_assert_str_eq(out, "nutshell: container p1 is stopped: not running\n");
	ck_assert_int_eq(OCI(out, "update --memory 64m p1"), 1);
	ck_assert_str_eq(out, "nutshell: container p1 is stopped: cannot update it\n");
	ck_assert_int_eq(OCI(out, "delete p1"), 0);
	oci_expect_gone("p1");
	/* delete --force of a paused container. */
	pid = oci_start_sleeper("p2");
	ck_assert_int_eq(OCI(out, "pause p2"), 0);
	ck_assert_int_eq(OCI(out, "delete --force p2"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	oci_expect_gone("p2");
}
END_TEST

/* A cgroup namespace asked for (podman and docker on cgroup v2, nutshell
 * spec), and the cgroup mount in it: its root is the container's own cgroup, so /proc/self/cgroup reads
 * "/" in every hierarchy inside, while outside it names the cgroup /ID.
 * Made by init once it is in that cgroup, not at clone(2): a namespace made
 * in create's cgroup showed "/../../cg1" or "/cg1". */
START_TEST(oci_cgroup_namespace)
{
	char out[4096], path[128], pid_text[32], outside[4096];
	int status;

	oci_write_config("[\"sh\",\"-c\",\"sleep 0.5; cat /proc/self/cgroup\"]", NULL);
	ck_assert_int_eq(oci_sh(NULL, 0,
				"sed -i 's/{\"type\":\"mount\"}/{\"type\":\"mount\"},"
				"{\"type\":\"cgroup\"}/' %s/bundle/config.json",
				oci_dir),
			 0);
	ck_assert_int_eq(
	    OCI(out, "create --bundle bundle --pid-file %s/pid cg1 >%s/out", oci_dir, oci_dir), 0);
	snprintf(path, sizeof(path), "%s/pid", oci_dir);
	pid_t pid = atoi(read_text_file(path, pid_text, sizeof(pid_text)));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	read_text_file(path, outside, sizeof(outside));
	ck_assert_msg(strstr(outside, "/cg1\n"), "outside: %s", outside);
	ck_assert_int_eq(OCI(out, "start cg1"), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	snprintf(path, sizeof(path), "%s/out", oci_dir);
	read_text_file(path, out, sizeof(out));
	ck_assert_msg(out[0], "no /proc/self/cgroup read inside");
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		ck_assert_msg(strlen(line) > 2 && strcmp(line + strlen(line) - 2, ":/") == 0,
			      "inside the cgroup namespace: '%s', expected its root, '/'", line);
	ck_assert_int_eq(OCI(out, "delete cg1"), 0);
	oci_expect_gone("cg1");

	/* A "cgroup" mount (runc spec's, docker's, podman's): the container's
	 * own cgroups at /sys/fs/cgroup, read-only, its pids.max the limit
	 * config.json gave. In a cgroup namespace new mounts, rooted at "/";
	 * without one binds of the container's own directories (runc's way:
	 * podman and docker on cgroup v1), rooted at its cgroup, /cg2, so
	 * that nothing above it shows. */
	oci_write_config(
	    "[\"sh\",\"-c\",\"echo pids.max $(cat "
	    "/sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null); "
	    "grep -E ' /sys/fs/cgroup(/pids)? ' /proc/self/mountinfo | cut -d' ' -f4,5; echo 1 "
	    ">/sys/fs/cgroup/pids.max || echo 1 >/sys/fs/cgroup/pids/pids.max || echo "
	    "read-only\"]",
	    NULL);
	ck_assert_int_eq(
	    oci_sh(NULL, 0,
		   "sed -i 's|}],\"linux\"|},{\"destination\":\"/sys/fs/cgroup\",\"type\":"
		   "\"cgroup\",\"source\":\"cgroup\",\"options\":[\"ro\",\"nosuid\",\"noexec\","
		   "\"nodev\"]}],\"linux\"|' %s/bundle/config.json",
		   oci_dir),
	    0);
	ck_assert_int_eq(OCI(out, "run --bundle bundle cg2"), 0);
	ck_assert_msg(strstr(out, "pids.max 50\n") &&
			  (strstr(out, "\n/cg2 /sys/fs/cgroup/pids\n") ||
			   strstr(out, "\n/cg2 /sys/fs/cgroup\n")) &&
			  !strstr(out, "\n/ /sys/fs/cgroup/pids") &&
			  strstr(out, "Read-only file system") && strstr(out, "read-only\n"),
		      "no cgroupns, /sys/fs/cgroup: %s", out);
	oci_expect_gone("cg2");
	ck_assert_int_eq(oci_sh(NULL, 0,
				"sed -i 's/{\"type\":\"mount\"}/{\"type\":\"mount\"},"
				"{\"type\":\"cgroup\"}/' %s/bundle/config.json",
				oci_dir),
			 0);
	ck_assert_int_eq(OCI(out, "run --bundle bundle cg3"), 0);
	ck_assert_msg(strstr(out, "pids.max 50\n") && strstr(out, "\n/ /sys/fs/cgroup") &&
			  !strstr(out, "/cg3 /sys") && strstr(out, "Read-only file system") &&
			  strstr(out, "read-only\n"),
		      "cgroupns, /sys/fs/cgroup: %s", out);
	oci_expect_gone("cg3");
}
END_TEST

/* run --bundle: runc run, create and start in the foreground, then
 * delete. The exit status is the command's; the terminal relayed when
 * process.terminal is true (a console socket of run's own); SIGTERM passed
 * on to init; nothing left: state, cgroup, the console socket's directory. */
START_TEST(oci_run_bundle)
{
	char out[4096];

	oci_write_config("[\"sh\",\"-c\",\"echo hi from $(hostname); exit 5\"]", NULL);
	ck_assert_int_eq(OCI(out, "run --bundle bundle r1"), 5);
	ck_assert_str_eq(out, "hi from oci-test\n");
	oci_expect_gone("r1");
	ck_assert_int_eq(OCI(out, "run --bundle bundle"), 1);
	ck_assert_str_eq(out, "nutshell: usage: nutshell run --bundle DIR [--detach] ID\n");
	/* terminal: a pty of the test's is run's terminal; init's is one of
	 * the container's own devpts. */
	oci_write_config("[\"sh\",\"-c\",\"tty; exit 4\"]", NULL);
	ck_assert_int_eq(oci_sh(NULL, 0,
				"sed -i 's/\"process\":{/\"process\":{\"terminal\":true,/' "
				"%s/bundle/config.json",
				oci_dir),
			 0);
	const char *dirs = "ls -d /tmp/nutshell-console.* 2>/dev/null | wc -l";
	oci_sh(out, sizeof(out), "%s", dirs);
	int before = atoi(out), master, status;
	char text[8192] = "", root[128];
	size_t len = 0;
	snprintf(root, sizeof(root), "%s/root", oci_dir);
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid == 0) {
		if (chdir(oci_dir) == 0)
			execl(oci_bin, "nutshell", "--root", root, "run", "--bundle", "bundle",
			      "r2", (char *)NULL);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	fcntl(master, F_SETFL, O_NONBLOCK);
	ck_assert_msg(pty_read_until(master, text, sizeof(text), &len, 0, "/dev/pts/0", 20000),
		      "run -t: no /dev/pts/0 from the container: '%s'", text);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(master);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 4, "run -t: status %#x", status);
	oci_sh(out, sizeof(out), "%s", dirs);
	ck_assert_int_eq(atoi(out), before); /* the console socket's directory is gone */
	oci_expect_gone("r2");
	/* SIGTERM to run, once the command has started, reaches init, which
	 * has a handler for it. */
	oci_write_config("[\"sh\",\"-c\",\"trap 'echo got TERM; exit 9' TERM; echo up; sleep 30 & "
			 "wait\"]",
			 NULL);
	oci_sh(out, sizeof(out),
	       "cd %s && { %s --root %s/root run --bundle bundle r3 >run.out 2>&1 & p=$!; }; "
	       "for i in $(seq 300); do grep -q up run.out && break; sleep 0.1; done; "
	       "kill -TERM $p; wait $p; echo status=$? >>run.out; cat run.out",
	       oci_dir, oci_bin, oci_dir);
	ck_assert_msg(strstr(out, "up\ngot TERM\nstatus=9\n"), "run, SIGTERM: %s", out);
	oci_expect_gone("r3");
	/* --detach: created and started, and run returns; init is left to
	 * us, the subreaper, as to an engine's shim. */
	oci_write_config("[\"sleep\",\"100\"]", NULL);
	ck_assert_int_eq(OCI(out, "run --detach --bundle bundle r4"), 0);
	json_t *s4 = oci_state_is("r4", "running");
	pid_t p4 = (pid_t)json_integer_value(json_object_get(s4, "pid"));
	json_decref(s4);
	oci_end_sleeper("r4", p4);
	/* A -b that follows COMMAND is COMMAND's: the launcher's run. */
	ck_assert_int_eq(oci_sh(out, sizeof(out), "%s -q run echo -b 2>&1", oci_bin), 0);
	ck_assert_str_eq(out, "-b\n");
}
END_TEST

void
oci_add_running_cases(Suite *s)
{
	oci_add_case(s, "oci_exec", oci_exec);
	oci_add_case(s, "oci_exec_not_dumpable", oci_exec_not_dumpable);
	oci_add_case(s, "oci_console_socket", oci_console_socket);
	oci_add_case(s, "oci_pause_ps_update", oci_pause_ps_update);
	oci_add_case(s, "oci_cgroup_namespace", oci_cgroup_namespace);
	oci_add_case(s, "oci_run_bundle", oci_run_bundle);
}
