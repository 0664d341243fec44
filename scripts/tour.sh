#!/bin/sh
# The guided tour `make demo` ends with: each lesson program that exists so
# far, run once, with a word on what to look at. Pauses between programs only
# when there is somebody at a terminal to press Enter.
set -u
cd "$(dirname "$0")/.." || exit 1

pause() {
	if [ -t 0 ]; then
		printf '\n-- press Enter to go on --'
		read -r _
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "tour: the lesson programs create namespaces and need root: run 'sudo make demo'" >&2
	exit 1
fi

# A step this host cannot run says why (make doctor, printed just before) and
# the tour goes on.
in_chroot=no
if ./05-full-container/doctor -q --json - 2>/dev/null | grep -q '"key":"in_chroot","value":"yes"'; then
	in_chroot=yes
fi
cannot() { # STEP: skipped here, with the reason
	echo "tour: skipping $1 here: this is a chroot, where the kernel refuses what it shows (see 'why:' above)"
}

cat <<'END'
nutshell: a container is an ordinary process the kernel isolates.
Each program below makes real system calls and traces them on stderr
(call, decoded flags, result); what it shows goes to stdout.

Lesson 01, namespaces: what a process can see.
  ./01-namespaces/uts  a child in a new UTS namespace gets its own hostname.
  Look for: CLONE_NEWUTS in the clone line, two different uts:[...] ids,
  and the host's hostname unchanged at the end.
END
pause
./01-namespaces/uts || exit 1

# The next three run with -q: only what each program shows, not its trace.
cat <<'END'

Lesson 02, cgroups: what a process can use.
  ./02-cgroups/pids -q  a fork bomb inside pids.max: forks past the limit fail
  with EAGAIN, and nobody is killed by the limit.
END
pause
./02-cgroups/pids -q || exit 1

cat <<'END'

Lesson 03, capabilities: what a process may ask the kernel.
  ./03-capabilities/drop -q  root without one capability is refused exactly
  there: chown without CAP_CHOWN, port 80 without CAP_NET_BIND_SERVICE.
END
pause
./03-capabilities/drop -q || exit 1

cat <<'END'

Lesson 04, layers and roots: what filesystem a process stands on.
  ./04-overlay-chroot/escape -q  the classic chroot escape works under chroot
  and fails after pivot_root with the old root detached.
END
pause
if [ "$in_chroot" = yes ]; then
	cannot ./04-overlay-chroot/escape
else
	./04-overlay-chroot/escape -q || exit 1
fi

cat <<'END'

Lesson 05, the full container: every lesson's helpers in one start.
  ./05-full-container/nutshell run -- inspect
  inspect shows a process's isolation from the inside. First on the host,
  then inside a container of the default image. Look for: a different id
  for every namespace, pid 1 alone, CapEff 00000000a80425fb (Docker's 14),
  NoNewPrivs 1, seccomp 2, an overlay root with the old root gone, masked
  and read-only /proc paths, and lo as the only interface.
END
pause
echo "--- inspect on the host ---"
./05-full-container/inspect || exit 1
pause
echo "--- inspect inside: nutshell run -- inspect ---"
./05-full-container/nutshell -q run -- inspect || exit 1

cat <<'END'

That was the tour. Next:
  lessons/01-namespaces.md   the first worksheet (run each step yourself, try
                             --step); 02 to 05 follow
  make grade EX=01-hostname  the first graded exercise (lessons/exercises/)
  make book                  the book, in build/web/book/index.html
  sudo make check            the test suite
END
