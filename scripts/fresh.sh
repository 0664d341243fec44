#!/usr/bin/env bash
# scripts/fresh.sh - the README's two commands on a fresh Debian machine
# (make check-fresh SUITE=bookworm|trixie [MODE=pivot|chroot]).
#
# A fresh machine, as a newcomer has one: a minimal root of that Debian
# release made with debootstrap from Debian's archive, with only git, make
# and sudo, and a user "learner" who may sudo. The commit under test is
# cloned into the learner's home, and there the README's two commands run
# exactly as it prints them: `sudo make demo`, then `sudo make check`.
#
# The root is entered as a container or VM is: a mount namespace of its own,
# with /proc, /sys (and the machine's cgroup mounts under it), /dev and a
# tmpfs /run and /dev/shm, then pivot_root(2) into it with the old root
# detached. Not chroot(2): there the kernel refuses user namespaces
# (clone(2), EPERM: "the caller's root is not the root of its mount
# namespace"). MODE=chroot enters with chroot instead, to see how nutshell
# explains that host to the learner.
#
# Cached in build/fresh/: SUITE/base (the debootstrap result, made once and
# copied afresh for every run) and debs/ (Debian's packages, shared by
# debootstrap and by apt-get in every root, so a second run downloads
# nothing). Each run's output is kept in build/fresh/SUITE/{demo,check}.log.
#
# Then it checks the output with a newcomer's eyes: no make "Error" line, no
# compiler output after the tour, and `make check`'s summary
# "N passed, N failed, N skipped" as the last line. And `make deps` where the
# archive lacks a package (the other release's libclang-rt-NN-dev put in
# deps.sh's list): exit 1 and one line naming it and why nutshell needs it.
#
# Environment: NUTSHELL_LOCK=FILE  hold flock(1) on FILE while the root runs
#              (a shared machine: the inner make check makes cgroups and mounts)
#              NUTSHELL_FRESH_COMMIT=REV  test REV instead of HEAD
set -euo pipefail

suite=${1:-bookworm}
mode=${2:-pivot}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/fresh
dir=$cache/$suite
root=$dir/root

say() { printf 'check-fresh(%s): %s\n' "$suite" "$*"; }
die() {
	say "$*" >&2
	exit 1
}

case $suite in bookworm | trixie) ;; *) die "SUITE=$suite: expected bookworm (Debian 12) or trixie (Debian 13)" ;; esac
case $mode in pivot | chroot) ;; *) die "MODE=$mode: expected pivot or chroot" ;; esac
[[ $(id -u) == 0 ]] || die "needs root (debootstrap, mount namespaces): run 'sudo make check-fresh'"
command -v debootstrap >/dev/null || die "debootstrap is missing: run 'sudo make deps'"
# NUTSHELL_FRESH_COMMIT: another commit than HEAD (to show how an old one fares).
commit=$(git -C "$top" rev-parse "${NUTSHELL_FRESH_COMMIT:-HEAD}")
mirror=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p; s|^deb \(http[^ ]*/debian\) .*|\1|p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

start=$SECONDS waited=0
mkdir -p "$cache/debs"

# 1. The minimal root, once: minbase and the three packages the README
# assumes. Made beside and renamed, so a half-made root is never used.
if [[ ! -d $dir/base ]]; then
	say "debootstrap --variant=minbase --include=git,make,sudo $suite $mirror"
	rm -rf "$dir/base.tmp"
	mkdir -p "$dir"
	debootstrap --variant=minbase --include=git,make,sudo --cache-dir="$cache/debs" \
		"$suite" "$dir/base.tmp" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
		die "debootstrap failed (log: $dir/debootstrap.log)"
	mv "$dir/base.tmp" "$dir/base"
fi

# 2. A fresh copy, the learner, and the commit under test in their home.
rm -rf "$root"
cp -a "$dir/base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The machine's name resolves, as on an installed system (else sudo warns).
printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts"
chroot "$root" useradd -m -s /bin/bash learner
echo 'learner ALL=(ALL:ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/learner"
chmod 0440 "$root/etc/sudoers.d/learner"
git clone -q --no-hardlinks "$top" "$root/home/learner/nutshell"
git -C "$root/home/learner/nutshell" checkout -q --detach "$commit"
chroot "$root" chown -R learner:learner /home/learner/nutshell
say "root ready after $((SECONDS - start)) s: Debian $(cat "$root/etc/debian_version"), commit ${commit:0:12}"

# 3. Into the root, in a mount namespace of its own. Everything mounted
# there is private to it and goes with its last process; cleanup() ends
# those processes whatever happened.
ns=""
in_ns() { # the pids in the root's mount namespace
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) != "$ns" ]] || echo "${p#/proc/}"
	done
}
cleanup() {
	local status=$?
	if [[ -n $ns ]]; then
		# shellcheck disable=SC2046 # one pid a word
		kill -KILL $(in_ns) 2>/dev/null || true
		for _ in $(seq 50); do
			[[ -n $(in_ns) ]] || break
			sleep 0.1
		done
	fi
	# Nothing of the root may stay mounted on the host.
	if grep -q " $root" /proc/self/mountinfo; then
		say "a mount of the root is left on the host:" >&2
		grep " $root" /proc/self/mountinfo >&2
		status=1
	fi
	exit "$status"
}
trap cleanup EXIT

if [[ -n ${NUTSHELL_LOCK:-} ]]; then
	exec 9>"$NUTSHELL_LOCK"
	say "waiting for the lock $NUTSHELL_LOCK"
	waited=$SECONDS
	flock 9
	waited=$((SECONDS - waited))
	say "got the lock after $waited s (not counted below)"
fi

# The learner's session: the two commands, each one's output kept.
cat >"$root/home/learner/session.sh" <<'EOF'
#!/bin/bash
cd ~/nutshell || exit 1
step() { # sudo make TARGET, as the README prints it; its output in ~/TARGET.log
	local start=$SECONDS status
	echo "learner@fresh:~/nutshell\$ sudo make $1"
	sudo make "$1" </dev/null >~/"$1".log 2>&1
	status=$?
	cat ~/"$1".log
	echo "fresh: make $1: exit $status after $((SECONDS - start)) s"
	return $status
}
step demo
demo=$?
step check
check=$?
# make deps where the archive lacks a package: the script under test with one
# name changed to the other release's compiler-versioned one (~/missing).
# Its status and what it printed on stderr are kept for the host to judge.
sed "s/^libclang-rt-dev /$(cat ~/missing) /" scripts/deps.sh >~/deps-missing.sh
sudo sh ~/deps-missing.sh </dev/null >~/deps-missing.out 2>~/deps-missing.err
echo $? >~/deps-missing.status
exit $((demo ? demo : check))
EOF
chmod 755 "$root/home/learner/session.sh"
# The name this release's archive lacks: a sanitizer runtime of a clang only
# the other release has (Debian 12: 14, 16 and, by a point release, 19;
# Debian 13: 17, 18, 19), the kind of name that broke make demo on Debian 13
# (issue 26).
case $suite in
bookworm) missing=libclang-rt-18-dev ;;
trixie) missing=libclang-rt-14-dev ;;
esac
echo "$missing" >"$root/home/learner/missing"

# shellcheck disable=SC2016 # expanded by the shell in the namespace
# The namespace's setup, run by the host's shell in the new namespace; the
# last step runs the root's own programs.
enter='
set -e
root=$1 debs=$2 mode=$3
mount --make-rprivate /
mount --bind "$root" "$root" # pivot_root(2) needs a mount point
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount --rbind /sys "$root/sys" # with the cgroup mounts beneath it
mount --rbind /dev "$root/dev"
mount -t tmpfs -o nosuid,nodev tmpfs "$root/dev/shm"
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs "$root/run"
mount --bind "$debs" "$root/var/cache/apt/archives"
cd "$root"
if [ "$mode" = chroot ]; then
	exec chroot . /usr/sbin/runuser -l learner -c ./session.sh
fi
mkdir -p .oldroot
pivot_root . .oldroot
cd /
exec /bin/sh -c "umount -l /.oldroot && rmdir /.oldroot && exec /usr/sbin/runuser -l learner -c ./session.sh"
'
set +e
unshare --mount bash -c "$enter" enter "$root" "$cache/debs" "$mode" &
child=$!
# Its namespace, once unshare has made it (never ours: cleanup() kills by it).
own=$(readlink /proc/self/ns/mnt)
for _ in $(seq 100); do
	ns=$(readlink "/proc/$child/ns/mnt" 2>/dev/null || true)
	[[ -z $ns || $ns == "$own" ]] || break
	ns=""
	sleep 0.05
done
wait "$child"
status=$?
set -e
cp "$root/home/learner/demo.log" "$dir/demo.log" 2>/dev/null || true
cp "$root/home/learner/check.log" "$dir/check.log" 2>/dev/null || true
for f in deps-missing.err deps-missing.status; do
	cp "$root/home/learner/$f" "$dir/$f" 2>/dev/null || true
done
elapsed=$((SECONDS - start - waited))
((status == 0)) || die "the README's commands failed (exit $status) after $elapsed s (logs: $dir/demo.log, check.log)"

# 4. The output, as a newcomer reads it.
bad=0
if grep -n -E '^make(\[[0-9]+\])?: \*\*\*|Error [0-9]+' "$dir/demo.log" "$dir/check.log"; then
	say "make printed an error line (above)" >&2
	bad=1
fi
if grep -n -E '^[^ :]+:[0-9]+:([0-9]+:)? (warning|error):' "$dir/demo.log"; then
	say "the compiler spoke during make demo (above)" >&2
	bad=1
fi
# The tour is the last thing make demo prints: its closing line.
last=$(tail -n 1 "$dir/demo.log")
if [[ $last != *"sudo make check"*"the test suite"* ]]; then
	say "make demo does not end with the tour; its last line: $last" >&2
	bad=1
fi
last=$(tail -n 1 "$dir/check.log")
if ! [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
	say "make check does not end with its summary; its last line: $last" >&2
	bad=1
fi
# make deps on an archive without a package: exit 1, and one line on stderr
# naming the package and what nutshell needs it for.
err=$(cat "$dir/deps-missing.err" 2>/dev/null || true)
if [[ $(cat "$dir/deps-missing.status" 2>/dev/null) != 1 || $(printf '%s\n' "$err" | wc -l) != 1 ||
	$err != *"no package '$missing'"*"nutshell needs it for: make fuzz"* ]]; then
	say "make deps without $missing in the archive: exit" \
		"$(cat "$dir/deps-missing.status" 2>/dev/null), stderr:" >&2
	printf '%s\n' "$err" >&2
	bad=1
else
	say "make deps without $missing in the archive: $err"
fi
((bad == 0)) || die "the output needs work (logs: $dir/demo.log, check.log)"
say "passed in $elapsed s ($mode): $last"
