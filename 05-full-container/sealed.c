/*
 * sealed.c - nutshell runs from a sealed copy of itself (CVE-2019-5736).
 *
 * The attack: the container's COMMAND is /proc/self/exe (a symlink to it,
 * or a script whose "#!" line names it). The kernel resolves that link in
 * the process that calls execve(2) - ours, before COMMAND exists - so the
 * container ends up running the runtime's own host binary. execve made that
 * process dumpable again, so any process of the container can open its
 * /proc/PID/exe, and once no process executes the file any more (ETXTBSY,
 * execve(2), is gone), open it for writing: the next run of the runtime on
 * the host runs the container's code as root. Making the child non-dumpable
 * until execve does not help: the process that exposes the binary is the
 * one after execve. Being static only removes the other half of the runc
 * exploit (a library of the image loaded into the runtime).
 *
 * The defence (runc's libcontainer/nsenter/cloned_binary.c, crun's
 * src/libcrun/cloned_binary.c): before anything else, the launcher copies
 * its binary into a memfd (memfd_create(2)), seals it against every change
 * (F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, then F_SEAL_SEAL: fcntl(2),
 * "File Sealing") and executes that copy. From then on /proc/self/exe of the
 * launcher, of the container's first process before its execve and of the
 * --init process is the copy: the host's file is nowhere in the container's
 * reach, and the copy itself cannot be written (EPERM) by anyone.
 *
 * The copy costs a read and a write of the whole binary on every start (about
 * a third of nutshell's own start-up time on the bench machine, issue 21).
 * runc 1.2 found a view that costs no copy (libcontainer/exeseal/
 * overlayfs_linux.go, sealedOverlayfs): an overlayfs with the binary's
 * directory as its only real layer and no upper layer, made detached with
 * the new mount API (fsopen(2), fsconfig(2), fsmount(2) with
 * MOUNT_ATTR_RDONLY; Linux 5.2) and so in no mount namespace at all: no
 * mount event anyone sees, gone with its last descriptor. A file opened
 * through it and executed is the launcher's exe: writing it through
 * /proc/PID/exe fails with EROFS, the mount is in no namespace a container
 * could remount it in, and unlike a read-only bind mount it cannot be
 * "unwrapped" to the host's inode. Overlayfs wants two lower layers when it
 * has no upper one ("at least 2 lowerdir are needed"): the second is /dev,
 * below the binary's directory so it hides nothing. Where that cannot be
 * made (no overlayfs, a kernel before 5.2 or a seccomp filter that refuses
 * fsopen, no CAP_SYS_ADMIN, the binary at / or in /dev itself), the sealed
 * memfd copy above is made as before.
 *
 * The copy knows itself by its seals, the view by being a file of a
 * read-only overlayfs mount; not by a variable of the environment
 * that a caller could set; the variable below carries only the path of the
 * host's binary across the execve (the default image is found from it), and
 * guards against a loop when the seals cannot be read after the execve.
 * Read: memfd_create(2), fcntl(2) "File Sealing", execveat(2), proc(5)
 * /proc/PID/exe.
 */
#include "../common/trace.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630 /* linux/magic.h */
#endif

#define SEALED_FROM "_NUTSHELL_SEALED_FROM"
#define SEALED_AT   "_NUTSHELL_SEALED_AT" /* NUTSHELL_TIMINGS only */
#define SEALS	    (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static char self_path[PATH_MAX];
static long long sealed_at;
static const char *sealed_how = "a sealed memfd copy";

/* Is the file behind fd a copy sealed as ours are, or a file of a read-only
 * overlayfs mount (the view below)? */
static int
is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	struct statfs sfs;

	if (seals != -1 && (seals & SEALS) == SEALS)
		return 1;
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC &&
	    (sfs.f_flags & ST_RDONLY)) {
		sealed_how = "a read-only overlayfs view";
		return 1;
	}
	return 0;
}

/* The binary at self_path (whose descriptor is fd) seen through a detached,
 * read-only overlayfs of its directory: a descriptor to execute, or -1
 * (errno set) when this kernel or host cannot make one. */
static int
overlay_view(int fd)
{
	char dir[PATH_MAX], lower[2 * PATH_MAX + 8], *slash = strrchr(self_path, '/');
	struct stat real, seen;
	size_t n = 0;
	int ctx = -1, mnt = -1, view = -1;

	if (!slash || slash == self_path || fstat(fd, &real) == -1) {
		errno = EINVAL;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - self_path), self_path);
	/* ':' separates layers and '\' escapes: both escaped in the path. */
	for (const char *c = dir; *c && n < sizeof(lower) - 8; c++) {
		if (*c == ':' || *c == '\\')
			lower[n++] = '\\';
		lower[n++] = *c;
	}
	snprintf(lower + n, sizeof(lower) - n, ":/dev");
	if ((ctx = fsopen("overlay", FSOPEN_CLOEXEC)) == -1)
		goto out;
	if (fsconfig(ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) == -1)
		goto out;
	/* No inode-number mapping: this view needs none, and where the layers
	 * are on different file systems it would log a line each start. */
	(void)fsconfig(ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
	if (fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		goto out;
	mnt =
	    fsmount(ctx, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt == -1)
		goto out;
	view = openat(mnt, slash + 1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	/* The same file: overlayfs shows a lower file's inode number (its
	 * device is overlayfs's own), size and time. */
	if (view >= 0 && (fstat(view, &seen) == -1 || seen.st_ino != real.st_ino ||
			  seen.st_size != real.st_size || seen.st_mtime != real.st_mtime)) {
		close(view);
		view = -1;
		errno = ESTALE;
	}
out:;
	int saved = errno;
	if (mnt >= 0)
		close(mnt); /* the open file keeps the mount */
	if (ctx >= 0)
		close(ctx);
	errno = saved;
	return view;
}

/* <<< sealed */
/* A sealed memfd holding the file behind fd; -1 with errno set. */
static int
sealed_copy(int fd)
{
	struct stat st;
	int mem = -1;

	if (fstat(fd, &st) == -1)
		return -1;
	/* MFD_CLOEXEC: the copy is executed through this descriptor, which
	 * must not survive into the program it starts (execveat(2) of an ELF
	 * file through a close-on-exec descriptor works; of a script, not). */
	mem = memfd_create("nutshell", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	/* MFD_EXEC came in Linux 6.3, with vm.memfd_noexec: where that is
	 * 1, a memfd made without it cannot be executed. Before 6.3 the flag
	 * is unknown (EINVAL), and every memfd can be executed. */
	if (mem == -1 && errno == EINVAL)
		mem = memfd_create("nutshell", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mem == -1)
		return -1;
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(mem, fd, &done, (size_t)(st.st_size - done));
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* the file shrank under us */
			goto fail;
		}
	}
	/* Write, grow and shrink first; sealing the seals themselves last. */
	if (fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == -1)
		goto fail;
	if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL) == -1)
		goto fail;
	return mem;
fail:;
	int saved = errno;
	close(mem);
	errno = saved;
	return -1;
}
/* >>> sealed */

int
ctr_run_sealed(char **argv)
{
	const char *from = getenv(SEALED_FROM);
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	if (is_sealed(fd)) {
		close(fd);
		snprintf(self_path, sizeof(self_path), "%s", from ? from : "");
		if (getenv(SEALED_AT))
			sealed_at = strtoll(getenv(SEALED_AT), NULL, 10);
		unsetenv(SEALED_AT);
		/* Not passed on: to COMMAND (which gets its own environment
		 * anyway), to hooks, or to a nutshell started by this one. */
		unsetenv(SEALED_FROM);
		/* The kernel named us after the descriptor we were executed
		 * through; ps(1) and the tests know us as nutshell. */
		return prctl(PR_SET_NAME, "nutshell", 0, 0, 0);
	}
	if (from) {
		/* We executed the copy, and it is not sealed: no loop. */
		close(fd);
		errno = ELOOP;
		return -1;
	}
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n < 0 || (size_t)n >= sizeof(self_path) - 1) {
		close(fd);
		errno = n < 0 ? errno : ENAMETOOLONG;
		return -1;
	}
	self_path[n] = '\0';
	int mem = overlay_view(fd);
	if (mem == -1)
		mem = sealed_copy(fd);
	int saved = errno;
	close(fd);
	if (mem == -1) {
		errno = saved;
		return -1;
	}
	if (setenv(SEALED_FROM, self_path, 1) == -1)
		return -1;
	struct timespec t;
	if (getenv("NUTSHELL_TIMINGS") && clock_gettime(CLOCK_REALTIME, &t) == 0) {
		char at[32];
		snprintf(at, sizeof(at), "%lld", t.tv_sec * 1000000000LL + t.tv_nsec);
		setenv(SEALED_AT, at, 1);
	}
	fexecve(mem, argv, environ);
	saved = errno;
	unsetenv(SEALED_FROM);
	close(mem);
	errno = saved;
	return -1;
}

long long
ctr_sealed_at(void)
{
	return sealed_at;
}

const char *
ctr_sealed_how(void)
{
	return sealed_how;
}

const char *
ctr_self_path(void)
{
	return self_path;
}
