/*
 * suites.h - every Check suite of the test binary tests/check.
 *
 * Unit suites test pure functions and need no root; integration suites run
 * the built programs and need root; the host suite checks, last, that the
 * integration suites left nothing behind.
 */
#ifndef NUTSHELL_SUITES_H
#define NUTSHELL_SUITES_H

#include <check.h>

Suite *suite_decode(void);
Suite *suite_trace(void);
Suite *suite_procfs(void);
Suite *suite_honesty(void);
Suite *suite_ns(void);
Suite *suite_caps(void);
Suite *suite_docker(void);
Suite *suite_cgroup(void);
Suite *suite_rootfs(void);
Suite *suite_transcript_files(void);
Suite *suite_hostwhy(void);
Suite *suite_records(void);

Suite *suite_uts(void);
Suite *suite_ipc(void);
Suite *suite_pid(void);
Suite *suite_mnt(void);
Suite *suite_cgroupns(void);
Suite *suite_time(void);
Suite *suite_break_pid(void);
Suite *suite_net(void);
Suite *suite_user(void);
Suite *suite_enter(void);
Suite *suite_break_net(void);
Suite *suite_sets(void);
Suite *suite_drop(void);
Suite *suite_seccomp(void);
Suite *suite_profile(void);
Suite *suite_sysadmin(void);
Suite *suite_gain(void);
Suite *suite_shocker(void);
Suite *suite_memory(void);
Suite *suite_pids(void);
Suite *suite_cpu(void);
Suite *suite_freeze(void);
Suite *suite_io(void);
Suite *suite_layers(void);
Suite *suite_unpack(void);
Suite *suite_store(void);
/* Part of the store suite, in a file of its own (store_test.h). */
void store_add_run(Suite *s);
void store_add_killed(Suite *s);
Suite *suite_escape(void);
Suite *suite_pivot(void);
Suite *suite_newmount(void);
Suite *suite_chroot(void);
Suite *suite_private(void);
Suite *suite_rootfs_spec(void);
Suite *suite_nutshell(void);
/* Part of the nutshell suite's one case, in a file of its own. */
void nutshell_add_terminal(TCase *tc);
Suite *suite_devices(void);
Suite *suite_reliability(void);
/* Parts of the reliability suite in files of their own (reliability.h). */
void reliability_add_faults(Suite *s);
void reliability_add_hardening(Suite *s);
Suite *suite_resources(void);
Suite *suite_self_exe(void);
Suite *suite_self_exe_oci(void);
Suite *suite_nutshell_load(void);
Suite *suite_session(void);
/* Part of the session suite, in a file of its own (session_test.h). */
void session_add_user(Suite *s);
Suite *suite_workshop(void);
Suite *suite_transcripts(void);
Suite *suite_exercises(void);
Suite *suite_exercises_oci(void);
Suite *suite_doctor(void);
Suite *suite_oci(void);
Suite *suite_oci_fields(void);
Suite *suite_oci_podman(void);
Suite *suite_oci_containerd(void);
Suite *suite_oci_docker(void);
Suite *suite_oci_spec(void);
Suite *suite_host(void);

#endif
