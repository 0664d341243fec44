#!/bin/sh
# Exercise 05-oci-refuse: a config.json that nutshell refuses, and why.
#
# An engine (podman, containerd, docker) hands an OCI runtime a bundle: a
# directory with config.json and the root filesystem. This script writes
# one by hand and asks nutshell to create a container from it, as an
# engine's shim would:
#
#	nutshell --root STATE create --bundle BUNDLE --pid-file FILE ID
#
# nutshell implements much of the OCI runtime spec, not all of it. What it
# does not implement it refuses, with one line naming the field, instead of
# ignoring it: an engine asked for something (a label, a scheduling class,
# a limit), and a container started without it would not be what was
# asked for.
#
# TODO 1: add to config.json below one field that nutshell does not
#         implement (read the refusals in 05-full-container/oci_spec.c;
#         the spec is github.com/opencontainers/runtime-spec, config.md
#         and config-linux.md). Keep the JSON valid: a syntax error is
#         refused too, but that is not the point.
# TODO 2: run this script, read the line nutshell printed, and set WHY to
#         the field it named, as it named it (the part before ": not").
#
# Run it from the toolkit's top directory: sudo lessons/exercises/05-oci-refuse/skeleton.sh
# (the grader adds --json FILE: nutshell's trace goes there).
WHY=""

set -u
trace=/dev/null
if [ "${1:-}" = --json ]; then
	trace=$2
fi
nutshell=$PWD/05-full-container/nutshell
if [ ! -x "$nutshell" ] || [ ! -d images/busybox ]; then
	echo "run me from the toolkit's top directory, after 'make all image'" >&2
	exit 1
fi
bundle=$(mktemp -d /tmp/nutshell-refuse.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
# The root filesystem: a copy of the default image (never the image itself).
cp -a images/busybox "$bundle/rootfs"
cat >"$bundle/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {
    "args": ["/bin/true"],
    "cwd": "/",
    "env": ["PATH=/bin"],
    "user": {"uid": 0, "gid": 0}
  },
  "root": {"path": "rootfs"},
  "hostname": "refuse",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}]
  }
}
JSON
"$nutshell" --json "$trace" --root "$bundle/state" create --bundle "$bundle" \
	--pid-file "$bundle/pid" ex-refuse </dev/null >"$bundle/out" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	echo "nutshell accepted config.json (a container ex-refuse was created; deleting it)"
	"$nutshell" --root "$bundle/state" delete --force ex-refuse
else
	echo "nutshell refused config.json (exit $rc): $(cat "$bundle/out")"
fi
echo "you say it named: ${WHY:-(nothing yet: TODO 2)}"
