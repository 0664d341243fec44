#!/bin/sh
# Exercise 05-oci-podman: podman runs a container on nutshell.
#
# podman does not make containers itself: it writes a bundle and has
# conmon call an OCI runtime (runc, crun) with it - create, start, state,
# delete. Any program that speaks that command line can be the runtime.
# This script gives podman a world of its own (storage, run root,
# containers.conf, all in a temporary directory; an image imported from a
# tarball of busybox, no registry) and runs one container:
#
#	podman ... run --rm --network none IMAGE echo hello from podman
#
# TODO 1: make nutshell the runtime: podman's global option --runtime
#         takes the runtime's absolute path ($nutshell below).
# TODO 2: have nutshell write its JSON trace into "$trace": podman passes
#         annotations (--annotation KEY=VALUE) into config.json, and nutshell
#         reads org.nutshell.trace=FILE as its --json FILE.
#
# Run it from the toolkit's top directory, after 'make all image' and
# 'sudo make engine-deps': sudo lessons/exercises/05-oci-podman/skeleton.sh
# (the grader adds --json FILE).

set -u
# shellcheck disable=SC2034 # for TODO 2
trace=/tmp/nutshell-podman-trace.json
# shellcheck disable=SC2034 # the grader's FILE, for TODO 2
if [ "${1:-}" = --json ]; then
	trace=$2
fi
nutshell=$PWD/05-full-container/nutshell
if [ ! -x "$nutshell" ] || ! command -v podman >/dev/null; then
	echo "run me from the toolkit's top directory, after 'make all' and 'sudo make engine-deps'" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/nutshell-podman.XXXXXX)
had_run=0 had_lib=0
[ -e /run/nutshell ] && had_run=1
[ -e /var/lib/containers ] && had_lib=1
parent=/nutshell-ex-podman-$$
cleanup() {
	podman_ rm --all --force >/dev/null 2>&1
	# The cgroups podman made (its parent, conmon's), deepest first.
	find /sys/fs/cgroup -maxdepth 2 -type d -name "${parent#/}" | while read -r d; do
		find "$d" -depth -type d -exec rmdir {} \;
	done
	[ "$had_run" = 1 ] || rmdir /run/nutshell 2>/dev/null
	[ "$had_lib" = 1 ] || rm -rf /var/lib/containers
	rm -rf "$dir"
}
trap cleanup EXIT
# This host's root may not raise rlimits (podman's defaults are lowered),
# and nutshell writes its errors as JSON when podman asks (OCI.md).
cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits=["nofile=1024:20000","nproc=32768:32768"]
[engine]
runtime_supports_json=["nutshell"]
cgroup_manager="cgroupfs"
events_logger="file"
events_logfile_path="$dir/events.log"
static_dir="$dir/static"
volume_path="$dir/volumes"
tmp_dir="$dir/tmp"
CONF
printf '[storage]\ndriver="vfs"\nrunroot="%s/runroot"\ngraphroot="%s/root"\n' "$dir" "$dir" \
	>"$dir/storage.conf"
podman_() {
	CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf \
		CONTAINERS_REGISTRIES_CONF=/dev/null podman --root "$dir/root" \
		--runroot "$dir/runroot" --tmpdir "$dir/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs "$@"
}
# The image: the default image's root as a tarball, imported.
tar -C images/busybox --exclude=./.stamp -cf "$dir/bb.tar" .
podman_ import "$dir/bb.tar" localhost/nutshell-ex >/dev/null || exit 1

podman_ run --rm --network none --cgroup-parent "$parent" \
	localhost/nutshell-ex echo hello from podman
