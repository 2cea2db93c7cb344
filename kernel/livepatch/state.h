/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _LIVEPATCH_STATE_H
#define _LIVEPATCH_STATE_H

#include <linux/livepatch.h>

int klp_check_states(struct klp_patch *patch);
bool klp_states_compatible(struct klp_patch *patch);

#endif /* _LIVEPATCH_STATE_H */
