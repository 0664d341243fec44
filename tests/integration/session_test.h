/*
 * session_test.h - what the files of the session suite share: the suite is
 * test_session.c (the terminal, the process group, standard input and
 * output; it makes the suite) and test_session_user.c (who COMMAND runs
 * as).
 */
#ifndef NUTSHELL_SESSION_TEST_H
#define NUTSHELL_SESSION_TEST_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#define NUTSHELL "05-full-container/nutshell"

/* This case's temporary directory: made and removed by the test runner
 * itself (an unchecked fixture), so that a case that fails still leaves
 * nothing behind. */
extern char dir[64];
void session_setup(void);
void session_teardown(void);

/* DIR/NAME (four at a time). */
const char *path_in(const char *name);
/* PATH holds TEXT, mode MODE. */
void write_file(const char *path, const char *text, mode_t mode);
/* What the child does before it becomes nutshell (umask, groups ...). */
extern void (*before_exec)(void);
/* Runs nutshell with stdin from IN_PATH (NULL: /dev/null), stdout and
 * stderr into files; OUT and ERR get what they hold. */
int run_files(const char *in_path, char *out, char *err, size_t size, const char *const args[]);
/* Nothing of container ID is left: `nutshell cleanup` has nothing of it. */
void session_assert_nothing_left(const char *id);

#define ADD(s, test)                                                                               \
	do {                                                                                       \
		TCase *tc = tcase_create(#test);                                                   \
		tcase_add_unchecked_fixture(tc, session_setup, session_teardown);                  \
		tcase_set_timeout(tc, 120);                                                        \
		tcase_add_test(tc, test);                                                          \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

#endif
