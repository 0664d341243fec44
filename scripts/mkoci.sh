#!/bin/sh
# mkoci.sh OUT REF LAYER... - an OCI image layout (image-spec image-layout.md)
# in the new directory OUT, holding one image named REF (the annotation
# org.opencontainers.image.ref.name) whose layers, bottom first, are the tar
# files LAYER... (plain or gzip-compressed: the media type follows). The
# config gets rootfs.diff_ids (the sha256 of each uncompressed tar) and
# CONFIG_JSON from the environment as its "config" object (default: a shell).
#
# Used by `make image-oci` and the tests (tests/integration/test_unpack.c).
# Shell tools only: sha256sum, zcat; the tar files are made by the caller.
set -eu
[ $# -ge 3 ] || { echo "usage: mkoci.sh OUT REF LAYER..." >&2; exit 2; }
out=$1 ref=$2
shift 2
mkdir -p "$out/blobs/sha256"

# blob FILE: stores FILE under its digest, prints "sha256:HEX SIZE".
blob() {
	hex=$(sha256sum <"$1" | cut -d' ' -f1)
	cp "$1" "$out/blobs/sha256/$hex"
	chmod 644 "$out/blobs/sha256/$hex"
	echo "sha256:$hex $(wc -c <"$1")"
}

layers="" diffs="" sep=""
for l in "$@"; do
	if [ "$(head -c2 "$l" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		type=application/vnd.oci.image.layer.v1.tar+gzip
		diff=$(zcat "$l" | sha256sum | cut -d' ' -f1)
	else
		type=application/vnd.oci.image.layer.v1.tar
		diff=$(sha256sum <"$l" | cut -d' ' -f1)
	fi
	# shellcheck disable=SC2046 # blob prints two words: digest, size
	set -- $(blob "$l")
	layers="$layers$sep{\"mediaType\":\"$type\",\"digest\":\"$1\",\"size\":$2}"
	diffs="$diffs$sep\"sha256:$diff\""
	sep=,
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
	"${CONFIG_JSON:-{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"]\}}" "$diffs" >"$tmp"
# shellcheck disable=SC2046 # blob prints two words: digest, size
set -- $(blob "$tmp")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
	"$1" "$2" "$layers" >"$tmp"
# shellcheck disable=SC2046 # blob prints two words: digest, size
set -- $(blob "$tmp")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
	"$1" "$2" "$ref" >"$out/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
