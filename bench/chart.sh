#!/bin/bash
# bench/chart.sh CSV SVG - the phases of one start (the "phases" rows that
# bench.sh wrote to CSV) as a horizontal bar chart in SVG, in the order a
# start runs them, one bar per phase with its median in ms. Plain awk and
# SVG text: no plotting library (issue 21). The book's performance section
# shows the chart of the machine the bench ran on.
set -euo pipefail

csv=${1:?usage: bench/chart.sh CSV SVG}
svg=${2:?usage: bench/chart.sh CSV SVG}

awk -F, -v title="${BENCH_CHART_TITLE:-nutshell run: where one start goes (NUTSHELL_TIMINGS=1, medians)}" '
BEGIN {
	# The order of a start (05-full-container/ctr.h, enum ctr_stamp).
	n = split("sealed options filter scratch alloc cgroup_make devices cgroup clone outside ns mounts pivot process privileges seccomp_load exec_exit teardown", order, " ")
	what["sealed"] = "run from the sealed view or copy"
	what["options"] = "parse and check the options"
	what["filter"] = "reclaim, seccomp filter, host checks"
	what["scratch"] = "scratch directory made and locked"
	what["alloc"] = "--userns ids, --network veth subnet"
	what["cgroup_make"] = "cgroup planned, recorded, made"
	what["devices"] = "device allow-list (v1 files, v2 program)"
	what["cgroup"] = "limits, channels to the child"
	what["clone"] = "clone(2) into new namespaces"
	what["outside"] = "id maps, veth, \"go\""
	what["ns"] = "child: cgroup ns, hostname, network"
	what["mounts"] = "child: overlay, /proc /sys /dev, masks"
	what["pivot"] = "child: pivot_root, old root detached"
	what["process"] = "child: rlimits, workdir, environment"
	what["privileges"] = "child: user, capabilities, no_new_privs"
	what["seccomp_load"] = "child: seccomp(2) load"
	what["exec_exit"] = "COMMAND: execve to exit"
	what["teardown"] = "cgroup and scratch removed"
}
$1 == "phases" && $2 != "peak_rss" && $2 != "total" { ms[$2] = $5 + 0; if (ms[$2] > max) max = ms[$2] }
$1 == "phases" && $2 == "total" { total = $5 + 0 }
END {
	if (!max) { print "chart: no phases rows in the CSV" > "/dev/stderr"; exit 1 }
	bar = 360; left = 330; row = 22; top = 44
	h = top + n * row + 30
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + bar + 90, h
	printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	printf "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", title
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in ms)) continue
		y = top + (i - 1) * row
		w = ms[k] / max * bar
		child = what[k] ~ /^child|^COMMAND/
		printf "<text x=\"10\" y=\"%d\">%s</text>\n", y + 14, k
		printf "<text x=\"110\" y=\"%d\" fill=\"#555\">%s</text>\n", y + 14, what[k]
		printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>\n", left, y + 2, w, child ? "#d08a2c" : "#3b6ea8"
		printf "<text x=\"%.1f\" y=\"%d\">%.3f ms</text>\n", left + w + 6, y + 14, ms[k]
	}
	y = top + n * row + 16
	printf "<text x=\"10\" y=\"%d\" fill=\"#555\">blue: the launcher (parent); orange: the container%s</text>\n", y,
		total ? sprintf("; total %.3f ms from the first main() to teardown", total) : ""
	printf "</svg>\n"
}' "$csv" >"$svg.new"
mv "$svg.new" "$svg"
