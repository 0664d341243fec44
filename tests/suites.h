/*
 * suites.h - every Check suite of the test binary tests/check.
 *
 * Unit suites test pure functions and need no root; integration suites run
 * the built programs and need root; the host suite checks, last, that the
 * integration suites left nothing behind.
 */
#ifndef NUTSHELL_SUITES_H
#define NUTSHELL_SUITES_H

#include <check.h>

Suite *suite_decode(void);
Suite *suite_trace(void);
Suite *suite_procfs(void);
Suite *suite_honesty(void);
Suite *suite_ns(void);
Suite *suite_caps(void);

Suite *suite_uts(void);
Suite *suite_net(void);
Suite *suite_user(void);
Suite *suite_enter(void);
Suite *suite_break_net(void);
Suite *suite_host(void);

#endif
