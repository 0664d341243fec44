/*
 * Exercise 04-overlay - an overlay, a copy-up and a whiteout.
 * (The reference solution: both TODOs done.)
 *
 * The program makes a temporary directory with an "image" (lower/, holding
 * etc/motd and etc/issue), an empty upper/ and work/, and a child in a new,
 * private mount namespace that appends a line to merged/etc/motd. Missing:
 *
 *   TODO 1  mount the overlay on merged/: fill a struct rootfs_layers
 *           (lower, upper, work) and call rootfs_mount_overlay()
 *           (04-overlay-chroot/rootfs.h);
 *   TODO 2  delete merged/etc/issue with unlinkat(AT_FDCWD, path, 0), in
 *           TRACE() named "unlinkat" (unlink(2); arm64 has no unlink call).
 *
 * Afterwards the parent looks into the layers: the appended motd was copied
 * up into upper/, the image's motd is unchanged, and upper/etc/issue is a
 * whiteout (a character device 0:0). Everything is removed at the end.
 * Build and grade:  sudo make grade EX=04-overlay
 * Run it yourself:  sudo ./lessons/exercises/04-overlay/skeleton
 * Read:             Documentation/filesystems/overlayfs.rst, mount(2).
 */
#include "01-namespaces/ns.h"
#include "04-overlay-chroot/rootfs.h"
#include "common/err.h"
#include "common/trace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define MOTD "hello from the image\n"

static char dir[256], lower[300], upper[300], work[300], merged[300];

static int
child_main(void *arg)
{
	char path[400];

	(void)arg;
	if (ns_make_private() != 0) {
		err_print(); /* in a chroot, it says so */
		return EXIT_DEMO_FAILED;
	}

	/* TODO 1, done: lowerdir=lower,upperdir=upper,workdir=work. */
	struct rootfs_layers layers = {.lower = {lower}, .nlower = 1, .upper = upper, .work = work};
	if (rootfs_mount_overlay(&layers, merged) != 0)
		return EXIT_DEMO_FAILED;

	snprintf(path, sizeof(path), "%s/etc/motd", merged);
	int fd = (int)TRACE(open(path, O_WRONLY | O_APPEND | O_CLOEXEC), "openat",
			    "AT_FDCWD, %s, O_WRONLY|O_APPEND|O_CLOEXEC", trace_str(path));
	if (fd < 0)
		return EXIT_DEMO_FAILED;
	const char *line = "a line from the container\n";
	TRACE(write(fd, line, strlen(line)), "write", "%d, %s, %zu", fd, trace_str(line),
	      strlen(line));
	close(fd);
	snprintf(path, sizeof(path), "%s/etc/issue", merged);

	/* TODO 2, done: the image cannot change, so the upper records the deletion. */
	if (TRACE(unlinkat(AT_FDCWD, path, 0), "unlinkat", "AT_FDCWD, %s, 0", trace_str(path)) != 0)
		return EXIT_DEMO_FAILED;

	return EXIT_DEMO_OK;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	return f && fputs(text, f) >= 0 && fclose(f) == 0 ? 0 : -1;
}

static const struct trace_prog prog = {
    .name = "skeleton",
    .about = "Exercise 04-overlay: writes go to the upper layer; deletions leave whiteouts.",
};

int
main(int argc, char **argv)
{
	char path[400], text[256] = "";
	struct stat st;
	int status = -1, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	if (rootfs_tmpdir("ex-overlay", dir, sizeof(dir)) != 0) {
		trace_fail("mkdtemp");
		return EXIT_DEMO_FAILED;
	}
	snprintf(lower, sizeof(lower), "%s/lower", dir);
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	snprintf(path, sizeof(path), "%s/etc", lower);
	if (mkdir(lower, 0755) || mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755) ||
	    mkdir(path, 0755))
		goto out;
	snprintf(path, sizeof(path), "%s/etc/motd", lower);
	if (write_file(path, MOTD) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/etc/issue", lower);
	if (write_file(path, "nutshell\n") != 0)
		goto out;

	pid_t pid = ns_clone(CLONE_NEWNS | SIGCHLD, child_main, NULL);
	if (pid < 0)
		goto out;
	rootfs_guard_child(pid);
	if (ns_wait(pid, &status) != 0)
		goto out;

	/* The child and its mount namespace are gone: look at the layers. */
	snprintf(path, sizeof(path), "%s/etc/motd", upper);
	int copied = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	trace_fact("upper_motd_size", "%lld", copied ? (long long)st.st_size : -1LL);
	snprintf(path, sizeof(path), "%s/etc/motd", lower);
	FILE *f = fopen(path, "re");
	if (f) {
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
	}
	int unchanged = strcmp(text, MOTD) == 0;
	snprintf(path, sizeof(path), "%s/etc/issue", upper);
	int whiteout = stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
	trace_fact("copied_up", "%s", copied ? "yes" : "no");
	trace_fact("lower_unchanged", "%s", unchanged ? "yes" : "no");
	trace_fact("whiteout", "%s", whiteout ? "yes" : "no");
	printf("upper/etc/motd     %s\n", copied ? "copied up, with the new line" : "missing");
	printf("lower/etc/motd     %s\n", unchanged ? "unchanged" : "CHANGED");
	printf("upper/etc/issue    %s\n", whiteout ? "a whiteout (char 0:0)" : "no whiteout");
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && copied && unchanged && whiteout;
out:
	rootfs_remove_tree(dir);
	return ok ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
