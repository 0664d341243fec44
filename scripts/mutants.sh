#!/usr/bin/env bash
# scripts/mutants.sh - `sudo make mutants`: is every defence of the launcher
# really tested? Each mutant below breaks one defence with a small edit; the
# test case named for it must then FAIL. One line per mutant:
#
#   killed    NAME  (SUITE/CASE)   the test failed, as wanted (its first
#                                  failure line follows, indented)
#   SURVIVED  NAME  (SUITE/CASE)   the test passed with the defence broken
#   NOT-HERE  NAME  (SUITE/CASE)   the defence only matters where this host
#                                  is not (NEED below): not run, not a failure
#   UNCLEAR   NAME  (SUITE/CASE)   a second line's case fails with only the
#                                  first line broken (NEED with:)
#
# Exit 1 if any mutant survived, did not apply (the code it edits changed:
# update its pattern) or did not build. The work happens in a copy of the
# tree under ${TMPDIR:-/var/tmp}: this tree's files are never touched. First
# the copy, unbroken, must pass every case used (else a failure proves
# nothing). After each mutant, `nutshell cleanup` removes what it left (a
# nutshell's leftovers); a cgroup left without its scratch directory is
# removed only once a minute old, so then it waits that minute. At the end
# the copy is removed, and the host is compared with how it was before
# (mounts, cgroups, /tmp/nutshell*, /dev/shm/nutshell*): exit 1 if
# anything was left. Slow (a build and a test run per mutant): not part of
# `make check`.
#
#   sudo scripts/mutants.sh [NAME...]     only these mutants
set -uo pipefail
export LC_ALL=C # sort and comm agree
cd "$(dirname "$0")/.." || exit 1
top=$PWD

names=() files=() suites=() cases=() edits=() needs=()
# mutant NAME FILE SUITE CASE PERL [NEED]: PERL is a perl -0 substitution on
# FILE; NEED "cgroup2": run only where /sys/fs/cgroup is cgroup v2 alone;
# NEED "devices-v1": only where a cgroup v1 devices hierarchy is mounted;
# NEED "with:OTHER": a second line of defence, broken together with mutant
# OTHER, the first line (whose own case shows the second line holds alone).
mutant() {
	names+=("$1") files+=("$2") suites+=("$3") cases+=("$4") edits+=("$5") needs+=("${6:-}")
}

mutant sync-byte-pipe 01-namespaces/ns.c ns sync \
	's/O_CLOEXEC \| O_DIRECT/O_CLOEXEC/g'
mutant reclaim-recorded 05-full-container/reclaim.c reliability \
	fault_sigkill_between_cgroup_and_record \
	's/int n = remove_dirs\(&cg, report\);/int n = 0 * report;/'
mutant record-after-mkdir 05-full-container/nutshell.c reliability \
	fault_sigkill_between_cgroup_and_record \
	's/\tif \(ctr_record_cgroups\(child.tmpdir, &cgroup\) == -1\)\n\t\treturn err_prefix\("recording the cgroup"\);\n(\tctr_pause_point\("cgroup-planned"\);)/$1/'
mutant teardown-no-kill 05-full-container/nutshell.c reliability \
	fault_intruder_in_cgroup_at_teardown \
	's/\t\tcg_kill\(&cgroup\);[^\n]*\n//'
mutant no-pdeathsig 05-full-container/inside.c reliability fault_sigkill_at_each_stage \
	's/PR_SET_PDEATHSIG, SIGKILL/PR_SET_PDEATHSIG, 0/g'
mutant pids-limit-0 05-full-container/options.c reliability \
	badinput_refused_before_anything_exists \
	's/if \(strcmp\(arg, "0"\) == 0\)(\n\t+return bad\("--pids-limit)/if (0)$1/'
mutant no-oom-message 05-full-container/nutshell.c reliability fault_oom_at_start \
	's/cg_stat\(&cgroup, "oom_kill"\) > 0/cg_stat(&cgroup, "oom_kill") > 1000/'
mutant tty-not-restored 05-full-container/tty.c nutshell run \
	's/tcsetattr\(STDIN_FILENO, TCSAFLUSH, &saved\);/(void)saved;/'
mutant no-masked-paths 04-overlay-chroot/rootfs_spec.c reliability hardening_masked_paths_bypass \
	's/if \(s->masked && rootfs_mask_all\(root, s->masked\) == -1\)/if (0)/'
mutant scratch-dir-left 05-full-container/nutshell.c reliability fault_busy_cgroup_at_teardown \
	's/if \(TRACE\(rmdir\(child.tmpdir\)/if (0 && TRACE(rmdir(child.tmpdir)/'
mutant fd-leaked-inside 05-full-container/nutshell.c reliability \
	hardening_cve_2024_21626_no_host_fd_inside \
	's/if \(ctr_close_fds\(0\) == -1\)\n/if (0)\n/'
# The next two are second lines of defence, behind the close of the
# caller's fds at nutshell's start (ctr_close_fds): with that first line
# broken too (fd-leaked-inside), the caller's host directory reaches the
# container's setup, and only they keep it from COMMAND.
mutant fds-kept-at-exec 05-full-container/inside.c reliability \
	hardening_cve_2024_21626_no_close_range_fds \
	's/if \(ctr_close_fds\(1\) == -1\)\n/if (0)\n/' with:fd-leaked-inside
mutant workdir-outside-root 05-full-container/inside.c reliability \
	hardening_cve_2024_21626_no_close_range_workdir \
	's/if \(!getcwd\(cwd, sizeof\(cwd\)\) \|\| cwd\[0\] != .\/.\)/if (0 \&\& !getcwd(cwd, sizeof(cwd)))/' \
	with:fd-leaked-inside
mutant symlinked-proc 05-full-container/options.c reliability \
	hardening_cve_2019_19921_symlinked_proc \
	's/if \(ok && rootfs_check_image\(cfg->rootfs\) == -1\)/if (0)/'
# A mount target such as a volume's /new/../proc: after a missing name the
# rest was taken as names to create, unlooked-at, so ".." back out of it
# reached the image's /proc unchecked, a symlink the kernel then followed.
mutant resolve-missing-dotdot 04-overlay-chroot/rootfs_path.c rootfs rootfs \
	's/if \(missing && strlen\(done\) <= found_len\)/if (0 && strlen(done) <= found_len)/'
# The retries of rmdir: a child cgroup made from outside holds the cgroup
# busy for 300 ms after the container exits (on v1 and v2 alike). The other
# way a cgroup is busy after cg_kill() found cgroup.procs empty - a process
# whose leader has exited, its last thread still freeing memory - happens on
# cgroup v2 only and not on cue (fault_dying_process_at_teardown).
mutant no-removal-retries 02-cgroups/cgroup.c reliability fault_busy_subcgroup_at_teardown \
	's/if \(errno != EBUSY \|\| wait_now\(\) > deadline\)/if (1 || wait_now() > deadline)/'
mutant step-ctrl-c-ignored common/trace.c nutshell run \
	's/sigismember\(&sigs, SIGINT\)\)/sigismember(&sigs, SIGINT) \&\& 0)/'
# Turned-on controllers handed to the last of ours (cgroup v2 only).
mutant subtree-not-handed-over 02-cgroups/cgroup.c reliability fault_subtree_control_given_back \
	's/if \(cg->d\[i\]\.enabled\[0\]\)(\n\t+enabled_add)/if (0)$1/' \
	cgroup2
# CVE-2019-5736 (issue 18): nutshell runs from a sealed memfd copy of itself;
# --init is a fresh execve of it, not a fork of the launcher (issue 23, 10).
mutant no-sealed-copy 05-full-container/nutshell.c self_exe self_exe_symlink \
	's/if \(ctr_run_sealed\(argv\) == -1\)/if ((void)argv, 0)/'
# Issue 21: where it can, nutshell runs from a read-only overlayfs view of
# its binary instead of a copy; the copy is what it gets without fsopen(2).
# The launcher then runs from the host's file, as a view it takes for one
# (the second run knows itself by SEALED_FROM alone): not a start that fails.
mutant view-is-the-host-file 05-full-container/sealed.c self_exe self_exe_symlink \
	's/view = openat\(mnt, slash \+ 1, /view = openat(AT_FDCWD, self_path, /; s/if \(is_sealed\(fd\)\) \{/if (is_sealed(fd) || from) {/'
mutant copy-not-sealed 05-full-container/sealed.c self_exe self_exe_symlink_memfd \
	's/F_SEAL_SHRINK \| F_SEAL_GROW \| F_SEAL_WRITE\) == -1\)/F_SEAL_SHRINK | F_SEAL_GROW) == -1)/; s/\(seals & SEALS\) == SEALS/(seals \& F_SEAL_SEAL)/'
# The same edit against the other two attacks of issue 18: COMMAND a
# "#!/proc/self/exe" script (with --init), and a second process of the
# container opening /proc/PID/exe of the runtime's processes.
mutant no-sealed-copy-script 05-full-container/nutshell.c self_exe self_exe_script_init \
	's/if \(ctr_run_sealed\(argv\) == -1\) \{/if ((void)argv, 0) {/'
mutant no-sealed-copy-observer 05-full-container/nutshell.c self_exe \
	self_exe_from_a_container_process 's/if \(ctr_run_sealed\(argv\) == -1\) \{/if ((void)argv, 0) {/'
# The same edit when an engine starts the container (create, then start):
# config.json's process runs /proc/self/exe.
mutant no-sealed-copy-oci 05-full-container/nutshell.c self_exe_oci self_exe_oci_create_start \
	's/if \(ctr_run_sealed\(argv\) == -1\) \{/if ((void)argv, 0) {/'
# And through `nutshell exec` (the CVE as it was exploited, via docker exec):
# exec counted among the runtime commands that enter no container, so it
# skips the sealed copy and its process runs the host's file.
mutant no-sealed-copy-exec 05-full-container/oci.c self_exe_oci self_exe_oci_exec \
	's/ \|\| strcmp\(argv\[i\], "exec"\) == 0\);/ || 0);/'
mutant init-is-the-launcher 05-full-container/inside.c self_exe init_is_not_the_launcher \
	's/TRACE\(execveat\(ch->self_fd/_exit(ctr_init_main((char **)argv + 2)), TRACE(execveat(ch->self_fd/'
mutant same-id-in-parallel 05-full-container/options.c nutshell-load load \
	's/"%02x", rnd\[i\]\)/"%02x", (unsigned char)(i * 17))/'
# Issue 23, items 5, 6, 7, 9 (tests/integration/test_nutshell_resources.c).
# size=0 and nr_inodes=0: a tmpfs without limits (tmpfs(5)), as before.
mutant storage-unlimited 05-full-container/inside.c resources resources_storage_size_limit \
	's/nr_inodes=%llu", cfg->storage_size,/nr_inodes=%llu", 0ULL * cfg->storage_size,/; s/\? 1024 : cfg->storage_size \/ 16384\)/? 0ULL : 0ULL)/'
mutant accept-ra-kept 05-full-container/nutshell.c resources \
	resources_veth_ignores_router_advertisement 's/\tif \(ns_ipv6_refuse_ra\(host_if\) == -1\)\n\t\tgoto out;\n//'
mutant userns-same-range 05-full-container/alloc.c resources resources_userns_ranges_distinct \
	's/if \(holder\("ug", first, USERNS_SIZE\) \|\|/if (0 ||/'
mutant userns-over-subuid 05-full-container/alloc.c resources resources_userns_ranges_distinct \
	's/(ctr_subid_owned\("\/etc\/sub[ug]id", first, USERNS_SIZE, who, sizeof\(who\)\))/($1 \&\& 0)/g'
mutant uidmap-over-subuid 05-full-container/options.c resources \
	resources_uidmap_over_subuid_refused 's/if \(ok && !cfg->userns_force\)/if (0)/'
mutant subnet-shared 05-full-container/alloc.c resources resources_veth_subnets_distinct \
	's/if \(holder\("n", net, 256\) \|\| host_address_in\(ifs, net, 256\)\)/if (0)/'
mutant alloc-not-freed 05-full-container/alloc.c resources \
	resources_allocation_reclaimed_after_sigkill 's/\tsnprintf\(path, sizeof\(path\), "%s\/" RECORD, scratch\);\n\tunlink\(path\);\n\}/}/'
mutant userns-orphan-kept 05-full-container/reclaim.c resources \
	resources_allocation_reclaimed_after_sigkill 's/&& ctr_alloc_owned_by\(path, st.st_uid\)/\&\& 0/'
# Issue 23, items 1 and 2: device nodes below a volume, and :ro.
mutant device-allow-list-off 05-full-container/nutshell.c devices cgroup_denies_device \
	's/if \(!devices \|\| cg_devices_allow\(&cgroup, cg_dev_default\) == -1\)/if (!devices)/'
mutant device-v1-list-not-emptied 02-cgroups/cgroup_devices.c devices cgroup_denies_device \
	's/"devices.deny", "a"\)/"devices.deny", "c 1:1 rwm")/' devices-v1
mutant device-program-allows-all 02-cgroups/cgroup_devices.c devices cgroup_denies_device \
	's/PUT\(MOV64_K\(BPF_REG_0, 0\)\);/PUT(MOV64_K(BPF_REG_0, 1));/' cgroup2
mutant device-program-allows-all-unit 02-cgroups/cgroup_devices.c cgroup values \
	's/PUT\(MOV64_K\(BPF_REG_0, 0\)\);/PUT(MOV64_K(BPF_REG_0, 1));/'
mutant volume-nodev-not-recursive 04-overlay-chroot/rootfs.c devices volume_submount_nodev \
	's/unsigned int at = AT_RECURSIVE \| AT_SYMLINK_NOFOLLOW;/unsigned int at = (flags \& MS_RDONLY) ? AT_RECURSIVE | AT_SYMLINK_NOFOLLOW : AT_SYMLINK_NOFOLLOW;/'
mutant volume-ro-not-recursive 04-overlay-chroot/rootfs.c devices volume_ro_recursive \
	's/unsigned int at = AT_RECURSIVE \| AT_SYMLINK_NOFOLLOW;/unsigned int at = (flags \& MS_RDONLY) ? AT_SYMLINK_NOFOLLOW : AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;/'
mutant volume-fallback-top-only 04-overlay-chroot/rootfs.c devices \
	volume_fallback_without_mount_setattr \
	"s/m.point\\[len\\] != '\\\\0' && m.point\\[len\\] != '\\/'/m.point[len] != '\\\\0'/"
mutant volume-remount-drops-flags 04-overlay-chroot/rootfs_spec.c devices volume_keeps_source_flags \
	's/return rootfs_restrict_tree\(target, m->flags\);/return rootfs_mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_NODEV | MS_NOSUID, NULL);/'
# The seccomp profile (issue 25, issue 23 item 8, issue 18): the ENOSYS
# answer for calls newer than the profile, AF_VSOCK (also through the upper
# half of the family), TIOCSTI, and fchmodat2 for a Debian 13 root's tar.
mutant enosys-for-newer 03-capabilities/sc_profile.c profile profile_answers \
	's/\.unknown = SC_ENOSYS,/.unknown = SC_EPERM,/'
mutant vsock-allowed 03-capabilities/sc_profile.c profile profile_socket_families \
	's/\{"socket", SC_EPERM, W\(0, SCMP_CMP_EQ, 40, 0\),/{"socket", SC_ALLOW, W(0, SCMP_CMP_EQ, 40, 0),/'
mutant vsock-upper-half 03-capabilities/sc_profile.c profile profile_socket_families \
	's/\{"socket", SC_EPERM, W\(0, SCMP_CMP_GT, LOW32, 0\),\n[^\n]*\n//'
mutant alg-allowed 03-capabilities/sc_profile.c profile profile_socket_families \
	's/\{"socket", SC_EPERM, W\(0, SCMP_CMP_EQ, 38, 0\),/{"socket", SC_ALLOW, W(0, SCMP_CMP_EQ, 38, 0),/'
mutant tioclinux-allowed 03-capabilities/sc_profile.c profile profile_tiocsti_with_sys_admin \
	's/\{"ioctl", SC_EPERM, W\(1, SCMP_CMP_MASKED_EQ, LOW32, 0x541c\),\n[^\n]*\n//'
mutant tiocsti-allowed 03-capabilities/sc_profile.c profile profile_tiocsti_with_sys_admin \
	's/\{"ioctl", SC_EPERM, W\(1, SCMP_CMP_MASKED_EQ, LOW32, 0x5412\),\n[^\n]*\n//'
mutant fchmodat2-missing 03-capabilities/sc_profile.c profile profile_trixie_root \
	's/    N\("fchmodat2",\n[^\n]*\n//'
# pidfd_getfd without CAP_SYS_PTRACE (Docker gates it), and a known call in
# no row of the table answering ENOSYS (the "no such call" answer) instead
# of EPERM.
mutant pidfd-getfd-allowed 03-capabilities/sc_profile.c profile profile_answers \
	's/D\("pidfd_getfd", CAP_SYS_PTRACE, /N("pidfd_getfd", /'
mutant known-calls-enosys 03-capabilities/sc.c docker docker \
	's/if \(name && !sc_find\(p, name\)\) \{/if (name \&\& 0) {/'
# A call Docker allows, dropped from the table without a reason given: the
# difference test must fail on it.
mutant docker-diff-unexplained 03-capabilities/sc_profile.c docker docker \
	's/    A\("copy_file_range"\),\n//'
# The container's own session (issues 18, 23): without it, TIOCSTI types
# into the caller's terminal and kill(0) reaches the caller's group.
mutant no-setsid-tiocsti 05-full-container/inside.c session tiocsti_refused_without_seccomp \
	's/if \(TRACE\(setsid\(\), "setsid", "%s", ""\) == -1\)/if (0)/'
mutant no-setsid-inspect 05-full-container/inside.c session tiocsti_session_seen_by_inspect \
	's/if \(TRACE\(setsid\(\), "setsid", "%s", ""\) == -1\)/if (0)/'
mutant no-setsid-kill0 05-full-container/inside.c session session_kill0_spares_callers_group \
	's/if \(TRACE\(setsid\(\), "setsid", "%s", ""\) == -1\)/if (0)/'
# Standard input and output that are host files handed over as they are.
mutant stdio-not-relayed 05-full-container/stdio.c session stdio_host_files_unreachable \
	's/(passed_as_is\(int fd, const struct stat \*st\)\n\{\n)/$1\treturn 1;\n/'
# docker's umask, and the image's groups for root instead of the caller's.
mutant no-umask 05-full-container/inside.c session user_as_docker \
	's/TRACE\(umask\(022\), "umask", "022"\);//'
# --env PATH=... passed as a second PATH after the default: COMMAND looked
# up in the default one (execvp takes the first).
mutant env-path-first 05-full-container/inside.c session user_as_docker \
	's/later = same_key\(cfg->env\[i\], cfg->env\[j\]\);/later = 0 * same_key(cfg->env[i], cfg->env[j]);/'
mutant callers-groups 05-full-container/inside.c session user_as_docker \
	's/if \(!cfg->rootless &&\n\s*TRACE\(setgroups/if (0 \&\& TRACE(setgroups/'
# Hosts say why (issue 18): a read-only cgroup filesystem, as root, is the
# mount's doing, not a missing delegation; doctor says 02 and 05 do not run.
mutant cgroup-ro-said-delegation 02-cgroups/cgroup.c doctor doctor \
	's/if \(access\(l->h\[h\]\.base, W_OK\) != 0 && errno == EROFS\)/if (0)/'
mutant doctor-ro-unseen 05-full-container/doctor.c doctor doctor \
	's/cg_ro \|= access\(l\.h\[i\]\.base, W_OK\) != 0 && errno == EROFS;/cg_ro |= 0;/'
# Debian's and Ubuntu's user-namespace knobs (common/host.c), read from a
# fake /proc tree: a user refused by Debian's switch is told so; so is one
# whose namespace was made (err 0) but AppArmor left without capabilities.
mutant debian-switch-unsaid common/host.c hostwhy hostwhy_debian_switch \
	's/k->unprivileged_userns_clone == 0\)/k->unprivileged_userns_clone == 0 \&\& as_root)/'
mutant apparmor-made-unsaid common/host.c hostwhy hostwhy_ubuntu_apparmor \
	's/\(err == 0 \|\| err == EPERM\) && !as_root && k->apparmor_restrict == 1/err == EPERM \&\& !as_root \&\& k->apparmor_restrict == 1/'
# cgroup v2's "no internal processes" (EBUSY on cgroup.subtree_control) named,
# in a cgroup namespace whose root holds nutshell itself.
mutant busy-unexplained 02-cgroups/cgroup.c doctor doctor \
	's/const char \*w = host_cgroup_why\(e, path, why, sizeof\(why\)\);/const char *w = ((void)why, (const char *)0);/' \
	cgroup2
# Hostile images (04-overlay-chroot/image_digest.c, image_apply.c): each refusal
# of unpack.
mutant unpack-dotdot 04-overlay-chroot/image_apply.c unpack unpack_hostile \
	's/if \(!strcmp\(c, "\.\."\)\)/if (0)/'
mutant unpack-through-symlink 04-overlay-chroot/image_apply.c unpack unpack_hostile \
	's/\} else if \(!S_ISDIR\(st\.st_mode\)\) \{/} else if (0) {/'
mutant unpack-blob-digest 04-overlay-chroot/image_digest.c unpack unpack_hostile \
	's/if \(l->digest\[0\] && strcmp\(blob, l->digest\)\)/if (0)/'
# rootfs_setup: an entry under /dev mounted in the small /dev, not under it.
mutant rootfs-dev-entries 04-overlay-chroot/rootfs_spec.c rootfs-spec setup \
	's/return strncmp\(destination, "\/dev\/", 5\) == 0;/return !destination;/'
mutant oci-state-symlink 05-full-container/oci_state.c oci oci_bad_input \
	's/if \(lstat\(s->dir, &st\)/if (stat(s->dir, &st)/'
mutant oci-id-path 05-full-container/oci_state.c oci oci_bad_input \
	's/0123456789_\+-\."\)/0123456789_+-.\/")/'
# exec: the entering process is not dumpable until execve (CVE-2016-9962);
# the container's uid-0 processes can then not open its /proc/PID/fd.
mutant oci-exec-dumpable 05-full-container/oci_exec.c oci oci_exec_not_dumpable \
	's/prctl\(PR_SET_DUMPABLE, 0, 0, 0, 0\)/prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)/'
# create: init is not dumpable while it waits on the exec fifo, so an exec
# into the created container cannot follow its /proc/1/fd (CVE-2016-9962).
mutant oci-create-dumpable 05-full-container/oci_create.c oci oci_create_not_dumpable \
	's/prctl\(PR_SET_DUMPABLE, 0, 0, 0, 0\)/prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)/'
# create killed before "go": init holds no write end of the go pipe, so it
# reads EOF and ends instead of waiting forever outside the container's cgroup.
mutant oci-create-init-holds-go 05-full-container/oci_create.c oci oci_create_killed \
	's/\tclose\(a->go_write\);\n//'
# create records the cgroup before making it: delete --force of a create
# killed right after cg_make() finds and removes it.
mutant oci-create-record-after-mkdir 05-full-container/oci_cgroup.c oci oci_create_killed \
	's/\tif \(ctr_record_cgroups\(dir, cg\) == -1\)\n\t\treturn err_prefix\("cgroup %s", path\);\n(\tctr_pause_point\("oci-cgroup-planned"\);)/$1/'
# A bind's noexec from config.json (an engine asked for it) is kept.
mutant bind-noexec-dropped 04-overlay-chroot/rootfs.c oci oci_bind_options \
	's/\{MS_NOEXEC, MOUNT_ATTR_NOEXEC\}/{0, MOUNT_ATTR_NOEXEC}/'
# A net.* sysctl is refused for a container in the host's network namespace:
# it would set the host's (runc's validator).
mutant oci-sysctl-host-net 05-full-container/oci_spec.c oci oci_sysctl_host_network \
	's/\treturn 1;\n\}\n\nstatic int\nparse_linux/\treturn 0;\n}\n\nstatic int\nparse_linux/'
# readonlyPaths applied in the OCI mode, after the sysctls (/proc/sys).
mutant oci-readonly-paths 05-full-container/oci_mount.c oci oci_sysctl \
	's/if \(rootfs_readonly_all\("\/", s->readonly_paths\) == -1\)/if (0)/'
# The cgroup namespace made by init once it is in the container's cgroup,
# not at clone(2) in create's: else its root is create's cgroup, and the
# container reads its place in the host's tree ("/../../ID").
mutant oci-cgroupns-at-clone 05-full-container/oci_create.c oci oci_cgroup_namespace \
	's/\(spec->ns_flags & ~\(unsigned long\)CLONE_NEWCGROUP\)/spec->ns_flags/; s/if \(\(s->ns_flags & CLONE_NEWCGROUP\) && ns_unshare\(CLONE_NEWCGROUP\) == -1\)/if (0)/'
# Without a cgroup namespace, binds of the container's own cgroup
# directories, not new mounts, which would show the host's whole tree.
mutant oci-cgroup-not-bound 05-full-container/oci_mount.c oci oci_cgroup_namespace \
	's/\(s->ns_flags & CLONE_NEWCGROUP \? 0 : CTR_CG_BIND\)/0/'
# linux.namespaces with a path (a podman pod's /proc/INFRA/ns/net) joined
# with setns(2); skipped, the container stays in the host's namespace.
mutant oci-ns-path-joined 05-full-container/oci_create.c oci-podman podman_pod_inspect \
	's/if \(ns_setns\(a->ns_fd\[i\], s->ns_type\[i\]\) == -1\) \{/if (0) {/'
mutant unpack-diff-id 04-overlay-chroot/image_digest.c unpack unpack_docker_save \
	's/if \(strcmp\(diff, l->diff_id\)\)/if (0)/'
mutant unpack-no-max-size 04-overlay-chroot/image_digest.c unpack unpack_hostile \
	's/if \(\*size > max_size\)/if (0)/'
mutant unpack-devices-kept 04-overlay-chroot/image_apply.c unpack unpack_hostile \
	's/if \(!o->trusted\) \{/if (0) {/'
mutant unpack-rename-race 04-overlay-chroot/unpack.c unpack unpack_concurrent \
	's/if \(errno != EEXIST && errno != ENOTEMPTY\)/if (1)/'
mutant unpack-trusted-xattr 04-overlay-chroot/image_apply.c unpack unpack_hostile \
	's/int ok = !strcmp\(name, "security\.capability"\) \|\|/int ok = 1 ||/'
# The image store (04-overlay-chroot/store_write.c, store_import.c): a layer no
# image names is removed; a layer the store has is shared, not unpacked again.
mutant store-no-tidy 04-overlay-chroot/store_write.c store store_three_layers \
	's/if \(de->d_name\[0\] == .\.. \|\| named\(/if (1 || named(/'
mutant store-no-sharing 04-overlay-chroot/store_import.c store store_shared_base \
	's/if \(lstat\(final, &sb\) == 0/if (0 && lstat(final, &sb) == 0/'
# A layer is unpacked aside and renamed into layers/ whole: unpacked in place
# instead, an import killed half-way leaves a partial layer that the next
# import takes for a stored one.
mutant store-layer-in-place 04-overlay-chroot/store_import.c store store_import_killed \
	's/if \(img_apply\(blob, tmp, &ao, &st\) == -1\)/if (mkdir(final, 0755) == -1 || img_apply(blob, final, &ao, &st) == -1)/; s/TRACE\(renameat\(AT_FDCWD, tmp, AT_FDCWD, final\)/TRACE(rmdir(tmp)/'
# The writers' lock (store_write.c store_lock): two imports at once of
# images sharing layers take turns; without it they unpack a shared layer
# side by side (the second rename into layers/ fails) and each clears the
# other's half-made import out of tmp/.
mutant store-no-writer-lock 04-overlay-chroot/store_write.c store store_import_concurrent \
	's/if \(flock\(fd, LOCK_EX\) == -1\) \{/if (0) {/'
# A running container's layers: run --image holds them (store.c store_hold),
# and a writer frees a layer only when it gets the exclusive lock.
mutant store-no-hold 05-full-container/image_run.c store store_rm_in_use \
	's/if \(store_hold\(&image\) == -1\)/if (0)/'
mutant store-rm-ignores-hold 04-overlay-chroot/store_write.c store store_rm_in_use \
	's/TRACE\(flock\(fd, LOCK_EX \| LOCK_NB\)/TRACE(0 * flock(fd, LOCK_UN)/'
# Lesson 04's newmount (worksheet step 10): one mount_setattr with
# AT_RECURSIVE makes the volume read-only to the bottom; without it the
# mount beneath stays writable, and the worksheet's table says so.
mutant newmount-not-recursive 04-overlay-chroot/newmount.c newmount newmount \
	's/mount_setattr\(tree, "", AT_EMPTY_PATH \| AT_RECURSIVE,/mount_setattr(tree, "", AT_EMPTY_PATH,/'
# linux.cgroupsPath and linux.resources.devices (05-full-container/oci_cgroup.c,
# oci_create.c): the parents a cgroupsPath needed go with the container; the
# device cgroup holds config.json's allow rules, not only the default list.
mutant oci-cgroup-parents-left 05-full-container/oci_cgroup.c oci-fields oci_cgroups_path_absolute \
	's/TRACE\(rmdir\(lines\[i\]\), "rmdir"/TRACE(0, "rmdir"/'
mutant oci-device-rules-ignored 05-full-container/oci_create.c oci-fields oci_devices \
	's/cg_devices_allow\(cg, s->dev_rules\)/cg_devices_allow(cg, cg_dev_default)/'
# nutshell spec's linux.seccomp (05-full-container/oci_default_seccomp.c):
# the launcher's profile in config.json's form, its argument rules (clone's
# namespace bits, socket families, ioctl requests) and its EPERM list of
# the known calls it does not allow; and the runtime giving a call this
# libseccomp has no name for its number from lesson 03's table
# (oci_seccomp.c), as the launcher's filter does.
mutant spec-seccomp-args-dropped 05-full-container/oci_default_seccomp.c oci-spec oci_spec_seccomp \
	's/json_array_extend\(list, args\) \|\| //'
mutant spec-seccomp-known-dropped 05-full-container/oci_default_seccomp.c oci-spec oci_spec_seccomp \
	's/bad \|= add_name\(by_action\[p->known\], name\);/(void)0;/'
mutant oci-seccomp-no-table-numbers 05-full-container/oci_seccomp.c oci-spec oci_spec_seccomp \
	's/int table_nr = nr == __NR_SCMP_ERROR && name \? sc_resolve\(name, 0\) : -1;/int table_nr = -1;/'

if [[ $(id -u) != 0 ]]; then
	echo "mutants: needs root (the tests it runs create namespaces and cgroups)" >&2
	exit 1
fi
want=("$@")
chosen() {
	((${#want[@]} == 0)) && return 0
	local w
	for w in "${want[@]}"; do [[ $w == "$1" ]] && return 0; done
	return 1
}

# What a run could leave on the host, one sorted line each: mounts, the
# cgroups the cases make (nutshell-ID, reltest-*, oci-ID; and the OCI mode's
# /ID, /docker/ID, /NAMESPACE/ID at the top of a hierarchy: any cgroup there
# that is not a systemd unit), scratch and test directories.
host_state() {
	awk '{ for (i = 7; $i != "-"; i++); print "mount", $5, $(i + 1) }' /proc/self/mountinfo
	{
		find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d \( -name 'nutshell-*' -o \
			-name 'reltest-*' -o -name 'oci-*' \) -printf 'cgroup %p\n'
		# The top of each hierarchy only: deeper, others (systemd, a sandbox's
		# per-process cgroups) come and go on their own.
		awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $5 }' \
			/proc/self/mountinfo | while read -r top; do
			find "$top" -mindepth 1 -maxdepth 1 -type d -not -name '*.slice' \
				-not -name '*.scope' -printf 'cgroup %p\n'
		done
	} 2>/dev/null | sort -u
	ls -d /tmp/nutshell* /dev/shm/nutshell* 2>/dev/null | sed 's/^/dir /'
}
# nutshell-ID cgroups that were not there before the run.
new_cgroups() { host_state | sort | grep '^cgroup .*/nutshell-' | comm -13 "$work/before" -; }
# `nutshell cleanup`; a cgroup whose scratch directory is gone, it removes
# only once the cgroup is a minute old (so as not to take a starting
# nutshell's): for such a one, it runs again after that minute.
reclaim() {
	local nutshell=$tree/05-full-container/nutshell
	[[ -x $nutshell ]] || return 0
	"$nutshell" -q cleanup >/dev/null
	# OCI cgroups that a broken create left without a record (so no
	# `delete --force` finds them; `nutshell cleanup` reclaims only its own
	# nutshell-ID): every cgroup new since the start but nutshell-ID, its
	# processes killed, then removed, deepest first.
	local d
	host_state | sort | grep '^cgroup ' | grep -v '/nutshell-[^/]*$' | comm -13 "$work/before" - |
		cut -d' ' -f2- | while read -r top; do
		find "$top" -depth -type d 2>/dev/null | while read -r d; do
			xargs -r kill -KILL <"$d/cgroup.procs" 2>/dev/null
			for _ in $(seq 50); do
				rmdir "$d" 2>/dev/null && break
				sleep 0.1
			done
		done
	done
	# A killed mutant is a failed test case, which stops before removing
	# its own directories.
	host_state | sort | grep '^dir /tmp/nutshell-test-' | comm -13 "$work/before" - |
		cut -d' ' -f2- | xargs -r rm -rf --
	if [[ -n $(new_cgroups) ]]; then
		echo "mutants: a cgroup was left; waiting a minute for \`nutshell cleanup\`:" >&2
		new_cgroups | sed 's/^/    /' >&2
		sleep 62
		"$nutshell" -q cleanup >/dev/null
	fi
}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/nutshell-mutants.XXXXXX")
tree=$work/tree
host_state | sort >"$work/before"
left=0
cleanup() {
	reclaim
	host_state | sort >"$work/after"
	if ! cmp -s "$work/before" "$work/after"; then
		echo "mutants: the host changed during the run (+ left, - gone; or a concurrent run's):" >&2
		diff "$work/before" "$work/after" | grep '^[<>]' | sed 's/^</  -/; s/^>/  +/' >&2
		grep -q '^>' <(diff "$work/before" "$work/after") && left=1
	fi
	rm -rf "$work"
	((left)) && exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The copy, with its build (timestamps kept, so only what a mutant touches
# is rebuilt); not the VM's kernel, the fuzzers or the
# fresh-machine roots (build/fresh, make check-fresh: hundreds of MB).
mkdir -p "$tree"
tar -C "$top" --exclude=./.git --exclude=./build/vm --exclude=./build/fuzz --exclude=./build/fresh -cf - . |
	tar -C "$tree" -xf -
build() { make -C "$tree" -s all image tests/check tests/probe/scprobe >"$work/build.log" 2>&1; }
# Runs SUITE/CASE in the copy; 0 when it passed, 1 failed, 2 ran no test.
run_case() {
	(cd "$tree" && CK_RUN_SUITE=$1 CK_RUN_CASE=$2 timeout 900 tests/check) >"$work/run.log" 2>&1
	local status=$?
	grep -q '^100%: Checks: [1-9]\|^[0-9]*%: Checks: [1-9]' "$work/run.log" || return 2
	return $((status != 0))
}

if ! build; then
	echo "mutants: the unbroken copy does not build:" >&2
	tail -n 20 "$work/build.log" >&2
	exit 1
fi
declare -A checked
for i in "${!names[@]}"; do
	chosen "${names[$i]}" || continue
	key=${suites[$i]}/${cases[$i]}
	[[ -n ${checked[$key]:-} ]] && continue
	run_case "${suites[$i]}" "${cases[$i]}"
	case $? in
	0) checked[$key]=1 ;;
	2) echo "mutants: $key ran no test: no such suite or case" >&2 && exit 1 ;;
	*) echo "mutants: $key fails even unbroken:" >&2 && tail -n 20 "$work/run.log" >&2 && exit 1 ;;
	esac
done

bad=0 count=0 nothere=0
for i in "${!names[@]}"; do
	chosen "${names[$i]}" || continue
	name=${names[$i]} file=$tree/${files[$i]} key=${suites[$i]}/${cases[$i]}
	if [[ ${needs[$i]} == cgroup2 && $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
		printf '%-9s %-20s (%s): needs cgroup v2 alone at /sys/fs/cgroup\n' NOT-HERE \
			"$name" "$key"
		nothere=$((nothere + 1))
		continue
	fi
	if [[ ${needs[$i]} == devices-v1 && ! -e /sys/fs/cgroup/devices/devices.list ]]; then
		printf '%-9s %-20s (%s): needs a cgroup v1 devices hierarchy\n' NOT-HERE \
			"$name" "$key"
		nothere=$((nothere + 1))
		continue
	fi
	count=$((count + 1))
	# with:OTHER - OTHER's edit first (its file kept as original2).
	with=-1
	if [[ ${needs[$i]} == with:* ]]; then
		for k in "${!names[@]}"; do [[ ${names[$k]} == "${needs[$i]#with:}" ]] && with=$k; done
		cp -p "$tree/${files[$with]}" "$work/original2"
		perl -0pi -e "${edits[$with]}" "$tree/${files[$with]}"
		# The first line broken alone, the case must still pass: the
		# second line holds by itself.
		if ! build || ! run_case "${suites[$i]}" "${cases[$i]}"; then
			printf '%-9s %-20s (%s): fails with %s alone\n' "UNCLEAR" "$name" "$key" \
				"${names[$with]}"
			bad=1
			cp "$work/original2" "$tree/${files[$with]}"
			touch "$tree/${files[$with]}"
			build && reclaim
			continue
		fi
	fi
	cp -p "$file" "$work/original"
	perl -0pi -e "${edits[$i]}" "$file"
	if cmp -s "$file" "$work/original" ||
		{ ((with >= 0)) && cmp -s "$tree/${files[$with]}" "$work/original2"; }; then
		printf '%-9s %-20s %s: the pattern no longer matches %s\n' "NOT-APPLIED" "$name" \
			"($key)" "${files[$i]}"
		bad=1
	elif ! build; then
		printf '%-9s %-20s (%s)\n' "NO-BUILD" "$name" "$key"
		tail -n 5 "$work/build.log" | sed 's/^/    /'
		bad=1
	else
		run_case "${suites[$i]}" "${cases[$i]}"
		case $? in
		1)
			printf '%-9s %-20s (%s)\n' killed "$name" "$key"
			# The test's first failure line: what the broken defence let through.
			grep -m 1 -E '^[^ ]+:[0-9]+:[EF]:' "$work/run.log" | cut -c 1-400 | sed 's/^/    /'
			;;
		*)
			printf '%-9s %-20s (%s)\n' SURVIVED "$name" "$key"
			bad=1
			;;
		esac
	fi
	# Back to the original, newer than the mutant's object: rebuilt next time.
	cp "$work/original" "$file"
	touch "$file"
	if ((with >= 0)); then
		cp "$work/original2" "$tree/${files[$with]}"
		touch "$tree/${files[$with]}"
	fi
	# What a mutant's run left (a cgroup, a scratch directory) is gone
	# before the next one runs.
	build && reclaim
done
result=$( ((bad)) && echo "some not killed" || echo "all killed")
((nothere)) && result+=", $nothere not run here (NOT-HERE)"
echo "mutants: $count run, $result"
exit $bad
