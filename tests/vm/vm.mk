# tests/vm/vm.mk — the cgroup v2 virtual-machine lane (included by the top Makefile).
#
#   make check-vm   the integration suite in a VM: Debian's stock kernel, cgroup v2 only
#   make vm         the same VM, interactive: a root shell in the toolkit
#   make transcripts-vm  the book's transcripts recorded in the VM: book/transcripts/v2/
#                   (what a cgroup v2 laptop prints; chapter 2 shows these)
#
# tests/vm/vm.sh does the work (download once into build/vm/, initramfs, qemu); see
# tests/vm/README.md. Knobs: NUTSHELL_VM_TIMEOUT (s, default 600), NUTSHELL_VM_MEMORY
# (MiB, default 1024), NUTSHELL_VM_INJECT=fail|panic|hang (show that failures are caught).

.PHONY: check-vm vm transcripts-vm

check-vm: all image tests/check $(EX_PROGRAMS)
	tests/vm/vm.sh check

vm: all image tests/check $(EX_PROGRAMS)
	tests/vm/vm.sh shell

transcripts-vm: all image tests/check tests/probe/scprobe $(EX_PROGRAMS)
	tests/vm/vm.sh transcripts
