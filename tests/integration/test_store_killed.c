/*
 * test_store_killed.c - the store suite's killed imports (test_store.c
 * makes the suite): an import killed with SIGKILL at any point leaves the
 * store consistent, and the next import is whole; two imports at once of
 * images sharing layers leave it consistent too (issue 17).
 */
#include "../suites.h"
#include "harness.h"
#include "store_test.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The reference store's environment, for shell lines (SCRATCH/seq). */
#define NUTSHELL_ENV "NUTSHELL_STORE=%s/seq "

/* After a killed import: every image the index names has all its layers
 * (no partial layer is ever named), and `image ls` reads the store. */
static void
expect_store_consistent(void)
{
	struct run r;

	shell("cd %s 2>/dev/null || exit 0; [ ! -e images.json ] || for l in $(grep -o "
	      "'\"diff_id\": \"sha256:[0-9a-f]*' images.json | cut -d: -f3); do "
	      "[ -d layers/$l ] || exit 1; done",
	      store);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	run_free(&r);
}

/* Runs EXE --step import PATH on a pseudo-terminal, answering the first
 * N-1 pauses (one before each traced call) and killing it with SIGKILL at
 * the Nth: 1 when it was killed there, 0 when it ended with fewer pauses. */
static int
import_killed_at_pause(const char *exe, const char *path, int n)
{
	static char buf[1 << 16];
	size_t len = 0, from = 0;
	int master, status, killed = 0, ended = 0;

	buf[0] = '\0';
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		execl(exe, exe, "--no-color", "--step", "import", path, (char *)NULL);
		_exit(127);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	for (int pause = 1; !ended; pause++) {
		char *at = NULL;
		for (int t = 0; t < 100 && !at && !ended; t++) {
			at = pty_read_until(master, buf, sizeof(buf), &len, from, "press Enter",
					    200);
			ended = !at && waitpid(pid, &status, WNOHANG) == pid;
		}
		ck_assert_msg(at || ended, "import --step: no pause and no end in 20 s:\n%s", buf);
		if (ended)
			break;
		from = (size_t)(at - buf) + strlen("press Enter");
		if (pause == n) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		/* "e": pause at every call, also a repeated one (--step folds
		 * repeats into one pause otherwise). */
		ck_assert_int_eq(write(master, "e\r", 2), 2);
	}
	if (!ended)
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(master);
	if (!killed)
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "import --step: status %#x:\n%s", status, buf);
	return killed;
}

/* An import killed with SIGKILL at any moment: the store stays
 * consistent (every image's layers are there), the next import finishes
 * the job and tidies, and the result is the same as a clean import's.
 * "Any moment" twice over: killed at each of its traced calls in turn
 * (with --step: before each layer's rename into layers/ and the index's
 * rename), and at 16 moments spread over a clean import's own duration,
 * so that the work between them (a layer half written) is hit too. */
START_TEST(store_import_killed)
{
	char path[256], exe[4200], timing[256], diff[2048];
	struct run r;
	struct timespec t0, t1;
	int status, pauses = 0;

	make_base();
	shell("cd %s && mkdir -p l2/etc && echo x >l2/etc/x && tar -C l2 -cf l2.tar .", scratch);
	make_oci("img", "k:1", "l1.tar.gz l2.tar", "{\"Cmd\":[\"cat\",\"/etc/x\"]}");
	snprintf(path, sizeof(path), "%s/img", scratch);
	snprintf(exe, sizeof(exe), "%s/05-full-container/nutshell-image", root_dir());

	/* At each traced call, until an import runs to its end. */
	for (int n = 1; import_killed_at_pause(exe, path, n); n++) {
		expect_store_consistent();
		/* The next import finishes the job and tidies. */
		nutshell(&r, 0, (const char *[]){"-q", "image", "import", path, NULL});
		run_free(&r);
		ck_assert_int_eq(entries("%s/tmp", store), 0);
		ck_assert_int_eq(entries("%s/layers", store), 2);
		shell("rm -rf %s", store);
		pauses = n;
	}
	/* Both layers' renames and the index's. */
	ck_assert_msg(pauses >= 3, "import --step paused %d times, expected 3 or more", pauses);
	shell("rm -rf %s", store);

	/* A clean import's duration, over which the kills are spread. */
	snprintf(timing, sizeof(timing), "%s/timing", scratch);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = start_quiet(timing, (const char *[]){exe, "import", path, NULL});
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "import: status %#x", status);
	long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	shell("rm -rf %s", timing);
	for (int i = 0; i < 16; i++) {
		pid = start_quiet(NULL, (const char *[]){exe, "import", path, NULL});
		/* From 0 to 15/14 of the duration: before, during and after. */
		long long at = ns * i / 14;
		struct timespec ts = {at / 1000000000LL, at % 1000000000LL};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		expect_store_consistent();
	}
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	run_free(&r);
	ck_assert_int_eq(entries("%s/tmp", store), 0);
	nutshell(&r, 0, (const char *[]){"run", "--image", "k:1", NULL});
	ck_assert_str_eq(r.out, "x\n");
	run_free(&r);
	/* The same files as an import that was never interrupted. */
	shell("cd %s/layers && find . | sort >%s/killed.txt", store, scratch);
	snprintf(store, sizeof(store), "%s/clean", scratch);
	setenv("NUTSHELL_STORE", store, 1);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	run_free(&r);
	shell("cd %s/layers && find . | sort >%s/clean.txt", store, scratch);
	shell("cd %s && diff killed.txt clean.txt | head -n 20 >diff.txt; true", scratch);
	snprintf(path, sizeof(path), "%s/diff.txt", scratch);
	read_text_file(path, diff, sizeof(diff));
	ck_assert_msg(!diff[0],
		      "the store after the killed imports differs from a clean import's "
		      "(diff killed clean):\n%s",
		      diff);
}
END_TEST

/* Two imports at once of images that share their two lower layers: both
 * succeed, `image ls` lists both, each shared layer is stored once (the
 * layers' files and inode count are those of the two imports made one
 * after the other) and nothing temporary is left. The writers' lock
 * (store_lock, flock(2)) is what serialises them: without it the two
 * unpack the shared layers side by side and the second rename(2) into
 * layers/ fails (ENOTEMPTY), or one writer's clearing of tmp/ takes the
 * other's half-made import. Several rounds, each from an empty store,
 * with a 16 MiB shared layer so that the imports overlap. */
START_TEST(store_import_concurrent)
{
	char path[512], diff[2048];
	struct run r;

	make_base();
	shell("cd %s && mkdir -p big/opt a/etc b/etc && dd if=/dev/urandom of=big/opt/blob "
	      "bs=1048576 count=16 2>/dev/null && "
	      "tar -C big -cf big.tar . && echo A >a/etc/which && echo B >b/etc/which && "
	      "tar -C a -cf a.tar . && tar -C b -cf b.tar . && rm -r big",
	      scratch);
	make_oci("ia", "a:1", "l1.tar.gz big.tar a.tar", "{\"Cmd\":[\"cat\",\"/etc/which\"]}");
	make_oci("ib", "b:1", "l1.tar.gz big.tar b.tar", "{\"Cmd\":[\"cat\",\"/etc/which\"]}");
	/* Kept small: the VM lanes' scratch is a tmpfs, in their RAM. */
	shell("rm %s/big.tar", scratch);

	/* The reference: the two imported one after the other. */
	shell("cd %s && " NUTSHELL_ENV "%s/" NUTSHELL
	      " -q image import ia >/dev/null && " NUTSHELL_ENV "%s/" NUTSHELL
	      " -q image import ib >/dev/null && cd seq/layers && find . | sort >%s/seq.txt && "
	      "find . -mindepth 1 -printf '%%i\\n' | sort -u | wc -l >>%s/seq.txt && rm -r %s/seq",
	      scratch, scratch, root_dir(), scratch, root_dir(), scratch, scratch, scratch);

	for (int round = 0; round < 6; round++) {
		shell("rm -rf %s", store);
		/* Both started at once (the shell's two background jobs). */
		shell("cd %s || exit 1; { %s/" NUTSHELL
		      " image import ia >a.log 2>&1; echo $? >a.rc; } & "
		      "{ %s/" NUTSHELL " image import ib >b.log 2>&1; echo $? >b.rc; } & wait",
		      scratch, root_dir(), root_dir());
		for (int i = 0; i < 2; i++) {
			char rc[16], log[2048];
			snprintf(path, sizeof(path), "%s/%c.rc", scratch, "ab"[i]);
			read_text_file(path, rc, sizeof(rc));
			/* The trace's end, where an error is (Check's messages
			 * stop at 4 KiB). */
			shell("tail -c 1500 %s/%c.log >%s/%c.end", scratch, "ab"[i], scratch,
			      "ab"[i]);
			snprintf(path, sizeof(path), "%s/%c.end", scratch, "ab"[i]);
			read_text_file(path, log, sizeof(log));
			ck_assert_msg(!strcmp(rc, "0\n"),
				      "round %d: import %c:1 beside the other: exit %s; stderr "
				      "(its end):\n%s",
				      round, "ab"[i], rc, log);
		}
		expect_store_consistent();
		nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
		ck_assert_msg(strstr(r.out, "a:1") && strstr(r.out, "b:1"),
			      "round %d: image ls after the imports at once:\n%s", round, r.out);
		run_free(&r);
		/* Four layers for six: each shared one stored once. */
		ck_assert_int_eq(entries("%s/layers", store), 4);
		shell("test $(find %s/layers -name blob -type f | wc -l) = 1 && "
		      "test $(find %s/layers -name busybox -type f | wc -l) = 1",
		      store, store);
		ck_assert_int_eq(entries("%s/tmp", store), 0);
		snprintf(path, sizeof(path), "%s/images.json.tmp", store);
		ck_assert_msg(access(path, F_OK) == -1, "round %d: %s left", round, path);
		shell("cd %s/layers && find . | sort >%s/con.txt && "
		      "find . -mindepth 1 -printf '%%i\\n' | sort -u | wc -l >>%s/con.txt",
		      store, scratch, scratch);
		shell("cd %s && diff seq.txt con.txt | head -n 20 >diff.txt; true", scratch);
		snprintf(path, sizeof(path), "%s/diff.txt", scratch);
		read_text_file(path, diff, sizeof(diff));
		ck_assert_msg(!diff[0],
			      "round %d: the store after two imports at once differs from two "
			      "imports one after the other (files, then the inode count; diff "
			      "seq con):\n%s",
			      round, diff);
	}
	nutshell(&r, 0, (const char *[]){"run", "--image", "a:1", NULL});
	ck_assert_str_eq(r.out, "A\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"run", "--image", "b:1", NULL});
	ck_assert_str_eq(r.out, "B\n");
	run_free(&r);
}
END_TEST

void
store_add_killed(Suite *s)
{
	store_add(s, "store_import_killed", store_import_killed);
	store_add(s, "store_import_concurrent", store_import_concurrent);
}
