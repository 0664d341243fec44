#!/bin/sh
# Installs the Debian packages nutshell needs (DESIGN.md, "Dependencies"),
# only those missing, so a second run costs a dpkg query and nothing more.
# Every name is the release-independent one (libclang-rt-dev, not
# libclang-rt-14-dev: the compiler's version differs between Debian 12 and
# 13), so one list serves every release the README names. When the archive
# lacks one, this says which, and why nutshell needs it, in one line.
set -eu

# One package per line: the name, then what needs it.
PACKAGES="build-essential  the C compiler and make
pkg-config       finds the libraries' flags
libcap-dev       capabilities (lesson 03, the launcher)
libseccomp-dev   seccomp filters (lesson 03, the launcher)
check            the test framework (make check)
libjansson-dev   JSON Lines traces
libnl-3-dev      netlink, with libnl-3.a for the static launcher: veth pairs and addresses
libarchive-dev   image layers (04-overlay-chroot/unpack): tar, pax, GNU; gzip, zstd, xz
nettle-dev       sha256 of image blobs and layers (libarchive links nettle already)
busybox-static   the default container image
iproute2         ip(8), used by the network tests
procps           ps(1), which nutshell ps runs for its table, as runc ps does
pandoc           the book (make book)
python3          the book's link check (scripts/check-book.py --links), make walk-vm (book/walkthrough.py)
graphviz         the book's diagrams (book/diagrams/*.dot to SVG)
strace           the trace-honesty tests
qemu-system-x86  the cgroup v2 test lane in a VM (make check-vm)
cpio             the VM's initramfs
xz-utils         the VM's initramfs
clang-format     make format-check
shellcheck       make format-check: the shell scripts
clang            make fuzz: libFuzzer and the sanitizers
libclang-rt-dev  make fuzz: the sanitizer runtimes (only a Recommends of clang, which --no-install-recommends skips)
debootstrap      make check-fresh and make image-trixie: fresh Debian roots"

# scripts/deps.sh book (make book-deps): the browser make check-book looks at
# the web book with, kept apart because it is large (about 300 MB).
if [ "${1:-}" = book ]; then
	PACKAGES="chromium         headless Chromium, which make check-book drives
chromium-driver  its WebDriver
python3-selenium the Python side of WebDriver
fonts-dejavu-core the monospace font of the code
epubcheck        the EPUBs, checked"
fi

# scripts/deps.sh engines (make engine-deps): the container engines the OCI
# runtime mode is tested under (tests/integration/test_oci_podman.c,
# test_oci_containerd.c, test_oci_docker.c).
if [ "${1:-}" = engines ]; then
	PACKAGES="podman           drives nutshell as its OCI runtime (podman --runtime)
conmon           podman's container monitor, which calls the runtime
catatonit        podman's pod infra: podman builds its local pause image from it (a pod's shared namespaces)
umoci            unpacks OCI images: make bench's import row, the oci-spec suite's bundle
containerd       drives nutshell through its runc-v2 shim (ctr run --runc-binary)
docker.io        dockerd --add-runtime nutshell=PATH (its containerd and shim call nutshell)"
fi

# scripts/deps.sh arm64 (make deps-arm64): make check-arm64's cross compiler,
# the arm64 libraries through dpkg multiarch (they sit beside the host's, in
# /usr/lib/aarch64-linux-gnu) and qemu for the arm64 VM; kept apart because
# it adds a dpkg architecture and about 400 MB.
foreign=""
if [ "${1:-}" = arm64 ]; then
	foreign=arm64
	PACKAGES="gcc-aarch64-linux-gnu the cross compiler
libc6-dev:arm64      the C library, arm64
libcap-dev:arm64     capabilities, arm64
libseccomp-dev:arm64 seccomp filters, arm64
libjansson-dev:arm64 JSON Lines traces, arm64
libnl-3-dev:arm64    netlink, arm64
libarchive-dev:arm64 image layers, arm64
nettle-dev:arm64     sha256, arm64
check:arm64          the test framework, arm64
libasan8:arm64       AddressSanitizer's runtime for tests/check in the arm64 VM
libubsan1:arm64      UBSan's runtime for tests/check in the arm64 VM
qemu-user            runs the arm64 mkfilter at build time (the target's seccomp filters)
qemu-system-arm      the arm64 VM (qemu-system-aarch64, the virt machine)"
fi

names=$(printf '%s\n' "$PACKAGES" | cut -d' ' -f1)
missing=""
for p in $names; do
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
# The arm64 packages come from the same archive once dpkg knows the architecture.
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	dpkg --add-architecture "$foreign"
fi
apt-get update -q

# Before apt-get install: a name the archive does not know would stop it
# with "Unable to locate package" and install nothing. Name it, and why.
release=$(. /etc/os-release && echo "${PRETTY_NAME:-this release}")
for p in $missing; do
	candidate=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
		why=$(printf '%s\n' "$PACKAGES" | sed -n "s/^$p  *//p")
		echo "deps: the archive of $release has no package '$p' (apt sources: /etc/apt/sources.list*); nutshell needs it for: $why" >&2
		exit 1
	fi
done
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -q --no-install-recommends $missing
