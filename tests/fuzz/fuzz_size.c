/*
 * fuzz_size.c - sizes as --memory takes them (cgroup.h cg_parse_size):
 * "64M", "1.5G", "4096", "2GiB", "max". An accepted number of plain
 * digits is exactly that many bytes; a unit multiplies by its power of
 * 1024; never more than 16 EiB, never CG_UNLIMITED except for "max".
 */
#include "../../02-cgroups/cgroup.h"
#include "../../common/err.h"
#include "fuzz.h"

#include <errno.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	err_clear();
	uint64_t bytes = 0;

	if (cg_parse_size(s, &bytes) == 0) {
		FUZZ_ASSERT((bytes == CG_UNLIMITED) == (strcmp(s, "max") == 0), "'%s' -> %llu", s,
			    (unsigned long long)bytes);
		if (s[0] && strspn(s, "0123456789") == strlen(s)) {
			errno = 0;
			unsigned long long plain = strtoull(s, NULL, 10);
			FUZZ_ASSERT(errno == 0 && plain == bytes, "'%s' -> %llu", s,
				    (unsigned long long)bytes);
		}
	} else {
		FUZZ_ASSERT(err_last()->msg[0] != '\0', "'%s': no reason", s);
	}
	free(s);
	return 0;
}
