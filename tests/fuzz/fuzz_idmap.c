/*
 * fuzz_idmap.c - uid_map/gid_map text as lesson 01 and --uidmap write it
 * (ns.h ns_idmap_parse). What is accepted, the kernel would accept too:
 * 1 to NS_IDMAP_MAX lines, each count at least 1, no range past id
 * 4294967294, no two ranges overlapping inside or outside.
 */
#include "../../01-namespaces/ns.h"
#include "../../common/err.h"
#include "fuzz.h"

static int
overlap(unsigned long a, unsigned long b, unsigned long n, unsigned long m)
{
	return a < b + m && b < a + n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ns_idmap maps[NS_IDMAP_MAX];
	char *text = fuzz_string(data, size);

	err_clear();
	int n = ns_idmap_parse(text, maps, NS_IDMAP_MAX);

	FUZZ_ASSERT(n == -1 || (n >= 1 && n <= NS_IDMAP_MAX), "%d lines", n);
	FUZZ_ASSERT(n != -1 || err_last()->msg[0] != '\0', "refused without a reason");
	for (int i = 0; i < n; i++) {
		const struct ns_idmap *m = &maps[i];
		FUZZ_ASSERT(m->count >= 1 && m->inside + m->count <= 4294967295UL &&
				m->outside + m->count <= 4294967295UL,
			    "line %d: %lu %lu %lu", i + 1, m->inside, m->outside, m->count);
		for (int j = 0; j < i; j++)
			FUZZ_ASSERT(
			    !overlap(m->inside, maps[j].inside, m->count, maps[j].count) &&
				!overlap(m->outside, maps[j].outside, m->count, maps[j].count),
			    "lines %d and %d overlap", j + 1, i + 1);
	}
	free(text);
	return 0;
}
