/*
 * fuzz_network.c - --network MODE and --subnet CIDR (options.c,
 * parse_subnet), through ctr_parse(). The first byte picks which one the
 * rest is. An accepted subnet is exactly A.B.C.D/N, nothing before or
 * after; the addresses handed on are that net's .1 and .2.
 */
#include "fuzz.h"

#include <ctype.h>

/* "A.B.C.D/N": four numbers of 1-3 digits, then digits (leading zeros are
 * fine: "/024" is 24). */
static int
strict_cidr(const char *s)
{
	for (int part = 0; part < 5; part++) {
		size_t digits = strspn(s, "0123456789");
		if (digits < 1 || (part < 4 && digits > 3))
			return 0;
		s += digits;
		if (part < 3 && *s++ != '.')
			return 0;
		if (part == 3 && *s++ != '/')
			return 0;
	}
	return *s == '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctr_config cfg;

	if (size < 1)
		return 0;
	char *value = fuzz_string(data + 1, size - 1);
	char *subnet[] = {"nutshell", "run", "--rootfs", "/",	 "--network", "veth",
			  "--subnet", value, "--",	 "true", NULL};
	char *mode[] = {"nutshell", "run", "--rootfs", "/", "--network", value, "--", "true", NULL};
	int fuzz_subnet = data[0] & 1;

	int status = fuzz_subnet ? fuzz_ctr_parse(&cfg, 10, subnet) : fuzz_ctr_parse(&cfg, 8, mode);
	if (status == -1 && fuzz_subnet) {
		FUZZ_ASSERT(strict_cidr(value), "--subnet '%s' accepted as %s and %s", value,
			    cfg.host_cidr, cfg.ctr_cidr);
		FUZZ_ASSERT(isdigit((unsigned char)cfg.host_cidr[0]) &&
				isdigit((unsigned char)cfg.ctr_cidr[0]),
			    "addresses '%s' '%s'", cfg.host_cidr, cfg.ctr_cidr);
	}
	if (status == -1 && !fuzz_subnet)
		FUZZ_ASSERT(strcmp(value, "none") == 0 || strcmp(value, "host") == 0 ||
				strcmp(value, "veth") == 0,
			    "--network '%s' accepted", value);
	free(value);
	return 0;
}
