#!/bin/sh
# Exercise 05-oci-docker: find in the trace the mounts docker asked for.
#
# docker does not make containers either: dockerd hands them to containerd,
# whose shim calls an OCI runtime with a bundle - the image's root and a
# config.json that lists, among much else, the mounts the container gets.
# With `dockerd --add-runtime nutshell=PATH` and `docker run --runtime
# nutshell` that runtime is nutshell, and NUTSHELL_JSON=FILE in dockerd's
# environment (passed on through containerd and the shim) makes every
# nutshell call append its JSON trace to FILE. This script gives dockerd a
# world of its own (data root, exec root, socket, config, all in a
# temporary directory; no bridge, no iptables; an image imported from a
# tarball of busybox, no registry), runs one container:
#
#	docker run --rm --runtime nutshell --network none IMAGE echo hello from docker
#
# and then prints, from nutshell's trace in "$trace", what docker asked for.
# The mounts are config.json's "mounts": nutshell writes one note for each
# before it makes them, with the paths in full (one line each):
#
#	{"ev":"note","t":33679,"text":"mounts /etc/hosts (bind): from
#	 /tmp/nutshell-docker.XXXXXX/data/containers/ID/hosts","pid":1}
#
# and then the system calls, "ev":"syscall","name":"mount", which cut paths
# at 64 characters, as strace does: docker's root is longer than that.
#
# TODO 1: in mount_targets, print the destination (DEST in "mounts DEST
#         (TYPE): ...") of every mount docker asked for, one per line, in
#         the trace's order.
# TODO 2: in file_binds, print the destinations of the bind mounts whose
#         source is a file docker made for this container in its data root
#         ($dir/data/containers/ID/...), one per line, in the same order.
#
# Run it from the toolkit's top directory, after 'make all image' and
# 'sudo make engine-deps': sudo lessons/exercises/05-oci-docker/skeleton.sh
# (the grader adds --json FILE; by hand the trace stays in $trace to read).

set -u
trace=/tmp/nutshell-docker-trace.json
if [ "${1:-}" = --json ]; then
	trace=$2
fi

# TODO 1: the destination of every mount docker asked for, from the trace "$1".
mount_targets() {
	grep '"ev":"note",.*"text":"mounts /' "$1" | sed 's/.*"text":"mounts \([^ ]*\) (.*/\1/'
}

# TODO 2: the destinations of the binds of files docker made for the container.
file_binds() {
	grep "\"ev\":\"note\",.*\"text\":\"mounts [^ ]* (bind): from $dir/data/containers/" "$1" |
		sed 's/.*"text":"mounts \([^ ]*\) (.*/\1/'
}

nutshell=$PWD/05-full-container/nutshell
if [ ! -x "$nutshell" ] || [ ! -d images/busybox ] || [ ! -x /usr/sbin/dockerd ]; then
	echo "run me from the toolkit's top directory, after 'make all image' and 'sudo make engine-deps'" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/nutshell-docker.XXXXXX)
# dockerd's containerd writes /run/containerd whatever it is told, and
# dockerd its key beside /etc/docker/daemon.json: removed if they are new.
had_run=0 had_etc=0 had_key=0
[ -e /run/containerd ] && had_run=1
[ -e /etc/docker ] && had_etc=1
[ -e /etc/docker/key.json ] && had_key=1
parent=/nutshell-ex-docker-$$
dockerd_pid=
docker_() {
	docker -H "unix://$dir/docker.sock" "$@"
}
cleanup() {
	if [ -n "$dockerd_pid" ]; then
		ids=$(docker_ ps -aq 2>/dev/null)
		# shellcheck disable=SC2086 # one id a word
		[ -z "$ids" ] || docker_ rm --force $ids >/dev/null 2>&1
		kill "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid"
	fi
	# What dockerd left running: its containerd and the shims, which
	# name the directory on their command line; by their pids.
	for pid in $(pgrep -f "containerd.*$dir/"); do
		kill -9 "$pid"
	done
	grep -o " $dir/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
	# The cgroups made for docker's container (its parent), deepest
	# first: nutshell's delete removes those it made, a run that failed
	# half-way may leave them.
	find /sys/fs/cgroup -maxdepth 2 -type d -name "${parent#/}" | while read -r d; do
		find "$d" -depth -type d -exec rmdir {} \;
	done
	[ "$had_run" = 1 ] || rm -rf /run/containerd
	[ "$had_key" = 1 ] || rm -f /etc/docker/key.json
	[ "$had_etc" = 1 ] || rmdir /etc/docker 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# dockerd of our own: everything it keeps is in $dir; no bridge, no
# iptables rules, no forwarding; nutshell as a runtime beside runc, and
# NUTSHELL_JSON in its environment, which containerd and the shim pass on
# to every nutshell call (each appends to the trace).
: >"$trace"
echo '{}' >"$dir/daemon.json"
NUTSHELL_JSON=$trace dockerd --config-file="$dir/daemon.json" --data-root="$dir/data" \
	--exec-root="$dir/exec" --pidfile="$dir/docker.pid" --host="unix://$dir/docker.sock" \
	--bridge=none --iptables=false --ip-forward=false --ip-masq=false \
	--storage-driver=vfs --add-runtime=nutshell="$nutshell" >"$dir/dockerd.log" 2>&1 &
dockerd_pid=$!
tries=0
until docker_ version >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" = 300 ] || ! kill -0 "$dockerd_pid" 2>/dev/null; then
		echo "dockerd did not start; the end of its log ($dir/dockerd.log):" >&2
		tail -n 5 "$dir/dockerd.log" >&2
		exit 1
	fi
	sleep 0.2
done
# The image: the default image's root as a tarball, imported (it has no
# command of its own: the run gives one).
tar -C images/busybox --exclude=./.stamp -cf "$dir/bb.tar" .
docker_ import "$dir/bb.tar" nutshell-ex >/dev/null || exit 1

docker_ run --rm --runtime nutshell --network none --cgroup-parent "$parent" \
	nutshell-ex echo hello from docker || exit 1

echo "mounts docker asked for:"
mount_targets "$trace"
echo "files docker made for the container:"
file_binds "$trace"
