#!/bin/sh
# Installs the Debian packages nutshell needs (DESIGN.md, "Dependencies"),
# only those missing, so a second run costs a dpkg query and nothing more.
set -eu

# build tools, then one package per reason:
#   libcap-dev      capabilities (lesson 03, the launcher)
#   libseccomp-dev  seccomp filters (lesson 03, the launcher)
#   check           the test framework
#   libjansson-dev  JSON Lines traces
#   libnl-3-dev     netlink (libnl core, with libnl-3.a for the static launcher):
#                   veth pairs and addresses (lesson 01 net, the launcher)
#   libarchive-dev  image layers (04-overlay-chroot/unpack): tar, pax, GNU; gzip, zstd, xz
#   nettle-dev      sha256 of image blobs and layers (libarchive links nettle already)
#   busybox-static  the default container image
#   pandoc          the book
#   graphviz        the book's diagrams (book/diagrams/*.dot to SVG)
#   strace          the trace-honesty tests
#   qemu-system-x86, cpio, xz-utils  the cgroup v2 test lane in a VM
#   clang-format    make format-check
#   clang, libclang-rt-14-dev  make fuzz: libFuzzer and the sanitizers (the runtime is
#                   only a Recommends of clang, which --no-install-recommends skips)
PACKAGES="build-essential pkg-config libcap-dev libseccomp-dev check libjansson-dev libnl-3-dev
libarchive-dev nettle-dev busybox-static pandoc graphviz strace qemu-system-x86 cpio xz-utils clang-format iproute2
clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
	# "install ok installed" is dpkg's word for a package that is fully there.
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing; run 'sudo make deps' to install them" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -q --no-install-recommends $missing
