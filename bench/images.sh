# shellcheck shell=bash disable=SC2154 # bench.sh, which sources this, sets the variables
# bench/images.sh - the image tables of make bench (issue 17), sourced by
# bench/bench.sh after its own tables: its variables (top, tmp, nutshell,
# limits, runs, half, csv, txt) and functions (table, show) are in scope,
# and what it makes is under $tmp, removed by bench.sh's exit trap.
#
#   image     a start from an imported 3-layer image (nutshell run --image:
#             the store's layers as the overlay's lower directories) against
#             the default image alone and with --layer three times
#   import    MB/s of layer tar: nutshell image import of one image against
#             umoci unpack (image to runtime bundle) and podman load (vfs
#             storage, a root of the benchmark's), each into a fresh store,
#             median of 3; the image is the Debian 12 root of make
#             image-bookworm (the `debian` of make image-debian, 130 MB) when
#             it is built, else make image-trixie's Debian 13, else the
#             default image

# --- image: run --image against --layer ---
export NUTSHELL_STORE=$tmp/store
img=$tmp/img
mkdir -p "$img"
for b in "$top"/images/busybox-oci/blobs/sha256/*; do
	gunzip -t "$b" 2>/dev/null && cp "$b" "$img/l1.tar.gz"
done
for i in 2 3 4; do
	mkdir -p "$img/l$i/etc/layer$i"
	echo "$i" >"$img/l$i/etc/layer$i/id"
	tar -C "$img/l$i" -cf "$img/l$i.tar" .
done
(cd "$img" && CONFIG_JSON='{"Cmd":["/bin/true"]}' "$top/scripts/mkoci.sh" three bench:3 \
	l1.tar.gz l2.tar l3.tar)
"$nutshell" -q image import "$img/three" >/dev/null
table -n "$half" -g image \
	:: "default image" "${run_ns[@]}" \
	:: "--layer x3" "$nutshell" -q run "${limits[@]}" --layer "$img/l2" --layer "$img/l3" \
	--layer "$img/l4" -- /bin/true \
	:: "--image (3 layers)" "$nutshell" -q run "${limits[@]}" --image bench:3 -- /bin/true
echo | show

# --- import: MB/s of layer tar, nutshell against umoci and podman ---
if [[ -f $top/build/images/bookworm/.stamp ]]; then
	what="Debian 12 (make image-bookworm)"
	tar -C "$top/build/images/bookworm" --numeric-owner --exclude=./.stamp -cf "$img/big.tar" .
elif [[ -f $top/build/images/trixie/.stamp ]]; then
	what="Debian 13 (make image-trixie)"
	tar -C "$top/build/images/trixie" --numeric-owner --exclude=./.stamp -cf "$img/big.tar" .
else
	what="the default image"
	gunzip -c "$img/l1.tar.gz" >"$img/big.tar"
fi
(cd "$img" && "$top/scripts/mkoci.sh" big bench "$img/big.tar" && tar -C big -cf big.oci.tar .)
mb=$(($(stat -c %s "$img/big.tar") / 1048576))
echo "import (one layer, $mb MB of tar: $what; median of 3, each into an empty store)" | show
pconf=$tmp/podman
mkdir -p "$pconf"
printf '[engine]\nevents_logger="file"\nevents_logfile_path="%s/events.log"\n' "$pconf" \
	>"$pconf/containers.conf"
had_var_lib=0
[[ -e /var/lib/containers ]] && had_var_lib=1
podman_cmd() {
	CONTAINERS_CONF=$pconf/containers.conf CONTAINERS_REGISTRIES_CONF=/dev/null \
		podman --root "$pconf/root" --runroot "$pconf/runroot" --tmpdir "$pconf/tmp" \
		--storage-driver vfs "$@"
}
# import_row LABEL RESET CMD...: RESET (a shell command) before each of 3
# timed runs of CMD; the median's seconds and MB/s.
import_row() {
	local label=$1 reset=$2 t0 t1 i times=()
	shift 2
	for i in 1 2 3; do
		eval "$reset"
		t0=$(date +%s%N)
		if ! "$@" >/dev/null 2>"$tmp/import.err"; then
			printf "  %-26s failed: %s\n" "$label" "$(head -n1 "$tmp/import.err")" | show
			# shellcheck disable=SC2034 # bench.sh reads it
			failed=1
			return
		fi
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000000)))
	done
	local med
	med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
	awk -v l="$label" -v ms="$med" -v mb="$mb" -v csv="$csv" 'BEGIN {
		printf "  %-26s %8.3f s %8.1f MB/s\n", l, ms / 1000, mb / (ms / 1000)
		printf "import,%s,3,3,%.3f,,,,,,,\n", l, ms >>csv }' | show
}
import_row "nutshell image import" "rm -rf $tmp/store" \
	"$nutshell" -q image import "$img/big"
if command -v umoci >/dev/null; then
	import_row "umoci unpack" "rm -rf $tmp/bundle" \
		umoci unpack --image "$img/big:bench" "$tmp/bundle"
else
	echo "  (umoci not installed: make engine-deps)" | show
fi
if command -v podman >/dev/null; then
	import_row "podman load (vfs)" "rm -rf $pconf/root $pconf/runroot" \
		podman_cmd load -i "$img/big.oci.tar"
	# podman's blob info cache goes there whatever --root says.
	((had_var_lib)) || rm -rf /var/lib/containers
else
	echo "  (podman not installed: make engine-deps)" | show
fi
rm -rf "$tmp/store" "$tmp/bundle" "$pconf" "$img"
unset NUTSHELL_STORE
echo | show
