/*
 * obsfile.h - observations that outlive a run: STATE_DIR/observations,
 * what `rebalance' keeps of every VM so that the next run's type
 * reflects the time-decayed window (type_window), not one run's samples
 * (doc/classify.md, "Observations that outlive a run").  No Xen header.
 *
 * Two lines, each one JSON document:
 *   {"xl_balance_observations":1,"wall_s":T,"vms":[{"key":KEY,"seen_s":S,
 *    "type":T,"pending":T,"pending_n":N,"level":[CPU,IO,NET],
 *    "rate":[CPU,RD_BPS,WR_BPS,RD_IOPS,WR_IOPS,RX_BPS,TX_BPS]},...]}
 *   the run's last sample, in the sample format (base/json.h): every
 *   VM's cumulative counters, its domid and host, the host's time.
 * T is when it was written, seconds since the epoch (a dom0's clock of
 * the samples counts from its boot: T tells a reboot from an interval).
 * KEY is the observer's (status.h, bal__track_key): the UUID, for a
 * dom0 "UUID@HOST".  Only VMs of the last sample are kept: a VM gone is
 * dropped.  The file is replaced in one step (bal__state_replace): a
 * killed run leaves the old one or the new one.
 */
#ifndef BAL_OBSFILE_H
#define BAL_OBSFILE_H

#include "status.h"

#define BAL__OBS_FILE "observations"
#define BAL__OBS_VERSION 1

/* What one VM's entry holds. */
typedef struct bal__obs_entry {
    char key[BAL__UUID_LEN + 1 + BAL__HOST_MAX];
    bal__class_state cls;       /* levels, type, hold, seen_s */
    bal__rate rate;             /* the smoothed rates (host, dom unset) */
} bal__obs_entry;

typedef struct bal__obs_kept {
    bal__sample last;           /* the counters, as the last run saw them */
    double wall_s;              /* when they were written (epoch seconds) */
    bal__obs_entry *v;          /* sorted by key */
    int n;
} bal__obs_kept;

void bal__obs_kept_init(bal__obs_kept *k);
void bal__obs_kept_dispose(bal__obs_kept *k);
/* The entry of key, or NULL. */
const bal__obs_entry *bal__obs_kept_find(const bal__obs_kept *k,
                                         const char *key);

/* Parses a file's text[0..len) into out (bal__obs_kept_init'd).
 * BAL_EINVAL with what is wrong in why (size bytes): not two lines, not
 * JSON, another kind or version, a bad key, type or number; BAL_ENOMEM. */
int bal__obs_parse(bal_ctx *ctx, const char *text, size_t len,
                   bal__obs_kept *out, char *why, size_t size);
/* The file's text for observer o and the run's last sample, written at
 * wall_s (epoch seconds); *text_r malloc'd.  BAL_EINVAL or BAL_ERANGE
 * when the sample cannot be written (base/json.h), BAL_ENOMEM. */
int bal__obs_format(const bal__observer *o, const bal__sample *last,
                    double wall_s, char **text_r);

/* Reads the configuration's STATE_DIR/observations into out, creating
 * nothing: a missing directory or file, or type_window 0, is nothing
 * kept.  A file that is torn or not ours is one warning line naming it
 * and the fault, and is ignored (rc 0, nothing kept): every VM starts
 * afresh, and the next locked run replaces it.  As bal__state_open, a
 * link or anything but a regular file is refused (BAL_ECONFIG). */
int bal__obs_load(bal_ctx *ctx, const struct bal_config *cfg,
                  bal__obs_kept *out);
/* Replaces DIR/observations (dirfd: the state directory, whose lock the
 * caller holds) with text, as bal__obs_format made it. */
int bal__obs_save(bal_ctx *ctx, int dirfd, const char *dir,
                  const char *text);

#endif /* BAL_OBSFILE_H */
