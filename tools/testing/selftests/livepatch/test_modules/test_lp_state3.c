// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch of test_lp_target_a_show() that may carry a system state: the
 * atomic replace that takes over from test_lp_state1 and test_lp_state2;
 * see test_lp_state.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#define TEST_LP_STATE_FUNC	"test_lp_target_a_show"
#include "test_lp_state.h"

MODULE_DESCRIPTION("Livepatch selftest: a third patch with a system state");
