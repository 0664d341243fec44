#!/bin/sh
# scripts/book.sh - the parts of `make book` that are not pandoc.
#
#   scripts/book.sh diagrams OUTDIR   render book/diagrams/*.dot to OUTDIR/*.svg
#   scripts/book.sh check SITEDIR...  every link of the web book resolves
#                                     (scripts/check-book.py --links); every
#                                     lesson program is named in BOOK.md and
#                                     in its worksheet; every command BOOK.md
#                                     shows has a row in book/walkthrough.tsv
#   scripts/book.sh view TRACE OUT    OUT: a self-contained page drawing the
#                                     JSON Lines trace TRACE (book/viewer.js)
#
# A diagram's @phase@ placeholders take the launcher's phase times from
# book/transcripts/05-timings.trace (a real run, written by make transcripts).
set -eu

diagrams() {
	out=$1
	mkdir -p "$out"
	timings=book/transcripts/05-timings.trace
	for dot in book/diagrams/*.dot; do
		name=$(basename "$dot" .dot)
		# "nutshell: timing: clone  1.352 ms" -> s|@clone@|1.352 ms|g
		script=$(sed -n 's/^nutshell: timing: *\([a-z_]*\) *\([0-9.]* [a-zA-Z]*\)$/s|@\1@|\2|g;/p' \
			"$timings" 2>/dev/null || true)
		# No XML declaration or DOCTYPE: the SVG goes into EPUB (where
		# epubcheck rejects the external DTD) and inline into the web book.
		sed -e "$script" -e 's/@[a-z_]*@/?/g' "$dot" | dot -Tsvg |
			sed -e '/^<?xml /d' -e '/^<!DOCTYPE/,/>$/d' >"$out/$name.svg"
	done
	echo "book: diagrams in $out"
}

check() {
	bad=0
	/usr/bin/python3 scripts/check-book.py --links "$@" || bad=1
	# Every program of a lesson (each .c that is not a helper) is named in
	# the book and in its worksheet, as the path a reader types.
	for c in 0[1-5]-*/*.c; do
		dir=${c%/*}
		prog=${c%.c}
		grep -q "^int$" "$c" 2>/dev/null || continue # no main(): skip quickly
		grep -q "^main(" "$c" || continue            # a helper, not a program
		# A build tool, not a program a reader runs (it writes the
		# launcher's compiled filters).
		[ "$prog" = 05-full-container/mkfilter ] && continue
		sheet=$(ls lessons/"$dir".md 2>/dev/null || true)
		grep -qF "$prog" BOOK.md || { echo "book: BOOK.md never names $prog" >&2; bad=1; }
		if [ -z "$sheet" ] || ! grep -qF "${prog#*/}" "$sheet"; then
			echo "book: worksheet lessons/$dir.md never names $prog" >&2
			bad=1
		fi
	done
	# Every command the book shows a reader has a row in book/walkthrough.tsv,
	# which says what the reader should see; make walk-vm runs them in the VM.
	/usr/bin/python3 book/walkthrough.py coverage || bad=1
	[ $bad = 0 ] && echo "book: links, program names and the walk-through's commands checked"
	return $bad
}

view() {
	trace=$1
	out=$2
	if [ ! -r "$trace" ]; then
		echo "view: $trace: no such file (make view TRACE=FILE.json, from --json FILE)" >&2
		exit 2
	fi
	name=$(basename "$trace" .json | sed 's/[^A-Za-z0-9._-]/_/g')
	{
		printf '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
		printf '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
		printf '<title>trace: %s</title>\n</head>\n<body class="viewer-page">\n' "$name"
		printf '<div class="trace-view" data-name="%s" data-step="on">' "$name"
		printf '<script type="application/x-ndjson">\n'
		# "</" as "<\/", the same JSON string, so no value ends the script.
		sed 's#</#<\\/#g' "$trace"
		printf '</script></div>\n<script>\n'
		cat book/viewer.js
		printf '</script>\n</body>\n</html>\n'
	} >"$out"
	echo "view: $out"
}

cmd=$1
shift
"$cmd" "$@"
