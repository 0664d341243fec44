#!/bin/sh
# scripts/cross.sh ARCH — cross-build the whole toolkit for ARCH (arm64) in a
# copy of the tree, build/ARCH/tree, for the VM lane of that architecture
# (make check-arm64, make vm ARCH=arm64; tests/vm/vm.sh boots the copy).
#
# Why a copy: the Makefile builds each program next to its source (the path a
# worksheet shows is the path you type), so one tree holds one architecture's
# binaries. The copy gets the sources only (git ls-files), with their times
# kept, so a second run rebuilds only what changed.
#
# What differs from a native build, all from Debian's archive (make deps-arm64):
#   CC            aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu)
#   libraries     the arm64 -dev packages through dpkg multiarch, found by
#                 pkg-config through PKG_CONFIG_LIBDIR
#   EMU           qemu-aarch64 (qemu-user): the build runs two target programs,
#                 05-full-container/mkfilter, whose seccomp filters must be the
#                 target's (libseccomp resolves names for the architecture it
#                 was built for), and busybox --list-full for the image
#   BUSYBOX       the arm64 busybox (busybox-static:arm64, downloaded and
#                 unpacked, not installed: it would replace the host's)
set -eu

arch=${1:?usage: scripts/cross.sh arm64}
case $arch in
arm64) triplet=aarch64-linux-gnu emu=qemu-aarch64 ;;
*)
	echo "cross: ARCH=$arch: expected arm64" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/$arch
tree=$out/tree
say() { printf '==> %s\n' "$*" >&2; }
need() {
	command -v "$1" >/dev/null ||
		{ echo "cross: $1 not found; run 'sudo make deps-$arch' (package $2)" >&2 && exit 1; }
}
need "$triplet-gcc" "gcc-$triplet"
need "$emu" qemu-user
[ -e "/usr/lib/$triplet/libseccomp.a" ] ||
	{ echo "cross: /usr/lib/$triplet/libseccomp.a missing; run 'sudo make deps-$arch' (libseccomp-dev:$arch)" >&2 && exit 1; }

# Packages of the target used as files, not installed: unpacked once into
# build/ARCH/debs/NAME/ (a new version replaces the old after apt-get update).
unpack() { # unpack NAME: prints the directory
	dir=$out/debs/$1
	want=$(apt-cache policy "$1:$arch" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ ! -f "$dir/.version" ] || [ "$(cat "$dir/.version")" != "$want" ]; then
		say "downloading $1:$arch $want" >&2
		rm -rf "$dir" "$dir.dl"
		mkdir -p "$dir.dl"
		# As root apt drops to the _apt user for downloads, who may not write here.
		(cd "$dir.dl" && apt-get download -q -o APT::Sandbox::User=root "$1:$arch" >&2) ||
			{ echo "cross: could not download $1:$arch (dpkg --add-architecture $arch; apt-get update)" >&2 && exit 1; }
		dpkg-deb -x "$dir.dl"/*.deb "$dir"
		rm -rf "$dir.dl"
		echo "$want" >"$dir/.version"
	fi
	echo "$dir"
}
busybox=$(unpack busybox-static)/bin/busybox
unpack strace >/dev/null

say "copying the sources to build/$arch/tree"
mkdir -p "$tree"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --no-recursion --ignore-failed-read 2>/dev/null) |
	tar -C "$tree" -xf -

say "cross-building for $arch ($triplet-gcc)"
# -j2: this machine's cores; make's own -j from the caller is passed on too.
PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig \
	make -C "$tree" --no-print-directory -j2 CC="$triplet-gcc" EMU="$emu" BUSYBOX="$busybox" vm-payload
