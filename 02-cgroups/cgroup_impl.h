/*
 * cgroup_impl.h - what the files of lesson 02's cgroup helpers share among
 * themselves and show no program: not part of cgroup.h's interface.
 */
#ifndef NUTSHELL_CGROUP_IMPL_H
#define NUTSHELL_CGROUP_IMPL_H

/* Is NAME one of the SEP-separated words of LIST ("cpu,cpuacct" with ',';
 * a cgroup.controllers line with ' ')? */
int cg_word_in(const char *list, const char *name, char sep);

/* Part of the v2 core rather than a controller to enable: "freezer"
 * (cgroup.freeze) and "devices" (a BPF program, cgroup_devices.c). */
int cg_v2_core(const char *controller);

#endif
