#!/bin/sh
# mkimage-debootstrap.sh SUITE DIR - a Debian minbase root of release SUITE
# made by debootstrap from the Debian archive:
#   make image-trixie:   build/images/trixie, Debian 13, the modern
#     distribution the tests run with `nutshell run --rootfs` (issue 25). Its
#     glibc (2.41) implements fchmodat(AT_SYMLINK_NOFOLLOW) with fchmodat2(2)
#     and falls back only on ENOSYS, so a seccomp profile that answers EPERM
#     to fchmodat2 breaks its tar and chmod -h: the test that proves the
#     profile is current.
#   make image-bookworm: build/images/bookworm, Debian 12, the release of
#     the workshop's machines: what `make image-debian` packs as the image
#     `debian` (issue 17).
#
# Idempotent: a finished root has DIR/.stamp and is kept; a build goes to
# DIR.tmp and is renamed at the end, so an interrupted one never looks done.
# The packages are kept in build/fresh/debs, the cache `make check-fresh`
# (scripts/fresh.sh) fills too: a second root of a release downloads
# nothing. Minutes on a small machine: build once, reuse.
set -eu

suite=${1:?usage: mkimage-debootstrap.sh SUITE DIR}
dir=${2:?usage: mkimage-debootstrap.sh SUITE DIR}
# The mirror this machine's apt uses (deb.debian.org), unless told otherwise.
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=$(cd "$(dirname "$0")/.." && pwd)/build/fresh/debs

case $suite in bookworm | trixie) ;; *)
	echo "mkimage-debootstrap: SUITE '$suite': expected bookworm (Debian 12) or trixie (Debian 13)" >&2
	exit 2
	;;
esac
if [ -f "$dir/.stamp" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "mkimage-debootstrap: debootstrap needs root; run 'sudo make image-$suite'" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "mkimage-debootstrap: debootstrap not found; run 'sudo make deps'" >&2
	exit 1
fi
tmp="$dir.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")" "$cache"
# --variant=minbase: essential packages and apt, nothing else (~80 MB).
if ! debootstrap --variant=minbase --cache-dir="$cache" "$suite" "$tmp" "$mirror" \
	>"$tmp.log" 2>&1; then
	echo "mkimage-debootstrap: debootstrap $suite from $mirror failed; last lines of $tmp.log:" >&2
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
echo "mkimage-debootstrap: $dir ($(du -sm "$dir" | cut -f1) MB)"
