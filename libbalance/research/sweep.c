/*
 * sweep.c - the break-even study: how long must a job still have to run
 * for a migration to pay off?  Simulated by bisection over the job
 * length, compared with the closed form L* = Tm (1 - (1 - d) r) / (1 - r):
 * a job of remaining length L (without migration) runs at (1 - d) of its
 * speed for the Tm the migrations take, then at 1/r; it breaks even when
 * Tm + r (L - (1 - d) Tm) = L.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsongen.h"
#include "plot.h"
#include "simulate.h"

#define BISECT_STEPS 14
#define WIN_MARGIN_S 0.5        /* a tie within noise is no win */

/* What bal_sim_sweep hands out: its rows, read through the accessors. */
struct bal_sweep_report {
    bal_sweep_row *rows;
    int n;
};

/* Mean completion of the VMs with a job of this type; -1 if none. */
static double mean_completion(const bal__simrun *run, bal_load_type t)
{
    double sum = 0;
    int i, n = 0;

    for (i = 0; i < run->nvms; i++)
        if (run->vms[i].has_job && run->vms[i].load == t &&
            run->vms[i].completion_s >= 0) {
            sum += run->vms[i].completion_s;
            n++;
        }
    return n ? sum / n : -1;
}

/* Mean job throughput of type t's VMs over [t0, t1): ops/s or bytes/s,
 * from the work done between each VM's first and last points inside it
 * (a timeline may have dropped the points between: timeline.h). */
static double mean_rate(const bal__simrun *run, bal_load_type t, double t0,
                        double t1)
{
    double sum = 0, span = 0;
    int i, k;

    for (i = 0; i < run->nvms; i++) {
        const bal__simrun_vm *v = &run->vms[i];
        const bal__sim_point *a = NULL, *b = NULL;

        if (!v->has_job || v->load != t) continue;
        for (k = 0; k < v->npts; k++) {
            const bal__sim_point *p = &v->pts[k];

            if (p->t < t0 || p->t > t1) continue;
            if (!a) a = p;
            b = p;
        }
        if (!a || !(b->t > a->t)) continue;
        sum += t == BAL_TYPE_IO ? b->io_bytes - a->io_bytes
                                : b->cpu_ops - a->cpu_ops;
        span += b->t - a->t;
    }
    return span > 0 ? sum / span : 0;
}

typedef struct trial {
    bal__simrun bal, base;
} trial;

static void trial_dispose(trial *t)
{
    bal__simrun_dispose(&t->bal);
    bal__simrun_dispose(&t->base);
}

static int run_trial(bal_ctx *ctx, const struct bal_config *cfg,
                     const bal_sim_options *o, double rtt, double scale,
                     bool record, trial *t)
{
    bal_sim_options so = *o;
    int rc;

    so.rtt_ms = rtt;
    so.job_scale = scale;
    bal__simrun_init(&t->bal);
    bal__simrun_init(&t->base);
    rc = bal__simulate_run(ctx, cfg, &so, false, record, &t->base);
    if (!rc) rc = bal__simulate_run(ctx, cfg, &so, true, record, &t->bal);
    if (rc) trial_dispose(t);
    return rc;
}

/* Tm, d and r of type t from a long job's runs. */
static void measure(const trial *tr, bal_load_type t, bal_sweep_row *row)
{
    double m0 = INFINITY, m1 = 0, before, during, after, end;
    int i;

    for (i = 0; i < tr->bal.nmigs; i++) {
        if (tr->bal.migs[i].r.rc) continue;
        if (tr->bal.migs[i].r.start_s < m0) m0 = tr->bal.migs[i].r.start_s;
        if (tr->bal.migs[i].r.end_s > m1) m1 = tr->bal.migs[i].r.end_s;
    }
    row->tm_s = row->d = row->r = row->closed_form_s = -1;
    if (!isfinite(m0)) return;
    end = mean_completion(&tr->bal, t);
    before = mean_rate(&tr->base, t, 0, m0);
    during = mean_rate(&tr->bal, t, m0, m1);
    /* "After": once the moved VMs settled, before any job ends. */
    after = mean_rate(&tr->bal, t, m1, m1 + (end - m1) / 2);
    row->tm_s = m1 - m0;
    if (before <= 0 || after <= 0) return;
    row->d = 1 - during / before;
    row->r = before / after;
    if (row->r < 1)
        row->closed_form_s = row->tm_s * (1 - (1 - row->d) * row->r) /
                             (1 - row->r);
}

int bal_sim_sweep(bal_ctx *ctx, const bal_config *cfg,
                  const bal_sim_options *o, const double *rtts, int nrtts,
                  bal_sweep_report **report_r)
{
    static const bal_load_type types[] = { BAL_TYPE_CPU, BAL_TYPE_IO };
    bal_sweep_report *rep = NULL;
    bal_sweep_row *rows = NULL;
    trial unit;
    int nrows = 0, i, ti, k, rc;

    if (!ctx || !cfg || !o || !rtts || nrtts <= 0 || !report_r)
        return BAL_EINVAL;
    rc = bal__version_check(ctx, "bal_sim_options", o->version,
                            BAL_SIM_OPTIONS_VERSION);
    if (rc) return rc;
    rep = calloc(1, sizeof(*rep));
    rows = calloc((size_t)nrtts * 2, sizeof(*rows));
    if (!rep || !rows) {
        free(rep);
        free(rows);
        return BAL_ENOMEM;
    }

    /* The unit job: its baseline tells how length scales with work (the
     * hosts run apart without balancing, so completion is linear in it). */
    rc = run_trial(ctx, cfg, o, rtts[0], 1, false, &unit);
    if (rc) goto out;

    for (i = 0; i < nrtts; i++) {
        for (ti = 0; ti < 2; ti++) {
            bal_load_type t = types[ti];
            double c1 = mean_completion(&unit.base, t);
            double at = unit.bal.balance_at, lo, hi, lmax;
            bal_sweep_row *row = &rows[nrows];
            trial tr;

            if (c1 <= at) continue;     /* no such jobs, or over already */
            row->rtt_ms = rtts[i];
            row->type = t;
            nrows++;

            /* Measure Tm, d, r on a job 4x the unit's remaining length. */
            lmax = 4 * (c1 - at);
            rc = run_trial(ctx, cfg, o, rtts[i], (at + lmax) / c1, true, &tr);
            if (rc) goto out;
            measure(&tr, t, row);
            trial_dispose(&tr);

            /* Bisect on the remaining length L, in seconds. */
            lo = 1;
            hi = lmax;
            for (k = 0; k <= BISECT_STEPS; k++) {
                double l = k == 0 ? lo : k == 1 ? hi : (lo + hi) / 2;
                double wb, wn;
                bool win;

                rc = run_trial(ctx, cfg, o, rtts[i], (at + l) / c1, false,
                               &tr);
                if (rc) goto out;
                wb = mean_completion(&tr.bal, t);
                wn = mean_completion(&tr.base, t);
                win = wb >= 0 && wn >= 0 && wb < wn - WIN_MARGIN_S;
                trial_dispose(&tr);
                if (k == 0 && win) { row->breakeven_s = 0; break; }
                if (k == 1 && !win) { row->breakeven_s = -1; break; }
                if (k >= 2) {
                    if (win) hi = l; else lo = l;
                }
                row->breakeven_s = (lo + hi) / 2;
            }
        }
    }
    rep->rows = rows;
    rep->n = nrows;
    *report_r = rep;
    rows = NULL;
    rep = NULL;

out:
    trial_dispose(&unit);
    free(rows);
    free(rep);
    return rc;
}

void bal_sweep_report_free(bal_sweep_report *r)
{
    if (!r) return;
    free(r->rows);
    free(r);
}

int bal_sweep_report_num_rows(const bal_sweep_report *r)
{
    return r ? r->n : 0;
}

const bal_sweep_row *bal_sweep_report_row(const bal_sweep_report *r, int i)
{
    return r && i >= 0 && i < r->n ? &r->rows[i] : NULL;
}

int bal_sweep_report_json(const bal_sweep_report *r, char **json_r)
{
    const bal_sweep_row *rows;
    bal__jw *w = NULL;
    int n, i, rc;

    if (!r || !json_r) return BAL_EINVAL;
    rows = r->rows;
    n = r->n;
    rc = bal__jw_doc(true, "xl_balance_breakeven", 1, &w);
    if (rc) return rc;
    bal__jw_str(w, "rows");
    bal__jw_array_open(w);
    for (i = 0; i < n; i++) {
        bal__jw_map_open(w);
        bal__jw_key_num(w, "rtt_ms", rows[i].rtt_ms, 3);
        bal__jw_key_str(w, "type", bal_load_type_name(rows[i].type));
        bal__jw_key_num_or_null(w, "breakeven_s", rows[i].breakeven_s, 3);
        bal__jw_key_num_or_null(w, "migration_s", rows[i].tm_s, 3);
        bal__jw_key_num(w, "loss_during", rows[i].d, 3);
        bal__jw_key_num_or_null(w, "time_ratio_after", rows[i].r, 3);
        bal__jw_key_num_or_null(w, "closed_form_s", rows[i].closed_form_s, 3);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    return bal__jw_finish(w, json_r);
}

int bal_sweep_report_plot(bal_ctx *ctx, const bal_sweep_report *r,
                          const char *path)
{
    static const bal_load_type types[] = { BAL_TYPE_CPU, BAL_TYPE_IO };
    const bal_sweep_row *rows;
    double *x = NULL, *y = NULL;
    bal__plot_series s[4];
    bal__plot_panel p;
    int n, ns = 0, ti, i, rc;

    if (!r || !path) return BAL_EINVAL;
    rows = r->rows;
    n = r->n;
    x = calloc((size_t)n * 4 + 1, sizeof(*x));
    y = calloc((size_t)n * 4 + 1, sizeof(*y));
    if (!x || !y) { rc = BAL_ENOMEM; goto out; }
    for (ti = 0; ti < 2; ti++) {
        int pass;

        for (pass = 0; pass < 2; pass++) {
            double *sx = x + ns * n, *sy = y + ns * n;
            int m = 0;

            for (i = 0; i < n; i++) {
                double v = pass ? rows[i].closed_form_s : rows[i].breakeven_s;

                if (rows[i].type != types[ti] || v < 0) continue;
                sx[m] = rows[i].rtt_ms;
                sy[m] = v;
                m++;
            }
            s[ns].label = ti ? (pass ? "io, closed form" : "io, simulated")
                             : (pass ? "cpu, closed form" : "cpu, simulated");
            s[ns].x = sx;
            s[ns].y = sy;
            s[ns].n = m;
            s[ns].style = pass;
            ns++;
        }
    }
    memset(&p, 0, sizeof(p));
    p.title = "break-even remaining job length";
    p.xlabel = "RTT (ms)";
    p.ylabel = "seconds";
    p.series = s;
    p.nseries = ns;
    p.y_from_zero = true;
    rc = bal__plot_write(ctx, path, "xl-balance simulate --sweep", &p, 1);

out:
    free(x);
    free(y);
    return rc;
}
