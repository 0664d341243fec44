/*
 * fuzz_cgvalue.c - every cgroup value nutshell and lesson 02 write
 * (cgroup.h cg_normalize): the first byte picks the file (memory.*, a
 * count for pids.max, cpu.weight, cpu.max, io.max, cgroup.freeze), the
 * rest is the value. What is accepted comes out as the kernel takes it,
 * and normalizing that again changes nothing.
 */
#include "../../02-cgroups/cgroup.h"
#include "../../common/err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
	    "memory.max", "memory.high", "memory.swap.max", "memory.low", "memory.min",
	    "pids.max",	  "cpu.weight",	 "cpu.max",	    "io.max",	  "cgroup.freeze"};
	char out[256], again[256];

	if (size < 1)
		return 0;
	const char *file = files[data[0] % (sizeof(files) / sizeof(files[0]))];
	char *value = fuzz_string(data + 1, size - 1);

	err_clear();
	if (cg_normalize(file, value, out, sizeof(out)) == 0) {
		FUZZ_ASSERT(out[0] != '\0' && strlen(out) < sizeof(out), "%s '%s' -> '%s'", file,
			    value, out);
		FUZZ_ASSERT(cg_normalize(file, out, again, sizeof(again)) == 0,
			    "%s '%s' -> '%s', refused then: %s", file, value, out, err_last()->msg);
		FUZZ_ASSERT(strcmp(out, again) == 0, "%s '%s' -> '%s' -> '%s'", file, value, out,
			    again);
	} else {
		FUZZ_ASSERT(err_last()->msg[0] != '\0', "%s '%s': no reason", file, value);
	}
	free(value);
	return 0;
}
