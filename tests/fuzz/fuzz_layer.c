/*
 * fuzz_layer.c - the layer applier (04-overlay-chroot/image.h img_apply)
 * on arbitrary bytes as a layer blob, unpacked into DIR/root. Whatever the
 * archive holds - "..", absolute names, symlinks then names through them,
 * hard links, devices, whiteouts - nothing appears beside DIR/root, no
 * device node other than a 0/0 whiteout appears inside it, and a refusal
 * says why. (Run as an ordinary user as well as root: whiteouts are
 * allowed to anyone since Linux 5.8; trusted.* xattrs are not.)
 */
#include "../../04-overlay-chroot/image.h"
#include "../../common/err.h"
#include "../../04-overlay-chroot/rootfs.h"
#include "fuzz.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char dir[64], root[128], blob[128];
static int bad_device;

/* The scratch directory goes when libFuzzer exits. Not /tmp/nutshell-*:
 * the suites' host check counts those, and fuzzing runs outside its lock. */
static void
cleanup(void)
{
	rootfs_remove_tree(dir);
	unlink(blob);
}

static int
entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	if (!dp)
		abort();
	while ((de = readdir(dp)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dp);
	return n;
}

static int
look(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path, (void)type, (void)f;
	if ((S_ISCHR(st->st_mode) && st->st_rdev != makedev(0, 0)) || S_ISBLK(st->st_mode))
		bad_device = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_apply_opts o = {.max_size = 1 << 20, .userxattr = geteuid() != 0};
	struct img_apply_stats st;
	FILE *f;

	if (!dir[0]) {
		strcpy(dir, "/tmp/fuzz-layer.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
		snprintf(root, sizeof(root), "%s/root", dir);
		snprintf(blob, sizeof(blob), "%s.blob", dir);
	}
	f = fopen(blob, "we");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (mkdir(root, 0755) == -1)
		abort();
	if (img_apply(blob, root, &o, &st) == -1)
		FUZZ_ASSERT(err_last()->msg[0] != '\0', "refused without a reason");
	FUZZ_ASSERT(entries(dir) == 1, "something was written beside the layer directory");
	bad_device = 0;
	nftw(root, look, 16, FTW_PHYS);
	FUZZ_ASSERT(!bad_device, "a device node that is not a whiteout");
	if (rootfs_remove_tree(root) == -1)
		abort();
	return 0;
}
