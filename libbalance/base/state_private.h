/*
 * state_private.h - where rebalance's state may live: a private state
 * directory for runs that move no real VM (sim:, replay:), and the rule
 * that the lock lies outside the state directory.
 */
#ifndef BAL_STATE_PRIVATE_H
#define BAL_STATE_PRIVATE_H

#include <stdbool.h>

#include "internal.h"

/* Whether path is dir or lies inside it, as written: repeated slashes,
 * "." and ".." resolved from the names alone: the check runs on a
 * configuration before anything exists. */
bool bal__path_inside(const char *path, const char *dir);

/* Makes a directory of our own, 0700, under $TMPDIR (when absolute) or
 * /tmp: *dir_r, malloc'd.  BAL_EIO, logged, when it cannot be made. */
int bal__state_private_make(bal_ctx *ctx, char **dir_r);
/* Removes dir and everything under it, links not followed; for a
 * directory bal__state_private_make made.  NULL is ignored. */
void bal__state_private_remove(const char *dir);

#endif /* BAL_STATE_PRIVATE_H */
