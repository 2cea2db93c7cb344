// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch of test_lp_target_b_show() that may carry a
 * system state, to load after test_lp_state1; see test_lp_state.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#define TEST_LP_STATE_FUNC	"test_lp_target_b_show"
#include "test_lp_state.h"

MODULE_DESCRIPTION("Livepatch selftest: a second patch with a system state");
