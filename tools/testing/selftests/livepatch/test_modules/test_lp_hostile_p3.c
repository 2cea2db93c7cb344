// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_hostile_p3.c - the third of three livepatch modules that
 * test-hostile.sh loads, toggles and forces from concurrent writers.  A
 * forced transition may pin a patch's module until reboot, so these are
 * kept apart from the modules of the other tests.  The code, and the parameters funcs=
 * and replace= that choose what the patch does, are test_lp_conflict.h's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "test_lp_conflict.h"

module_init(test_lp_conflict_init);
module_exit(test_lp_conflict_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: hostile sysfs use, patch 3");
MODULE_INFO(livepatch, "Y");
