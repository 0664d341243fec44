/*
 * hostcheck.h - "nothing left behind": the host's state, before and after.
 *
 * A snapshot is a sorted list of lines, one per thing a test could leak:
 *   mount POINT FSTYPE        every mount in our mount namespace (mountinfo)
 *   cgroup DIR                every cgroup where new ones go (our own; on v2 the
 *                             nearest ancestor without processes), each hierarchy
 *   subtree_control DIR 'C'   v2: the controllers that place and each cgroup beneath
 *                             it enable for their children
 *   link NAME                 every network interface of the host (/sys/class/net)
 *   netns NAME                every named network namespace (/run/netns)
 *   tmp NAME                  every /tmp/nutshell* entry
 *   shm NAME                  every /dev/shm/nutshell* entry
 *   image PATH TYPE MODE UID:GID WHAT
 *                             every entry of the default image (images/busybox,
 *                             relative to the top, where the tests run): no test
 *                             may write it, bundles and runs use copies or
 *                             overlays. WHAT: a file's size and sha256, a
 *                             link's target, a device's numbers
 */
#ifndef NUTSHELL_HOSTCHECK_H
#define NUTSHELL_HOSTCHECK_H

#include <stddef.h>

struct snapshot {
	char **lines;
	size_t n, cap;
};

#define HOSTCHECK_IMAGE "images/busybox"

int hostcheck_snapshot(struct snapshot *s);

/* The "image" lines of the tree at DIR (unsorted), into s: the default
 * image's part of a snapshot. A missing DIR adds none. */
int hostcheck_tree(struct snapshot *s, const char *dir);
void hostcheck_free(struct snapshot *s);

/* What differs, as "+ line" (appeared) and "- line" (vanished) lines in out;
 * returns the number of differences. */
size_t hostcheck_diff(const struct snapshot *before, const struct snapshot *after, char *out,
		      size_t size);

/* The snapshot taken before the integration suites run. */
int hostcheck_take_baseline(void);
const struct snapshot *hostcheck_baseline(void);

#endif
