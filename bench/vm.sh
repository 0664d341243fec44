#!/bin/sh
# bench/vm.sh [CSV] - make bench's start-up tables in plain POSIX sh, for
# the cgroup v2 VM (make bench-vm: tests/vm/vm.sh bench), whose busybox
# userland has no bash to run bench/bench.sh. It runs anywhere as root,
# though: sudo sh bench/vm.sh.
#
# The same method and the same commands as bench/bench.sh's tables of the
# same names, so that the ratios compare with the host's: bench/timer,
# invoked as bench.sh invokes it, runs the commands interleaved and prints
# each table; the rows are appended to CSV (when given) as bench.sh appends
# them to build/bench.csv.
#
#   startup   nutshell -q run --memory 64M --pids-limit 100 -- /bin/true
#             (the default image and hardening) against the floor,
#             unshare --mount --uts --ipc --net --pid --cgroup --fork /bin/true
#   parallel  1, 4 and 16 of each started at once (timer -j)
#   phases    NUTSHELL_TIMINGS=1: the launcher's stamps, median per phase,
#             its own peak RSS, and alloc_veth (--userns --network veth in
#             a network namespace of its own)
#   cgroup placement  bench/cgplace: a write to cgroup.procs against
#             clone3(CLONE_INTO_CGROUP), in a cgroup beneath ours
#
# The limits and the floor are read from bench/bench.sh, so they cannot
# drift apart. Not here: bubblewrap and crun (not in the VM), the tracing
# table (its untraced build is not in the VM), layers, network, relay, the
# mount API, OCI and image tables.
#
# BENCH_RUNS (default 60, as bench.sh) sets the rounds of the startup table; the
# parallel rows and the phases use half as many, as in bench.sh (at least
# 5 parallel rounds). BENCH_COMMAND names the command in the header.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
nutshell=$top/05-full-container/nutshell
timer=$top/bench/timer
csv=${1:-/dev/null}
runs=${BENCH_RUNS:-60}
case $runs in '' | 0 | *[!0-9]*)
	echo "bench: BENCH_RUNS=$runs: expected a number of rounds" >&2
	exit 2
	;;
esac
half=$(((runs + 1) / 2))
par=$((half / 2 > 5 ? half / 2 : 5))

die() {
	echo "bench: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (containers)"
if [ ! -x "$nutshell" ] || [ ! -x "$timer" ] || [ ! -d "$top/images/busybox" ]; then
	die "needs 05-full-container/nutshell, bench/timer and images/busybox: make all image bench/timer bench/cgplace"
fi

# bench.sh's own words: limits=(...) and floor=(...), one line each.
limits=$(sed -n 's/^limits=(\(.*\))$/\1/p' "$top/bench/bench.sh")
floor=$(sed -n 's/^floor=(\(.*\))$/\1/p' "$top/bench/bench.sh")
if [ -z "$limits" ] || [ -z "$floor" ]; then
	die "cannot read limits=(...) and floor=(...) from bench/bench.sh"
fi
# The floor's unshare is the one timer's execvp finds first in PATH; it
# must be util-linux's (busybox's has neither --cgroup nor --fork).
un=
IFS=:
for d in $PATH; do
	if [ -x "$d/unshare" ]; then
		un=$d/unshare
		break
	fi
done
unset IFS
if [ -z "$un" ] || ! "$un" --help 2>&1 | grep -q -- --cgroup; then
	die "the unshare in PATH (${un:-none}) has no --cgroup: util-linux's is needed for the floor"
fi

failed=0
# table ARGS...: one bench/timer run, as bench.sh's table(); a failed run
# is in its row, and the script exits 1 after every table.
table() {
	"$timer" -c "$csv" "$@" || failed=1
}

echo "nutshell bench (bench/vm.sh), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
v2=
! grep -q ' cgroup2 ' /proc/mounts || v2='+ cgroup2'
echo "         kernel $(uname -r), $(grep -c '^cgroup ' /proc/mounts) cgroup v1 hierarchies" \
	"$v2, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: ${BENCH_COMMAND:-sh bench/vm.sh} (BENCH_RUNS=$runs: startup $runs rounds," \
	"parallel $par rounds each, phases $half starts)"
echo

# --- startup: the floor and nutshell, interleaved ---
# shellcheck disable=SC2086 # $floor and $limits are words, split on purpose
table -n "$runs" -g startup :: floor $floor :: nutshell "$nutshell" -q run $limits -- /bin/true
echo

# --- parallel: 1, 4, 16 at once ---
for j in 1 4 16; do
	# shellcheck disable=SC2086
	table -n "$par" -w 1 -j "$j" -g "parallel -j $j" \
		:: "floor x$j" $floor :: "nutshell x$j" "$nutshell" -q run $limits -- /bin/true
done
echo

# --- phases: where the time of one start goes ---
echo "phases (NUTSHELL_TIMINGS=1, median of $half starts; stamps the launcher records)"
{
	for _ in $(seq "$half"); do
		# shellcheck disable=SC2086
		NUTSHELL_TIMINGS=1 "$nutshell" -q run $limits -- /bin/true 2>&1 >/dev/null | grep 'timing:' || true
	done
	# bench.sh's alloc_veth: the allocation for --userns --network veth,
	# in a network namespace of its own.
	for _ in $(seq "$half"); do
		# shellcheck disable=SC2086
		NUTSHELL_TIMINGS=1 "$un" --net "$nutshell" -q run $limits --userns --network veth \
			-- /bin/true 2>&1 >/dev/null | sed -n 's/timing: alloc /timing: alloc_veth /p' || true
	done
} | awk '{ print $3, $4 }' | sort -k1,1 -k2,2g | awk -v csv="$csv" -f "$top/bench/phases.awk"
echo "  (before main: the rest of the startup median - loading and linking the program)"
echo
# --- cgroup placement: bench.sh's table, in this machine's v2 tree ---
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -e /sys/fs/cgroup/cgroup.controllers ] && [ -n "$own" ]; then
	place=/sys/fs/cgroup${own%/}/nutshell-bench-cgplace-$$
	mkdir "$place"
	echo "cgroup placement (bench/cgplace: a child put into a cgroup v2 each way, fork to wait)"
	"$top/bench/cgplace" "$runs" "$place" || failed=1
	rmdir "$place"
fi
exit "$failed"
