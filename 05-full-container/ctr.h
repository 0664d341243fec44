/*
 * ctr.h - the launcher's own pieces (prefix ctr_): the configuration that
 * options.c parses and checks, the steps inside the container (inside.c)
 * and the terminal relay (tty.c). nutshell.c tells the story in order and
 * calls into these and into the lessons' helpers.
 *
 * Exit status (DESIGN.md, "The launcher"): COMMAND's own status; 125 when
 * nutshell fails (bad option, bad value, setup error); 126 when COMMAND
 * cannot be executed; 127 when it is not found; 128+N when it was killed by
 * signal N - the convention of docker run and podman run.
 */
#ifndef NUTSHELL_CTR_H
#define NUTSHELL_CTR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../03-capabilities/sc.h"
#include "../04-overlay-chroot/rootfs.h"

#include <poll.h>
#include <sys/capability.h>
#include <sys/types.h>
#include <time.h>

enum { CTR_EXIT_SETUP = 125, CTR_EXIT_NOEXEC = 126, CTR_EXIT_NOTFOUND = 127 };

#define CTR_MAX_ENV  128
#define CTR_MAX_VOL  32
#define CTR_MAX_CAPS 64

/* The launcher's defaults that are not options' values, shared with
 * `nutshell spec` (oci_default.c), which writes them as a config.json. */
/* The pids limit when --pids-limit is not given: a fork bomb stops there
 * (podman's --pids-limit default, containers.conf pids_limit; crun and
 * runc set only what the config says, and Docker sets no pids limit). */
#define CTR_DEFAULT_PIDS "2048"
/* The environment's PATH when the image gives none. */
#define CTR_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* RLIMIT_NOFILE, soft and hard: the value of `runc spec`'s template
 * config.json (the runtime spec has no rlimit default): a runaway program
 * cannot pin the host's file table. */
#define CTR_NOFILE 1024
/* The namespaces clone(2) makes (nutshell.c); the network one is added
 * unless --network host, the cgroup one is unshared from inside, once the
 * child is in its cgroup (inside.c). */
#define CTR_CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)
/* /proc and /sys, as every container gets them (inside.c): the flags procfs
 * gets on every distribution (and in Docker); sysfs read-only. */
extern const struct rootfs_mount_spec ctr_proc_sys_mounts[2];

/* The container's cgroups, read-only at AT (/sys/fs/cgroup): in its cgroup
 * namespace it sees its own cgroup as the root, nothing of the host's
 * tree, and can change nothing (no release_agent, CVE-2022-0492). As
 * mounts for lesson 04's root description, into M (room for CG_MAX_HIER +
 * 2): on a host with cgroup v2 alone the v2 tree at AT itself, as runc and
 * Docker mount it; else a small tmpfs, the host's v1 hierarchies (and
 * beside pure v1 the empty v2 tree, at AT/unified) and the tmpfs made
 * read-only over them. HOW, for the runtime mode: CTR_CG_BIND, for a
 * container in the host's cgroup namespace, a bind of the calling
 * process's own cgroup directory in each hierarchy instead of a new
 * mount, which would show the host's whole tree (runc's way). How many
 * (0: no /sys/fs/cgroup). */
#define CTR_CG_BIND 1
size_t ctr_cgroup_mounts(struct rootfs_mount_spec *m, const char *at, int how);

/* --layer: overlayfs stacks up to 500; a command line needs far fewer. */
#define CTR_MAX_LAYERS 64
/* The trees of a start: the image and each --layer. */
#define CTR_MAX_TREES (CTR_MAX_LAYERS + 1)

enum ctr_net { CTR_NET_NONE, CTR_NET_HOST, CTR_NET_VETH };

/* A --volume HOST:CONTAINER[:ro]. */
/* The default profile's seccomp filters (lesson 03's sc_default_profile)
 * for the usual capability sets, made at build time by mkfilter.c into
 * build/gen/filters.c: building one costs libseccomp milliseconds a start.
 * Linked by the launcher and the tests. */
extern const struct sc_bpf sc_default_bpf[];
extern const size_t sc_default_bpf_count;

struct ctr_volume {
	char host[4096]; /* canonical (realpath), checked to exist */
	char inside[4096];
	int read_only;
};

struct ctr_config {
	char *const *argv; /* COMMAND ARG... */
	char rootfs[4096]; /* the image: the overlay's lower layer, canonical */
	char id[16];	   /* 12 hex digits, random */
	char hostname[65];
	const char *env[CTR_MAX_ENV]; /* KEY=VALUE, the container's whole environment */
	size_t nenv;
	const char *workdir;
	int user_set;
	uid_t uid;
	gid_t gid;
	/* --user USER[:GROUP] as given, and its names ("" for a number):
	 * looked up inside, in the image's /etc/passwd and /etc/group (user.c). */
	const char *user_spec;
	char user_name[33], group_name[33];
	int gid_set; /* GROUP given */
	struct ctr_volume vol[CTR_MAX_VOL];
	size_t nvol;
	int read_only, tty, init;
	/* cgroup settings, in the v2 vocabulary of cgroup.h, "" when not set. */
	char memory[32], memory_swap[32], pids[32], cpus[32], cpu_weight[32];
	int memory_swap_default; /* swap not asked for: 0 when the host can limit it */
	/* Capabilities the container keeps (after --cap-add/--cap-drop). */
	cap_value_t caps[CTR_MAX_CAPS];
	size_t ncaps;
	int seccomp; /* 1: the default profile; 0: --security-opt seccomp=unconfined */
	enum ctr_net net;
	/* --network veth: "10.200.N.1/24", ".2/24"; "" until --subnet or
	 * ctr_allocate() fills them. */
	char host_cidr[32], ctr_cidr[32];
	int userns;	 /* a user namespace: --userns, or rootless */
	int rootless;	 /* run by an ordinary user */
	uid_t outer_uid; /* the host uid mapped to root inside */
	gid_t outer_gid;
	unsigned long userns_count; /* ids mapped: 65536 for --userns, 1 rootless */
	int userns_force;	    /* --userns-force: map ids others own anyway */
	/* --storage-size: the bytes the container's root may take (the size=
	 * of the tmpfs its upper layer is on). */
	unsigned long long storage_size;
	/* --uidmap/--gidmap: uid_map/gid_map text ("0 100000 65536\n..."),
	 * checked by ns_idmap_parse(); "" for the default above. */
	char uidmap[512], gidmap[512];
	int time_set;
	long long time_offset; /* --time-offset SECS: monotonic and boottime */
	/* --layer DIR...: read-only layers over rootfs, in the order given.
	 * Their paths live in layer_text: overlayfs takes all of them in one
	 * mount option string of at most a page anyway. */
	const char *layers[CTR_MAX_LAYERS];
	size_t nlayers, layer_used;
	char layer_text[4096];
	/* --image from a rootless store: its opaque directories are marked
	 * user.overlay.opaque (store_import.c), read with ",userxattr". */
	int userxattr;
	int cleanup; /* `nutshell cleanup` rather than run */
};

/*
 * Parses argv (nutshell [COMMON] run [OPTIONS] [--] COMMAND [ARG...]) into
 * cfg and checks every value before anything is created. Bad input: one
 * line naming the value and what was expected, then exit 125.
 */
void ctr_parse(struct ctr_config *cfg, int argc, char **argv);

/* The id options (options_ids.c); each -1 with the error record naming the
 * value and what was expected. --user USER[:GROUP]; one --uidmap or
 * --gidmap range added to MAP (cfg->uidmap or cfg->gidmap) and the whole
 * map checked; the maps given map root; their host ids are no user's
 * subordinate ids (/etc/subuid, /etc/subgid). */
int ctr_parse_user(struct ctr_config *cfg, const char *arg);
int ctr_add_idmap(struct ctr_config *cfg, char *map, size_t size, const char *opt, const char *arg);
int ctr_check_idmaps(const struct ctr_config *cfg);
int ctr_check_subids(const struct ctr_config *cfg);
/* The host id that MAP (uid_map text) gives to id 0 inside, or -1. */
long long ctr_idmap_root(const char *map);

/* --- the container's side (inside.c) --- */

/* What the child of clone(2) needs. */
/*
 * The channels between nutshell and the container's first process
 * (channels.c), made before clone(2); [0] is the parent's end of a socket
 * pair and the read end of the pipe, [1] the child's and the write end; -1
 * when not made or closed.
 */
struct ctr_channels {
	int go[2];    /* the parent writes "g" when the child may go on; EOF: give up */
	int tty[2];   /* -t: the child sends its pty's master over it */
	int idmap[2]; /* --userns as root: the parent sends the idmapped layers */
};

/* Makes the go pipe, and the tty and idmap socket pairs when asked. -1 with
 * the error record set, nothing left open. */
int ctr_channels_open(struct ctr_channels *c, int tty, int idmap);
/* The parent, after clone(2): closes the child's ends. */
void ctr_channels_parent(struct ctr_channels *c);
/* The parent: "go", then its end of the pipe closed. */
int ctr_channels_go(struct ctr_channels *c);
/* The child: closes the parent's ends, then waits for "go"; -1 when the
 * parent failed or died (it reports; the child says nothing). */
int ctr_channels_wait_go(struct ctr_channels *c);
/* Closes every end still open. */
void ctr_channels_close(struct ctr_channels *c);

struct ctr_child {
	const struct ctr_config *cfg;
	struct ctr_channels chan; /* the child's ends: chan.go[0], chan.tty[1], chan.idmap[1] */
	int lock_fd;		  /* the scratch directory's lock: a host directory, closed too */
	struct cg *join; /* the cgroup to move itself into (cg_join); NULL: the parent does */
	/* The idmapped layers received (idmap.c): the image, then each
	 * --layer in the order given; none: the host's directories. */
	int tree_fd[CTR_MAX_TREES];
	size_t ntrees;
	char tmpdir[256]; /* the host directory the container's tmpfs is mounted on */
	/* The filter, made by the parent before clone(2); len 0: none. */
	struct sc_bpf seccomp;
	int self_fd;		       /* --init: the sealed copy of nutshell, executed as pid 1 */
	const struct ctr_stdio *stdio; /* fds 0-2 relayed through pipes */
};

/* The child of clone(2): everything from "wait for the parent" to
 * execve(2) of COMMAND. Never returns on success; the exit status on
 * failure (125, 126, 127). */
int ctr_child_main(void *arg);

/* Closes every descriptor above 2 (cloexec: marks them close-on-exec
 * instead): close_range(2), or, where the kernel has none, each one
 * /proc/self/fd lists. 0, or -1 when neither works. */
int ctr_close_fds(int cloexec);

/* --- running from a sealed copy of ourselves (sealed.c, CVE-2019-5736) --- */

/* Unless this process already runs from a sealed memfd copy of nutshell,
 * makes one and executes it with the same argv and environment: never
 * returns then. 0 when it does run from the copy; -1 with errno set. */
int ctr_run_sealed(char **argv);

/* What this process runs from: "a sealed memfd copy" or "a read-only
 * overlayfs view" (sealed.c). */
const char *ctr_sealed_how(void);

/* The host path of the binary the sealed copy was made from; "" when not
 * known (a copy executed some other way). */
const char *ctr_self_path(void);

/* NUTSHELL_TIMINGS: when the first main() began (CLOCK_REALTIME, ns), carried
 * across the execve of the copy; 0 when not known. */
long long ctr_sealed_at(void);

/* --init, as pid 1 of the container: argv is "init", "--", COMMAND, ARG...;
 * executed from the sealed copy with the container's environment, so that
 * none of the launcher (its command line, environment, memory) is pid 1's.
 * Forks COMMAND, reaps orphans, passes signals on; returns COMMAND's exit
 * status (128+N for signal N), or 125. */
int ctr_init_main(char **argv);

/* --- standard input and output (stdio.c) --- */

/* Which of fds 0-2 nutshell relays through a pipe, and the two ends. */
struct ctr_stdio {
	int inner[3]; /* the container's end (becomes its fd 0, 1, 2); -1: passed as is */
	int outer[3]; /* ours: the write end for 0, the read end for 1 and 2; -1 */
	int same_12;  /* 1 and 2 are one open file: one pipe serves both */
	int use_splice[3];
	/* Relaying: what was read and not yet written, per fd. */
	char *buf[3];
	size_t off[3], len[3];
	int eof[3], broken[3]; /* broken: our file refused a write */
};

/* Before clone(2): decides, for each of fds 0-2 that is not a terminal
 * (-t: none at all, the pty replaces them), whether the container may have
 * it as is (a pipe or a socket) or gets a pipe that we relay, and makes
 * those pipes. 0, or -1 with the error recorded (err.h). */
int ctr_stdio_prepare(struct ctr_stdio *s, int tty);

/* In the container's first process: its ends onto 0-2, ours closed. */
int ctr_stdio_child(const struct ctr_stdio *s);

/* In nutshell after clone(2): closes the container's ends. */
void ctr_stdio_parent(struct ctr_stdio *s);

/* The poll(2) entries the relay wants now, into p (at most 3): how many. */
int ctr_stdio_poll(const struct ctr_stdio *s, struct pollfd *p);

/* Moves what is ready for the entries ctr_stdio_poll() made. */
void ctr_stdio_pump(struct ctr_stdio *s, const struct pollfd *p, int n);

/* After the container's pid 1 is gone: stdin closed, and whatever the
 * container wrote copied out, to end of file. */
void ctr_stdio_finish(struct ctr_stdio *s);

/* --- the user (user.c) --- */

#define CTR_MAX_GROUPS 256

struct ctr_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[CTR_MAX_GROUPS]; /* for setgroups(2), never empty */
	size_t ngroups;
	char name[33];	 /* "" when the uid has no entry */
	char home[4096]; /* HOME unless --env sets it */
};

/* The user of cfg (--user, or root) as the files PASSWD and GROUP say,
 * docker's rules (user.c). 0, or -1 with the error record set. */
int ctr_user_lookup(const struct ctr_config *cfg, const char *passwd, const char *group,
		    struct ctr_user *u);

/* --- --userns: idmapped layers (idmap.c) --- */

/* In nutshell, once the id maps of PID are written: an idmapped copy of the
 * image and of each --layer (rootfs_idmapped_tree), sent to the container
 * over SOCK; or, rootless or where the kernel or filesystem refuses, one
 * line saying the files will appear owned by nobody, and none sent. 0, or
 * -1 with the error recorded (err.h). No mount or descriptor stays here. */
int ctr_idmap_send(const struct ctr_config *cfg, pid_t pid, int sock);

/* In the container: the descriptors sent over SOCK into fds (at most max,
 * close-on-exec); how many (0: stand on the host's directories), or -1. */
int ctr_idmap_receive(int sock, int *fds, size_t max);

/* --- what running containers must not share (alloc.c) --- */

/* nutshell's own host id range for --userns: CTR_USERNS_SLOTS ranges of
 * 65536 ids from CTR_USERNS_BASE (in systemd's range for container ids,
 * UIDS-GIDS.md), each given to one running container. */
#define CTR_USERNS_BASE	 1610612736UL /* 0x60000000 */
#define CTR_USERNS_SLOTS 256

/* Where ID's host ids FIRST..FIRST+COUNT-1 overlap an entry of FILE
 * (/etc/subuid, /etc/subgid) that is not root's: 1 and the entry
 * ("name:first:count") in who; 0 when none (or no FILE). */
int ctr_subid_owned(const char *file, unsigned long first, unsigned long count, char *who,
		    size_t size);

/* For a container about to start (its scratch directory made and locked):
 * --userns without --uidmap gets a range of nutshell's own that no
 * /etc/subuid or /etc/subgid entry owns and no running container uses;
 * --network veth without --subnet the first 10.200.N.0/24 (N 0..255) that
 * no running container and no host address uses. An explicit --uidmap,
 * --gidmap or --subnet another running container uses is refused (the
 * maps: unless --userns-force). What it took is recorded in the scratch
 * directory, under flock(2) on the directory the scratch directories are
 * in, so the next start sees it; it is freed with the directory (also by
 * ctr_reclaim). 0, or -1 with the error recorded (err.h). */
int ctr_allocate(struct ctr_config *cfg, const char *scratch);

/* Does the record in SCRATCH give the container host uid UID (the owner
 * of a --userns container's scratch directory)? 1 or 0. */
int ctr_alloc_owned_by(const char *scratch, uid_t uid);

/* The host end of container ID's veth pair: "nsh" and 8 of its digits. */
void ctr_veth_name(const char *id, char name[16]);

/* Frees what SCRATCH's record holds: its veth pair deleted at once (see
 * alloc.c), then the record removed. */
void ctr_alloc_release(const char *scratch);

/* --- what a killed nutshell leaves (reclaim.c) --- */

/* Makes the scratch directory /dev/shm/nutshell-run-ID.XXXXXX (/tmp where
 * there is no /dev/shm) into out, and
 * holds flock(2) on it while this nutshell lives: the mark of a live
 * container. The locked fd, or -1 with the error recorded (err.h). */
int ctr_make_scratch(const char *id, char *out, size_t size);

/* Writes the cgroup's directories (and, v2, what it enables in each parent)
 * into the scratch directory, so whoever reclaims them knows where they are:
 * first the plan (cg_plan), before anything is made, then what cg_make()
 * did, replacing it. ctr_unrecord() removes that file before the directory
 * is removed. 0, or -1 with the error recorded (err.h). */
struct cg;
int ctr_record_cgroups(const char *scratch, const struct cg *cg);

/* A record NAME in the scratch directory: written to NAME.new (begin,
 * then fprintf), and renamed over NAME by commit, which closes it; 0, or
 * -1 with NAME.new removed. */
FILE *ctr_record_begin(const char *scratch, const char *name);
int ctr_record_commit(FILE *f, const char *scratch, const char *name);
void ctr_unrecord(const char *scratch);

/* Removes the cgroups and scratch directories of nutshells that are gone
 * (named nutshell-ID / nutshell-run-ID.*, not locked). report: one line per
 * thing removed on stdout (`nutshell cleanup`); else only trace notes.
 * Returns how many were removed. */
int ctr_reclaim(int report);

/* NUTSHELL_TEST_PAUSE=STAGE: at STAGE, one line on stderr, then stop
 * (SIGSTOP; pid 1 of the container waits in pause(2)) so that a test can
 * SIGKILL nutshell there. Stages: scratch allocated cgroup-planned cgroup-made
 * cgroup clone mounts; `nutshell create`'s oci-cgroup-planned oci-cgroup-made
 * oci-cloned oci-ready (init set up, no state.json yet). */
void ctr_pause_point(const char *stage);

/* --- the terminal (tty.c) --- */

/* In the container, after its /dev is mounted: opens a pty of the
 * container's own devpts, sends the master to nutshell over SOCK
 * (SCM_RIGHTS), and returns the slave, or -1. */
int ctr_tty_open_inside(int sock);

/* In nutshell: the master the container sent over SOCK, or -1 (the
 * container ended before it had one). */
int ctr_tty_receive(int sock);

/* The caller's terminal in raw mode, restored by ctr_tty_restore() (which is
 * also registered with atexit(3)); a no-op when stdin is no terminal. 0, or
 * -1 with the error recorded (err.h). */
int ctr_tty_raw(void);
void ctr_tty_restore(void);

/* Writes all of buf to fd, waiting when the other side is slow (EAGAIN);
 * 0, or -1 when fd takes no more. */
int ctr_write_all(int fd, const char *buf, size_t len);

/* Copies the caller's window size to the pty (also on SIGWINCH). */
void ctr_tty_winsize(int master);

/* One round of relaying: data ready on stdin goes to the master, data on
 * the master to stdout. Returns -1 when the master is closed (the
 * container's side is gone). */
int ctr_tty_relay(int master, int stdin_open, short in_revents, short master_revents,
		  int *stdin_eof);

/* --- where a start's time goes (NUTSHELL_TIMINGS=1) --- */

/* The moments the launcher stamps, in the order of a start; a phase is the
 * time from the previous stamp to its own. The child's stamps (CTR_T_NS to
 * CTR_T_EXEC) land in a page it shares with the parent. */
enum ctr_stamp {
	CTR_T_START,	    /* the first main(), before the sealed copy (sealed.c) */
	CTR_T_MAIN,	    /* main() of the copy: it is made, loaded and linked */
	CTR_T_OPTIONS,	    /* options parsed and checked */
	CTR_T_FILTER,	    /* the seccomp filter ready */
	CTR_T_SCRATCH,	    /* the scratch directory made and locked */
	CTR_T_ALLOC,	    /* --userns ids, --network veth subnet (alloc.c) */
	CTR_T_CGROUP_MAKE,  /* cgroup planned, recorded, made */
	CTR_T_DEVICES,	    /* device allow-list: v1 files or v2 program (issue 23) */
	CTR_T_CGROUP,	    /* limits set, channels to the child */
	CTR_T_CLONE,	    /* clone(2) returned in the parent */
	CTR_T_OUTSIDE,	    /* cgroup attach, id maps, veth; "go" written */
	CTR_T_NS,	    /* child: cgroup namespace, hostname, network */
	CTR_T_MOUNTS,	    /* child: overlay, /proc /sys /dev, masks */
	CTR_T_PIVOT,	    /* child: pivot_root, old root detached */
	CTR_T_PROCESS,	    /* child: rlimit, workdir, environment, fds */
	CTR_T_PRIVILEGES,   /* child: user, capabilities, no_new_privs */
	CTR_T_SECCOMP_LOAD, /* child: the filter loaded; execve(2) next */
	CTR_T_EXITED,	    /* parent: wait4(2) returned - COMMAND ran and exited */
	CTR_T_TEARDOWN,	    /* parent: cgroup and scratch directory removed */
	CTR_T_COUNT
};

/* NULL unless NUTSHELL_TIMINGS is set: then CTR_T_COUNT stamps in ns. */
extern volatile long long *ctr_stamps;

/* timings.c: with NUTSHELL_TIMINGS set, the shared page of stamps (made
 * before clone(2)), START and MAIN stamped; after teardown, each phase on
 * stderr and as facts "timing_PHASE_us", and the launcher's peak memory. */
void ctr_timings_start(void);
void ctr_timings_report(void);

/* Stamps moment s. CLOCK_REALTIME: a time namespace offsets the monotonic
 * clocks of the child (time_namespaces(7)), not this one. */
static inline void
ctr_stamp(enum ctr_stamp s)
{
	struct timespec t;

	if (ctr_stamps && clock_gettime(CLOCK_REALTIME, &t) == 0)
		ctr_stamps[s] = t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* --- the image store (image_run.c; 04-overlay-chroot/store.h) --- */

/* `nutshell [COMMON] image ...`: executes nutshell-image (beside this
 * binary) without the word "image"; returns 0 when argv is not an image
 * command, -1 (error record set) when it could not be executed. */
int ctr_image_command(int argc, char **argv);

/* --image NAME: the stored image's layers as rootfs and the lowest
 * --layers, its config's Entrypoint/Cmd (CMD, ncmd words, replaces Cmd),
 * Env (under --env), WorkingDir and User (unless --workdir, --user) into
 * cfg; *user the USER[:GROUP] to parse, or NULL. 0, or -1 with the error
 * record set. */
int ctr_image_use(struct ctr_config *cfg, const char *name, char **cmd, int ncmd,
		  const char **user);

#endif
