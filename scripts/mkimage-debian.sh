#!/bin/sh
# mkimage-debian.sh ROOT OUT - the Debian root ROOT (make image-bookworm's
# build/images/bookworm, or image-trixie's) packed as an OCI image layout
# OUT of one layer, named debian:VERSION by the root's own os-release
# (debian:12, debian:13), whose config runs bash with Debian's PATH: a real
# distribution for `nutshell run --image` (issue 17). Used by `make
# image-debian` and by the store suite (tests/integration/test_store.c).
#
# The layer is a plain tar of ROOT with numeric owners (an image's files
# belong to ids, not to this host's names) and its xattrs (file
# capabilities); the device nodes debootstrap made in ROOT/dev go in too,
# and `nutshell image import` keeps them out (it mounts its own /dev).
# Idempotent through OUT.tmp, renamed at the end.
set -eu
root=${1:?usage: mkimage-debian.sh ROOT OUT}
out=${2:?usage: mkimage-debian.sh ROOT OUT}
[ -f "$root/.stamp" ] || { echo "mkimage-debian: $root: no Debian root (run 'sudo make image-bookworm')" >&2; exit 1; }
version=$(sed -n 's/^VERSION_ID="\{0,1\}\([0-9]*\)"\{0,1\}$/\1/p' "$root/etc/os-release")
[ -n "$version" ] || { echo "mkimage-debian: $root/etc/os-release: no VERSION_ID; expected a Debian release" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
tmp="$out.tmp"
rm -rf "$tmp" "$tmp.layer.tar"
trap 'rm -rf "$tmp" "$tmp.layer.tar"' EXIT
tar -C "$root" --numeric-owner --xattrs --xattrs-include='security.capability' \
	--exclude=./.stamp -cf "$tmp.layer.tar" .
CONFIG_JSON='{"Cmd":["bash"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]}' \
	"$here/mkoci.sh" "$tmp" "debian:$version" "$tmp.layer.tar"
rm -rf "$out"
mv "$tmp" "$out"
echo "mkimage-debian: $out ($(du -sm "$out" | cut -f1) MB)"
