/*
 * layers - image layers glued by overlayfs: copy-up, whiteouts, opaque
 * directories, and why two containers cost little more disk than one.
 *
 * The base layer is the default image (images/busybox); the program makes
 * an app layer of its own (a few files, one replacing the base's
 * /etc/hostname) and mounts base + app + an empty upper in a private mount
 * namespace. Then, in the merged view, it appends to a file of the base
 * (the whole file is copied up into the upper first), deletes a file of the
 * app layer (the upper gets a whiteout: a character device 0/0), and
 * replaces a directory (the upper's new directory is marked opaque with the
 * xattr trusted.overlay.opaque = "y"). The layers below never change. Last
 * it mounts a second overlay on the same lower layers and adds up the disk
 * both containers use, against two copies of the image.
 *
 * System calls: clone(2) with CLONE_NEWNS, mount(2) (MS_REC|MS_PRIVATE, then
 *               "overlay"), openat/write (the copy-up), unlink(2) (the
 *               whiteout), rmdir/mkdir (the opaque directory), lgetxattr(2).
 * Files:        the layer directories under /tmp/nutshell-layers.XXXXXX,
 *               removed at exit; /proc/self/mountinfo of the child.
 * Look for:     the table's upper column filling in; "char 0:0" for the
 *               deleted file; opaque "y"; the disk table's last two rows.
 * Read:         Documentation/filesystems/overlayfs.rst, mount(2), xattr(7).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/err.h"
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The base layer, the scratch directory, and the app layer in it (TMP/app). */
static char image[PATH_MAX], tmp[64], app[PATH_MAX];
static const char *shown[] = {"/bin/busybox",  "/etc/hostname", "/etc/passwd",
			      "/etc/app.conf", "/app/config",	"/app/config/new.conf"};

/* LAYER/PATH into out (PATH_MAX bytes); our paths are short, and one too
 * long becomes "" rather than the wrong file. */
static void
path_in(char *out, const char *layer, const char *path)
{
	if (snprintf(out, PATH_MAX, "%s%s", layer, path) >= PATH_MAX)
		out[0] = '\0';
}

static void
table(const char *title, const char *upper, const char *merged)
{
	char a[32], b[32], c[32], d[32];

	printf("\n%s\n%-22s %-14s %-14s %-14s %s\n", title, "path", "base (image)", "app layer",
	       "upper", "merged view");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		printf("%-22s %-14s %-14s %-14s %s\n", shown[i],
		       rootfs_describe(image, shown[i], a, 32),
		       rootfs_describe(app, shown[i], b, 32),
		       rootfs_describe(upper, shown[i], c, 32),
		       rootfs_describe(merged, shown[i], d, 32));
	fflush(stdout);
}

static int
put(const char *dir, const char *path, const char *text)
{
	char p[PATH_MAX];
	path_in(p, dir, path);
	FILE *f = fopen(p, "we");
	return f && fputs(text, f) >= 0 && fclose(f) == 0 ? 0 : err_sys("writing %s", p);
}

/* A container's directories: C/upper, C/work, C/merged. */
static int
mount_container(const char *name, char *upper, char *merged)
{
	char work[PATH_MAX];
	struct rootfs_layers l = {.lower = {app, image}, .nlower = 2, .upper = upper, .work = work};

	snprintf(upper, PATH_MAX, "%s/%s/upper", tmp, name);
	snprintf(work, sizeof(work), "%s/%s/work", tmp, name);
	snprintf(merged, PATH_MAX, "%s/%s/merged", tmp, name);
	if (mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755))
		return -1;
	return rootfs_mount_overlay(&l, merged);
}

static int
child_main(void *arg)
{
	char upper[PATH_MAX], merged[PATH_MAX], upper2[PATH_MAX], merged2[PATH_MAX], p[PATH_MAX];
	char kind[32], opaque[8] = "";

	(void)arg;
	if (ns_make_private() == -1 || mount_container("c1", upper, merged) == -1)
		return EXIT_DEMO_FAILED;
	if (proc_show_mountinfo(0, tmp) == -1)
		err_print(); /* shown, not needed: the table below tells */
	table("mounted: lowerdir=app:base, the upper is empty", upper, merged);

	/* <<< copy-up */
	trace_note("append to /etc/passwd, a file of the base layer: copy-up");
	path_in(p, merged, "/etc/passwd");
	int fd = (int)TRACE(open(p, O_WRONLY | O_APPEND | O_CLOEXEC), "openat", "AT_FDCWD, %s, %s",
			    trace_str(p), dec_open(O_WRONLY | O_APPEND | O_CLOEXEC));
	const char *line = "app:x:1000:1000::/app:/bin/sh\n";
	if (fd == -1 || TRACE(write(fd, line, strlen(line)), "write", "%d, %s, %zu", fd,
			      trace_str(line), strlen(line)) == -1)
		return EXIT_DEMO_FAILED;
	close(fd);
	/* >>> copy-up */
	/* <<< whiteout */
	trace_note("delete /etc/app.conf, a file of the app layer: a whiteout");
	path_in(p, merged, "/etc/app.conf");
	if (TRACE(unlinkat(AT_FDCWD, p, 0), "unlinkat", "AT_FDCWD, %s, 0", trace_str(p)) == -1)
		return EXIT_DEMO_FAILED;
	/* >>> whiteout */
	/* <<< opaque */
	trace_note("replace the directory /app/config: an opaque directory");
	const char *files[] = {"/app/config/a.conf", "/app/config/b.conf"};
	for (size_t i = 0; i < 2; i++) {
		path_in(p, merged, files[i]);
		if (TRACE(unlinkat(AT_FDCWD, p, 0), "unlinkat", "AT_FDCWD, %s, 0", trace_str(p)) ==
		    -1)
			return EXIT_DEMO_FAILED;
	}
	path_in(p, merged, "/app/config");
	if (TRACE(unlinkat(AT_FDCWD, p, AT_REMOVEDIR), "unlinkat", "AT_FDCWD, %s, AT_REMOVEDIR",
		  trace_str(p)) == -1 ||
	    TRACE(mkdirat(AT_FDCWD, p, 0755), "mkdirat", "AT_FDCWD, %s, 0755", trace_str(p)) ==
		-1 ||
	    put(merged, "/app/config/new.conf", "mode=new\n") == -1)
		return EXIT_DEMO_FAILED;
	path_in(p, upper, "/app/config");
	/* TRACE() by halves, to show the value read ("y"), as strace does. */
	trace_begin("lgetxattr", "%s, \"trusted.overlay.opaque\", %p, %zu", trace_str(p),
		    (void *)opaque, sizeof(opaque) - 1);
	long n = lgetxattr(p, "trusted.overlay.opaque", opaque, sizeof(opaque) - 1);
	opaque[n > 0 ? n : 0] = '\0';
	if (n > 0)
		trace_out("%s, \"trusted.overlay.opaque\", %s, %zu", trace_str(p),
			  trace_str(opaque), sizeof(opaque) - 1);
	trace_end(n);
	/* >>> opaque */
	table("after the three changes: only the upper changed", upper, merged);

	trace_fact("copyup_in_upper", "%s", rootfs_describe(upper, "/etc/passwd", kind, 32));
	trace_fact("copyup_base_unchanged", "%s", rootfs_describe(image, "/etc/passwd", kind, 32));
	trace_fact("whiteout", "%s", rootfs_describe(upper, "/etc/app.conf", kind, 32));
	trace_fact("whiteout_hides", "%s",
		   rootfs_describe(merged, "/etc/app.conf", kind, 32)[0] == '-' ? "yes" : "no");
	trace_fact("opaque_xattr", "%s", opaque);

	/* <<< second */
	trace_note("a second container on the same lower layers; it writes one file");
	if (mount_container("c2", upper2, merged2) == -1 ||
	    put(merged2, "/etc/motd", "container two\n") == -1)
		return EXIT_DEMO_FAILED;
	long long base = rootfs_disk_usage(image), lay = rootfs_disk_usage(app);
	long long u1 = rootfs_disk_usage(upper), u2 = rootfs_disk_usage(upper2);
	long long shared = base + lay + u1 + u2, copies = 2 * (base + lay);
	/* >>> second */
	printf("\ndisk used (bytes, du-style: blocks, each inode once)\n");
	printf("%-36s %10lld\n%-36s %10lld\n", "base layer (the image)", base, "app layer", lay);
	printf("%-36s %10lld\n%-36s %10lld\n", "upper of container 1", u1, "upper of container 2",
	       u2);
	printf("%-36s %10lld\n%-36s %10lld\n", "two containers, layers shared", shared,
	       "two copies of base + app", copies);
	printf("a second container cost %lld bytes; a second copy, %lld.\n", u2, base + lay);
	trace_fact("disk_layers", "%lld", base + lay);
	trace_fact("disk_uppers", "%lld", u1 + u2);
	trace_fact("disk_two_containers", "%lld", shared);
	trace_fact("disk_two_copies", "%lld", copies);
	trace_fact("disk_second_container", "%lld", u2);
	fflush(stdout);
	return base > 0 && u1 >= 0 && u2 >= 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}

static const struct trace_prog prog = {
    .name = "layers",
    .synopsis = "[--image DIR]",
    .about = "Mounts the image + an app layer + an empty upper with overlayfs in a private\n"
	     "mount namespace; shows copy-up, a whiteout and an opaque directory in the\n"
	     "upper, and the disk two containers share. Needs root.",
    .look_for = "The table's upper column filling in; \"char 0:0\" for the deleted file; opaque\n"
		"\"y\"; the disk table's last two rows.",
    .options = "  --image DIR  the base layer, an absolute path (default: images/busybox of\n"
	       "               this toolkit, found from the program's own path)\n",
    .longopts = rootfs_image_longopts,
    .on_option = rootfs_image_option,
};

int
main(int argc, char **argv)
{
	/* The frame of this lesson's programs (rootfs.h): root, the image,
	 * Ctrl-C guarded, a scratch directory; our part; then the clean-up. */
	int ret = rootfs_demo_begin(&prog, argc, argv, image, sizeof(image), tmp, sizeof(tmp));
	if (ret != EXIT_DEMO_OK)
		return ret;
	/* <<< app-layer */
	/* The app layer: what a Dockerfile's COPY and RUN would add. */
	snprintf(app, sizeof(app), "%s/app", tmp);
	const char *app_dirs[] = {"", "etc", "app", "app/config", NULL},
		   *dirs[] = {"c1", "c2", NULL};
	int ok = rootfs_mkdirs(app, app_dirs) == 0 && rootfs_mkdirs(tmp, dirs) == 0 &&
		 put(app, "/etc/hostname", "app-layer\n") == 0 &&
		 put(app, "/etc/app.conf", "greeting=hello\n") == 0 &&
		 put(app, "/app/config/a.conf", "mode=a\n") == 0 &&
		 put(app, "/app/config/b.conf", "mode=b\n") == 0;
	/* >>> app-layer */
	int status = ok ? rootfs_run_isolated(child_main, NULL) : -1;
	return rootfs_demo_end(
	    tmp, status,
	    "The image was never written: every change went into the upper of its\n"
	    "container, and the lower layers are shared by both.");
}
