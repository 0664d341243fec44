# tests/fuzz/fuzz.mk - the libFuzzer harnesses (included by the top Makefile).
#
#   make fuzz    build every tests/fuzz/fuzz_NAME.c with clang, replay the inputs
#                that once crashed it (tests/fuzz/regressions/NAME/), then fuzz it
#                for FUZZ_SECONDS (default 7; eight harnesses: about a minute)
#                from its seed corpus (tests/fuzz/corpus/NAME/). Fails on a crash.
#
# The parsers (every lesson's helpers, common/ and the launcher's options.c)
# are built again with coverage for libFuzzer, AddressSanitizer and UBSan
# into build/fuzz/obj/; exit(3) is wrapped so that ctr_parse() can be fuzzed
# in-process (tests/fuzz/ctr_run.c).

.PHONY: fuzz

FUZZ_CC      = clang
FUZZ_FLAGS   = -O1 -g -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -MMD -MP \
	       -fno-omit-frame-pointer -fno-sanitize-recover=all $(NL_CFLAGS)
FUZZ_SECONDS ?= 7
FUZZ_NAMES   = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_OBJ = $(patsubst %.c,build/fuzz/obj/%.o,$(COMMON_SRC) $(HELPERS) \
		 05-full-container/options.c 05-full-container/options_ids.c 05-full-container/alloc.c 05-full-container/reclaim.c 05-full-container/sealed.c \
		 05-full-container/image_run.c \
		 tests/fuzz/ctr_run.c)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

build/fuzz/%: build/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -Wl,--wrap=exit \
		-o $@ $^ $(LDLIBS) $(IMG_LDLIBS)

fuzz: $(addprefix build/fuzz/,$(FUZZ_NAMES))
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
