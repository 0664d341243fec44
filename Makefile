# nutshell - what a Linux container really is, built one primitive at a time.
#
#   sudo make demo    install what is missing, build, and take the guided tour
#   sudo make check   the whole test suite (without root: what needs no root)
#   make              build only (no root needed)
#   make deps | image | image-oci | book | format | format-check | clean | distclean
#   make check-vm     the integration suite in a VM with cgroup v2 only
#   make vm           that VM, interactive, for workshops
#
# Binaries are built next to their sources (01-namespaces/uts), so the path a
# worksheet shows is the path you type.

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -MMD -MP
# Libraries of the Debian packages listed in scripts/deps.sh. libnl-3 (the
# core of libnl, rtnetlink for 01-namespaces/ns_net.c) keeps its headers in
# /usr/include/libnl3.
NL_CFLAGS := $(shell pkg-config --cflags libnl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
CFLAGS   += $(NL_CFLAGS)
LDLIBS   = -lcap -lseccomp -ljansson -lnl-3
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
# Reading images (04-overlay-chroot/image.c): libarchive for the tarballs,
# nettle (which libarchive links already) for sha256. Linked only by what
# imports images, dynamically: never by the launcher's static start path.
IMG_OBJ  = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/image.c))
IMG_LDLIBS = -larchive -lnettle
HELPERS  = $(NS_OBJ:.o=.c) $(CG_OBJ:.o=.c) $(CAPS_OBJ:.o=.c) $(ROOTFS_OBJ:.o=.c) $(IMG_OBJ:.o=.c)
LESSONS  = 01-namespaces 02-cgroups 03-capabilities 04-overlay-chroot
PROGRAMS = $(basename $(filter-out $(HELPERS),$(wildcard $(addsuffix /*.c,$(LESSONS)))))

TEST_SRC = $(wildcard tests/*.c tests/unit/*.c tests/integration/*.c)

# Workshop exercises (below): each has a participant's and a reference build.
EX_DIRS     = $(patsubst %/grader.c,%,$(wildcard lessons/exercises/*/grader.c))
EX_PROGRAMS = $(addsuffix /skeleton,$(EX_DIRS) $(addsuffix /solution,$(EX_DIRS))) \
	      $(addsuffix /grader,$(EX_DIRS))

.PHONY: all deps bench bench-deps image image-oci demo check transcripts book format format-check clean distclean grade
all: $(PROGRAMS) $(CTR_PROGRAMS)

01-namespaces/%: 01-namespaces/%.o $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
02-cgroups/%: 02-cgroups/%.o $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
03-capabilities/%: 03-capabilities/%.o $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
04-overlay-chroot/unpack: 04-overlay-chroot/unpack.o $(IMG_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(IMG_LDLIBS)
04-overlay-chroot/%: 04-overlay-chroot/%.o $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Lesson 05 links everything: the launcher from its few files and every
# lesson's helpers; inspect static, so it runs inside any image (the default
# image gets it as /bin/inspect).
CTR_OBJ = $(addprefix 05-full-container/,nutshell.o options.o inside.o tty.o reclaim.o idmap.o nss.o)
CTR_PROGRAMS = 05-full-container/nutshell 05-full-container/inspect 05-full-container/mkfilter
GEN_FILTERS = build/gen/filters.c
# (all: above was read before CTR_PROGRAMS had a value)
all: $(CTR_PROGRAMS)
# Linked fully static (Debian ships libcap.a, libseccomp.a, libjansson.a,
# libnl-3.a): no dynamic loader mapping and relocating shared objects at
# every start, fewer pages touched. -static-pie keeps ASLR for the launcher's
# own code and data. libnl-3.a's name lookups (getaddrinfo and the like,
# which a static glibc could only do with NSS libraries loaded at run
# time) are answered by 05-full-container/nss.c: the launcher never asks.
CTR_LDLIBS = -static-pie -lcap -lseccomp -ljansson -lnl-3
05-full-container/nutshell: $(CTR_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ) $(GEN_FILTERS:.c=.o)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(CTR_LDLIBS)
# The default seccomp filters as BPF arrays, compiled from sc.c's profile
# at build time (mkfilter.c): a start loads one instead of building it.
05-full-container/mkfilter: 05-full-container/mkfilter.o $(CAPS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
$(GEN_FILTERS): 05-full-container/mkfilter
	@mkdir -p $(dir $@)
	05-full-container/mkfilter >$@.tmp && mv $@.tmp $@
05-full-container/inspect: 05-full-container/inspect.o 03-capabilities/caps.o $(COMMON_OBJ)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) -lcap -ljansson

# Workshop exercises, lessons/exercises/NN-name: skeleton.c (what the
# participant edits), solution/skeleton.c (the reference) and grader.c (Check
# tests on the integration harness). They include "common/trace.h" and the
# lessons' helpers from the top directory and link every lesson's helpers.
#   make grade EX=01-hostname [SOLUTION=1]
lessons/exercises/%.o: CPPFLAGS += -I.
lessons/exercises/%/skeleton: lessons/exercises/%/skeleton.o $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
lessons/exercises/%/grader: lessons/exercises/%/grader.o lessons/exercises/grade.o tests/integration/harness.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -ljansson $$(pkg-config --libs check)
EX_RUN = lessons/exercises/$(EX)/$(if $(SOLUTION),solution/)skeleton
grade:
	@test -n "$(EX)" -a -f lessons/exercises/$(EX)/grader.c || \
	  { echo "usage: make grade EX=NN-name [SOLUTION=1]; NN-name one of: $(notdir $(EX_DIRS))"; exit 2; }
	@$(MAKE) --no-print-directory -s lessons/exercises/$(EX)/grader $(EX_RUN)
	@lessons/exercises/$(EX)/grader $(EX_RUN)

# The test binary: unit suites (pure functions, run under AddressSanitizer
# and UBSan, no root) and integration suites (drive the built programs, need
# root); one Check runner, one summary line.
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(COMMON_SRC) $(HELPERS) $(TEST_SRC) $(GEN_FILTERS))
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<
tests/check: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ $(LDLIBS) $(IMG_LDLIBS) $$(pkg-config --libs check)

deps:
	@scripts/deps.sh

# make bench: start-up cost against unshare, bubblewrap and crun (see
# bench/bench.sh); make bench-deps installs the last two from Debian.
bench/timer: bench/timer.c
	$(CC) $(CFLAGS) -o $@ $<
# The launcher again with TRACE() compiled out, for the tracing table only.
UNTRACED_OBJ = $(patsubst %.o,build/untraced/%.o,$(CTR_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) \
	       $(NS_OBJ) $(COMMON_OBJ) $(GEN_FILTERS:.c=.o))
build/untraced/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-error -Wno-unused -DTRACE_COMPILED_OUT -c -o $@ $<
build/untraced/build/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
build/untraced/nutshell: $(UNTRACED_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(CTR_LDLIBS)
bench: all image bench/timer build/untraced/nutshell
	@bench/bench.sh
bench-deps:
	apt-get install -y bubblewrap crun

image: images/busybox/.stamp
images/busybox/.stamp: scripts/mkimage.sh /bin/busybox 05-full-container/inspect
	@scripts/mkimage.sh images/busybox 05-full-container/inspect

# The default image as an OCI image layout of one gzip layer, named
# busybox:latest (scripts/mkoci.sh): what 04-overlay-chroot/unpack reads.
image-oci: images/busybox-oci/index.json
images/busybox-oci/index.json: images/busybox/.stamp scripts/mkoci.sh
	@rm -rf images/busybox-oci images/busybox-layer.tar.gz
	tar -C images/busybox --exclude=./.stamp --numeric-owner -czf images/busybox-layer.tar.gz .
	scripts/mkoci.sh images/busybox-oci busybox:latest images/busybox-layer.tar.gz
	@rm -f images/busybox-layer.tar.gz

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -s all image
	@scripts/tour.sh

# The exercises' skeletons, solutions and graders are built for the tests
# (each grader must pass its solution and fail the untouched skeleton), not by
# `make`: a participant's half-edited skeleton must not break the build.
check: all image image-oci tests/check $(EX_PROGRAMS)
	@tests/check

# make mutants: each defence of the launcher broken on purpose, once, and the
# test that must then fail (scripts/mutants.sh, in a copy of the tree). Slow:
# not part of check.
.PHONY: mutants
mutants: all image tests/check
	@scripts/mutants.sh

# The book's transcripts (book/transcripts/NAME.{trace,out,calls}): each
# program the book shows, run for real, as root; the suite "transcripts" of
# make check fails when a program's calls no longer match its transcript.
transcripts: all image tests/check
	@NUTSHELL_TRANSCRIPTS=write CK_RUN_SUITE=transcripts tests/check

# The book and the worksheets, each in two editions (participant, and
# instructor with the "::: instructor" notes), as HTML and EPUB. Code comes
# from the sources by marker (book/include-code.lua), output from the real
# runs in book/transcripts/ (book/transcript.lua, make transcripts), and the
# diagrams from book/diagrams/*.dot (Graphviz). The HTML is self-contained:
# diagrams and style inside one file. scripts/book.sh check then fails on a
# link to a missing anchor or a lesson program the book or its worksheet
# never names.
BOOK_FILTERS = --lua-filter=book/include-code.lua --lua-filter=book/transcript.lua \
	--lua-filter=book/instructor.lua
BOOK_OPTS = --standalone --toc --toc-depth=2 --number-sections --metadata-file=book/metadata.yaml $(BOOK_FILTERS)
SHEET_OPTS = --standalone --toc --toc-depth=1 --metadata-file=book/metadata.yaml \
	-M title="nutshell: worksheets" -M subtitle="Lessons 01 to 05" $(BOOK_FILTERS)
WORKSHEETS = $(sort $(wildcard lessons/0*.md))
book:
	@mkdir -p build
	@scripts/book.sh diagrams build/diagrams
	pandoc $(BOOK_OPTS) --self-contained -o build/book.html BOOK.md
	pandoc $(BOOK_OPTS) --self-contained -M instructor=true -o build/book-instructor.html BOOK.md
	pandoc $(BOOK_OPTS) -o build/book.epub BOOK.md
	pandoc $(BOOK_OPTS) -M instructor=true -o build/book-instructor.epub BOOK.md
	pandoc $(SHEET_OPTS) --self-contained -o build/worksheets.html $(WORKSHEETS)
	pandoc $(SHEET_OPTS) --self-contained -M instructor=true -o build/worksheets-instructor.html $(WORKSHEETS)
	pandoc $(SHEET_OPTS) -o build/worksheets.epub $(WORKSHEETS)
	pandoc $(SHEET_OPTS) -M instructor=true -o build/worksheets-instructor.epub $(WORKSHEETS)
	@scripts/book.sh check build/book.html build/book-instructor.html \
		build/worksheets.html build/worksheets-instructor.html
	@echo "book: build/{book,book-instructor,worksheets,worksheets-instructor}.{html,epub}"

FORMAT_FILES = $(shell find common 0[1-5]-* tests lessons -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

# clean keeps build/vm, the kernel the VM lane downloaded; distclean removes it too.
clean:
	rm -rf build/asan build/untraced build/book* build/worksheets* build/diagrams build/gen images tests/check bench/timer $(PROGRAMS) $(CTR_PROGRAMS) $(EX_PROGRAMS)
	find . -name '*.[od]' -not -path './.git/*' -not -path './build/vm/*' -delete
distclean: clean
	rm -rf build

include tests/vm/vm.mk
include tests/fuzz/fuzz.mk

-include $(shell find . -name '*.d' -not -path './.git/*' 2>/dev/null)
