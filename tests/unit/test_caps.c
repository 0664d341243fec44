/*
 * test_caps.c - lesson 03 helpers without root: capability names and lists,
 * set descriptions, /proc/PID/status parsing, and the launcher's default
 * capabilities and seccomp profile table.
 */
#include "../../03-capabilities/caps.h"
#include "../../03-capabilities/sc.h"
#include "../../05-full-container/ctr.h"
#include "../../common/err.h"
#include "../suites.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

START_TEST(caps_names_parse)
{
	cap_value_t c;

	ck_assert_int_eq(caps_from_name("CAP_CHOWN", &c), 0);
	ck_assert_int_eq(c, CAP_CHOWN);
	ck_assert_int_eq(caps_from_name("chown", &c), 0);
	ck_assert_int_eq(c, CAP_CHOWN);
	ck_assert_int_eq(caps_from_name("cap_net_bind_service", &c), 0);
	ck_assert_int_eq(c, CAP_NET_BIND_SERVICE);
	ck_assert_int_eq(caps_from_name("Sys_Admin", &c), 0);
	ck_assert_int_eq(c, CAP_SYS_ADMIN);
	ck_assert_str_eq(caps_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
}
END_TEST

START_TEST(caps_unknown_names_rejected)
{
	const char *bad[] = {"CAP_FLY", "", "CAP_", "7", "chown ", "cap-chown", "CAP_CHOWN;", NULL};
	const char *err = err_last()->msg;
	cap_value_t c;

	for (int i = 0; bad[i]; i++) {
		err_clear();
		errno = 0;
		ck_assert_msg(caps_from_name(bad[i], &c) == -1, "accepted '%s'", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(strstr(err, "unknown capability '") != NULL, "err: %s", err);
		ck_assert_ptr_nonnull(strstr(err, bad[i]));
		ck_assert_ptr_null(strchr(err, '\n'));
	}
	caps_from_name("CAP_FLY", &c);
	ck_assert_str_eq(err, "unknown capability 'CAP_FLY': expected a name such as CHOWN or "
			      "CAP_NET_ADMIN (capabilities(7))");
}
END_TEST

START_TEST(caps_lists_parse)
{
	cap_value_t caps[8];
	const char *err = err_last()->msg;

	ck_assert_int_eq(caps_parse_list("CHOWN,cap_kill", caps, 8), 2);
	ck_assert_int_eq(caps[0], CAP_CHOWN);
	ck_assert_int_eq(caps[1], CAP_KILL);
	ck_assert_int_eq(caps_parse_list("", caps, 8), 0);
	ck_assert_int_eq(caps_parse_list("CHOWN,,KILL", caps, 8), -1);
	ck_assert_int_eq(caps_parse_list("CHOWN,", caps, 8), -1);
	ck_assert_int_eq(caps_parse_list("CHOWN,NOPE", caps, 8), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown capability 'NOPE'"));
	ck_assert_int_eq(caps_parse_list("CHOWN,KILL,SETUID", caps, 2), -1);
}
END_TEST

START_TEST(caps_last_cap_from_proc)
{
	/* Whatever this kernel says, at least CAP_AUDIT_READ (37, Linux 3.16). */
	ck_assert_int_ge(caps_last_cap(), 37);
}
END_TEST

START_TEST(caps_describe_sets)
{
	char buf[1024];

	ck_assert_str_eq(caps_describe(0, 40, buf, sizeof(buf)), "none");
	ck_assert_str_eq(caps_describe((1 << CAP_CHOWN) | (1 << CAP_KILL), 40, buf, sizeof(buf)),
			 "CAP_CHOWN,CAP_KILL");
	ck_assert_str_eq(caps_describe(0x1ffffffffffULL, 40, buf, sizeof(buf)), "all 41");
	ck_assert_str_eq(caps_describe(0x1fffeffffffULL, 40, buf, sizeof(buf)),
			 "all 41 but CAP_SYS_RESOURCE");
	ck_assert_str_eq(caps_describe(0xffffffffffULL, 39, buf, sizeof(buf)), "all 40");
	/* Docker's default set, as Docker's documentation prints it. */
	ck_assert_str_eq(caps_describe(0xa80425fbULL, 40, buf, sizeof(buf)),
			 "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,"
			 "CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_NET_RAW,CAP_SYS_CHROOT,"
			 "CAP_MKNOD,CAP_AUDIT_WRITE,CAP_SETFCAP");
}
END_TEST

START_TEST(caps_status_parse)
{
	const char *text = "Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
			   "CapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\n"
			   "CapAmb:\t0000000000000400\nNoNewPrivs:\t1\nSeccomp:\t2\n"
			   "Seccomp_filters:\t3\n";
	struct caps_state st;

	ck_assert_int_eq(caps_parse_status(text, &st), 0);
	ck_assert_uint_eq(st.set[CAPS_EFFECTIVE], 0xa80425fbULL);
	ck_assert_uint_eq(st.set[CAPS_PERMITTED], 0x1ffffffffffULL);
	ck_assert_uint_eq(st.set[CAPS_INHERITABLE], 0);
	ck_assert_uint_eq(st.set[CAPS_AMBIENT], 1 << CAP_NET_BIND_SERVICE);
	ck_assert_int_eq(st.no_new_privs, 1);
	ck_assert_int_eq(st.seccomp, 2);
	ck_assert_int_eq(st.seccomp_filters, 3);
	ck_assert_int_eq(caps_parse_status("Name:\tcat\n", &st), -1);
}
END_TEST

START_TEST(caps_default_is_dockers)
{
	cap_value_t caps[32];
	unsigned long long mask = 0;
	int n = caps_default(caps, 32);

	ck_assert_int_eq(n, 14);
	for (int i = 0; i < n; i++)
		mask |= 1ULL << caps[i];
	/* CapEff of a process in a default Docker container. */
	ck_assert_uint_eq(mask, 0xa80425fbULL);
	ck_assert_int_eq(caps_default(caps, 3), -1);
}
END_TEST

START_TEST(caps_securebits_decode)
{
	ck_assert_str_eq(caps_securebits_names(0), "0");
	ck_assert_str_eq(caps_securebits_names(1 << 6 | 1 << 7),
			 "SECBIT_NO_CAP_AMBIENT_RAISE|SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED");
}
END_TEST

/* ---- the seccomp profile table ---- */

START_TEST(sc_profile_denies_what_the_book_says)
{
	const struct sc_profile *p = &sc_default_profile;
	const char *eperm[] = {"keyctl",
			       "add_key",
			       "request_key",
			       "kexec_load",
			       "kexec_file_load",
			       "init_module",
			       "finit_module",
			       "delete_module",
			       "bpf",
			       "perf_event_open",
			       "userfaultfd",
			       "io_uring_setup",
			       "io_uring_enter",
			       "io_uring_register",
			       "swapon",
			       "swapoff",
			       "reboot",
			       "open_by_handle_at",
			       "unshare",
			       "setns",
			       "mount",
			       "umount2",
			       "pivot_root",
			       "fsopen",
			       "move_mount",
			       "open_tree",
			       "ptrace",
			       NULL};

	for (int i = 0; eperm[i]; i++) {
		const struct sc_rule *r = sc_find(p, eperm[i]);

		ck_assert_msg(r != NULL, "%s not in the profile", eperm[i]);
		ck_assert_msg(sc_decide(p, eperm[i], NULL, 0) == SC_EPERM, "%s not EPERM",
			      eperm[i]);
		ck_assert_msg(r->why && r->why[0], "%s: no reason given", eperm[i]);
	}
	ck_assert_int_eq(sc_decide(p, "clone3", NULL, 0), SC_ENOSYS);
	ck_assert_int_eq(sc_decide(p, "read", NULL, 0), SC_ALLOW);
	ck_assert_int_eq(sc_decide(p, "execve", NULL, 0), SC_ALLOW);
	/* clone is allowed, but only without namespace flags. */
	ck_assert_int_eq(sc_decide(p, "clone", NULL, 0), SC_ALLOW);
	ck_assert_uint_ne(sc_find(p, "clone")->arg0_none & CLONE_NEWUSER, 0);
	ck_assert_uint_ne(sc_find(p, "clone")->arg0_none & CLONE_NEWNS, 0);
	/* A call the table does not list: EPERM up to the profile's horizon, ENOSYS above. */
	ck_assert_int_eq(sc_decide(p, "acct", NULL, 0), SC_EPERM);
	ck_assert_ptr_null(sc_find(p, "nfsservctl"));
	ck_assert_int_eq(sc_decide(p, "nfsservctl", NULL, 0), SC_EPERM);
	ck_assert_int_eq(sc_decide(p, "no_such_call_2099", NULL, 0), SC_ENOSYS);
}
END_TEST

START_TEST(sc_profile_lifted_by_explicit_caps)
{
	const struct sc_profile *p = &sc_default_profile;
	cap_value_t admin[] = {CAP_SYS_ADMIN}, dflt[32];
	int n = caps_default(dflt, 32);

	ck_assert_int_eq(sc_decide(p, "mount", admin, 1), SC_ALLOW);
	ck_assert_int_eq(sc_decide(p, "unshare", admin, 1), SC_ALLOW);
	ck_assert_int_eq(sc_decide(p, "clone3", admin, 1), SC_ALLOW);
	ck_assert_int_eq(sc_decide(p, "keyctl", admin, 1), SC_EPERM);
	ck_assert_int_eq(sc_decide(p, "kexec_load", admin, 1), SC_EPERM);
	ck_assert_int_eq(sc_decide(p, "open_by_handle_at", admin, 1), SC_EPERM);
	/* Docker's default capabilities lift none of the denials. */
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].action != SC_ALLOW)
			ck_assert_msg(sc_decide(p, p->rules[i].name, dflt, (size_t)n) != SC_ALLOW,
				      "%s allowed by the default capabilities", p->rules[i].name);
}
END_TEST

START_TEST(sc_profile_table_is_sane)
{
	const struct sc_profile *p = &sc_default_profile;
	const char *err = err_last()->msg;

	for (size_t i = 0; i < p->n_rules; i++) {
		for (size_t j = i + 1; j < p->n_rules; j++)
			ck_assert_msg(strcmp(p->rules[i].name, p->rules[j].name) != 0,
				      "%s listed twice", p->rules[i].name);
		if (p->rules[i].action != SC_ALLOW)
			ck_assert_msg(p->rules[i].why != NULL, "%s: no reason", p->rules[i].name);
	}
	/* The whole table turns into a filter libseccomp accepts. */
	scmp_filter_ctx ctx = sc_build(p, NULL, 0);
	ck_assert_msg(ctx != NULL, "sc_build: %s", err);
	seccomp_release(ctx);
}
END_TEST

/* The filters compiled at build time (05-full-container/mkfilter.c) are
 * exactly what sc_build makes of sc.c's table now: a profile edited
 * without a rebuild, or a different libseccomp, shows here. */
START_TEST(sc_precompiled_filters_match)
{
	const char *err = err_last()->msg;

	ck_assert_uint_ge(sc_default_bpf_count, 1);
	for (size_t i = 0; i < sc_default_bpf_count; i++) {
		const struct sc_bpf *pre = &sc_default_bpf[i];
		cap_value_t caps[64];
		size_t n = 0;
		struct sc_bpf now;

		/* The filter depends on the lifting capabilities only. */
		for (int c = 0; c < 64; c++)
			if ((pre->lifted >> c) & 1)
				caps[n++] = c;
		ck_assert_uint_eq(sc_lifted(&sc_default_profile, caps, n), pre->lifted);
		scmp_filter_ctx ctx = sc_build(&sc_default_profile, caps, n);
		ck_assert_msg(ctx != NULL, "sc_build: %s", err);
		ck_assert_msg(sc_export(ctx, &now) == 0, "sc_export: %s", err);
		seccomp_release(ctx);
		ck_assert_uint_eq(now.len, pre->len);
		ck_assert_msg(memcmp(now.insns, pre->insns, now.len * sizeof(*now.insns)) == 0,
			      "filter %zu (lifted 0x%llx) differs from what libseccomp builds", i,
			      (unsigned long long)pre->lifted);
		free((void *)now.insns);
	}
}
END_TEST

START_TEST(sc_profile_prints)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	sc_print(f, &sc_default_profile, NULL, 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "  keyctl "));
	ck_assert_ptr_nonnull(strstr(text, "allowed with CAP_SYS_ADMIN"));
	ck_assert_ptr_nonnull(strstr(text, " read "));
	ck_assert_ptr_nonnull(strstr(text, "a newer one: ENOSYS"));
	free(text);
}
END_TEST

Suite *
suite_caps(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("caps");

	tcase_add_test(tc, caps_names_parse);
	tcase_add_test(tc, caps_unknown_names_rejected);
	tcase_add_test(tc, caps_lists_parse);
	tcase_add_test(tc, caps_last_cap_from_proc);
	tcase_add_test(tc, caps_describe_sets);
	tcase_add_test(tc, caps_status_parse);
	tcase_add_test(tc, caps_default_is_dockers);
	tcase_add_test(tc, caps_securebits_decode);
	tcase_add_test(tc, sc_profile_denies_what_the_book_says);
	tcase_add_test(tc, sc_profile_lifted_by_explicit_caps);
	tcase_add_test(tc, sc_profile_table_is_sane);
	tcase_add_test(tc, sc_profile_prints);
	tcase_add_test(tc, sc_precompiled_filters_match);
	suite_add_tcase(s, tc);
	return s;
}
