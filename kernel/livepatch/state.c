// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - system states handed from one patch to the next
 *
 * A patch may record that it changed something about the running system
 * (a struct klp_state with an id and a version) so that the patches after
 * it know what they inherit.  An atomic-replace patch must take over every
 * state the enabled patches of its replace set hold, at the same or a newer
 * version.  A state belongs to one set: a patch of another set may not
 * hold it, and states are handed on within a set only.
 *
 * Locking: callers hold klp_mutex, directly or by running from a callback.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include "core.h"
#include "state.h"
#include "transition.h"

/* The states array ends with an entry whose id is 0. */
#define klp_for_each_state(patch, state)		\
	for (state = (patch)->states; state && state->id; state++)

/**
 * klp_get_state() - find a system state of a patch
 * @patch: the patch whose states are searched
 * @id: the state's identifier
 *
 * Return: the state, or NULL when @patch has none with that @id.
 */
struct klp_state *klp_get_state(struct klp_patch *patch, unsigned long id)
{
	struct klp_state *state;

	klp_for_each_state(patch, state)
		if (state->id == id)
			return state;
	return NULL;
}
EXPORT_SYMBOL_GPL(klp_get_state);

/**
 * klp_get_prev_state() - the state as the patches before this one left it
 * @id: the state's identifier
 *
 * Meant for the callbacks of the patch being enabled, to take over what
 * earlier patches did.  Looks at the patches of its replace set enabled
 * before the one in transition and returns the state from the most recent
 * one that has it.
 *
 * Return: the state, or NULL when no earlier patch has it (or, with a
 * warning, when no transition is in progress).
 */
struct klp_state *klp_get_prev_state(unsigned long id)
{
	struct klp_state *found = NULL, *state;
	struct klp_patch *patch;

	if (WARN_ON_ONCE(!klp_transition_patch))
		return NULL;

	klp_for_each_active_patch(patch) {
		if (patch == klp_transition_patch)
			break;
		if (!klp_same_set(patch, klp_transition_patch))
			continue;
		state = klp_get_state(patch, id);
		if (state)
			found = state;
	}
	return found;
}
EXPORT_SYMBOL_GPL(klp_get_prev_state);

/*
 * The array ends with an empty entry.  An entry with a version or data but
 * no id would end it too, and silently hide the states after it.
 */
int klp_check_states(struct klp_patch *patch)
{
	struct klp_state *state;

	if (!patch->states)
		return 0;
	for (state = patch->states; state->id || state->version || state->data;
	     state++) {
		if (!state->id) {
			pr_err("patch '%s': a state has no id\n",
			       patch->mod->name);
			return -EINVAL;
		}
		/* klp_get_state() finds the first entry with an id. */
		if (klp_get_state(patch, state->id) != state) {
			pr_err("patch '%s': state %lu is listed twice\n",
			       patch->mod->name, state->id);
			return -EINVAL;
		}
	}
	return 0;
}

/* Can @patch live with @old_state, a state of @owner, an active patch? */
static bool klp_state_fits(struct klp_patch *patch, struct klp_patch *owner,
			   struct klp_state *old_state)
{
	struct klp_state *state = klp_get_state(patch, old_state->id);

	if (!klp_same_set(owner, patch)) {
		if (state)
			pr_err("patch '%s': state %lu is held by patch '%s' of replace set %u\n",
			       patch->mod->name, state->id, owner->mod->name,
			       owner->replace_set);
		return !state;
	}
	if (!state)
		/* Replacing the owner without taking the state over loses it. */
		return !patch->replace;
	return state->version >= old_state->version;
}

/**
 * klp_states_compatible() - may @patch be enabled beside the others?
 * @patch: the patch about to be enabled
 *
 * Return: true unless @patch would drop or downgrade the state of an
 * active patch of its replace set, or hold a state of another set.
 */
bool klp_states_compatible(struct klp_patch *patch)
{
	struct klp_patch *old;
	struct klp_state *state;

	klp_for_each_active_patch(old)
		klp_for_each_state(old, state)
			if (!klp_state_fits(patch, old, state))
				return false;
	return true;
}
