# bench/phases.awk - the phases table of make bench and make bench-vm
# (bench/bench.sh, bench/vm.sh): reads "PHASE VALUE" lines, sorted by phase
# and value (NUTSHELL_TIMINGS=1's stamps of many starts), prints each
# phase's median in the order the phases first came, and appends each as a
# row to the CSV file named by -v csv=FILE.
{ v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; names[++n] = $1 } }
END {
	for (i = 1; i <= n; i++) {
		k = names[i]; m = split(v[k], a, " "); med = a[int((m + 1) / 2)]
		unit = k == "peak_rss" ? "KiB" : "ms"
		printf "  %-14s %9.3f %s\n", k, med, unit
		printf "phases,%s,1,%d,%.3f,,,,,,,\n", k, m, med >>csv
	}
}
