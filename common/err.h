/*
 * err.h - the one error convention of nutshell's helper code.
 *
 * A helper that fails fills the error record where the failure happens,
 * naming the value and what was expected, and returns -1; it never prints
 * and never exits. The caller adds what only it knows (which option the
 * value came from) with err_prefix, or passes the -1 on. Whoever gives up -
 * a program's main, the launcher's parent or its child - prints the record
 * once with err_print. The model is crun's libcrun_error_t
 * (src/libcrun/error.h): one struct with an errno and a message, filled
 * where it fails, printed once. nutshell is single-threaded, so there is one
 * record per process, like errno itself, and no pointer to pass around.
 *
 *     int cg_parse_size(const char *s, uint64_t *bytes)
 *     {
 *         ...
 *         return err_set(EINVAL, "'%s': expected a size such as 64M", s);
 *     }
 *
 *     if (cg_parse_size(arg, &bytes) == -1)
 *         return err_prefix("--memory");      // "--memory: '5x': expected ..."
 *     ...
 *     if (make_container(&cfg) == -1) {
 *         err_print();                        // "nutshell: --memory: '5x': ..."
 *         return 125;
 *     }
 *
 * errno is left as the failing call set it, so a caller may still test it
 * (EEXIST, ENOENT) before deciding the failure is one.
 */
#ifndef NUTSHELL_ERR_H
#define NUTSHELL_ERR_H

/* The record: the errno of the failure (0 for bad input) and one line. */
struct err {
	int errnum;
	int sys; /* 1: err_sys, a system call failed; 0: err_set */
	char msg[1024];
};

/* A failure with message FMT. ERRNUM is the errno it stands for (0: bad
 * input, no system call failed); errno is set to it if it is not 0.
 * Returns -1. */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A failed system call: FMT (what was being done, e.g. "mount /proc"),
 * then ": ENAME (strerror)" from the current errno. Returns -1. */
int err_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Context from a caller: the record becomes "FMT: old message". Returns
 * -1, errno kept. */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The record as it stands (msg is "" when nothing failed). */
const struct err *err_last(void);

/* Prints the record once: "PROGRAM: message" on stderr (always shown), a
 * "note" event in the JSON trace, and, when the host is why (a chroot, a
 * sysctl, cgroups not delegated: host.h), one more line saying so - not for
 * EINVAL from err_set: a value refused is never the host's doing. Then
 * clears it. Prints "PROGRAM: failed" if nothing was recorded, so a
 * forgotten err_set shows as a bug and not as silence. */
void err_print(void);

/* For a display that goes on without a value it could not read: prints the
 * record (err_print) and returns SHOWN, what the display shows instead:
 *
 *     snprintf(ns, sizeof(ns), "%s", proc_ns(pid, "net") ?: err_print_as("?"));
 */
const char *err_print_as(const char *shown);

/* err_print(), then STATUS, for a program or child that ends on the
 * failure: "return err_print_status(EXIT_DEMO_FAILED);". */
int err_print_status(int status);

/* Forgets the record (a failure the caller expected and handled). */
void err_clear(void);

#endif
