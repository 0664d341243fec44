/*
 * transcript_norm.h - what a transcript shows of the machine it was captured
 * on, replaced by what a reader's machine shows (issue 19: no build-sandbox
 * paths in the book).
 *
 * `make transcripts` runs the programs from wherever the toolkit was checked
 * out, in whatever cgroup the build machine put it, with mkdtemp(3) names
 * that differ on every run. Before a transcript is written, tn_normalise()
 * replaces
 *
 *   the toolkit's directory (NUTSHELL_ROOT)   with TN_ROOT
 *   the caller's own cgroup (host captures)   with TN_CGROUP
 *   the host's pid 1, a build sandbox's init  with TN_INIT (host captures)
 *   the six random characters of mkdtemp       with XXXXXX
 *
 * also inside strings the trace cut at 64 characters (`"..."...`, like
 * strace -s), which are completed and cut again so they read as a reader's
 * run would print them. tn_machine_specific() is the test that none is left.
 */
#ifndef NUTSHELL_TRANSCRIPT_NORM_H
#define NUTSHELL_TRANSCRIPT_NORM_H

#include <jansson.h>
#include <stddef.h>

/* Where the book says the reader cloned the toolkit. */
#define TN_ROOT "/home/you/nutshell"
/* The cgroup of a shell a desktop user ran sudo in (systemd-logind). */
#define TN_CGROUP "/user.slice/user-1000.slice/session-1.scope"
/* The host's pid 1, as a laptop names it (/proc/1/comm). */
#define TN_INIT "systemd"

enum { TN_MAX_RULES = 16 };

struct tn_rules {
	int n;
	struct {
		char from[512];
		const char *to;
	} r[TN_MAX_RULES];
};

/* Rules for this machine: the toolkit at root (made absolute), and, when
 * host is nonzero, every path of /proc/self/cgroup other than "/" and the
 * name of pid 1 unless it is systemd or init. */
void tn_rules_init(struct tn_rules *rules, const char *root, int host);

/* TEXT with the rules and mkdtemp names applied; malloc'ed. */
char *tn_normalise(const struct tn_rules *rules, const char *text);

/* Every string in V (a JSON value: an event, an array of them) through the
 * rules, in place. */
void tn_normalise_json(const struct tn_rules *rules, json_t *v);

/* 1 when TEXT still holds something of the capturing machine (a /work/ or
 * /tmp/... checkout path, a process_api cgroup, an mkdtemp suffix), with the
 * first one named in what; 0 otherwise. */
int tn_machine_specific(const char *text, char *what, size_t size);

#endif
