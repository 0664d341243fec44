/*
 * cgroup.h - control group helpers of lesson 02, linked by its programs and
 * by the launcher (05-full-container).
 *
 * One vocabulary on every host: the file names of cgroup v2 (memory.max,
 * memory.high, memory.swap.max, pids.max, cpu.max, cpu.weight, io.max,
 * cgroup.freeze). Where a controller lives in a cgroup v1 hierarchy (pure
 * v1 hosts, and "hybrid" hosts such as WSL2 that mount v1 controllers next
 * to a cgroup2 tree) the helpers write the v1 files instead
 * (memory.limit_in_bytes, cpu.cfs_quota_us, cpu.shares, freezer.state ...).
 *
 * New cgroups are only ever made beneath the caller's own cgroup, found in
 * /proc/self/cgroup: in each v1 hierarchy that holds a controller the
 * program asked for, or once in the v2 tree. Every mkdir, rmdir, and every
 * openat/write of a cgroup file goes through TRACE() under the name strace
 * shows. Helpers return -1 with errno set and, where a one-line reason
 * helps (every function below that says so), that reason in the error
 * record of common/err.h, for the caller to print once with err_print();
 * they never print and never exit (DESIGN.md, "Error handling").
 *
 * The files: cgroup_value.c checks values and names their v1 equivalents
 * (pure), cgroup_layout.c finds the host's hierarchies, cgroup.c makes,
 * sets, kills and removes a cgroup, cgroup_stat.c reads its files and
 * counters, cgroup_record.c writes down what was made and reads it back,
 * cgroup_devices.c holds the device allow-list.
 *
 * Read: cgroups(7), Documentation/admin-guide/cgroup-v2.rst and
 * Documentation/admin-guide/cgroup-v1/ in the kernel sources.
 */
#ifndef NUTSHELL_CGROUP_H
#define NUTSHELL_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CG_PATH	    1024
#define CG_MAX_HIER 16

/* "max": no limit. */
#define CG_UNLIMITED UINT64_MAX

/* ---- parsing values (pure) ---- */

/*
 * "64M", "1.5G", "4096", "512k", "2GiB", "max" (CG_UNLIMITED) into bytes.
 * Suffixes K M G T are powers of 1024, as in the kernel's memparse() and
 * docker run --memory; a B or iB after them is accepted. Returns 0, or -1
 * with errno EINVAL (malformed, negative) or ERANGE (overflow) and a reason
 * in the error record (err.h).
 */
int cg_parse_size(const char *s, uint64_t *bytes);

/* A count for pids.max: "0" .. "4194304", or "max". */
int cg_parse_count(const char *s, uint64_t *count);

/*
 * CPUs as docker run --cpus: "0.5" is half of one CPU. Into a cpu.max quota
 * for PERIOD_US (quota = cpus * period): "0.5" with 100000 gives 50000;
 * "max" gives CG_UNLIMITED. The kernel wants a quota of at least 1000 us.
 */
int cg_parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us);

/* cpu.weight: 1 .. 10000 (100 is the default). */
int cg_parse_weight(const char *s, uint64_t *weight);

/*
 * The value a program gives for a v2 FILE, checked and written out the way
 * the kernel takes it: memory.* sizes in bytes or "max"; pids.max a count;
 * cpu.max "QUOTA PERIOD" or CPUs ("0.5" -> "50000 100000"); cpu.weight;
 * io.max "MAJ:MIN rbps=N wbps=N riops=N wiops=N"; cgroup.freeze 0 or 1.
 */
int cg_normalize(const char *file, const char *value, char *out, size_t outsize);

/* ---- cgroup v1 names (pure) ---- */

/* One write a v2 setting becomes on v1. */
struct cg_v1_write {
	char controller[16]; /* the v1 hierarchy: "memory", "cpu", "blkio", "freezer" ... */
	char file[48];	     /* "memory.limit_in_bytes" */
	char value[64];	     /* as written */
};

/* The v1 controller (hierarchy) that holds v2 FILE ("io.max" -> "blkio",
 * "cgroup.freeze" -> "freezer"), or NULL when v1 has no such thing. */
const char *cg_v1_controller(const char *file);

/* The v1 file to read for v2 FILE ("memory.events" -> "memory.oom_control",
 * "cgroup.events" -> "freezer.state"), or NULL. */
const char *cg_v1_file(const char *file);

/*
 * The writes that set v2 FILE to the normalized VALUE on v1, in order, into
 * w (room for max); returns how many, or -1 (EINVAL, ENOTSUP) with a reason.
 * mem_limit is the cgroup's memory.limit_in_bytes, needed for
 * memory.swap.max: v1 limits memory+swap together (memory.memsw.*), so
 * "swap 0" is memsw = the memory limit.
 */
int cg_v1_translate(const char *file, const char *value, uint64_t mem_limit, struct cg_v1_write *w,
		    size_t max);

/* ---- the host's layout ---- */

enum cg_kind { CG_NONE, CG_V1, CG_V2, CG_HYBRID };

/* One mounted hierarchy and our own cgroup in it. */
struct cg_hier {
	int version;		/* 1 or 2 */
	char controllers[256];	/* v1: "cpu,cpuacct"; v2: its cgroup.controllers at our cgroup */
	char mount[CG_PATH];	/* where it is mounted */
	char path[CG_PATH];	/* our cgroup, as /proc/self/cgroup shows it: "/a/b" */
	char dir[2 * CG_PATH];	/* our cgroup's directory (with the root prefix) */
	char base[2 * CG_PATH]; /* where our new cgroups go: dir, except on v2 (below) */
};

struct cg_layout {
	enum cg_kind kind;
	size_t n;
	struct cg_hier h[CG_MAX_HIER];
};

/* "cgroup v2", "cgroup v1", "hybrid (cgroup v1 controllers and cgroup2)", "none". */
const char *cg_kind_name(enum cg_kind kind);

/*
 * From the text of /proc/self/mountinfo and /proc/self/cgroup: which
 * hierarchies are mounted, where our cgroup is in each, and so the kind of
 * layout. ROOT ("" on a real host) is put in front of every directory, so
 * the detection runs on a fake tree in a test; v2's controllers are read
 * from ROOT + our cgroup's cgroup.controllers. Returns 0, or -1 with a
 * reason (no cgroup mounted, our cgroup not visible).
 */
int cg_layout_parse(struct cg_layout *l, const char *root, const char *mountinfo,
		    const char *self_cgroup);

/* cg_layout_parse() of this process's own /proc files. */
int cg_layout_detect(struct cg_layout *l);

/*
 * What a container's own /sys/fs/cgroup is to show, guessed from the
 * directories of ROOT's ("" for the host's) /sys/fs/cgroup, for a process
 * that can no longer read the host's layout (the container's child, in its
 * cgroup namespace): first a v2 tree, unless the host is hybrid (its
 * cgroup2 at unified holds none of our controllers), then a v1 hierarchy
 * for each of the controllers V1 (NULL-terminated) that has a directory of
 * its own. In each h[]: version, controllers (v1: the mount option), and
 * mount, the name of the directory to mount it on ("unified", "memory").
 * Nothing else is filled. Returns 0.
 */
int cg_layout_guess(struct cg_layout *l, const char *root, const char *const v1[]);

/*
 * The hierarchy that holds CONTROLLER (v2 names: memory pids cpu io, and
 * "freezer" for freezing), or -1 with errno ENOENT. On a hybrid host a
 * controller bound to a v1 hierarchy is not available in the v2 tree.
 */
int cg_layout_find(const struct cg_layout *l, const char *controller);

/* ---- a cgroup of our own ---- */

struct cg {
	const struct cg_layout *layout;
	char name[64];
	size_t n;
	struct {
		int hier;		    /* index into layout->h */
		char dir[2 * CG_PATH + 80]; /* the directory we made */
		char enabled[128];	    /* v2: controllers we enabled in the parent, "a b" */
		char parent[2 * CG_PATH + 80];
		char want[128]; /* v2: the controllers the cgroup needs from the parent */
	} d[CG_MAX_HIER];
};

/* CG emptied for layout L and named NAME: no entries yet. Only the head is
 * written, not the whole struct (72 KiB: sixteen hierarchies' paths, 18
 * pages a start would touch for nothing, issue 21); cg_take clears each
 * entry as it is taken. */
void cg_empty(struct cg *cg, const struct cg_layout *l, const char *name);

/* The next entry of CG (cg->n grows by one), cleared, for hierarchy HIER. */
int cg_take(struct cg *cg, int hier);

/*
 * Makes the cgroup NAME beneath our own cgroup's base (PARENT NULL) or beneath
 * PARENT, in every hierarchy that holds one of CONTROLLERS (a NULL-terminated
 * list of v2 names). On v2 it enables those controllers in the parent's
 * cgroup.subtree_control first. That is refused (EBUSY) when the parent is
 * not the root and holds processes - "no internal processes" (cgroups(7)) -
 * which is what the error record then says. Every mkdir and write is traced.
 * cg_create() is cg_plan() then cg_make().
 */
int cg_create(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	      const char *const controllers[]);

/*
 * The first half of cg_create(), which changes nothing: fills CG with the
 * directories it will make and (v2) the controllers it will probably have
 * to enable in each parent (d[].enabled: those off now). A program that
 * must be able to clean up after being killed (the launcher) writes this
 * plan down before cg_make(): a SIGKILL can fall between any two calls.
 */
int cg_plan(struct cg *cg, const struct cg_layout *l, const struct cg *parent, const char *name,
	    const char *const controllers[]);

/*
 * The second half: on v2 enables what the cgroup needs in each parent (then
 * d[].enabled says what it really enabled), and makes the directories. On
 * v2 it holds flock(2) on the parent's directory meanwhile, as cg_remove()
 * does while it gives controllers back, so that no other user of these
 * helpers sees a controller on and then loses it before its mkdir.
 */
int cg_make(struct cg *cg);

/* Sets v2 FILE to VALUE (cg_normalize() first; on v1 the translated files). */
int cg_set(struct cg *cg, const char *file, const char *value);

/* Does the cgroup have (the equivalent of) FILE on this host? */
int cg_has(const struct cg *cg, const char *file);

/* Moves PID into the cgroup: writes it to cgroup.procs in every hierarchy. */
int cg_attach(struct cg *cg, pid_t pid);

/* Moves the calling (single-threaded) process into the cgroup itself:
 * cheaper than cg_attach() from outside on v1 (see cgroup.c). */
int cg_join(struct cg *cg);

/* Reads FILE (v2 name, the v1 equivalent on v1) into buf; shows it as
 * "proc" events, line by line. */
int cg_read(const struct cg *cg, const char *file, char *buf, size_t size);

/* The number after KEY in "key value" lines (memory.events, cpu.stat,
 * pids.events, memory.oom_control), or -1 when absent. Pure. */
long long cg_parse_key(const char *text, const char *key);

/*
 * The counters a lesson shows, under one set of names on v1 and v2:
 * "oom_kill" (memory.events / memory.oom_control), "high" (memory.events;
 * -1 on v1), "pids_max" (pids.events "max"), "nr_throttled",
 * "throttled_usec" (cpu.stat; v1 counts ns in throttled_time), "frozen"
 * (cgroup.events / freezer.state FROZEN). -1 when not available.
 */
long long cg_stat(const struct cg *cg, const char *counter);

/*
 * Freezes (ON 1) or thaws (ON 0) every process in it: cgroup.freeze (v1:
 * freezer.state FROZEN/THAWED), then waits up to 2 s until the kernel says
 * it is done (cgroup.events "frozen", v1 freezer.state), since freezing
 * takes effect as each task next leaves the kernel. 0, or -1 with the
 * error record set.
 */
int cg_freeze(struct cg *cg, int on);

/*
 * Kills every process in it: cgroup.kill where the kernel has it (5.14+),
 * else SIGKILL to each pid of cgroup.procs, again until it is empty (a
 * process may fork meanwhile). Returns 0 once empty, -1 after 5 s.
 */
int cg_kill(struct cg *cg);

/*
 * Removes it: rmdir(2) in each hierarchy, retrying while the kernel says
 * EBUSY (dying processes still charged), for up to 5 s; a directory that is
 * not there counts as removed. On v2 it also disables again the controllers
 * cg_create() enabled in the parent (d[].enabled) - unless another cgroup
 * of ours there may rely on them: disabling a controller takes its files,
 * and so its limits, from every child (cgroup-v2.rst). Ours: named
 * CG_PREFIX..., or any child of a parent so named. It checks that under
 * flock(2) on the parent's directory, as cg_make() enables under it.
 * Children first.
 */
int cg_remove(struct cg *cg);

/* The names of the cgroups these helpers' users make begin with it. */
#define CG_PREFIX "nutshell-"

/* ---- a cgroup made before: the record (cgroup_record.c) ---- */

/*
 * A program that must be able to clean up after being killed writes down
 * what it makes (cg_plan's plan first, then what cg_make did) and whoever
 * reclaims reads it back into a struct cg for cg_kill and cg_remove.
 *
 * cg_record_write: one line per directory into F, "VERSION DIR", on v2
 * then a tab and the controllers it enabled in the parent. 0, or -1.
 */
int cg_record_write(const struct cg *cg, FILE *f);

/*
 * The record in F back into CG. L is filled with only what cg_remove()
 * needs to know of each hierarchy, its version: the reader may see another
 * layout than the writer did. Only lines naming a directory NAME beneath
 * UNDER ("/sys/fs/cgroup/"), not climbing out of it ("/.."), are taken:
 * the record may lie where others can write. The number of directories
 * taken, or -1.
 */
int cg_record_read(struct cg *cg, struct cg_layout *l, FILE *f, const char *under,
		   const char *name);

/* The cgroup NAME beneath our base in each hierarchy of L where it exists,
 * into CG (made by another process: to kill and remove). How many. */
int cg_lookup(struct cg *cg, const struct cg_layout *l, const char *name);

/*
 * fork(2) (traced: strace shows clone) a child that runs fn(arg) and
 * _exit()s with its result, but only once it is in the cgroup: the parent
 * writes its pid to cgroup.procs (cg_attach) while the child waits on a
 * pipe, so not one page or fork of the child escapes the limits. The child
 * also gets alarm(timeout): SIGALRM ends it even if its parent is gone.
 * Returns the pid, or -1 (no child left running).
 */
pid_t cg_fork(struct cg *cg, int (*fn)(void *), void *arg, unsigned timeout);

/*
 * Everything a program does before its first cgroup: detect the layout,
 * check that the caller may create cgroups for CONTROLLERS, and narrate
 * the layout and our own cgroup in each hierarchy used. -1 with one line
 * in the error record ("needs root, or a cgroup delegated to you ...").
 */
int cg_prepare(struct cg_layout *l, const char *const controllers[]);

/* cg_prepare() of a layout the caller has just detected (it chose the
 * controllers from it): /proc is not read and parsed a second time. */
int cg_prepare_detected(const struct cg_layout *l, const char *const controllers[]);

/* ---- devices: an allow-list (cgroup_devices.c) ---- */

/*
 * Which device nodes a cgroup's processes may open (read, write) or make
 * (mknod), whatever the node's mode and wherever it lies: the defence that
 * holds where nodev does not (a mount the container made itself, a mount
 * below a volume). Everything not allowed is refused with EPERM.
 */
struct cg_dev_rule {
	char type;	    /* 'c' character, 'b' block, 'a' both */
	int major, minor;   /* -1: any ("*") */
	const char *access; /* some of "rwm": read, write, mknod; NULL ends a list */
	const char *what;   /* what it is for: "/dev/null" */
};

/* The OCI runtime-spec's default list, as runc and crun apply it: make any
 * node (m), open only null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9,
 * tty 5:0, ptmx 5:2 and the ptys 136:* - what the launcher's /dev holds
 * (rootfs_mount_dev). Ends with a rule whose access is NULL. */
extern const struct cg_dev_rule cg_dev_default[];

/* A rule as cgroup v1's devices.allow and devices.list write it,
 * "c 1:3 rwm", "b *:* m"; pure. */
const char *cg_dev_rule_text(const struct cg_dev_rule *r, char *out, size_t size);

/*
 * The rules as a program of type BPF_PROG_TYPE_CGROUP_DEVICE (eBPF, loaded
 * by bpf(2): not the classic BPF of seccomp): for each access the kernel
 * asks it about, 1 allows, 0 refuses. Into insns (room for max); returns
 * the number of instructions, or -1 with EOVERFLOW. Pure.
 */
struct bpf_insn;
int cg_dev_program(const struct cg_dev_rule *rules, struct bpf_insn *insns, size_t max);

/*
 * Applies the allow-list to the cgroup, in the hierarchy that holds its
 * "devices": on cgroup v1, devices.deny "a" then devices.allow for each
 * rule; on v2, cg_dev_program() loaded with bpf(BPF_PROG_LOAD) and attached
 * to the cgroup's directory with bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE,
 * BPF_F_ALLOW_MULTI). The program needs no removing: it goes with the
 * cgroup. -1 with errno and one line in the error record: no devices hierarchy in the
 * cgroup (ENOENT), the kernel refused (the bpf(2) or write errno).
 */
int cg_devices_allow(struct cg *cg, const struct cg_dev_rule *rules);

#endif
