/*
 * caps_exec.c - what it takes to be given capabilities at execve(2)
 * (caps.h): a copy of a program to execute, file capabilities on it as
 * setcap(8) writes them, and a process that starts from none (a change of
 * uid away from root). Used by 03-capabilities/gain.
 *
 * Read: capabilities(7) ("File capabilities", "Effect of user ID changes on
 * capabilities"), cap_set_fd(3), setresuid(2), prctl(2) PR_SET_KEEPCAPS.
 */
#include "../common/err.h"
#include "../common/trace.h"
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int
caps_copy_self(const char *path, mode_t mode)
{
	char buf[65536];
	ssize_t n = 0;
	int ret = -1, in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0 && out >= 0 && n == 0)
		ret = (int)TRACE(fchmod(out, mode), "fchmod", "%d, 0%o", out, mode);
	if (ret == -1)
		err_sys("%s", path);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/* <<< file-caps */
int
caps_set_file(const char *path, const char *text, char *back, size_t size)
{
	cap_t caps = cap_from_text(text);
	int ret = -1, fd = open(path, O_RDONLY | O_CLOEXEC);

	back[0] = '\0';
	if (!caps || fd == -1) {
		err_sys("%s: %s", path, caps ? "open" : "cap_from_text");
		goto out;
	}
	/* The capabilities live in the file's extended attribute
	 * security.capability: permitted, inheritable, and one effective bit.
	 * setcap(8) writes it with libcap's cap_set_file(), we with its
	 * cap_set_fd(): one fsetxattr(2) (needs CAP_SETFCAP). */
	ret = (int)TRACE(cap_set_fd(fd, caps), "fsetxattr",
			 "%d, \"security.capability\", {%s}, 20, 0", fd, text);
	if (ret == -1) {
		err_sys("cap_set_file %s", path);
		goto out;
	}
	cap_free(caps);
	/* Read back as getcap(8) would show it. */
	if ((caps = cap_get_fd(fd)) != NULL) {
		char *s = cap_to_text(caps, NULL);
		snprintf(back, size, "%s", s ? s : "?");
		cap_free(s);
	}
out:
	cap_free(caps);
	if (fd >= 0)
		close(fd);
	return ret;
}
/* >>> file-caps */

/* <<< nobody */
int
caps_become(uid_t uid, gid_t gid, int keep_caps)
{
	if (keep_caps &&
	    TRACE(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl", "PR_SET_KEEPCAPS, 1, 0, 0, 0") == -1)
		return err_sys("prctl(PR_SET_KEEPCAPS)");
	if (TRACE(setgroups(0, NULL), "setgroups", "0, []") == -1)
		return err_sys("setgroups");
	if (TRACE(setresgid(gid, gid, gid), "setresgid", "%u, %u, %u", (unsigned)gid, (unsigned)gid,
		  (unsigned)gid) == -1)
		return err_sys("setresgid(%u)", (unsigned)gid);
	if (TRACE(setresuid(uid, uid, uid), "setresuid", "%u, %u, %u", (unsigned)uid, (unsigned)uid,
		  (unsigned)uid) == -1)
		return err_sys("setresuid(%u)", (unsigned)uid);
	return 0;
}
/* >>> nobody */
