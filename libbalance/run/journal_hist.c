/*
 * journal_hist.c - the history records a journal shows owed (journal.h,
 * bal__journal_history).  A run writes its records after the moves'
 * rates are measured, sample_count - 1 intervals after the last wave; a
 * run killed in between leaves the journal, whose `verified' lines are
 * the proof, and the next run writes the records from them before it
 * plans.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "balance/history.h"
#include "journal.h"

/* Whether m made its move: verified done by its run, or found on its
 * destination by a recovering one. */
static bool moved(const bal__jmove *m)
{
    return (m->verified && !strcmp(m->state, "done")) ||
           !strcmp(m->found, "destination");
}

/* Whether hist holds m's record: its VM, source and destination, dated
 * from the start of the run that made it (each run recovers the journal
 * of the one before it first, so no other record of this move fits). */
static bool recorded(const bal__hist *hist, int nhist, double start,
                     const bal__jmove *m)
{
    int i;

    for (i = nhist - 1; i >= 0; i--)
        if (hist[i].time >= start && !strcmp(hist[i].uuid, m->mv.uuid) &&
            !strcmp(hist[i].from, m->mv.from) && !strcmp(hist[i].to, m->mv.to))
            return true;
    return false;
}

int bal__journal_history(bal_ctx *ctx, const struct bal_config *cfg,
                         int dirfd, const char *dir, const bal__jread *r)
{
    char path[4200];
    bal__hist *hist = NULL, *owed = NULL;
    bal__hist_facts f;
    bal__move_result res;
    int nhist = 0, n = 0, i, rc;

    for (i = 0; i < r->n && !n; i++) n = moved(&r->moves[i]);
    if (!n) return 0;
    n = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, BAL__HISTORY_FILE);
    rc = bal__history_load(ctx, path, &hist, &nhist);
    if (rc) goto out;
    owed = calloc((size_t)r->n, sizeof(*owed));
    if (!owed) { rc = BAL_ENOMEM; goto out; }
    bal__hist_facts_init(&f);
    for (i = 0; i < r->n; i++) {
        const bal__jmove *m = &r->moves[i];

        if (!moved(m) || recorded(hist, nhist, r->start, m)) continue;
        memset(&res, 0, sizeof(res));
        res.start_s = m->t_started;
        res.end_s = m->ended ? m->t_ended : m->t_started;
        res.downtime_s = res.dirty_Bps = NAN;
        bal__hist_make(cfg, m->verified ? m->t_verified : bal__wall_time(),
                       &m->mv, &res, &f, &owed[n++]);
        BAL__WARN(ctx, "%s: the migration of %s (%s) %s -> %s, made by an "
                  "earlier run (pid %ld), was not recorded; recorded now",
                  path, m->mv.vm, m->mv.uuid, m->mv.from, m->mv.to, r->pid);
    }
    rc = bal__history_append(ctx, dirfd, dir, owed, n);

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "%s: out of memory", path);
    free(hist);
    free(owed);
    return rc;
}
