# nutshell - what a Linux container really is, built one primitive at a time.
#
#   sudo make demo    install what is missing, build, and take the guided tour
#   sudo make check   the whole test suite (without root: what needs no root)
#   make              build only (no root needed)
#   make deps | image | image-oci | image-trixie | image-bookworm | image-debian | book | format | format-check | clean | distclean
#   make check-vm     the integration suite in a VM with cgroup v2 only
#   make vm           that VM, interactive, for workshops
#   make transcripts-vm  the book's transcripts recorded in that VM (book/transcripts/v2/)
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

COMMON_SRC = common/trace.c common/trace_str.c common/decode.c common/procfs.c common/host.c common/err.c \
             common/waiting.c
COMMON_OBJ = $(COMMON_SRC:.c=.o)

# Each lesson: helpers (linked by its programs, later lessons and the
# launcher) and one program per idea, built from every other .c file. A
# lesson links its own helpers and those of earlier lessons, never later ones.
NS_OBJ   = $(patsubst %.c,%.o,$(wildcard 01-namespaces/ns.c 01-namespaces/ns_net.c))
CG_OBJ   = $(patsubst %.c,%.o,$(wildcard 02-cgroups/cgroup.c 02-cgroups/cgroup_value.c \
                                      02-cgroups/cgroup_layout.c 02-cgroups/cgroup_record.c \
                                      02-cgroups/cgroup_stat.c \
                                      02-cgroups/cgroup_devices.c))
CAPS_OBJ = $(patsubst %.c,%.o,$(wildcard 03-capabilities/caps.c 03-capabilities/sc.c \
	   03-capabilities/sc_profile.c 03-capabilities/caps_exec.c \
	   03-capabilities/caps_probe.c 03-capabilities/sc_probe.c))
ROOTFS_OBJ = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/rootfs.c 04-overlay-chroot/rootfs_overlay.c \
	     04-overlay-chroot/rootfs_path.c 04-overlay-chroot/rootfs_demo.c \
	     04-overlay-chroot/rootfs_spec.c))
# Reading images (04-overlay-chroot/image*.c): libarchive for the tarballs,
# nettle (which libarchive links already) for sha256. Linked only by what
# imports images, dynamically: never by the launcher's static start path.
IMG_OBJ  = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/image.c 04-overlay-chroot/image_json.c \
	   04-overlay-chroot/image_digest.c 04-overlay-chroot/image_apply.c))
IMG_LDLIBS = -larchive -lnettle
# The image store (04-overlay-chroot/store.h): store.c reads it with jansson
# and is all the launcher links of it; store_write.c and store_import.c (with
# image.c) write it, linked only into 05-full-container/nutshell-image.
STORE_OBJ = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/store.c))
STORE_IMPORT_OBJ = $(patsubst %.c,%.o,$(wildcard 04-overlay-chroot/store_write.c \
	04-overlay-chroot/store_import.c))
HELPERS  = $(NS_OBJ:.o=.c) $(CG_OBJ:.o=.c) $(CAPS_OBJ:.o=.c) $(ROOTFS_OBJ:.o=.c) $(IMG_OBJ:.o=.c) \
	   $(STORE_OBJ:.o=.c) $(STORE_IMPORT_OBJ:.o=.c)
LESSONS  = 01-namespaces 02-cgroups 03-capabilities 04-overlay-chroot
PROGRAMS = $(basename $(filter-out $(HELPERS),$(wildcard $(addsuffix /*.c,$(LESSONS)))))

TEST_SRC = $(wildcard tests/*.c tests/unit/*.c tests/integration/*.c)

# Workshop exercises (below): each has a participant's and a reference build.
EX_DIRS     = $(patsubst %/grader.c,%,$(wildcard lessons/exercises/*/grader.c))
EX_PROGRAMS = $(addsuffix /skeleton,$(EX_DIRS) $(addsuffix /solution,$(EX_DIRS))) \
	      $(addsuffix /grader,$(EX_DIRS))

# Lesson 05's programs (below); named here, before all: reads them.
CTR_PROGRAMS = 05-full-container/nutshell 05-full-container/inspect 05-full-container/mkfilter \
	       05-full-container/doctor 05-full-container/nutshell-image

.PHONY: engine-deps
.PHONY: all deps bench bench-deps image image-oci demo check transcripts book view check-book book-deps format format-check clean distclean grade
all: $(PROGRAMS) $(CTR_PROGRAMS)

01-namespaces/%: 01-namespaces/%.o $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
02-cgroups/%: 02-cgroups/%.o $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
03-capabilities/%: 03-capabilities/%.o $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
# Lesson 04 links what it calls: rootfs.c and lesson 01's helpers; unpack
# also image*.c, which parses --max-size with cg_parse_size (lesson 02).
04-overlay-chroot/unpack: 04-overlay-chroot/unpack.o $(IMG_OBJ) $(ROOTFS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(IMG_LDLIBS)
04-overlay-chroot/%: 04-overlay-chroot/%.o $(ROOTFS_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Lesson 05 links everything: the launcher from its few files and every
# lesson's helpers; inspect static, so it runs inside any image (the default
# image gets it as /bin/inspect).
CTR_OBJ = $(addprefix 05-full-container/,nutshell.o options.o options_ids.o inside.o channels.o tty.o \
	reclaim.o idmap.o nss.o alloc.o sealed.o stdio.o user.o image_run.o timings.o oci.o oci_state.o \
	oci_spec.o oci_default.o oci_default_seccomp.o oci_create.o oci_exec.o oci_hooks.o oci_mount.o oci_seccomp.o oci_control.o oci_cgroup.o oci_run.o) $(STORE_OBJ)
GEN_FILTERS = build/gen/filters.c
# Linked fully static (Debian ships libcap.a, libseccomp.a, libjansson.a,
# libnl-3.a): no dynamic loader mapping and relocating shared objects at
# every start, fewer pages touched. -static-pie keeps ASLR for the launcher's
# own code and data. libnl-3.a's name lookups (getaddrinfo and the like,
# which a static glibc could only do with NSS libraries loaded at run
# time) are answered by 05-full-container/nss.c: the launcher never asks.
CTR_LDLIBS = -static-pie -lcap -lseccomp -ljansson -lnl-3
05-full-container/nutshell: $(CTR_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ) $(GEN_FILTERS:.c=.o)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(CTR_LDLIBS)
# `nutshell image ...` executes this: the store's commands, with libarchive
# and nettle linked dynamically, out of the launcher's static start path.
05-full-container/nutshell-image: 05-full-container/nutshell-image.o 05-full-container/image_bundle.o $(STORE_IMPORT_OBJ) $(STORE_OBJ) $(IMG_OBJ) $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(IMG_LDLIBS)
# The default seccomp filters as BPF arrays, compiled from sc.c's profile
# at build time (mkfilter.c): a start loads one instead of building it.
05-full-container/mkfilter: 05-full-container/mkfilter.o $(CAPS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
# A cross build (scripts/cross.sh) runs it in EMU, qemu-user for the target:
# libseccomp resolves names for the architecture it was built for, so only
# the target's mkfilter makes the target's filters.
EMU ?=
$(GEN_FILTERS): 05-full-container/mkfilter
	@mkdir -p $(dir $@)
	$(EMU) 05-full-container/mkfilter >$@.tmp && mv $@.tmp $@
# make doctor: what this machine allows, lesson by lesson (05-full-container/doctor.c).
05-full-container/doctor: 05-full-container/doctor.o $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
doctor: 05-full-container/doctor
	@05-full-container/doctor
.PHONY: doctor
05-full-container/inspect: 05-full-container/inspect.o 03-capabilities/caps.o $(COMMON_OBJ)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) -lcap -ljansson

# Workshop exercises, lessons/exercises/NN-name: skeleton.c (what the
# participant edits), solution/skeleton.c (the reference) and grader.c (Check
# tests on the integration harness). They include "common/trace.h" and the
# lessons' helpers from the top directory and link every lesson's helpers.
#   make grade EX=01-hostname [SOLUTION=1]
#   make grade EX=PATH/01-hostname      (a participant's own copy of the directory)
lessons/exercises/%.o: CPPFLAGS += -I.
# A half-finished exercise (an unused variable) must still build and run:
# warnings are shown, not fatal.
lessons/exercises/%/skeleton.o: CFLAGS := $(filter-out -Werror,$(CFLAGS))
lessons/exercises/%/skeleton: lessons/exercises/%/skeleton.o $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
# An exercise whose answer is a shell script (the OCI ones: a bundle, an
# engine's command line) has skeleton.sh instead of skeleton.c.
lessons/exercises/%/skeleton: lessons/exercises/%/skeleton.sh
	install -m 755 $< $@
lessons/exercises/%/grader: lessons/exercises/%/grader.o lessons/exercises/grade.o tests/integration/harness.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -ljansson $$(pkg-config --libs check)
# EX is an exercise's name, or the path of a participant's own copy of an
# exercise directory (make grade EX=$HOME/work/01-hostname): that copy's
# skeleton.c is built there and graded by the grader of the same name.
EX_OWN  = $(if $(findstring /,$(EX)),$(abspath $(EX)))
EX_NAME = $(notdir $(patsubst %/,%,$(EX)))
EX_LIBS = $(ROOTFS_OBJ) $(CAPS_OBJ) $(CG_OBJ) $(NS_OBJ) $(COMMON_OBJ)
EX_RUN  = $(if $(EX_OWN),$(EX_OWN)/skeleton,lessons/exercises/$(EX_NAME)/$(if $(SOLUTION),solution/)skeleton)
# A FAIL must end with the grader's verdict, not with make's "*** [Makefile:N:
# grade] Error 1", which a room reads as a broken build. make prints that
# line for every failed recipe, and since GNU make 4.4 it catches SIGPIPE
# and SIGINT as well, so no recipe can end it quietly. What make does not
# report is its own question mode: under -q a recipe line marked "+" still
# runs, and its status 1 means "not up to date" - make exits 1 and prints
# nothing (make(1) -q; GNU make manual, "Instead of Executing Recipes").
# So `make grade` alone on the command line questions: every line of the
# recipe is "+", a FAIL (the grader's status 1) is make's status 1, a PASS 0.
# The status 1 a parent make or CI sees is the usual failure; any other
# status (the grader killed, a compiler's or a sub-make's 2) is make's
# error as always. The builds run in a sub-make without -q (MAKEFLAGS and
# MFLAGS unset; the command line's variables passed on).
ifeq ($(MAKECMDGOALS),grade)
MAKEFLAGS += -q
endif
GRADE_MAKE = env -u MAKEFLAGS -u MFLAGS $(MAKE) --no-print-directory -s $(MAKEOVERRIDES)
grade:
	+@test -n "$(EX)" -a -f lessons/exercises/$(EX_NAME)/grader.c || \
	  { echo "usage: make grade EX=NN-name [SOLUTION=1], or EX=PATH/NN-name (your own copy); NN-name one of: $(notdir $(EX_DIRS))" >&2; exit 1; }
	+@test -z "$(EX_OWN)" -o -f "$(EX_OWN)/skeleton.c" -o -f "$(EX_OWN)/skeleton.sh" || \
	  { echo "grade: EX='$(EX)': expected a directory with skeleton.c or skeleton.sh" >&2; exit 1; }
	+@$(GRADE_MAKE) lessons/exercises/$(EX_NAME)/grader $(if $(EX_OWN),$(EX_LIBS),$(EX_RUN))
	+@$(if $(EX_OWN),$(if $(wildcard $(EX_OWN)/skeleton.sh),install -m 755 "$(EX_OWN)/skeleton.sh" "$(EX_RUN)",$(CC) $(filter-out -Werror,$(CFLAGS)) -I. -o "$(EX_RUN)" "$(EX_OWN)/skeleton.c" $(EX_LIBS) $(LDFLAGS) $(LDLIBS)))
	+@lessons/exercises/$(EX_NAME)/grader $(EX_RUN)

# The test binary: unit suites (pure functions, run under AddressSanitizer
# and UBSan, no root) and integration suites (drive the built programs, need
# root); one Check runner, one summary line.
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(COMMON_SRC) $(HELPERS) $(TEST_SRC) $(GEN_FILTERS))
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<
# Programs the integration tests put into a container (--volume): static,
# so they run in any image.
TEST_HELPERS = tests/helpers/tiocsti
tests/helpers/%: tests/helpers/%.c
	$(CC) $(CFLAGS) -static -o $@ $<
# --wrap: the runner counts the tests of the suites it skips (tests/main.c).
tests/check: $(ASAN_OBJ) | $(TEST_HELPERS)
	$(CC) $(CFLAGS) $(SANITIZE) -Wl,--wrap=_tcase_add_test -o $@ $^ $(LDLIBS) $(IMG_LDLIBS) $$(pkg-config --libs check)

deps:
	@scripts/deps.sh
# make check-book's browser, large, so not part of make deps (CI runs both).
book-deps:
	@scripts/deps.sh book
# The engines that drive nutshell as an OCI runtime (suites oci-podman,
# oci-containerd, oci-docker), and umoci (suite oci-spec, make bench).
engine-deps:
	@scripts/deps.sh engines
# nutshell as an OCI runtime: its own suites (oci, oci-spec: every suite
# whose name starts with oci), then driven by podman,
# containerd and docker (each started privately by its suite; make engine-deps), and
# the host check that nothing of theirs is left.
.PHONY: check-oci
check-oci: $(CHECK_DEPS)
	@CK_RUN_SUITE=oci-all tests/check
# make check-arm64's cross compiler, arm64 libraries (dpkg multiarch) and
# qemu, kept apart: about 400 MB, and it adds a dpkg architecture.
deps-arm64:
	@scripts/deps.sh arm64
.PHONY: deps-arm64

# make bench: start-up cost against unshare, bubblewrap and crun (see
# bench/bench.sh); make bench-deps installs the last two from Debian.
bench/timer: bench/timer.c
	$(CC) $(CFLAGS) -o $@ $<
# The launcher's mounts made with mount(2) and with the new mount API.
bench/mountapi: bench/mountapi.c
	$(CC) $(CFLAGS) -o $@ $<
# A child put into a cgroup v2 by a write and by clone3(CLONE_INTO_CGROUP).
bench/cgplace: bench/cgplace.c
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
# One container's create, start, wait, delete through a runtime's commands.
bench/ocicycle: bench/ocicycle.c
	$(CC) $(CFLAGS) -o $@ $<
bench: all image image-oci bench/timer bench/mountapi bench/cgplace bench/ocicycle build/untraced/nutshell
	@bench/bench.sh
bench-deps:
	apt-get install -y bubblewrap crun

# BUSYBOX: the busybox-static of the target (a cross build's is unpacked,
# not installed, and listed through EMU).
BUSYBOX ?= /bin/busybox
image: images/busybox/.stamp
images/busybox/.stamp: scripts/mkimage.sh $(BUSYBOX) 05-full-container/inspect
	@BUSYBOX=$(BUSYBOX) EMU="$(EMU)" scripts/mkimage.sh images/busybox 05-full-container/inspect

# make image-trixie: a Debian 13 minbase root (debootstrap, several minutes,
# ~130 MB) in build/images/trixie, kept by make clean like build/vm. The
# "profile" suite runs it with --rootfs: a modern glibc under the profile.
# make image-bookworm: the same of Debian 12 in build/images/bookworm.
# Both keep Debian's packages in build/fresh/debs, as make check-fresh does.
.PHONY: image-trixie image-bookworm
image-trixie:
	@scripts/mkimage-debootstrap.sh trixie build/images/trixie
image-bookworm:
	@scripts/mkimage-debootstrap.sh bookworm build/images/bookworm

# make image-debian: the Debian 12 root as an OCI image layout of one layer,
# debian:12 (scripts/mkimage-debian.sh), imported into the store by that
# name and as debian (which `--image debian` finds, docker's debian:latest):
# then `sudo 05-full-container/nutshell run -t --image debian -- bash` is a
# shell where apt-get works. The store suite packs and runs it, and the
# Debian 13 root of image-trixie as debian:13 (store_debian).
.PHONY: image-debian
image-debian: image-bookworm all
	@scripts/mkimage-debian.sh build/images/bookworm build/images/debian-oci
	05-full-container/nutshell image import build/images/debian-oci
	05-full-container/nutshell image import --name debian build/images/debian-oci

# The static probe the "profile" suite runs inside containers (its
# directory bound in with --volume; beside its source, so the VM lane's copy
# has it too): system calls the seccomp profile decides on.
tests/probe/scprobe: tests/probe/scprobe.c
	$(CC) $(CFLAGS) -static -o $@ $<

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
	@05-full-container/doctor -q
	@scripts/tour.sh

# The exercises' skeletons, solutions and graders are built for the tests
# (each grader must pass its solution and fail the untouched skeleton), not by
# `make`: a participant's half-edited skeleton must not break the build.
# What the integration suite needs, here and in the VM lanes (tests/vm/vm.mk).
CHECK_DEPS = all image image-oci tests/check tests/probe/scprobe $(EX_PROGRAMS)
check: $(CHECK_DEPS)
	@tests/check

# make mutants: each defence of the launcher broken on purpose, once, and the
# test that must then fail (scripts/mutants.sh, in a copy of the tree). Slow:
# not part of check.
.PHONY: mutants
mutants: all image tests/check tests/probe/scprobe
	@scripts/mutants.sh

# The book's transcripts (book/transcripts/NAME.{trace,out,calls,json}): each
# program the book shows, run for real, as root; the suite "transcripts" of
# make check fails when a program's calls no longer match its transcript.
# Paths of this machine are normalised as they are written
# (tests/integration/transcript_norm.h); make transcripts-vm (tests/vm/vm.mk)
# records the cgroup v2 set, book/transcripts/v2/.
transcripts: all image tests/check tests/probe/scprobe
	@NUTSHELL_TRANSCRIPTS=write CK_RUN_SUITE=transcripts tests/check

# The book and the worksheets, each in two editions (participant, and
# instructor with the "::: instructor" notes), as a web site and as EPUB.
# Code comes from the sources by marker (book/include-code.lua), output from
# the real runs in book/transcripts/ (book/transcript.lua, make transcripts),
# and the diagrams from book/diagrams/*.dot (Graphviz). The site is
# build/web/{book,book-instructor,worksheets,worksheets-instructor}/, one page
# a chapter (book/web.lua with the template book/web.html, the style
# book/web.css, the sidebar and search book/web.js, the trace viewer
# book/viewer.js): no file from outside build/web, so it works offline.
# -f markdown-smart: "--userns" stays two hyphens, straight quotes stay
# straight, as a reader must type them. scripts/book.sh check then fails on
# a link to a missing page or anchor, or a lesson program the book or its
# worksheet never names; make check-book looks at the pages in Chromium.
BOOK_FILTERS = --lua-filter=book/include-code.lua --lua-filter=book/transcript.lua \
	--lua-filter=book/instructor.lua
BOOK_OPTS = -f markdown-smart --standalone --toc --toc-depth=2 --number-sections \
	--metadata-file=book/metadata.yaml $(BOOK_FILTERS)
SHEET_META = -M title="nutshell: worksheets" -M subtitle="Lessons 01 to 05"
SHEET_OPTS = -f markdown-smart --standalone --toc --toc-depth=1 --metadata-file=book/metadata.yaml \
	$(SHEET_META) $(BOOK_FILTERS)
WEB_OPTS = -f markdown-smart -t html --metadata-file=book/metadata.yaml $(BOOK_FILTERS) \
	--lua-filter=book/web.lua -o /dev/null
WEB = build/web
WORKSHEETS = $(sort $(wildcard lessons/0*.md))
book:
	@mkdir -p $(WEB)
	@scripts/book.sh diagrams build/diagrams
	cp book/web.css book/web.js book/viewer.js $(WEB)/
	pandoc $(WEB_OPTS) -M number-sections=true -M site=$(WEB)/book BOOK.md
	pandoc $(WEB_OPTS) -M number-sections=true -M site=$(WEB)/book-instructor \
		-M instructor=true -M edition="instructor edition" BOOK.md
	pandoc $(WEB_OPTS) $(SHEET_META) -M site=$(WEB)/worksheets $(WORKSHEETS)
	pandoc $(WEB_OPTS) $(SHEET_META) -M site=$(WEB)/worksheets-instructor \
		-M instructor=true -M edition="instructor edition" $(WORKSHEETS)
	pandoc $(BOOK_OPTS) -o build/book.epub BOOK.md
	pandoc $(BOOK_OPTS) -M instructor=true -o build/book-instructor.epub BOOK.md
	pandoc $(SHEET_OPTS) -o build/worksheets.epub $(WORKSHEETS)
	pandoc $(SHEET_OPTS) -M instructor=true -o build/worksheets-instructor.epub $(WORKSHEETS)
	@scripts/book.sh check $(WEB)/book $(WEB)/book-instructor $(WEB)/worksheets \
		$(WEB)/worksheets-instructor
	@echo "book: $(WEB)/{book,book-instructor,worksheets,worksheets-instructor}/index.html," \
		"build/{book,book-instructor,worksheets,worksheets-instructor}.epub"

# A --json trace drawn by the trace viewer, one self-contained page:
#   make view TRACE=trace.json     writes build/view-trace.html
# (from any lesson program's --json FILE, or nutshell run's).
view:
	@test -n "$(TRACE)" || { echo "view: usage: make view TRACE=FILE.json" >&2; exit 2; }
	@mkdir -p build
	@scripts/book.sh view "$(TRACE)" build/view-$(basename $(notdir $(TRACE))).html

# The web book in headless Chromium (scripts/check-book.py): every chapter at
# 375 and 1280 pixels wide, overflow, images, links, search, console errors,
# and the trace viewer; screenshots in build/screens/. Needs make book-deps.
check-book: book
	@scripts/book.sh view book/transcripts/05-timings.json build/view-05-timings.html
	@scripts/book.sh view book/transcripts/01-uts.json build/view-01-uts.html
	/usr/bin/python3 scripts/check-book.py $(WEB)

FORMAT_FILES = $(shell find common 0[1-5]-* tests lessons -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
# The shell scripts, by their first line (and bench's two sourced parts).
SHELL_FILES = $(shell git ls-files 2>/dev/null | xargs grep -lE '^\#!.*(ba|/)sh' 2>/dev/null | grep -v '\.[chm][d]*$$') bench/images.sh bench/oci.sh
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)
	shellcheck -S warning $(SHELL_FILES)

# clean keeps build/vm, the kernel the VM lane downloaded; distclean removes it too.
clean:
	rm -rf build/asan build/untraced build/book* build/worksheets* build/web build/view-* build/screens build/diagrams build/gen images tests/check tests/probe/scprobe $(TEST_HELPERS) bench/timer bench/mountapi bench/cgplace bench/ocicycle $(PROGRAMS) $(CTR_PROGRAMS) $(EX_PROGRAMS)
	find . -name '*.[od]' -not -path './.git/*' -not -path './build/vm/*' -not -path './build/fresh/*' -not -path './build/images/*' -delete
distclean: clean
	rm -rf build

# make check-fresh [SUITE=bookworm|trixie] [MODE=pivot|chroot]: the README's
# two commands on a fresh Debian root made with debootstrap (scripts/fresh.sh).
check-fresh:
	@scripts/fresh.sh $(or $(SUITE),bookworm) $(or $(MODE),pivot)
.PHONY: check-fresh

# The lesson programs' objects are intermediate files of the pattern rules
# above: kept, not removed at the end (make's "rm ..." list would otherwise
# be the last thing make check prints).
.SECONDARY:

include tests/vm/vm.mk
include tests/fuzz/fuzz.mk

-include $(shell find . -path ./.git -prune -o -path ./build/fresh -prune -o -path ./build/images -prune -o -type f -name '*.d' -print 2>/dev/null)
