/*
 * plan.h - a migration plan: moves grouped in waves.  A wave's moves run
 * at once; the waves run one after another.  Pure.
 */
#ifndef BAL_PLAN_H
#define BAL_PLAN_H

#include "internal.h"
#include "move.h"

typedef struct bal__plan_move {
    bal__move mv;               /* uuid, vm, from, to */
    int wave;                   /* 0, 1, ...: waves run in order */
    char reason[160];           /* why, for the admin */
} bal__plan_move;

typedef struct bal__plan {
    bal__plan_move *moves;      /* sorted by wave */
    int n, cap;
    int nwaves;
} bal__plan;

void bal__plan_init(bal__plan *p);
void bal__plan_dispose(bal__plan *p);
int bal__plan_add(bal__plan *p, const char *uuid, const char *vm,
                  const char *from, const char *to, int wave,
                  const char *reason);

#endif
