/*
 * test_exercises.c - the workshop exercises (lessons/exercises/NN-name):
 * every grader passes its reference solution and fails the untouched
 * skeleton, with a hint. `make` builds all three of each.
 */
#include "../suites.h"
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs DIR/grader on DIR/WHICH; its exit status, its output into out. */
static int
grade(const char *root, const char *dir, const char *which, char *out, size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && lessons/exercises/%s/grader lessons/exercises/%s/%s 2>&1", root, dir,
		 dir, which);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The reference answer passes, the untouched skeleton fails with a hint. */
static void
check_exercise(const char *root, const char *name)
{
	static char out[8192];

	int st = grade(root, name, "solution/skeleton", out, sizeof(out));
	ck_assert_msg(st == 0, "%s: the grader fails the reference solution (%d):\n%s", name, st,
		      out);
	ck_assert_msg(strstr(out, "parts pass: well done"), "%s:\n%s", name, out);
	st = grade(root, name, "skeleton", out, sizeof(out));
	ck_assert_msg(st == 1, "%s: the grader passes the untouched skeleton (%d):\n%s", name, st,
		      out);
	ck_assert_msg(strstr(out, "FAIL  ") && strstr(out, "\nhint: "),
		      "%s: no FAIL line and hint:\n%s", name, out);
}

/* 05-oci-podman needs podman, 05-oci-docker docker (make engine-deps):
 * their own cases below. */
#define PODMAN_EXERCISE "05-oci-podman"
#define DOCKER_EXERCISE "05-oci-docker"

START_TEST(graders_pass_solutions_fail_skeletons)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char path[512];
	int found = 0;

	snprintf(path, sizeof(path), "%s/lessons/exercises", root);
	DIR *d = opendir(path);
	ck_assert_msg(d, "no %s", path);
	for (struct dirent *e; (e = readdir(d));) {
		snprintf(path, sizeof(path), "%s/lessons/exercises/%s/grader.c", root, e->d_name);
		if (e->d_name[0] == '.' || access(path, F_OK) != 0 ||
		    strcmp(e->d_name, PODMAN_EXERCISE) == 0 ||
		    strcmp(e->d_name, DOCKER_EXERCISE) == 0)
			continue;
		found++;
		check_exercise(root, e->d_name);
	}
	closedir(d);
	ck_assert_msg(found >= 5, "only %d exercises found", found);
}
END_TEST

START_TEST(grader_oci_podman)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";

	if (access("/usr/bin/podman", X_OK) != 0)
		TEST_SKIP("no podman here (make engine-deps installs podman)");
	check_exercise(root, PODMAN_EXERCISE);
}
END_TEST

START_TEST(grader_oci_docker)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";

	if (access("/usr/sbin/dockerd", X_OK) != 0)
		TEST_SKIP("no docker here (make engine-deps installs docker.io)");
	check_exercise(root, DOCKER_EXERCISE);
}
END_TEST

Suite *
suite_exercises(void)
{
	Suite *s = suite_create("exercises");
	TCase *tc = tcase_create("exercises");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, graders_pass_solutions_fail_skeletons);
	tcase_add_test(tc, grader_oci_podman);
	tcase_add_test(tc, grader_oci_docker);
	suite_add_tcase(s, tc);
	return s;
}
