/*
 * oci.h - nutshell as an OCI runtime (prefix oci_): the command line that
 * podman (through conmon), containerd (through its shim) and docker speak
 * to runc, and the container those commands make from a bundle's
 * config.json (runtime-spec, config.md and runtime.md).
 *
 *	nutshell [--root DIR] [--log FILE] [--log-format text|json] COMMAND
 *	  create --bundle DIR [--pid-file FILE] ID    init set up, blocked
 *	  start ID                                    init runs the process
 *	  state ID                                    the state JSON
 *	  kill [--all] ID [SIGNAL]                    TERM by default
 *	  delete [--force] ID                         everything of ID gone
 *	  features                                    what nutshell implements
 *	  spec [--bundle DIR] [--rootless]            a default config.json
 *	  exec, pause, resume, ps, update             (oci_exec.c, oci_control.c)
 *
 * The files (oci.c the command line, oci_state.c the state directory,
 * oci_spec.c config.json, oci_default.c the one `spec` writes, oci_create.c
 * the init process, oci_mount.c its mounts, oci_seccomp.c its filter) use the lessons' helpers: namespaces
 * (01), cgroups (02), capabilities and seccomp (03), mounts and pivot_root
 * (04). Runtime commands exit 1 on error with one line (runc's convention).
 */
#ifndef NUTSHELL_OCI_H
#define NUTSHELL_OCI_H

#include <stdint.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <jansson.h>
#include "../02-cgroups/cgroup.h"
#include "../03-capabilities/sc.h"
#include "../04-overlay-chroot/rootfs.h"

/* argv[1..] names one of the runtime's commands (after global options):
 * 1, else 0 (then it is `nutshell run` or `cleanup`). */
int oci_is_command(int argc, char **argv);

/* The command puts a process of ours into a container (create's init,
 * exec's process): 1, and then it must run from the sealed copy; else 0. */
int oci_enters_container(int argc, char **argv);

/* The runtime's main: parses the global options and runs the command;
 * the exit status (0, or 1 after one line). */
int oci_main(int argc, char **argv);

/* ---- the state directory (oci_state.c) ---- */

/* What the runtime keeps of a container in ROOT/ID/state.json. */
struct oci_state {
	char id[256];
	char dir[4096];		       /* ROOT/ID */
	char bundle[4096];	       /* absolute */
	char rootfs[4096];	       /* root.path, absolute (runc's state shows it) */
	pid_t pid;		       /* the init process on the host, 0 before it exists */
	unsigned long long start_time; /* its field 22 of /proc/PID/stat */
	char created[40];	       /* RFC 3339 */
	json_t *annotations;	       /* object, owned */
};

/* ROOT/ID in out after checking ID (runc's rule: [\w+-\.]+, not . or
 * ..); -1 with the record set. */
int oci_state_path(const char *root, const char *id, char *out, size_t size);

/* Writes s as ROOT/ID/state.json (mode 0600, atomically). */
int oci_state_save(const struct oci_state *s);

/* Reads ROOT/ID/state.json into s; -1 with "container ID does not exist"
 * (the words podman and containerd match) when there is none. */
int oci_state_load(const char *root, const char *id, struct oci_state *s);

/* "created", "running" or "stopped": from the pid, its start time and the
 * exec fifo (runc's rule, OCI.md). */
const char *oci_status(const struct oci_state *s);

/* The state JSON of runtime-spec runtime.md (plus runc's rootfs, created),
 * as a new string to free. */
char *oci_state_json(const struct oci_state *s, const char *status);

/* The host pid's start time (field 22 of /proc/PID/stat), 0 when gone. */
unsigned long long oci_start_time(pid_t pid);

/* Writes PID to PATH atomically: PATH.tmp then rename (runc utils_linux.go). */
int oci_write_pid_file(const char *path, pid_t pid);

/* Kills what is left in the cgroups recorded in DIR and removes them. */
int oci_cgroup_remove(const char *dir);

/* ---- config.json (oci_spec.c) ---- */

#define OCI_MAX_MOUNTS	64
#define OCI_MAX_RLIMITS 16
#define OCI_MAX_PATHS	64
#define OCI_MAX_GROUPS	64
#define OCI_MAX_DEVICES 32

struct oci_mount {
	const char *dest, *type, *source;
	unsigned long flags;	   /* MS_* of its options */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... with MS_REC; 0 */
	int bind;		   /* bind or rbind (MS_REC in flags for rbind) */
	char data[512];		   /* the options mount(2) passes on (size=65536k) */
};

struct oci_rlimit {
	int resource;
	struct rlimit lim;
	const char *name;
};

struct oci_spec {
	json_t *json; /* config.json: every const char * below points into it */
	char bundle[4096];
	char rootfs[4096]; /* absolute, canonical */
	int readonly;
	/* process */
	const char **args;
	size_t nargs;
	const char **env;
	size_t nenv;
	const char *cwd;
	int terminal;
	uid_t uid;
	gid_t gid;
	gid_t groups[OCI_MAX_GROUPS];
	size_t ngroups;
	cap_value_t caps[CAP_LAST_CAP + 1]; /* bounding: what the process may keep */
	size_t ncaps;
	cap_value_t ambient[CAP_LAST_CAP + 1];
	size_t nambient;
	struct oci_rlimit rlimits[OCI_MAX_RLIMITS];
	size_t nrlimits;
	int no_new_privs;
	int oom_score_adj_set, oom_score_adj;
	/* linux */
	const char *hostname;
	unsigned long ns_flags; /* CLONE_NEW* to make */
	const char *ns_path[8]; /* to join instead (setns), by ns_index() */
	int ns_type[8];		/* CLONE_NEW* of each path */
	size_t nns_path;
	struct oci_mount mounts[OCI_MAX_MOUNTS];
	size_t nmounts;
	const char *masked[OCI_MAX_PATHS + 1], *readonly_paths[OCI_MAX_PATHS + 1];
	const char *cgroups_path;
	char cgroup_path[1024]; /* where the cgroup goes (oci_cgroup_resolve) */
	/* resources, in lesson 02's v2 vocabulary, "" when not given */
	char memory[32], memory_swap[32], pids[32], cpu_max[48], cpu_weight[32];
	/* linux.devices, made in /dev; linux.resources.devices' allow rules,
	 * after lesson 02's default list (cg_dev_default), ended by a rule
	 * whose access is NULL; dev_rules_set when config.json gave rules */
	struct rootfs_dev_node devices[OCI_MAX_DEVICES];
	size_t ndevices;
	struct cg_dev_rule dev_rules[OCI_MAX_DEVICES + 16];
	char dev_access[OCI_MAX_DEVICES + 16][4]; /* each rule's access, to narrow */
	int dev_rules_set;
	json_t *seccomp; /* linux.seccomp, or NULL */
	json_t *sysctl;	 /* linux.sysctl, or NULL */
	json_t *annotations;
	json_t *process_json; /* exec --process FILE, owned; NULL */
};

/* linux.namespaces' type words and their CLONE_NEW* flags. */
struct oci_ns_kind {
	const char *type;
	int flag;
};
extern const struct oci_ns_kind oci_ns_kinds[8];

/* `nutshell spec` (oci_default.c): the default config.json, with the
 * launcher's defaults (ctr.h, lessons 03 and 04); ROOTLESS as `runc spec
 * --rootless` changes it. A new object, or NULL with the record set. */
json_t *oci_default_spec(int rootless);

/* `nutshell spec`: that spec into BUNDLE/config.json, 0644, never over an
 * existing one. 0, or -1 with the record set. */
int oci_default_spec_write(const char *bundle, int rootless);

/* Profile P, for a process keeping CAPS (N of them), as linux.seccomp
 * (oci_default_seccomp.c): the launcher's answers, in config.json's form.
 * NULL with the record set. */
json_t *oci_default_seccomp(const struct sc_profile *p, const cap_value_t *caps, size_t n);

/* linux.resources R into spec's resource fields (memory, memory_swap,
 * pids, cpu_max, cpu_weight); also update --resources. 0, or -1. */
int oci_resources_parse(json_t *r, struct oci_spec *spec);

/* Reads BUNDLE/config.json into spec and checks every field nutshell
 * implements; refuses, naming the field, what it does not. 0, or -1 with
 * the record set. */
int oci_spec_load(const char *bundle, struct oci_spec *spec);
void oci_spec_free(struct oci_spec *spec);

/* ---- the container (oci_create.c, oci_mount.c, oci_seccomp.c) ---- */

struct oci_create {
	const char *root, *id, *pid_file, *console_socket;
	int preserve_fds;
};

/* `create`: the state directory, the cgroup, the init process set up and
 * blocked on the exec fifo; then returns, leaving no nutshell process but
 * init. 0, or -1 with the record set and nothing left behind. */
int oci_create(const struct oci_create *c, struct oci_spec *spec, struct oci_state *st);

/* ---- run: create and start in the foreground (oci_run.c) ---- */

/* run's own console socket, when process.terminal is true and the caller
 * gave none: a listening socket in a directory of its own. */
struct oci_run_console {
	char dir[64], path[80];
	int fd;
};
/* Makes it (0, or -1 with the record set and nothing left). */
int oci_run_console(struct oci_run_console *rc);
/* Removes its socket file and directory (once create has connected). */
void oci_run_console_remove(struct oci_run_console *rc);
/* Waits for the started container's init, our child: signals from SIGFD
 * passed on, the terminal from CONSOLE (-1: none) relayed. Its exit status
 * (128+N: killed by signal N), or -1 with the record set. */
int oci_run_wait(const struct oci_state *st, int sigfd, int console);

/* Shared by create's init and exec's process (oci_create.c):
 * the PATH lookup of process.args[0] in the container's root, before
 * blocking, with runc's words ("executable file not found in $PATH",
 * "permission denied") that engines turn into 127 and 126; */
int oci_find_command(const struct oci_spec *spec, char *out, size_t size);
/* process.user and capabilities (and no_new_privs), in that order; */
int oci_set_user_and_caps(const struct oci_spec *spec);
/* --console-socket connected (-2 when there is no terminal, -1 with the
 * record set when terminal and socket do not go together); */
int oci_connect_console(const char *console_socket, int terminal);
/* a pty of the container's devpts, its master sent over SOCK, the slave
 * onto 0-2 as the controlling terminal; */
int oci_set_terminal(int sock);
/* process.rlimits, each with setrlimit(2); */
int oci_set_rlimits(const struct oci_spec *spec);
/* the error record's message, as the one line the parent reads, to FD. */
void oci_report_failure(int fd);

/* `exec`: what it is given (--process FILE or the command after ID). */
struct oci_exec {
	const char *root, *process, *pid_file, *console_socket;
	int detach, preserve_fds;
	char **argv; /* the short form's COMMAND [ARG...], when no --process */
};

/* A process entering the running container of ST (oci_exec.c): its
 * namespaces (setns), its cgroup, its seccomp filter, and process.json's
 * user, capabilities, rlimits, cwd, env and terminal. With detach, 0 once
 * it is executing (its parent is then the engine's subreaper); without,
 * its exit status once it ends. -1 with the record set. */
int oci_exec(const struct oci_exec *e, struct oci_spec *spec, const struct oci_state *st);

/* Replaces spec's process with the one in PATH (exec --process: the
 * runtime-spec "process" object). 0, or -1 with the record set. */
int oci_process_load(const char *path, struct oci_spec *spec);

/* config.json's hooks (oci_hooks.c): checked at create (prestart,
 * createRuntime, poststart, poststop; the kinds that run inside the
 * container are refused); */
int oci_hooks_check(json_t *hooks);
/* and run: those of KIND in the bundle's config.json, each with ST's state
 * JSON (STATUS) on its standard input. 0, or -1 at the first that failed. */
int oci_hooks_run(const struct oci_state *st, const char *kind, const char *status);

/* In the init process, in its new mount namespace: spec's root and
 * mounts, pivot_root. 0, or -1 (record set). */
int oci_setup_root(const struct oci_spec *spec);

/* Then, inside the root and after linux.sysctl is written: read-only and
 * masked paths, root.readonly. 0, or -1 (record set). */
int oci_protect_root(const struct oci_spec *spec);

/* config.json's comparison operators: "SCMP_CMP_NE" ... "SCMP_CMP_MASKED_EQ". */
#define OCI_SECCOMP_N_OPS 7
extern const struct oci_seccomp_op {
	const char *name;
	enum scmp_compare op;
} oci_seccomp_ops[OCI_SECCOMP_N_OPS];

/* linux.seccomp compiled with libseccomp into out; 0 with out->len 0 when
 * there is none. -1 with the record set. */
int oci_seccomp_build(json_t *seccomp, struct sc_bpf *out);

/* ---- where the cgroup goes (oci_cgroup.c) ---- */

/* linux.cgroupsPath of container ID as the path to make into out:
 * absolute ("/docker/ID": from each hierarchy's root), relative (beneath
 * nutshell's own cgroup), "" as "/ID"; with SYSTEMD (--systemd-cgroup)
 * "slice:prefix:name" as the cgroupfs path systemd would give it
 * ("/slice.slice/prefix-name.scope"). 0; 1 when a systemd path was mapped
 * (the caller warns: nutshell has no D-Bus client); -1 with the record set. */
int oci_cgroup_resolve(const char *cgroups_path, const char *id, int systemd, char *out,
		       size_t size);

struct cg;
struct cg_layout;

/* Plans, records (in DIR) and makes the cgroup PATH (oci_cgroup_resolve's)
 * in each hierarchy of L holding one of WANTED, with the parents it needs
 * (recorded in DIR/cgroup.path). 0, or -1 with the record set. */
int oci_cgroup_make(const char *path, const char *dir, struct cg *cg, const struct cg_layout *l,
		    const char *const wanted[]);

/* The name of the cgroup recorded in DIR, into out ("oci-ID" when none). */
int oci_cgroup_leaf(const char *dir, char *out, size_t size);

/* Removes the parents oci_cgroup_make() made that are empty now, and the
 * record DIR/cgroup.path. */
void oci_cgroup_remove_parents(const char *dir);

/* ---- through the container's cgroup (oci_control.c) ---- */

/* The cgroup create recorded in DIR (ROOT/ID/cgroups) into cg; with
 * CONTROLLERS, L also says which controllers each v1 hierarchy holds (from
 * the host's layout now), as cg_set() and cg_stat() need. The number of
 * directories, or -1 with the record set. */
int oci_cgroup_load(const char *dir, struct cg *cg, struct cg_layout *l, int controllers);

/* Is the cgroup recorded in DIR frozen? 1 or 0 (no cgroup: 0). */
int oci_frozen(const char *dir);

/* The cgroup recorded in DIR frozen (ON 1) or thawed (0), whatever the
 * container's status: a paused container's init, once killed, is thawed
 * (v2 lets it die frozen and it is "stopped" then; v1 does not). */
int oci_freeze(const char *dir, int on);

/* kill [--all] ID [SIGNAL]: SIG_TEXT a number or a name (TERM when NULL)
 * to init, with ALL to every process of its cgroup first. 0, or -1. */
int oci_kill(const struct oci_state *st, const char *sig_text, int all);

/* pause (ON 1) or resume (0): lesson 02's freezer. 0, or -1. */
int oci_pause(const struct oci_state *st, int on);

/* ps: the pids of the container's cgroup, as a JSON array (JSON) or as
 * ps(1)'s rows (ARGV: its options, default -ef). 0, or -1. */
int oci_ps(const struct oci_state *st, int json, char **argv, int argc);

/* Writes spec's resource fields ("" = unchanged) into CG. 0, or -1. */
int oci_cgroup_limits(struct cg *cg, const struct oci_spec *spec);

/* update: RESOURCES' fields into the container's cgroup. 0, or -1. */
int oci_update(const struct oci_state *st, const struct oci_spec *resources);

/* A runtime command's own option (oci.c parse_opts): NAME or ALIAS, with a
 * value if VALUED; VALUE is what was given ("1" for a flag), or NULL. */
struct oci_opt {
	const char *name, *alias;
	int valued;
	const char *value;
};

/* update: linux.resources from --resources FILE (- for stdin), then
 * runc's flags --memory, --memory-swap, --pids-limit, --cpu-share,
 * --cpu-quota, --cpu-period: OPTS in that order. 0, or -1. */
int oci_update_opts(const struct oci_state *st, const struct oci_opt *opts);

#endif
