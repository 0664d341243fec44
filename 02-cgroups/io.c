/*
 * io - io.max caps how fast a cgroup may read a block device.
 *
 * The program picks the first real disk in /sys/block (not loop, ram or
 * zram), makes a cgroup with io.max "MAJ:MIN rbps=2097152", 2 MiB/s (v1:
 * blkio.throttle.read_bps_device "MAJ:MIN 2097152"); io.max takes plain
 * integers, and the kernel parses "rbps=2M" as 2 bytes/s (blk-throttle's
 * sscanf "%llu"; cgroup-v2.rst, "io.max"). A child reads 4 MiB of the
 * device with O_DIRECT, which bypasses the page cache, so every byte is a
 * real request that the throttle sees. The child takes
 * about two seconds. A machine with no disk (a VM that runs from memory)
 * has nothing to throttle: the program says so and exits 0.
 *
 * System calls: mkdir(2), rmdir(2), openat(2) + write(2) of io.max (v1:
 *               blkio.throttle.read_bps_device) and cgroup.procs; clone(2),
 *               wait4(2).
 * Files:        /sys/block/DEV/dev (MAJ:MIN), io.stat (v1:
 *               blkio.throttle.io_service_bytes).
 * Look for:     a read rate near 2 MiB/s.
 * Read:         Documentation/admin-guide/cgroup-v2.rst ("IO"),
 *               cgroup-v1/blkio-controller.rst, open(2) (O_DIRECT).
 */
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB	 (1024 * 1024)
#define TO_READ	 (4 * MIB)
#define RATE_BPS (2 * MIB)

static char device[300], devno[32];
static volatile double *rate; /* bytes per second the child saw, shared */

/* The first disk with a size: skips loop, ram and zram devices. */
static int
find_disk(void)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	char path[512], text[64];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "loop", 4) ||
		    !strncmp(e->d_name, "ram", 3) || !strncmp(e->d_name, "zram", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/size", e->d_name);
		if (proc_read(path, text, sizeof(text)) < 0 || atoll(text) < 2 * TO_READ / 512)
			continue;
		snprintf(device, sizeof(device), "/dev/%s", e->d_name);
		snprintf(path, sizeof(path), "/sys/block/%s/dev", e->d_name);
		if (!proc_value(path, devno, sizeof(devno))) {
			err_print(); /* said, and on to the next disk */
			continue;
		}
		/* A device node may exist and still be closed to us: a devices
		 * cgroup, a sandbox, a read-only container. */
		int fd = open(device, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd < 0) {
			trace_note("%s: cannot open it: %s", device, strerror(errno));
			continue;
		}
		close(fd);
		closedir(d);
		return 0;
	}
	if (d)
		closedir(d);
	return -1;
}

/* <<< reader */
static int
reader(void *arg)
{
	(void)arg;
	/* O_DIRECT wants buffers aligned to the block size: mmap gives pages. */
	char *buf =
	    mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = (int)TRACE(open(device, O_RDONLY | O_DIRECT | O_CLOEXEC), "openat",
			    "AT_FDCWD, \"%s\", O_RDONLY|O_DIRECT|O_CLOEXEC", device);
	if (fd < 0 || buf == MAP_FAILED)
		return EXIT_DEMO_FAILED;
	double t0 = wait_now();
	for (off_t off = 0; off < TO_READ; off += 256 * 1024)
		if (pread(fd, buf, 256 * 1024, off) != 256 * 1024)
			return EXIT_DEMO_FAILED;
	*rate = TO_READ / (wait_now() - t0);
	return EXIT_DEMO_OK;
}
/* >>> reader */

static const struct trace_prog prog = {
    .name = "io",
    .synopsis = "",
    .about = "Reads 4 MiB of the first disk with O_DIRECT inside a cgroup with io.max\n"
	     "rbps=2097152, 2 MiB/s (v1: blkio.throttle.read_bps_device): it takes about 2 s.\n"
	     "Without a disk it says so and exits 0. Needs root, or a cgroup delegated to you.",
    .look_for = "A read rate near 2 MiB/s.",
};

int
main(int argc, char **argv)
{
	const char *const want[] = {"io", NULL};
	char name[64], text[1024], limit[96];
	struct cg_layout l;
	struct cg cg;
	int status, ok = 0;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'io --help'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cg_prepare(&l, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (find_disk() != 0) {
		printf("No block device here that we may read (a machine that runs from memory,\n"
		       "or a sandbox): nothing to throttle, so nothing is shown.\n");
		trace_fact("io_device", "none");
		return EXIT_DEMO_OK;
	}
	rate = wait_shared_page(4096);
	if (!rate) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	int sigfd = wait_block_signals();

	snprintf(name, sizeof(name), "nutshell-io-%d", (int)getpid());
	if (cg_create(&cg, &l, NULL, name, want) != 0) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* <<< limit */
	snprintf(limit, sizeof(limit), "%s rbps=%d", devno, RATE_BPS);
	if (cg_set(&cg, "io.max", limit) != 0)
		goto out;
	/* >>> limit */
	/* Ctrl-C at a --step pause: no child after it. */
	if (wait_stopped())
		goto out;
	pid_t pid = cg_fork(&cg, reader, NULL, 20);
	if (pid < 0 || wait_child(pid, &status, 25, sigfd) != 0 || status != 0) {
		if (!wait_stopped())
			err_set(0, "the reader failed (see above)");
		goto out;
	}
	cg_read(&cg, "io.stat", text, sizeof(text));
	printf("io.max %s: the child read %d MiB of %s at %.2f MiB/s\n", limit, TO_READ / MIB,
	       device, *rate / MIB);
	trace_fact("io_device", "%s", device);
	trace_fact("io_devno", "%s", devno);
	trace_fact("io_limit_bps", "%d", RATE_BPS);
	trace_fact("io_rate_bps", "%.0f", *rate);
	/* The throttle lets a first slice through at once: allow 50 % over. */
	ok = *rate > 0 && *rate < 1.5 * RATE_BPS;
out:
	if (err_last()->msg[0])
		err_print();
	cg_kill(&cg);
	if (cg_remove(&cg) != 0) {
		err_print(); /* "rmdir DIR: ..." */
		ok = 0;
	}
	/* Ctrl-C (or SIGTERM, SIGHUP): the cgroup is gone, stop now. */
	if (wait_stopped())
		return wait_stopped_exit();
	if (!ok) {
		printf("\n%s\n", trace_unexpected());
		return EXIT_DEMO_FAILED;
	}
	printf("\nThe reads waited for the throttle: io.max sets a rate, not a total.\n");
	return EXIT_DEMO_OK;
}
