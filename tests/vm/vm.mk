# tests/vm/vm.mk — the cgroup v2 virtual-machine lane (included by the top Makefile).
#
#   make check-vm   the integration suite in a VM: Debian's stock kernel, cgroup v2 only
#   make vm         the same VM, interactive: a root shell in the toolkit
#
# tests/vm/vm.sh does the work (download once into build/vm/, initramfs, qemu); see
# tests/vm/README.md. Knobs: NUTSHELL_VM_TIMEOUT (s, default 600), NUTSHELL_VM_MEMORY
# (MiB, default 1024), NUTSHELL_VM_INJECT=fail|panic|hang (show that failures are caught).

.PHONY: check-vm vm

check-vm: $(CHECK_DEPS)
	tests/vm/vm.sh check

vm: $(CHECK_DEPS)
	tests/vm/vm.sh shell
