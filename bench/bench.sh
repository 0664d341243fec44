#!/bin/bash
# bench/bench.sh - what a container start costs, and where the time goes
# (make bench; a benchmark, not a test: it prints and records, it does not
# pass or fail on numbers).
#
# Method. bench/timer runs commands interleaved round by round (the order
# rotated each round), times each from fork(2) to wait4(2) on
# CLOCK_MONOTONIC, and reports the median, the 25th..75th percentile and
# min..max, the ratio of each median to the first command's (the floor),
# and the median peak RSS from wait4 (the process and the children it
# reaped). Tables go to stdout and build/bench.txt, rows to build/bench.csv.
#
#   startup   nutshell run -- /bin/true (default image, default hardening,
#             --memory 64M --pids-limit 100) against the floor
#             unshare --mount --uts --ipc --net --pid --cgroup --fork /bin/true,
#             bubblewrap and crun when installed (make bench-deps)
#   tracing   -q, the default human trace and --json FILE, against the
#             launcher built with TRACE() compiled out (build/untraced)
#   layers    1, 8 and 32 image layers (--layer)
#   parallel  1, 4 and 16 containers started at once (timer -j), floor too
#   network   --network none against veth, inside a network namespace made
#             for the benchmark, so the host end never reaches the host's
#             (veth includes choosing a free subnet: issue 23, item 9)
#   relay     fds 0-2 pipes (handed over) against /dev/null and a file
#             (relayed through nutshell's pipes: issue 23, item 3)
#   mount API bench/mountapi: an overlay and a read-only path made with
#             mount(2) and with the new mount API, call times (issue 21)
#   cgroup placement  bench/cgplace: a child put into a cgroup v2 by a
#             write to cgroup.procs (its own, its parent's) and born there
#             by clone3(CLONE_INTO_CGROUP) (issue 21)
#   phases    NUTSHELL_TIMINGS=1: the launcher's own stamps, median per
#             phase, and its own peak RSS (getrusage, the launcher alone);
#             devices is the device allow-list, alloc_veth the allocation
#             of ids and a subnet for --userns --network veth (issue 23);
#             drawn as build/bench-phases.svg by bench/chart.sh
#   OCI path, engine  bench/oci.sh: nutshell's create+start+delete of one
#             bundle against runc's and crun's, and ctr run --rm through a
#             containerd of the benchmark's with each as the runtime
#   image, import  bench/images.sh: run --image against --layer, and
#             image import's MB/s against umoci unpack and podman load
#
# BENCH_BEFORE="DIR..." adds to the startup table the nutshell of each DIR,
# another tree built with `make all image` (say a commit before a change,
# from git archive), in the same interleaved rounds: is a change's start
# time and peak RSS within noise of before? (Issue 17 asked it of the
# image store.) Each row is labelled with its directory's name.
#
# BENCH_RUNS (default 60) sets the rounds of the startup table; the others
# use a half or less. Everything made here (a directory under /tmp, crun's
# cgroups) is removed on exit, Ctrl-C included.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
nutshell=$top/05-full-container/nutshell
timer=$top/bench/timer
image=$top/images/busybox
runs=${BENCH_RUNS:-60}
half=$(((runs + 1) / 2))
out=$top/build
csv=$out/bench.csv
txt=$out/bench.txt

[[ $(id -u) == 0 ]] || { echo "bench: needs root (containers); run: sudo make bench" >&2; exit 1; }
[[ -x $nutshell && -x $timer && -d $image && -x $top/build/untraced/nutshell ]] ||
	{ echo "bench: run 'make bench' (it builds what this needs)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/nutshell-bench.XXXXXX)
made_cgroups=()
cleanup() {
	# bench/oci.sh's containerd and its mounts, before the directory goes.
	declare -F oci_cleanup >/dev/null && oci_cleanup
	rm -rf "$tmp"
	# crun makes the cgroup path it is given in every v1 hierarchy, and
	# removes only the last directory of it: the rest go here, deepest first.
	local d
	for ((i = ${#made_cgroups[@]} - 1; i >= 0; i--)); do
		d=${made_cgroups[i]}
		[[ -d $d ]] && rmdir "$d" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
: >"$csv"
: >"$txt"
limits=(--memory 64M --pids-limit 100)
run_ns=("$nutshell" -q run "${limits[@]}" -- /bin/true)
floor=(unshare --mount --uts --ipc --net --pid --cgroup --fork /bin/true)

show() { tee -a "$txt"; }
failed=0
wrap=(env) # the network table runs under unshare --net instead
# A failed run is reported in its row and makes the benchmark exit 1 at the
# end, after every table.
table() {
	local rc=0
	"${wrap[@]}" "$timer" -c "$csv" "$@" | show || rc=$?
	((rc == 0)) || failed=1
}

{
	echo "nutshell bench, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
	echo "         kernel $(uname -r), $(grep -c '^cgroup ' /proc/mounts) cgroup v1 hierarchies" \
		"$(grep -q ' cgroup2 ' /proc/mounts && echo '+ cgroup2' || true), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "command: make bench (BENCH_RUNS=$runs)"
	echo
} | show

# bench_cgroup NAME: an absolute cgroup path beneath our own (the memory
# hierarchy's, on this hybrid host; "/" in the other v1 hierarchies, or on
# v2), and each directory of it a runtime would make in every hierarchy
# noted in made_cgroups (crun and runc remove only the last).
bench_cgroup() {
	local own d h p parts
	own=$(awk -F: '$2 == "memory" || ($1 == "0" && !m) { p = $3; if ($2 == "memory") m = 1 } END { print p }' /proc/self/cgroup)
	cgpath=${own%/}/$1
	for h in /sys/fs/cgroup/*/; do
		d=${h%/}
		IFS=/ read -ra parts <<<"${cgpath#/}"
		for p in "${parts[@]}"; do
			d=$d/$p
			[[ -e $d ]] || made_cgroups+=("$d")
		done
	done
}
# bench_config ROOT CGPATH: the config.json of crun's row and of the OCI
# path table (bench/oci.sh): the default hardening, 64M, 100 pids.
bench_config() {
	cat <<-EOF
	{
	  "ociVersion": "1.0.2",
	  "process": {
	    "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"], "cwd": "/",
	    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
	    "capabilities": {
	      "bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"],
	      "effective": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"],
	      "permitted": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
	    },
	    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
	    "noNewPrivileges": true
	  },
	  "root": {"path": "$1", "readonly": true},
	  "hostname": "bench",
	  "mounts": [
	    {"destination": "/proc", "type": "proc", "source": "proc"},
	    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
	    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  "linux": {
	    "cgroupsPath": "$2",
	    "resources": {"memory": {"limit": 67108864}, "pids": {"limit": 100}},
	    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
	    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
	    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}
	EOF
}

# --- startup: the floor, nutshell, bubblewrap, crun, interleaved ---
cmds=(:: floor "${floor[@]}" :: nutshell "${run_ns[@]}")
for before in ${BENCH_BEFORE:-}; do
	[[ -x $before/05-full-container/nutshell && -d $before/images/busybox ]] || {
		echo "bench: BENCH_BEFORE: '$before': expected a tree built with 'make all image'" >&2
		exit 1
	}
	cmds+=(:: "nutshell @ $(basename "$before")" "$before/05-full-container/nutshell" -q run
		"${limits[@]}" -- /bin/true)
done
if command -v bwrap >/dev/null; then
	cmds+=(:: bubblewrap bwrap --unshare-all --die-with-parent --ro-bind "$image" /
		--proc /proc --dev /dev /bin/true)
fi
if command -v crun >/dev/null; then
	bench_cgroup "nutshell-bench-crun-$$"
	mkdir -p "$tmp/crun"
	bench_config "$image" "$cgpath" >"$tmp/crun/config.json"
	unified=()
	grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts && unified=(--unmount=/sys/fs/cgroup/unified)
	cmds+=(:: crun "${unified[@]}" crun --cgroup-manager=cgroupfs --root "$tmp/crun-state"
		run --bundle "$tmp/crun" "bench-$$")
fi
table -n "$runs" -g startup "${cmds[@]}"
command -v bwrap >/dev/null || echo "  (bubblewrap not installed: make bench-deps)" | show
command -v crun >/dev/null || echo "  (crun not installed: make bench-deps)" | show
echo | show

# --- tracing: what the trace costs ---
untraced=$top/build/untraced/nutshell
table -n "$runs" -g tracing \
	:: "untraced build" "$untraced" -q run --rootfs "$image" "${limits[@]}" -- /bin/true \
	:: quiet "$nutshell" -q run --rootfs "$image" "${limits[@]}" -- /bin/true \
	:: "default (stderr)" "$nutshell" run "${limits[@]}" -- /bin/true \
	:: "--json FILE" "$nutshell" -q --json "$tmp/trace.json" run "${limits[@]}" -- /bin/true
echo | show

# --- layers: 1, 8, 32 (the image and 0, 7, 31 layers over it) ---
layers8=() layers32=()
for i in $(seq 1 31); do
	mkdir -p "$tmp/layer$i/etc/layer$i"
	echo "$i" >"$tmp/layer$i/etc/layer$i/id"
	((i <= 7)) && layers8+=(--layer "$tmp/layer$i")
	layers32+=(--layer "$tmp/layer$i")
done
table -n "$half" -g layers \
	:: "1 layer" "${run_ns[@]}" \
	:: "8 layers" "$nutshell" -q run "${limits[@]}" "${layers8[@]}" -- /bin/true \
	:: "32 layers" "$nutshell" -q run "${limits[@]}" "${layers32[@]}" -- /bin/true
awk -F, '$1 == "layers" { m[$2] = $5 } END {
	printf "  per extra layer: %.3f ms (from 1 to 32)\n", (m["32 layers"] - m["1 layer"]) / 31 }' "$csv" | show
echo | show

# --- parallel: 1, 4, 16 at once ---
for j in 1 4 16; do
	table -n $((half / 2 > 5 ? half / 2 : 5)) -w 1 -j "$j" -g "parallel -j $j" \
		:: "floor x$j" "${floor[@]}" :: "nutshell x$j" "${run_ns[@]}"
done
echo | show

# --- network: none and veth, in a network namespace of the benchmark's ---
# The whole table in a new network namespace, which takes every veth made
# in it along when it ends.
wrap=(unshare --net)
table -n "$half" -g network \
	:: "--network none" "${run_ns[@]}" \
	:: "--network veth" "$nutshell" -q run "${limits[@]}" --network veth -- /bin/true
wrap=(env)
echo | show

# --- relay: fds 0-2 that are host files, relayed through pipes (issue 23) ---
# timer gives a command /dev/null and a memory file (both relayed: nutshell
# makes three pipes and splices), or with --pipes three pipes (passed as
# they are, as from a shell pipeline).
table -n "$half" -g relay \
	:: "fds 0-2 pipes" --pipes "${run_ns[@]}" \
	:: "fds 0-2 relayed" "${run_ns[@]}"
awk -F, '$1 == "relay" { m[$2] = $5 } END {
	printf "  the relay: %+.3f ms a start\n", m["fds 0-2 relayed"] - m["fds 0-2 pipes"] }' "$csv" | show
echo | show

# --- mount API: the launcher's mounts with mount(2) and with the new API ---
# At least 6 roots: each of the three read-only-path ways needs two.
roots=$((runs < 6 ? 6 : runs))
echo "mount API (bench/mountapi: $roots roots in a namespace of its own, median per way)" | show
mkdir "$tmp/mountapi"
"$top/bench/mountapi" "$roots" "$image" "$tmp/mountapi" | show || failed=1
echo | show

# --- cgroup placement: a write to cgroup.procs against CLONE_INTO_CGROUP ---
# In a cgroup v2 directory beneath ours (on a hybrid host, in the cgroup2
# tree at unified, which needs no controller for this).
v2=/sys/fs/cgroup
[[ -e $v2/cgroup.controllers ]] || v2=/sys/fs/cgroup/unified
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [[ -e $v2/cgroup.controllers && -n $own ]]; then
	place=$v2${own%/}/nutshell-bench-cgplace-$$
	mkdir "$place"
	made_cgroups+=("$place")
	echo "cgroup placement (bench/cgplace: a child put into a cgroup v2 each way, fork to wait)" | show
	"$top/bench/cgplace" "$runs" "$place" | show || failed=1
	rmdir "$place"
else
	echo "cgroup placement: no cgroup v2 tree here" | show
fi
echo | show

# --- phases: where the time of one start goes ---
echo "phases (NUTSHELL_TIMINGS=1, median of $half starts; stamps the launcher records)" | show
{
	for _ in $(seq "$half"); do
		NUTSHELL_TIMINGS=1 "$nutshell" -q run "${limits[@]}" -- /bin/true 2>&1 >/dev/null | grep 'timing:' || true
	done
	# The allocation (phase alloc) has work only with --userns or --network
	# veth: the same starts with both, in a network namespace of their own
	# as in the network table, give that phase alone as alloc_veth.
	for _ in $(seq "$half"); do
		NUTSHELL_TIMINGS=1 unshare --net "$nutshell" -q run "${limits[@]}" --userns --network veth \
			-- /bin/true 2>&1 >/dev/null | sed -n 's/timing: alloc /timing: alloc_veth /p' || true
	done
} | awk '{ print $3, $4 }' | sort -k1,1 -k2,2g | awk -v csv="$csv" -f "$top/bench/phases.awk" | show
echo "  (before main: the rest of the startup median - loading and linking the program)" | show
echo | show
# The same phases as a bar chart, next to the table (bench/chart.sh).
"$top/bench/chart.sh" "$csv" "$out/bench-phases.svg"
. "$top/bench/oci.sh"
. "$top/bench/images.sh"
echo "written: $txt $csv $out/bench-phases.svg" | show
exit "$failed"
