/*
 * rebalance.c - one run of `xl-balance rebalance' (bal_rebalance): the
 * balancer's loop run once, on a real cluster, with the care a real
 * cluster needs.  In order (doc/rebalance.md says why each step is there):
 *
 *   1. lock (lock.c): two runs never overlap;
 *   2. recover (journal.c): a move an earlier run left unfinished is
 *      looked up by UUID before anything else; a VM found on no host or
 *      on two stops the run; a move it made and did not record goes
 *      into the history (journal_hist.c);
 *   3. sample and classify (bal__status_observe: from the observations
 *      an earlier run kept, which it replaces), refuse a cluster that
 *      holds a VM twice or a migration's leftover;
 *   4. plan (bal__plan_make: the planner, with the configuration's
 *      constraints and the migration history) or read a saved plan, and
 *      check every move against the live state (validate);
 *   5. confirm (the caller's callback);
 *   6. run the waves (exec.c), each checked on a fresh sample before it
 *      starts and verified on another after it ends, the journal synced
 *      around it; a wave runs only if the ones before went as planned;
 *   7. measure the moved VMs' rates and append them to the history.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "base/config.h"
#include "base/loadtype.h"
#include "exec.h"
#include "journal.h"
#include "base/lock.h"
#include "observe/rates.h"
#include "observe/obsfile.h"
#include "observe/status.h"
#include "rebalance.h"
#include "base/uuidmap.h"

#define MIB 1024ull             /* kB per MiB */

static const char *const outcome_names[] = {
    "nothing", "planned", "done", "partial", "undefined", "unconfirmed",
    "locked",
};

static const char *const state_names[] = {
    "planned", "refused", "skipped", "done", "failed", "undefined",
};

const char *bal_rebalance_outcome_name(bal_rebalance_outcome o)
{
    return (unsigned)o < sizeof(outcome_names) / sizeof(outcome_names[0])
        ? outcome_names[o] : "unknown";
}

const char *bal_move_state_name(bal_move_state s)
{
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0])
        ? state_names[s] : "unknown";
}

int bal_rebalance_options_init(bal_rebalance_options *o,
                               unsigned int version)
{
    if (!o || version != BAL_REBALANCE_OPTIONS_VERSION) return BAL_EINVAL;
    memset(o, 0, sizeof(*o));
    o->version = version;
    o->max_moves = -1;
    return 0;
}

/* ---- where a VM is -------------------------------------------------------
 * By UUID, in one sample of the whole cluster.  A domain named as a
 * migration names its copies (NAME--migratedaway on the source,
 * NAME--incoming on the destination) is a copy all the same: a VM with
 * one is not "exactly once". */

#define CENSUS_MAX 4

typedef struct census {
    int n;                      /* domains with the UUID, dom0s aside */
    int nleft;                  /* of them, migration leftovers */
    const bal__host *h[CENSUS_MAX];
    const bal__dom *d[CENSUS_MAX];
} census;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && !strcmp(s + n - m, suffix);
}

static bool leftover_name(const char *name)
{
    return ends_with(name, "--migratedaway") || ends_with(name, "--incoming");
}

static void take_census(const bal__sample *s, const char *uuid, census *c)
{
    int i, k;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < s->nhosts; i++)
        for (k = 0; k < s->hosts[i].ndoms; k++) {
            const bal__dom *d = &s->hosts[i].doms[k];

            if (d->domid == 0 || strcmp(d->uuid, uuid)) continue;
            if (c->n < CENSUS_MAX) {
                c->h[c->n] = &s->hosts[i];
                c->d[c->n] = d;
            }
            c->n++;
            if (leftover_name(d->name)) c->nleft++;
        }
}

/* "vm1 on HostB", "vm1--migratedaway on HostA and vm1 on HostB", "on no
 * host". */
static const char *census_text(const census *c, char *buf, size_t size)
{
    size_t o = 0;
    int i;

    if (!c->n) {
        snprintf(buf, size, "on no host");
        return buf;
    }
    buf[0] = '\0';
    for (i = 0; i < c->n && i < CENSUS_MAX && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s on %s",
                              i ? " and " : "", c->d[i]->name,
                              c->h[i]->name);
    if (c->n > CENSUS_MAX && o < size)
        snprintf(buf + o, size - o, " and %d more", c->n - CENSUS_MAX);
    return buf;
}

typedef enum { AT_NONE, AT_FROM, AT_TO, AT_ELSEWHERE, AT_TWICE } where;

/* A lone leftover counts as no proper copy: AT_NONE. */
static where where_is(const census *c, const bal__move *mv)
{
    if (c->n > 1) return AT_TWICE;
    if (c->n == 0 || c->nleft) return AT_NONE;
    if (!strcmp(c->h[0]->name, mv->from)) return AT_FROM;
    if (!strcmp(c->h[0]->name, mv->to)) return AT_TO;
    return AT_ELSEWHERE;
}

/* The first problem of a cluster that holds a VM twice or a migration's
 * leftover, into buf; false when it is clean. */
static int find_unclean(const bal__sample *s, char *buf, size_t size,
                        bool *unclean_r)
{
    bal__uuidmap seen;
    int i, k, prev, rc = 0;

    *unclean_r = false;
    bal__uuidmap_init(&seen);
    for (i = 0; i < s->nhosts && !*unclean_r; i++)
        for (k = 0; k < s->hosts[i].ndoms && !*unclean_r; k++) {
            const bal__dom *d = &s->hosts[i].doms[k];

            if (d->domid == 0) continue;
            if (leftover_name(d->name)) {
                bal__sfmt(buf, size, "%s (%s) on %s is the copy a migration "
                          "leaves (one under way, or one that ended badly)",
                          d->name, d->uuid, s->hosts[i].name);
                *unclean_r = true;
                break;
            }
            prev = bal__uuidmap_get(&seen, d->uuid);
            if (prev >= 0) {
                bal__sfmt(buf, size, "%s (%s) runs on %s and on %s", d->name,
                          d->uuid, s->hosts[prev].name, s->hosts[i].name);
                *unclean_r = true;
                break;
            }
            rc = bal__uuidmap_put(&seen, d->uuid, i);
            if (rc) goto out;
        }

out:
    bal__uuidmap_dispose(&seen);
    return rc;
}

/* ---- the run --------------------------------------------------------------- */

typedef struct rb {
    bal_ctx *ctx;
    bal_backend *be;
    const struct bal_config *cfg;
    const bal_rebalance_options *o;
    bal_rebalance_report *rep;
    const char *dir;
    int dirfd;
    bal__journal j;
    bool journal_failed;        /* a record could not be written */
    bal__plan run;              /* the moves allowed to run */
    int *slot;                  /* run.moves[i] is rep->moves[slot[i]] */
    bal__sample last;           /* the newest verification sample */
    bool have_last;
} rb;

static bal__rb_move *rmove(rb *r, const bal__plan_move *pm)
{
    return &r->rep->moves[r->slot[pm - r->run.moves]];
}

static void set_state(bal__rb_move *m, bal_move_state s, const char *fmt,
                      ...) BAL__PRINTF(3, 4);
static void set_state(bal__rb_move *m, bal_move_state s, const char *fmt,
                      ...)
{
    va_list ap;

    m->pub.state = s;
    va_start(ap, fmt);
    vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
    va_end(ap);
}

/* Every move of a later wave than `wave' still waiting is skipped. */
static void skip_rest(rb *r, int wave, const char *why)
{
    int i;

    for (i = 0; i < r->rep->nmoves; i++) {
        bal__rb_move *m = &r->rep->moves[i];

        if (m->pub.state == BAL_MOVE_PLANNED && m->pm.wave > wave)
            set_state(m, BAL_MOVE_SKIPPED, "%s", why);
    }
}

/* A sample of every host; when it fails or a peer did not answer, once
 * more after the sample interval (a peer's hiccup must not leave a move
 * unverified).  The second failure is the answer. */
static int sample_all(rb *r, bal__sample *out)
{
    int rc, tries;

    for (tries = 0; tries < 2; tries++) {
        bal__sample_dispose(out);
        bal__sample_init(out);
        if (tries) {
            rc = r->be->ops->wait(r->be, r->cfg->interval);
            if (rc) return rc;
        }
        rc = r->be->ops->sample(r->be, false, out);
        if (!rc && !out->npeer_errors) return 0;
    }
    return rc;
}

static void journal_move(rb *r, const char *event, const bal__move *mv,
                         const char *arg)
{
    if (r->journal_failed) return;
    if (bal__journal_add(r->ctx, &r->j, event, mv, arg))
        r->journal_failed = true;
}

static int journal_sync(rb *r)
{
    if (!r->journal_failed && bal__journal_sync(r->ctx, &r->j))
        r->journal_failed = true;
    return r->journal_failed ? BAL_EIO : 0;
}

/* Before a wave: each move's VM must still run, once, on its source, and
 * its destination must answer and have the memory; then the journal says
 * they start, synced, before the first byte moves. */
static int before_wave(void *opaque, bal__exec_wave *w)
{
    rb *r = opaque;
    bal__sample s;
    char where_s[512], why[160];
    int i, k, nrun = 0, stop = 0, rc;

    bal__sample_init(&s);
    rc = sample_all(r, &s);
    if (rc) {
        snprintf(why, sizeof(why), "not started: the cluster could not be "
                 "sampled (%s)", bal_strerror(rc));
        skip_rest(r, w->wave - 1, why);
        stop = 1;
        goto out;
    }
    for (i = 0; i < w->n; i++) {
        const bal__move *mv = &w->pm[i]->mv;
        bal__rb_move *m = rmove(r, w->pm[i]);
        const bal__host *to = bal__sample_find_host(&s, mv->to);
        uint64_t arriving = 0;
        census c;

        take_census(&s, mv->uuid, &c);
        census_text(&c, where_s, sizeof(where_s));
        w->run[i] = false;
        switch (where_is(&c, mv)) {
        case AT_TWICE:
            set_state(m, BAL_MOVE_UNDEFINED, "not moved: it runs twice (%s); "
                      "an admin must look", where_s);
            BAL__ERR(r->ctx, "%s (%s): %s", mv->vm, mv->uuid, m->detail);
            stop = 1;
            continue;
        case AT_NONE:
            set_state(m, BAL_MOVE_REFUSED, "%s is %s now (gone since the "
                      "plan was made)", mv->vm, where_s);
            break;
        case AT_TO:
        case AT_ELSEWHERE:
            set_state(m, BAL_MOVE_REFUSED, "%s runs on %s now, not on %s",
                      mv->vm, c.h[0]->name, mv->from);
            break;
        case AT_FROM:
            break;
        }
        if (m->pub.state == BAL_MOVE_PLANNED && !to)
            set_state(m, BAL_MOVE_REFUSED, "host %s did not answer", mv->to);
        if (m->pub.state == BAL_MOVE_PLANNED) {
            for (k = 0; k < i; k++)
                if (w->run[k] && !strcmp(w->pm[k]->mv.to, mv->to))
                    arriving += rmove(r, w->pm[k])->mem_kb;
            if (c.d[0]->mem_kb + arriving > to->free_kb)
                set_state(m, BAL_MOVE_REFUSED, "%s has %llu MiB free, %s "
                          "needs %llu MiB", mv->to,
                          (unsigned long long)((to->free_kb > arriving ?
                              to->free_kb - arriving : 0) / MIB),
                          mv->vm,
                          (unsigned long long)(c.d[0]->mem_kb / MIB));
        }
        if (m->pub.state != BAL_MOVE_PLANNED) {
            BAL__WARN(r->ctx, "%s %s -> %s refused: %s", mv->vm, mv->from,
                      mv->to, m->detail);
            stop = 1;       /* the later waves assumed this move */
            continue;
        }
        m->mem_kb = c.d[0]->mem_kb;
        w->run[i] = true;
        nrun++;
        journal_move(r, "started", mv, NULL);
        BAL__INFO(r->ctx, "wave %d: moving %s (%s) %s -> %s", w->wave,
                  mv->vm, mv->uuid, mv->from, mv->to);
    }
    if (nrun && journal_sync(r)) {
        for (i = 0; i < w->n; i++)
            if (w->run[i]) {
                w->run[i] = false;
                set_state(rmove(r, w->pm[i]), BAL_MOVE_SKIPPED,
                          "not started: the journal cannot be written");
            }
        skip_rest(r, w->wave, "not started: the journal cannot be written");
        nrun = 0;
        stop = 1;
        goto out;
    }
    if (stop)
        skip_rest(r, w->wave, "not started: an earlier move of the plan did "
                  "not happen");

out:
    bal__sample_dispose(&s);
    /* Stopping here would drop this wave's accepted moves too: let them
     * run; after_wave stops the later ones. */
    return nrun || !stop ? 0 : 1;
}

/* Fills the move's outcome from its result and where the fresh sample s
 * finds its VM. */
static void verify(rb *r, bal__rb_move *m, const bal__move_result *res,
                   const bal__sample *s, int sample_rc)
{
    const bal__move *mv = &m->pm.mv;
    char where_s[512];
    census c;
    where at;

    m->pub.rc = res->rc;
    m->pub.duration_s = res->end_s - res->start_s;
    m->pub.downtime_s = res->downtime_s;
    m->pub.bytes = res->bytes;
    m->res = *res;
    if (sample_rc) {
        set_state(m, BAL_MOVE_UNDEFINED, "cannot verify: the cluster could "
                  "not be sampled (%s)", bal_strerror(sample_rc));
        goto undefined;
    }
    take_census(s, mv->uuid, &c);
    census_text(&c, where_s, sizeof(where_s));
    at = where_is(&c, mv);
    if (res->rc == BAL_EUNDEFINED) {
        set_state(m, BAL_MOVE_UNDEFINED, "the migration ended past its "
                  "point of no return without confirmation; found %s; "
                  "check `xl list' on %s and %s, keep exactly one copy "
                  "named %s", where_s, mv->from, mv->to, mv->vm);
        goto undefined;
    }
    if (!bal__sample_find_host(s, mv->from) ||
        !bal__sample_find_host(s, mv->to)) {
        set_state(m, BAL_MOVE_UNDEFINED, "cannot verify: %s did not answer",
                  bal__sample_find_host(s, mv->from) ? mv->to : mv->from);
        goto undefined;
    }
    if (!res->rc) {
        if (at == AT_TO) {
            set_state(m, BAL_MOVE_DONE, "%s", "");
            BAL__INFO(r->ctx, "moved %s (%s) %s -> %s in %.1f s, verified",
                      mv->vm, mv->uuid, mv->from, mv->to, m->pub.duration_s);
            return;
        }
        set_state(m, BAL_MOVE_UNDEFINED, "the migration reported success, "
                  "but the VM is found %s", where_s);
        goto undefined;
    }
    if (at == AT_FROM) {
        set_state(m, BAL_MOVE_FAILED, "%s; %s still runs on %s",
                  bal_strerror(res->rc), mv->vm, mv->from);
        return;
    }
    if (at == AT_NONE && !c.n && res->rc == BAL_ENOENT) {
        /* Gone before it could be moved: shut down, not lost by us. */
        set_state(m, BAL_MOVE_FAILED, "%s is on no host: it was gone "
                  "before its migration started", mv->vm);
        BAL__WARN(r->ctx, "%s (%s): %s", mv->vm, mv->uuid, m->detail);
        return;
    }
    set_state(m, BAL_MOVE_UNDEFINED, "the migration failed (%s), but the VM "
              "is found %s", bal_strerror(res->rc), where_s);

undefined:
    BAL__ERR(r->ctx, "migrate %s (%s) %s -> %s: STATE UNDEFINED: %s; an "
             "admin must look, nothing more is moved", mv->vm, mv->uuid,
             mv->from, mv->to, m->detail);
}

/* After a wave: the journal says how each migration ended; a fresh
 * sample says where each VM is; the journal records that too.  A wave
 * that did not go entirely as planned ends the run. */
static int after_wave(void *opaque, bal__exec_wave *w)
{
    rb *r = opaque;
    bal__sample s;
    char arg[16], why[400];
    int i, src, nrun = 0;
    bool undefined = false, failed = false, all_done = true;

    for (i = 0; i < w->n; i++) {
        if (!w->run[i]) continue;
        nrun++;
        snprintf(arg, sizeof(arg), "%d", w->res[i].rc);
        journal_move(r, "ended", &w->pm[i]->mv, arg);
    }
    if (!nrun) return 1;
    journal_sync(r);

    bal__sample_init(&s);
    src = sample_all(r, &s);
    for (i = 0; i < w->n; i++) {
        bal__rb_move *m;

        if (!w->run[i]) continue;
        m = rmove(r, w->pm[i]);
        verify(r, m, &w->res[i], &s, src);
        journal_move(r, "verified", &w->pm[i]->mv,
                     bal_move_state_name(m->pub.state));
        if (m->pub.state == BAL_MOVE_UNDEFINED) {
            if (!undefined)
                snprintf(why, sizeof(why), "not started: the run stopped on "
                         "%s, whose state is undefined", m->pm.mv.vm);
            undefined = true;
        } else if (m->pub.state == BAL_MOVE_FAILED && !failed && !undefined) {
            failed = true;
            snprintf(why, sizeof(why), "not started: the move of %s failed "
                     "and the rest of the plan assumed it", m->pm.mv.vm);
        }
    }
    journal_sync(r);
    if (!src) {
        bal__sample_dispose(&r->last);
        r->last = s;
        r->have_last = true;
        bal__sample_init(&s);
    }
    bal__sample_dispose(&s);
    for (i = 0; i < w->n; i++)
        if (rmove(r, w->pm[i])->pub.state != BAL_MOVE_DONE) all_done = false;
    if (!all_done) {
        if (!undefined && !failed)
            snprintf(why, sizeof(why), "not started: an earlier move of the "
                     "plan did not happen");
        skip_rest(r, w->wave, why);
        return 1;
    }
    return 0;
}

/* ---- checking a plan against the live state ------------------------------- */

static const bal_vm_info *status_vm(const bal_status *st, const char *uuid)
{
    int i;

    for (i = 0; i < st->nvms; i++)
        if (!st->vms[i].is_dom0 && !strcmp(st->vms[i].uuid, uuid))
            return &st->vms[i];
    return NULL;
}

/* A saved plan's move is of the VM its UUID names: the plan's "vm" is
 * only what the file says.  Shown, confirmed and recorded while the
 * UUID's VM moved, it would have the operator approve one VM and move
 * another: a name that disagrees with the live one is refused, with
 * both, before anything moves; from here on the name is the live one.
 * A UUID that is not live is validate's to refuse (gone). */
static int apply_live_names(bal_ctx *ctx, const char *file, bal__plan *plan,
                            const bal_status *st)
{
    int i;

    for (i = 0; i < plan->n; i++) {
        bal__move *mv = &plan->moves[i].mv;
        const bal_vm_info *v = status_vm(st, mv->uuid);

        if (!v) continue;
        if (strcmp(v->name, mv->vm)) {
            BAL__ERR(ctx, "%s: the move of %s names it `%s', but that VM is "
                     "`%s'; nothing moved", file, mv->uuid, mv->vm, v->name);
            return BAL_EINVAL;
        }
        snprintf(mv->vm, sizeof(mv->vm), "%s", v->name);
    }
    return 0;
}

/* A saved plan's moves that break a rule a plan made now keeps (a pin,
 * a drain, a placement rule, the cooldown, ping-pong) are refused, with
 * the rule, before validate weighs the rest (bal__apply_rules). */
static int refuse_broken_rules(rb *r, const bal_status *st,
                               const bal__plan *plan)
{
    char (*why)[BAL__APPLY_WHY_MAX];
    int i, rc;

    why = calloc((size_t)plan->n + 1, sizeof(*why));
    if (!why) return BAL_ENOMEM;
    rc = bal__apply_rules(r->ctx, r->cfg, st, plan, why);
    for (i = 0; !rc && i < plan->n; i++)
        if (why[i][0])
            set_state(&r->rep->moves[i], BAL_MOVE_REFUSED, "%s", why[i]);
    free(why);
    return rc;
}

/* Refuses, with the reason, every move the live state does not allow:
 * its VM is gone or elsewhere, its destination is unknown or lacks the
 * memory (counting what earlier moves bring and, after their wave, take
 * away); skips what is beyond max_moves.  Returns how many may run. */
static int validate(rb *r, const bal_status *st, int max_moves, int *nrun_r)
{
    const bal__sample *s = &st->last;
    int64_t *free_kb = NULL;
    int i, k, h, nrun = 0, wave = -1, first = 0;

    free_kb = calloc((size_t)s->nhosts + 1, sizeof(*free_kb));
    if (!free_kb) return BAL_ENOMEM;
    for (h = 0; h < s->nhosts; h++) free_kb[h] = (int64_t)s->hosts[h].free_kb;

    for (i = 0; i < r->rep->nmoves; i++) {
        bal__rb_move *m = &r->rep->moves[i];
        const bal__move *mv = &m->pm.mv;
        const bal__host *to = bal__sample_find_host(s, mv->to);
        char where_s[512];
        census c;

        if (m->pm.wave != wave) {
            /* The earlier wave's VMs have left their sources. */
            for (k = first; k < i; k++) {
                const bal__rb_move *e = &r->rep->moves[k];
                const bal__host *fh;

                if (e->pub.state != BAL_MOVE_PLANNED) continue;
                fh = bal__sample_find_host(s, e->pm.mv.from);
                if (fh) free_kb[fh - s->hosts] += (int64_t)e->mem_kb;
            }
            wave = m->pm.wave;
            first = i;
        }
        /* A VM's second migration in the plan starts where its first
         * ends (plan_json.c has made sure), if the first runs. */
        for (k = i - 1; k >= 0; k--)
            if (!strcmp(r->rep->moves[k].pm.mv.uuid, mv->uuid)) break;
        if (k >= 0) {
            if (r->rep->moves[k].pub.state != BAL_MOVE_PLANNED)
                set_state(m, BAL_MOVE_REFUSED, "%s's earlier move of the "
                          "plan does not run", mv->vm);
            else
                m->mem_kb = r->rep->moves[k].mem_kb;
        } else {
            take_census(s, mv->uuid, &c);
            census_text(&c, where_s, sizeof(where_s));
            switch (where_is(&c, mv)) {
            case AT_NONE:
            case AT_TWICE:
                set_state(m, BAL_MOVE_REFUSED, "%s (%s) is %s (gone since "
                          "the plan was made)", mv->vm, mv->uuid, where_s);
                break;
            case AT_TO:
            case AT_ELSEWHERE:
                set_state(m, BAL_MOVE_REFUSED, "%s runs on %s, not on %s "
                          "(the plan is stale)", mv->vm, c.h[0]->name,
                          mv->from);
                break;
            case AT_FROM:
                m->mem_kb = c.d[0]->mem_kb;
                break;
            }
        }
        if (m->pub.state == BAL_MOVE_PLANNED && !to)
            set_state(m, BAL_MOVE_REFUSED, s->npeer_errors ?
                      "host %s is not in the sample (unknown, or it did not "
                      "answer)" : "no host %s in the cluster", mv->to);
        if (m->pub.state == BAL_MOVE_PLANNED &&
            free_kb[to - s->hosts] < (int64_t)m->mem_kb)
            set_state(m, BAL_MOVE_REFUSED, "%s has %lld MiB free, %s needs "
                      "%llu MiB", mv->to,
                      (long long)(free_kb[to - s->hosts] > 0 ?
                                  free_kb[to - s->hosts] / (int64_t)MIB : 0),
                      mv->vm, (unsigned long long)(m->mem_kb / MIB));
        if (m->pub.state == BAL_MOVE_PLANNED && max_moves >= 0 &&
            nrun >= max_moves)
            set_state(m, BAL_MOVE_SKIPPED, "beyond --max-moves %d",
                      max_moves);
        if (m->pub.state == BAL_MOVE_REFUSED)
            BAL__WARN(r->ctx, "%s %s -> %s refused: %s", mv->vm, mv->from,
                      mv->to, m->detail);
        if (m->pub.state != BAL_MOVE_PLANNED) continue;
        free_kb[to - s->hosts] -= (int64_t)m->mem_kb;
        nrun++;
    }
    free(free_kb);
    *nrun_r = nrun;
    return 0;
}

/* The report's moves, one per plan move, PLANNED; their classification
 * and rates before from st. */
static int report_moves(rb *r, const bal__plan *plan,
                        const bal__plan_pred *pred, const bal_status *st)
{
    bal_rebalance_report *rep = r->rep;
    int i;

    rep->moves = calloc((size_t)plan->n + 1, sizeof(*rep->moves));
    if (!rep->moves) return BAL_ENOMEM;
    rep->nmoves = plan->n;
    for (i = 0; i < plan->n; i++) {
        bal__rb_move *m = &rep->moves[i];
        bal_rebalance_move *p = &m->pub;
        const bal_vm_info *v = status_vm(st, plan->moves[i].mv.uuid);

        m->pm = plan->moves[i];
        p->vm = m->pm.mv.vm;
        p->uuid = m->pm.mv.uuid;
        p->from = m->pm.mv.from;
        p->to = m->pm.mv.to;
        p->wave = m->pm.wave;
        p->reason = m->pm.reason;
        p->detail = m->detail;
        p->state = BAL_MOVE_PLANNED;
        p->gain = NAN;
        m->pred.gain_rate = pred ? pred[i].gain_rate : NAN;
        m->pred.vm_gain = pred ? pred[i].vm_gain : NAN;
        m->pred.mig_s = pred && pred[i].mig_s > 0 ? pred[i].mig_s : NAN;
        m->pred.dirty_Bps = pred && isfinite(pred[i].dirty_Bps)
            ? pred[i].dirty_Bps : bal__vm_dirty_Bps(r->cfg, v);
        p->predicted_gain = m->pred.gain_rate;
        p->predicted_s = m->pred.mig_s;
        m->res.dirty_Bps = NAN;
        if (v) {
            p->type = v->type;
            p->cpu_pct_before = v->cpu_pct;
            p->disk_Bps_before = v->rd_Bps + v->wr_Bps;
            p->net_Bps_before = v->net_rx_Bps + v->net_tx_Bps;
            m->before_valid = v->rates_valid;
        }
    }
    return 0;
}

/* ---- recovering from a run that died ------------------------------------- */

static const char *found_word(where at, bool hosts_answered,
                              bool *problem_r)
{
    *problem_r = true;
    if (at == AT_TWICE) return "both";
    if (!hosts_answered) return "unknown";
    if (at == AT_NONE) return "neither";
    *problem_r = false;
    return at == AT_FROM ? "source" : at == AT_TO ? "destination"
                                                  : "elsewhere";
}

/* Every move the journal leaves in doubt (started and not verified as
 * done or failed) is looked up by UUID on a fresh sample and reported.
 * Found once: closed.  Twice, nowhere, or a host silent: the journal is
 * kept, the run stops (1).  No journal, or nothing in doubt: 0. */
static int recover(rb *r)
{
    bal__jread jr;
    bal__sample s;
    char when[40], pre[600], where_s[512], jpath[4200];
    int i, n = 0, rc, problems = 0;

    bal__jread_init(&jr);
    bal__sample_init(&s);
    if (!bal__journal_exists(r->dirfd)) return 0;
    /* Opened before it is read: its torn last line, if any, is cut, so
     * that neither this reading nor the next sees it. */
    rc = bal__journal_reopen(r->ctx, r->dirfd, r->dir, &r->j);
    if (!rc) rc = bal__journal_read(r->ctx, r->dirfd, r->dir, &jr);
    if (rc) goto out;
    for (i = 0; i < jr.n; i++) {
        const bal__jmove *m = &jr.moves[i];

        if (m->started && !(m->verified && (!strcmp(m->state, "done") ||
                                            !strcmp(m->state, "failed"))))
            n++;
    }
    snprintf(jpath, sizeof(jpath), "%s/%s", r->dir, BAL__JOURNAL_FILE);
    if (!n) {
        BAL__INFO(r->ctx, "%s: an earlier run (pid %ld) left no migration "
                  "in doubt; removed", jpath, jr.pid);
        rc = bal__journal_history(r->ctx, r->cfg, r->dirfd, r->dir, &jr);
        if (!rc) rc = bal__journal_remove(r->ctx, &r->j);
        goto out;
    }

    rc = sample_all(r, &s);
    if (rc) {
        BAL__ERR(r->ctx, "%s: an earlier run left %d migration%s in doubt, "
                 "and the cluster cannot be sampled to check; nothing done",
                 jpath, n, n > 1 ? "s" : "");
        goto out;
    }
    r->rep->rec = calloc((size_t)n, sizeof(*r->rep->rec));
    if (!r->rep->rec) { rc = BAL_ENOMEM; goto out; }

    bal__fmt_time(jr.start, when, sizeof(when));
    for (i = 0; i < jr.n; i++) {
        const bal__jmove *m = &jr.moves[i];
        bal__rb_recovery *v;
        bool problem;
        census c;
        where at;

        if (!(m->started && !(m->verified && (!strcmp(m->state, "done") ||
                                              !strcmp(m->state, "failed")))))
            continue;
        v = &r->rep->rec[r->rep->nrec++];
        v->mv = m->mv;
        take_census(&s, m->mv.uuid, &c);
        census_text(&c, where_s, sizeof(where_s));
        at = where_is(&c, &m->mv);
        snprintf(v->found, sizeof(v->found), "%s",
                 found_word(at, bal__sample_find_host(&s, m->mv.from) &&
                                bal__sample_find_host(&s, m->mv.to),
                            &problem));
        bal__sfmt(pre, sizeof(pre), "an earlier run (pid %ld, started %s) "
                  "%s %s (%s) %s -> %s", jr.pid, when,
                  jr.halted ? "stopped with the migration of"
                            : "did not finish the migration of",
                  m->mv.vm, m->mv.uuid, m->mv.from, m->mv.to);
        if (!problem)
            bal__sfmt(v->detail, sizeof(v->detail), "%s: it runs on %s (%s); "
                      "journal entry closed", pre, c.h[0]->name,
                      !strcmp(v->found, "elsewhere") ? "neither source nor "
                      "destination" : !strcmp(v->found, "source")
                      ? "the source" : "the destination");
        else if (!strcmp(v->found, "unknown"))
            bal__sfmt(v->detail, sizeof(v->detail), "%s: cannot tell where it "
                      "runs: %s did not answer; nothing done", pre,
                      bal__sample_find_host(&s, m->mv.from) ? m->mv.to
                                                            : m->mv.from);
        else
            bal__sfmt(v->detail, sizeof(v->detail), "%s: found %s: an admin "
                      "must look (keep exactly one copy, named %s), then run "
                      "again; nothing done", pre, where_s, m->mv.vm);
        v->pub.vm = v->mv.vm;
        v->pub.uuid = v->mv.uuid;
        v->pub.from = v->mv.from;
        v->pub.to = v->mv.to;
        v->pub.found = v->found;
        v->pub.problem = problem;
        v->pub.detail = v->detail;
        if (problem) {
            BAL__ERR(r->ctx, "%s", v->detail);
            problems++;
        } else {
            BAL__WARN(r->ctx, "%s", v->detail);
        }
        journal_move(r, "found", &m->mv, v->found);
        /* Found where it was going: moved, so recorded (below). */
        snprintf(jr.moves[i].found, sizeof(jr.moves[i].found), "%s",
                 v->found);
    }
    /* Before the journal goes, and even when it stays: the moves it
     * shows made are in the history, for their cooldown. */
    rc = bal__journal_history(r->ctx, r->cfg, r->dirfd, r->dir, &jr);
    if (rc) goto out;
    if (problems) {
        /* Kept: every later run checks again, until the VM runs once. */
        journal_sync(r);
        bal__journal_close(&r->j);
        rc = 1;
        goto out;
    }
    rc = bal__journal_remove(r->ctx, &r->j);

out:
    bal__jread_dispose(&jr);
    bal__sample_dispose(&s);
    return rc;
}

/* ---- after the moves: rates and history -------------------------------------- */

/* Rates of the moved VMs over (samples - 1) intervals from the last
 * verification sample; then one history record per verified move. */
static void measure_and_record(rb *r)
{
    bal__sample b;
    bal__rate *rates = NULL;
    bal__hist_facts f;
    bal__hist *h = NULL;
    double t = bal__wall_time();
    int i, k, n = 0, nr = 0, rc;

    bal__sample_init(&b);
    for (i = 0; i < r->rep->nmoves; i++)
        n += r->rep->moves[i].pub.state == BAL_MOVE_DONE;
    if (!n) goto out;

    rc = r->have_last ? r->be->ops->wait(r->be, r->cfg->interval *
                                         (r->cfg->samples - 1)) : BAL_EINVAL;
    if (!rc) rc = r->be->ops->sample(r->be, false, &b);
    if (!rc) rc = bal__rates_compute(&r->last, &b, &rates, &nr);
    if (rc) {
        BAL__WARN(r->ctx, "the moved VMs' rates could not be measured (%s); "
                  "history without them", bal_strerror(rc));
        nr = 0;
    }
    h = calloc((size_t)n, sizeof(*h));
    if (!h) goto out;
    for (n = 0, i = 0; i < r->rep->nmoves; i++) {
        bal__rb_move *m = &r->rep->moves[i];
        bal_rebalance_move *p = &m->pub;
        bool after = false;

        if (p->state != BAL_MOVE_DONE) continue;
        for (k = 0; k < nr; k++) {
            const bal__dom *d = &b.hosts[rates[k].host].doms[rates[k].dom];

            if (strcmp(d->uuid, p->uuid) || d->domid == 0 ||
                (rates[k].flags & BAL__RATE_INVALID))
                continue;
            p->cpu_pct_after = rates[k].cpu * 100.0;
            p->disk_Bps_after = rates[k].rd_Bps + rates[k].wr_Bps;
            p->net_Bps_after = rates[k].net_rx_Bps + rates[k].net_tx_Bps;
            after = true;
        }
        p->rates_valid = m->before_valid && after;
        if (!p->rates_valid)
            p->cpu_pct_after = p->disk_Bps_after = p->net_Bps_after = 0;

        bal__hist_facts_init(&f);
        f.type = p->type;
        f.mem_kb = m->mem_kb;
        f.rates = p->rates_valid;
        f.cpu_pct_before = p->cpu_pct_before;
        f.cpu_pct_after = p->cpu_pct_after;
        f.disk_Bps_before = p->disk_Bps_before;
        f.disk_Bps_after = p->disk_Bps_after;
        f.net_Bps_before = p->net_Bps_before;
        f.net_Bps_after = p->net_Bps_after;
        f.pred = m->pred;
        bal__hist_make(r->cfg, t, &m->pm.mv, &m->res, &f, &h[n]);
        p->gain = h[n].gain;
        n++;
    }
    if (bal__history_append(r->ctx, r->dirfd, r->dir, h, n))
        BAL__WARN(r->ctx, "%s/%s: %d migration%s not recorded", r->dir,
                  BAL__HISTORY_FILE, n, n > 1 ? "s" : "");

out:
    free(h);
    free(rates);
    bal__sample_dispose(&b);
}

/* ---- bal_rebalance --------------------------------------------------------- */

static bal_rebalance_outcome outcome_of(const bal_rebalance_report *rep)
{
    bool partial = false, done = false;
    int i;

    for (i = 0; i < rep->nrec; i++)
        if (rep->rec[i].pub.problem) return BAL_REBALANCE_UNDEFINED;
    for (i = 0; i < rep->nmoves; i++)
        switch (rep->moves[i].pub.state) {
        case BAL_MOVE_UNDEFINED: return BAL_REBALANCE_UNDEFINED;
        case BAL_MOVE_DONE: done = true; break;
        case BAL_MOVE_PLANNED: break;
        default: partial = true; break;
        }
    return partial ? BAL_REBALANCE_PARTIAL
                   : done ? BAL_REBALANCE_DONE : BAL_REBALANCE_NOTHING;
}

/* The moves that may run, as a plan for the executor. */
static int runnable_plan(rb *r)
{
    int i, rc;

    r->slot = calloc((size_t)r->rep->nmoves + 1, sizeof(*r->slot));
    if (!r->slot) return BAL_ENOMEM;
    for (i = 0; i < r->rep->nmoves; i++) {
        const bal__plan_move *pm = &r->rep->moves[i].pm;

        if (r->rep->moves[i].pub.state != BAL_MOVE_PLANNED) continue;
        r->slot[r->run.n] = i;
        rc = bal__plan_add(&r->run, pm->mv.uuid, pm->mv.vm, pm->mv.from,
                           pm->mv.to, pm->wave, pm->reason);
        if (rc) return rc;
    }
    return 0;
}

/* The moves run, the journal around them. */
static int execute(rb *r)
{
    bal__exec_hooks hooks;
    char why[160];
    int i, rc;

    rc = bal__journal_create(r->ctx, r->dirfd, r->dir, &r->j);
    if (rc) return rc;
    for (i = 0; i < r->run.n; i++) {
        char wave[16];

        snprintf(wave, sizeof(wave), "%d", r->run.moves[i].wave);
        journal_move(r, "planned", &r->run.moves[i].mv, wave);
    }
    rc = journal_sync(r);
    if (rc) {
        bal__journal_remove(r->ctx, &r->j);
        return rc;
    }

    memset(&hooks, 0, sizeof(hooks));
    hooks.opaque = r;
    hooks.before = before_wave;
    hooks.after = after_wave;
    rc = bal__exec_plan(r->ctx, r->be, &r->run, &hooks);
    if (rc) {
        /* What ran has its outcome; nothing after it started. */
        snprintf(why, sizeof(why), "not started: the run stopped (%s)",
                 bal_strerror(rc));
        skip_rest(r, -1, why);
    }
    measure_and_record(r);
    bal__counters_add(r->ctx, r->dirfd, r->dir, r->rep);
    r->rep->outcome = outcome_of(r->rep);
    if (r->rep->outcome == BAL_REBALANCE_UNDEFINED) {
        /* Kept, so that the next runs check these VMs first. */
        if (!r->journal_failed) bal__journal_halt(r->ctx, &r->j);
        journal_sync(r);
        bal__journal_close(&r->j);
    } else {
        bal__journal_remove(r->ctx, &r->j);
    }
    return 0;
}

/* A dry run touches nothing, but says when a journal waits. */
static void note_journal(bal_ctx *ctx, const char *dir)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__JOURNAL_FILE);
    if (access(path, F_OK) == 0)
        BAL__WARN(ctx, "%s: an earlier run left a journal; the next run "
                  "checks it before moving anything", path);
}

/* The configuration's paths must be absolute: a relative one would
 * depend on where cron happens to start us. */
static int check_path(bal_ctx *ctx, const struct bal_config *cfg,
                      const char *key, const char *path)
{
    if (path[0] == '/') return 0;
    BAL__ERR(ctx, "%s: %s `%s' is not an absolute path",
             cfg->source ? cfg->source : "configuration", key, path);
    return BAL_ECONFIG;
}

/* Each state file there, before anything is done: a link or a FIFO in
 * the place of one is refused now, in one line, not when it is written
 * after the moves (each open refuses it again, in case it came since). */
static int check_state_files(bal_ctx *ctx, int dirfd, const char *dir)
{
    static const char *const names[] = {
        BAL__JOURNAL_FILE, BAL__HISTORY_FILE, BAL__HISTORY_FILE ".new",
        BAL__COUNTERS_FILE,
    };
    char path[4200];
    size_t i;
    int fd, rc;

    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = bal__state_open(ctx, dirfd, path, names[i], "state file",
                             O_RDONLY, &fd);
        if (rc) return rc;
        if (fd >= 0) close(fd);
    }
    return 0;
}

int bal__state_take(bal_ctx *ctx, const struct bal_config *cfg,
                    int *dirfd_r, int *lockfd_r)
{
    const char *dir = bal__config_state_dir(cfg);
    int dirfd = -1, lockfd = -1, rc;

    *dirfd_r = *lockfd_r = -1;
    rc = check_path(ctx, cfg, "state_dir", dir);
    if (!rc) rc = check_path(ctx, cfg, "lock_file", bal__config_lock_file(cfg));
    if (rc) return rc;
    rc = bal__state_dir_open(ctx, dir, &dirfd);
    if (rc) return rc;
    rc = check_state_files(ctx, dirfd, dir);
    if (!rc) rc = bal__lock_take(ctx, bal__config_lock_file(cfg), &lockfd);
    /* Ours alone now: whatever a killed run left is mended before it is
     * read. */
    if (!rc && lockfd >= 0) rc = bal__history_mend(ctx, dirfd, dir);
    if (rc) {
        bal__lock_release(lockfd);
        close(dirfd);
        return rc;
    }
    *dirfd_r = dirfd;
    *lockfd_r = lockfd;
    return 0;
}

int bal__state_take_excl(bal_ctx *ctx, const struct bal_config *cfg,
                         int *dirfd_r, int *lockfd_r)
{
    int rc = bal__state_take(ctx, cfg, dirfd_r, lockfd_r);

    if (rc || *lockfd_r >= 0) return rc;
    close(*dirfd_r);
    *dirfd_r = -1;
    return BAL_ELOCKED;
}

int bal_rebalance(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
                  const bal_rebalance_options *o,
                  bal_rebalance_report **report_r)
{
    bal_rebalance_report *rep = NULL;
    bal_status *st = NULL;
    char *kept = NULL;          /* the observations to keep (obsfile.h) */
    bal__plan_step step;        /* the plan: made, or read (--apply) */
    double *gain = NULL;
    bal__hist *hist = NULL;
    char problem[600];
    bool unclean;
    int nhist = 0;
    int lockfd = -1, nrun = 0, rc;
    rb r;

    bal__plan_step_init(&step);
    memset(&r, 0, sizeof(r));
    r.dirfd = -1;
    bal__journal_init(&r.j);
    bal__plan_init(&r.run);
    bal__sample_init(&r.last);
    if (!ctx || !be || !cfg || !o || !report_r) return BAL_EINVAL;
    rc = bal__version_check(ctx, "bal_rebalance_options", o->version,
                            BAL_REBALANCE_OPTIONS_VERSION);
    if (rc) return rc;
    r.ctx = ctx;
    r.be = be;
    r.cfg = cfg;
    r.o = o;
    r.dir = bal__config_state_dir(cfg);

    rep = calloc(1, sizeof(*rep));
    if (!rep) { rc = BAL_ENOMEM; goto out; }
    r.rep = rep;

    /* A bad plan file is refused before anything is touched. */
    if (o->apply) {
        rc = bal__plan_json_load(ctx, o->apply, &step.plan, &gain);
        if (rc) goto out;
        /* A saved plan carries its gains; its durations and dirty rates
         * are not read back (the VMs' are taken from the status). */
        step.pred = calloc((size_t)step.plan.n + 1, sizeof(*step.pred));
        if (!step.pred) { rc = BAL_ENOMEM; goto out; }
        for (int i = 0; i < step.plan.n; i++) {
            step.pred[i].gain_rate = gain[i];
            step.pred[i].mig_s = step.pred[i].dirty_Bps = NAN;
            step.pred[i].vm_gain = NAN;
        }
    }
    if (o->dry_run) {
        note_journal(ctx, r.dir);
    } else {
        if (!be->ops->migrate) {
            BAL__ERR(ctx, "backend %s cannot migrate VMs; use --dry-run",
                     be->ops->name);
            rc = BAL_EBACKEND;
            goto out;
        }
        rc = bal__state_take(ctx, cfg, &r.dirfd, &lockfd);
        if (rc) goto out;
        if (lockfd < 0) {
            rep->outcome = BAL_REBALANCE_LOCKED;
            goto done;
        }
        rc = recover(&r);
        if (rc < 0) goto out;
        if (rc > 0) {
            rep->outcome = BAL_REBALANCE_UNDEFINED;
            goto done;
        }
    }

    /* Under the lock, the observations kept for the next run are
     * replaced with this run's (observe/obsfile.h) once it has gone as
     * far as a report: a run refused on the way keeps the old ones.  A
     * dry run, like status and plan, only reads them. */
    rc = bal__status_observe(ctx, be, cfg, o->dry_run ? NULL : &kept, &st);
    if (rc) goto out;
    rc = find_unclean(&st->last, problem, sizeof(problem), &unclean);
    if (rc) goto out;
    if (unclean) {
        BAL__ERR(ctx, "the cluster is not clean: %s; an admin must look; "
                 "nothing moved", problem);
        rep->outcome = BAL_REBALANCE_UNDEFINED;
        goto done;
    }
    if (o->apply) {
        rc = apply_live_names(ctx, o->apply, &step.plan, st);
        if (rc) goto out;
    } else {
        rc = bal__plan_make_live(ctx, cfg, st, o->max_moves, -1, &hist,
                                 &nhist, &step);
        if (rc) goto out;
    }
    rc = report_moves(&r, &step.plan, step.pred, st);
    if (rc) goto out;
    if (o->apply) {
        rc = refuse_broken_rules(&r, st, &step.plan);
        if (rc) goto out;
    }
    rc = validate(&r, st, o->max_moves, &nrun);
    if (rc) goto out;

    if (!nrun || o->dry_run) {
        rep->outcome = outcome_of(rep);
        if (o->dry_run && nrun) rep->outcome = BAL_REBALANCE_PLANNED;
        if (rep->outcome == BAL_REBALANCE_NOTHING)
            BAL__INFO(ctx, "nothing to do: no move planned");
        goto done;
    }
    if (o->confirm && !o->confirm(o->confirm_opaque, rep)) {
        rep->outcome = BAL_REBALANCE_UNCONFIRMED;
        goto done;
    }
    rc = runnable_plan(&r);
    if (rc) goto out;
    rc = execute(&r);
    if (rc) goto out;

done:
    /* Their loss costs minutes of observation, not a move: logged (one
     * line), the outcome stands. */
    if (kept) bal__obs_save(ctx, r.dirfd, r.dir, kept);
    rep->status = st;
    st = NULL;
    bal__notify(ctx, cfg, rep);
    *report_r = rep;
    rep = NULL;
    rc = 0;

out:
    bal_rebalance_report_free(rep);
    bal_status_free(st);
    bal__plan_step_dispose(&step);
    bal__plan_dispose(&r.run);
    bal__sample_dispose(&r.last);
    bal__journal_close(&r.j);
    free(r.slot);
    free(gain);
    free(hist);
    free(kept);
    bal__lock_release(lockfd);
    if (r.dirfd >= 0) close(r.dirfd);
    return rc;
}

void bal_rebalance_report_free(bal_rebalance_report *r)
{
    if (!r) return;
    free(r->moves);
    free(r->rec);
    bal_status_free(r->status);
    free(r);
}

const bal_status *bal_rebalance_report_status(const bal_rebalance_report *r)
{
    return r ? r->status : NULL;
}

bal_rebalance_outcome bal_rebalance_report_outcome(
    const bal_rebalance_report *r)
{
    return r ? r->outcome : BAL_REBALANCE_NOTHING;
}

int bal_rebalance_report_num_moves(const bal_rebalance_report *r)
{
    return r ? r->nmoves : 0;
}

const bal_rebalance_move *bal_rebalance_report_move(
    const bal_rebalance_report *r, int i)
{
    return r && i >= 0 && i < r->nmoves ? &r->moves[i].pub : NULL;
}

int bal_rebalance_report_num_recovered(const bal_rebalance_report *r)
{
    return r ? r->nrec : 0;
}

const bal_rebalance_recovery *bal_rebalance_report_recovered(
    const bal_rebalance_report *r, int i)
{
    return r && i >= 0 && i < r->nrec ? &r->rec[i].pub : NULL;
}
