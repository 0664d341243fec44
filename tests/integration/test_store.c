/*
 * test_store.c - the image store (04-overlay-chroot/store.h) through
 * `nutshell image import|ls|rm` and `nutshell run --image`, on images the
 * tests build themselves: layer tars made with tar(1) (one is the default
 * image's tree), packed by scripts/mkoci.sh or as a docker save tarball.
 * Nothing comes from a registry. Each test has a store of its own
 * (NUTSHELL_STORE in a scratch directory) and checks it is left as it was:
 * after `image rm` no layer, no temporary directory.
 */
#include "../suites.h"
#include "harness.h"
#include "store_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char scratch[64], store[128];

void
shell(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* The toolkit's root, absolute: the shell commands run elsewhere. */
const char *
root_dir(void)
{
	static char dir[4096];
	const char *root = getenv("NUTSHELL_ROOT");

	if (!realpath(root ? root : ".", dir))
		ck_abort_msg("realpath of the toolkit root");
	return dir;
}

static void
setup(void)
{
	strcpy(scratch, "/tmp/nutshell-store-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	snprintf(store, sizeof(store), "%s/store", scratch);
	setenv("NUTSHELL_STORE", store, 1);
}

static void
teardown(void)
{
	unsetenv("NUTSHELL_STORE");
	shell("rm -rf %s", scratch);
}

int
entries(const char *fmt, ...)
{
	char dir[512];
	va_list ap;
	struct dirent *de;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(dir, sizeof(dir), fmt, ap);
	va_end(ap);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* SCRATCH/l1.tar.gz: the default image's tree, the base of every image
 * here (it has the shell the containers run): the layer of `make
 * image-oci`, its one gzip blob - no tar of our own, which BusyBox's tar
 * (the VM lane's) could not make the same way. */
void
make_base(void)
{
	shell("for b in %s/images/busybox-oci/blobs/sha256/*; do "
	      "gunzip -t \"$b\" 2>/dev/null && cp \"$b\" %s/l1.tar.gz; done; test -s %s/l1.tar.gz",
	      root_dir(), scratch, scratch);
}

/* An OCI layout SCRATCH/DIR named REF, of LAYERS (in SCRATCH), with
 * CONFIG as the config's "config" object. */
void
make_oci(const char *dir, const char *ref, const char *layers, const char *config)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.config", scratch, dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(config, f);
	fclose(f);
	shell("cd %s && CONFIG_JSON=\"$(cat %s.config)\" %s/scripts/mkoci.sh %s %s %s", scratch,
	      dir, root_dir(), dir, ref, layers);
}

/* Runs nutshell with ARGV (after the program), expects exit STATUS. */
void
nutshell(struct run *r, int status, const char *const *args)
{
	const char *argv[32] = {NUTSHELL};
	size_t n = 1;

	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	ck_assert_int_eq(run_program(r, RUN_PLAIN, argv), 0);
	/* Its end only: Check cannot pass a failure message over 4 KiB (its
	 * test process exits 2 instead), and an import's trace is longer. */
	size_t len = strlen(r->err);
	ck_assert_msg(r->status == status, "%s %s: exit %d, expected %d; stderr%s:\n%s", argv[1],
		      argv[2] ? argv[2] : "", r->status, status, len > 2048 ? " (its end)" : "",
		      r->err + (len > 2048 ? len - 2048 : 0));
}

/* The store holds nothing but its empty skeleton: as it was. */
void
expect_store_empty(void)
{
	ck_assert_int_eq(entries("%s/layers", store), 0);
	ck_assert_int_eq(entries("%s/tmp", store), 0);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s/images.json", store);
	char text[4096];
	read_text_file(buf, text, sizeof(text));
	ck_assert_msg(strstr(text, "\"images\": []"), "images left:\n%s", text);
}

/* SCRATCH/three, the three-layer image of issue 17 named three:1: the
 * base, a layer adding files, and one deleting a file (whiteout) and
 * replacing a directory (opaque); its config runs a shell line. */
void
make_three(void)
{
	make_base();
	shell("cd %s && mkdir -p l2/data l2/opt/keep && echo a >l2/data/a && echo b >l2/data/b && "
	      "echo k >l2/opt/keep/k && tar -C l2 --numeric-owner -cf l2.tar . && "
	      "mkdir -p l3/data l3/opt && : >l3/data/.wh.a && : >l3/opt/.wh..wh..opq && "
	      "echo n >l3/opt/new && tar -C l3 --numeric-owner -cf l3.tar .",
	      scratch);
	make_oci("three", "three:1", "l1.tar.gz l2.tar l3.tar",
		 "{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo cmd:$GREETING; pwd\"],"
		 "\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\",\"GREETING=hello\"],"
		 "\"WorkingDir\":\"/data\"}");
}

/* The three-layer image of issue 17: a base, a layer adding files, and one
 * deleting a file (whiteout) and replacing a directory (opaque). */
START_TEST(store_three_layers)
{
	struct run r;
	struct stat st;
	char path[512];

	make_three();
	snprintf(path, sizeof(path), "%s/three", scratch);

	/* Imported under its own name (the layout's ref.name). */
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_str_eq(r.out, "three:1\n");
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 3);
	ck_assert_int_eq(entries("%s/tmp", store), 0);

	/* The whiteout became a 0/0 character device in the top layer. */
	shell("find %s/layers -path '*/data/a' -type c >%s/wh.txt", store, scratch);
	char wh[512] = "";
	read_text_file(strcat(strcpy(path, scratch), "/wh.txt"), wh, sizeof(wh));
	wh[strcspn(wh, "\n")] = '\0';
	ck_assert_int_eq(lstat(wh, &st), 0);
	ck_assert_msg(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0), "%s: not a whiteout", wh);

	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_msg(strstr(r.out, "three:1") && strstr(r.out, "      3 "), "ls:\n%s", r.out);
	run_free(&r);

	/* Entrypoint + Cmd, Env, WorkingDir: the image's defaults. */
	nutshell(&r, 0, (const char *[]){"run", "--image", "three:1", NULL});
	ck_assert_str_eq(r.out, "cmd:hello\n/data\n");
	run_expect_ctr_gone(run_ctr_id(&r));
	run_free(&r);

	/* A COMMAND replaces Cmd (after the Entrypoint); --env overrides;
	 * the container sees exactly what the layers say: data/a deleted,
	 * opt/ replaced by the top layer's. */
	nutshell(&r, 0,
		 (const char *[]){"run", "--image", "three:1", "--env", "GREETING=bye", "--",
				  "ls -A /data /opt; cat /data/b; echo $GREETING", NULL});
	ck_assert_str_eq(r.out, "/data:\nb\n\n/opt:\nnew\nb\nbye\n");
	run_free(&r);

	nutshell(&r, 0, (const char *[]){"image", "rm", "three:1", NULL});
	ck_assert_ptr_nonnull(strstr(r.out, "removed three:1"));
	run_free(&r);
	expect_store_empty();
	nutshell(&r, 1, (const char *[]){"image", "rm", "three:1", NULL});
	ck_assert_ptr_nonnull(strstr(r.err, "image 'three:1': not in the store"));
	run_free(&r);
}
END_TEST

/* Two images on one base: the base is stored once (one inode), ls says
 * it is shared, and rm keeps it while the other image uses it. */
START_TEST(store_shared_base)
{
	struct run r;
	char path[512], la[512] = "";

	make_base();
	shell("cd %s && mkdir -p a/etc b/etc && echo A >a/etc/which && echo B >b/etc/which && "
	      "tar -C a -cf a.tar . && tar -C b -cf b.tar .",
	      scratch);
	make_oci("ia", "a:1", "l1.tar.gz a.tar", "{\"Cmd\":[\"cat\",\"/etc/which\"]}");
	make_oci("ib", "b:1", "l1.tar.gz b.tar", "{\"Cmd\":[\"id\",\"-u\"],\"User\":\"65534\"}");
	snprintf(path, sizeof(path), "%s/ia", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	run_free(&r);
	/* The inodes the store holds (find -printf %i, each counted once). */
	shell("cd %s/layers && ls >%s/before.txt && find . -mindepth 1 -printf '%%i\\n' | sort -u "
	      "| wc -l >%s/inodes-a.txt",
	      store, scratch, scratch);
	snprintf(path, sizeof(path), "%s/ib", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_ptr_nonnull(strstr(r.err, "is in the store already: shared"));
	run_free(&r);
	/* b:1 added only its own top layer's inodes: the base's are the
	 * ones a:1 brought, not a second copy. */
	shell("cd %s/layers && new=$(ls | grep -vxFf %s/before.txt) && test -n \"$new\" && "
	      "a=$(cat %s/inodes-a.txt) && top=$(find $new -printf '%%i\\n' | sort -u | wc -l) && "
	      "ab=$(find . -mindepth 1 -printf '%%i\\n' | sort -u | wc -l) && "
	      "{ test $ab = $((a + top)) || { echo \"store inodes: $ab with both images, $a with "
	      "a:1 alone, b:1's own layer $top\" >&2; false; }; }",
	      store, scratch, scratch);

	/* Three layers for four: the base once, and so one busybox on disk
	 * for both images. */
	ck_assert_int_eq(entries("%s/layers", store), 3);
	shell("test $(find %s/layers -name busybox -type f | wc -l) = 1", store);
	shell("grep -o '\"sha256:[0-9a-f]*\"' %s/images.json | sort | uniq -d | tr -d '\"' "
	      "| cut -c8- >%s/shared.txt",
	      store, scratch);
	snprintf(path, sizeof(path), "%s/shared.txt", scratch);
	read_text_file(path, la, sizeof(la));
	ck_assert_msg(strlen(la) == 65, "expected one shared layer, got '%s'", la);
	la[64] = '\0';

	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	/* Each image shares its base: SHARED is not 0B for either. */
	ck_assert_msg(strstr(r.out, "a:1") && strstr(r.out, "b:1") && !strstr(r.out, " 0B\n"),
		      "ls:\n%s", r.out);
	run_free(&r);

	nutshell(&r, 0, (const char *[]){"run", "--image", "a:1", NULL});
	ck_assert_str_eq(r.out, "A\n");
	run_free(&r);
	/* User from the config; --user replaces it. */
	nutshell(&r, 0, (const char *[]){"run", "--image", "b:1", NULL});
	ck_assert_str_eq(r.out, "65534\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"run", "--image", "b:1", "--user", "0", NULL});
	ck_assert_str_eq(r.out, "0\n");
	run_free(&r);

	/* The sharing in inode numbers, as a learner sees it with ls -i: the
	 * two images' containers run one /bin/busybox, the stored base's
	 * (overlayfs reports a lower file's own inode number, overlayfs.rst
	 * "Inode properties"). */
	char ino_a[32], ino_b[32], ino_store[64];
	nutshell(&r, 0,
		 (const char *[]){"run", "--image", "a:1", "--", "stat", "-c", "%i", "/bin/busybox",
				  NULL});
	snprintf(ino_a, sizeof(ino_a), "%s", r.out);
	run_free(&r);
	nutshell(&r, 0,
		 (const char *[]){"run", "--image", "b:1", "--", "stat", "-c", "%i", "/bin/busybox",
				  NULL});
	snprintf(ino_b, sizeof(ino_b), "%s", r.out);
	run_free(&r);
	shell("stat -c %%i %s/layers/%s/bin/busybox >%s/ino.txt", store, la, scratch);
	snprintf(path, sizeof(path), "%s/ino.txt", scratch);
	read_text_file(path, ino_store, sizeof(ino_store));
	ck_assert_msg(atoll(ino_a) > 0 && !strcmp(ino_a, ino_b) && !strcmp(ino_a, ino_store),
		      "/bin/busybox: inode %s in a:1's container, %s in b:1's, %s in the store",
		      ino_a, ino_b, ino_store);

	nutshell(&r, 0, (const char *[]){"image", "rm", "a:1", NULL});
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 2);
	ck_assert_int_eq(entries("%s/layers/%s", store, la) > 0, 1);
	nutshell(&r, 0, (const char *[]){"run", "--image", "b:1", "cat", "/bin/busybox", NULL});
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "rm", "b:1", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* docker save: named by its RepoTags; an archive without a name by its
 * file; --name wins. */
START_TEST(store_docker_save)
{
	struct run r;
	char path[256];

	make_base();
	shell(
	    "cd %s && mkdir d && gunzip -c l1.tar.gz >d/layer.tar && "
	    "h=$(sha256sum <d/layer.tar | cut -c1-64) && "
	    "printf '{\"config\":{\"Cmd\":[\"echo\",\"docker\"]},\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[\"sha256:%%s\"]}}' $h >c && c=$(sha256sum <c | cut -c1-64) && "
	    "mv c d/$c.json && printf '[{\"Config\":\"%%s.json\",\"RepoTags\":[\"dock:v1\"],"
	    "\"Layers\":[\"layer.tar\"]}]' $c >d/manifest.json && tar -C d -cf docker.tar . && "
	    "sed 's/\"RepoTags\":\\[\"dock:v1\"\\],//' d/manifest.json >m && mv m d/manifest.json "
	    "&& tar -C d -cf unnamed.tar .",
	    scratch);
	snprintf(path, sizeof(path), "%s/docker.tar", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_str_eq(r.out, "dock:v1\n");
	run_free(&r);
	snprintf(path, sizeof(path), "%s/unnamed.tar", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_str_eq(r.out, "unnamed\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "import", "--name", "mine:2", path, NULL});
	ck_assert_str_eq(r.out, "mine:2\n");
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 1);
	nutshell(&r, 0, (const char *[]){"run", "--image", "dock:v1", NULL});
	ck_assert_str_eq(r.out, "docker\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "rm", "dock:v1", "unnamed", "mine:2", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* A listing of the store (names, inodes, sizes) into SCRATCH/NAME. */
void
snapshot(const char *name)
{
	shell("cd %s && find . -printf '%%p %%i %%s %%m\\n' | sort >%s/%s", store, scratch, name);
}

void
expect_same(const char *x, const char *y)
{
	static char a[1 << 16], b[1 << 16];
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", scratch, x);
	read_text_file(path, a, sizeof(a));
	snprintf(path, sizeof(path), "%s/%s", scratch, y);
	read_text_file(path, b, sizeof(b));
	ck_assert_str_eq(a, b);
}

/* A refused import leaves the store as it was; so do bad options. */
START_TEST(store_refused)
{
	struct run r;
	char path[256];

	make_base();
	make_oci("good", "good:1", "l1.tar.gz", "{\"Cmd\":[\"true\"]}");
	snprintf(path, sizeof(path), "%s/good", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	run_free(&r);
	snapshot("before");

	/* A layer blob changed after the manifest named it. */
	shell("cp -r %s/good %s/bad && f=$(ls -S %s/bad/blobs/sha256 | head -1) && "
	      "echo x >>%s/bad/blobs/sha256/$f",
	      scratch, scratch, scratch, scratch);
	snprintf(path, sizeof(path), "%s/bad", scratch);
	nutshell(&r, 1, (const char *[]){"image", "import", "--name", "bad:1", path, NULL});
	ck_assert_msg(strstr(r.err, "digest") && strstr(r.err, "expected sha256:"), "%s", r.err);
	run_free(&r);
	snapshot("after");
	expect_same("before", "after");

	/* A layer past --max-size (a decompression bomb: 8M of zeros) over
	 * the shared base: the base is shared, the bomb refused, and the
	 * store is as it was. */
	shell("cd %s && mkdir bomb && head -c 8388608 /dev/zero >bomb/zeros && "
	      "tar -C bomb -czf bomb.tar.gz .",
	      scratch);
	make_oci("withbomb", "bomb:1", "l1.tar.gz bomb.tar.gz", "{\"Cmd\":[\"true\"]}");
	snprintf(path, sizeof(path), "%s/withbomb", scratch);
	nutshell(&r, 1, (const char *[]){"-q", "image", "import", "--max-size", "4M", path, NULL});
	ck_assert_msg(strstr(r.err, "4194304"), "%s", r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	run_free(&r);
	snapshot("after");
	expect_same("before", "after");

	/* Bad options: one line, exit 125 (run) or 2 (image), nothing made. */
	run_expect_usage_error((const char *[]){NUTSHELL, "run", "--image", "nope:1", NULL}, 125,
			       "--image: image 'nope:1': not in the store");
	run_expect_usage_error(
	    (const char *[]){NUTSHELL, "run", "--image", "good:1", "--rootfs", "/", "true", NULL},
	    125, "--image 'good:1': not with --rootfs");
	run_expect_usage_error((const char *[]){NUTSHELL, "image", "frobnicate", NULL}, 2,
			       "expected 'import FILE|DIR', 'ls', 'rm NAME...' or 'bundle");
	nutshell(&r, 1, (const char *[]){"image", "import", "--name", "a b", path, NULL});
	ck_assert_ptr_nonnull(strstr(r.err, "--name 'a b': expected a name"));
	run_free(&r);

	/* A symlink in the archive (podman's docker-archive has them) is
	 * never made: a manifest naming one as a layer finds no blob. */
	shell("cd %s && mkdir -p sl/lnk && gunzip -c l1.tar.gz >sl/layer.tar && "
	      "h=$(sha256sum <sl/layer.tar | cut -c1-64) && "
	      "printf '{\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
	      "[\"sha256:%%s\"]}}' $h >c && c=$(sha256sum <c | cut -c1-64) && mv c sl/$c.json && "
	      "ln -s ../layer.tar sl/lnk/layer.tar && printf '[{\"Config\":\"%%s.json\","
	      "\"Layers\":[\"lnk/layer.tar\"]}]' $c >sl/manifest.json && tar -C sl -cf sl.tar .",
	      scratch);
	snprintf(path, sizeof(path), "%s/sl.tar", scratch);
	nutshell(&r, 1, (const char *[]){"-q", "image", "import", path, NULL});
	ck_assert_msg(strstr(r.err, "layer blob 'lnk/layer.tar' named by the image is missing"),
		      "%s", r.err);
	run_free(&r);
	snapshot("after");
	expect_same("before", "after");
}
END_TEST

/* Starts ARGV (a program by its path) with its output to /dev/null, in
 * the store STORE_DIR (NULL: the test's). */
pid_t
start_quiet(const char *store_dir, const char *const argv[])
{
	pid_t pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		if (store_dir)
			setenv("NUTSHELL_STORE", store_dir, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* A file in SCRATCH appears (the container wrote it through a volume):
 * 0, or -1 after 20 s. */
static int
wait_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	for (int i = 0; i < 400; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

/* `image rm` of an image a running container uses: refused in one line,
 * the image and its layers kept (the container still reads them); once the
 * container ended, removed. An import that moves the name to a new image
 * keeps the old layers the container holds, and the next writer after it
 * removes them. */
START_TEST(store_rm_in_use)
{
	struct run r;
	char path[256], vol[300], exe[4200];
	int status;

	make_base();
	shell("cd %s && mkdir -p l2/etc && echo one >l2/etc/v && tar -C l2 -cf l2.tar . && "
	      "mkdir -p l3/etc && echo two >l3/etc/v && tar -C l3 -cf l3.tar . && mkdir vol",
	      scratch);
	make_oci("one", "use:1", "l1.tar.gz l2.tar", "{\"Cmd\":[\"cat\",\"/etc/v\"]}");
	make_oci("two", "use:1", "l1.tar.gz l3.tar", "{\"Cmd\":[\"cat\",\"/etc/v\"]}");
	snprintf(path, sizeof(path), "%s/one", scratch);
	nutshell(&r, 0, (const char *[]){"-q", "image", "import", path, NULL});
	run_free(&r);
	snprintf(vol, sizeof(vol), "%s/vol:/vol", scratch);
	snprintf(exe, sizeof(exe), "%s/" NUTSHELL, root_dir());
	pid_t pid =
	    start_quiet(NULL, (const char *[]){exe, "-q", "run", "--network", "none", "--image",
					       "use:1", "--volume", vol, "--", "sh", "-c",
					       "touch /vol/up; while [ ! -e /vol/stop ]; do "
					       "sleep 0.1; done; cat /etc/v >/vol/read",
					       NULL});
	ck_assert_msg(wait_file("vol/up") == 0, "the container did not start");

	nutshell(&r, 1, (const char *[]){"-q", "image", "rm", "use:1", NULL});
	ck_assert_msg(strstr(r.err, "image 'use:1': layer sha256:") &&
			  strstr(r.err, "is in use by a running container; stop it first"),
		      "%s", r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "not one line:\n%s", r.err);
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_ptr_nonnull(strstr(r.out, "use:1"));
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 2);

	/* The name moved to another image: the layer of the first that the
	 * running container holds stays until it is free. */
	snprintf(path, sizeof(path), "%s/two", scratch);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_msg(strstr(r.err, "a running container uses it"), "%s", r.err);
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 3);

	shell("touch %s/vol/stop", scratch);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "container: status %d",
		      status);
	snprintf(path, sizeof(path), "%s/vol/read", scratch);
	char text[64];
	ck_assert_str_eq(read_text_file(path, text, sizeof(text)), "one\n");

	nutshell(&r, 0, (const char *[]){"run", "--image", "use:1", NULL});
	ck_assert_str_eq(r.out, "two\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"-q", "image", "rm", "use:1", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

/* lessons/04-overlay-chroot.md step 8 as written, with the store and
 * /tmp/ex in the scratch directory: each "you will see" checked. */
START_TEST(store_worksheet_step8)
{
	struct run r;
	char path[4200], ex[128];

	/* The worksheet's tar command is GNU tar's (--exclude). */
	if (system("tar --help 2>&1 | grep -q -- --exclude") != 0)
		TEST_SKIP("this tar has no --exclude (BusyBox's), which worksheet 04 step 8 uses");
	snprintf(path, sizeof(path), "%s/images/busybox-oci", root_dir());
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_str_eq(r.out, "busybox:latest\n");
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_msg(strstr(r.out, "busybox:latest") && strstr(r.out, "      1       0B\n"),
		      "ls:\n%s", r.out);
	run_free(&r);
	nutshell(&r, 0,
		 (const char *[]){"run", "--image", "busybox:latest", "--", "ls", "/", NULL});
	ck_assert_msg(strstr(r.out, "bin\ndev\netc\n") && strstr(r.out, "proc\n") &&
			  strstr(r.out, "sys\n"),
		      "ls /:\n%s", r.out);
	run_free(&r);
	ck_assert_int_eq(entries("%s/layers", store), 1);
	shell("ls %s/layers | grep -qxE '[0-9a-f]{64}'", store);

	/* The image built by hand. */
	snprintf(ex, sizeof(ex), "%s/ex", scratch);
	shell(
	    "mkdir -p %s/up/etc && : >%s/up/etc/.wh.group && echo hi >%s/up/etc/motd && "
	    "tar -C %s/images/busybox --exclude=./.stamp --numeric-owner -czf %s/base.tar.gz . && "
	    "tar -C %s/up --numeric-owner -cf %s/up.tar . && "
	    "%s/scripts/mkoci.sh %s/img mine:1 %s/base.tar.gz %s/up.tar",
	    ex, ex, ex, root_dir(), ex, ex, ex, root_dir(), ex, ex, ex);
	snprintf(path, sizeof(path), "%s/img", ex);
	nutshell(&r, 0, (const char *[]){"image", "import", path, NULL});
	ck_assert_str_eq(r.out, "mine:1\n");
	ck_assert_msg(strstr(r.err, "layer 0: sha256:") &&
			  strstr(r.err, "is in the store already: shared"),
		      "%s", r.err);
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "ls", NULL});
	ck_assert_msg(strstr(r.out, "mine:1") && strstr(r.out, "      2 ") &&
			  !strstr(r.out, " 0B\n"),
		      "ls:\n%s", r.out);
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"run", "--image", "mine:1", "--", "ls", "/etc", NULL});
	ck_assert_msg(strstr(r.out, "motd\n") && !strstr(r.out, "group"), "ls /etc:\n%s", r.out);
	run_free(&r);
	nutshell(&r, 0, (const char *[]){"image", "rm", "mine:1", "busybox:latest", NULL});
	run_free(&r);
	expect_store_empty();
}
END_TEST

void
store_add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *
suite_store(void)
{
	Suite *s = suite_create("store");

	store_add(s, "store_three_layers", store_three_layers);
	store_add(s, "store_shared_base", store_shared_base);
	store_add(s, "store_docker_save", store_docker_save);
	store_add(s, "store_refused", store_refused);
	store_add_killed(s); /* test_store_killed.c */
	store_add(s, "store_worksheet_step8", store_worksheet_step8);
	store_add(s, "store_rm_in_use", store_rm_in_use);
	store_add_run(s); /* test_store_run.c */
	return s;
}
