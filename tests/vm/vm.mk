# tests/vm/vm.mk — the cgroup v2 virtual-machine lanes (included by the top Makefile).
#
#   make check-vm          the integration suite in a VM: Debian's stock kernel, cgroup v2 only
#   make vm                the same VM, interactive: a root shell in the toolkit
#   make check-arm64       the same lane on arm64: cross-built (scripts/cross.sh), Debian's
#                          arm64 kernel in qemu-system-aarch64 (make deps-arm64 first)
#   make vm ARCH=arm64     that VM, interactive
#   make transcripts-vm    the book's transcripts recorded in the VM: book/transcripts/v2/
#                          (what a cgroup v2 laptop prints; chapter 2 shows these)
#   make walk-vm           every command BOOK.md shows, run as printed in the VM and judged
#                          against book/walkthrough.tsv (book/walkthrough.py)
#   make bench-vm          make bench's start-up tables in the VM (bench/vm.sh: the floor
#                          against nutshell run, -j 1/4/16, the phases), into
#                          build/bench-vm.txt, .csv and -phases.svg; BENCH_RUNS rounds
#                          (60, as make bench: 3 to 4 minutes under TCG; ratios matter)
#
# tests/vm/vm.sh does the work (download once into build/vm/ or build/vm-arm64/,
# initramfs, qemu); see tests/vm/README.md. Knobs: NUTSHELL_VM_TIMEOUT (s, default 1200,
# 3600 on arm64), NUTSHELL_VM_MEMORY (MiB, default 1024), NUTSHELL_VM_INJECT=fail|panic|hang
# (show that failures are caught), NUTSHELL_VM_LEAKS=1|0 (LeakSanitizer; 0 on arm64).

.PHONY: check-vm vm vm-payload check-arm64 cross-arm64 transcripts-vm

# What the VM runs: the programs, the default image, the test runner, the exercises,
# and the static probe of the "profile" suite (a cross build has no host-built copy).
vm-payload: $(CHECK_DEPS)

check-vm: vm-payload
	tests/vm/vm.sh check

# The whole tree cross-built in build/arm64/tree, booted by the same tests/vm/vm.sh.
cross-arm64:
	@scripts/cross.sh arm64
check-arm64: cross-arm64
	NUTSHELL_VM_ARCH=arm64 tests/vm/vm.sh check

ifeq ($(ARCH),arm64)
vm: cross-arm64
	NUTSHELL_VM_ARCH=arm64 tests/vm/vm.sh shell
else
vm: vm-payload
	tests/vm/vm.sh shell
endif

transcripts-vm: vm-payload
	tests/vm/vm.sh transcripts

# A reader's walk through the book: every command BOOK.md shows, as printed, run in
# the VM and judged against book/walkthrough.tsv (book/walkthrough.py).
.PHONY: walk-vm
walk-vm: vm-payload
	python3 book/walkthrough.py script build/walk
	tests/vm/vm.sh walk

# make bench's start-up tables in the VM (bench/vm.sh, run by tests/vm/init): the
# ratio to the floor on a cgroup v2 only kernel. bench/timer is the host bench's.
.PHONY: bench-vm
bench-vm: vm-payload bench/timer bench/cgplace
	tests/vm/vm.sh bench
