/*
 * fuzz_cpus.c - CPUs as --cpus takes them (cgroup.h cg_parse_cpus): the
 * first byte picks the period (the kernel allows 1 ms to 1 s), the rest is
 * the value. An accepted quota is at least 1000 us (or "max"), and at
 * most 1000000 CPUs' worth.
 */
#include "../../02-cgroups/cgroup.h"
#include "../../common/err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t periods[] = {1000, 10000, 100000, 1000000};
	uint64_t quota = 0;

	if (size < 1)
		return 0;
	uint64_t period = periods[data[0] % 4];
	char *s = fuzz_string(data + 1, size - 1);

	err_clear();
	if (cg_parse_cpus(s, period, &quota) == 0) {
		FUZZ_ASSERT((quota == CG_UNLIMITED) == (strcmp(s, "max") == 0), "'%s' -> %llu", s,
			    (unsigned long long)quota);
		FUZZ_ASSERT(quota == CG_UNLIMITED || (quota >= 1000 && quota <= 1000001 * period),
			    "'%s' with period %llu -> quota %llu", s, (unsigned long long)period,
			    (unsigned long long)quota);
	} else {
		FUZZ_ASSERT(err_last()->msg[0] != '\0', "'%s': no reason", s);
	}
	free(s);
	return 0;
}
