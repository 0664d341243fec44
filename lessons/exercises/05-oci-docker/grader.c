/*
 * grader.c - exercise 05-oci-docker: `make grade EX=05-oci-docker`.
 *
 * The program is a shell script (skeleton.sh) that starts a dockerd of its
 * own with nutshell as a runtime and the grader's --json file in dockerd's
 * NUTSHELL_JSON, runs one container, and prints what it finds in that
 * trace: the destinations of the mounts docker asked for (TODO 1), and of
 * those the binds of files docker made for the container (TODO 2). The
 * parts work the same lists out of the trace themselves, from nutshell's
 * notes "mounts DEST (TYPE): from SOURCE", and compare.
 */
#include "../grade.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MOUNTS_HEADER "mounts docker asked for:\n"
#define FILES_HEADER  "files docker made for the container:\n"

/* /run/containerd before the run: dockerd's containerd makes it. */
static int had_run_containerd;

/* The lines the script printed after HEADER, up to the next header. */
static const char *
printed(const char *header, char *buf, size_t size)
{
	const char *p = strstr(grade_run.out ? grade_run.out : "", header);

	if (!p)
		return NULL;
	p += strlen(header);
	const char *end = strstr(p, FILES_HEADER);
	size_t n = end ? (size_t)(end - p) : strlen(p);
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), p);
	return buf;
}

/* The same list from the trace: the destination of every note "mounts
 * DEST (TYPE): from SOURCE", in order; with FROM, only those whose SOURCE
 * contains it. */
static const char *
expected(const char *from, char *buf, size_t size)
{
	size_t i, len = 0;
	json_t *ev;

	buf[0] = '\0';
	json_array_foreach(grade_run.events, i, ev)
	{
		const char *e = json_string_value(json_object_get(ev, "ev"));
		const char *t = json_string_value(json_object_get(ev, "text"));
		const char *type = t ? strstr(t, " (") : NULL;

		if (!e || strcmp(e, "note") || !t || strncmp(t, "mounts /", 8) || !type)
			continue;
		const char *src = strstr(type, "): from ");
		if (from && (!src || !strstr(src, from)))
			continue;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%.*s\n",
						(int)(type - t - 7), t + 7);
	}
	return buf;
}

/* The first line where MINE and THEIRS differ, for a hint. */
static void
assert_same(const char *mine, const char *theirs, const char *todo, const char *how)
{
	int line = 1;
	size_t i = 0;

	ck_assert_msg(theirs[0], "nutshell's trace has no notes \"mounts DEST (TYPE): ...\": was "
				 "it built from this toolkit (make all)?");
	ck_assert_msg(mine[0], "%s printed nothing: %s", todo, how);
	while (mine[i] && mine[i] == theirs[i])
		line += mine[i++] == '\n';
	if (!mine[i] && !theirs[i])
		return;
	const char *m = mine + i, *t = theirs + i;
	while (m > mine && m[-1] != '\n')
		m--;
	while (t > theirs && t[-1] != '\n')
		t--;
	ck_abort_msg("%s: line %d is '%.*s', the trace's is '%.*s' (%s)", todo, line,
		     (int)strcspn(m, "\n"), m, (int)strcspn(t, "\n"), t,
		     *t ? "one line a mount, in the trace's order" : "the trace has no more");
}

START_TEST(container_ran)
{
	ck_assert_msg(strstr(grade_run.out, "hello from docker\n") && grade_run.status == 0,
		      "docker did not run the container (exit %d); its last lines:\n%s",
		      grade_run.status, grade_err_tail());
}
END_TEST

START_TEST(nutshell_made_it)
{
	grade_assert_nutshell_made_it("docker",
				      "was nutshell docker's runtime (--add-runtime, "
				      "--runtime nutshell), and did dockerd have NUTSHELL_JSON?");
}
END_TEST

START_TEST(mounts_listed)
{
	char mine[4096], theirs[4096];

	ck_assert_msg(printed(MOUNTS_HEADER, mine, sizeof(mine)),
		      "the script did not print the line '%.*s': keep the echo lines at its end",
		      (int)strlen(MOUNTS_HEADER) - 1, MOUNTS_HEADER);
	assert_same(mine, expected(NULL, theirs, sizeof(theirs)), "mount_targets (TODO 1)",
		    "grep the trace's notes (\"ev\":\"note\") whose text starts \"mounts /\", "
		    "and keep DEST of \"mounts DEST (TYPE): ...\" (sed)");
}
END_TEST

START_TEST(files_listed)
{
	char mine[4096], theirs[4096], from[128];
	json_t *create = NULL, *ev;
	size_t i;

	/* The container's id: the first word after "create" in its note. */
	json_array_foreach(grade_run.events, i, ev)
	{
		const char *t = json_string_value(json_object_get(ev, "text"));
		if (!create && t && strncmp(t, "create ", 7) == 0)
			create = ev;
	}
	ck_assert_msg(create, "nutshell's trace has no note \"create ID: ...\"");
	const char *t = json_string_value(json_object_get(create, "text")) + 7;
	snprintf(from, sizeof(from), "/containers/%.*s/", (int)strcspn(t, ": "), t);
	ck_assert_msg(printed(FILES_HEADER, mine, sizeof(mine)),
		      "the script did not print the line '%.*s': keep the echo lines at its end",
		      (int)strlen(FILES_HEADER) - 1, FILES_HEADER);
	assert_same(mine, expected(from, theirs, sizeof(theirs)), "file_binds (TODO 2)",
		    "the same notes, only those \"(bind): from $dir/data/containers/...\"");
}
END_TEST

START_TEST(trace_is_honest)
{
	grade_assert_trace();
}
END_TEST

START_TEST(nothing_left)
{
	char cmd[1024];

	/* The script stops its dockerd, kills what dockerd left (containerd
	 * and shims naming its directory), unmounts what is left under the
	 * directory and removes it, the cgroups made for the container, and
	 * what dockerd wrote outside it. */
	snprintf(cmd, sizeof(cmd),
		 "ls -d /tmp/nutshell-docker.* 2>/dev/null; find /sys/fs/cgroup -maxdepth 2 "
		 "-name 'nutshell-ex-docker-*'; pgrep -af "
		 "'[d]ockerd.*/tmp/nutshell-docker|[c]ontainerd.*/tmp/nutshell-docker'; "
		 "grep ' /tmp/nutshell-docker\\.' /proc/self/mountinfo; %s",
		 /* Last: pgrep must not find this command's own words. */
		 had_run_containerd ? "true" : "ls -d /run/containerd 2>/dev/null");
	grade_assert_nothing_left(cmd);
}
END_TEST

int
main(int argc, char **argv)
{
	had_run_containerd = access("/run/containerd", F_OK) == 0;
	grade_begin("05-oci-docker", "docker and nutshell make containers", argc, argv, NULL);
	grade_part("docker runs the container: hello from docker", container_ran);
	grade_part("nutshell made it: its trace has the namespaces and pivot_root",
		   nutshell_made_it);
	grade_part("the mounts docker asked for, as the trace has them (TODO 1)", mounts_listed);
	grade_part("of them, the files docker made for the container (TODO 2)", files_listed);
	grade_part("strace agrees with nutshell's trace", trace_is_honest);
	grade_part("nothing is left behind", nothing_left);
	return grade_end();
}
