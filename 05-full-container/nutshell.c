/*
 * nutshell - run a command in a container built from the lessons' helpers.
 *
 *	sudo 05-full-container/nutshell run [OPTIONS] [--] COMMAND [ARG...]
 *
 * This file is the story of a container start, in order; main() takes the
 * steps below, numbered as here, each a call into a lesson's helpers (ns_
 * 01, cg_ 02, caps_/sc_ 03, rootfs_ 04) or into this directory's inside.c
 * (the container's side), options.c (the command line), channels.c (the
 * pipe and sockets between nutshell and the container), tty.c (-t) and
 * timings.c (NUTSHELL_TIMINGS, for `make bench`):
 *
 *   0. run from a sealed copy of ourselves          ctr_run_sealed (sealed.c), before the trace
 *   1. check every option                           ctr_parse (options.c), before anything is made
 *   2. build the seccomp filter                     sc_build (03), or one made at build time
 *   3. a scratch directory; a cgroup beneath ours,  ctr_make_scratch (reclaim.c);
 *      with its limits                              cg_plan, cg_make, cg_set (02)
 *   4. clone(2) into new namespaces                 ctr_channels_open; --time-offset: ns_unshare,
 *                                                   ns_time_offsets (01); ns_clone (01): mnt uts
 *                                                   ipc pid net (user)
 *   5. from outside: id maps, veth, then "go"       ns_write_idmap, ns_veth_create (01)
 *      (--userns: the image's layers idmapped,      ctr_idmap_send: rootfs_idmapped_tree (04),
 *      and the child moved into its cgroup)         cg_attach (02)
 *   6. inside: into the cgroup, cgroup ns,          inside.c: cg_join (02), ns_unshare (01),
 *      hostname, network, root, process,            rootfs_setup (04), caps_keep_only,
 *      privileges, execve                           sc_load_bpf (03)
 *   7. wait, forwarding signals (and relaying -t)   wait_container
 *   8. clean up whatever the exit path: cgroup,     cleanup
 *      scratch directory
 *
 * Exit status: COMMAND's; 125 nutshell failed, 126 COMMAND not executable,
 * 127 not found, 128+N killed by signal N (docker run's convention).
 * Read: namespaces(7), cgroups(7), capabilities(7), seccomp(2),
 * pivot_root(2), pid_namespaces(7), and the chapters of lessons 01-04.
 */
#include "../01-namespaces/ns.h"
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/caps.h"
#include "../03-capabilities/sc.h"
#include "../04-overlay-chroot/rootfs.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/host.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "ctr.h"
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static struct ctr_config cfg;
static struct cg_layout layout;
static struct cg cgroup;
static int have_cgroup;
/* fds 0-2 that are files of the host: relayed through pipes (stdio.c). */
static struct ctr_stdio stdio = {.inner = {-1, -1, -1}, .outer = {-1, -1, -1}};
static struct ctr_child child = {.stdio = &stdio};
static int scratch_lock = -1; /* flock(2) on the scratch directory: we live */

/* <<< cgroup */
/* Lesson 02: one cgroup per container, beneath our own, limits set before
 * the container's first instruction runs. */
static int
make_cgroup(void)
{
	const char *wanted[] = {"memory", "pids", NULL, NULL, NULL};
	char name[64];
	size_t n = 2;

	if (cfg.cpus[0] || cfg.cpu_weight[0])
		wanted[n++] = "cpu";
	/* The device allow-list: a v1 devices hierarchy, or the v2 tree (a BPF
	 * program). A hybrid host may offer neither to us, or not writable:
	 * then it is left out, said so below, and only nodev mounts keep
	 * nodes closed. */
	int detected = cg_layout_detect(&layout);
	int dh = detected == 0 ? cg_layout_find(&layout, "devices") : -1;
	int devices = dh >= 0 && access(layout.h[dh].base, W_OK) == 0;
	if (devices)
		wanted[n++] = "devices";
	if (detected == -1 || cg_prepare_detected(&layout, wanted) == -1) {
		if (cfg.rootless) {
			trace_error("rootless: no cgroup limits (%s)", err_last()->msg);
			err_clear();
			return 0;
		}
		return err_prefix("cgroup");
	}
	snprintf(name, sizeof(name), "nutshell-%s", cfg.id);
	/* Planned, written down, then made: killed between any two calls, we
	 * leave a record the next nutshell reclaims by (reclaim.c). */
	if (cg_plan(&cgroup, &layout, NULL, name, wanted) == -1)
		return err_prefix("cgroup");
	if (ctr_record_cgroups(child.tmpdir, &cgroup) == -1)
		return err_prefix("recording the cgroup");
	ctr_pause_point("cgroup-planned");
	if (cg_make(&cgroup) == -1)
		return err_prefix("cgroup");
	have_cgroup = 1;
	ctr_pause_point("cgroup-made");
	/* Now what cg_make() really enabled (v2), no longer what it might. */
	if (ctr_record_cgroups(child.tmpdir, &cgroup) == -1)
		return err_prefix("recording the cgroup");
	/* Before the container's first process joins: deny every device but
	 * the few of its /dev, wherever a node of another lies (issue 23:
	 * a node made below a volume opened the host's disk). Stamped on both
	 * sides: make bench's phase "devices" is this step alone. */
	ctr_stamp(CTR_T_CGROUP_MAKE);
	if (!devices)
		err_set(0, "no devices hierarchy (v1) or cgroup2 tree we may write");
	if (!devices || cg_devices_allow(&cgroup, cg_dev_default) == -1) {
		trace_error("devices: no device allow-list (%s); only nodev mounts keep device "
			    "nodes closed",
			    err_last()->msg);
		err_clear();
	}
	ctr_stamp(CTR_T_DEVICES);
	const struct {
		const char *file, *value;
	} limits[] = {
	    {"memory.max", cfg.memory},	    {"memory.swap.max", cfg.memory_swap},
	    {"pids.max", cfg.pids},	    {"cpu.max", cfg.cpus},
	    {"cpu.weight", cfg.cpu_weight},
	};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		char value[64];

		snprintf(value, sizeof(value), "%s", limits[i].value);
		if (i == 1 && value[0] && strcmp(value, "max") != 0)
			/* docker's --memory-swap is memory plus swap; swap.max is swap. */
			snprintf(value, sizeof(value), "%llu",
				 strtoull(cfg.memory_swap, NULL, 10) -
				     strtoull(cfg.memory, NULL, 10));
		if (i == 1 && cfg.memory_swap_default) {
			/* Not asked for: no swap, where the host can say so. */
			if (!cg_has(&cgroup, "memory.swap.max"))
				continue;
			snprintf(value, sizeof(value), "0");
		}
		if (value[0] && cg_set(&cgroup, limits[i].file, value) == -1)
			return err_prefix("cgroup");
	}
	return 0;
}
/* >>> cgroup */

/* <<< filter */
/* The seccomp filter as BPF for the child to load. The usual capability
 * sets have theirs compiled at build time from the same profile (mkfilter.c:
 * building costs libseccomp milliseconds); any other is built now. */
static int
make_filter(void)
{
	uint64_t lifted = sc_lifted(&sc_default_profile, cfg.caps, cfg.ncaps);

	for (size_t i = 0; i < sc_default_bpf_count; i++)
		if (sc_default_bpf[i].lifted == lifted) {
			child.seccomp = sc_default_bpf[i];
			return 0;
		}
	scmp_filter_ctx ctx = sc_build(&sc_default_profile, cfg.caps, cfg.ncaps);
	if (!ctx)
		return -1;
	int ret = sc_export(ctx, &child.seccomp);
	seccomp_release(ctx);
	return ret;
}
/* >>> filter */

/* The host end of the container's veth pair, HOST_IF, with its address; the
 * other end is created as eth0 in PID's network namespace. */
static int
make_veth(pid_t pid, const char *host_if)
{
	struct nl_sock *nl = ns_rtnl_open();
	int ret = -1;

	if (!nl)
		return err_prefix("veth");
	if (ns_veth_create(nl, host_if, "eth0", pid) == -1)
		goto out;
	/* The host end takes no router advertisement from the container
	 * (accept_ra 0, autoconf 0), set before it is up: else one makes the
	 * host add an address, a route and a default router through the
	 * container (CVE-2020-13401). */
	if (ns_ipv6_refuse_ra(host_if) == -1)
		goto out;
	if (ns_addr_add(nl, host_if, cfg.host_cidr) == -1)
		goto out;
	if (ns_link_up(nl, host_if) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		err_prefix("veth");
	ns_rtnl_close(nl);
	return ret;
}

/* <<< outside */
/* What only the parent can do for the child, while it waits: move it into
 * the cgroup when it cannot (--userns), write its id maps and
 * hand it the image's layers idmapped to them, and give it the other end of
 * a veth pair. */
static int
setup_from_outside(pid_t pid, struct ctr_channels *chan)
{
	char map[64], host_if[IFNAMSIZ];

	if (have_cgroup && !child.join && cg_attach(&cgroup, pid) == -1)
		return err_prefix("attaching to the cgroup");
	if (cfg.userns) {
		snprintf(map, sizeof(map), "0 %u %lu\n", (unsigned)cfg.outer_uid, cfg.userns_count);
		/* An ordinary user must deny setgroups(2) before writing gid_map. */
		if (cfg.rootless && ns_write_setgroups(pid, "deny") == -1)
			return -1; /* the error names the file */
		if (ns_write_idmap(pid, "uid_map", cfg.uidmap[0] ? cfg.uidmap : map) == -1)
			return err_prefix("uid_map");
		snprintf(map, sizeof(map), "0 %u %lu\n", (unsigned)cfg.outer_gid, cfg.userns_count);
		if (ns_write_idmap(pid, "gid_map", cfg.gidmap[0] ? cfg.gidmap : map) == -1)
			return err_prefix("gid_map");
		/* The image as the container's root sees it: root's files are
		 * root's (idmapped mounts need the host's CAP_SYS_ADMIN). */
		int ret = ctr_idmap_send(&cfg, pid, chan->idmap[0]);
		if (chan->idmap[0] >= 0)
			close(chan->idmap[0]);
		chan->idmap[0] = -1;
		if (ret == -1)
			return -1;
	}
	if (cfg.net == CTR_NET_VETH && !cfg.rootless) {
		ctr_veth_name(cfg.id, host_if);
		if (make_veth(pid, host_if) == -1)
			return -1;
		printf("veth: %s %s (here) <-> eth0 %s (container)\n", host_if, cfg.host_cidr,
		       cfg.ctr_cidr);
		fflush(stdout);
	}
	return 0;
}
/* >>> outside */

/* <<< wait */
/* Waits for the container's pid 1, passing SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT on to it and, with -t, relaying the terminal and its size. */
/* After SIGTERM, how long the container has to end before SIGKILL: docker
 * stop's default grace period (docker stop --time, 10 s). A pid 1 without a
 * SIGTERM handler never sees it (pid_namespaces(7)). */
#define STOP_GRACE_S 10

static int
wait_container(pid_t pid, int sigfd, int master)
{
	int status, stdin_eof = 0, tty_gone = master < 0;
	double kill_at = 0; /* wait_now() when SIGKILL follows a SIGTERM */

	for (;;) {
		struct pollfd p[6] = {
		    {.fd = sigfd, .events = POLLIN},
		    {.fd = tty_gone ? -1 : master, .events = POLLIN},
		    {.fd = tty_gone || stdin_eof ? -1 : STDIN_FILENO, .events = POLLIN}};
		int nrelay = ctr_stdio_poll(&stdio, &p[3]);
		double left = kill_at > 0 ? kill_at - wait_now() : -1;
		int timeout = kill_at > 0 ? (left > 0 ? (int)(left * 1000) + 1 : 0) : -1;

		if (poll(p, 3 + (nfds_t)nrelay, timeout) == -1 && errno != EINTR)
			return -1;
		ctr_stdio_pump(&stdio, &p[3], nrelay);
		if (kill_at > 0 && wait_now() >= kill_at) {
			trace_note(
			    "the container did not end %d s after SIGTERM: SIGKILL, as docker "
			    "stop does",
			    STOP_GRACE_S);
			TRACE(kill(pid, SIGKILL), "kill", "%d, SIGKILL", (int)pid);
			kill_at = 0;
		}
		if (!tty_gone && (p[1].revents || p[2].revents) &&
		    ctr_tty_relay(master, !stdin_eof, p[2].revents, p[1].revents, &stdin_eof) == -1)
			tty_gone = 1;
		if (!(p[0].revents & POLLIN))
			continue;
		struct signalfd_siginfo si;
		if (read(sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH) {
			if (master >= 0)
				ctr_tty_winsize(master);
		} else if (si.ssi_signo == SIGINT && trace_cfg.step) {
			/* Ctrl-C in a --step walk ends the walk: the container
			 * too (its pid 1 ignores a SIGINT it has no handler for,
			 * pid_namespaces(7)), then the cleanup. */
			trace_cfg.interrupted = true;
			TRACE(kill(pid, SIGKILL), "kill", "%d, SIGKILL", (int)pid);
		} else if (si.ssi_signo != SIGCHLD) {
			trace_note("%s: passing it on to the container",
				   dec_signal((int)si.ssi_signo));
			if (si.ssi_signo == SIGTERM && kill_at == 0) {
				trace_note("SIGKILL in %d s if it has not ended by then",
					   STOP_GRACE_S);
				kill_at = wait_now() + STOP_GRACE_S;
			}
			TRACE(kill(pid, (int)si.ssi_signo), "kill", "%d, %s", (int)pid,
			      dec_signal((int)si.ssi_signo));
		}
		if (TRACE(waitpid(pid, &status, WNOHANG), "wait4", "%d, &status, WNOHANG, NULL",
			  (int)pid) == pid)
			break;
	}
	/* What the container still wrote before its end. */
	while (!tty_gone && ctr_tty_relay(master, 0, 0, POLLIN, &stdin_eof) == 0)
		;
	ctr_stdio_finish(&stdio);
	trace_note("container %s", dec_wait_status(status));
	/* SIGKILL and an OOM kill counted in the cgroup: most often a limit
	 * too low for the program even to start. */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && have_cgroup && cfg.memory[0] &&
	    cg_stat(&cgroup, "oom_kill") > 0)
		trace_error("the container was killed by the OOM killer: its memory limit "
			    "(--memory, %s bytes) is probably too low",
			    cfg.memory);
	if (trace_cfg.interrupted)
		return 128 + SIGINT;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
/* >>> wait */

/* <<< cleanup */
/* Every exit path after the first resource ends here. The namespaces die
 * with their last process, and with them the mounts and the tmpfs holding
 * the upper layer; the veth pair is deleted with the allocation record
 * (ctr_unrecord, alloc.c), not left for the kernel's deferred clean-up. */
static void
cleanup(void)
{
	ctr_tty_restore();
	if (have_cgroup) {
		cg_kill(&cgroup); /* nothing should be left; make sure */
		if (cg_remove(&cgroup) == -1) {
			err_prefix("removing the cgroup");
			err_print();
		}
		have_cgroup = 0;
	}
	if (child.tmpdir[0]) {
		ctr_unrecord(child.tmpdir);
		if (TRACE(unlinkat(AT_FDCWD, child.tmpdir, AT_REMOVEDIR), "unlinkat",
			  "AT_FDCWD, %s, AT_REMOVEDIR", trace_str(child.tmpdir)) == -1) {
			err_sys("%s", child.tmpdir);
			err_print();
		}
		child.tmpdir[0] = '\0';
	}
	if (scratch_lock >= 0)
		close(scratch_lock); /* the last thing: nothing of ours is left */
	scratch_lock = -1;
}
/* >>> cleanup */

/* Step 0, after the sealed copy: only descriptors 0, 1 and 2, each open. */
static int
std_fds_only(void)
{
	/* A closed stderr (nutshell run ... | head) must end in cleanup(), not
	 * kill us half-way; the child puts SIGPIPE back for COMMAND. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return err_sys("signal(SIGPIPE, SIG_IGN)");
	/* Only 0, 1 and 2 come in: any other descriptor our caller left open
	 * - a directory of the host above all - would be the container's way
	 * out through /proc/self/fd/N (CVE-2024-21626). */
	if (ctr_close_fds(0) == -1)
		return err_sys("closing the descriptors we were given");
	/* A closed 0, 1 or 2 gets /dev/null: else the next descriptor we
	 * open (the signalfd, a pipe) would take its number, and pass into
	 * COMMAND as its standard input or output. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			return err_sys("/dev/null for a closed standard descriptor %d", fd);
	ctr_timings_start();
	return 0;
}

/* What the host and the options give up, said before the start. */
static void
warn(void)
{
	if (!cfg.seccomp)
		trace_error("warning: --security-opt seccomp=unconfined: no system call filter");
	if (cfg.net == CTR_NET_HOST)
		trace_error("warning: --network host: the container shares this host's network");
	/* In a chroot, pivot_root cannot detach what lies above the chroot: a
	 * container keeping CAP_SYS_CHROOT reaches it by the double-chroot
	 * escape (04-overlay-chroot/escape). Said, since a chroot cannot be
	 * mended from inside (host.h). */
	if (host_in_chroot())
		trace_error("warning: the container is not isolated from this chroot's parent: %s",
			    host_chroot_line);
	if (cfg.rootless && cfg.net == CTR_NET_VETH)
		trace_error("rootless: no veth (creating one in this namespace needs "
			    "CAP_NET_ADMIN); the container gets lo only");
}

/* Step 3: the scratch directory - the container's tmpfs (upper layer, work
 * directory, the merged root) is mounted on it, in its own mount namespace
 * only, and goes away with it - then the cgroup and its limits (lesson 02).
 * The directory is locked while we live and made before the cgroup, whose
 * record it holds: what is not locked, a later nutshell may reclaim. 0, or
 * -1 with the error recorded (err.h), as for steps 4 and 5. */
static int
make_scratch_and_cgroup(void)
{
	if ((scratch_lock = ctr_make_scratch(cfg.id, child.tmpdir, sizeof(child.tmpdir))) == -1) {
		child.tmpdir[0] = '\0';
		return -1;
	}
	/* Its name is 40 columns of every mount line below. */
	trace_shorten(child.tmpdir, "$RUN");
	ctr_pause_point("scratch");
	ctr_stamp(CTR_T_SCRATCH);
	/* --userns: host ids, --network veth: a subnet, no other running
	 * container has (alloc.c), recorded in the scratch directory. */
	if (ctr_allocate(&cfg, child.tmpdir) == -1)
		return -1;
	ctr_stamp(CTR_T_ALLOC); /* make bench's phase "alloc" */
	ctr_pause_point("allocated");
	trace_phase("cgroup", "the container's cgroup and its limits (lesson 02)");
	if (make_cgroup() == -1 || trace_cfg.interrupted) /* Ctrl-C in --step */
		return -1;
	ctr_pause_point("cgroup");
	/* With --userns the container's root is an unprivileged host uid: it
	 * must own the directory its tmpfs goes on. */
	if (cfg.userns && !cfg.rootless && chown(child.tmpdir, cfg.outer_uid, cfg.outer_gid) == -1)
		return err_sys("%s", child.tmpdir);
	return 0;
}

/* Step 4: the container's first process, in new namespaces (lesson 01),
 * with the channels to it (channels.c) and, for --time-offset, a time
 * namespace its clocks run in (CLONE_NEWTIME applies to children only: it
 * is unshared here, its offsets written before any process is in it,
 * time_namespaces(7)). The cgroup namespace comes later, from inside, once
 * the child is in its cgroup. Returns the child's pid, or -1. */
static pid_t
start_child(struct ctr_channels *chan)
{
	unsigned long flags = CTR_CLONE_NAMESPACES | SIGCHLD;

	trace_phase("namespaces", "clone(2) into new namespaces; from outside: the id maps and "
				  "the veth; inside: hostname, network (lesson 01)");
	if (ctr_channels_open(chan, cfg.tty, cfg.userns && !cfg.rootless) == -1)
		return -1;
	if (cfg.time_set && ns_unshare(CLONE_NEWTIME) == -1)
		return -1; /* the error names the call */
	if (cfg.time_set && ns_time_offsets(cfg.time_offset) == -1)
		return -1;
	if (trace_cfg.interrupted)
		return -1;
	ctr_stamp(CTR_T_CGROUP);
	/* Standard input and output that are files of the host go in as
	 * pipes (stdio.c): the container never holds the host's inode. */
	if (ctr_stdio_prepare(&stdio, cfg.tty) == -1)
		return err_prefix("pipes for standard input and output");
	if (cfg.net != CTR_NET_HOST)
		flags |= CLONE_NEWNET;
	if (cfg.userns)
		flags |= CLONE_NEWUSER;
	child.chan = *chan;
	child.lock_fd = scratch_lock;
	/* The child moves itself into the cgroup (cheaper, lesson 02's
	 * cg_join) - unless it is in a user namespace, whose root may not
	 * write the host's cgroup files: then we move it from outside. */
	child.join = have_cgroup && !cfg.userns ? &cgroup : NULL;
	/* --init: the sealed copy, which the child executes as pid 1. */
	child.self_fd = -1;
	if (cfg.init && (child.self_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1)
		return err_sys("--init: /proc/self/exe");
	pid_t pid = ns_clone(flags, ctr_child_main, &child);
	if (pid == -1)
		return -1; /* ns_clone said why */
	ctr_stamp(CTR_T_CLONE);
	ctr_pause_point("clone");
	if (child.self_fd >= 0)
		close(child.self_fd);
	ctr_channels_parent(chan);
	ctr_stdio_parent(&stdio);
	return pid;
}

/* Step 5: from outside, then "go"; with -t, the container's terminal. */
static int
start_from_outside(pid_t pid, struct ctr_channels *chan, int *master)
{
	if (setup_from_outside(pid, chan) == -1 || trace_cfg.interrupted)
		return -1;
	if (ctr_channels_go(chan) == -1)
		return -1;
	if (cfg.tty) {
		/* If the container fails before it has a terminal, master stays
		 * -1 and the wait reports its exit. */
		*master = ctr_tty_receive(chan->tty[0]);
		if (*master >= 0) {
			ctr_tty_winsize(*master);
			/* No reason to give up: the container runs, its
			 * terminal only stays in line mode. */
			if (ctr_tty_raw() == -1) {
				err_prefix("-t: raw mode");
				err_print();
			}
		}
	}
	ctr_stamp(CTR_T_OUTSIDE);
	return 0;
}

/* <<< main */
int
main(int argc, char **argv)
{
	struct ctr_channels chan = {{-1, -1}, {-1, -1}, {-1, -1}};
	int status = CTR_EXIT_SETUP, master = -1, sigfd;
	pid_t pid;

	/* --init: pid 1 of a container, executed by its first process below
	 * (inside.c) with a command line and environment of its own. */
	if (getpid() == 1 && argc > 2 && strcmp(argv[0], "init") == 0 && strcmp(argv[1], "--") == 0)
		return ctr_init_main(argv + 2);
	/* `nutshell image ...`: the store's commands are a program of their
	 * own (image_run.c), so the archive code stays out of this binary. */
	if (ctr_image_command(argc, argv) == -1) {
		err_print();
		return CTR_EXIT_SETUP;
	}
	/* start, state, kill, delete, pause, ps, update ...: the runtime
	 * commands that put no process of ours into a container need no
	 * sealed copy, and skip its second execve (a quarter of create+start+
	 * delete, make bench's OCI path). The attack needs a process of the
	 * container to open our /proc/PID/exe; these stay on the host, with
	 * every capability, which a container's process (fewer capabilities,
	 * or another pid namespace) cannot ptrace-read (proc(5) /proc/PID/exe,
	 * ptrace(2) "Ptrace access mode checking"); runc clones its binary only
	 * for `runc init` too (libcontainer/nsenter/cloned_binary.c). */
	if (oci_is_command(argc, argv) && !oci_enters_container(argc, argv))
		return oci_main(argc, argv);
	/* 0. From here on we run from a sealed copy of our binary, so that a
	 * container whose COMMAND is /proc/self/exe runs the copy, never the
	 * host's file (CVE-2019-5736, sealed.c). Before the trace exists: a
	 * note below says it happened. */
	if (ctr_run_sealed(argv) == -1) {
		err_sys("running from a sealed copy of nutshell (memfd_create)");
		err_print();
		return CTR_EXIT_SETUP;
	}
	/* create, start, state, kill, delete ...: the OCI runtime (oci.c),
	 * with the descriptors its engine passed (--preserve-fds). */
	if (oci_is_command(argc, argv))
		return oci_main(argc, argv);
	/* And nothing of our caller's open. */
	if (std_fds_only() == -1) {
		err_print();
		return CTR_EXIT_SETUP;
	}
	/* 1. Every option checked: bad input exits 125 here, nothing made. */
	ctr_parse(&cfg, argc, argv);
	if (cfg.cleanup) {
		ctr_reclaim(1);
		return 0;
	}
	ctr_stamp(CTR_T_OPTIONS);
	child.cfg = &cfg;
	trace_note("container %s: %s", cfg.id, cfg.rootfs);
	trace_note("running from %s of %s (CVE-2019-5736)", ctr_sealed_how(), ctr_self_path());
	/* What an earlier nutshell, killed half-way, left: reclaimed now. */
	ctr_reclaim(0);

	/* 2. The seccomp filter (lesson 03), ready now so a failure costs nothing. */
	if (cfg.seccomp && make_filter() == -1) {
		err_prefix("seccomp");
		err_print();
		return CTR_EXIT_SETUP;
	}
	warn();
	/* Signals come through a signalfd from here on, so that Ctrl-C ends in
	 * cleanup() instead of leaving a cgroup behind. */
	if ((sigfd = wait_signals_to_fd()) == -1) {
		err_print();
		return CTR_EXIT_SETUP;
	}
	ctr_stamp(CTR_T_FILTER);

	/* 3. The scratch directory, and the cgroup with its limits (lesson 02). */
	if (make_scratch_and_cgroup() == -1)
		goto give_up;
	/* 4. The namespaces (lesson 01): clone(2), the channels to the child. */
	if ((pid = start_child(&chan)) == -1)
		goto give_up;
	/* 5. From outside: cgroup, id maps, idmapped layers, veth; then go. */
	if (start_from_outside(pid, &chan, &master) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto give_up;
	}
	/* 6. happens in inside.c; 7. we wait, forwarding signals. */
	status = wait_container(pid, sigfd, master);
	ctr_stamp(CTR_T_EXITED);
	goto out;
give_up:
	/* Steps 3-5 print nothing: their one line is said here (err.h) - none
	 * after a Ctrl-C in --step, which is no failure. */
	if (err_last()->msg[0] || !trace_cfg.interrupted)
		err_print();
out:
	/* 8. Whatever the path: nothing of the container stays behind - and
	 * what it wrote before a failed start is not lost. */
	ctr_stdio_finish(&stdio);
	cleanup();
	if (trace_cfg.interrupted)
		status = 128 + SIGINT;
	ctr_stamp(CTR_T_TEARDOWN);
	if (ctr_stamps && status != CTR_EXIT_SETUP)
		ctr_timings_report();
	ctr_channels_close(&chan);
	if (master >= 0)
		close(master);
	return status;
}
/* >>> main */
