/*
 * test_session_user.c - the session suite's users (test_session.c makes the
 * suite): who COMMAND runs as - --user by number and by name, supplementary
 * groups, HOME and umask - as docker does.
 */
#include "../suites.h"
#include "harness.h"
#include "session_test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ---- who COMMAND runs as ---- */

/* A layer over the default image whose /etc/passwd and /etc/group name a
 * user with supplementary groups (the image itself has root and nobody,
 * scripts/mkimage.sh, and lists no group members). */
static const char *
user_layer(void)
{
	static char layer[128];
	char etc[160];

	snprintf(layer, sizeof(layer), "%s", path_in("layer"));

	snprintf(etc, sizeof(etc), "%s/etc", layer);
	ck_assert_int_eq(mkdir(layer, 0755), 0);
	ck_assert_int_eq(mkdir(etc, 0755), 0);
	snprintf(etc, sizeof(etc), "%s/etc/passwd", layer);
	write_file(etc,
		   "root:x:0:0:root:/root:/bin/sh\n"
		   "ada:x:1500:1500:Ada:/home/ada:/bin/sh\n"
		   "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		   0644);
	snprintf(etc, sizeof(etc), "%s/etc/group", layer);
	write_file(etc,
		   "root:x:0:\n"
		   "ada:x:1500:\n"
		   "audio:x:29:ada\n"
		   "staff:x:50:bob,ada\n"
		   "nogroup:x:65534:\n",
		   0644);
	return layer;
}

static const char *probe = "echo \"$(id -u):$(id -g)|$(grep ^Groups: /proc/self/status | "
			   "cut -f2)|$HOME|$(umask)\"";

/* The caller's umask 0 and extra groups must not come in. */
static void
careless_caller(void)
{
	gid_t g[] = {0, 4321};
	umask(0);
	setgroups(2, g);
}

START_TEST(user_as_docker)
{
	static const struct {
		const char *user, *want;
	} cases[] = {
	    {NULL, "0:0|0 |/root|0022\n"}, /* root: the image's groups, not ours */
	    {"nobody", "65534:65534|65534 |/nonexistent|0022\n"},
	    {"4242", "4242:4242|4242 |/|0022\n"}, /* no entry: HOME=/, groups its gid */
	    {"nobody:root", "65534:0|0 |/nonexistent|0022\n"}, /* GROUP given: just it */
	    {"65534:7", "65534:7|7 |/nonexistent|0022\n"},
	};
	char out[65536], err[65536];

	before_exec = careless_caller;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *with[] = {"-q", "--user", cases[i].user, "--", "sh", "-c", probe, NULL};
		const char *without[] = {"-q", "--", "sh", "-c", probe, NULL};
		const char *who = cases[i].user ? cases[i].user : "(none)";
		int status = run_files(NULL, out, err, sizeof(out), cases[i].user ? with : without);
		ck_assert_msg(status == 0, "--user %s: exit %d: %.1500s", who, status, err);
		ck_assert_msg(strcmp(out, cases[i].want) == 0, "--user %s: '%.500s', expected '%s'",
			      who, out, cases[i].want);
	}
	/* A file made inside is 0644 (umask 0022), the caller's umask 0 apart. */
	const char *touch[] = {
	    "-q", "--user", "nobody", "--", "sh", "-c", "touch /tmp/f; stat -c %a /tmp/f", NULL};
	ck_assert_int_eq(run_files(NULL, out, err, sizeof(out), touch), 0);
	ck_assert_str_eq(out, "644\n");
	before_exec = NULL;
	/* --env HOME wins over the passwd entry. */
	const char *home[] = {"-q", "--env", "HOME=/work", "--user",	 "nobody",
			      "--", "sh",    "-c",	   "echo $HOME", NULL};
	ck_assert_int_eq(run_files(NULL, out, err, sizeof(out), home), 0);
	ck_assert_str_eq(out, "/work\n");
}
END_TEST

/* Names from the image's files, and the supplementary groups that list the
 * user (as docker sets them with setgroups). */
START_TEST(user_names_and_groups)
{
	char out[65536], err[65536];
	const char *layer = user_layer();
	const char *ada[] = {"-q", "--layer", layer, "--user", "ada",
			     "--", "sh",      "-c",  probe,    NULL};

	ck_assert_msg(run_files(NULL, out, err, sizeof(out), ada) == 0, "%.1500s", err);
	ck_assert_str_eq(out, "1500:1500|29 50 |/home/ada|0022\n");
	const char *ada_staff[] = {"-q", "--layer", layer, "--user", "ada:staff",
				   "--", "sh",	    "-c",  probe,    NULL};
	ck_assert_msg(run_files(NULL, out, err, sizeof(out), ada_staff) == 0, "%.1500s", err);
	ck_assert_str_eq(out, "1500:50|50 |/home/ada|0022\n");
	const char *by_uid[] = {"-q", "--layer", layer, "--user", "1500",
				"--", "sh",	 "-c",	probe,	  NULL};
	ck_assert_msg(run_files(NULL, out, err, sizeof(out), by_uid) == 0, "%.1500s", err);
	ck_assert_str_eq(out, "1500:1500|29 50 |/home/ada|0022\n");
}
END_TEST

/* A name the image does not have: 125, one line naming it, nothing left. */
START_TEST(user_unknown_name)
{
	static const struct {
		const char *user, *want;
	} cases[] = {
	    {"nosuch", "--user 'nosuch': no user 'nosuch' in the image's /etc/passwd"},
	    {"nobody:nosuch",
	     "--user 'nobody:nosuch': no group 'nosuch' in the image's /etc/group"},
	};
	char out[65536], err[65536];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = {"--user", cases[i].user, "--", "true", NULL};
		ck_assert_int_eq(run_files(NULL, out, err, sizeof(out), args), 125);
		ck_assert_msg(strstr(err, cases[i].want), "--user %s:\n%.1500s", cases[i].user,
			      err);
		session_assert_nothing_left(run_container_id(err));
	}
}
END_TEST

void
session_add_user(Suite *s)
{
	ADD(s, user_as_docker);
	ADD(s, user_names_and_groups);
	ADD(s, user_unknown_name);
}
