#!/bin/sh
# Builds DIR (build/images/trixie): a Debian 13 "trixie" minbase root made by
# debootstrap from the Debian archive, the modern distribution the tests run
# with `nutshell run --rootfs` (issue 25). Its glibc (2.41) implements
# fchmodat(AT_SYMLINK_NOFOLLOW) with fchmodat2(2) and falls back only on
# ENOSYS, so a seccomp profile that answers EPERM to fchmodat2 breaks its
# tar and chmod -h: the test that proves the profile is current.
#
# Idempotent: a finished root has DIR/.stamp and is kept; a build goes to
# DIR.tmp and is renamed at the end, so an interrupted one never looks done.
# Several minutes on a small machine: build once, reuse.
set -eu

dir=${1:?usage: mkimage-trixie.sh DIR}
# The mirror this machine's apt uses (deb.debian.org), unless told otherwise.
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -f "$dir/.stamp" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "mkimage-trixie: debootstrap needs root; run 'sudo make image-trixie'" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "mkimage-trixie: debootstrap not found; run 'sudo make deps'" >&2
	exit 1
fi
tmp="$dir.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")"
# --variant=minbase: essential packages and apt, nothing else (~80 MB).
if ! debootstrap --variant=minbase trixie "$tmp" "$mirror" >"$tmp.log" 2>&1; then
	echo "mkimage-trixie: debootstrap trixie from $mirror failed; last lines of $tmp.log:" >&2
	tail -n 5 "$tmp.log" >&2
	rm -rf "$tmp"
	exit 1
fi
rm -f "$tmp.log"
# debootstrap leaves the host's resolver and apt caches; the image needs neither.
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*_Packages
date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "mkimage-trixie: $dir ($(du -sm "$dir" | cut -f1) MB)"
