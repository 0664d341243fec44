/*
 * caps.h - capability helpers of lesson 03, linked by its programs and by the
 * launcher (05-full-container).
 *
 * Root is not one privilege but a set of them, one bit each: CAP_CHOWN,
 * CAP_NET_BIND_SERVICE, CAP_SYS_ADMIN ... (capabilities(7)). A process has
 * five sets of these bits:
 *
 *   effective    what the kernel checks right now
 *   permitted    what the process may make effective (capset(2) only lowers it;
 *                execve(2) of a set-uid root or setcap'ed program raises it)
 *   inheritable  what may pass through execve(2) to a program whose file allows it
 *   bounding     the ceiling for anything gained at execve(2), never raised again
 *   ambient      what passes through execve(2) to a program that is neither
 *                set-uid/set-gid nor has file capabilities; executing one of
 *                those clears it (Linux 4.3+, capabilities(7))
 *
 * How many capabilities exist is read from /proc/sys/kernel/cap_last_cap at
 * run time, never compiled in: the kernel adds some now and then (CAP_BPF,
 * CAP_PERFMON in 5.8, CAP_CHECKPOINT_RESTORE in 5.9). Names come from libcap.
 *
 * A helper that fails records why where it fails (common/err.h) and returns
 * -1, errno kept; it never prints or exits. The calls that change
 * capabilities go through TRACE() under the names strace shows.
 */
#ifndef NUTSHELL_CAPS_H
#define NUTSHELL_CAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

/* The five sets, in the order /proc/PID/status does not use but the book does. */
enum caps_set { CAPS_EFFECTIVE, CAPS_PERMITTED, CAPS_INHERITABLE, CAPS_BOUNDING, CAPS_AMBIENT };
#define CAPS_NSETS 5

/* "effective" ..., the status key "CapEff" ..., and a one-line meaning. */
extern const char *const caps_set_names[CAPS_NSETS];
extern const char *const caps_set_keys[CAPS_NSETS];
extern const char *const caps_set_meanings[CAPS_NSETS];

/* A process's capability state, as /proc/PID/status shows it. */
struct caps_state {
	uint64_t set[CAPS_NSETS];
	int no_new_privs; /* -1 when the kernel does not show it */
	int seccomp;	  /* 0 none, 1 strict, 2 filter; -1 unknown */
	int seccomp_filters;
};

/* The highest capability number this kernel knows, from
 * /proc/sys/kernel/cap_last_cap; -1 with errno on failure. */
int caps_last_cap(void);

/*
 * One capability by name: "CAP_CHOWN", "chown", "cap_net_admin", "NET_ADMIN"
 * (case does not matter). Rejects names libcap does not know, numbers, and
 * capabilities above cap_last_cap. Returns 0, or -1 with errno EINVAL and
 * the error record (common/err.h) naming the value and what was expected.
 */
int caps_from_name(const char *name, cap_value_t *cap);

/* A comma-separated list of names ("CHOWN,KILL"; "" is the empty list) into
 * caps (room for max); returns how many, or -1 with EINVAL and the error
 * record set. */
int caps_parse_list(const char *list, cap_value_t *caps, size_t max);

/* "CAP_CHOWN" for 0 (the libcap name, upper case). */
const char *caps_name(cap_value_t cap);

/*
 * A set as names: "CAP_CHOWN,CAP_KILL", "none", "all 41", or, when most are
 * there, "all 41 but CAP_SYS_RESOURCE". last is cap_last_cap. Returns out.
 */
const char *caps_describe(uint64_t mask, int last, char *out, size_t size);

/* Parses the Cap*, NoNewPrivs and Seccomp lines of /proc/PID/status text. */
int caps_parse_status(const char *text, struct caps_state *st);

/* Reads /proc/PID/status (0: self) into st. */
int caps_read(pid_t pid, struct caps_state *st);

/* Shows the five sets of PID (0: self) decoded, as "proc" events, and
 * fills st when it is not NULL. */
int caps_show(pid_t pid, struct caps_state *st);

/*
 * Keeps exactly the capabilities in keep (n of them) and drops every other
 * from every set: bounding (prctl PR_CAPBSET_DROP, one call per capability,
 * needs CAP_SETPCAP), ambient (PR_CAP_AMBIENT_CLEAR_ALL), then effective and
 * permitted = keep (capset). Inheritable is emptied: a capability left there
 * passes to a program whose file has it inheritable (CVE-2022-24769, fixed
 * in moby 20.10.14 and runc 1.1.1 by emptying it).
 */
int caps_keep_only(const cap_value_t *keep, size_t n);

/* Drops one capability from every set, the way caps_keep_only() does. */
int caps_drop(cap_value_t cap);

/* Raises CAP into the inheritable set (it must be permitted and bounded)
 * and then into the ambient set (prctl PR_CAP_AMBIENT_RAISE). */
int caps_raise_ambient(cap_value_t cap);

/* prctl(PR_SET_NO_NEW_PRIVS, 1): from now on execve(2) never grants more
 * (set-uid, set-gid and file capabilities are ignored); inherited by children
 * and kept across execve(2), and cannot be unset (Linux 3.5+). */
int caps_set_no_new_privs(void);

/* Securebits (capabilities(7), "The securebits flags"): read via
 * prctl(PR_GET_SECUREBITS), and "SECBIT_NOROOT|..." */
int caps_get_securebits(void);
const char *caps_securebits_names(unsigned bits);

/* --- gaining capabilities at execve(2) (caps_exec.c) --- */

/* A copy of the running program (/proc/self/exe) at PATH (made, not
 * replaced), mode MODE. 0, or -1 with the error recorded (err.h). */
int caps_copy_self(const char *path, mode_t mode);

/* File capabilities TEXT (cap_from_text(3): "cap_net_bind_service=ep") on
 * PATH, as setcap(8) writes them: one fsetxattr(2) of security.capability,
 * which needs CAP_SETFCAP. BACK (SIZE bytes) gets them read back, as
 * getcap(8) shows them. 0, or -1 with the error recorded. */
int caps_set_file(const char *path, const char *text, char *back, size_t size);

/* Becomes UID and GID with no supplementary groups. A change of uid from 0
 * empties permitted and effective, unless KEEP_CAPS: then PR_SET_KEEPCAPS
 * first keeps permitted (capabilities(7)). 0, or -1 with the error
 * recorded. */
int caps_become(uid_t uid, gid_t gid, int keep_caps);

/* --- what root can do, behind one capability each (caps_probe.c) --- */

/* Each tries once, traced, and returns how it ended as dec_result() spells
 * it ("0", "EPERM", "EACCES"). chown FILE to nobody and back (CAP_CHOWN);
 * bind 127.0.0.1:PORT (CAP_NET_BIND_SERVICE below 1024); open FILE, mode
 * 000, for reading (CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH). */
const char *caps_try_chown(const char *file);
const char *caps_try_bind(int port);
const char *caps_try_read(const char *file);

/* The launcher's default: Docker's 14 capabilities (moby
 * oci/caps/defaults.go), as names, NULL-terminated. */
extern const char *const caps_default_names[];
/* The same as numbers, into caps (room for max); returns how many. */
int caps_default(cap_value_t *caps, size_t max);

#endif
