#!/bin/bash
# tests/vm/vm.sh — boot the toolkit in a virtual machine that runs Debian's stock kernel
# with only cgroup v2 mounted (`make check-vm`, `make vm`).
#
# usage: tests/vm/vm.sh check   run the integration suite in the VM, exit with its status
#        tests/vm/vm.sh shell   boot to a root shell in the toolkit, for the workshop
#        tests/vm/vm.sh transcripts   record the book's transcripts in the VM, into
#                                     book/transcripts/v2/ (make transcripts-vm)
#        tests/vm/vm.sh walk   run every command BOOK.md shows, as printed, from
#                              build/walk/ (book/walkthrough.py script), and judge
#                              the runs (book/walkthrough.py check; make walk-vm)
#        tests/vm/vm.sh bench  make bench's start-up tables in the VM (bench/vm.sh:
#                              the floor against nutshell run, -j 1/4/16, phases),
#                              into build/bench-vm.txt and .csv (make bench-vm)
#
# Why a VM: this build machine, WSL2 and older distributions mount cgroup v1 next to v2,
# while most participants' laptops run a stock distribution kernel with cgroup v2 only.
# The VM gives every machine the second kind. KVM is used when /dev/kvm can be
# opened, software emulation otherwise (slow, a minute to boot, but it runs anywhere).
#
# Nothing here needs root on the host or leaves anything behind: no mounts, no loop
# devices, no device nodes (the initramfs is a cpio archive written by an ordinary
# user, owners set to root with `cpio -R`). The only state is the cache in build/vm/.
#
# Steps, each announced with "==>":
#   1. download Debian's current kernel package once (apt-get download)
#   2. extract vmlinuz and the modules of tests/vm/modules.list (+ their dependencies)
#   3. build the initramfs: busybox, strace, the toolkit, shared libraries, modules
#   4. boot qemu; tests/vm/init runs inside as PID 1
#
# Environment:
#   NUTSHELL_VM_TIMEOUT  seconds until a guest that has not powered off is a hang (1200;
#                        3600 on arm64)
#   NUTSHELL_VM_LEAKS    1 or 0: LeakSanitizer in tests/check at every test's exit (1;
#                        0 on arm64, where its scan costs more than the tests, below)
#   NUTSHELL_VM_MEMORY   guest memory in MiB (1024: the cgroup lessons need room for
#                        their memory limits and the OOM killer)
#   NUTSHELL_VM_INJECT   fail|panic|hang: break the guest on purpose, to see that the
#                        lane reports each kind of failure (check mode only)
#   NUTSHELL_NO_SKIP     a lane name (CI: vm): a skip tests/skips.allow does not
#                        allow there fails the run (tests/main.c)
#   BENCH_RUNS           bench mode: the startup table's rounds (60, as make bench; the
#                        whole make bench-vm took 3 to 4 minutes under TCG on the
#                        2-core build machine, 2026-12-04); the others use half or less
#   NUTSHELL_VM_ARCH     amd64 (the default) or arm64 (make check-arm64, make vm
#                        ARCH=arm64): the toolkit cross-built by scripts/cross.sh in
#                        build/arm64/tree, Debian's arm64 kernel (linux-image-arm64) and
#                        busybox and strace (unpacked by scripts/cross.sh) in
#                        qemu-system-aarch64's "virt" machine; cache in build/vm-arm64/

set -euo pipefail

arch=${NUTSHELL_VM_ARCH:-amd64}
prog=check-vm
[[ $arch == amd64 ]] || prog=check-$arch
say() { printf '==> %s\n' "$*" >&2; }
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

mode=${1:-}
case $mode in
check) ;;
shell) prog=vm ;;
transcripts) prog=transcripts-vm ;;
walk) prog=walk-vm ;;
bench) prog=bench-vm ;;
*)
	echo "usage: $0 check|shell|transcripts|walk|bench" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd) # the toolkit: tests/vm/ sits two levels down
cache=$root/build/vm

# What differs by architecture: qemu and its machine, the serial console's name,
# the toolkit's tree, where busybox and strace come from, and how a program's
# shared libraries are listed (ldd runs the program's own loader: a foreign one runs
# in EMU, qemu-user). KVM only when the guest's architecture is the host's.
case $arch in
amd64)
	qemu_bin=qemu-system-x86_64 qemu_pkg=qemu-system-x86 machine=() console=ttyS0 kargs=
	tree=$root emu=() busybox=$(command -v busybox || true) strace=$(command -v strace || true)
	# 1800: the whole run took 603 s on the shared build machine (2026-12-03),
	# against a limit of 600 until then; under TCG (a machine whose KVM cannot
	# run a guest) 878 s alone and 1063 s beside the arm64 lane (2026-12-04).
	host_arch=x86_64 default_timeout=1800 default_leaks=1
	;;
arm64)
	# The virt machine: no firmware needed with -kernel, a PL011 UART (ttyAMA0) for
	# the console. cortex-a57: a plain ARMv8.0 CPU, cheaper to emulate than "max"
	# (whose pointer authentication costs TCG dearly) and enough for Debian's kernel.
	qemu_bin=qemu-system-aarch64 qemu_pkg=qemu-system-arm
	machine=(-M virt -cpu cortex-a57) console=ttyAMA0
	# kpti=0: Debian's kernel has KASLR, and on a CPU without E0PD (the A57 has
	# none; it came with ARMv8.5) KASLR turns on kernel page-table isolation,
	# although the A57 is not open to Meltdown. Every kernel entry and exit then
	# switches the ASID in TTBR1, and TCG, whose TLB keeps no ASIDs, flushes its
	# whole TLB each time (qemu's vmsa_ttbr_write). The system calls the toolkit
	# makes and sees are the same either way. The guest prints which it got.
	kargs=kpti=0
	tree=$root/build/arm64/tree emu=(qemu-aarch64)
	busybox=$root/build/arm64/debs/busybox-static/bin/busybox
	strace=$root/build/arm64/debs/strace/usr/bin/strace
	# LeakSanitizer off: tests/check is built with ASan, and LSan's scan when each
	# forked test exits (it stops the process's threads with ptrace and reads all
	# its memory) took about 17 s a test here under arm64 emulation, six times the
	# tests themselves (the uts suite: 118 s with it, 17 s without, 2026-12-03).
	# The x86-64 VM lane runs the same code paths, cgroup v2 only, with it on. The
	# guest says so in its output.
	host_arch=aarch64 default_timeout=3600 default_leaks=0
	cache=$root/build/vm-arm64
	[[ -d $tree ]] || die "build/arm64/tree is missing: run 'make cross-arm64' (scripts/cross.sh arm64) first"
	;;
*) die "NUTSHELL_VM_ARCH=$arch: expected amd64 or arm64" ;;
esac
timeout_s=${NUTSHELL_VM_TIMEOUT:-$default_timeout}
leaks=${NUTSHELL_VM_LEAKS:-$default_leaks}
memory=${NUTSHELL_VM_MEMORY:-1024}
inject=${NUTSHELL_VM_INJECT:-}

case $inject in
'' | fail | panic | hang) ;;
*) die "NUTSHELL_VM_INJECT=$inject: expected fail, panic or hang" ;;
esac
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "NUTSHELL_VM_TIMEOUT=$timeout_s: expected seconds"
[[ $memory =~ ^[1-9][0-9]*$ ]] || die "NUTSHELL_VM_MEMORY=$memory: expected MiB"
[[ $leaks == [01] ]] || die "NUTSHELL_VM_LEAKS=$leaks: expected 1 (LeakSanitizer on) or 0"
bench_runs=${BENCH_RUNS:-60}
if [[ $mode == bench ]]; then
	[[ $bench_runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$bench_runs: expected a number of rounds"
	# The floor needs util-linux's unshare, which only the amd64 payload gets (below).
	[[ $arch == amd64 ]] || die "the bench runs in the amd64 VM only"
fi

# Tools from the host. A missing one is named with the Debian package that has it.
need() {
	command -v "$1" >/dev/null || die "$1 not found (apt-get install $2)"
}
need "$qemu_bin" "$qemu_pkg"
need cpio cpio
[[ -x $busybox ]] || die "busybox for $arch not found (apt-get install busybox-static, or make cross-$arch)"
[[ -x $strace ]] || die "strace for $arch not found (apt-get install strace, or make cross-$arch)"
[[ $arch == amd64 ]] || need "${emu[0]}" qemu-user
need dpkg-deb dpkg
need xz xz-utils
need timeout coreutils

# Everything temporary lives in one directory that is removed however we leave.
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Ctrl-C reaches qemu too (it is in our process group) and qemu exits quietly; say
# why the run ended rather than judging a half-written log.
trap 'printf "%s: interrupted\n" "$prog" >&2; exit 130' INT TERM
# A step that fails without its own message still says which one, in one line.
on_error() { trap 'die "failed at tests/vm/vm.sh:$LINENO: $BASH_COMMAND"' ERR; }
on_error

# ---------------------------------------------------------------------------------------
# 1. The kernel package, downloaded once.
#
# linux-image-amd64 is the metapackage that always depends on Debian's current kernel
# (linux-image-6.1.0-NN-amd64); `apt-cache depends` reads that from the local package
# lists without touching the network. The .deb is cached; a new one is fetched only when
# Debian moves to a new kernel (after `apt-get update`).
kernel_package() {
	apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }'
}

pkg=
! command -v apt-cache >/dev/null || pkg=$(kernel_package || true)
deb=
if [[ -n $pkg ]]; then
	deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | tail -n 1 || true)
	if [[ -z $deb ]]; then
		say "downloading $pkg (Debian's current kernel, about 70 MB, once)"
		mkdir -p "$tmp/dl" "$cache/debs"
		# As root apt drops to the _apt user for downloads, who may not write here.
		if (cd "$tmp/dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg:$arch"); then
			rm -f "$cache/debs/"*.deb # an older kernel is no longer wanted
			mv "$tmp/dl/"*.deb "$cache/debs/"
			deb=$(ls "$cache/debs/${pkg}_"*.deb)
		else
			# Offline at the workshop? An older cached kernel still does the job.
			deb=$(ls "$cache/debs/"linux-image-*.deb 2>/dev/null | tail -n 1 || true)
			[[ -n $deb ]] || die "could not download $pkg with apt-get download"
			say "could not download $pkg; using the cached $(basename "$deb")"
		fi
	fi
else
	# No apt (or no package lists): use whatever kernel an earlier run cached.
	deb=$(ls "$cache/debs/"linux-image-*.deb 2>/dev/null | tail -n 1 || true)
	[[ -n $deb ]] || die "cannot tell which kernel to download: 'apt-cache depends linux-image-$arch:$arch' names none"
fi

# ---------------------------------------------------------------------------------------
# 2. vmlinuz and the modules, extracted once per kernel and modules.list.
#
# build/vm/kernel/ holds vmlinuz, release (the `uname -r` inside), modules/NAME.ko
# (decompressed: busybox insmod does not read .ko.xz) and modules.load, the names in
# the order to insmod them. The stamp says which .deb and modules.list produced it.
kdir=$cache/kernel
stamp="$(basename "$deb") $(sha256sum <"$here/modules.list" | cut -c1-16)"
if [[ ! -f $kdir/stamp || $(cat "$kdir/stamp") != "$stamp" ]]; then
	say "extracting vmlinuz and modules from $(basename "$deb")"
	x=$tmp/deb
	dpkg-deb -x "$deb" "$x" || die "could not unpack $deb"
	release=$(ls "$x/lib/modules")
	mods=$x/lib/modules/$release
	new=$tmp/kernel
	mkdir -p "$new/modules"
	cp "$x/boot/vmlinuz-$release" "$new/vmlinuz"
	echo "$release" >"$new/release"

	# The kernel treats '-' and '_' in module names alike; so do these tables.
	declare -A path_of=() builtin=() seen=()
	while read -r p; do
		n=${p##*/}
		n=${n%.ko}
		path_of[${n//-/_}]=$p
	done <"$mods/modules.order"
	while read -r p; do
		n=${p##*/}
		n=${n%.ko}
		builtin[${n//-/_}]=1
	done <"$mods/modules.builtin"

	# Depth first: a module's dependencies (its .modinfo "depends=", the same field
	# depmod reads) go into modules.load before the module itself.
	load_order=()
	add_module() {
		local n=${1//-/_} p f d deps
		[[ -z ${seen[$n]:-} ]] || return 0
		seen[$n]=1
		if [[ -n ${builtin[$n]:-} ]]; then
			say "  $n is built into $release, nothing to load"
			return 0
		fi
		p=${path_of[$n]:-}
		[[ -n $p ]] || die "module $n (tests/vm/modules.list) is not in $(basename "$deb")"
		f=$mods/$p
		if [[ -f $f ]]; then
			cp "$f" "$new/modules/$n.ko"
		elif [[ -f $f.xz ]]; then
			xz -dc "$f.xz" >"$new/modules/$n.ko"
		elif [[ -f $f.zst ]]; then
			need zstd zstd
			zstd -qdc "$f.zst" >"$new/modules/$n.ko"
		else
			die "module $n: $p is listed in modules.order but not in the package"
		fi
		deps=$(tr '\0' '\n' <"$new/modules/$n.ko" | sed -n 's/^depends=//p' | head -n 1)
		for d in ${deps//,/ }; do
			add_module "$d"
		done
		load_order+=("$n")
	}
	while read -r line; do
		line=${line%%#*}
		for n in $line; do
			add_module "$n"
		done
	done <"$here/modules.list"
	printf '%s\n' "${load_order[@]}" >"$new/modules.load"
	say "  modules to load, dependencies first: ${load_order[*]}"

	echo "$stamp" >"$new/stamp"
	rm -rf "$kdir" "$x" # the unpacked package is 400 MB; only vmlinuz and these stay
	mv "$new" "$kdir"
fi
release=$(cat "$kdir/release")

# ---------------------------------------------------------------------------------------
# 3. The initramfs, rebuilt every run because the binaries change.
#
# Layout: /init (tests/vm/init), busybox and its applet links, /bin/strace, the toolkit
# at /nutshell (sources, binaries, images/, tests/check; not .git or build/), every
# shared library those ELF files load (found with ldd, kept at the same path, so the
# ASan test binary finds libasan), /lib/modules/$release/.
say "building the initramfs (toolkit, busybox, strace, libraries, modules)"
[[ -x $tree/tests/check ]] || die "tests/check is missing: run 'make tests/check' first"
[[ -d $tree/images/busybox ]] || die "images/busybox is missing: run 'make image' first"
st=$tmp/initramfs
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,nutshell}
chmod 1777 "$st/tmp"

cp "$busybox" "$st/bin/busybox"
# util-linux's setpriv (Essential on Debian, so on every host) as /usr/bin/setpriv:
# busybox's lacks --reuid, --regid and --clear-groups, with which the book and the
# worksheets run programs as uid 65534. busybox's sh runs its own applet for a bare
# "setpriv" whatever PATH says, so tests/vm/init makes the name lead here (a shell
# function in /etc/profile, and in its sudo). Its libraries are copied below. On
# arm64 the cross tree has none, and busybox's stays.
if [[ $arch == amd64 ]] && command -v setpriv >/dev/null; then
	cp "$(command -v setpriv)" "$st/usr/bin/setpriv"
fi
# make bench-vm: the floor as make bench runs it on the host, "unshare --mount
# --uts --ipc --net --pid --cgroup --fork /bin/true" (bench/vm.sh reads it from
# bench/bench.sh), needs util-linux's unshare (busybox's has neither --cgroup nor
# --fork), at /usr/bin/unshare, where busybox's link would be: the first unshare
# in PATH, which bench/timer's execvp runs. And the host's /bin/true (coreutils, dynamically
# linked) rather than busybox's static applet, so that the floor loads what it
# loads on the host. Their libraries are copied below. Only in this mode: the
# other lanes' userland stays busybox's.
if [[ $mode == bench ]]; then
	un=$(type -P unshare || true)
	if [[ -z $un || $("$un" --help 2>&1) != *--cgroup* ]]; then
		die "util-linux's unshare (with --cgroup) not found on the host (apt-get install util-linux)"
	fi
	cp "$un" "$st/usr/bin/unshare"
	cp "$(type -P true)" "$st/bin/true" # coreutils' (type -P: not bash's builtin)
	[[ -x $tree/bench/timer ]] || die "bench/timer is missing: run 'make bench/timer' first"
fi
# Links for every applet busybox has, where its --list-full says (bin/sh, sbin/insmod...).
"${emu[@]}" "$busybox" --list-full | while read -r a; do
	[[ -e $st/$a ]] || ln -s /bin/busybox "$st/$a"
done
cp "$strace" "$st/bin/strace"

tar -C "$tree" --exclude=./.git --exclude=./build --exclude='*.o' --exclude='*.d' \
	-cf - . | tar -C "$st/nutshell" -xf -

install -m 0755 "$here/init" "$st/init"
# make walk-vm: the book's commands, one script each (book/walkthrough.py script).
if [[ $mode == walk ]]; then
	[[ -f $root/build/walk/walk.sh ]] || die "build/walk/walk.sh is missing: run 'book/walkthrough.py script build/walk' first"
	cp -r "$root/build/walk" "$st/walk"
fi
mkdir -p "$st/lib/modules/$release"
cp "$kdir/modules/"*.ko "$kdir/modules.load" "$st/lib/modules/$release/" 2>/dev/null ||
	cp "$kdir/modules.load" "$st/lib/modules/$release/" # every listed module built in

# Enough of /etc for user and group names (the lessons print uid 0 as root, and the
# user namespace lessons map to nobody).
cat >"$st/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$st/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost nutshell-vm" >"$st/etc/hosts"
# Empty, as on a fresh Debian: the resources suite binds its own over them.
: >"$st/etc/subuid"
: >"$st/etc/subgid"

# Shared libraries: ldd lists the whole closure, including the loader itself. ldd
# is the loader's --list; for another architecture, that loader (installed with the
# target's libc6 through dpkg multiarch: make deps-arm64) run in qemu-user.
list_libs() {
	if [[ $arch == amd64 ]]; then
		ldd "$1"
	else
		local interp
		interp=$(LC_ALL=C readelf -l "$1" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
		[[ -n $interp ]] || return 0
		"${emu[@]}" "$interp" --list "$1"
	fi
}
find "$st" -type f -perm -u+x -print0 | while IFS= read -r -d '' f; do
	[[ $(head -c 4 "$f" | tr -d '\0') == $'\x7fELF' ]] || continue
	{ list_libs "$f" 2>/dev/null || true; } | # static ones (busybox) have none
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
	[[ -e $st$lib ]] || cp -L --parents "$lib" "$st"
done

initrd=$cache/initramfs.cpio.gz
(cd "$st" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/initramfs.cpio.gz"
mv "$tmp/initramfs.cpio.gz" "$initrd"
rm -rf "$st" # no need to keep a second copy while the VM runs
say "  $(du -h "$initrd" | cut -f1) compressed"

# ---------------------------------------------------------------------------------------
# 4. Boot.
#
# -nographic: the serial port is the console, on this terminal (Ctrl-a x quits qemu).
# -no-reboot with panic=-1: a kernel panic reboots at once, and qemu exits instead.
# cgroup_no_v1=all: no v1 controller even could be mounted; init mounts only cgroup2.
# -nic none: the guest needs no network to the host, only its own namespaces.
# The nutshell.* words are read by tests/vm/init from /proc/cmdline.
cmdline="console=$console panic=-1 quiet cgroup_no_v1=all${kargs:+ $kargs} nutshell.mode=$mode"
# KVM when /dev/kvm can be opened for reading and writing (it exists but is
# refused without the kvm group, or inside a VM without nested virtualisation);
# software emulation (TCG) otherwise: slower, but it runs anywhere.
# (-c first: "<>" would create a missing /dev/kvm as a plain file.)
# And only where a kernel really boots with it: inside a VM (nested KVM) the host
# CPU model may carry an MSR the outer hypervisor refuses, so qemu aborts ("failed
# to set MSR 0x10a", IA32_ARCH_CAPABILITIES), and on the build machine of
# 2026-12-04 a model without it started but the guest never printed a line (qemu
# spun at 100% until the 1200 s limit). So the kernel is booted once per CPU model
# with an early console, and KVM is used only if its first line comes within 20 s
# (under a second where KVM works); else TCG.
kvm_boots() {
	local out=$tmp/kvm-probe.log pid i
	"$qemu_bin" "${machine[@]}" -accel kvm -cpu "$1" -nographic -no-reboot -m 256 -nic none \
		-kernel "$kdir/vmlinuz" -append "console=$console earlyprintk=serial,$console panic=-1" \
		</dev/null >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -aq 'Linux version' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -aq 'Linux version' "$out"
}
kvm_cpu() {
	local cpu
	for cpu in host host,arch-capabilities=off; do
		if kvm_boots "$cpu"; then
			echo "$cpu"
			return 0
		fi
	done
	return 1
}
if [[ $(uname -m) == "$host_arch" && -c /dev/kvm ]] && { : <>/dev/kvm; } 2>/dev/null &&
	kvm_model=$(kvm_cpu); then
	accel=(-accel kvm -cpu "$kvm_model") how="with KVM, -cpu $kvm_model" accel_name=KVM
else
	accel=(-accel tcg) how="software emulation, no KVM: give it a minute" accel_name=TCG
fi
# One empty disk (sparse, 16 MiB, removed with $tmp): lesson 02's io throttles reads
# of the first disk, and a VM that runs from memory has none otherwise.
truncate -s 16M "$tmp/disk.raw"
qemu=("$qemu_bin" "${machine[@]}" -nographic -no-reboot "${accel[@]}" -m "$memory" -smp 2 -nic none
	-drive "file=$tmp/disk.raw,format=raw,if=virtio" -kernel "$kdir/vmlinuz" -initrd "$initrd")

if [[ $mode == shell ]]; then
	# Tell the guest this terminal's size and type; a serial line cannot ask.
	# Without a terminal (input from a pipe) stty prints nothing and read fails:
	# the guest gets 24x80.
	read -r rows cols < <(stty size 2>/dev/null) || true
	[[ ${rows:-0} -gt 0 && ${cols:-0} -gt 0 ]] || rows=24 cols=80
	say "booting $release ($how)"
	say "in the VM: 'poweroff -f' (or exit the shell) to leave, or Ctrl-a x to stop qemu"
	status=0
	"${qemu[@]}" -append "$cmdline nutshell.rows=$rows nutshell.cols=$cols nutshell.term=${TERM:-vt100}" || status=$?
	# SeaBIOS turned off line wrapping (ESC [?7l) on this terminal; turn it back on.
	[[ ! -t 1 ]] || printf '\033[?7h'
	exit "$status"
fi

[[ -z $inject ]] || cmdline+=" nutshell.inject=$inject"
[[ -z ${NUTSHELL_VM_SUITE:-} ]] || cmdline+=" nutshell.suite=$NUTSHELL_VM_SUITE"
[[ -z ${NUTSHELL_NO_SKIP:-} ]] || cmdline+=" nutshell.noskip=$NUTSHELL_NO_SKIP"
cmdline+=" nutshell.leaks=$leaks"
[[ $mode != bench ]] || cmdline+=" nutshell.runs=$bench_runs nutshell.accel=$accel_name"
log=$cache/last-run.log
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "booting $release with only cgroup v2 ($how; limit ${timeout_s} s)"
start=$SECONDS
# --foreground keeps qemu in our process group, so Ctrl-C stops it too. The guest's
# console goes to the terminal as it comes, and to the log that is judged below.
set +e
trap - ERR # qemu's status is judged below, not here
# SeaBIOS's screen reset (ESC c, ESC [2J) and "no line wrap" (ESC [?7l) are dropped, so
# the progress above stays on the screen and the terminal is left as it was.
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" -append "$cmdline" </dev/null 2>&1 |
	sed -u -e 's/\x1bc//g' -e 's/\x1b\[2J//g' -e 's/\x1b\[?7l//g' | tee "$log"
qemu_status=${PIPESTATUS[0]}
set -e
on_error
elapsed=$((SECONDS - start))

# Judge the run from the console log (serial lines end in \r\n). A panic is checked
# first: with panic=-1 a panicking guest makes qemu exit as if all were well.
clean=$(tr -d '\r' <"$log")
panic=$(grep -a -m 1 'Kernel panic' <<<"$clean" || true)
summary=$(grep -a -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' <<<"$clean" | tail -n 1 || true)
exit_line=$(grep -a -E '^NUTSHELL-VM-EXIT=[0-9]+$' <<<"$clean" | tail -n 1 || true)
counts=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$clean" | tail -n 1 || true)

[[ -z $panic ]] || die "the guest kernel panicked after ${elapsed} s: ${panic#*] }"
if ((qemu_status == 124 || qemu_status == 137)); then
	die "the guest hung: no power-off within NUTSHELL_VM_TIMEOUT=${timeout_s} s (log: ${log#"$root"/})"
fi
((qemu_status == 0)) || die "qemu failed with status $qemu_status (log: ${log#"$root"/})"
if [[ $mode == walk ]]; then
	[[ -n $exit_line ]] || die "the guest printed no NUTSHELL-VM-EXIT line: the walk stopped before the end (log: ${log#"$root"/})"
	cp "$log" "$cache/walk.log"
	say "walked the book in ${elapsed} s on $release, cgroup v2 only (log: build/vm/walk.log)"
	exec python3 "$root/book/walkthrough.py" check "$cache/walk.log"
fi
if [[ $mode == bench ]]; then
	# The guest printed the tables between two marker lines, then the CSV rows
	# between two more (the console is its only way out).
	[[ -n $exit_line ]] || die "the guest printed no NUTSHELL-VM-EXIT line: the bench stopped before the end (log: ${log#"$root"/})"
	sed -n '/^NUTSHELL-BENCH-BEGIN$/,/^NUTSHELL-BENCH-END$/p' <<<"$clean" | sed '1d;$d' >"$root/build/bench-vm.txt"
	sed -n '/^NUTSHELL-BENCH-CSV-BEGIN$/,/^NUTSHELL-BENCH-CSV-END$/p' <<<"$clean" | sed '1d;$d' >"$root/build/bench-vm.csv"
	[[ -s $root/build/bench-vm.txt ]] || die "the guest printed no tables (log: ${log#"$root"/})"
	# The guest's load says nothing of the host's, whose other work lands on
	# the emulated CPUs (under TCG, qemu's threads share the host's CPUs).
	printf 'host: %s CPUs, %s, load %s before the boot, %s after; %s s in qemu\n' \
		"$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
		"$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$elapsed" | tee -a "$root/build/bench-vm.txt"
	BENCH_CHART_TITLE="nutshell run in the cgroup v2 VM ($accel_name): where one start goes (NUTSHELL_TIMINGS=1, medians)" \
		"$root/bench/chart.sh" "$root/build/bench-vm.csv" "$root/build/bench-vm-phases.svg"
	status=${exit_line#NUTSHELL-VM-EXIT=}
	((status == 0)) || die "a run failed in the VM's bench (exit status $status; its row says FAILED): build/bench-vm.txt"
	say "benchmarked in ${elapsed} s on $release, cgroup v2 only ($accel_name):" \
		"build/bench-vm.txt, build/bench-vm.csv, build/bench-vm-phases.svg"
	exit 0
fi
[[ -n $summary ]] || die "no Check summary line in the guest's output: the suite did not run to the end (log: ${log#"$root"/})"
[[ -n $exit_line ]] || die "the guest printed no NUTSHELL-VM-EXIT line: init stopped before the end (log: ${log#"$root"/})"
status=${exit_line#NUTSHELL-VM-EXIT=}
if ((status != 0)); then
	printf '%s: the integration suite failed in the VM (exit status %d): %s\n' "$prog" "$status" "$summary" >&2
	grep -a -E '^FAILED: ' <<<"$clean" | sed "s/^FAILED: /$prog: failed: /" >&2 || true
	exit "$status"
fi
if [[ $mode == transcripts ]]; then
	# The guest printed book/transcripts/v2 as a gzipped tar in base64 between two
	# marker lines (the console is its only way out: no network, no shared disk).
	b64=$(sed -n '/^NUTSHELL-TRANSCRIPTS-BEGIN$/,/^NUTSHELL-TRANSCRIPTS-END$/p' <<<"$clean" | sed '1d;$d')
	[[ -n $b64 ]] || die "the guest printed no transcripts (log: build/vm/last-run.log)"
	mkdir "$tmp/out"
	base64 -d <<<"$b64" | tar -xzf - -C "$tmp/out" ||
		die "the transcripts the guest printed do not unpack (log: build/vm/last-run.log)"
	[[ -d $tmp/out/v2 ]] || die "the guest's archive holds no v2/ directory"
	rm -rf "$root/book/transcripts/v2"
	mv "$tmp/out/v2" "$root/book/transcripts/v2"
	n=$(find "$root/book/transcripts/v2" -name '*.calls' | wc -l)
	say "recorded $n transcripts in ${elapsed} s on $release, cgroup v2 only: book/transcripts/v2/"
	exit 0
fi
say "passed in ${elapsed} s on $release, cgroup v2 only: $summary; $counts"
