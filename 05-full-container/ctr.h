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
#include <sys/capability.h>
#include <sys/types.h>

enum { CTR_EXIT_SETUP = 125, CTR_EXIT_NOEXEC = 126, CTR_EXIT_NOTFOUND = 127 };

#define CTR_MAX_ENV  128
#define CTR_MAX_VOL  32
#define CTR_MAX_CAPS 64

enum ctr_net { CTR_NET_NONE, CTR_NET_HOST, CTR_NET_VETH };

/* A --volume HOST:CONTAINER[:ro]. */
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
	char host_cidr[32], ctr_cidr[32]; /* --network veth: "10.200.0.1/24", ".2/24" */
	int userns;			  /* a user namespace: --userns, or rootless */
	int rootless;			  /* run by an ordinary user */
	uid_t outer_uid;		  /* the host uid mapped to root inside */
	gid_t outer_gid;
	unsigned long userns_count; /* ids mapped: 65536 for --userns, 1 rootless */
	int time_set;
	long long time_offset; /* --time-offset SECS: monotonic and boottime */
};

/*
 * Parses argv (nutshell [COMMON] run [OPTIONS] [--] COMMAND [ARG...]) into
 * cfg and checks every value before anything is created. Bad input: one
 * line naming the value and what was expected, then exit 125.
 */
void ctr_parse(struct ctr_config *cfg, int argc, char **argv);

/* --- the container's side (inside.c) --- */

/* What the child of clone(2) needs. */
struct ctr_child {
	const struct ctr_config *cfg;
	int go_fd;	   /* read end: the parent says "go" once we are set up from outside */
	int tty_slave;	   /* -t: the terminal the command gets as 0, 1, 2; -1 without */
	char tmpdir[256];  /* the host directory the container's tmpfs is mounted on */
	void *seccomp_ctx; /* the filter, built by the parent before clone(2) */
};

/* The child of clone(2): everything from "wait for the parent" to
 * execve(2) of COMMAND. Never returns on success; the exit status on
 * failure (125, 126, 127). */
int ctr_child_main(void *arg);

/* --- the terminal (tty.c) --- */

/* Opens a pseudo-terminal pair (posix_openpt); the slave's fd, -1 on error. */
int ctr_tty_open(int *master);

/* The caller's terminal in raw mode, restored by ctr_tty_restore() (which is
 * also registered with atexit(3)); a no-op when stdin is no terminal. */
int ctr_tty_raw(void);
void ctr_tty_restore(void);

/* Copies the caller's window size to the pty (also on SIGWINCH). */
void ctr_tty_winsize(int master);

/* One round of relaying: data ready on stdin goes to the master, data on
 * the master to stdout. Returns -1 when the master is closed (the
 * container's side is gone). */
int ctr_tty_relay(int master, int stdin_open, short in_revents, short master_revents,
		  int *stdin_eof);

#endif
