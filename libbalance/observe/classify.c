/*
 * classify.c - a VM's load type from its levels.  Pure: no Xen header.
 *
 * The caller gives one level per resource and sample (status.c,
 * bal__levels):
 *   cpu = CPU use / min(vcpus, host pcpus)   (of what it may use)
 *   io  = max(disk B/s / host disk B/s, IOPS / host disk IOPS)
 *   net = (rx + tx B/s) / host NIC B/s
 * The types and the resources each uses are the table's
 * (base/loadtype.c): a type that uses none is idle, one that uses
 * several is a mix, the rest each use one.  The rules, in the order they
 * apply, are also in doc/classify.md (the README's "Load types").
 */
#include <math.h>
#include <string.h>

#include "classify.h"

/* Band hysteresis: leaving the reported type needs the levels to be 20%
 * past the boundary, so values sitting on a threshold do not flap. */
#define BAND_LO 0.8
#define BAND_HI 1.2

void bal__class_state_init(bal__class_state *st)
{
    memset(st, 0, sizeof(*st));
    st->type = BAL_TYPE_IDLE;
    st->pending = BAL_TYPE_IDLE;
}

/* Rule 1: a level is a fraction of a capacity, clamped to [0, 1].  More
 * than 1 is saturation (or a capacity configured too low, or clock
 * jitter); clamping keeps one absurd sample from dominating the EWMA for
 * many samples afterwards.  NaN counts as 0. */
static double clamp01(double x)
{
    if (!(x > 0)) return 0;
    return x > 1 ? 1 : x;
}

/* A level relative to its high threshold; a threshold of 0 makes any load
 * count as far over it. */
static double ratio(double level, double high)
{
    if (high > 0) return level / high;
    return level > 0 ? 1e9 : 0;
}

/* Every level below its low threshold times f. */
static bool all_below(const bal__class_params *p, const double *l, double f)
{
    int r;

    for (r = 0; r < BAL_NRES; r++)
        if (!(l[r] < p->low[r] * f)) return false;
    return true;
}

/* Every level of a resource t uses at or above its high threshold times
 * f. */
static bool uses_over(const bal__class_params *p, bal_load_type t,
                      const double *l, double f)
{
    int r;

    for (r = 0; r < BAL_NRES; r++)
        if (bal__type_uses(t, r) && !(l[r] >= p->high[r] * f)) return false;
    return true;
}

/* The one resource of a plain type. */
static int res_of(bal_load_type t)
{
    int r;

    for (r = 0; r < BAL_NRES && !bal__type_uses(t, r); r++) {}
    return r;
}

/* Rule 3: the instant type of smoothed levels.
 *  - every level below its low threshold: idle;
 *  - every level a mix uses at or above its high threshold: that mix
 *    (mixed competes for the cores and for the disk path alike);
 *  - otherwise the load that is largest relative to its high threshold
 *    names the type (a tie goes to the type first in the table: cpu).  A
 *    light VM thus still has a type; it is just not heavy. */
bal_load_type bal__classify_levels(const bal__class_params *p,
                                   const double *level)
{
    bal_load_type best = BAL_TYPE_IDLE;
    double bestr = 0;
    int t, k;

    for (t = 0; t < BAL_NTYPES; t++)
        if (bal__type_nres(t) == 0 && all_below(p, level, 1)) return t;
    for (t = 0; t < BAL_NTYPES; t++)
        if (bal__type_nres(t) > 1 && uses_over(p, t, level, 1)) return t;
    for (t = 0, k = 0; t < BAL_NTYPES; t++) {
        double x;

        if (bal__type_nres(t) != 1) continue;
        x = ratio(level[res_of(t)], p->high[res_of(t)]);
        if (k++ == 0 || x > bestr) {
            best = t;
            bestr = x;
        }
    }
    return best;
}

/* Rule 4: whether levels still fit type t once every boundary is widened
 * by the band in t's favour.  Always true when bal__classify_levels gives
 * t itself; true near a boundary; false once the levels are clearly past
 * one. */
static bool keeps(const bal__class_params *p, bal_load_type t,
                  const double *l)
{
    int u, n = bal__type_nres(t), r;
    double rt;

    /* Leaving idle: a level must reach 1.2x its low threshold. */
    if (n == 0) return all_below(p, l, BAND_HI);
    /* Leaving a mix: a level it uses must fall below 0.8x its high one. */
    if (n > 1) return uses_over(p, t, l, BAND_LO);
    /* Leaving a plain type: every level below 0.8x low (idle), every
     * level of a mix at 1.2x high (that mix), or another plain type's
     * ratio 1.2x its own (that type). */
    if (all_below(p, l, BAND_LO)) return false;
    r = res_of(t);
    rt = ratio(l[r], p->high[r]);
    for (u = 0; u < BAL_NTYPES; u++) {
        n = bal__type_nres(u);
        if (n > 1 && uses_over(p, u, l, BAND_HI)) return false;
        if (n == 1 && u != (int)t &&
            ratio(l[res_of(u)], p->high[res_of(u)]) > rt * BAND_HI)
            return false;
    }
    return true;
}

double bal__window_step(double window_s, double dt_s, double *seen_s)
{
    double old = *seen_s > 0 ? *seen_s : 0, add, keep;

    if (!(dt_s > 0)) return old > 0 ? 0 : 1;
    if (window_s > 0) {
        /* expm1: exact for intervals far shorter than the window. */
        add = -window_s * expm1(-dt_s / window_s);
        keep = old * exp(-dt_s / window_s);
    } else {
        add = dt_s;
        keep = old;
    }
    *seen_s = keep + add;
    return add / *seen_s;
}

bal_load_type bal__classify_update(const bal__class_params *p,
                                   bal__class_state *st,
                                   const double *level, double dt_s)
{
    double a = p->alpha, x[BAL_NRES], w;
    bal_load_type cand;
    int r;

    for (r = 0; r < BAL_NRES; r++) x[r] = clamp01(level[r]);
    /* Rule 2: EWMA, level = a * new + (1 - a) * level.  The first sample
     * initialises it, and the type too (no hold: there is no old type to
     * protect).  An alpha outside (0, 1] would freeze or overshoot the
     * average: it means no smoothing.  Rule 2b: levels that stand on a
     * history kept across runs weigh each interval by its length in the
     * time-decayed window instead: a burst of seconds weighs seconds. */
    if (!(a > 0 && a <= 1)) a = 1;
    w = bal__window_step(p->window, dt_s, &st->seen_s);
    if (st->windowed && p->window > 0) a = w;
    st->weight = st->init ? a : 1;
    if (!st->init) {
        st->init = true;
        memcpy(st->level, x, sizeof(st->level));
        st->type = bal__classify_levels(p, st->level);
        st->pending = st->type;
        st->pending_n = 0;
        return st->type;
    }
    for (r = 0; r < BAL_NRES; r++)
        st->level[r] = a * x[r] + (1 - a) * st->level[r];

    /* Rules 3 and 4: the candidate is the reported type while the
     * smoothed levels stay within its band, else their instant type. */
    cand = keeps(p, st->type, st->level)
        ? st->type : bal__classify_levels(p, st->level);

    /* Rule 5: hold.  A sample counts for a new candidate only when the
     * smoothed levels point to it AND the sample on its own (unsmoothed)
     * is outside the reported type's band too.  The EWMA remembers a
     * spike for several samples; the second condition does not, so one
     * noisy sample adds at most 1 to the count.  The reported type
     * changes once the same candidate has counted hold consecutive
     * samples: with hold >= 2 a single noisy sample never flips it, and
     * a real change is reported about hold samples after it began.  A
     * sample that backs the reported type, or another candidate, starts
     * the count again. */
    if (cand == st->type || keeps(p, st->type, x)) {
        st->pending = st->type;
        st->pending_n = 0;
    } else {
        if (cand == st->pending) st->pending_n++;
        else {
            st->pending = cand;
            st->pending_n = 1;
        }
        if (st->pending_n >= p->hold) {
            st->type = cand;
            st->pending = cand;
            st->pending_n = 0;
        }
    }
    return st->type;
}

/* Rule 6: heavy when the dominant load is at or over its high threshold:
 * the level of the resource a plain type uses, any of a mix's; never
 * idle.  Heavy VMs of one type sharing a host are what the balancer
 * separates. */
bool bal__classify_heavy(const bal__class_params *p, bal_load_type t,
                         const double *level)
{
    int r;

    for (r = 0; r < BAL_NRES; r++)
        if (bal__type_uses(t, r) && level[r] >= p->high[r]) return true;
    return false;
}
