/*
 * cgroup_impl.h - what the files of lesson 02's cgroup helpers share among
 * themselves and show no program: not part of cgroup.h's interface.
 */
#ifndef NUTSHELL_CGROUP_IMPL_H
#define NUTSHELL_CGROUP_IMPL_H

/* Part of the v2 core rather than a controller to enable: "freezer"
 * (cgroup.freeze) and "devices" (a BPF program, cgroup_devices.c). */
int cg_v2_core(const char *controller);

/* Writes VALUE to DIR/FILE of a cgroup: openat(2) and write(2), traced
 * (cgroup.c; cgroup_devices.c writes devices.allow with it). */
int cg_write_file(const char *dir, const char *file, const char *value);

#endif
