// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cumulative (atomic-replace) successor of
 * test_lp_shadow_p1: it takes the shadow call counter over and frees it
 * when disabled; see test_lp_shadow_patch.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#define TEST_LP_SHADOW_REPLACE	true
#include "test_lp_shadow_patch.h"

MODULE_DESCRIPTION("Livepatch selftest: a shadow variable, taken over by a replace patch");
