/*
 * user.c - who COMMAND runs as (see ctr.h): --user USER[:GROUP] looked up
 * in the container's own /etc/passwd and /etc/group, as docker run does
 * (runc's libcontainer/user, GetExecUser).
 *
 * Read inside the container, after pivot_root(2): the files are the
 * image's (or a volume's), never the host's - a name means what it means
 * in the image. The rules, docker's:
 *   - USER a name: its passwd entry, or an error; a number: its entry if
 *     there is one, else that uid with HOME=/ and no name;
 *   - the primary group: GROUP when given (a name from /etc/group or a
 *     number), else the entry's gid; for a uid with no entry nutshell
 *     takes the gid equal to the uid (docker takes 0, the root group: a
 *     uid nobody named should not get the group that owns root's files);
 *   - the supplementary groups: GROUP given, just it; else every group of
 *     /etc/group that lists the user's name, or just the primary gid when
 *     none does - never the caller's own (setgroups(2) replaces them);
 *   - HOME: the entry's home directory, else "/".
 * Read: passwd(5), group(5), fgetpwent(3), fgetgrent(3), setgroups(2).
 */
#include "../common/err.h"
#include "ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An image's /etc/passwd may be anything: a FIFO would hang us, a device
 * would be read without end. Only a regular file is read. */
static FILE *
open_db(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* The passwd entry of NAME (or, NAME NULL, of UID): 1 found (home and name
 * copied out), 0 not, -1 a file that cannot be read (no file: 0). */
static int
find_passwd(const char *path, const char *name, uid_t uid, struct ctr_user *u)
{
	FILE *f = open_db(path);
	struct passwd *pw;
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (!found && (pw = fgetpwent(f)))
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
			snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
			snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir[0] ? pw->pw_dir : "/");
			found = 1;
		}
	fclose(f);
	return found;
}

/* GROUP by name: its gid. 1 found, 0 not, -1 unreadable. */
static int
find_group(const char *path, const char *name, gid_t *gid)
{
	FILE *f = open_db(path);
	struct group *gr;
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (!found && (gr = fgetgrent(f)))
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			found = 1;
		}
	fclose(f);
	return found;
}

/* The groups that list NAME as a member, into u->groups. */
static int
member_groups(const char *path, const char *name, struct ctr_user *u)
{
	FILE *f = open_db(path);
	struct group *gr;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		return err_sys("%s", path);
	}
	while ((gr = fgetgrent(f)))
		for (char **m = gr->gr_mem; m && *m; m++) {
			if (strcmp(*m, name) != 0)
				continue;
			if (u->ngroups == CTR_MAX_GROUPS) {
				fclose(f);
				return err_set(E2BIG, "%s: user '%s' is in more than %d groups",
					       path, name, CTR_MAX_GROUPS);
			}
			u->groups[u->ngroups++] = gr->gr_gid;
			break;
		}
	fclose(f);
	return 0;
}

int
ctr_user_lookup(const struct ctr_config *cfg, const char *passwd, const char *group,
		struct ctr_user *u)
{
	/* No --user: uid 0, looked up by number as docker does. */
	const char *uname = cfg->user_set ? cfg->user_name : "";
	int found;

	memset(u, 0, sizeof(*u));
	u->uid = cfg->user_set ? cfg->uid : 0;
	u->gid = u->uid; /* no entry, no group given: see the top */
	snprintf(u->home, sizeof(u->home), "/");
	found = find_passwd(passwd, uname[0] ? uname : NULL, u->uid, u);
	if (found == -1)
		return err_sys("%s", passwd);
	if (!found && uname[0])
		return err_set(ENOENT, "--user '%s': no user '%s' in the image's %s",
			       cfg->user_spec, uname, passwd);
	if (cfg->gid_set && cfg->group_name[0]) {
		int g = find_group(group, cfg->group_name, &u->gid);
		if (g == -1)
			return err_sys("%s", group);
		if (g == 0)
			return err_set(ENOENT, "--user '%s': no group '%s' in the image's %s",
				       cfg->user_spec, cfg->group_name, group);
	} else if (cfg->gid_set)
		u->gid = cfg->gid;
	if (!cfg->gid_set && u->name[0] && member_groups(group, u->name, u) == -1)
		return -1;
	if (u->ngroups == 0)
		u->groups[u->ngroups++] = u->gid;
	return 0;
}
