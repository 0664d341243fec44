#!/bin/sh
# scripts/book.sh - the parts of `make book` that are not pandoc.
#
#   scripts/book.sh diagrams OUTDIR   render book/diagrams/*.dot to OUTDIR/*.svg
#   scripts/book.sh check HTML...     every internal link resolves; every
#                                     lesson program is named in BOOK.md and
#                                     in its worksheet
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
		sed -e "$script" -e 's/@[a-z_]*@/?/g' "$dot" | dot -Tsvg -o "$out/$name.svg"
	done
	echo "book: diagrams in $out"
}

check() {
	bad=0
	for html in "$@"; do
		# Every href="#id" must name an id="id" of the same file.
		ids=$(grep -o ' id="[^"]*"' "$html" | sed 's/^ id="//; s/"$//' | sort -u)
		for ref in $(grep -o 'href="#[^"]*"' "$html" | sed 's/^href="#//; s/"$//' | sort -u); do
			if ! printf '%s\n' "$ids" | grep -qxF "$ref"; then
				echo "book: $html: link to #$ref, but no such id" >&2
				bad=1
			fi
		done
	done
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
	[ $bad = 0 ] && echo "book: links and program names checked"
	return $bad
}

cmd=$1
shift
"$cmd" "$@"
