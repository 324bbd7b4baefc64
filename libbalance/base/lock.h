/*
 * lock.h - the exclusive lock that keeps two `xl-balance rebalance' runs
 * (overlapping cron jobs, an admin beside cron) from ever moving the same
 * VM at once: flock(2) on a file, /run/xl-balance/lock by default
 * (config lock_file).  The kernel drops it when the process dies, so a
 * crashed run never leaves a stale lock behind.  No Xen header.
 */
#ifndef BAL_LOCK_H
#define BAL_LOCK_H

#include "internal.h"

/* Opens (creating it 0600) and locks path without waiting.  Returns 0
 * with *fd_r the descriptor that holds the lock; 0 with *fd_r == -1 when
 * another process holds it (one error line naming the file, and the
 * holder's pid when it wrote one); BAL_ECONFIG (one line) for a path that
 * is not absolute, a symbolic link, not a regular file, not ours or
 * writable by group or others; BAL_EIO when it cannot be opened. */
int bal__lock_take(bal_ctx *ctx, const char *path, int *fd_r);
/* Unlocks and closes; fd < 0 is ignored.  The file stays (removing it
 * would race with a run that has just opened it). */
void bal__lock_release(int fd);

/* Whether the mode lets group or others write (what state files must
 * not allow: another user could then forge a journal or take the lock). */
bool bal__mode_unsafe(unsigned mode);

#endif
