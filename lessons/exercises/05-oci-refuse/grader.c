/*
 * grader.c - exercise 05-oci-refuse: `make grade EX=05-oci-refuse`.
 *
 * The program is a shell script (skeleton.sh) that writes a bundle and runs
 * `nutshell create` on it, with nutshell's trace in the grader's --json
 * file: the parts read that trace, the script's lines and the host after.
 */
#include "../grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFUSED	    "nutshell refused config.json (exit "
#define UNSUPPORTED ": not supported by nutshell"

/* The field nutshell named ("linux.intelRdt"), from its line; "" if none. */
static const char *
named_field(void)
{
	static char field[256];
	const char *line = strstr(grade_run.out, "config.json: ");
	const char *end = line ? strstr(line, UNSUPPORTED) : NULL;

	field[0] = '\0';
	if (line && end) {
		line += strlen("config.json: ");
		snprintf(field, sizeof(field), "%.*s", (int)(end - line), line);
	}
	return field;
}

START_TEST(trace_is_honest)
{
	ck_assert_msg(grade_run.status == 0, "the script ended with status %d; its last lines:\n%s",
		      grade_run.status, grade_err_tail());
	ck_assert_msg(json_array_size(grade_run.events) > 0,
		      "nutshell wrote no trace: keep '--json \"$trace\"' on its command line");
	grade_assert_trace();
}
END_TEST

START_TEST(refused)
{
	ck_assert_msg(strstr(grade_run.out, REFUSED),
		      "nutshell accepted your config.json and created the container: add a field "
		      "it does not implement (TODO 1). The script said:\n%s",
		      grade_run.out);
}
END_TEST

START_TEST(refused_a_field)
{
	/* The refusal, as nutshell traced it: a note with errno EOPNOTSUPP
	 * (err_set in oci_spec.c), not EINVAL (a value, or JSON syntax). */
	json_t *ev = run_find(&grade_run, "note", "errno", "EOPNOTSUPP");

	ck_assert_msg(ev && strstr(grade_run.out, UNSUPPORTED),
		      "nutshell refused it, but not for a field it does not implement: a "
		      "mistake in the JSON or a value it checks is another refusal (TODO 1). "
		      "It said:\n%s",
		      grade_run.out);
}
END_TEST

START_TEST(why_named)
{
	const char *field = named_field(), *said = strstr(grade_run.out, "you say it named: ");

	ck_assert_msg(field[0], "no field named in nutshell's line (TODO 1 first):\n%s",
		      grade_run.out);
	ck_assert_msg(said, "the script does not say what you read (keep its last echo)");
	said += strlen("you say it named: ");
	ck_assert_msg(strncmp(said, field, strlen(field)) == 0 && said[strlen(field)] == '\n',
		      "WHY is '%.*s', but nutshell named '%s' (TODO 2)", (int)strcspn(said, "\n"),
		      said, field);
}
END_TEST

START_TEST(nothing_left)
{
	/* A refused create makes nothing: no container cgroup (nutshell
	 * names it oci-ID), no state. The script removes its bundle. */
	grade_assert_nothing_left("find /sys/fs/cgroup -maxdepth 6 -name 'oci-ex-refuse*'; ls -d "
				  "/tmp/nutshell-refuse.* 2>/dev/null");
}
END_TEST

int
main(int argc, char **argv)
{
	grade_begin("05-oci-refuse", "nutshell creates containers", argc, argv, NULL);
	grade_part("the script runs, and strace agrees with nutshell's trace", trace_is_honest);
	grade_part("nutshell refuses the config.json", refused);
	grade_part("it refuses a field it does not implement", refused_a_field);
	grade_part("WHY names the field nutshell named", why_named);
	grade_part("nothing is left behind", nothing_left);
	return grade_end();
}
