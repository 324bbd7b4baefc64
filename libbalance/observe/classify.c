/*
 * classify.c - a VM's load type from its levels.  Pure: no Xen header.
 *
 * The caller gives two levels per sample (status.c, bal__levels):
 *   cpu_level = CPU use / min(vcpus, host pcpus)   (of what it may use)
 *   io_level  = max(disk B/s / host disk B/s, IOPS / host disk IOPS)
 * The rules, in the order they apply, are also in doc/classify.md (the
 * README's "Load types").
 */
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

/* Rule 3: the instant type of smoothed levels.
 *  - both levels below their low thresholds: idle;
 *  - both at or above their high thresholds: mixed (it competes for the
 *    cores and for the disk path alike);
 *  - otherwise the load that is larger relative to its high threshold
 *    names the type (a tie is cpu).  A light VM thus still has a type; it
 *    is just not heavy. */
bal_load_type bal__classify_levels(const bal__class_params *p,
                                   double cpu_level, double io_level)
{
    if (cpu_level < p->cpu_low && io_level < p->io_low)
        return BAL_TYPE_IDLE;
    if (cpu_level >= p->cpu_high && io_level >= p->io_high)
        return BAL_TYPE_MIXED;
    return ratio(io_level, p->io_high) > ratio(cpu_level, p->cpu_high)
        ? BAL_TYPE_IO : BAL_TYPE_CPU;
}

/* Rule 4: whether levels still fit type t once every boundary is widened
 * by the band in t's favour.  Always true when bal__classify_levels gives
 * t itself; true near a boundary; false once the levels are clearly past
 * one. */
static bool keeps(const bal__class_params *p, bal_load_type t,
                  double c, double i)
{
    double rc = ratio(c, p->cpu_high), ri = ratio(i, p->io_high);

    switch (t) {
    case BAL_TYPE_IDLE:
        /* Leaving idle: a level must reach 1.2x its low threshold. */
        return c < p->cpu_low * BAND_HI && i < p->io_low * BAND_HI;
    case BAL_TYPE_MIXED:
        /* Leaving mixed: a level must fall below 0.8x its high one. */
        return c >= p->cpu_high * BAND_LO && i >= p->io_high * BAND_LO;
    case BAL_TYPE_CPU:
        /* Leaving cpu: both below 0.8x low (idle), both at 1.2x high
         * (mixed), or io's ratio 1.2x cpu's (io). */
        if (c < p->cpu_low * BAND_LO && i < p->io_low * BAND_LO) return false;
        if (c >= p->cpu_high * BAND_HI && i >= p->io_high * BAND_HI)
            return false;
        return ri <= rc * BAND_HI;
    case BAL_TYPE_IO:
        if (c < p->cpu_low * BAND_LO && i < p->io_low * BAND_LO) return false;
        if (c >= p->cpu_high * BAND_HI && i >= p->io_high * BAND_HI)
            return false;
        return rc <= ri * BAND_HI;
    }
    return false;
}

bal_load_type bal__classify_update(const bal__class_params *p,
                                   bal__class_state *st,
                                   double cpu_level, double io_level)
{
    double a = p->alpha, c = clamp01(cpu_level), i = clamp01(io_level);
    bal_load_type cand;

    /* Rule 2: EWMA, level = a * new + (1 - a) * level.  The first sample
     * initialises it, and the type too (no hold: there is no old type to
     * protect).  An alpha outside (0, 1] would freeze or overshoot the
     * average: it means no smoothing. */
    if (!(a > 0 && a <= 1)) a = 1;
    if (!st->init) {
        st->init = true;
        st->cpu_level = c;
        st->io_level = i;
        st->type = bal__classify_levels(p, c, i);
        st->pending = st->type;
        st->pending_n = 0;
        return st->type;
    }
    st->cpu_level = a * c + (1 - a) * st->cpu_level;
    st->io_level = a * i + (1 - a) * st->io_level;

    /* Rules 3 and 4: the candidate is the reported type while the
     * smoothed levels stay within its band, else their instant type. */
    cand = keeps(p, st->type, st->cpu_level, st->io_level)
        ? st->type : bal__classify_levels(p, st->cpu_level, st->io_level);

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
    if (cand == st->type || keeps(p, st->type, c, i)) {
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
 * cpu for a cpu VM, io for an io VM, either for a mixed VM; never idle.
 * Heavy VMs of one type sharing a host are what the balancer separates. */
bool bal__classify_heavy(const bal__class_params *p, bal_load_type t,
                         double cpu_level, double io_level)
{
    switch (t) {
    case BAL_TYPE_CPU:   return cpu_level >= p->cpu_high;
    case BAL_TYPE_IO:    return io_level >= p->io_high;
    case BAL_TYPE_MIXED:
        return cpu_level >= p->cpu_high || io_level >= p->io_high;
    case BAL_TYPE_IDLE:  return false;
    }
    return false;
}
