// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_conflict_p1.c - the first of three identical livepatch modules of
 * the conflict tests (test-conflicts*.sh).  What it patches is chosen by
 * its parameters funcs= and replace=; the code and its description are in
 * test_lp_conflict.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "test_lp_conflict.h"

module_init(test_lp_conflict_init);
module_exit(test_lp_conflict_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: conflicting patches, first module");
MODULE_INFO(livepatch, "Y");
