/*
 * fuzz_options.c - the whole command line of nutshell run (options.c):
 * the input is the argument words, separated by NUL bytes, after
 * "nutshell". Accepted or refused with 125 (or --help, 0), never a crash;
 * what is accepted is within the configuration's bounds.
 */
#include "fuzz.h"

#define MAX_WORDS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctr_config cfg;
	char *text = malloc(size + 1), *argv[MAX_WORDS + 2];
	int argc = 0;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = "nutshell";
	for (size_t i = 0; i <= size && argc <= MAX_WORDS;) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;

	int status = fuzz_ctr_parse(&cfg, argc, argv);
	if (status == -1 && !cfg.cleanup) {
		FUZZ_ASSERT(cfg.argv && cfg.argv[0] && cfg.argv[0][0], "no COMMAND");
		FUZZ_ASSERT(cfg.hostname[0] && strlen(cfg.hostname) <= 64, "hostname '%s'",
			    cfg.hostname);
		FUZZ_ASSERT(cfg.nenv < CTR_MAX_ENV && cfg.nvol <= CTR_MAX_VOL &&
				cfg.ncaps <= CTR_MAX_CAPS,
			    "%zu env, %zu volumes, %zu caps", cfg.nenv, cfg.nvol, cfg.ncaps);
		for (size_t i = 0; i < cfg.nvol; i++)
			FUZZ_ASSERT(fuzz_volume_path_ok(cfg.vol[i].inside), "volume at '%s'",
				    cfg.vol[i].inside);
		/* Addresses come with --subnet, or at the start (ctr_allocate):
		 * both or neither, and only for veth. */
		FUZZ_ASSERT(!cfg.host_cidr[0] == !cfg.ctr_cidr[0] &&
				(cfg.net == CTR_NET_VETH || !cfg.host_cidr[0]),
			    "addresses half set, or without veth");
		FUZZ_ASSERT(cfg.storage_size >= 1024 * 1024, "storage size %llu", cfg.storage_size);
	}
	free(text);
	return status == -2 ? -1 : 0; /* -1: not worth keeping in the corpus */
}
