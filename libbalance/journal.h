/*
 * journal.h - rebalance's state directory (/var/lib/xl-balance, config
 * state_dir): the journal of the run under way and the migration history.
 * No Xen header.
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
 *
 * The history (one JSON object a line, newest last, at most
 * BAL__HISTORY_MAX_BYTES) keeps every verified migration: when, which VM
 * by UUID, from, to, and its rates before and after, for the planner's
 * ping-pong rule and for judging predictions.
 */
#ifndef BAL_JOURNAL_H
#define BAL_JOURNAL_H

#include "backend.h"

#define BAL__JOURNAL_FILE "journal"
#define BAL__HISTORY_FILE "history"
/* Past this the history is cut to its newest half (whole lines). */
#define BAL__HISTORY_MAX_BYTES (256 * 1024)

/* Seconds since the epoch (CLOCK_REALTIME): journal and history times. */
double bal__wall_time(void);
/* t as "2026-01-02 03:04:05 UTC" into buf (at least 32 bytes). */
const char *bal__fmt_time(double t, char *buf, size_t size);

/* Opens the state directory, creating it 0700 when missing (its parent
 * must exist).  Refuses, with one line, a relative path, a symbolic link,
 * anything but a directory, one that is not ours, or one group or others
 * may write (BAL_ECONFIG); BAL_EIO when it cannot be created or opened.
 * *dirfd_r: an O_DIRECTORY descriptor, for openat and fsync. */
int bal__state_dir_open(bal_ctx *ctx, const char *dir, int *dirfd_r);

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
/* Opens the existing journal for appending (a recovering run). */
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
    double t_started;
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

/* ---- the history ------------------------------------------------------ */

typedef struct bal__hist {
    double time;                /* when the migration ended, epoch s */
    char uuid[BAL__UUID_LEN + 1];
    char vm[BAL__NAME_MAX];
    char from[BAL__HOST_MAX], to[BAL__HOST_MAX];
    bal_load_type type;         /* as classified before the move */
    double duration_s, downtime_s;
    bool rates;                 /* the rates below are known */
    double cpu_pct_before, cpu_pct_after;   /* percent of one pCPU */
    double disk_Bps_before, disk_Bps_after; /* read + write */
    double gain;                /* realised: its progress rate after over
                                 * before, minus 1 (cpu for cpu and idle
                                 * VMs, disk for io, the mean for mixed);
                                 * NAN: unknown */
    double predicted;           /* the plan's gain_rate; NAN: none */
    /* For learning a link's rate (doc/planner.md, "Learned links");
     * older records lack them. */
    uint64_t mem_kb;            /* the VM's memory; 0: unknown */
    double predicted_s;         /* the plan's duration of it; NAN or <= 0:
                                 * none */
    double observed_Bps;        /* the stream rate the cost model needs to
                                 * take duration_s (bal__pl_observed_Bps);
                                 * NAN or <= 0: none */
    /* For learning the VM's dirty rate (doc/planner.md, "Learned dirty
     * rates"): what the sender measured (bal__move_result's dirty_Bps);
     * NAN or <= 0: not measured (older records, the simulator, a move
     * run on another dom0). */
    double dirty_Bps;
} bal__hist;

/* Appends n records (one line each), synced; cuts the file to its newest
 * half when it grows past BAL__HISTORY_MAX_BYTES. */
int bal__history_append(bal_ctx *ctx, int dirfd, const char *dir,
                        const bal__hist *h, int n);
/* Reads path (a missing file is an empty history).  Lines that do not
 * parse are skipped with a warning "FILE:LINE: ...": the history only
 * advises; so is an observed_Bps or a dirty_Bps that is not a positive
 * number (the record kept without it).  *h_r malloc'd, oldest first. */
int bal__history_load(bal_ctx *ctx, const char *path, bal__hist **h_r,
                      int *n_r);

#endif
