/*
 * main.c - the test runner: one Check runner over every suite, one summary.
 *
 *   tests/check                          everything this user may run
 *   CK_RUN_SUITE=integration tests/check only the integration suites (the VM lane)
 *   CK_RUN_SUITE=decode tests/check      one suite by name (Check's own variable)
 *
 * Integration suites need root (they create namespaces); without root they
 * are skipped, and this says so, one line per suite, with the reason.
 * NUTSHELL_ROOT names the toolkit's top directory (default: the current one).
 */
#include "integration/hostcheck.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	const char *only = getenv("CK_RUN_SUITE");
	int integration_only = only && strcmp(only, "integration") == 0;

	if (integration_only)
		unsetenv("CK_RUN_SUITE"); /* a group of ours, not a suite name of Check's */
	else {
		srunner_add_suite(sr, suite_decode());
		srunner_add_suite(sr, suite_trace());
		srunner_add_suite(sr, suite_procfs());
		srunner_add_suite(sr, suite_honesty());
		srunner_add_suite(sr, suite_ns());
		srunner_add_suite(sr, suite_caps());
		srunner_add_suite(sr, suite_cgroup());
		srunner_add_suite(sr, suite_rootfs());
	}
	if (geteuid() == 0) {
		/* Before anything runs: the host as the integration tests found it.
		 * The host suite, added last, compares against it. */
		if (hostcheck_take_baseline() != 0) {
			perror("tests: cannot read the host's state");
			return EXIT_FAILURE;
		}
		srunner_add_suite(sr, suite_uts());
		srunner_add_suite(sr, suite_ipc());
		srunner_add_suite(sr, suite_pid());
		srunner_add_suite(sr, suite_mnt());
		srunner_add_suite(sr, suite_cgroupns());
		srunner_add_suite(sr, suite_time());
		srunner_add_suite(sr, suite_break_pid());
		srunner_add_suite(sr, suite_net());
		srunner_add_suite(sr, suite_user());
		srunner_add_suite(sr, suite_enter());
		srunner_add_suite(sr, suite_break_net());
		srunner_add_suite(sr, suite_sets());
		srunner_add_suite(sr, suite_drop());
		srunner_add_suite(sr, suite_seccomp());
		srunner_add_suite(sr, suite_sysadmin());
		srunner_add_suite(sr, suite_gain());
		srunner_add_suite(sr, suite_shocker());
		srunner_add_suite(sr, suite_memory());
		srunner_add_suite(sr, suite_pids());
		srunner_add_suite(sr, suite_cpu());
		srunner_add_suite(sr, suite_freeze());
		srunner_add_suite(sr, suite_io());
		srunner_add_suite(sr, suite_layers());
		srunner_add_suite(sr, suite_unpack());
		srunner_add_suite(sr, suite_escape());
		srunner_add_suite(sr, suite_pivot());
		srunner_add_suite(sr, suite_chroot());
		srunner_add_suite(sr, suite_nutshell());
		srunner_add_suite(sr, suite_reliability());
		srunner_add_suite(sr, suite_nutshell_load());
		srunner_add_suite(sr, suite_transcripts());
		srunner_add_suite(sr, suite_exercises());
		srunner_add_suite(sr, suite_host());
	} else {
		printf("skipped: suite uts (integration): needs root to create namespaces; "
		       "run 'sudo make check'\n");
		printf("skipped: suites ipc, pid, mnt, cgroupns, time, break-pid (integration): "
		       "need root to create namespaces; run 'sudo make check'\n");
		printf("skipped: suites net, user, enter, break-net (integration): need root to "
		       "create namespaces; run 'sudo make check'\n");
		printf("skipped: suites memory, pids, cpu, freeze, io (integration): need root to "
		       "create cgroups; run 'sudo make check'\n");
		printf("skipped: suite exercises (integration): the graders need root; run "
		       "'sudo make check'\n");
		printf("skipped: suite host (nothing left behind): needs root; it checks what the "
		       "integration suites leave\n");
	}

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
