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

cat <<'END'

That was the whole tour so far. Next:
  lessons/01-namespaces.md   the worksheet (run each step yourself, try --step)
  make book                  the book, in build/book.html
  sudo make check            the test suite
END
