# shellcheck shell=bash disable=SC2154 # bench.sh, which sources this, sets the variables
# bench/oci.sh - the OCI runtime tables of make bench (issue 16), sourced by
# bench/bench.sh: its variables (top, tmp, nutshell, timer, image, runs,
# half, csv, made_cgroups) and functions (table, show) are in scope, and
# what it makes is under $tmp; oci_cleanup (called by bench.sh's exit trap,
# Ctrl-C included) stops what it started.
#
#   OCI path  one bundle (config.json as the startup table's crun row has
#             it, bench_config: the default hardening, 64M, 100 pids; its rootfs a copy
#             of the default image, never the image) taken through create,
#             start, wait, delete (bench/ocicycle, the steps an engine's
#             shim takes) by nutshell, runc and crun, each with a --root of
#             the benchmark's, interleaved; the ratio is to nutshell's
#   engine    `ctr run --rm` of the default image's OCI layout (make
#             image-oci) on a containerd of the benchmark's own (root,
#             state and sockets under $tmp, the CRI plugin off: no bridge,
#             no CNI, no iptables; stopped by its pid) with the runc-v2
#             shim's --runc-binary nutshell, runc and crun, interleaved
#
# crun 1.8.1 refuses a hybrid cgroup host whose cgroup2 mount lists
# controllers (OCI.md, "Snags"): the OCI path table runs it as the startup
# table does, in a mount namespace without /sys/fs/cgroup/unified
# (bench/timer --unmount=); under an engine the shim calls it on the host's
# mounts, so where it refuses, its row says so instead of a number.

oci_containerd=
had_run_containerd=0 had_run_nutshell=0
[[ -e /run/containerd ]] && had_run_containerd=1
[[ -e /run/nutshell ]] && had_run_nutshell=1
oci_cleanup() {
	local p
	if [[ -n $oci_containerd ]]; then
		kill -TERM "$oci_containerd" 2>/dev/null || true
		wait "$oci_containerd" 2>/dev/null || true
		# The shims it started: by our directory on their command line.
		for p in $(pgrep -f "containerd-shim.*$tmp/containerd" || true); do
			kill -KILL "$p" 2>/dev/null || true
		done
		# Snapshot mounts under our directory, deepest first.
		grep -o " $tmp/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
		oci_containerd=
	fi
	((had_run_containerd)) || rm -rf /run/containerd
	((had_run_nutshell)) || rmdir /run/nutshell 2>/dev/null || true
}

# --- OCI path: create + start + delete of one bundle, three runtimes ---
bundle=$tmp/oci-bundle
mkdir -p "$bundle"
cp -a "$image" "$bundle/rootfs"
# The cgroup path: beneath our own, made by each runtime in every
# hierarchy; what runc and crun leave of it is removed at the exit.
bench_cgroup "nutshell-bench-oci-$$"
bench_config rootfs "$cgpath" >"$bundle/config.json"
cycle=$top/bench/ocicycle
oci_cmds=(:: nutshell "$cycle" "$bundle" "bench-n-$$" "$nutshell" --root "$tmp/oci-nutshell")
command -v runc >/dev/null &&
	oci_cmds+=(:: runc "$cycle" "$bundle" "bench-r-$$" runc --root "$tmp/oci-runc")
if command -v crun >/dev/null; then
	unified=()
	grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts && unified=(--unmount=/sys/fs/cgroup/unified)
	oci_cmds+=(:: crun "${unified[@]}" "$cycle" "$bundle" "bench-c-$$" crun
		--cgroup-manager=cgroupfs --root "$tmp/oci-crun")
fi
echo "OCI path (create, start, wait, delete of one bundle: bench/ocicycle; ratio to nutshell's)" | show
table -n "$half" -g "oci path" "${oci_cmds[@]}"
command -v runc >/dev/null || echo "  (runc not installed: make engine-deps)" | show
command -v crun >/dev/null || echo "  (crun not installed: make bench-deps)" | show
echo | show

# --- engine: ctr run --rm through a containerd of our own ---
if command -v containerd >/dev/null && command -v ctr >/dev/null &&
	[[ -f $top/images/busybox-oci/index.json ]]; then
	cd_dir=$tmp/containerd
	mkdir -p "$cd_dir"
	cat >"$cd_dir/config.toml" <<-EOF
	version = 2
	root = "$cd_dir/root"
	state = "$cd_dir/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$cd_dir/containerd.sock"
	[ttrpc]
	  address = "$cd_dir/containerd.sock.ttrpc"
	[debug]
	  address = "$cd_dir/debug.sock"
	EOF
	# The shim gives each runtime the cgroup path /NAMESPACE/ID, in every
	# hierarchy; runc removes only ID, so /nutshell-bench goes at the exit.
	for h in /sys/fs/cgroup/*/; do
		[[ -e ${h}nutshell-bench ]] || made_cgroups+=("${h}nutshell-bench")
	done
	setsid containerd --config "$cd_dir/config.toml" >"$cd_dir/containerd.log" 2>&1 &
	oci_containerd=$!
	ctr_cmd=(ctr --address "$cd_dir/containerd.sock" --namespace nutshell-bench)
	for _ in $(seq 100); do
		"${ctr_cmd[@]}" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	tar -C "$top/images/busybox-oci" -cf "$cd_dir/bb.tar" .
	"${ctr_cmd[@]}" images import "$cd_dir/bb.tar" >/dev/null
	# ctr_run LABEL RUNTIME: the row's command.
	engine_cmds=()
	ctr_row() {
		engine_cmds+=(:: "$1" "${ctr_cmd[@]}" run --rm --runtime io.containerd.runc.v2
			--runc-binary "$2" busybox:latest "bench-$1-$$" /bin/true)
	}
	ctr_row nutshell "$nutshell"
	command -v runc >/dev/null && ctr_row runc "$(command -v runc)"
	refused=
	if command -v crun >/dev/null; then
		# One try first: where the host does not let crun run, its row
		# says why instead of a number.
		if "${ctr_cmd[@]}" run --rm --runtime io.containerd.runc.v2 --runc-binary \
			"$(command -v crun)" busybox:latest "bench-crun-try-$$" /bin/true \
			>"$cd_dir/crun.out" 2>&1; then
			ctr_row crun "$(command -v crun)"
		else
			# ctr: failed to create shim task: OCI runtime create
			# failed: WHY: unknown
			refused=$(head -n1 "$cd_dir/crun.out" | sed 's/.*OCI runtime create failed: //; s/: unknown$//')
			refused="$(crun --version | head -n1): $refused"
			"${ctr_cmd[@]}" containers delete "bench-crun-try-$$" >/dev/null 2>&1 || true
		fi
	fi
	quarter=$(((half + 1) / 2))
	echo "engine (ctr run --rm busybox /bin/true, containerd $(containerd --version | awk '{print $3}')," \
		"runc-v2 shim, --runc-binary each; ratio to nutshell's)" | show
	table -n "$quarter" -w 1 -g engine "${engine_cmds[@]}"
	[[ -z $refused ]] || printf "  %-26s not on this host: %s\n" crun "$refused" | show
	oci_cleanup
else
	echo "engine: (containerd, ctr or images/busybox-oci missing: make engine-deps image-oci)" | show
fi
echo | show
