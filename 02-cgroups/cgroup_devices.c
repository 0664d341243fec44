/*
 * cgroup_devices.c - the device allow-list of a cgroup (see cgroup.h).
 *
 * A device node is a name for a driver: whoever may open /dev/sda-like
 * node 8:0 reads the disk, whatever directory the node lies in. Mounting
 * with nodev closes the nodes of one mount; the devices policy of the
 * cgroup closes them everywhere for the cgroup's processes. runc and crun
 * apply the OCI default list (config.md "Default Devices") this way.
 *
 * cgroup v1 has a controller for it, written as text: devices.deny "a"
 * empties the list, each devices.allow line adds a rule
 * (Documentation/admin-guide/cgroup-v1/devices.rst). cgroup v2 has no
 * file: the kernel runs a BPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
 * attached to the cgroup, at each open and mknod of a device node, and
 * refuses with EPERM when it returns 0 (cgroup-v2.rst, "Device
 * controller"; Linux 4.15). The program is built here instruction by
 * instruction, as crun's src/libcrun/ebpf.c does, since there is no
 * compiler to run. Read: bpf(2), the kernel's include/uapi/linux/bpf.h
 * (struct bpf_cgroup_dev_ctx).
 */
#include "../common/decode.h"
#include "../common/err.h"
#include "../common/trace.h"
#include "cgroup.h"
#include "cgroup_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <<< default-devices */
const struct cg_dev_rule cg_dev_default[] = {
    /* Any node may be made (an image may carry or create them), none opened
     * unless listed: runc's and Docker's "c *:* m" and "b *:* m". */
    {'c', -1, -1, "m", "make any character node"},
    {'b', -1, -1, "m", "make any block node"},
    {'c', 1, 3, "rwm", "/dev/null"},
    {'c', 1, 5, "rwm", "/dev/zero"},
    {'c', 1, 7, "rwm", "/dev/full"},
    {'c', 1, 8, "rwm", "/dev/random"},
    {'c', 1, 9, "rwm", "/dev/urandom"},
    {'c', 5, 0, "rwm", "/dev/tty"},
    {'c', 5, 2, "rwm", "/dev/ptmx (devpts's own, /dev/pts/ptmx)"},
    {'c', 136, -1, "rwm", "/dev/pts/N"},
    {0, 0, 0, NULL, NULL},
};
/* >>> default-devices */

const char *
cg_dev_rule_text(const struct cg_dev_rule *r, char *out, size_t size)
{
	char major[16] = "*", minor[16] = "*";

	if (r->major >= 0)
		snprintf(major, sizeof(major), "%d", r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%d", r->minor);
	if (r->type == 'a')
		snprintf(out, size, "a");
	else
		snprintf(out, size, "%c %s:%s %s", r->type, major, minor, r->access);
	return out;
}

/* The instructions, as the kernel's own samples and crun write them. */
#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o)	  INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s)	  INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_K(d, i)	  INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JNE_K(d, i, o)	  INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT()		  INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int
access_bits(const char *access)
{
	return (strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0) |
	       (strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0) |
	       (strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0);
}

/* <<< program */
int
cg_dev_program(const struct cg_dev_rule *rules, struct bpf_insn *insns, size_t max)
{
	size_t n = 0;

#define PUT(insn)                                                                                  \
	do {                                                                                       \
		if (n == max) {                                                                    \
			errno = EOVERFLOW;                                                         \
			return -1;                                                                 \
		}                                                                                  \
		struct bpf_insn next = (insn); /* before n moves: a jump counts from n */          \
		insns[n++] = next;                                                                 \
	} while (0)
	/* r1 points at struct bpf_cgroup_dev_ctx {access_type, major, minor}:
	 * r2 = the type (low 16 bits), r3 = the access asked for (high 16),
	 * r4 = major, r5 = minor. r1 is free after that. */
	PUT(LDX_W(BPF_REG_2, BPF_REG_1, 0));
	PUT(ALU32_K(BPF_AND, BPF_REG_2, 0xffff));
	PUT(LDX_W(BPF_REG_3, BPF_REG_1, 0));
	PUT(ALU32_K(BPF_RSH, BPF_REG_3, 16));
	PUT(LDX_W(BPF_REG_4, BPF_REG_1, 4));
	PUT(LDX_W(BPF_REG_5, BPF_REG_1, 8));
	/* One block per rule: each test that fails jumps past the block's
	 * end; a block passed through returns 1 (allow). */
	for (const struct cg_dev_rule *r = rules; r->access; r++) {
		int acc = access_bits(r->access),
		    type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
		int len = (r->type != 'a') + (acc != 7) * 3 + (r->major >= 0) + (r->minor >= 0) + 2;
		size_t end = n + (size_t)len; /* the first instruction after the block */
		/* A jump's offset counts from the instruction after it. */
#define PAST_END ((short)(end - n - 1))

		if (r->type != 'a')
			PUT(JNE_K(BPF_REG_2, type, PAST_END));
		if (acc != 7) {
			/* Asked for anything outside the rule's access? */
			PUT(MOV32_X(BPF_REG_1, BPF_REG_3));
			PUT(ALU32_K(BPF_AND, BPF_REG_1, ~acc & 7));
			PUT(JNE_K(BPF_REG_1, 0, PAST_END));
		}
		if (r->major >= 0)
			PUT(JNE_K(BPF_REG_4, r->major, PAST_END));
		if (r->minor >= 0)
			PUT(JNE_K(BPF_REG_5, r->minor, PAST_END));
#undef PAST_END
		PUT(MOV64_K(BPF_REG_0, 1));
		PUT(EXIT());
	}
	/* No rule allowed it. */
	PUT(MOV64_K(BPF_REG_0, 0));
	PUT(EXIT());
#undef PUT
	return (int)n;
}
/* >>> program */

/* cgroup v1: the list as text, emptied first. */
static int
allow_v1(const char *dir, const struct cg_dev_rule *rules)
{
	char line[64];

	if (cg_write_file(dir, "devices.deny", "a") != 0)
		return -1; /* the error names the file */
	for (const struct cg_dev_rule *r = rules; r->access; r++)
		if (cg_write_file(dir, "devices.allow", cg_dev_rule_text(r, line, sizeof(line))) !=
		    0)
			return -1;
	return 0;
}

/* <<< attach */
/* cgroup v2: load the program, attach it to the cgroup's directory. */
static int
allow_v2(const char *dir, const struct cg_dev_rule *rules)
{
	struct bpf_insn insns[256];
	int n = cg_dev_program(rules, insns, sizeof(insns) / sizeof(insns[0]));
	int prog = -1, cgfd = -1, ret = -1;
	union bpf_attr attr;

	if (n < 0)
		return err_set(errno, "device program for %s: %s", dir, strerror(errno));
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = (unsigned)n;
	attr.license = (unsigned long)"GPL";
	/* glibc has no wrapper for bpf(2). Needs CAP_BPF (or CAP_SYS_ADMIN). */
	prog = (int)TRACE(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)), "bpf",
			  "BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=%d, "
			  "insns=%p, license=\"GPL\"}, %zu",
			  n, (void *)insns, sizeof(attr));
	if (prog < 0) {
		err_set(errno, "bpf(BPF_PROG_LOAD) of the device program for %s: %s", dir,
			strerror(errno));
		goto out;
	}
	cgfd = (int)TRACE(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "openat",
			  "AT_FDCWD, %s, O_RDONLY|O_DIRECTORY|O_CLOEXEC", trace_str(dir));
	if (cgfd < 0) {
		err_set(errno, "open %s: %s", dir, strerror(errno));
		goto out;
	}
	/* ALLOW_MULTI: a device program above ours (systemd attaches one to
	 * its units) keeps running too; every program must allow. */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (unsigned)cgfd;
	attr.attach_bpf_fd = (unsigned)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (TRACE(syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)), "bpf",
		  "BPF_PROG_ATTACH, {target_fd=%d, attach_bpf_fd=%d, "
		  "attach_type=BPF_CGROUP_DEVICE, attach_flags=BPF_F_ALLOW_MULTI}, %zu",
		  cgfd, prog, sizeof(attr)) != 0) {
		err_set(errno, "bpf(BPF_PROG_ATTACH) of the device program to %s: %s", dir,
			strerror(errno));
		goto out;
	}
	/* Attached, the cgroup holds the program: our descriptor can go. */
	ret = 0;
out:
	if (cgfd >= 0)
		close(cgfd);
	if (prog >= 0)
		close(prog);
	return ret;
}
/* >>> attach */

int
cg_devices_allow(struct cg *cg, const struct cg_dev_rule *rules)
{
	int h = cg_layout_find(cg->layout, "devices");

	for (size_t i = 0; h >= 0 && i < cg->n; i++) {
		if (cg->d[i].hier != h)
			continue;
		if (cg->layout->h[h].version == 1)
			return allow_v1(cg->d[i].dir, rules);
		return allow_v2(cg->d[i].dir, rules);
	}
	return err_set(ENOENT, "no devices hierarchy for the cgroup (%s)",
		       cg_kind_name(cg->layout->kind));
}
