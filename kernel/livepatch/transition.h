/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _LIVEPATCH_TRANSITION_H
#define _LIVEPATCH_TRANSITION_H

#include <linux/livepatch.h>

extern struct klp_patch *klp_transition_patch;

void klp_prepare_transition(struct klp_patch *patch, int state);
void klp_abort_transition(void);
void klp_launch_transition(void);
void klp_advance_transition(void);
void klp_flip_transition(void);
void klp_force_all_tasks(void);

#endif /* _LIVEPATCH_TRANSITION_H */
