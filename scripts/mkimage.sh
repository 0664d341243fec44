#!/bin/sh
# Builds the default container image DIR (images/busybox) from Debian's
# busybox-static: one statically linked binary, a link for each applet, the
# directories a container mounts over (/proc /sys /dev /tmp), and minimal
# /etc files. Static, so the image needs no libraries from the host.
set -eu

dir=${1:?usage: mkimage.sh DIR [INSPECT]}
# The launcher's probe (05-full-container/inspect, static), as /bin/inspect.
inspect=${2:-}
# BUSYBOX: another architecture's busybox (a cross build, scripts/cross.sh),
# run through EMU (qemu-aarch64) to list its applets.
busybox=${BUSYBOX:-/bin/busybox}
emu=${EMU:-}

if [ ! -x "$busybox" ]; then
	echo "mkimage: $busybox not found; run 'sudo make deps' (package busybox-static)" >&2
	exit 1
fi
# A dynamically linked busybox (package busybox) would not run in the image.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkimage: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

# Build beside the target and rename at the end: an interrupted build never
# leaves a half image that looks finished.
tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/usr/bin" "$tmp/usr/sbin" "$tmp/etc" "$tmp/root" \
	"$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/run" "$tmp/var"
chmod 1777 "$tmp/tmp"
chmod 700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"

# --list-full prints each applet with its usual directory (usr/bin/env ...).
$emu "$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	ln -sf /bin/busybox "$tmp/$applet"
done

if [ -n "$inspect" ]; then
	cp "$inspect" "$tmp/bin/inspect"
fi

cat >"$tmp/etc/passwd" <<'END'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
END
cat >"$tmp/etc/group" <<'END'
root:x:0:
nogroup:x:65534:
END
echo nutshell >"$tmp/etc/hostname"
echo "built from $($emu "$busybox" | head -n 1)" >"$tmp/etc/nutshell-image"
touch "$tmp/.stamp"

rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp" "$dir"
trap - EXIT
echo "image: $dir ($(ls "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" | wc -l) applets)"
