/*
 * shocker - the 2014 escape from Docker 0.x: with CAP_DAC_READ_SEARCH, open a
 * file outside the container by its handle, no path needed.
 *
 * name_to_handle_at(2) turns a path into a file handle: a few bytes that
 * name the file within its filesystem (for ext4 the inode number and its
 * generation). open_by_handle_at(2) turns a handle back into an open file
 * without walking any path, so no chroot(2), pivot_root(2) or mount
 * namespace stands in the way; the kernel asks only for CAP_DAC_READ_SEARCH.
 * Docker before 1.0 left containers that capability, and Sebastian
 * Krahmer's shocker.c (June 2014) read the host's /etc/shadow with it,
 * guessing handles from the root directory's (inode 2) down.
 *
 * Here everything is in a temporary directory this program makes: a secret
 * file, and next to it "jail", which children chroot(2) into. The parent
 * takes the secret's handle; a child in the jail cannot reach the secret by
 * path (ENOENT), yet opens it by handle, relative to its own root directory
 * (handles are per filesystem, and the jail is on the secret's), and reads
 * it. A child without CAP_DAC_READ_SEARCH gets EPERM; so does a child that
 * keeps it but loads the launcher's seccomp profile.
 *
 * System calls: name_to_handle_at(2), clone(2), chdir(2), chroot(2),
 *               openat(2), open_by_handle_at(2), read(2), prctl(2)
 *               PR_CAPBSET_DROP and PR_SET_NO_NEW_PRIVS, capset(2),
 *               seccomp(2), wait4(2).
 * /proc:        /proc/self/status of each child (CapEff, Seccomp).
 * Look for:     openat(AT_FDCWD, "../secret", ...) = -1 ENOENT in the jail,
 *               then open_by_handle_at(...) = 4 and the secret read; EPERM
 *               without the capability, and EPERM under the profile while
 *               CapEff still holds CAP_DAC_READ_SEARCH.
 * Read:         open_by_handle_at(2), capabilities(7), chroot(2), seccomp(2).
 */
#include "../01-namespaces/ns.h"
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/procfs.h"
#include "../common/trace.h"
#include "../common/waiting.h"
#include "caps.h"
#include "sc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "the secret, outside the jail"

static char dir[] = "/tmp/nutshell-shocker.XXXXXX";
static char secret[64], jail[64];
/* The secret's handle: the parent fills it, the children inherit it. */
static union {
	struct file_handle fh;
	char room[sizeof(struct file_handle) + MAX_HANDLE_SZ];
} handle;
static char handle_hex[2 * MAX_HANDLE_SZ + 1];

struct attempt {
	const char *key;    /* facts KEY_open_by_handle ... */
	const char *title;  /* what is different */
	int drop;	    /* drop CAP_DAC_READ_SEARCH first */
	int seccomp;	    /* load the launcher's profile first */
	const char *expect; /* open_by_handle_at: "0" or an errno */
};

static const struct attempt attempts[] = {
    {"with_cap", "as root, with CAP_DAC_READ_SEARCH", 0, 0, "0"},
    {"without_cap", "without CAP_DAC_READ_SEARCH", 1, 0, "EPERM"},
    {"seccomp", "with it, under the launcher's seccomp profile", 0, 1, "EPERM"},
};

/* <<< jailed */
static int
jailed(void *arg)
{
	const struct attempt *a = arg;
	struct caps_state st;
	char buf[128] = "";

	if (a->drop && caps_drop(CAP_DAC_READ_SEARCH) == -1)
		return EXIT_DEMO_FAILED;
	/* The launcher's profile, built for its capabilities (Docker's 14,
	 * without CAP_DAC_READ_SEARCH), as the launcher loads it. */
	if (a->seccomp && sc_apply_default() == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	if (caps_show(0, &st) == -1)
		return EXIT_DEMO_FAILED;
	trace_fact_kv(a->key, "_dac_read_search",
		      (st.set[CAPS_EFFECTIVE] >> CAP_DAC_READ_SEARCH) & 1 ? "yes" : "no");
	/* The container: a root directory with nothing in it. */
	if (TRACE(chdir(jail), "chdir", "%s", trace_str(jail)) == -1 ||
	    TRACE(chroot("."), "chroot", "\".\"") == -1 ||
	    TRACE(chdir("/"), "chdir", "\"/\"") == -1)
		return EXIT_DEMO_FAILED;
	/* By path the secret is out of reach: ".." of the root is the root. */
	int fd = (int)TRACE(open("../secret", O_RDONLY | O_CLOEXEC), "openat",
			    "AT_FDCWD, \"../secret\", %s", dec_open(O_RDONLY | O_CLOEXEC));
	char by_path[32];
	snprintf(by_path, sizeof(by_path), "%s", dec_result(fd));
	trace_fact_kv(a->key, "_by_path", by_path);
	/* Any fd on the same filesystem will do as the mount fd: our root's. */
	int root = (int)TRACE(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "openat",
			      "AT_FDCWD, \"/\", %s", dec_open(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (root == -1)
		return EXIT_DEMO_FAILED;
	fd = (int)TRACE(open_by_handle_at(root, &handle.fh, O_RDONLY | O_CLOEXEC),
			"open_by_handle_at",
			"%d, {handle_bytes=%u, handle_type=%d, f_handle=0x%s}, %s", root,
			handle.fh.handle_bytes, handle.fh.handle_type, handle_hex,
			dec_open(O_RDONLY | O_CLOEXEC));
	const char *opened = dec_result(fd);
	trace_fact_kv(a->key, "_open_by_handle", opened);
	if (fd >= 0) {
		ssize_t n = TRACE(read(fd, buf, sizeof(buf) - 1), "read", "%d, ..., %zu", fd,
				  sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
	}
	trace_fact_kv(a->key, "_read", buf);
	printf("%s:\n  by path ../secret: %s; by handle: %s%s%s%s\n", a->title, by_path, opened,
	       buf[0] ? ", read \"" : "", buf, buf[0] ? "\"" : "");
	fflush(stdout);
	return strcmp(opened, a->expect) == 0 ? EXIT_DEMO_OK : EXIT_DEMO_FAILED;
}
/* >>> jailed */

/* <<< launcher */
/* What the launcher does about it, from its own tables. */
static int
show_launcher(void)
{
	cap_value_t caps[32];
	int n = caps_default(caps, 32), keeps = 0;
	const struct sc_rule *rule = sc_find(&sc_default_profile, "open_by_handle_at");

	for (int i = 0; i < n; i++)
		keeps |= caps[i] == CAP_DAC_READ_SEARCH;
	enum sc_action a =
	    sc_decide(&sc_default_profile, "open_by_handle_at", caps, n > 0 ? (size_t)n : 0);
	trace_fact("launcher_keeps_dac_read_search", "%s", keeps ? "yes" : "no");
	trace_fact("launcher_open_by_handle_at", "%s", sc_action_name(a));
	printf("\nHow the launcher prevents it:\n"
	       "  it keeps Docker's %d capabilities, and CAP_DAC_READ_SEARCH is %samong them;\n"
	       "  its seccomp profile answers open_by_handle_at with %s:\n    \"%s\".\n"
	       "Either alone stops shocker; a chroot or pivot_root does not.\n",
	       n, keeps ? "" : "not ", sc_action_name(a), rule ? rule->why : "?");
	return !keeps && a == SC_EPERM;
}
/* >>> launcher */

static const struct trace_prog prog = {
    .name = "shocker",
    .synopsis = "",
    .about = "The 2014 shocker escape: a child chroot'ed into a directory of ours opens a\n"
	     "file outside it by its file handle (open_by_handle_at), which needs only\n"
	     "CAP_DAC_READ_SEARCH; without that capability, or under the launcher's\n"
	     "seccomp profile, it gets EPERM. Needs root.",
    .look_for = "Openat(AT_FDCWD, \"../secret\", ...) = -1 ENOENT in the jail, then\n"
		"open_by_handle_at(...) = 4 and the secret read; EPERM without the\n"
		"capability, and EPERM under the profile while CapEff still holds\n"
		"CAP_DAC_READ_SEARCH.",
};

int
main(int argc, char **argv)
{
	sigset_t old;
	struct stat sb;
	int mount_id, status, ok = 1, ret = EXIT_DEMO_FAILED;

	if (trace_main(&prog, argc, argv) != argc) {
		trace_error("unexpected argument '%s'; see 'shocker --help'", argv[optind]);
		return EXIT_USAGE;
	}
	trace_need_root();
	/* Ctrl-C waits until the directory is gone. */
	if (wait_guarded_tmpdir(dir, &old) == -1) {
		err_print();
		return EXIT_DEMO_FAILED;
	}
	/* A secret of our own making, never one of the host's. */
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(jail, sizeof(jail), "%s/jail", dir);
	int fd = open(secret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, SECRET "\n", sizeof(SECRET)) != sizeof(SECRET) ||
	    mkdir(jail, 0755) == -1 || stat(secret, &sb) == -1) {
		trace_fail(secret);
		goto out;
	}

	/* <<< handle */
	handle.fh.handle_bytes = MAX_HANDLE_SZ;
	if (TRACE(name_to_handle_at(AT_FDCWD, secret, &handle.fh, &mount_id, 0),
		  "name_to_handle_at", "AT_FDCWD, %s, {handle_bytes=%d}, %p, 0", trace_str(secret),
		  MAX_HANDLE_SZ, (void *)&mount_id) == -1) {
		/* EOPNOTSUPP: this filesystem (an overlay, say) gives no handles. */
		trace_fail("name_to_handle_at");
		goto out;
	}
	/* >>> handle */
	for (unsigned i = 0; i < handle.fh.handle_bytes; i++)
		snprintf(handle_hex + 2 * i, 3, "%02x", handle.fh.f_handle[i]);
	trace_fact("handle", "%d:%s", handle.fh.handle_type, handle_hex);
	printf("%s: inode %lu\nits handle: type %d, %u bytes 0x%s", secret,
	       (unsigned long)sb.st_ino, handle.fh.handle_type, handle.fh.handle_bytes, handle_hex);
	if (handle.fh.handle_type == 1 && handle.fh.handle_bytes == 8) {
		/* FILEID_INO32_GEN (ext4 and others): no secret in it;
		 * shocker.c searched from the root directory's, inode 2. */
		uint32_t v[2];
		memcpy(v, handle.fh.f_handle, sizeof(v));
		printf(" = inode %u, generation %u", v[0], v[1]);
	}
	printf("\n\n");
	for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		trace_note("a child in the jail, %s", attempts[i].title);
		fflush(stdout);
		pid_t pid = ns_clone(SIGCHLD, jailed, (void *)&attempts[i]);
		if (pid == -1 || ns_wait(pid, &status) == -1)
			goto out;
		ok &= status == 0;
	}
	ok &= show_launcher();
	if (ok)
		ret = EXIT_DEMO_OK;
	else
		printf("\n%s\n", trace_unexpected());
out:
	if (fd >= 0)
		close(fd);
	unlink(secret);
	rmdir(jail);
	rmdir(dir);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
