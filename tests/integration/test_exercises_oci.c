/*
 * test_exercises_oci.c - the OCI exercises' graders (05-oci-refuse) on
 * answers that are wrong in the ways a participant gets them wrong: the
 * exercises suite grades the reference (PASS) and the untouched skeleton
 * (FAIL); here a config.json with a syntax error (refused, but not for a
 * field: part 3 fails) and a WHY that is not the field nutshell named
 * (part 4 fails), each with its hint; and a participant's own copy of
 * the directory, graded with `make grade EX=PATH` (its skeleton.sh
 * installed there, not compiled).
 */
#include "../suites.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The reference answer with SED applied, graded; status, output in out. */
static int
grade_variant(const char *sed, char *out, size_t size)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char dir[] = "/tmp/nutshell-test.XXXXXX", cmd[2048];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && sed '%s' lessons/exercises/05-oci-refuse/solution/skeleton.sh "
		 ">%s/skeleton && chmod 755 %s/skeleton && lessons/exercises/05-oci-refuse/grader "
		 "%s/skeleton 2>&1; rc=$?; rm -rf %s; exit $rc",
		 root, sed, dir, dir, dir, dir);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

START_TEST(refuse_syntax_error_is_not_a_field)
{
	char out[8192];
	/* "intelRdt": {...} without its closing brace. */
	int st =
	    grade_variant("s/\"l3CacheSchema\": \"L3:0=7f0\"}/\"l3CacheSchema\": \"L3:0=7f0\"/",
			  out, sizeof(out));

	ck_assert_msg(st == 1, "graded %d:\n%s", st, out);
	ck_assert_msg(strstr(out, "PASS  2. nutshell refuses the config.json"), "%s", out);
	ck_assert_msg(strstr(out, "FAIL  3. it refuses a field it does not implement"), "%s", out);
	ck_assert_msg(strstr(out, "hint: ") && strstr(out, "not for a field it does not implement"),
		      "%s", out);
}
END_TEST

START_TEST(refuse_wrong_why)
{
	char out[8192];
	int st = grade_variant("s/^WHY=\"linux.intelRdt\"/WHY=\"intelRdt\"/", out, sizeof(out));

	ck_assert_msg(st == 1, "graded %d:\n%s", st, out);
	ck_assert_msg(strstr(out, "PASS  3. it refuses a field it does not implement"), "%s", out);
	ck_assert_msg(strstr(out, "FAIL  4. WHY names the field nutshell named"), "%s", out);
	ck_assert_msg(strstr(out, "WHY is 'intelRdt', but nutshell named 'linux.intelRdt'"), "%s",
		      out);
}
END_TEST

START_TEST(refuse_own_copy_graded)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char dir[] = "/tmp/nutshell-grade.XXXXXX", cmd[2048], out[8192];

	if (system("command -v make >/dev/null 2>&1") != 0)
		TEST_SKIP("no make here");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir %s/05-oci-refuse && cp lessons/exercises/05-oci-refuse/solution/"
		 "skeleton.sh %s/05-oci-refuse/ && make grade EX=%s/05-oci-refuse 2>&1; rc=$?; "
		 "rm -rf %s; exit $rc",
		 root, dir, dir, dir, dir);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "make grade: %d:\n%s", status,
		      out);
	ck_assert_msg(strstr(out, "05-oci-refuse: 5 of 5 parts pass"), "%s", out);
}
END_TEST

Suite *
suite_exercises_oci(void)
{
	Suite *s = suite_create("exercises-oci");
	TCase *tc = tcase_create("exercises-oci");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, refuse_syntax_error_is_not_a_field);
	tcase_add_test(tc, refuse_wrong_why);
	tcase_add_test(tc, refuse_own_copy_graded);
	suite_add_tcase(s, tc);
	return s;
}
