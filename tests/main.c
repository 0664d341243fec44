/*
 * main.c - the test runner: one Check runner over every suite, one summary.
 *
 *   tests/check                          everything this user may run
 *   CK_RUN_SUITE=integration tests/check only the integration suites (the VM lane)
 *   CK_RUN_SUITE=decode tests/check      one suite by name (Check's own variable)
 *   CK_RUN_SUITE=oci-all tests/check     the OCI runtime's suites, then host (make check-oci)
 *
 * Integration suites need root (they create namespaces); without root they
 * are skipped, and this says so, one line per suite, with the reason and the
 * number of its tests. A test that cannot run on this host says so too
 * (TEST_SKIP, harness.h). Check has no skipped state: it counts a skipped
 * test as passed, so the runner counts the skips itself and closes with
 *
 *   N passed, N failed, N skipped
 *
 * on a line of its own, last. NUTSHELL_NO_SKIP=LANE (CI: host, vm) fails the
 * run on any skip that tests/skips.allow does not allow on that lane.
 * NUTSHELL_ROOT names the toolkit's top directory (default: the current one).
 */
#include "integration/harness.h"
#include "integration/hostcheck.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Which of them need what (the line a non-root run prints for each). */
static const struct {
	const char *name;
	Suite *(*make)(void);
	const char *needs;
} integration[] = {
    {"uts", suite_uts, "root to create namespaces"},
    {"ipc", suite_ipc, "root to create namespaces"},
    {"pid", suite_pid, "root to create namespaces"},
    {"mnt", suite_mnt, "root to create namespaces"},
    {"cgroupns", suite_cgroupns, "root to create namespaces and cgroups"},
    {"time", suite_time, "root to create namespaces"},
    {"break-pid", suite_break_pid, "root to create namespaces"},
    {"net", suite_net, "root to create namespaces and veth pairs"},
    {"user", suite_user, "root to create namespaces"},
    {"enter", suite_enter, "root to enter namespaces"},
    {"break-net", suite_break_net, "root to create namespaces"},
    {"sets", suite_sets, "root to hold capabilities"},
    {"drop", suite_drop, "root to drop capabilities"},
    {"seccomp", suite_seccomp, "root to create namespaces"},
    {"profile", suite_profile, "root to start containers"},
    {"sysadmin", suite_sysadmin, "root to hold CAP_SYS_ADMIN"},
    {"gain", suite_gain, "root to set file capabilities"},
    {"shocker", suite_shocker, "root to hold CAP_DAC_READ_SEARCH"},
    {"memory", suite_memory, "root to create cgroups"},
    {"pids", suite_pids, "root to create cgroups"},
    {"cpu", suite_cpu, "root to create cgroups"},
    {"freeze", suite_freeze, "root to create cgroups"},
    {"io", suite_io, "root to create cgroups"},
    {"layers", suite_layers, "root to mount overlays"},
    {"unpack", suite_unpack, "root to make whiteout devices and trusted xattrs"},
    {"store", suite_store, "root to make whiteout devices and run containers"},
    {"escape", suite_escape, "root to chroot"},
    {"pivot", suite_pivot, "root to pivot_root"},
    {"newmount", suite_newmount, "root to mount in a mount namespace"},
    {"chroot", suite_chroot, "root to chroot"},
    {"private", suite_private, "root to chroot in a mount namespace of its own"},
    {"rootfs-spec", suite_rootfs_spec, "root to mount in a mount namespace"},
    {"nutshell", suite_nutshell, "root to start containers"},
    {"devices", suite_devices, "root to start containers"},
    {"reliability", suite_reliability, "root to start containers"},
    {"resources", suite_resources, "root to start containers and veth pairs"},
    {"self_exe", suite_self_exe, "root to start containers"},
    {"self_exe_oci", suite_self_exe_oci, "root to create containers as an OCI runtime"},
    {"session", suite_session, "root to start containers on a pty"},
    {"workshop", suite_workshop, "root to start containers and mount on a pty"},
    {"nutshell-load", suite_nutshell_load, "root to start containers"},
    {"transcripts", suite_transcripts, "root to run the programs the book shows"},
    {"exercises", suite_exercises, "root to run the graders"},
    {"exercises-oci", suite_exercises_oci, "root to run the OCI exercises' graders"},
    {"doctor", suite_doctor, "root to try user namespaces as root and as nobody"},
    {"oci", suite_oci, "root to create containers as an OCI runtime"},
    {"oci-fields", suite_oci_fields, "root to create containers as an OCI runtime"},
    {"oci-podman", suite_oci_podman, "root to run podman with nutshell as its runtime"},
    {"oci-containerd", suite_oci_containerd, "root to run containerd with nutshell as its runtime"},
    {"oci-docker", suite_oci_docker, "root to run dockerd with nutshell as its runtime"},
    {"oci-spec", suite_oci_spec, "root to run bundles with nutshell as an OCI runtime"},
    /* Last: it compares the host with the baseline taken before any ran. */
    {"host", suite_host, "root: it checks what the integration suites leave behind"},
};

/*
 * The number of tests in a suite that is not run: the link wraps Check's
 * _tcase_add_test (-Wl,--wrap, Makefile), which tcase_add_test() and its
 * loop variants expand to, and counts while counting >= 0.
 */
static int counting = -1;
void __real__tcase_add_test(TCase *tc, const TTest *ttest, int sig, int allowed_exit_value,
			    int start, int end);
void __wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig, int allowed_exit_value,
			    int start, int end);

void
__wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig, int allowed_exit_value, int start,
		       int end)
{
	if (counting >= 0)
		counting += end - start;
	__real__tcase_add_test(tc, ttest, sig, allowed_exit_value, start, end);
}

/* Skips a whole suite, as a skipped test does: one line, into the count. */
static int
skip_suite(int i, const char *only)
{
	if (only && strcmp(only, integration[i].name) != 0)
		return 0;
	SRunner *unrun = srunner_create(NULL);
	counting = 0;
	srunner_add_suite(unrun, integration[i].make());
	int n = counting;
	counting = -1;
	srunner_free(unrun);
	dprintf(harness_skip_fd, "skipped: suite %s (%d test%s): needs %s; run 'sudo make check'\n",
		integration[i].name, n, n == 1 ? "" : "s", integration[i].needs);
	return n;
}

/* Whether LANES, a comma-separated list of lane names ("vm,arm64"), names LANE. */
static int
lane_listed(const char *lanes, const char *lane)
{
	size_t n = strlen(lane);

	for (const char *p = lanes;; p++) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, lane, n) == 0)
			return 1;
		p += len;
		if (*p == '\0')
			return 0;
	}
}

/* Whether tests/skips.allow lets TEST skip on LANE. */
static int
allowed(const char *lane, const char *test)
{
	const char *root = getenv("NUTSHELL_ROOT");
	char path[4096], line[1024], l[64], t[256];
	int ok = 0;

	snprintf(path, sizeof(path), "%s/tests/skips.allow", root ? root : ".");
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ok && fgets(line, sizeof(line), f))
		ok = line[0] != '#' && sscanf(line, "%63s %255s", l, t) == 2 &&
		     lane_listed(l, lane) && strcmp(t, test) == 0;
	fclose(f);
	return ok;
}

/*
 * The skips recorded in the log: prints those of whole suites (the tests'
 * own were printed as they happened), returns how many tests were skipped,
 * and in *unexpected how many lines LANE does not allow.
 */
static int
count_skips(FILE *log, int n_suite_skips, const char *lane, int *unexpected)
{
	char line[1024];
	int n = n_suite_skips;

	*unexpected = 0;
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		char test[256];
		if (strncmp(line, "skipped: suite ", 15) == 0)
			fputs(line, stdout);
		else
			n++;
		if (!lane || sscanf(line, "skipped: %255[^: ]", test) != 1)
			continue;
		if (strcmp(test, "suite") == 0 || !allowed(lane, test)) {
			printf(
			    "NUTSHELL_NO_SKIP=%s: not allowed to skip here (tests/skips.allow): %s",
			    lane, line + 9);
			(*unexpected)++;
		}
	}
	return n;
}

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	const char *only = getenv("CK_RUN_SUITE");
	const char *lane = getenv("NUTSHELL_NO_SKIP");
	int oci_all = only && strcmp(only, "oci-all") == 0;
	int integration_only = oci_all || (only && strcmp(only, "integration") == 0);
	int n_suite_skips = 0, unexpected;

	if (lane && !*lane)
		lane = NULL;
	/* The skip log: an anonymous file the forked tests inherit and append to
	 * (close-on-exec: the programs they run need not see it). */
	int fd = memfd_create("nutshell-skips", MFD_CLOEXEC);
	FILE *log = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!log) {
		perror("tests: cannot make the skip log (memfd_create)");
		return EXIT_FAILURE;
	}
	harness_skip_fd = fd;

	if (integration_only) {
		only = NULL;
		unsetenv("CK_RUN_SUITE"); /* a group of ours, not a suite name of Check's */
	} else {
		srunner_add_suite(sr, suite_decode());
		srunner_add_suite(sr, suite_trace());
		srunner_add_suite(sr, suite_procfs());
		srunner_add_suite(sr, suite_honesty());
		srunner_add_suite(sr, suite_ns());
		srunner_add_suite(sr, suite_caps());
		srunner_add_suite(sr, suite_docker());
		srunner_add_suite(sr, suite_cgroup());
		srunner_add_suite(sr, suite_rootfs());
		srunner_add_suite(sr, suite_transcript_files());
		srunner_add_suite(sr, suite_hostwhy());
		srunner_add_suite(sr, suite_records());
	}
	/* Before anything runs: the host as the integration tests found it.
	 * The host suite, added last, compares against it. */
	if (geteuid() == 0 && hostcheck_take_baseline() != 0) {
		perror("tests: cannot read the host's state");
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < sizeof(integration) / sizeof(*integration); i++) {
		if (oci_all && strncmp(integration[i].name, "oci", 3) != 0 &&
		    strcmp(integration[i].name, "host") != 0)
			continue;
		if (geteuid() == 0)
			srunner_add_suite(sr, integration[i].make());
		else
			n_suite_skips += skip_suite(i, only);
	}

	srunner_run_all(sr, CK_NORMAL);
	int run = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	int skipped = count_skips(log, n_suite_skips, lane, &unexpected);
	fclose(log);
	/* A skipped test returned early and Check counted it among the run. */
	int passed = run - failed - (skipped - n_suite_skips);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	fflush(stdout);
	return failed == 0 && unexpected == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
