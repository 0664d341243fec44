/*
 * test_nutshell_tty.c - the nutshell suite's terminal tests
 * (test_nutshell.c makes the suite): `nutshell run -t` on a pty, its end
 * when the terminal closes, and --step pausing, folding repeated calls and
 * being interrupted.
 */
#include "../suites.h"
#include "harness.h"
#include "nutshell_test.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Reads the pty's master into buf until NEEDLE shows up, for up to 5 s. */
static int
read_until(int master, char *buf, size_t size, size_t *len, const char *needle)
{
	for (int i = 0; i < 100 && !strstr(buf, needle); i++) {
		struct timespec t = {0, 50 * 1000 * 1000};
		ssize_t n = read(master, buf + *len, size - *len - 1);
		if (n > 0)
			*len += (size_t)n;
		buf[*len] = '\0';
		if (n <= 0)
			nanosleep(&t, NULL);
	}
	return strstr(buf, needle) != NULL;
}

START_TEST(nutshell_tty)
{
	int master, status;
	struct termios before, after;
	char buf[8192] = "", *name;
	size_t len = 0;

	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid == 0) {
		execl(nutshell_path(), NUTSHELL, "-q", "run", "-t", "--", "/bin/sh", NULL);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	fcntl(master, F_SETFL, O_NONBLOCK);
	name = ptsname(master);
	int slave = open(name, O_RDWR | O_NOCTTY);
	tcgetattr(slave, &before);
	/* The prompt "/ # "; then the shell's terminal is one of the
	 * container's own devpts (newinstance), not a host pty; then exit 3. */
	ck_assert_msg(read_until(master, buf, sizeof(buf), &len, "# "), "no prompt: '%s'", buf);
	ck_assert_int_eq(write(master, "tty\r", 4), 4);
	ck_assert_msg(read_until(master, buf, sizeof(buf), &len, "/dev/pts/0"),
		      "the shell's terminal is not the container's /dev/pts/0: '%s'", buf);
	ck_assert_int_eq(write(master, "exit 3\r", 7), 7);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);
	tcgetattr(slave, &after);
	ck_assert_int_eq(after.c_lflag, before.c_lflag);
	ck_assert_int_eq(after.c_iflag, before.c_iflag);
	close(slave);
	close(master);
	assert_none_left();
}
END_TEST

/* The terminal closed under -t (issue 9): nutshell ends within 5 s and
 * leaves nothing. (There is no terminal left to restore.) */
START_TEST(nutshell_tty_closed)
{
	char buf[8192] = "";
	size_t len = 0;
	int master, status = -1;

	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid == 0) {
		execl(nutshell_path(), NUTSHELL, "-q", "run", "-t", "--", "/bin/sh", NULL);
		_exit(98);
	}
	ck_assert_int_gt(pid, 0);
	fcntl(master, F_SETFL, O_NONBLOCK);
	ck_assert_msg(read_until(master, buf, sizeof(buf), &len, "# "), "no prompt: '%s'", buf);
	close(master); /* the terminal window closed */
	for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		struct timespec t = {0, 50 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ck_abort_msg("nutshell still runs 5 s after its terminal closed");
	}
	ck_assert_msg(WIFEXITED(status), "status %#x", status);
	assert_none_left();
}
END_TEST

/* Appends what the pty says to buf (len bytes so far) until NEEDLE shows
 * up at or after buf + from, for up to 5 s; where it is, or NULL. */
static char *
pty_wait_for(int master, char *buf, size_t size, size_t *len, size_t from, const char *needle)
{
	for (int i = 0; i < 100; i++) {
		char *at = strstr(buf + from, needle);
		if (at)
			return at;
		ssize_t n = read(master, buf + *len, size - *len - 1);
		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
		} else {
			struct timespec t = {0, 50 * 1000 * 1000};
			nanosleep(&t, NULL);
		}
	}
	return NULL;
}

/* Worksheet 05, step 2 on a projector: `nutshell run --step -- true` pauses
 * once for the run of 26-odd prctl(PR_CAPBSET_DROP, ...), says so, one
 * prompt at a time, each with its pid. */
START_TEST(nutshell_step_folds_repeated_calls)
{
	const char *argv[] = {NUTSHELL, "run", "--", "true", NULL};
	char *text = NULL;
	int drops = 0;

	int status = run_step_walk(argv, NULL, NULL, NULL, &text);
	ck_assert_msg(status == 0, "exit %d:\n%s", status, text);
	for (const char *p = text; (p = strstr(p, "--step: next prctl(PR_CAPBSET_DROP")); p++)
		drops++;
	ck_assert_msg(drops == 1, "%d pauses for PR_CAPBSET_DROP:\n%s", drops, text);
	ck_assert_msg(strstr(text, "prctl(PR_CAPBSET_DROP...) again: one pause for the run"), "%s",
		      text);
	free(text);
}
END_TEST

/* Ctrl-C during a --step walk (issue 9): at a pause of nutshell's own once
 * its cgroup exists, and at a pause of the container's pid 1 - each time
 * exit 130, the terminal says why, and nothing of the container is left. */
START_TEST(nutshell_step_interrupted)
{
	static const struct {
		const char *at;	   /* Ctrl-C at the pause that shows this */
		const char *shows; /* and then this is on the terminal */
	} cases[] = {
	    {"--step: next clone(",
	     "--step: Ctrl-C: nutshell finishes this step, cleans up and exits"},
	    {"[pid 1] --step: next pivot_root(", "kill("},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		static char buf[1 << 17];
		size_t len = 0, from = 0;
		int master, status = -1;
		char id[16] = "";

		buf[0] = '\0';
		pid_t pid = forkpty(&master, NULL, NULL, NULL);
		if (pid == 0) {
			execl(nutshell_path(), NUTSHELL, "--no-color", "--step", "run", "--",
			      "true", NULL);
			_exit(98);
		}
		ck_assert_int_gt(pid, 0);
		fcntl(master, F_SETFL, O_NONBLOCK);
		/* Enter at every pause, until the one to interrupt. */
		for (int pauses = 0;; pauses++) {
			char *prompt =
			    pty_wait_for(master, buf, sizeof(buf), &len, from, "press Enter");
			ck_assert_msg(prompt && pauses < 400, "no pause showing '%s':\n%s",
				      cases[c].at, buf);
			char *line = prompt;
			while (line > buf && line[-1] != '\n')
				line--;
			from = (size_t)(prompt - buf) + strlen("press Enter");
			char *mark = strstr(line, cases[c].at);
			if (mark && mark < prompt) {
				ck_assert_int_eq(write(master, "\003", 1), 1);
				break;
			}
			ck_assert_int_eq(write(master, "\r", 1), 1);
		}
		/* Then it ends, saying so, within 5 s. */
		for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++) {
			struct timespec t = {0, 50 * 1000 * 1000};
			ssize_t n = read(master, buf + len, sizeof(buf) - len - 1);
			if (n > 0)
				buf[len += (size_t)n] = '\0';
			nanosleep(&t, NULL);
		}
		ssize_t n = read(master, buf + len, sizeof(buf) - len - 1);
		if (n > 0)
			buf[len += (size_t)n] = '\0';
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 130,
			      "Ctrl-C at '%s': status %#x:\n%s", cases[c].at, status, buf);
		ck_assert_msg(strstr(buf + from, cases[c].shows),
			      "Ctrl-C at '%s': no '%s' after it:\n%s", cases[c].at, cases[c].shows,
			      buf);
		ck_assert_msg(sscanf(strstr(buf, "container ") ? strstr(buf, "container ") : "",
				     "container %12[0-9a-f]", id) == 1,
			      "no container id in:\n%s", buf);
		run_expect_ctr_gone(id);
		close(master);
	}
}
END_TEST

void
nutshell_add_terminal(TCase *tc)
{
	tcase_add_test(tc, nutshell_tty);
	tcase_add_test(tc, nutshell_tty_closed);
	tcase_add_test(tc, nutshell_step_interrupted);
	tcase_add_test(tc, nutshell_step_folds_repeated_calls);
}
