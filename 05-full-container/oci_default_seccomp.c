/*
 * oci_default_seccomp.c - lesson 03's seccomp profile written as
 * linux.seccomp (config-linux.md "Seccomp"), for `nutshell spec`
 * (oci_default.c): the filter the runtime compiles from it (oci_seccomp.c)
 * answers every call as the launcher's filter (sc_build) does.
 *
 * The profile has two answers for a call it does not allow: EPERM for a
 * call it knows (numbers up to sc_max_nr()), ENOSYS for a newer one, so
 * that a C library falls back. One defaultAction says both when the known
 * calls are listed: podman's form (containers/common
 * pkg/seccomp/seccomp.json), defaultAction SCMP_ACT_ERRNO with
 * defaultErrnoRet 38 (ENOSYS), every known call the profile does not allow
 * by name with errnoRet 1 (EPERM). The rest is sc_build's walk over the
 * table, written down rather than compiled:
 *
 *	a row                 its action for the capabilities spec writes
 *	                        (unless_cap decided as sc_decide does); the
 *	                        names grouped by action
 *	a row with arg rules  one entry per sc_arg_rule, in the table's order
 *	                        (libseccomp orders a call's overlapping rules
 *	                        alike in both filters)
 *	an arg0_none row      allowed when (arg0 & mask) == 0, MASKED_EQ; and
 *	                        one EPERM entry per bit, (arg0 & bit) == bit,
 *	                        as sc_build's deny_bit adds it
 *	any other known call  EPERM, by name
 *	the rest              the default: ENOSYS
 *
 * Names, not numbers, and for both architectures nutshell is built for:
 * the known calls of x86-64 and of arm64 (the profile's table of numbers
 * covers both), and every row, also those with no call on this one (open
 * on arm64, socketcall on x86-64). A runtime resolves each name for the
 * machine it runs on and passes over a name that is no call there (a
 * libseccomp pseudo-number makes no rule), so the same bundle, moved to
 * the other architecture, still gets that architecture's launcher filter.
 *
 * No "architectures": a runtime then filters its native one alone (runc,
 * crun and oci_seccomp.c alike), which is what the launcher's filter covers
 * (sc_build's seccomp_init): a call of another ABI - i386's int 0x80 or x32
 * on x86-64, arm32 on arm64 - meets libseccomp's bad-architecture action
 * and kills the process, in both. Docker lists x86 and x32 beside x86-64
 * for 32-bit programs; the launcher runs none. Naming the native one would
 * tie the bundle to it: moved to arm64, a runtime would build one filter for
 * both, and the calls Debian 12's libseccomp 2.5.4 has no name for
 * (statmount, mseal, the *xattrat calls), which it is given by number from
 * lesson 03's table, cannot be translated to a second architecture.
 */
#include "oci.h"
#include "../common/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* config.json's spelling of an action: "action" (or "defaultAction") and
 * the errno it returns, into obj. */
static int
set_action(json_t *obj, const char *key, const char *errno_key, enum sc_action a)
{
	static const char *const names[] = {
	    [SC_ALLOW] = "SCMP_ACT_ALLOW",
	    [SC_EPERM] = "SCMP_ACT_ERRNO",
	    [SC_ENOSYS] = "SCMP_ACT_ERRNO",
	    [SC_KILL] = "SCMP_ACT_KILL_PROCESS",
	};
	int rc = json_object_set_new(obj, key, json_string(names[a]));

	if (a == SC_EPERM || a == SC_ENOSYS)
		rc |= json_object_set_new(obj, errno_key,
					  json_integer(a == SC_EPERM ? EPERM : ENOSYS));
	return rc;
}

/* One entry of syscalls[]: NAMES (a reference taken), action A, and the
 * comparisons CMP (N of them, ANDed), appended to list. */
static int
entry(json_t *list, json_t *names, enum sc_action a, const struct sc_cmp *cmp, size_t n)
{
	json_t *e = json_object(), *args = json_array();
	int rc = !e || !args || json_object_set(e, "names", names) ||
		 set_action(e, "action", "errnoRet", a);

	for (size_t k = 0; k < n && !rc; k++) {
		size_t o = 0;
		while (o < OCI_SECCOMP_N_OPS && oci_seccomp_ops[o].op != cmp[k].op)
			o++;
		rc = o == OCI_SECCOMP_N_OPS ||
		     json_array_append_new(
			 args, json_pack("{s:i, s:I, s:I, s:s}", "index", (int)cmp[k].arg, "value",
					 (json_int_t)cmp[k].a, "valueTwo", (json_int_t)cmp[k].b,
					 "op", oci_seccomp_ops[o].name));
	}
	if (n && !rc)
		rc = json_object_set(e, "args", args);
	json_decref(args);
	if (!rc)
		rc = json_array_append(list, e);
	json_decref(e);
	return rc ? -1 : 0;
}

/* NAME appended to the names of A, unless there already. */
static int
add_name(json_t *a, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
	{
		if (strcmp(json_string_value(v), name) == 0)
			return 0;
	}
	return json_array_append_new(a, json_string(name));
}

/* <<< oci-seccomp */
json_t *
oci_default_seccomp(const struct sc_profile *p, const cap_value_t *caps, size_t n)
{
	/* The architectures whose known calls are listed: this one, and the
	 * two of lesson 03's table of numbers. */
	const uint32_t arches[] = {seccomp_arch_native(), SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64};
	json_t *by_action[SC_KILL + 1], *args = json_array(), *sc = json_object();
	uint64_t lifted = sc_lifted(p, caps, n);
	int bad = !args || !sc;

	for (int a = 0; a <= SC_KILL; a++)
		bad |= !(by_action[a] = json_array());
	for (size_t i = 0; i < p->n_rules && !bad; i++) {
		const struct sc_rule *r = &p->rules[i];
		int has_args = 0;

		for (size_t k = 0; k < p->n_args && !bad; k++) {
			const struct sc_arg_rule *g = &p->args[k];
			if (strcmp(g->name, r->name) != 0)
				continue;
			has_args = 1;
			if (g->action == p->unknown)
				continue; /* the default already, as sc_build skips it */
			json_t *names = json_pack("[s]", r->name);
			bad |=
			    !names || entry(args, names, g->action, g->when, g->when[1].op ? 2 : 1);
			json_decref(names);
		}
		if (has_args || bad)
			continue;
		if (r->arg0_none && !(r->unless_cap != SC_ALWAYS && r->unless_cap < 64 &&
				      (lifted >> r->unless_cap) & 1)) {
			/* Allowed with none of the bits; one rule per bit for the
			 * rest, as sc_build has them. */
			json_t *names = json_pack("[s]", r->name);
			struct sc_cmp none = {0, SCMP_CMP_MASKED_EQ, r->arg0_none, 0};
			bad |= !names;
			if (!bad && r->action != p->unknown)
				bad |= entry(args, names, r->action, &none, 1);
			for (int b = 0; b < 64 && !bad && p->known != p->unknown; b++) {
				struct sc_cmp bit = {0, SCMP_CMP_MASKED_EQ, 1ULL << b, 1ULL << b};
				if ((r->arg0_none >> b) & 1)
					bad |= entry(args, names, p->known, &bit, 1);
			}
			json_decref(names);
		} else
			bad |= add_name(by_action[sc_decide(p, r->name, caps, n)], r->name);
	}
	/* Every other call the profile knows: p->known (EPERM), on either
	 * architecture. */
	for (size_t k = 0; k < sizeof(arches) / sizeof(arches[0]) && !bad; k++) {
		int max = sc_max_nr(arches[k]);
		for (int nr = 0; nr <= max && !bad; nr++) {
			char *name = sc_name(arches[k], nr);
			if (name && !sc_find(p, name))
				bad |= add_name(by_action[p->known], name);
			free(name);
		}
	}
	/* Then the default (ENOSYS), the named calls by answer, and the
	 * calls whose answer depends on their arguments. */
	json_t *list = json_array();
	bad |= !list || set_action(sc, "defaultAction", "defaultErrnoRet", p->unknown);
	for (int a = 0; a <= SC_KILL && !bad; a++)
		if (json_array_size(by_action[a]))
			bad |= entry(list, by_action[a], (enum sc_action)a, NULL, 0);
	bad |= bad || json_array_extend(list, args) || json_object_set(sc, "syscalls", list);
	for (int a = 0; a <= SC_KILL; a++)
		json_decref(by_action[a]);
	json_decref(args);
	json_decref(list);
	if (bad) {
		json_decref(sc);
		err_set(ENOMEM, "spec: linux.seccomp could not be made");
		return NULL;
	}
	return sc;
}
/* >>> oci-seccomp */
