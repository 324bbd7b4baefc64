/*
 * plan.c - plans as data, and the interim type-separating policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "status.h"

void bal__plan_init(bal__plan *p)
{
    memset(p, 0, sizeof(*p));
}

void bal__plan_dispose(bal__plan *p)
{
    free(p->moves);
    bal__plan_init(p);
}

int bal__plan_add(bal__plan *p, const char *uuid, const char *vm,
                  const char *from, const char *to, int wave,
                  const char *reason)
{
    bal__plan_move *m;

    if (p->n == p->cap) {
        int ncap = p->cap ? p->cap * 2 : 8;
        bal__plan_move *nm = realloc(p->moves, (size_t)ncap * sizeof(*nm));

        if (!nm) return BAL_ENOMEM;
        p->moves = nm;
        p->cap = ncap;
    }
    m = &p->moves[p->n++];
    memset(m, 0, sizeof(*m));
    snprintf(m->mv.uuid, sizeof(m->mv.uuid), "%s", uuid);
    snprintf(m->mv.vm, sizeof(m->mv.vm), "%s", vm);
    snprintf(m->mv.from, sizeof(m->mv.from), "%s", from);
    snprintf(m->mv.to, sizeof(m->mv.to), "%s", to);
    snprintf(m->reason, sizeof(m->reason), "%s", reason);
    m->wave = wave;
    if (wave + 1 > p->nwaves) p->nwaves = wave + 1;
    return 0;
}

/* ---- the interim policy ------------------------------------------------ */

typedef struct pvm {
    const bal_vm_info *info;
    int host;                   /* index into the status's hosts, now */
    bool moved;
} pvm;

typedef struct phost {
    int64_t free_kb;
    int heavy[2];               /* [0] contending for cores, [1] for disk */
    bool done[2];               /* no way found to relieve it */
} phost;

enum { RES_CPU = 0, RES_IO = 1 };

static bool uses(const bal_vm_info *v, int res)
{
    if (!v->heavy) return false;
    if (v->type == BAL_TYPE_MIXED) return true;
    return res == RES_CPU ? v->type == BAL_TYPE_CPU : v->type == BAL_TYPE_IO;
}

static void account(phost *hs, const pvm *v, int host, int sign)
{
    int r;

    for (r = 0; r < 2; r++)
        if (uses(v->info, r)) hs[host].heavy[r] += sign;
    hs[host].free_kb -= sign * (int64_t)v->info->mem_kb;
}

/* The first VM on host h heavy in exactly `res' (a pure type: moving a
 * mixed VM relieves one resource and loads another), not yet moved. */
static pvm *pick(pvm *vs, int nv, int h, int res)
{
    int i;

    for (i = 0; i < nv; i++)
        if (vs[i].host == h && !vs[i].moved && uses(vs[i].info, res) &&
            !uses(vs[i].info, !res))
            return &vs[i];
    return NULL;
}

int bal__policy_separate(const bal_status *st, bool concurrent,
                         bal__plan *out)
{
    pvm *vs = NULL;
    phost *hs = NULL;
    int64_t *arriving = NULL;
    bal__plan plan;
    int nv = 0, nh, i, h, res, wave = 0, rc;

    bal__plan_init(&plan);
    nh = st->nhosts;
    vs = calloc((size_t)st->nvms + 1, sizeof(*vs));
    hs = calloc((size_t)nh + 1, sizeof(*hs));
    arriving = calloc((size_t)nh + 1, sizeof(*arriving));
    if (!vs || !hs || !arriving) { rc = BAL_ENOMEM; goto out; }

    for (h = 0; h < nh; h++) hs[h].free_kb = (int64_t)st->hosts[h].free_kb;
    for (i = 0; i < st->nvms; i++) {
        const bal_vm_info *v = &st->vms[i];

        if (v->is_dom0) continue;
        for (h = 0; h < nh; h++)
            if (st->hosts[h].name == v->host) break;
        vs[nv].info = v;
        vs[nv].host = h;
        for (res = 0; res < 2; res++)
            if (uses(v, res)) hs[h].heavy[res]++;
        nv++;
    }

    for (;;) {
        pvm *v = NULL, *w = NULL;
        int from = -1, to = -1;
        char why[160];

        /* The first host still holding two heavy VMs of one kind. */
        for (h = 0; h < nh && from < 0; h++)
            for (res = 0; res < 2 && from < 0; res++)
                if (hs[h].heavy[res] >= 2 && !hs[h].done[res]) {
                    from = h;
                    break;
                }
        if (from < 0) break;
        v = pick(vs, nv, from, res);
        if (!v) {
            hs[from].done[res] = true;
            continue;
        }

        /* Best: a swap with a host that has the opposite surplus and none
         * of v's kind; then: any host without v's kind that fits it. */
        for (h = 0; h < nh && !w; h++) {
            if (h == from || hs[h].heavy[res] > 0 ||
                hs[h].heavy[!res] < 2)
                continue;
            w = pick(vs, nv, h, !res);
            if (w && hs[h].free_kb >= (int64_t)v->info->mem_kb &&
                hs[from].free_kb + (int64_t)v->info->mem_kb >=
                    (int64_t)w->info->mem_kb) {
                to = h;
            } else {
                w = NULL;
            }
        }
        if (to < 0)
            for (h = 0; h < nh; h++)
                if (h != from && hs[h].heavy[res] == 0 &&
                    hs[h].free_kb >= (int64_t)v->info->mem_kb) {
                    to = h;
                    break;
                }
        if (to < 0) {
            hs[from].done[res] = true;
            continue;
        }

        snprintf(why, sizeof(why), "%s shares %s with another heavy %s VM",
                 v->info->name, st->hosts[from].name,
                 bal_load_type_name(v->info->type));
        account(hs, v, from, -1);
        account(hs, v, to, +1);
        v->host = to;
        v->moved = true;
        arriving[to] += (int64_t)v->info->mem_kb;
        rc = bal__plan_add(&plan, v->info->uuid, v->info->name,
                           st->hosts[from].name, st->hosts[to].name,
                           wave, why);
        if (rc) goto out;
        if (!concurrent) wave++;
        if (w) {
            snprintf(why, sizeof(why), "swapped with %s: %s gets a %s VM "
                     "beside its %s one", v->info->name,
                     st->hosts[from].name,
                     bal_load_type_name(w->info->type),
                     bal_load_type_name(v->info->type));
            account(hs, w, to, -1);
            account(hs, w, from, +1);
            w->host = from;
            w->moved = true;
            arriving[from] += (int64_t)w->info->mem_kb;
            rc = bal__plan_add(&plan, w->info->uuid, w->info->name,
                               st->hosts[to].name, st->hosts[from].name,
                               wave, why);
            if (rc) goto out;
            if (!concurrent) wave++;
        }
    }

    /* Running every move at once needs room on each destination for all
     * that arrive before anything leaves; otherwise fall back to one move
     * a wave, whose order was checked step by step above. */
    if (concurrent) {
        bool fits = true;

        for (h = 0; h < nh; h++)
            if (arriving[h] > (int64_t)st->hosts[h].free_kb) fits = false;
        for (i = 0; i < plan.n; i++) plan.moves[i].wave = fits ? 0 : i;
        plan.nwaves = plan.n ? (fits ? 1 : plan.n) : 0;
    }

    *out = plan;
    bal__plan_init(&plan);
    rc = 0;

out:
    bal__plan_dispose(&plan);
    free(vs);
    free(hs);
    free(arriving);
    return rc;
}
