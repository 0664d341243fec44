/*
 * newmount - one container root (an overlay of the image, and at /mnt a
 * read-only volume with a mount beneath it) built twice: with mount(2), and
 * with the new mount API (Linux 5.2; mount_setattr 5.12).
 *
 * A bind ignores MS_RDONLY (mount(2), "Creating a bind mount"); read-only
 * takes a remount, and a remount reaches one mount, so each mount beneath
 * the volume needs its own; until then the volume is in the tree, writable.
 * The new API makes a mount before it is anywhere: fsopen(2) a filesystem
 * context, fsconfig(2) one option a call, fsmount(2) a detached mount held
 * by a descriptor, in no mount table; open_tree(2) OPEN_TREE_CLONE copies a
 * tree of mounts into that state; mount_setattr(2) AT_RECURSIVE sets flags
 * on every mount of it in one call; move_mount(2) attaches it.
 *
 * System calls: clone(2) with CLONE_NEWNS, mount(2), fsopen(2), fsconfig(2),
 *               fsmount(2), open_tree(2), mount_setattr(2), move_mount(2).
 * /proc:        /proc/self/mountinfo, the mounts in the scratch directory.
 * Look for:     the bind's MS_RDONLY ignored; the table unchanged after
 *               fsmount and after open_tree; the calls each way took.
 * Read:         mount(2), the new calls' pages, kernel docs mount_api.rst.
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

static char image[PATH_MAX], tmp[64], vol[80]; /* vol: the volume, TMP/vol */
static int calls;			       /* system calls of the way being built */
#define COUNTED(call) (calls++, (call))

/* One root: an overlay (upper and work beside it), the volume at /mnt. */
struct side {
	char up[96], work[96], root[96], mnt[104];
};
/* "yes" when the mount at DIR/SUB is read-only (statvfs(3) ST_RDONLY). */
static const char *
readonly(const char *dir, const char *sub)
{
	char path[PATH_MAX + 8];
	struct statvfs sv;

	snprintf(path, sizeof(path), "%s%s", dir, sub);
	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY) ? "yes" : "no";
}

/* <<< classic */
/* The overlay and the volume with mount(2). Returns 0, or -1. */
static int
classic(const char *opts, const struct side *a, const char **exposed)
{
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV;
	char sub[PATH_MAX + 8];

	if (COUNTED(rootfs_mount("overlay", a->root, "overlay", MS_NOSUID | MS_NODEV, opts)) == -1)
		return -1;
	/* 1. MS_RDONLY asked for, and ignored: a bind takes only MS_REC. */
	if (COUNTED(rootfs_mount(vol, a->mnt, NULL, MS_BIND | MS_REC | ro, NULL)) == -1)
		return -1;
	*exposed = strcmp(readonly(a->mnt, "/sub"), "no") == 0 ? "yes" : "no";
	/* 2. A remount per mount: the volume, then each one beneath it (a
	 *    launcher reads them from /proc/self/mountinfo; here, one). */
	if (COUNTED(rootfs_mount(NULL, a->mnt, NULL, MS_REMOUNT | MS_BIND | ro, NULL)) == -1)
		return -1;
	snprintf(sub, sizeof(sub), "%s/sub", a->mnt);
	return COUNTED(rootfs_mount(NULL, sub, NULL, MS_REMOUNT | MS_BIND | ro, NULL));
}
/* >>> classic */

/* <<< new */
/* The same, each mount made detached, then attached; listed[]: mounts seen. */
static int
new_api(const struct side *b, int listed[2])
{
	const char *opt[3][2] = {{"lowerdir", image}, {"upperdir", b->up}, {"workdir", b->work}};
	unsigned int clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
	unsigned int nodev = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | nodev};

	/* 1. A filesystem context, one option a call, then the superblock. */
	int ctx = (int)COUNTED(
	    TRACE(fsopen("overlay", FSOPEN_CLOEXEC), "fsopen", "\"overlay\", FSOPEN_CLOEXEC"));
	if (ctx == -1)
		return err_sys("fsopen overlay (Linux 5.2 and later)");
	for (int i = 0; i < 3; i++)
		if (COUNTED(TRACE(fsconfig(ctx, FSCONFIG_SET_STRING, opt[i][0], opt[i][1], 0),
				  "fsconfig", "%d, FSCONFIG_SET_STRING, \"%s\", %s, 0", ctx,
				  opt[i][0], trace_str(opt[i][1]))) == -1)
			return err_sys("fsconfig %s", opt[i][0]);
	if (COUNTED(TRACE(fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "fsconfig",
			  "%d, FSCONFIG_CMD_CREATE, NULL, NULL, 0", ctx)) == -1)
		return err_sys("fsconfig create");
	/* 2. A mount of it, nosuid and nodev from the start, in no table... */
	int mnt = (int)COUNTED(TRACE(fsmount(ctx, FSMOUNT_CLOEXEC, nodev), "fsmount",
				     "%d, FSMOUNT_CLOEXEC, %s", ctx, dec_mount_attr(nodev)));
	if (mnt == -1)
		return err_sys("fsmount");
	trace_note("fsmount made the overlay: is it in the table?");
	if ((listed[0] = proc_show_mountinfo(0, tmp)) == -1)
		return -1;
	/* ...until move_mount(2) puts it at the root's place. */
	if (COUNTED(rootfs_attach_tree(mnt, b->root)) == -1)
		return -1;
	/* 3. The volume and every mount beneath it copied, detached... */
	int tree = (int)COUNTED(TRACE(open_tree(AT_FDCWD, vol, clone), "open_tree",
				      "AT_FDCWD, %s, %s", trace_str(vol), dec_open_tree(clone)));
	if (tree == -1)
		return err_sys("open_tree %s", vol);
	/* 4. ...made read-only to the bottom in one call (Linux 5.12)... */
	if (COUNTED(
		TRACE(mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)),
		      "mount_setattr",
		      "%d, \"\", %s, {attr_set=%s, attr_clr=0, propagation=0, userns_fd=0}, %zu",
		      tree, dec_at(AT_EMPTY_PATH | AT_RECURSIVE), dec_mount_attr(ro.attr_set),
		      sizeof(ro))) == -1)
		return err_sys("mount_setattr %s (Linux 5.12 and later)", vol);
	trace_note("open_tree copied the volume, read-only now: is the copy in the table?");
	if ((listed[1] = proc_show_mountinfo(0, tmp)) == -1)
		return -1;
	/* 5. ...and attached only then: never writable where it is seen. */
	if (COUNTED(rootfs_attach_tree(tree, b->mnt)) == -1)
		return -1;
	close(tree); /* attached, the mounts stay without the descriptors */
	close(mnt);
	close(ctx);
	return 0;
}
/* >>> new */

static void
side_paths(struct side *s, const char *name)
{
	snprintf(s->up, sizeof(s->up), "%s/%s/upper", tmp, name);
	snprintf(s->work, sizeof(s->work), "%s/%s/work", tmp, name);
	snprintf(s->root, sizeof(s->root), "%s/%s/root", tmp, name);
	snprintf(s->mnt, sizeof(s->mnt), "%s/mnt", s->root);
}

static int
child_main(void *arg)
{
	char sub[96], opts[8192];
	int n[2], before, listed[2] = {-1, -1};
	const char *exposed = "?";
	struct side a, b;
	(void)arg;

	side_paths(&a, "a");
	side_paths(&b, "b");
	snprintf(sub, sizeof(sub), "%s/sub", vol);
	/* The layers checked once, as for mount(2) (no ',' or ':' in a path);
	 * fsconfig(2) takes the same paths one by one. */
	struct rootfs_layers l = {.lower = {image}, .nlower = 1, .upper = a.up, .work = a.work};
	if (ns_make_private() == -1 || rootfs_overlay_options(&l, opts, sizeof(opts)) == -1 ||
	    rootfs_mount("tmpfs", sub, "tmpfs", 0, "size=1m") == -1)
		return EXIT_DEMO_FAILED; /* said by rootfs_run_isolated */
	trace_note("the volume %s has a tmpfs at sub/", vol);

	trace_phase("mount(2)", "the overlay and the volume, one path at a time");
	calls = 0;
	if (classic(opts, &a, &exposed) == -1)
		return EXIT_DEMO_FAILED;
	n[0] = calls;
	trace_note("the mounts in the scratch directory, the mount(2) root built");
	if ((before = proc_show_mountinfo(0, tmp)) == -1)
		return EXIT_DEMO_FAILED;

	trace_phase("new API", "the same root, each mount made detached, then attached");
	calls = 0;
	if (new_api(&b, listed) == -1)
		return EXIT_DEMO_FAILED;
	n[1] = calls;

	/* Detached: not listed after fsmount, nor (but the overlay) after open_tree. */
	const char *unlisted = listed[0] == before && listed[1] == before + 1 ? "yes" : "no";
	trace_fact("newmount_detached_unlisted", "%s", unlisted);
	printf("%-38s %8s %8s\n", "", "mount(2)", "new API");
	printf("%-38s %8d %8d\n", "system calls", n[0], n[1]);
	printf("%-38s %4s%4s %4s%4s\n", "read-only: the volume, the one beneath",
	       readonly(a.mnt, ""), readonly(a.mnt, "/sub"), readonly(b.mnt, ""),
	       readonly(b.mnt, "/sub"));
	printf("%-38s %8s %8s\n", "seen writable under a read-only bind", exposed, "no");
	printf("%-38s %8s %8s\n", "made whole before it was in the table", "no", unlisted);
	fflush(stdout);
	return EXIT_DEMO_OK;
}

static const struct trace_prog prog = {
    .name = "newmount",
    .synopsis = "[--image DIR]",
    .about = "One container root (an overlay of the image, a read-only volume with a mount\n"
	     "beneath it at /mnt) built with mount(2), then with the new mount API (fsopen,\n"
	     "fsconfig, fsmount, open_tree, mount_setattr, move_mount). Needs root.",
    .look_for = "The bind's MS_RDONLY ignored; the table unchanged after fsmount and open_tree.",
    .options = ROOTFS_IMAGE_HELP,
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
	snprintf(vol, sizeof(vol), "%s/vol", tmp);
	/* Each upper layer holds mnt/, the volume's mount point. */
	const char *dirs[] = {"vol",	"vol/sub",     "a", "a/upper", "a/work",
			      "a/root", "a/upper/mnt", "b", "b/upper", "b/work",
			      "b/root", "b/upper/mnt", NULL};
	int status = rootfs_mkdirs(tmp, dirs) == 0 ? rootfs_run_isolated(child_main, NULL) : -1;
	return rootfs_demo_end(
	    tmp, status,
	    "The same root twice; mount(2)'s was in the table half-made, writable under\n"
	    "a read-only bind. The new API attached each mount whole.");
}
