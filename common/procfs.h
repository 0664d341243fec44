/*
 * procfs.h - reading the /proc state a lesson shows.
 *
 * The proc_show_* functions read a piece of /proc, print it in the human
 * trace and emit a "proc" event for each line they show; the proc_parse_*
 * functions are the pure parsers underneath, testable on sample text. A pid
 * of 0 means the calling process ("self").
 *
 * A reader that fails records why in err.h's record ("/proc/self/ns/time:
 * ENOENT (...)") and prints nothing: the caller decides whether the program
 * gives up or shows the rest without it, and prints the record once with
 * err_print either way.
 *
 * Files: /proc/PID/ns/NS (namespaces(7)), /proc/PID/status (proc_pid_status(5)),
 * /proc/PID/cgroup (cgroups(7)), /proc/PID/uid_map and gid_map
 * (user_namespaces(7)), /proc/PID/mountinfo (proc_pid_mountinfo(5)).
 */
#ifndef NUTSHELL_PROCFS_H
#define NUTSHELL_PROCFS_H

#include "err.h" /* the readers report through it */

#include <stddef.h>
#include <sys/types.h>

/* Reads a whole (small) file into buf, NUL-terminated; returns its length
 * or -1 with errno set. */
ssize_t proc_read(const char *path, char *buf, size_t size);

/* Writes the whole (small) file PATH to FD, as read at once: 0, or -1 with
 * errno set. */
int proc_copy(const char *path, int fd);

/* A one-line file such as /proc/sys/kernel/hostname, without its newline,
 * into buf; shown and emitted. Returns buf, or NULL with errno set and the
 * record filled. */
const char *proc_value(const char *path, char *buf, size_t size);

/* "/proc/PID/NAME" (or "/proc/self/NAME") into buf. */
const char *proc_path(char *buf, size_t size, pid_t pid, const char *name);

/* The namespace a process is in, "uts:[4026531838]", from the symlink
 * /proc/PID/ns/NS; shown and emitted. Returns a ring buffer (decode.h) or
 * NULL with errno set and the record filled. */
const char *proc_ns(pid_t pid, const char *ns);

/* Same, without showing it (for comparisons a program does not narrate);
 * NULL with errno set, the record untouched. */
const char *proc_ns_quiet(pid_t pid, const char *ns);

/* The one-letter state of /proc/PID/stat (proc(5)): R running, S sleeping,
 * D waiting in the kernel, T stopped, Z zombie; shown as "PID (name) S".
 * '?' when the process is gone or the line cannot be read. */
char proc_state(pid_t pid);

/* The Cap*, NoNewPrivs and Seccomp lines of /proc/PID/status. 0, or -1
 * with the record filled (as for the two below). */
int proc_show_status(pid_t pid);

/* Every line of /proc/PID/NAME ("cgroup", "uid_map", "gid_map", ...). */
int proc_show_lines(pid_t pid, const char *name);

/* The mountinfo lines whose mount point is PREFIX or below it (NULL: all);
 * returns how many, or -1. */
int proc_show_mountinfo(pid_t pid, const char *prefix);

/* ---- parsers ---- */

/* The value of "Key:\tvalue" in status-style text, without the key, tabs or
 * newline; -1 with errno ENOENT when the key is absent. */
int proc_parse_status(const char *text, const char *key, char *out, size_t size);

/* One line of mountinfo, split in place (line is modified; the pointers
 * point into it). Octal escapes (\040 for a space) are decoded. */
struct proc_mount {
	int id, parent;
	const char *devno;    /* "0:23" */
	const char *root;     /* the path within the filesystem mounted here */
	const char *point;    /* the mount point */
	const char *options;  /* per-mount options: "rw,nosuid" */
	const char *optional; /* optional fields: "shared:1 master:2", "" when none */
	const char *fstype;
	const char *source;
	const char *super; /* per-superblock options */
};
int proc_parse_mountinfo(char *line, struct proc_mount *m);

/* One line of /proc/PID/cgroup: "4:memory:/a/b", "0::/a" (v2). Split in
 * place. */
struct proc_cgroup {
	int hierarchy;
	const char *controllers; /* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
	const char *path;
};
int proc_parse_cgroup(char *line, struct proc_cgroup *c);

/* Is each SEP-separated word of WORDS ("cpu,cpuacct") one of the words of
 * LIST (super options "rw,cpu,cpuacct"; a cgroup.controllers line with
 * ' ')? Pure. */
int proc_has_words(const char *list, const char *words, char sep);

/*
 * Where the hierarchy of CG (one parsed line of /proc/PID/cgroup) is
 * mounted, by the text of /proc/PID/mountinfo: a cgroup2 mount for
 * hierarchy 0, else a cgroup (v1) one whose super options hold each of
 * CG's controllers, and whose root is CG's path or above it (a container's
 * view shows a sub-tree). POINT gets the mount point, DIR the cgroup's own
 * directory beneath it. 0, or -1 with errno ENOENT (not mounted here) or
 * ENOMEM. Read by lesson 02's layout and by 01-namespaces/cgroupns.c.
 */
int proc_cgroup_mount(const char *mountinfo, const struct proc_cgroup *cg, char *point,
		      size_t psize, char *dir, size_t dsize);

/* One line of uid_map or gid_map: "0 100000 65536". */
struct proc_idmap {
	unsigned long inside, outside, count;
};
int proc_parse_idmap(const char *line, struct proc_idmap *m);

#endif
