/*
 * timings.c - NUTSHELL_TIMINGS=1: how long each step of one start took
 * (`make bench` reads these), in a page the parent shares with the child
 * of clone(2), which stamps its own steps (ctr.h, enum ctr_stamp).
 */
#include "../common/procfs.h"
#include "../common/trace.h"
#include "ctr.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

volatile long long *ctr_stamps;

void
ctr_timings_start(void)
{
	if (!getenv("NUTSHELL_TIMINGS"))
		return;
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ctr_stamps = page == MAP_FAILED ? NULL : page;
	if (ctr_stamps)
		ctr_stamps[CTR_T_START] = ctr_sealed_at();
	ctr_stamp(CTR_T_MAIN);
}

/* NUTSHELL_TIMINGS=1: each phase of this start on stderr (and as facts
 * "timing_PHASE_us"), and the launcher's own peak resident memory. */
void
ctr_timings_report(void)
{
	static const char *names[CTR_T_COUNT] = {
	    "start",	  "sealed",	  "options",   "filter",  "scratch",
	    "alloc",	  "cgroup_make",  "devices",   "cgroup",  "clone",
	    "outside",	  "ns",		  "mounts",    "pivot",	  "process",
	    "privileges", "seccomp_load", "exec_exit", "teardown"};
	struct rusage ru;

	for (int s = CTR_T_MAIN; s < CTR_T_COUNT; s++) {
		long long prev = 0;
		for (int p = s - 1; p >= 0 && !prev; p--)
			prev = ctr_stamps[p]; /* the last moment stamped before */
		if (!ctr_stamps[s] || !prev)
			continue;
		trace_error("timing: %-12s %8.3f ms", names[s], (ctr_stamps[s] - prev) / 1e6);
		char key[32];
		snprintf(key, sizeof(key), "timing_%s_us", names[s]);
		trace_fact(key, "%lld", (ctr_stamps[s] - prev) / 1000);
	}
	/* From the first main(): the sealed copy is part of every start. */
	long long first =
	    ctr_stamps[CTR_T_START] ? ctr_stamps[CTR_T_START] : ctr_stamps[CTR_T_MAIN];
	trace_error("timing: %-12s %8.3f ms", "total", (ctr_stamps[CTR_T_TEARDOWN] - first) / 1e6);
	/* VmHWM, the peak of this program's own memory: getrusage(2)'s
	 * ru_maxrss would also count the copy of whatever forked us, before
	 * its execve(2) (a test runner under AddressSanitizer: megabytes). */
	char status[4096], hwm[64] = "?";
	if (proc_read("/proc/self/status", status, sizeof(status)) < 0 ||
	    proc_parse_status(status, "VmHWM", hwm, sizeof(hwm)) != 0) {
		getrusage(RUSAGE_SELF, &ru);
		snprintf(hwm, sizeof(hwm), "%ld kB", ru.ru_maxrss);
	}
	long kib = strtol(hwm, NULL, 10);
	trace_error("timing: %-12s %8ld KiB", "peak_rss", kib);
	trace_fact("launcher_peak_rss_kib", "%ld", kib);
}
