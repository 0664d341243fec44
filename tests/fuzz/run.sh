#!/bin/sh
# tests/fuzz/run.sh SECONDS NAME... - make fuzz: for each harness
# build/fuzz/NAME, replay the inputs that once crashed it
# (tests/fuzz/regressions/NAME/, kept for good), then fuzz it for SECONDS
# from its seed corpus (tests/fuzz/corpus/NAME/) with a fixed seed. New
# inputs go to build/fuzz/work/NAME, crashes to build/fuzz/crashes/NAME/;
# the repository's directories are only read. Fails on any crash.
set -u
seconds=$1
shift
failed=""
for name in "$@"; do
	bin=build/fuzz/$name
	work=build/fuzz/work/$name
	crashes=build/fuzz/crashes/$name
	rm -rf "$work" && mkdir -p "$work" "$crashes"
	regressions=tests/fuzz/regressions/$name
	log=build/fuzz/$name.log
	if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
		# -runs=0: run every input of the directory once, fuzz nothing.
		if ! "$bin" -runs=0 -close_fd_mask=3 "$regressions" >"$log" 2>&1; then
			echo "fuzz: $name: a kept regression input crashes again:"
			tail -n 30 "$log"
			failed="$failed $name"
			continue
		fi
		echo "fuzz: $name: $(ls "$regressions" | wc -l) regression input(s) replayed, no crash"
	fi
	# -close_fd_mask=3: the parsers' one-line errors are not shown (crash
	# reports still are); -timeout: one input may take 10 s at most.
	if ! "$bin" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"$work" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
		echo "fuzz: $name: CRASH; the input is kept in $crashes/:"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 4
		# Again with stderr open: the harness's own words on what broke.
		for crash in "$crashes"/*; do
			"$bin" "$crash" 2>&1 | grep -E 'broken promise|ERROR: Address|runtime error' |
				head -n 3
		done
		echo "fuzz: fix the bug, then keep the input: cp $crashes/* $regressions/"
		failed="$failed $name"
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')
	echo "fuzz: $name: ${seconds} s, $execs runs ($rate/s), $last, no crash"
done
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed"
	exit 1
fi
echo "fuzz: all $# harnesses ran without a crash"
