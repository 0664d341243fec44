/*
 * decode.c - flag tables and number-to-name decoders for trace lines.
 *
 * Names follow strace(1), so a line of ours and a line of strace's read the
 * same. errno and signal names come from glibc (strerrorname_np(3),
 * sigabbrev_np(3), glibc 2.32+), capability names from libcap
 * (cap_to_name(3)); nothing is copied by hand that a library already knows.
 */
#include "decode.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/wait.h>

/* Newer than some libc headers; values from include/uapi/linux/sched.h. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define F(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}

/* clone(2) flags above the low byte, which holds the exit signal. */
static const struct dec_flag clone_flags[] = {
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
    {0, NULL},
};

/* unshare(2) and setns(2) take the same bits, and CLONE_NEWTIME, which
 * clone(2) cannot take because it collides with the signal byte. */
static const struct dec_flag unshare_flags[] = {
    F(CLONE_NEWTIME), F(CLONE_FILES),	  F(CLONE_FS),	   F(CLONE_NEWNS),
    F(CLONE_SYSVSEM), F(CLONE_NEWCGROUP), F(CLONE_NEWUTS), F(CLONE_NEWIPC),
    F(CLONE_NEWUSER), F(CLONE_NEWPID),	  F(CLONE_NEWNET), {0, NULL},
};

static const struct dec_flag mount_flags[] = {
    F(MS_RDONLY),     F(MS_NOSUID),	F(MS_NODEV),	 F(MS_NOEXEC),	    F(MS_SYNCHRONOUS),
    F(MS_REMOUNT),    F(MS_MANDLOCK),	F(MS_DIRSYNC),	 F(MS_NOSYMFOLLOW), F(MS_NOATIME),
    F(MS_NODIRATIME), F(MS_BIND),	F(MS_MOVE),	 F(MS_REC),	    F(MS_SILENT),
    F(MS_POSIXACL),   F(MS_UNBINDABLE), F(MS_PRIVATE),	 F(MS_SLAVE),	    F(MS_SHARED),
    F(MS_RELATIME),   F(MS_KERNMOUNT),	F(MS_I_VERSION), F(MS_STRICTATIME), F(MS_LAZYTIME),
    {0, NULL},
};

static const struct dec_flag umount_flags[] = {
    F(MNT_FORCE), F(MNT_DETACH), F(MNT_EXPIRE), F(UMOUNT_NOFOLLOW), {0, NULL},
};

/* The new mount API's flags (Linux 5.2, mount_setattr 5.12), as glibc 2.36's
 * <sys/mount.h> and <fcntl.h> name them. MOUNT_ATTR_RELATIME is 0: an
 * access-time mode shows in attr_clr (MOUNT_ATTR__ATIME), not here. */
static const struct dec_flag mount_attr_flags[] = {
    F(MOUNT_ATTR_RDONLY),     F(MOUNT_ATTR_NOSUID),  F(MOUNT_ATTR_NODEV),
    F(MOUNT_ATTR_NOEXEC),     F(MOUNT_ATTR_NOATIME), F(MOUNT_ATTR_STRICTATIME),
    F(MOUNT_ATTR_NODIRATIME), F(MOUNT_ATTR_IDMAP),   {0, NULL},
};

static const struct dec_flag open_tree_flags[] = {
    F(OPEN_TREE_CLONE), F(OPEN_TREE_CLOEXEC),	F(AT_RECURSIVE),
    F(AT_EMPTY_PATH),	F(AT_SYMLINK_NOFOLLOW), {0, NULL},
};

static const struct dec_flag at_flags[] = {
    F(AT_EMPTY_PATH),
    F(AT_SYMLINK_NOFOLLOW),
    F(AT_RECURSIVE),
    {0, NULL},
};

/* Multi-bit flags (O_TMPFILE includes O_DIRECTORY, O_SYNC includes O_DSYNC)
 * come before their parts, so the longer name wins. */
static const struct dec_flag open_flags[] = {
    F(O_CREAT),	  F(O_EXCL),	F(O_NOCTTY), F(O_TRUNC),   F(O_APPEND),	   F(O_NONBLOCK),
    F(O_SYNC),	  F(O_DSYNC),	F(O_DIRECT), F(O_TMPFILE), F(O_DIRECTORY), F(O_NOFOLLOW),
    F(O_NOATIME), F(O_CLOEXEC), F(O_PATH),   {0, NULL},
};

char *
dec_scratch(void)
{
	static char ring[8][DEC_SCRATCH_SIZE];
	static unsigned next;

	return ring[next++ % 8];
}

/* Appends to buf like strlcat, never overflowing. */
static void
append(char *buf, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, DEC_SCRATCH_SIZE - len, "%s", s);
}

/* Decodes into an existing buffer, after what it holds. */
static void
flags_into(char *buf, const struct dec_flag *table, unsigned long v)
{
	int first = buf[0] == '\0';

	for (const struct dec_flag *f = table; f->name; f++) {
		if (f->bit == 0 || (v & f->bit) != f->bit)
			continue;
		if (!first)
			append(buf, "|");
		append(buf, f->name);
		v &= ~f->bit;
		first = 0;
	}
	if (v != 0) {
		char hex[32];

		snprintf(hex, sizeof(hex), "%s%#lx", first ? "" : "|", v);
		append(buf, hex);
	}
}

const char *
dec_flags(const struct dec_flag *table, unsigned long v)
{
	char *buf = dec_scratch();

	buf[0] = '\0';
	if (v == 0)
		return "0";
	flags_into(buf, table, v);
	return buf;
}

const char *
dec_clone(unsigned long flags)
{
	char *buf = dec_scratch();
	unsigned long sig = flags & CSIGNAL;

	buf[0] = '\0';
	if (flags == 0)
		return "0";
	flags_into(buf, clone_flags, flags & ~CSIGNAL);
	if (sig != 0) {
		if (buf[0] != '\0')
			append(buf, "|");
		append(buf, dec_signal((int)sig));
	}
	return buf;
}

const char *
dec_unshare(unsigned long flags)
{
	return dec_flags(unshare_flags, flags);
}

const char *
dec_mount(unsigned long flags)
{
	return dec_flags(mount_flags, flags);
}

const char *
dec_umount(unsigned long flags)
{
	return dec_flags(umount_flags, flags);
}

const char *
dec_mount_attr(unsigned long attr)
{
	return dec_flags(mount_attr_flags, attr);
}

const char *
dec_open_tree(unsigned long flags)
{
	return dec_flags(open_tree_flags, flags);
}

const char *
dec_at(unsigned long flags)
{
	return dec_flags(at_flags, flags);
}

const char *
dec_open(unsigned long flags)
{
	char *buf = dec_scratch();
	unsigned long mode = flags & O_ACCMODE;

	/* The access mode is a two-bit number, not a set of flags. */
	snprintf(buf, DEC_SCRATCH_SIZE, "%s",
		 mode == O_RDONLY   ? "O_RDONLY"
		 : mode == O_WRONLY ? "O_WRONLY"
		 : mode == O_RDWR   ? "O_RDWR"
				    : "O_ACCMODE");
	if ((flags & ~(unsigned long)O_ACCMODE) != 0)
		flags_into(buf, open_flags, flags & ~(unsigned long)O_ACCMODE);
	return buf;
}

const char *
dec_signal(int sig)
{
	char *buf = dec_scratch();
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, DEC_SCRATCH_SIZE, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, DEC_SCRATCH_SIZE, "SIGRT_%d", sig - SIGRTMIN);
	else
		snprintf(buf, DEC_SCRATCH_SIZE, "%d", sig);
	return buf;
}

const char *
dec_errno(int err)
{
	char *buf = dec_scratch();
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, DEC_SCRATCH_SIZE, "%d", err);
	return buf;
}

const char *
dec_result(long ret)
{
	return ret == -1 ? dec_errno(errno) : "0";
}

const char *
dec_cap(int cap)
{
	char *buf = dec_scratch();
	char *name = cap_to_name(cap); /* "cap_chown", or the number for one libcap does not know */

	if (!name) {
		snprintf(buf, DEC_SCRATCH_SIZE, "%d", cap);
		return buf;
	}
	snprintf(buf, DEC_SCRATCH_SIZE, "%s", name);
	cap_free(name);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return buf;
}

const char *
dec_wait_status(int status)
{
	char *buf = dec_scratch();

	if (WIFEXITED(status))
		snprintf(buf, DEC_SCRATCH_SIZE, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, DEC_SCRATCH_SIZE, "killed by %s%s", dec_signal(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, DEC_SCRATCH_SIZE, "stopped by %s", dec_signal(WSTOPSIG(status)));
	else
		snprintf(buf, DEC_SCRATCH_SIZE, "status %#x", status);
	return buf;
}
