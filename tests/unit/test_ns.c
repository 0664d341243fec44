/*
 * test_ns.c - the id map validation of 01-namespaces/ns.c, before anything
 * is written to /proc/PID/uid_map.
 */
#include "../../01-namespaces/ns.h"
#include "../../common/err.h"
#include "../suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ns_idmap maps[NS_IDMAP_MAX + 1];

static int
parse(const char *text)
{
	err_clear();
	errno = 0;
	return ns_idmap_parse(text, maps, NS_IDMAP_MAX + 1);
}

/* Invalid: -1, EINVAL, and a one-line message containing what. */
static void
check_refused(const char *text, const char *what)
{
	ck_assert_int_eq(parse(text), -1);
	ck_assert_int_eq(errno, EINVAL);
	const char *err = err_last()->msg;

	ck_assert_msg(strstr(err, what) != NULL, "'%s': message '%s' lacks '%s'", text, err, what);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(ns_idmap_valid_maps)
{
	ck_assert_int_eq(parse("0 1000 1"), 1);
	ck_assert_uint_eq(maps[0].inside, 0);
	ck_assert_uint_eq(maps[0].outside, 1000);
	ck_assert_uint_eq(maps[0].count, 1);
	ck_assert_int_eq(parse("0 100000 65536\n"), 1);
	ck_assert_int_eq(parse("  0   1000\t1\n1 100000 65536\n"), 2);
	ck_assert_uint_eq(maps[1].outside, 100000);
	/* Adjacent ranges touch but do not overlap. */
	ck_assert_int_eq(parse("0 0 10\n10 10 10"), 2);
	/* The largest range: ids 0 to 4294967294. */
	ck_assert_int_eq(parse("0 0 4294967295"), 1);
}
END_TEST

START_TEST(ns_idmap_malformed)
{
	check_refused("", "empty id map");
	check_refused("0 1000", "line 1 '0 1000': expected 'inside outside count'");
	check_refused("0 1000 1 7", "expected 'inside outside count'");
	check_refused("0 -1 1", "expected 'inside outside count'");
	check_refused("0 1000 x", "expected 'inside outside count'");
	check_refused("0 1000 1\n\n", "line 2");
	check_refused("0 4294967296 1", "expected 'inside outside count'");
}
END_TEST

START_TEST(ns_idmap_count_zero_and_overflow)
{
	check_refused("0 1000 0", "count 0");
	check_refused("1 0 4294967295", "range ends past id 4294967294");
	check_refused("0 4294967295 1", "range ends past id 4294967294");
	check_refused("4294967000 0 1000", "past id");
}
END_TEST

START_TEST(ns_idmap_overlaps)
{
	check_refused("0 1000 10\n5 2000 10", "line 2 overlaps line 1 inside");
	check_refused("0 1000 10\n100 1005 1", "line 2 overlaps line 1 outside");
	check_refused("0 0 1\n1 1 1\n0 5 1", "line 3 overlaps line 1 inside");
}
END_TEST

START_TEST(ns_idmap_too_many_lines)
{
	size_t size = (NS_IDMAP_MAX + 1) * 32;
	char *text = malloc(size);
	size_t len = 0;

	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < NS_IDMAP_MAX; i++)
		len += (size_t)snprintf(text + len, size - len, "%d %d 1\n", i, 1000 + i);
	ck_assert_int_eq(parse(text), NS_IDMAP_MAX);
	snprintf(text + len, size - len, "%d %d 1\n", NS_IDMAP_MAX, 1000 + NS_IDMAP_MAX);
	check_refused(text, "more than 340 lines");
	free(text);
}
END_TEST

/* Two messages told before the other side hears are heard as two (the
 * net demo hung when one read took "links" and "veth0 up" together). */
START_TEST(ns_sync_keeps_messages_apart)
{
	struct ns_sync s;
	char buf[64];

	ck_assert_int_eq(ns_sync_init(&s), 0);
	ck_assert_int_eq(ns_sync_tell(s.to_parent[1], "lo:DOWN"), 0);
	ck_assert_int_eq(ns_sync_tell(s.to_parent[1], "veth0 up"), 0);
	ck_assert_int_gt(ns_sync_hear(s.to_parent[0], buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "lo:DOWN");
	ck_assert_int_gt(ns_sync_hear(s.to_parent[0], buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "veth0 up");
	ns_sync_close(&s);
}
END_TEST

Suite *
suite_ns(void)
{
	Suite *s = suite_create("ns");
	TCase *tc = tcase_create("idmap");

	tcase_add_test(tc, ns_idmap_valid_maps);
	tcase_add_test(tc, ns_idmap_malformed);
	tcase_add_test(tc, ns_idmap_count_zero_and_overflow);
	tcase_add_test(tc, ns_idmap_overlaps);
	tcase_add_test(tc, ns_idmap_too_many_lines);
	suite_add_tcase(s, tc);
	TCase *sync = tcase_create("sync");
	tcase_add_test(sync, ns_sync_keeps_messages_apart);
	suite_add_tcase(s, sync);
	return s;
}
