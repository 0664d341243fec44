/*
 * oci_seccomp.c - linux.seccomp of config.json (config-linux.md "Seccomp")
 * compiled with libseccomp, as lesson 03's sc.c compiles nutshell's own
 * profile, and exported as BPF (sc_export) so init only loads it.
 *
 * defaultAction and defaultErrnoRet (podman sends 38, ENOSYS, so that a
 * newer libc falls back from a call this profile does not know);
 * architectures; syscalls[] with names, action, errnoRet and args with all
 * seven comparison operators (seccomp_rule_add(3)). A name this libseccomp
 * does not know is given its number from lesson 03's table when that has
 * it (sc_resolve: the launcher's filter does the same), and otherwise
 * skipped, as runc does (a newer profile on an older host). Refused: a
 * notify action or listenerPath (nutshell has no listener) and flags it
 * does not know.
 */
#include "oci.h"
#include "../common/err.h"
#include "../common/trace.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

static int
action(json_t *name_j, json_t *errno_j, uint32_t default_errno, uint32_t *out)
{
	const char *name = json_string_value(name_j);
	uint32_t ret = errno_j ? (uint32_t)json_integer_value(errno_j) : default_errno;

	if (!name)
		return err_set(EINVAL, "linux.seccomp: expected an action");
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO(ret);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE(ret);
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else
		return err_set(EOPNOTSUPP, "linux.seccomp: action '%s': not supported by nutshell",
			       name);
	return 0;
}

const struct oci_seccomp_op oci_seccomp_ops[OCI_SECCOMP_N_OPS] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};

static int
add_rule(scmp_filter_ctx ctx, json_t *rule, uint32_t default_errno, size_t i)
{
	struct scmp_arg_cmp cmp[6];
	unsigned ncmp = 0;
	uint32_t act;
	json_t *v;
	size_t k;

	if (action(json_object_get(rule, "action"), json_object_get(rule, "errnoRet"),
		   default_errno, &act) == -1)
		return err_prefix("syscalls[%zu]", i);
	json_array_foreach(json_object_get(rule, "args"), k, v)
	{
		const char *op = json_string_value(json_object_get(v, "op"));
		size_t o = 0;
		while (o < OCI_SECCOMP_N_OPS && (!op || strcmp(oci_seccomp_ops[o].name, op) != 0))
			o++;
		if (o == OCI_SECCOMP_N_OPS || ncmp == 6)
			return err_set(EINVAL,
				       "linux.seccomp.syscalls[%zu].args[%zu].op '%s': "
				       "expected one of SCMP_CMP_*",
				       i, k, op ? op : "");
		cmp[ncmp].arg = (unsigned)json_integer_value(json_object_get(v, "index"));
		cmp[ncmp].op = oci_seccomp_ops[o].op;
		cmp[ncmp].datum_a = (scmp_datum_t)json_integer_value(json_object_get(v, "value"));
		cmp[ncmp++].datum_b =
		    (scmp_datum_t)json_integer_value(json_object_get(v, "valueTwo"));
	}
	json_array_foreach(json_object_get(rule, "names"), k, v)
	{
		const char *name = json_string_value(v);
		int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR, by_number = 0;
		/* A call newer than this libseccomp (Debian 12's 2.5.4 has no
		 * statmount, mseal, *xattrat): its number from lesson 03's
		 * table, as the launcher's filter has it (sc_resolve). */
		int table_nr = nr == __NR_SCMP_ERROR && name ? sc_resolve(name, 0) : -1;
		if (table_nr >= 0) {
			nr = table_nr;
			by_number = 1;
		}
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown here: skipped, as runc does */
		int rc = seccomp_rule_add_array(ctx, act, nr, ncmp, cmp);
		/* A number libseccomp cannot carry to the other architectures
		 * listed: skipped there and here, as if unknown. */
		if (rc == -EFAULT && by_number) {
			trace_note("linux.seccomp: %s: unknown to this libseccomp on every "
				   "architecture listed: skipped",
				   name);
			continue;
		}
		/* The default action again: libseccomp refuses it (EACCES). */
		if (rc < 0 && rc != -EACCES) {
			errno = -rc;
			return err_sys("linux.seccomp.syscalls[%zu] %s", i, name);
		}
	}
	return 0;
}

int
oci_seccomp_build(json_t *sc, struct sc_bpf *out)
{
	uint32_t def, default_errno = EPERM;
	scmp_filter_ctx ctx;
	json_t *v;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!sc || json_is_null(sc))
		return 0;
	if (json_object_get(sc, "listenerPath") || json_object_get(sc, "listenerMetadata"))
		return err_set(EOPNOTSUPP, "linux.seccomp.listenerPath: not supported by nutshell");
	json_array_foreach(json_object_get(sc, "flags"), i, v)
	{
		const char *f = json_string_value(v);
		if (!f || (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") != 0 &&
			   strcmp(f, "SECCOMP_FILTER_FLAG_LOG") != 0))
			return err_set(EOPNOTSUPP,
				       "linux.seccomp.flags '%s': not supported by "
				       "nutshell",
				       f ? f : "");
	}
	if ((v = json_object_get(sc, "defaultErrnoRet")) && json_is_integer(v))
		default_errno = (uint32_t)json_integer_value(v);
	if (action(json_object_get(sc, "defaultAction"), NULL, default_errno, &def) == -1)
		return err_prefix("linux.seccomp.defaultAction");
	if (!(ctx = seccomp_init(def)))
		return err_set(EINVAL, "linux.seccomp: seccomp_init failed");
	json_array_foreach(json_object_get(sc, "architectures"), i, v)
	{
		/* "SCMP_ARCH_X86_64" -> "x86_64", seccomp_arch_resolve_name's form. */
		const char *a = json_string_value(v);
		char name[32];
		snprintf(name, sizeof(name), "%s",
			 a && strncmp(a, "SCMP_ARCH_", 10) == 0 ? a + 10 : "");
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		uint32_t arch = seccomp_arch_resolve_name(name);
		int rc = arch ? seccomp_arch_add(ctx, arch) : 0;
		if (!arch)
			trace_note("linux.seccomp: architecture %s unknown here: skipped",
				   a ? a : "");
		if (rc < 0 && rc != -EEXIST) {
			errno = -rc;
			err_sys("linux.seccomp.architectures %s", a);
			goto out;
		}
	}
	json_array_foreach(json_object_get(sc, "syscalls"), i, v)
	{
		if (add_rule(ctx, v, default_errno, i) == -1)
			goto out;
	}
	if (sc_export(ctx, out) == -1) {
		err_prefix("linux.seccomp");
		goto out;
	}
	ret = 0;
out:
	seccomp_release(ctx);
	return ret;
}
