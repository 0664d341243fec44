/*
 * oci_test.h - what the files of the oci suite share: the suite is
 * test_oci.c (create, start, state, kill, delete, and what create builds;
 * it holds the fixture and makes the suite) and test_oci_running.c (exec,
 * the console socket, pause, ps and update on a running container).
 */
#ifndef NUTSHELL_OCI_TEST_H
#define NUTSHELL_OCI_TEST_H

#include "harness.h"

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

/* The test's directory (its bundle in DIR/bundle, nutshell's --root in
 * DIR/root) and the runtime, an absolute path. */
extern char oci_dir[64], oci_bin[4096];

/* The rest of a config.json's "process" after args, and "linux"'s. */
#define PROCESS_REST                                                                               \
	"\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},"                    \
	"\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"              \
	"\"permitted\":[\"CAP_KILL\"]},\"noNewPrivileges\":true,"                                  \
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":512,\"soft\":512}]"
#define MOUNTS                                                                                     \
	"[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                      \
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                       \
	"\"options\":[\"nosuid\",\"mode=755\",\"size=65536k\"]},"                                  \
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","                       \
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}]"
#define LINUX                                                                                      \
	"{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"           \
	"{\"type\":\"uts\"},{\"type\":\"mount\"}],"                                                \
	"\"resources\":{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":50}},"                 \
	"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]}"

/* Runs the shell command FMT; its exit status; its output (stdout and
 * stderr) into out when not NULL. */
int oci_sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A bundle in DIR/bundle whose process runs ARGS (a JSON array), EXTRA
 * appended to the config's top-level object. */
void oci_write_config(const char *args, const char *extra);
/* `nutshell --root DIR/root ARGS`, its output into out. */
#define OCI(out, ...) oci_run(out, sizeof(out), __VA_ARGS__)
int oci_run(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The state JSON of ID, parsed; asserts status and id. */
json_t *oci_state_is(const char *id, const char *status);
/* Nothing of ID left: its state directory, its cgroup. */
void oci_expect_gone(const char *id);
/* A running container (sleep as its init), its pid; its end, reaped. */
pid_t oci_start_sleeper(const char *id);
void oci_end_sleeper(const char *id, pid_t pid);

/* Adds TEST to S as a case of its own, named NAME after it (CK_RUN_CASE
 * and the mutants, scripts/mutants.sh, pick a test by its name), with the
 * fixture: a fresh directory and bundle, removed after (test_oci.c). */
void oci_add_case(Suite *s, const char *name, const TTest *test);
/* test_oci_running.c's cases. */
void oci_add_running_cases(Suite *s);

#endif
