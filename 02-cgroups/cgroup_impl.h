/*
 * cgroup_impl.h - what the files of lesson 02's cgroup helpers share among
 * themselves and show no program: not part of cgroup.h's interface.
 */
#ifndef NUTSHELL_CGROUP_IMPL_H
#define NUTSHELL_CGROUP_IMPL_H

#include "cgroup.h"

/* Part of the v2 core rather than a controller to enable: "freezer"
 * (cgroup.freeze) and "devices" (a BPF program, cgroup_devices.c). */
int cg_v2_core(const char *controller);

/* Writes VALUE to DIR/FILE of a cgroup: openat(2) and write(2), traced
 * (cgroup.c; cgroup_devices.c writes devices.allow with it). */
int cg_write_file(const char *dir, const char *file, const char *value);

/* The directory of the cgroup in the hierarchy that holds v1 controller
 * CONTROLLER, or (NULL) of the v2 cgroup; NULL when it has none. VERSION,
 * if not NULL, gets that hierarchy's version. */
const char *cg_dir_of(const struct cg *cg, const char *controller, int *version);

/* Where FILE of the cgroup lives: the v2 directory, or the v1 hierarchy
 * that holds its controller (then *v1 is the v1 file's name, else NULL). */
const char *cg_locate(const struct cg *cg, const char *file, const char **v1);

#endif
