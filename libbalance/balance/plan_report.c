/*
 * plan_report.c - `xl-balance plan' inside the library: bal_plan (the
 * status, the planner's input and result from bal__plan_make, the very
 * step rebalance and the simulator's balancer run), bal_plan_cluster (the
 * input read from a file, planned offline), the one report both make of
 * an input and its result, and the report's JSON, which is a plan file
 * (rebalance.h) with the predictions beside each move.  Moves nothing,
 * writes nothing (the CLI writes the metrics textfile from its status).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "base/json.h"
#include "base/jsongen.h"
#include "plan_step.h"
#include "plan_report.h"
#include "planner/planner_json.h"

#define PLAN_VERSION 1
/* A reject's detail (bal__pl_reject's, 200 bytes) and a note after it. */
#define NOTE_MAX 400

struct bal_plan_report {
    bal_plan_summary sum;
    bal__pl_input in;           /* owns the strings below point to */
    bal__pl_result res;
    bal__pl_estimate *est;      /* one per VM; NULL: no live status */
    bal_plan_move_info *moves;
    bal_plan_reject_info *rej;
    bal_plan_vm_info *vms;
    bal_plan_host_info *hosts;
    /* Reject details with a note added (note_future), [nrejects]; the
     * public detail points here where one was. */
    char (*notes)[NOTE_MAX];
    bal_status *status;         /* bal_plan's; NULL offline */
};

int bal_plan_options_init(bal_plan_options *o, unsigned int version)
{
    if (!o || version != BAL_PLAN_OPTIONS_VERSION) return BAL_EINVAL;
    memset(o, 0, sizeof(*o));
    o->version = version;
    o->horizon_s = -1;
    o->max_moves = -1;
    return 0;
}

/* An empty report, its input and result ready to be filled. */
static bal_plan_report *report_new(void)
{
    bal_plan_report *r = calloc(1, sizeof(*r));

    if (!r) return NULL;
    bal__pl_input_init(&r->in);
    bal__pl_result_init(&r->res);
    return r;
}

void bal_plan_report_free(bal_plan_report *r)
{
    if (!r) return;
    bal__pl_input_dispose(&r->in);
    bal__pl_result_dispose(&r->res);
    free(r->est);
    free(r->moves);
    free(r->rej);
    free(r->vms);
    free(r->hosts);
    free(r->notes);
    bal_status_free(r->status);
    free(r);
}

const bal_status *bal_plan_report_status(const bal_plan_report *r)
{
    return r ? r->status : NULL;
}

/* The public views of the planner's input and result: the one place a
 * report is made of them, for bal_plan and bal_plan_cluster alike. */
static int fill(bal_plan_report *r)
{
    const bal__pl_input *in = &r->in;
    const bal__pl_result *res = &r->res;
    int i;

    r->moves = calloc((size_t)res->nmoves + 1, sizeof(*r->moves));
    r->rej = calloc((size_t)res->nrejects + 1, sizeof(*r->rej));
    r->vms = calloc((size_t)in->nvms + 1, sizeof(*r->vms));
    r->hosts = calloc((size_t)in->nhosts + 1, sizeof(*r->hosts));
    if (!r->moves || !r->rej || !r->vms || !r->hosts) return BAL_ENOMEM;

    for (i = 0; i < res->nmoves; i++) {
        const bal__pl_move *m = &res->moves[i];
        bal_plan_move_info *p = &r->moves[i];

        p->vm = in->vms[m->vm].name;
        p->uuid = in->vms[m->vm].uuid;
        p->from = in->hosts[m->from].name;
        p->to = in->hosts[m->to].name;
        p->type = in->vms[m->vm].type;
        p->wave = m->wave;
        p->unit = m->unit;
        p->evacuation = m->evacuation;
        p->reason = m->reason;
        p->gain = m->gain;
        p->gain_rate = m->gain_rate;
        p->loss = m->loss;
        p->migration_s = m->mig_s;
        p->wave_migration_s = m->wave_mig_s;
        p->downtime_s = m->downtime_s;
        p->bytes = m->bytes;
        p->break_even_s = m->break_even_s;
        p->rounds = m->rounds;
    }
    for (i = 0; i < res->nrejects; i++) {
        const bal__pl_reject *j = &res->rejects[i];
        bal_plan_reject_info *p = &r->rej[i];

        p->vm = in->vms[j->vm].name;
        p->uuid = in->vms[j->vm].uuid;
        p->reason = bal__pl_why_name(j->why);
        p->to = j->to >= 0 ? in->hosts[j->to].name : NULL;
        p->partner = j->partner >= 0 ? in->vms[j->partner].name : NULL;
        p->gain = j->gain;
        p->gain_rate = j->gain_rate;
        p->loss = j->loss;
        p->migration_s = j->mig_s;
        p->break_even_s = j->break_even_s;
        p->detail = j->detail;
    }
    for (i = 0; i < in->nhosts; i++) {
        bal_plan_host_info *h = &r->hosts[i];

        h->name = in->hosts[i].name;
        h->pcpus = in->hosts[i].pcpus;
        h->drained = in->hosts[i].drained;
        h->free_kb_before = h->free_kb_after = in->hosts[i].free_kb;
    }
    for (i = 0; i < in->nvms; i++) {
        const bal__pl_vm *v = &in->vms[i];
        bal_plan_vm_info *p = &r->vms[i];
        int to = res->placement ? res->placement[i] : v->host;

        p->vm = v->name;
        p->uuid = v->uuid;
        p->type = v->type;
        p->heavy = v->heavy;
        p->pinned = v->pinned;
        p->host_before = in->hosts[v->host].name;
        p->host_after = in->hosts[to].name;
        p->cpu_demand = v->cpu;
        p->io_demand_Bps = v->io_Bps;
        p->net_demand_Bps = v->net_Bps;
        p->dirty_Bps = v->dirty_Bps;
        /* A file gives demands, not what a VM got: no bottleneck seen. */
        p->cpu_bottleneck = r->est && r->est[i].cpu_bottleneck;
        p->io_bottleneck = r->est && r->est[i].io_bottleneck;
        p->net_bottleneck = r->est && r->est[i].net_bottleneck;
        if (to != v->host) {
            r->hosts[v->host].free_kb_after += (int64_t)v->mem_kb;
            r->hosts[to].free_kb_after -= (int64_t)v->mem_kb;
        }
    }

    r->sum.horizon_s = in->params.horizon_s;
    r->sum.nmoves = res->nmoves;
    r->sum.nwaves = res->nwaves;
    r->sum.duration_s = res->total_s;
    r->sum.objective_before = res->objective_before;
    r->sum.objective_after = res->objective_after;
    r->sum.collisions_before = res->collisions_before;
    r->sum.collisions_after = res->collisions_after;
    r->sum.stranded = res->stranded;
    return 0;
}

/* A VM kept in cooldown by a record dated ahead of this host's clock
 * (history.c took it as made now, with a warning) says so among the
 * rejects: its cooldown is not what its migration earned, and the reason
 * is a clock to look at. */
static int note_future(bal_plan_report *r, const bal__hist *hist, int nhist)
{
    bal__uuidmap last;
    int i, j, rc;

    bal__uuidmap_init(&last);
    rc = bal__hist_latest(hist, nhist, &last);
    for (i = 0; !rc && i < r->res.nrejects; i++) {
        const bal__pl_reject *rj = &r->res.rejects[i];

        if (rj->why != BAL__PL_COOLDOWN) continue;
        j = bal__uuidmap_get(&last, r->in.vms[rj->vm].uuid);
        if (j < 0 || !hist[j].future) continue;
        if (!r->notes) {
            r->notes = calloc((size_t)r->res.nrejects, sizeof(*r->notes));
            if (!r->notes) { rc = BAL_ENOMEM; break; }
        }
        bal__sfmt(r->notes[i], sizeof(r->notes[i]), "%s (its latest history "
                  "record was dated ahead of this host's clock: taken as "
                  "made now)", rj->detail);
        r->rej[i].detail = r->notes[i];
    }
    bal__uuidmap_dispose(&last);
    return rc;
}

int bal_plan(bal_ctx *ctx, bal_backend *be, const bal_config *cfg,
             const bal_plan_options *o, bal_plan_report **report_r)
{
    bal_plan_report *r = NULL;
    bal_status *st = NULL;
    bal__hist *hist = NULL;
    bal__plan_step step;
    int nhist = 0, rc;

    if (!ctx || !be || !cfg || !o || !report_r) return BAL_EINVAL;
    rc = bal__version_check(ctx, "bal_plan_options", o->version,
                            BAL_PLAN_OPTIONS_VERSION);
    if (rc) return rc;
    bal__plan_step_init(&step);
    r = report_new();
    if (!r) return BAL_ENOMEM;

    rc = bal_status_collect(ctx, be, cfg, &st);
    if (rc) goto out;
    /* What rebalance would know: its history, read, never written. */
    rc = bal__plan_make_live(ctx, cfg, st, o->max_moves, o->horizon_s,
                             &hist, &nhist, &step);
    if (rc) goto out;
    /* The report keeps the input, the result and the estimates. */
    r->in = step.in;
    r->res = step.res;
    r->est = step.est;
    bal__pl_input_init(&step.in);
    bal__pl_result_init(&step.res);
    step.est = NULL;
    rc = fill(r);
    if (!rc) rc = note_future(r, hist, nhist);
    if (rc) goto out;
    r->sum.peer_errors = bal_status_peer_errors(st);
    r->status = st;
    st = NULL;
    *report_r = r;
    r = NULL;

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "plan: out of memory");
    bal_plan_report_free(r);
    bal_status_free(st);
    bal__plan_step_dispose(&step);
    free(hist);
    return rc;
}

/* ---- offline: a cluster file ------------------------------------------------ */

/* The planner's refusals name no file ("planner: vm vm2: uuid ... is
 * already vm vm1's") and quote the names as they are.  Offline the input
 * is a file the admin wrote, so they are told as its reader's are: after
 * "FILE: ", control characters as '?' (a name may hold any), through a
 * context of our own that hands every line on to the caller's. */
typedef struct file_sink {
    bal_ctx *ctx;
    const char *path;
} file_sink;

static void file_log(void *opaque, bal_log_level level, const char *msg)
{
    const file_sink *fs = opaque;
    char line[1024];

    if (level >= BAL_LOG_ERROR)
        snprintf(line, sizeof(line), "%s: %s", fs->path, msg);
    else
        snprintf(line, sizeof(line), "%s", msg);
    bal__mask_controls(line);
    bal__log(fs->ctx, level, "%s", line);
}

int bal__plan_cluster_text(bal_ctx *ctx, const char *what, const char *text,
                           size_t len, const bal_plan_options *o,
                           bal_plan_report **report_r)
{
    bal_plan_report *r = NULL;
    file_sink fs;
    bal_ctx fctx;
    int rc;

    if (!ctx || !what || !text || !o || !report_r) return BAL_EINVAL;
    rc = bal__version_check(ctx, "bal_plan_options", o->version,
                            BAL_PLAN_OPTIONS_VERSION);
    if (rc) return rc;
    /* An infinite horizon would reach the planner, which would blame
     * the file for it. */
    if (isinf(o->horizon_s)) {
        BAL__ERR(ctx, "plan: horizon %g: not a finite number of seconds",
                 o->horizon_s);
        return BAL_EINVAL;
    }
    r = report_new();
    if (!r) {
        /* Said here: no callee has said it. */
        BAL__ERR(ctx, "%s: out of memory", what);
        rc = BAL_ENOMEM;
        goto out;
    }
    if (bal__json_blank(text, len)) {
        BAL__ERR(ctx, "%s: empty: not a planner input", what);
        rc = BAL_EINVAL;
        goto out;
    }
    rc = bal__pl_input_parse_json(ctx, what, text, len, &r->in);
    if (rc) goto out;           /* "WHAT: where: what", logged */

    /* The command line's word over the file's, as bal__plan_make has
     * it over the configuration's. */
    if (o->max_moves >= 0) r->in.params.max_moves = o->max_moves;
    if (o->horizon_s > 0) r->in.params.horizon_s = o->horizon_s;

    fs = (file_sink){ .ctx = ctx, .path = what };
    fctx = (bal_ctx){ .log_fn = file_log, .log_opaque = &fs,
                      .log_min = ctx->log_min };
    rc = bal__planner_plan(&fctx, &r->in, &r->res);
    if (rc) goto out;           /* logged, after "WHAT: " */

    rc = fill(r);
    if (rc) {
        BAL__ERR(ctx, "%s: out of memory", what);
        goto out;
    }
    *report_r = r;
    r = NULL;

out:
    bal_plan_report_free(r);
    return rc;
}

int bal_plan_cluster(bal_ctx *ctx, const char *path,
                     const bal_plan_options *o, bal_plan_report **report_r)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (!ctx || !path || !*path || !o || !report_r) return BAL_EINVAL;
    /* Before the file is read: the options are refused whatever it says. */
    rc = bal__version_check(ctx, "bal_plan_options", o->version,
                            BAL_PLAN_OPTIONS_VERSION);
    if (rc) return rc;
    /* Regular files only, bounded: a FIFO or a directory is refused at
     * once, not waited on. */
    rc = bal__read_file(ctx, path, BAL__CLUSTER_FILE_MAX, &text, &len);
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "%s: out of memory", path);
    if (rc) goto out;
    rc = bal__plan_cluster_text(ctx, path, text, len, o, report_r);

out:
    free(text);
    return rc;
}

/* ---- accessors ------------------------------------------------------------ */

const bal_plan_summary *bal_plan_report_summary(const bal_plan_report *r)
{
    return r ? &r->sum : NULL;
}

int bal_plan_report_num_moves(const bal_plan_report *r)
{
    return r ? r->res.nmoves : 0;
}

const bal_plan_move_info *bal_plan_report_move(const bal_plan_report *r,
                                               int i)
{
    return r && i >= 0 && i < r->res.nmoves ? &r->moves[i] : NULL;
}

double bal_plan_report_wave_s(const bal_plan_report *r, int wave)
{
    return r && wave >= 0 && wave < r->res.nwaves ? r->res.wave_s[wave] : NAN;
}

int bal_plan_report_num_rejected(const bal_plan_report *r)
{
    return r ? r->res.nrejects : 0;
}

const bal_plan_reject_info *bal_plan_report_rejected(
    const bal_plan_report *r, int i)
{
    return r && i >= 0 && i < r->res.nrejects ? &r->rej[i] : NULL;
}

int bal_plan_report_num_vms(const bal_plan_report *r)
{
    return r ? r->in.nvms : 0;
}

const bal_plan_vm_info *bal_plan_report_vm(const bal_plan_report *r, int i)
{
    return r && i >= 0 && i < r->in.nvms ? &r->vms[i] : NULL;
}

int bal_plan_report_num_hosts(const bal_plan_report *r)
{
    return r ? r->in.nhosts : 0;
}

const bal_plan_host_info *bal_plan_report_host(const bal_plan_report *r,
                                               int i)
{
    return r && i >= 0 && i < r->in.nhosts ? &r->hosts[i] : NULL;
}

/* ---- JSON --------------------------------------------------------------- */

/* The figures are predictions, their last digits noise: fixed decimals
 * keep the golden files (tests/golden) stable.  A demand as large as the
 * path (io_Bps infinite) is the string "max", as in a cluster file. */
static void k_num(bal__jw *w, const char *k, double v, int decimals)
{
    if (isinf(v) && v > 0 && (!strcmp(k, "io_demand_Bps") ||
                              !strcmp(k, "net_demand_Bps")))
        bal__jw_key_str(w, k, "max");
    else
        bal__jw_key_num(w, k, v, decimals);
}

static void gen_moves(bal__jw *w, const bal_plan_report *r)
{
    int i;

    bal__jw_str(w, "moves");
    bal__jw_array_open(w);
    for (i = 0; i < r->res.nmoves; i++) {
        const bal_plan_move_info *m = &r->moves[i];

        bal__jw_map_open(w);
        /* What the plan file reader uses (plan_json.c) first. */
        bal__jw_key_move(w, m->vm, m->uuid, m->from, m->to);
        bal__jw_key_int(w, "wave", m->wave);
        bal__jw_key_str(w, "reason", m->reason);
        k_num(w, "gain_rate", m->gain_rate, 4);
        /* The predictions. */
        bal__jw_key_str(w, "type", bal_load_type_name(m->type));
        bal__jw_key_int(w, "unit", m->unit);
        bal__jw_key_bool(w, "evacuation", m->evacuation);
        k_num(w, "gain", m->gain, 1);
        k_num(w, "loss", m->loss, 1);
        k_num(w, "migration_s", m->migration_s, 1);
        k_num(w, "wave_migration_s", m->wave_migration_s, 1);
        /* What rebalance shows beside the measured duration. */
        k_num(w, "predicted_s", m->wave_migration_s, 1);
        k_num(w, "downtime_s", m->downtime_s, 3);
        k_num(w, "bytes", m->bytes, 0);
        bal__jw_key_int(w, "rounds", m->rounds);
        k_num(w, "break_even_s", m->break_even_s, 1);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
}

/* Per host pair with a learned rate: its from, to, rate and how many
 * measured migrations it is the median of ([] when none). */
static void gen_learned(bal__jw *w, const bal_plan_report *r)
{
    const bal__pl_params *p = &r->in.params;
    int i;

    bal__jw_str(w, "learned_links");
    bal__jw_array_open(w);
    /* What the planner was told, with the counts: an admin sees what was
     * learned from how many migrations.  In (from, to) order. */
    for (i = 0; p->links && i < p->nlinks; i++) {
        const bal__pl_pair *l = &p->links[i];

        if (!(l->learned_Bps > 0)) continue;
        bal__jw_map_open(w);
        bal__jw_key_str(w, "from", r->in.hosts[l->from].name);
        bal__jw_key_str(w, "to", r->in.hosts[l->to].name);
        k_num(w, "Bps", l->learned_Bps, 0);
        bal__jw_key_int(w, "n", l->learned_n);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
}

static void gen_rejected(bal__jw *w, const bal_plan_report *r)
{
    int i;

    bal__jw_str(w, "rejected");
    bal__jw_array_open(w);
    for (i = 0; i < r->res.nrejects; i++) {
        const bal_plan_reject_info *j = &r->rej[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "vm", j->vm);
        bal__jw_key_str(w, "uuid", j->uuid);
        bal__jw_key_str(w, "reason", j->reason);
        bal__jw_key_str(w, "to", j->to);
        bal__jw_key_str(w, "partner", j->partner);
        k_num(w, "gain", j->gain, 1);
        k_num(w, "gain_rate", j->gain_rate, 4);
        k_num(w, "loss", j->loss, 1);
        k_num(w, "migration_s", j->migration_s, 1);
        k_num(w, "break_even_s", j->break_even_s, 1);
        bal__jw_key_str(w, "detail", j->detail);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
}

/* Per host, its VMs before and after. */
static void gen_hosts(bal__jw *w, const bal_plan_report *r)
{
    int i, k, after;

    bal__jw_str(w, "hosts");
    bal__jw_array_open(w);
    for (i = 0; i < r->in.nhosts; i++) {
        const bal_plan_host_info *h = &r->hosts[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "name", h->name);
        bal__jw_key_int(w, "pcpus", h->pcpus);
        bal__jw_key_bool(w, "drained", h->drained);
        bal__jw_key_int(w, "free_kb_before", h->free_kb_before);
        bal__jw_key_int(w, "free_kb_after", h->free_kb_after);
        for (after = 0; after < 2; after++) {
            bal__jw_str(w, after ? "after" : "before");
            bal__jw_array_open(w);
            for (k = 0; k < r->in.nvms; k++) {
                const bal_plan_vm_info *v = &r->vms[k];

                if ((after ? v->host_after : v->host_before) == h->name)
                    bal__jw_str(w, v->vm);
            }
            bal__jw_array_close(w);
        }
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
}

static void gen_vms(bal__jw *w, const bal_plan_report *r)
{
    int i;

    bal__jw_str(w, "vms");
    bal__jw_array_open(w);
    for (i = 0; i < r->in.nvms; i++) {
        const bal_plan_vm_info *v = &r->vms[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "vm", v->vm);
        bal__jw_key_str(w, "uuid", v->uuid);
        bal__jw_key_str(w, "type", bal_load_type_name(v->type));
        bal__jw_key_bool(w, "heavy", v->heavy);
        bal__jw_key_bool(w, "pinned", v->pinned);
        bal__jw_key_str(w, "host", v->host_before);
        bal__jw_key_str(w, "host_after", v->host_after);
        k_num(w, "cpu_demand", v->cpu_demand, 3);
        k_num(w, "io_demand_Bps", v->io_demand_Bps, 0);
        k_num(w, "net_demand_Bps", v->net_demand_Bps, 0);
        k_num(w, "dirty_Bps", v->dirty_Bps, 0);
        bal__jw_key_bool(w, "cpu_bottleneck", v->cpu_bottleneck);
        bal__jw_key_bool(w, "io_bottleneck", v->io_bottleneck);
        bal__jw_key_bool(w, "net_bottleneck", v->net_bottleneck);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
}

int bal_plan_report_json(const bal_plan_report *r, char **json_r)
{
    bal__jw *w = NULL;
    int i, k, rc;

    if (!r || !json_r) return BAL_EINVAL;
    rc = bal__jw_doc(true, "xl_balance_plan", PLAN_VERSION, &w);
    if (rc) return rc;
    gen_moves(w, r);
    k_num(w, "horizon_s", r->sum.horizon_s, 1);
    bal__jw_str(w, "waves");
    bal__jw_array_open(w);
    for (i = 0; i < r->res.nwaves; i++) {
        int n = 0;

        for (k = 0; k < r->res.nmoves; k++) n += r->moves[k].wave == i;
        bal__jw_map_open(w);
        bal__jw_key_int(w, "wave", i);
        bal__jw_key_int(w, "moves", n);
        k_num(w, "duration_s", r->res.wave_s[i], 1);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    k_num(w, "duration_s", r->sum.duration_s, 1);
    gen_rejected(w, r);
    bal__jw_str(w, "objective");
    bal__jw_map_open(w);
    k_num(w, "before", r->sum.objective_before, 1);
    k_num(w, "after", r->sum.objective_after, 1);
    bal__jw_map_close(w);
    bal__jw_str(w, "collisions");
    bal__jw_map_open(w);
    bal__jw_key_int(w, "before", r->sum.collisions_before);
    bal__jw_key_int(w, "after", r->sum.collisions_after);
    bal__jw_map_close(w);
    bal__jw_key_int(w, "stranded", r->sum.stranded);
    gen_learned(w, r);
    gen_hosts(w, r);
    gen_vms(w, r);
    bal__jw_map_close(w);

    return bal__jw_finish(w, json_r);
}
