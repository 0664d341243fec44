/*
 * fuzz_volume.c - one --volume HOST:CONTAINER[:ro|:rw] (options.c,
 * parse_volume), through ctr_parse(). An accepted volume has an absolute
 * host path and a container path that is neither the root, however
 * written, nor climbing with "..".
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctr_config cfg;
	char *spec = fuzz_string(data, size);
	char *argv[] = {"nutshell", "run", "--rootfs", "/", "--volume", spec, "--", "true", NULL};

	if (fuzz_ctr_parse(&cfg, 8, argv) == -1) {
		FUZZ_ASSERT(cfg.nvol == 1, "%zu volumes", cfg.nvol);
		FUZZ_ASSERT(cfg.vol[0].host[0] == '/', "host path '%s'", cfg.vol[0].host);
		FUZZ_ASSERT(fuzz_volume_path_ok(cfg.vol[0].inside),
			    "--volume '%s' accepted with container path '%s'", spec,
			    cfg.vol[0].inside);
	}
	free(spec);
	return 0;
}
