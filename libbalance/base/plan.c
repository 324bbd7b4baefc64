/*
 * plan.c - plans as data: moves grouped in waves (the planner makes
 * them, planner.h; plan files carry them, plan_json.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

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
