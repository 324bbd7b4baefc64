/*
 * simreport.c - `xl-balance simulate`'s public side: run a scenario with
 * and without the balancer, compare, and hand out the results as plain
 * structs, JSON and a timeline plot.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsongen.h"
#include "base/loadtype.h"
#include "plot.h"
#include "simulate.h"

struct bal_sim_report {
    bal__simrun bal;            /* with the balancer (empty: no_balance) */
    bal__simrun base;           /* without it */
    bool has_bal;
    bal_sim_vm_info *vms;
    int nvms;
    bal_sim_migration_info *migs;
    int nmigs;
};

static const bal__simrun *main_run(const bal_sim_report *r)
{
    return r->has_bal ? &r->bal : &r->base;
}

static int build(bal_sim_report *r)
{
    const bal__simrun *m = main_run(r);
    int i;

    r->vms = calloc((size_t)m->nvms + 1, sizeof(*r->vms));
    r->migs = calloc((size_t)m->nmigs + 1, sizeof(*r->migs));
    if (!r->vms || !r->migs) return BAL_ENOMEM;
    for (i = 0; i < m->nvms; i++) {
        const bal__simrun_vm *v = &m->vms[i];
        bal_sim_vm_info *o = &r->vms[r->nvms++];

        o->name = v->name;
        o->uuid = v->uuid;
        o->load = v->load;
        o->has_job = v->has_job;
        o->completion_s = v->completion_s;
        o->baseline_s = r->has_bal && i < r->base.nvms
                        ? r->base.vms[i].completion_s : -1;
        o->host_start = m->hosts[v->host_start];
        o->host_end = m->hosts[v->host_end];
    }
    for (i = 0; i < m->nmigs; i++) {
        const bal__simrun_mig *g = &m->migs[i];
        bal_sim_migration_info *o = &r->migs[r->nmigs++];

        o->vm = g->mv.vm;
        o->from = g->mv.from;
        o->to = g->mv.to;
        o->wave = g->wave;
        o->rc = g->r.rc;
        o->start_s = g->r.start_s;
        o->end_s = g->r.end_s;
        o->downtime_s = g->r.downtime_s;
        o->bytes = g->r.bytes;
        o->rounds = g->r.rounds;
    }
    return 0;
}

int bal_simulate(bal_ctx *ctx, const bal_config *cfg,
                 const bal_sim_options *o, bal_sim_report **report_r)
{
    bal_sim_report *r = NULL;
    int rc;

    if (!ctx || !cfg || !o || !report_r) return BAL_EINVAL;
    rc = bal__version_check(ctx, "bal_sim_options", o->version,
                            BAL_SIM_OPTIONS_VERSION);
    if (rc) return rc;
    if (!o->scenario) return BAL_EINVAL;
    if (!(o->job_scale > 0) || !isfinite(o->job_scale)) {
        BAL__ERR(ctx, "simulate: job scale %g is not a positive number",
                 o->job_scale);
        return BAL_EINVAL;
    }
    r = calloc(1, sizeof(*r));
    if (!r) return BAL_ENOMEM;
    bal__simrun_init(&r->bal);
    bal__simrun_init(&r->base);

    rc = bal__simulate_run(ctx, cfg, o, false, true, &r->base);
    if (rc) goto out;
    if (!o->no_balance) {
        rc = bal__simulate_run(ctx, cfg, o, true, true, &r->bal);
        if (rc) goto out;
        r->has_bal = true;
    }
    rc = build(r);
    if (rc) goto out;
    *report_r = r;
    r = NULL;

out:
    bal_sim_report_free(r);
    return rc;
}

void bal_sim_report_free(bal_sim_report *r)
{
    if (!r) return;
    bal__simrun_dispose(&r->bal);
    bal__simrun_dispose(&r->base);
    free(r->vms);
    free(r->migs);
    free(r);
}

int bal_sim_report_num_vms(const bal_sim_report *r)
{
    return r ? r->nvms : 0;
}

const bal_sim_vm_info *bal_sim_report_vm(const bal_sim_report *r, int i)
{
    return r && i >= 0 && i < r->nvms ? &r->vms[i] : NULL;
}

int bal_sim_report_num_migrations(const bal_sim_report *r)
{
    return r ? r->nmigs : 0;
}

const bal_sim_migration_info *bal_sim_report_migration(
    const bal_sim_report *r, int i)
{
    return r && i >= 0 && i < r->nmigs ? &r->migs[i] : NULL;
}

double bal_sim_report_rtt_ms(const bal_sim_report *r)
{
    return main_run(r)->rtt_ms;
}

bool bal_sim_report_concurrent(const bal_sim_report *r)
{
    return main_run(r)->concurrent;
}

double bal_sim_report_balance_at(const bal_sim_report *r)
{
    return main_run(r)->balance_at;
}

/* ---- JSON ------------------------------------------------------------- */

int bal_sim_report_json(const bal_sim_report *r, char **json_r)
{
    bal__jw *w = NULL;
    int i, rc;

    if (!r || !json_r) return BAL_EINVAL;
    rc = bal__jw_doc(true, "xl_balance_simulation", 1, &w);
    if (rc) return rc;
    bal__jw_key_bool(w, "balanced", r->has_bal);
    bal__jw_key_num_or_null(w, "rtt_ms", bal_sim_report_rtt_ms(r), 3);
    bal__jw_key_str(w, "policy", bal_sim_report_concurrent(r)
                                 ? "concurrent" : "sequential");
    bal__jw_key_num_or_null(w, "balance_at_s", bal_sim_report_balance_at(r),
                            3);
    bal__jw_str(w, "vms");
    bal__jw_array_open(w);
    for (i = 0; i < r->nvms; i++) {
        const bal_sim_vm_info *v = &r->vms[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "name", v->name);
        bal__jw_key_str(w, "uuid", v->uuid);
        bal__jw_key_str(w, "load", bal_load_type_name(v->load));
        bal__jw_key_str(w, "host_start", v->host_start);
        bal__jw_key_str(w, "host_end", v->host_end);
        bal__jw_key_num_or_null(w, "completion_s",
                                v->has_job ? v->completion_s : -1, 3);
        if (r->has_bal)
            bal__jw_key_num_or_null(w, "completion_no_balance_s",
                                    v->has_job ? v->baseline_s : -1, 3);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_str(w, "migrations");
    bal__jw_array_open(w);
    for (i = 0; i < r->nmigs; i++) {
        const bal_sim_migration_info *m = &r->migs[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "vm", m->vm);
        bal__jw_key_str(w, "from", m->from);
        bal__jw_key_str(w, "to", m->to);
        bal__jw_key_int(w, "wave", m->wave);
        bal__jw_key_bool(w, "ok", m->rc == 0);
        bal__jw_key_num_or_null(w, "start_s", m->start_s, 3);
        bal__jw_key_num_or_null(w, "end_s", m->end_s, 3);
        bal__jw_key_num_or_null(w, "downtime_s", m->downtime_s, 3);
        bal__jw_key_int(w, "bytes", (long long)m->bytes);
        bal__jw_key_int(w, "rounds", m->rounds);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);

    return bal__jw_finish(w, json_r);
}

/* ---- the plot ----------------------------------------------------------
 * One panel per VM with a job, like the paper's figures 2-5: the job's
 * throughput (MB/s of I/O for an io VM, of traffic for a net VM, million
 * operations/s otherwise) with balancing (solid) and without (dashed),
 * migrations shaded. */

typedef struct series_buf {
    double *x, *y;
} series_buf;

/* The resource a VM's job is plotted in: the one its type uses, or the
 * computation for a type of several or none. */
static int shown(bal_load_type t)
{
    int r;

    for (r = 0; r < BAL_NRES && bal__type_nres(t) == 1; r++)
        if (bal__type_uses(t, r)) return r;
    return BAL_RES_CPU;
}

static int to_series(const bal__simrun_vm *v, int res, series_buf *b,
                     bal__plot_series *s, const char *label, int style)
{
    int i;

    b->x = malloc(((size_t)v->npts + 1) * sizeof(double));
    b->y = malloc(((size_t)v->npts + 1) * sizeof(double));
    if (!b->x || !b->y) return BAL_ENOMEM;
    for (i = 0; i < v->npts; i++) {
        b->x[i] = v->pts[i].t;
        b->y[i] = (res == BAL_RES_IO ? v->pts[i].io_Bps :
                   res == BAL_RES_NET ? v->pts[i].net_Bps :
                   v->pts[i].cpu_ops_s) / 1e6;
    }
    s->label = label;
    s->x = b->x;
    s->y = b->y;
    s->n = v->npts;
    s->style = style;
    return 0;
}

int bal_sim_report_plot(bal_ctx *ctx, const bal_sim_report *r,
                        const char *path)
{
    const bal__simrun *m;
    bal__plot_panel *panels = NULL;
    bal__plot_series *series = NULL;
    bal__plot_band *bands = NULL;
    series_buf *bufs = NULL;
    char (*titles)[BAL__NAME_MAX + 16] = NULL;
    int np = 0, ns = 0, nb = 0, i, k, rc;
    char title[256];

    if (!ctx || !r || !path) return BAL_EINVAL;
    m = main_run(r);
    panels = calloc((size_t)m->nvms + 1, sizeof(*panels));
    series = calloc(2 * (size_t)m->nvms + 1, sizeof(*series));
    bufs = calloc(2 * (size_t)m->nvms + 1, sizeof(*bufs));
    bands = calloc((size_t)m->nmigs + 1, sizeof(*bands));
    titles = calloc((size_t)m->nvms + 1, sizeof(*titles));
    if (!panels || !series || !bufs || !bands || !titles) {
        rc = BAL_ENOMEM;
        goto out;
    }
    for (k = 0; k < m->nmigs; k++) {
        if (m->migs[k].r.rc) continue;
        bands[nb].x0 = m->migs[k].r.start_s;
        bands[nb].x1 = m->migs[k].r.end_s;
        bands[nb].label = m->migs[k].mv.vm;
        nb++;
    }
    for (i = 0; i < m->nvms; i++) {
        const bal__simrun_vm *v = &m->vms[i];
        int res = shown(v->load), first = ns;

        if (!v->has_job) continue;
        rc = to_series(v, res, &bufs[ns], &series[ns],
                       r->has_bal ? "with balancing" : "without balancing",
                       0);
        if (rc) goto out;
        ns++;
        if (r->has_bal && i < r->base.nvms) {
            rc = to_series(&r->base.vms[i], res, &bufs[ns], &series[ns],
                           "without balancing", 1);
            if (rc) goto out;
            ns++;
        }
        snprintf(titles[np], sizeof(titles[np]), "%s (%s)", v->name,
                 res == BAL_RES_IO ? "I/O" : bal_load_type_name(v->load));
        panels[np].title = titles[np];
        panels[np].xlabel = "time (s)";
        panels[np].ylabel = res == BAL_RES_CPU ? "M ops/s" : "MB/s";
        panels[np].series = &series[first];
        panels[np].nseries = ns - first;
        panels[np].bands = r->has_bal ? bands : NULL;
        panels[np].nbands = r->has_bal ? nb : 0;
        panels[np].y_from_zero = true;
        np++;
    }
    if (!np) {
        BAL__ERR(ctx, "%s: no VM with a job to plot", path);
        rc = BAL_EINVAL;
        goto out;
    }
    snprintf(title, sizeof(title), "xl-balance simulate: RTT %g ms, %s "
             "migrations", m->rtt_ms,
             m->concurrent ? "concurrent" : "sequential");
    rc = bal__plot_write(ctx, path, title, panels, np);

out:
    if (bufs)
        for (i = 0; i < 2 * m->nvms; i++) {
            free(bufs[i].x);
            free(bufs[i].y);
        }
    free(bufs);
    free(series);
    free(panels);
    free(bands);
    free(titles);
    return rc;
}
