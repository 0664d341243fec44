/*
 * test_transcript_files.c - the book's transcripts show a reader's machine,
 * not the one they were captured on (issue 19): the normaliser on samples,
 * then every stored transcript (book/transcripts/ and the VM lane's v2/).
 * No root needed: it reads files.
 */
#include "../integration/transcript_norm.h"
#include "../suites.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tn_rules
sample_rules(void)
{
	struct tn_rules r = {.n = 3};

	snprintf(r.r[0].from, sizeof(r.r[0].from), "/work/main");
	r.r[0].to = TN_ROOT;
	snprintf(r.r[1].from, sizeof(r.r[1].from), "/process_api/bfc721da29ebd04e8ed4f11e6b2fe00e");
	r.r[1].to = TN_CGROUP;
	snprintf(r.r[2].from, sizeof(r.r[2].from), "process_api");
	r.r[2].to = TN_INIT;
	return r;
}

static void
expect(const char *in, const char *want)
{
	struct tn_rules r = sample_rules();
	char *got = tn_normalise(&r, in);

	ck_assert_msg(strcmp(got, want) == 0, "normalise(%s)\n got: %s\nwant: %s", in, got, want);
	free(got);
}

START_TEST(normalise_samples)
{
	/* Whole paths. */
	expect("# memory: our cgroup /process_api/bfc721da29ebd04e8ed4f11e6b2fe00e is x\n",
	       "# memory: our cgroup " TN_CGROUP " is x\n");
	expect("lowerdir=/work/main/images/busybox,upperdir=/tmp/nutshell-pivot.xGJvUl/upper",
	       "lowerdir=" TN_ROOT "/images/busybox,upperdir=/tmp/nutshell-pivot.XXXXXX/upper");
	expect("/dev/shm/nutshell-run-4ac65358f394.rqdKA1/work",
	       "/dev/shm/nutshell-run-4ac65358f394.XXXXXX/work");
	/* The host's pid 1, seen from a chroot; the cgroup rule comes first. */
	expect("/proc/1/comm: process_api\n", "/proc/1/comm: " TN_INIT "\n");
	expect("4:memory:/process_api/bfc721da29ebd04e8ed4f11e6b2fe00e\n",
	       "4:memory:" TN_CGROUP "\n");
	/* Not the checkout: /work/mainly, /x/work/main. */
	expect("/work/mainly /x/work/main", "/work/mainly /x/work/main");
	/* A string the trace cut at 64 characters: completed, normalised, cut. */
	expect("mkdir(\"/sys/fs/cgroup/memory/process_api/bfc721da29ebd04e8ed4f11e6b2fe0\"..., "
	       "0755) = 0",
	       "mkdir(\"/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-1.scope\"..., "
	       "0755) = 0");
	expect("mount(\"overlay\", \"m\", \"overlay\", 0, "
	       "\"lowerdir=/tmp/nutshell-layers.bicGJn/app:/work/main/images/busyb\"...) = 0",
	       "mount(\"overlay\", \"m\", \"overlay\", 0, "
	       "\"lowerdir=/tmp/nutshell-layers.XXXXXX/app:/home/you/nutshell/imag\"...) = 0");
	/* Short strings and quotes that are not cut stay as they are. */
	expect("write(11, \"33554432\", 8) = 8", "write(11, \"33554432\", 8) = 8");
}
END_TEST

START_TEST(detector_samples)
{
	char what[128];

	ck_assert_int_eq(tn_machine_specific("cgroup /process_api/abc", what, sizeof(what)), 1);
	ck_assert_int_eq(tn_machine_specific("lowerdir=/work/main/images", what, sizeof(what)), 1);
	ck_assert_int_eq(tn_machine_specific("\"/nutshell/images/busybox\"", what, sizeof(what)),
			 1);
	ck_assert_int_eq(
	    tn_machine_specific("/tmp/nutshell-pivot.xGJvUl/merged", what, sizeof(what)), 1);
	ck_assert_int_eq(tn_machine_specific("/tmp/nutshell-pivot.XXXXXX/merged "
					     "/sys/fs/cgroup/nutshell-memory-12/x " TN_ROOT
					     "/images",
					     what, sizeof(what)),
			 0);
}
END_TEST

static int
check_dir(const char *dir, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int bad = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		char path[1024], what[128];

		if (!dot || (strcmp(dot, ".trace") && strcmp(dot, ".out") && strcmp(dot, ".json") &&
			     strcmp(dot, ".calls")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "re");
		char *text = NULL;
		size_t len = 0;

		ck_assert_ptr_nonnull(f);
		/* -1 at once: an empty file (a program that prints nothing). */
		if (getdelim(&text, &len, '\0', f) < 0 && !ferror(f) && text)
			text[0] = '\0';
		ck_assert_msg(!ferror(f) && text, "cannot read %s", path);
		fclose(f);
		if (tn_machine_specific(text, what, sizeof(what))) {
			printf("transcript-files: %s holds a path of the capturing machine: %s\n",
			       path, what);
			fflush(stdout); /* Check's failure ends the process */
			bad++;
		}
		free(text);
		(*files)++;
	}
	closedir(d);
	return bad;
}

START_TEST(no_machine_paths)
{
	const char *root = getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".";
	char dir[512];
	int files = 0, bad = 0;

	snprintf(dir, sizeof(dir), "%s/book/transcripts", root);
	bad += check_dir(dir, &files);
	snprintf(dir, sizeof(dir), "%s/book/transcripts/v2", root);
	bad += check_dir(dir, &files);
	ck_assert_msg(files > 0, "no transcripts found under %s/book/transcripts", root);
	ck_assert_msg(bad == 0,
		      "%d transcript file(s) hold machine paths (listed above); re-record them "
		      "with 'sudo make transcripts' / 'make transcripts-vm'",
		      bad);
}
END_TEST

Suite *
suite_transcript_files(void)
{
	Suite *s = suite_create("transcript-files");
	TCase *tc = tcase_create("paths");

	tcase_add_test(tc, normalise_samples);
	tcase_add_test(tc, detector_samples);
	tcase_add_test(tc, no_machine_paths);
	suite_add_tcase(s, tc);
	return s;
}
