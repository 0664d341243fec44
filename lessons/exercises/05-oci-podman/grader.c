/*
 * grader.c - exercise 05-oci-podman: `make grade EX=05-oci-podman`.
 *
 * The program is a shell script (skeleton.sh) that gives podman a world of
 * its own and runs one container; with nutshell as podman's runtime, and
 * the grader's --json file passed to nutshell through podman's annotation,
 * the parts read what nutshell did for podman.
 */
#include "../grade.h"

#include <stdio.h>
#include <string.h>

START_TEST(container_ran)
{
	ck_assert_msg(strstr(grade_run.out, "hello from podman\n") && grade_run.status == 0,
		      "podman did not run the container (exit %d); its last lines:\n%s",
		      grade_run.status, grade_err_tail());
}
END_TEST

START_TEST(nutshell_made_it)
{
	grade_assert_nutshell_made_it("podman", "was nutshell the runtime (--runtime, TODO 1), "
						"and did podman pass it the file (--annotation "
						"org.nutshell.trace=\"$trace\", TODO 2)?");
}
END_TEST

START_TEST(trace_is_honest)
{
	grade_assert_trace();
}
END_TEST

START_TEST(nothing_left)
{
	/* The script removes its directory, podman's cgroups and what podman
	 * writes outside its root; conmon has exited. */
	grade_assert_nothing_left("ls -d /tmp/nutshell-podman.* 2>/dev/null; find /sys/fs/cgroup "
				  "-maxdepth 2 -name 'nutshell-ex-podman-*'; pgrep -f "
				  "'[c]onmon.*nutshell-podman'");
}
END_TEST

int
main(int argc, char **argv)
{
	grade_begin("05-oci-podman", "podman and nutshell make containers", argc, argv, NULL);
	grade_part("podman runs the container: hello from podman", container_ran);
	grade_part("nutshell made it: its trace has the namespaces and pivot_root",
		   nutshell_made_it);
	grade_part("strace agrees with nutshell's trace", trace_is_honest);
	grade_part("nothing is left behind", nothing_left);
	return grade_end();
}
