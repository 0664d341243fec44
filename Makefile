# nutshell - what a Linux container really is, built one primitive at a time.
#
#   sudo make demo    install what is missing, build, and take the guided tour
#   sudo make check   the whole test suite (without root: what needs no root)
#   make              build only (no root needed)
#   make deps | image | book | format | format-check | clean | distclean
#   make check-vm     the integration suite in a VM with cgroup v2 only
#   make vm           that VM, interactive, for workshops
#
# Binaries are built next to their sources (01-namespaces/uts), so the path a
# worksheet shows is the path you type.

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -MMD -MP
# Libraries of the Debian packages listed in scripts/deps.sh.
LDLIBS   = -lcap -lseccomp -ljansson -lmnl
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

COMMON_SRC = common/trace.c common/decode.c common/procfs.c
COMMON_OBJ = $(COMMON_SRC:.c=.o)

# Each lesson: helpers (linked by its programs, later lessons and the
# launcher) and one program per idea, built from every other .c file. A
# lesson links its own helpers and those of earlier lessons, never later ones.
NS_OBJ   = $(patsubst %.c,%.o,$(wildcard 01-namespaces/ns.c 01-namespaces/ns_net.c))
CG_OBJ   = $(patsubst %.c,%.o,$(wildcard 02-cgroups/cgroup.c))
CAPS_OBJ = $(patsubst %.c,%.o,$(wildcard 03-capabilities/caps.c 03-capabilities/sc.c))
ROOTFS_OBJ = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/rootfs.c))
HELPERS  = $(NS_OBJ:.o=.c) $(CG_OBJ:.o=.c) $(CAPS_OBJ:.o=.c) $(ROOTFS_OBJ:.o=.c)
LESSONS  = 01-namespaces 02-cgroups 03-capabilities 04-overlay-chroot
PROGRAMS = $(basename $(filter-out $(HELPERS),$(wildcard $(addsuffix /*.c,$(LESSONS)))))

TEST_SRC = $(wildcard tests/*.c tests/unit/*.c tests/integration/*.c)

.PHONY: all deps image demo check book format format-check clean distclean
all: $(PROGRAMS) $(CTR_PROGRAMS)

01-namespaces/%: 01-namespaces/%.o $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
02-cgroups/%: 02-cgroups/%.o $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
03-capabilities/%: 03-capabilities/%.o $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
04-overlay-chroot/%: 04-overlay-chroot/%.o $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Lesson 05 links everything: the launcher from its few files and every
# lesson's helpers; inspect static, so it runs inside any image (the default
# image gets it as /bin/inspect).
CTR_OBJ = $(addprefix 05-full-container/,nutshell.o options.o inside.o tty.o)
CTR_PROGRAMS = 05-full-container/nutshell 05-full-container/inspect
05-full-container/nutshell: $(CTR_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
05-full-container/inspect: 05-full-container/inspect.o 03-capabilities/caps.o $(COMMON_OBJ)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) -lcap -ljansson

# The test binary: unit suites (pure functions, run under AddressSanitizer
# and UBSan, no root) and integration suites (drive the built programs, need
# root); one Check runner, one summary line.
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(COMMON_SRC) $(HELPERS) $(TEST_SRC))
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<
tests/check: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ $(LDLIBS) $$(pkg-config --libs check)

deps:
	@scripts/deps.sh

image: images/busybox/.stamp
images/busybox/.stamp: scripts/mkimage.sh /bin/busybox 05-full-container/inspect
	@scripts/mkimage.sh images/busybox 05-full-container/inspect

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -s all image
	@scripts/tour.sh

check: all image tests/check
	@tests/check

BOOK_FILTERS = --lua-filter=book/include-code.lua --lua-filter=book/instructor.lua
BOOK_OPTS = --standalone --toc --toc-depth=2 --number-sections --metadata-file=book/metadata.yaml $(BOOK_FILTERS)
book:
	@mkdir -p build
	pandoc $(BOOK_OPTS) -o build/book.html BOOK.md
	pandoc $(BOOK_OPTS) -M instructor=true -o build/book-instructor.html BOOK.md
	pandoc $(BOOK_OPTS) -o build/book.epub BOOK.md
	@echo "book: build/book.html build/book-instructor.html build/book.epub"

FORMAT_FILES = $(shell find common 0[1-5]-* tests -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

# clean keeps build/vm, the kernel the VM lane downloaded; distclean removes it too.
clean:
	rm -rf build/asan build/book* images tests/check $(PROGRAMS) $(CTR_PROGRAMS)
	find . -name '*.[od]' -not -path './.git/*' -not -path './build/vm/*' -delete
distclean: clean
	rm -rf build

include tests/vm/vm.mk

-include $(shell find . -name '*.d' -not -path './.git/*' 2>/dev/null)
