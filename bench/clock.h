/*
 * bench/clock.h - what the benchmark programs share: the time on
 * CLOCK_MONOTONIC (never set back by someone changing the date) and the
 * comparison qsort(3) needs for a median.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <time.h>

/* Now, in microseconds. */
static inline double
bench_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* For qsort(3) of doubles, smallest first. */
static inline int
bench_by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#endif
