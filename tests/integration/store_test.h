/*
 * store_test.h - what the files of the store suite share: the suite is
 * test_store.c (import, ls, rm, refusals; it makes the suite),
 * test_store_killed.c (imports killed at any point) and test_store_run.c
 * (running and bundling stored images, worksheet 04's step 9).
 */
#ifndef NUTSHELL_STORE_TEST_H
#define NUTSHELL_STORE_TEST_H

#include "harness.h"

#include <check.h>
#include <sys/types.h>

#define NUTSHELL "05-full-container/nutshell"

/* The test's scratch directory and its store (NUTSHELL_STORE) below it. */
extern char scratch[64], store[128];

/* Runs a shell line; fails the test if it fails. */
void shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The toolkit's root, absolute: the shell commands run elsewhere. */
const char *root_dir(void);
/* How many entries the directory has (-1: none such). */
int entries(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SCRATCH/l1.tar.gz: the default image's tree, the base of every image. */
void make_base(void);
/* An OCI layout SCRATCH/DIR named REF, of LAYERS (in SCRATCH), with
 * CONFIG as the config's "config" object. */
void make_oci(const char *dir, const char *ref, const char *layers, const char *config);
/* Runs nutshell with ARGV (after the program), expects exit STATUS. */
void nutshell(struct run *r, int status, const char *const *args);
/* The store holds nothing but its empty skeleton: as it was. */
void expect_store_empty(void);
/* SCRATCH/three, the three-layer image of issue 17 named three:1. */
void make_three(void);
/* A listing of the store (names, inodes, sizes) into SCRATCH/NAME. */
void snapshot(const char *name);
/* SCRATCH/X and SCRATCH/Y hold the same text. */
void expect_same(const char *x, const char *y);
/* Starts ARGV (a program by its path) with its output to /dev/null, in
 * the store STORE_DIR (NULL: the test's). */
pid_t start_quiet(const char *store_dir, const char *const argv[]);
/* A test case NAME of its own, with a store of its own. */
void store_add(Suite *s, const char *name, const TTest *test);

#endif
