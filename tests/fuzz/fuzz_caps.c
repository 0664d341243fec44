/*
 * fuzz_caps.c - capability names and lists as --cap-add and lesson 03 take
 * them (caps.h caps_from_name, caps_parse_list). An accepted name is a
 * capability this kernel has, and its own name leads back to it; a list
 * never yields more than room was given for.
 */
#include "../../03-capabilities/caps.h"
#include "../../common/err.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int last = -2;
	char *s = fuzz_string(data, size);
	cap_value_t cap, caps[8];

	if (last == -2)
		last = caps_last_cap();
	if (caps_from_name(s, &cap) == 0) {
		cap_value_t back;
		FUZZ_ASSERT(cap >= 0 && cap <= last, "'%s' -> %d (last %d)", s, cap, last);
		FUZZ_ASSERT(caps_from_name(caps_name(cap), &back) == 0 && back == cap,
			    "'%s' -> %d -> '%s' -> %d", s, cap, caps_name(cap), back);
	}
	err_clear();
	int n = caps_parse_list(s, caps, 8);
	FUZZ_ASSERT(n >= -1 && n <= 8, "'%s' -> %d names", s, n);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(caps[i] >= 0 && caps[i] <= last, "'%s' -> %d", s, caps[i]);
	FUZZ_ASSERT(n != -1 || err_last()->msg[0] != '\0', "'%s': no reason", s);
	free(s);
	return 0;
}
