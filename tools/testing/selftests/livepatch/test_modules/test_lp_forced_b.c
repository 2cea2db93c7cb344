// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_forced_b.c - test_lp_mod_b under a name of its own, for the
 * forced atomic replace of test-replace.sh: forcing a replace pins the
 * modules of the patches it took over from until reboot, so that case
 * needs a module that no other test loads.
 */

#include "test_lp_mod_b.c"
