/*
 * decode.h - numbers to names, for trace lines.
 *
 * Every decoder is table-driven: a flag set is a table of {bit, name}, and a
 * bit the table does not know is printed in hex ("CLONE_NEWUTS|0x80000000")
 * rather than dropped, so the trace never hides part of what was passed.
 * Zero prints as "0". Results live in a small ring of static buffers
 * (dec_scratch), so several can appear in one trace line; copy one if you
 * keep it.
 */
#ifndef NUTSHELL_DECODE_H
#define NUTSHELL_DECODE_H

#include <stddef.h>

struct dec_flag {
	unsigned long bit;
	const char *name;
};

#define DEC_SCRATCH_SIZE 512

/* The next buffer of the ring (DEC_SCRATCH_SIZE bytes). */
char *dec_scratch(void);

/* Generic: the names of the bits of v found in table (terminated by a NULL
 * name), joined by '|', unknown bits in hex. */
const char *dec_flags(const struct dec_flag *table, unsigned long v);

const char *dec_clone(unsigned long flags);   /* CLONE_* plus the exit signal in the low byte */
const char *dec_unshare(unsigned long flags); /* unshare(2), setns(2): CLONE_NEW*, CLONE_NEWTIME */
const char *dec_mount(unsigned long flags);   /* MS_* */
const char *dec_umount(unsigned long flags);  /* MNT_*, UMOUNT_NOFOLLOW */
/* The new mount API (mount_setattr(2), open_tree(2), fsmount(2)). */
const char *dec_mount_attr(unsigned long attr); /* MOUNT_ATTR_* */
const char *dec_open_tree(unsigned long flags); /* OPEN_TREE_*, AT_RECURSIVE ... */
const char *dec_at(unsigned long flags);	/* AT_EMPTY_PATH|AT_RECURSIVE ... */
const char *dec_open(unsigned long flags);	/* O_RDONLY|O_CLOEXEC ... */
const char *dec_signal(int sig);		/* "SIGCHLD", or the number */
const char *dec_errno(int err);			/* "EPERM", or the number */
const char *dec_result(long ret);		/* "0" for any ret but -1, else dec_errno(errno) */
const char *dec_cap(int cap);			/* "CAP_CHOWN" via libcap, or the number */
const char *dec_wait_status(int status);	/* "exited 0", "killed by SIGKILL" */

#endif
