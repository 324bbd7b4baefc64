/*
 * journal.h - the journal of the rebalance run under way, in the state
 * directory (base/state.h).  No Xen header.
 *
 * The journal says, for every move of a run, that it was planned, started,
 * ended (with the migrate op's code) and verified.  It is synced (file and
 * directory) before each wave starts and after it ends, so that a run
 * that dies mid-migration (power, OOM killer, kill -9) leaves a record of
 * which VMs were in flight; the next run checks where each really is
 * before doing anything else.  A run that ends normally removes it.
 * Format (text, one record a line; fields are percent-encoded so that
 * none holds a blank):
 *
 *   xl-balance-journal 1 PID TIME
 *   EVENT TIME UUID FROM TO ARG NAME
 *   halted TIME
 *
 * EVENT is planned (ARG: the wave), started (ARG: -), ended (ARG: the
 * migrate op's rc), verified (ARG: done, failed, refused, undefined) or
 * found (ARG: where the next run found the VM: source, destination,
 * elsewhere, both, neither, unknown).  TIME is seconds since the epoch.
 * `halted' ends a run that stopped on an undefined state: its journal is
 * kept, so that every later run checks again until an admin has made the
 * VM run exactly once (or removed the journal).
 */
#ifndef BAL_JOURNAL_H
#define BAL_JOURNAL_H

#include "base/move.h"
#include "base/state.h"

#define BAL__JOURNAL_FILE "journal"

/* ---- the journal --------------------------------------------------------- */

typedef struct bal__journal {
    int dirfd;                  /* borrowed */
    int fd;                     /* -1: not open */
    char path[4096];            /* for messages */
} bal__journal;

void bal__journal_init(bal__journal *j);
/* Whether the state directory holds a journal (lstat). */
bool bal__journal_exists(int dirfd);
/* Starts a new journal (there must be none: O_EXCL) with its header,
 * synced. */
int bal__journal_create(bal_ctx *ctx, int dirfd, const char *dir,
                        bal__journal *j);
/* Opens the existing journal for appending (a recovering run), its torn
 * last line (a run killed while writing it) cut first, with a warning
 * (bal__state_cut_torn): read after this, it ends whole. */
int bal__journal_reopen(bal_ctx *ctx, int dirfd, const char *dir,
                        bal__journal *j);
/* Appends one record; `arg' is the ARG field.  Not synced: call
 * bal__journal_sync when a batch is written.  BAL_EIO (logged). */
int bal__journal_add(bal_ctx *ctx, bal__journal *j, const char *event,
                     const bal__move *mv, const char *arg);
int bal__journal_halt(bal_ctx *ctx, bal__journal *j);
/* fsync of the journal and of the state directory. */
int bal__journal_sync(bal_ctx *ctx, bal__journal *j);
/* Closes and removes it, syncing the directory. */
int bal__journal_remove(bal_ctx *ctx, bal__journal *j);
/* Closes it (it stays). */
void bal__journal_close(bal__journal *j);

/* What a journal says, move by move (in the order they were planned). */
typedef struct bal__jmove {
    bal__move mv;
    int wave;
    bool started, ended, verified;
    int rc;                     /* ended's */
    char state[16];             /* verified's: done, failed, ... */
    char found[16];             /* the last found record's, or "" */
    double t_started, t_ended, t_verified;  /* their records' times */
} bal__jmove;

typedef struct bal__jread {
    long pid;                   /* of the run that wrote it */
    double start;               /* when that run began */
    bool halted;                /* it stopped on an undefined state */
    bal__jmove *moves;
    int n, cap;
} bal__jread;

void bal__jread_init(bal__jread *r);
void bal__jread_dispose(bal__jread *r);
/* Reads the journal.  A last line without its newline (the run died
 * writing it) is left out with a warning; anything else malformed is
 * "FILE:LINE: what is wrong" and BAL_EIO, out unchanged. */
int bal__journal_read(bal_ctx *ctx, int dirfd, const char *dir,
                      bal__jread *out);

/* The history records r owes (journal_hist.c): each move it shows made -
 * verified done, or found on its destination - that the history lacks
 * (no record of its UUID, source and destination dated from the run's
 * start on) is appended, with a warning, so that a run killed between a
 * verified move and its record does not lose the VM's cooldown; a record
 * already there is never written twice.  Such a record knows what the
 * journal does: the times (its duration from `started' to `ended'), not
 * the VM's type, memory or rates.  BAL_EIO or BAL_ENOMEM, logged. */
int bal__journal_history(bal_ctx *ctx, const struct bal_config *cfg,
                         int dirfd, const char *dir, const bal__jread *r);

#endif
