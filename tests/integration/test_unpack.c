/*
 * test_unpack.c - 04-overlay-chroot/unpack on images the test builds itself:
 * layer tars written with libarchive (which, unlike tar(1), writes any name
 * a hostile image could hold), packed into an OCI layout by
 * scripts/mkoci.sh, an oci-archive or a docker save tarball. Every hostile
 * case must be refused (or neutralised) with one line, and leave nothing
 * outside the destination - nor half a layer inside it.
 */
#include "../suites.h"
#include "harness.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define UNPACK "04-overlay-chroot/unpack"

/* One entry of a test layer: type 'f' file (text), 'd' dir, 'l' symlink
 * (text = target), 'h' hard link (text = target), 'b' block device,
 * 's' a setuid file with a file capability, 'x' a file with a
 * trusted.overlay.opaque xattr. */
struct ent {
	char type;
	const char *name, *text;
};

static char scratch[64];

static void
make_tar(const char *path, const struct ent *e, int gzip)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae;

	archive_write_set_format_pax(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; e->type; e++) {
		size_t len = e->text && strchr("fsx", e->type) ? strlen(e->text) : 0;

		ae = archive_entry_new();
		archive_entry_set_pathname(ae, e->name);
		archive_entry_set_perm(ae, 0644);
		switch (e->type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e->text);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e->text);
			break;
		case 'b':
			archive_entry_set_filetype(ae, AE_IFBLK);
			archive_entry_set_rdev(ae, makedev(8, 0));
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, len);
			if (e->type == 's') {
				/* a file capability: cap_net_raw+ep, VFS_CAP_REVISION_2 */
				static const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0, 0x20};
				archive_entry_set_perm(ae, 04755);
				archive_entry_xattr_add_entry(ae, "security.capability", cap,
							      sizeof(cap));
			}
			if (e->type == 'x')
				archive_entry_xattr_add_entry(ae, "trusted.overlay.opaque", "y", 1);
		}
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (len)
			ck_assert_int_eq(archive_write_data(a, e->text, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* An OCI layout SCRATCH/NAME of the given layers (tar files in SCRATCH). */
static void
make_oci(const char *name, const char *layers)
{
	const char *root = getenv("NUTSHELL_ROOT");
	sh("cd %s && %s/scripts/mkoci.sh %s test:1 %s", scratch, root ? root : "$OLDPWD", name,
	   layers);
}

static void
setup(void)
{
	strcpy(scratch, "/tmp/nutshell-unpack-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	sh("mkdir %s/outside", scratch);
}

static void
teardown(void)
{
	sh("rm -rf %s", scratch);
}

static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* Runs unpack on SCRATCH/IMAGE into SCRATCH/out with EXTRA options;
 * expects a refusal: exit 1, stderr containing EXPECTED on one line, no
 * layer (not even a temporary one) in out, nothing in SCRATCH/outside,
 * and the host's targets of unpack_hostile untouched: no /tmp/pwned made
 * or changed (the absolute name), no link added to /etc/passwd (the hard
 * links), looked at before out is removed. */
static void
expect_refused(const char *image, const char *extra, const char *expected)
{
	char img[128], out[128], outside[128];
	const char *argv[] = {UNPACK, img, out, extra, NULL};
	struct stat pw0, pw1, pn0, pn1;
	struct run r;

	ck_assert_int_eq(stat("/etc/passwd", &pw0), 0);
	int had = lstat("/tmp/pwned", &pn0) == 0;

	snprintf(img, sizeof(img), "%s/%s", scratch, image);
	snprintf(out, sizeof(out), "%s/out", scratch);
	snprintf(outside, sizeof(outside), "%s/outside", scratch);
	if (extra) {
		argv[1] = extra;
		argv[2] = img;
		argv[3] = out;
	}
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 1, "%s: exit %d, stderr:\n%s", image, r.status, r.err);
	ck_assert_msg(strstr(r.err, expected), "%s: expected '%s' in:\n%s", image, expected, r.err);
	ck_assert_int_eq(entries(out), 0);
	ck_assert_int_eq(entries(outside), 0);
	ck_assert_int_eq(stat("/etc/passwd", &pw1), 0);
	ck_assert_msg(pw1.st_ino == pw0.st_ino && pw1.st_nlink == pw0.st_nlink,
		      "%s: /etc/passwd has %ju links (inode %ju), had %ju (inode %ju)", image,
		      (uintmax_t)pw1.st_nlink, (uintmax_t)pw1.st_ino, (uintmax_t)pw0.st_nlink,
		      (uintmax_t)pw0.st_ino);
	int has = lstat("/tmp/pwned", &pn1) == 0;
	ck_assert_msg(has == had && (!had || (pn1.st_ino == pn0.st_ino &&
					      pn1.st_mtim.tv_sec == pn0.st_mtim.tv_sec &&
					      pn1.st_mtim.tv_nsec == pn0.st_mtim.tv_nsec)),
		      "%s: /tmp/pwned %s", image,
		      had ? (has ? "changed" : "removed") : "created outside the layer");
	sh("rm -rf %s", out);
	run_free(&r);
}

START_TEST(unpack_three_layers)
{
	static const struct ent base[] = {{'d', "etc", 0},
					  {'f', "etc/a", "a\n"},
					  {'f', "etc/b", "b\n"},
					  {'d', "opt", 0},
					  {'d', "opt/keep", 0},
					  {'f', "opt/keep/k", "k\n"},
					  {'h', "etc/a-hard", "etc/a"},
					  {'l', "link", "/etc"},
					  {'s', "bin/ping", "ELF"},
					  {0, 0, 0}};
	static const struct ent mid[] = {{'f', "etc/.wh.a", ""}, {'f', "etc/c", "c\n"}, {0, 0, 0}};
	static const struct ent top[] = {
	    {'d', "opt", 0}, {'f', "opt/.wh..wh..opq", ""}, {'f', "opt/new", "n\n"}, {0, 0, 0}};
	char p[512], out[128], value[8];
	const char *argv[] = {UNPACK, p, out, NULL};
	struct stat st;
	struct run r;

	snprintf(p, sizeof(p), "%s/l1.tar.gz", scratch);
	make_tar(p, base, 1);
	snprintf(p, sizeof(p), "%s/l2.tar", scratch);
	make_tar(p, mid, 0);
	snprintf(p, sizeof(p), "%s/l3.tar", scratch);
	make_tar(p, top, 0);
	make_oci("oci", "l1.tar.gz l2.tar l3.tar");
	snprintf(p, sizeof(p), "%s/oci", scratch);
	snprintf(out, sizeof(out), "%s/out", scratch);

	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "format"), "oci");
	ck_assert_str_eq(run_fact(&r, "layers"), "3");
	ck_assert_ptr_nonnull(strstr(r.err, "# checked layer 0 blob: sha256:"));
	ck_assert_ptr_nonnull(strstr(r.err, "# checked layer 2 diff_id: sha256:"));
	ck_assert_ptr_nonnull(strstr(r.err, ", \"a\", S_IFCHR, makedev(0, 0)) = 0"));
	ck_assert_ptr_nonnull(strstr(r.err, ", \"trusted.overlay.opaque\", \"y\", 1, 0) = 0"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "mknodat"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "fsetxattr"));
	/* The whiteout on disk: c 0,0 in the middle layer, and the opaque
	 * xattr on the top layer's opt. */
	char lower[1024];
	snprintf(lower, sizeof(lower), "%s", run_fact(&r, "lowerdir"));
	char top_dir[256], mid_dir[256], base_dir[256];
	ck_assert_int_eq(sscanf(lower, "%255[^:]:%255[^:]:%255s", top_dir, mid_dir, base_dir), 3);
	snprintf(p, sizeof(p), "%s/etc/a", mid_dir);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	ck_assert_int_eq(st.st_mode & 07777, 0); /* ls -l: c--------- ... 0, 0 */
	snprintf(p, sizeof(p), "%s/opt", top_dir);
	ck_assert_int_eq(lgetxattr(p, "trusted.overlay.opaque", value, sizeof(value)), 1);
	/* setuid and the file capability kept; the hard link is one inode. */
	snprintf(p, sizeof(p), "%s/bin/ping", base_dir);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 04755);
	ck_assert_int_eq(lgetxattr(p, "security.capability", NULL, 0), 20);
	snprintf(p, sizeof(p), "%s/etc/a-hard", base_dir);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
	run_free(&r);

	/* What a container on this stack sees: exactly the spec's files. */
	/* The layers' names relative to their directory: mount(8) of
	 * util-linux 2.39+ passes lowerdir through fsconfig(2), which takes at
	 * most 256 bytes a value (Debian 13 refused the absolute paths). */
	char cmd[2048], seen[512] = "", dir[256];
	snprintf(dir, sizeof(dir), "%s", top_dir);
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd),
		 "unshare -m sh -c 'mkdir -p %s/m && cd %s && mount -t overlay overlay -o "
		 "lowerdir=%s:%s:%s %s/m && cd %s/m && find . | sort | tr \"\\n\" \" \"'",
		 scratch, dir, strrchr(top_dir, '/') + 1, strrchr(mid_dir, '/') + 1,
		 strrchr(base_dir, '/') + 1, scratch, scratch);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(seen, sizeof(seen), f));
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_str_eq(seen, ". ./bin ./bin/ping ./etc ./etc/a-hard ./etc/b ./etc/c ./link ./opt "
			       "./opt/new ");

	/* Again, into the same directory: every layer is shared. */
	snprintf(p, sizeof(p), "%s/oci", scratch);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "is there already: shared, not unpacked again"));
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "renameat"));
	run_free(&r);

	/* The oci-archive and the docker save tarball of the same image. */
	sh("cd %s/oci && tar -cf ../oci.tar .", scratch);
	sh("rm -rf %s/out", scratch);
	snprintf(p, sizeof(p), "%s/oci.tar", scratch);
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "oci-archive: exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "format"), "oci");
	ck_assert_ptr_nonnull(strstr(r.err, "oci.tar is an archive: extracting it into "));
	ck_assert_str_eq(run_fact(&r, "lowerdir"), lower);
	ck_assert_int_eq(entries(out), 3); /* and the extracted archive is gone */
	ck_assert_ptr_nonnull(strstr(r.out, ",upperdir=U,workdir=W MERGED\n"));
	run_free(&r);

	/* --userxattr (a rootless overlay's): the opaque directory marked
	 * user.overlay.opaque, and the mount line asks for userxattr, without
	 * which overlayfs would not read it. */
	const char *ux[] = {UNPACK, "--userxattr", p, out, NULL};
	snprintf(out, sizeof(out), "%s/out-userxattr", scratch);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, ux), 0);
	/* tmpfs before Linux 6.6 (the VM lane's Debian 12 kernel, whose root
	 * is a tmpfs) keeps no user.* xattrs: unpack says so, and leaves no
	 * half-made layer. */
	if (setxattr(scratch, "user.nutshell-probe", "y", 1, 0) == -1 && errno == EOPNOTSUPP) {
		ck_assert_msg(r.status == 1 &&
				  strstr(r.err, "opaque directory 'opt/.wh..wh..opq': "
						"this filesystem keeps no user.* xattrs"),
			      "--userxattr on a filesystem without user.* xattrs: exit %d:\n%s",
			      r.status, r.err);
		sh("! ls -a %s | grep -q -e '^.tmp-' -e '^.archive'", out);
		run_free(&r);
		return;
	}
	ck_assert_msg(r.status == 0, "--userxattr: exit %d, stderr:\n%s\nstdout:\n%s", r.status,
		      r.err, r.out);
	ck_assert_msg(strstr(r.out, ",upperdir=U,workdir=W,userxattr MERGED\n"), "%s", r.out);
	snprintf(lower, sizeof(lower), "%s", run_fact(&r, "lowerdir"));
	*strchr(lower, ':') = '\0';
	snprintf(p, sizeof(p), "%.400s/opt", lower);
	ck_assert_int_eq(lgetxattr(p, "user.overlay.opaque", value, sizeof(value)), 1);
	ck_assert_int_eq(lgetxattr(p, "trusted.overlay.opaque", NULL, 0), -1);
	run_free(&r);
}
END_TEST

START_TEST(unpack_docker_save)
{
	static const struct ent l[] = {{'f', "hello", "hi\n"}, {0, 0, 0}};
	char p[256], out[128];
	const char *argv[] = {UNPACK, "--ref", "test:1", p, out, NULL};
	struct run r;

	snprintf(p, sizeof(p), "%s/layer.tar", scratch);
	make_tar(p, l, 0);
	sh("cd %s && mkdir d && cp layer.tar d/ && h=$(sha256sum <layer.tar | cut -c1-64) && "
	   "printf '{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%%s\"]}}' $h >c && "
	   "c=$(sha256sum <c | cut -c1-64) && mv c d/$c.json && "
	   "printf "
	   "'[{\"Config\":\"%%s.json\",\"RepoTags\":[\"test:1\"],\"Layers\":[\"layer.tar\"]}]' "
	   "$c >d/manifest.json && tar -C d -cf docker.tar .",
	   scratch);
	snprintf(p, sizeof(p), "%s/docker.tar", scratch);
	snprintf(out, sizeof(out), "%s/out", scratch);
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_str_eq(run_fact(&r, "format"), "docker");
	ck_assert_ptr_nonnull(strstr(r.err, ".json: sha256:")); /* the config, checked */
	run_free(&r);
	sh("rm -rf %s/out", scratch);

	/* Docker-save hostiles: a layer changed (no blob digest: the diff_id
	 * catches it), truncated, a config that is not JSON, a missing layer. */
	sh("cd %s/d && echo x >>layer.tar && tar -cf ../changed.tar .", scratch);
	expect_refused("changed.tar", NULL, "diff_id sha256:");
	sh("cd %s/d && gzip -c layer.tar | head -c 60 >layer.tar.gz && mv layer.tar.gz layer.tar "
	   "&& "
	   "tar -cf ../truncated.tar .",
	   scratch);
	expect_refused("truncated.tar", NULL, "corrupt or truncated");
	sh("cd %s/d && rm layer.tar && tar -cf ../missing.tar .", scratch);
	expect_refused("missing.tar", NULL, "layer blob 'layer.tar' named by the image is missing");
	sh("cd %s/d && echo nope >cfg.json && sed -i 's/\"[0-9a-f]*.json\"/\"cfg.json\"/' "
	   "manifest.json && tar -cf ../notjson.tar .",
	   scratch);
	expect_refused("notjson.tar", NULL, "config: not JSON");
}
END_TEST

/* One layer holding ENTS, as an OCI layout SCRATCH/NAME. */
static void
hostile(const char *name, const struct ent *ents)
{
	char p[256], tar[64];

	snprintf(tar, sizeof(tar), "%s.tar", name);
	snprintf(p, sizeof(p), "%s/%s", scratch, tar);
	make_tar(p, ents, 0);
	make_oci(name, tar);
}

START_TEST(unpack_hostile)
{
	char outside[128], p[256];
	snprintf(outside, sizeof(outside), "%s/outside", scratch);
	const struct ent dotdot[] = {{'f', "../outside/pwned", "x"}, {0, 0, 0}};
	const struct ent absolute[] = {{'f', "/tmp/pwned", "x"}, {0, 0, 0}};
	const struct ent through[] = {{'l', "ln", outside}, {'f', "ln/pwned", "x"}, {0, 0, 0}};
	const struct ent hardout[] = {{'h', "h", "../../../etc/passwd"}, {0, 0, 0}};
	const struct ent hardabs[] = {{'h', "h", "/etc/passwd"}, {0, 0, 0}};
	const struct ent hardmiss[] = {{'h', "h", "etc/passwd"}, {0, 0, 0}};

	hostile("dotdot", dotdot);
	expect_refused("dotdot", NULL, "entry '../outside/pwned': '..' climbs out of the layer");
	hostile("absolute", absolute);
	expect_refused("absolute", NULL, "entry '/tmp/pwned': absolute name");
	hostile("through", through);
	expect_refused("through", NULL,
		       "entry 'ln/pwned': 'ln' is not a directory in the layer (a "
		       "symlink)");
	hostile("hardout", hardout);
	expect_refused("hardout", NULL, "'..' climbs out of the layer");
	hostile("hardabs", hardabs);
	expect_refused("hardabs", NULL, "entry '/etc/passwd': absolute name");
	hostile("hardmiss", hardmiss);
	expect_refused("hardmiss", NULL, "hard link to 'etc/passwd', not in this layer");

	/* A blob changed after the fact: its digest no longer matches. */
	const struct ent ok[] = {{'f', "f", "data"}, {0, 0, 0}};
	hostile("tampered", ok);
	/* head -c, not truncate -s -1: the VM lane's BusyBox truncate takes no
	 * relative size. */
	sh("cd %s/tampered/blobs/sha256 && for b in *; do if tar -tf $b >/dev/null 2>&1; then "
	   "n=$(wc -c <$b); head -c $((n - 1)) $b >$b.t && mv $b.t $b; fi; done",
	   scratch);
	expect_refused("tampered", NULL, "digest sha256:");
	/* A manifest naming a layer blob that is not there. */
	hostile("gone", ok);
	sh("cd %s/gone/blobs/sha256 && for b in *; do tar -tf $b >/dev/null 2>&1 && rm $b; done; "
	   "true",
	   scratch);
	expect_refused("gone", NULL, "named by the image is missing");
	/* The manifest itself missing (the index names it). */
	hostile("nomanifest", ok);
	sh("cd %s/nomanifest && rm blobs/sha256/$(grep -o '[0-9a-f]\\{64\\}' index.json)", scratch);
	expect_refused("nomanifest", NULL, "named by the image is missing");
	/* Not an image at all. */
	sh("mkdir %s/empty", scratch);
	expect_refused("empty", NULL, "expected an OCI layout (index.json)");

	/* A decompression bomb: 8 MiB of zeros, a few KiB gzipped. */
	sh("cd %s && head -c 8388608 /dev/zero >zeros && tar -czf bomb.tar.gz zeros && "
	   "%s/scripts/mkoci.sh bomb test:1 bomb.tar.gz",
	   scratch, getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : "$OLDPWD");
	expect_refused("bomb", "--max-size=1M",
		       "more than 1048576 bytes uncompressed (--max-size)");

	/* Planted by an earlier layer: a symlink out, then a file "through"
	 * it in the next layer. Each layer has its own directory, so the
	 * second makes a real directory and nothing goes out. */
	const struct ent plant[] = {{'l', "ln", outside}, {0, 0, 0}};
	const struct ent use[] = {{'f', "ln/pwned", "x"}, {0, 0, 0}};
	snprintf(p, sizeof(p), "%s/plant.tar", scratch);
	make_tar(p, plant, 0);
	snprintf(p, sizeof(p), "%s/use.tar", scratch);
	make_tar(p, use, 0);
	make_oci("planted", "plant.tar use.tar");
	char img[128], out[128];
	const char *argv[] = {UNPACK, img, out, NULL};
	struct run r;
	snprintf(img, sizeof(img), "%s/planted", scratch);
	snprintf(out, sizeof(out), "%s/out", scratch);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_int_eq(entries(outside), 0);
	run_free(&r);
	sh("rm -rf %s", out);

	/* Devices other than whiteouts are kept out unless trusted; an
	 * image's trusted.overlay.* xattr never reaches the disk. */
	const struct ent dev[] = {{'b', "sda", 0}, {'x', "f", "x"}, {0, 0, 0}};
	hostile("dev", dev);
	snprintf(img, sizeof(img), "%s/dev", scratch);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "kept out: device node 'sda'"));
	ck_assert_msg(strstr(r.out, "kept out: 1 devices, "), "%s", r.out);
	snprintf(p, sizeof(p), "%s/f", run_fact(&r, "lowerdir"));
	ck_assert_int_eq(lgetxattr(p, "trusted.overlay.opaque", NULL, 0), -1);
	run_free(&r);
	sh("rm -rf %s", out);
	const char *trusted[] = {UNPACK, "--trusted", img, out, NULL};
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, trusted), 0);
	ck_assert_int_eq(r.status, 0);
	snprintf(p, sizeof(p), "%s/sda", run_fact(&r, "lowerdir"));
	struct stat st;
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISBLK(st.st_mode) && st.st_rdev == makedev(8, 0));
	run_free(&r);
}
END_TEST

START_TEST(unpack_usage)
{
	const char *one[] = {UNPACK, "only-one", NULL};
	const char *size[] = {UNPACK, "--max-size", "lots", "a", "b", NULL};

	run_expect_usage_error(one, 2, "unpack: expected IMAGE and DEST");
	run_expect_usage_error(size, 2, "--max-size 'lots': expected a size such as 512M or 4G");
}
END_TEST

/* Two unpacks at once into one directory, of images sharing their base
 * layer: each layer is unpacked into a temporary directory and renamed
 * into place, so one rename wins, the other sees the layer there
 * (ENOTEMPTY) and drops its copy; both succeed, and the base is there
 * once, whole. The base holds a 16 MiB file, so that its unpack (and its
 * digests) take far longer than the two programs' start apart: both find
 * no base, both unpack it, and the race is run, not hoped for - the test
 * asserts that a rename lost (the loser's trace shows renameat ... =
 * -1 ENOTEMPTY) in at least one round. */
START_TEST(unpack_concurrent)
{
	static const struct ent a[] = {{'f', "a", "a\n"}, {0, 0, 0}};
	static const struct ent b[] = {{'f', "b", "b\n"}, {0, 0, 0}};
	const size_t big = 16 << 20;
	char *text = malloc(big + 1);
	char p[256];
	char root[512];
	int raced = 0;

	/* The shell runs in the scratch directory: the programs by full path. */
	ck_assert_ptr_nonnull(
	    realpath(getenv("NUTSHELL_ROOT") ? getenv("NUTSHELL_ROOT") : ".", root));

	ck_assert_ptr_nonnull(text);
	memset(text, 'x', big);
	text[big] = '\0';
	const struct ent base[] = {{'d', "usr", 0}, {'f', "usr/big", text}, {0, 0, 0}};
	snprintf(p, sizeof(p), "%s/base.tar", scratch);
	make_tar(p, base, 0);
	free(text);
	snprintf(p, sizeof(p), "%s/a.tar", scratch);
	make_tar(p, a, 0);
	snprintf(p, sizeof(p), "%s/b.tar", scratch);
	make_tar(p, b, 0);
	make_oci("ia", "base.tar a.tar");
	make_oci("ib", "base.tar b.tar");
	for (int round = 0; round < 5; round++) {
		sh("rm -rf %s/out; cd %s; %s/%s ia out >ra 2>&1 & a=$!; "
		   "%s/%s ib out >rb 2>&1 & b=$!; wait $a; ra=$?; wait $b; rb=$?; "
		   "test $ra = 0 -a $rb = 0 || { cat ra rb; false; }",
		   scratch, scratch, root, UNPACK, root, UNPACK);
		snprintf(p, sizeof(p), "%s/out", scratch);
		ck_assert_int_eq(entries(p), 3); /* base, a, b: no temporary left */
		snprintf(p, sizeof(p), "cat %s/ra %s/rb | grep -q '^renameat(.*= -1 ENOTEMPTY'",
			 scratch, scratch);
		raced += system(p) == 0;
	}
	ck_assert_msg(raced > 0, "in 5 rounds no rename lost the race: the test proved nothing");
	sh("rm -rf %s/out %s/ra %s/rb", scratch, scratch, scratch);
}
END_TEST

/* Worksheet 04, step 7, as written: the default image as an OCI layout
 * (make image-oci), unpacked twice into one directory. */
START_TEST(unpack_worksheet_step7)
{
	char out[128];
	const char *argv[] = {UNPACK, "images/busybox-oci", out, NULL};
	struct run r;

	snprintf(out, sizeof(out), "%s/layers", scratch);
	ck_assert_int_eq(run_program(&r, RUN_STRACE, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_expect_honest(&r);
	ck_assert_ptr_nonnull(strstr(r.err, "# checked blobs/sha256/"));
	ck_assert_ptr_nonnull(strstr(r.err, "# checked layer 0 blob: sha256:"));
	ck_assert_ptr_nonnull(strstr(r.err, "# checked layer 0 diff_id: sha256:"));
	ck_assert_ptr_nonnull(run_find(&r, "syscall", "name", "renameat"));
	ck_assert_ptr_nonnull(strstr(r.out, "lowerdir="));
	ck_assert_int_eq(entries(out), 1);
	run_free(&r);
	ck_assert_int_eq(run_program(&r, RUN_PLAIN, argv), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "# checked layer 0 diff_id: sha256:"));
	ck_assert_ptr_nonnull(strstr(r.err, "is there already: shared, not unpacked again"));
	ck_assert_ptr_null(run_find(&r, "syscall", "name", "renameat"));
	run_free(&r);
}
END_TEST

/* One test case per test, so that a mutant (scripts/mutants.sh) can name
 * it; the fixture unchecked, so that its teardown runs in the runner even
 * when the test failed and left its scratch directory. */
static void
add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *
suite_unpack(void)
{
	Suite *s = suite_create("unpack");

	add(s, "unpack_three_layers", unpack_three_layers);
	add(s, "unpack_docker_save", unpack_docker_save);
	add(s, "unpack_hostile", unpack_hostile);
	add(s, "unpack_usage", unpack_usage);
	add(s, "unpack_concurrent", unpack_concurrent);
	add(s, "unpack_worksheet_step7", unpack_worksheet_step7);
	return s;
}
