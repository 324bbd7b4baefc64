/*
 * report_json.c - a rebalance run's report as JSON (rebalance --json):
 * the plan file's moves (balance/plan_json.h), each with how it went.
 */
#include <math.h>

#include "base/jsongen.h"
#include "balance/plan_json.h"
#include "rebalance.h"

int bal_rebalance_report_json(const bal_rebalance_report *r, char **json_r)
{
    yajl_gen g;
    int i, rc;

    if (!r || !json_r) return BAL_EINVAL;
    g = yajl_gen_alloc(NULL);
    if (!g) return BAL_ENOMEM;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    bal__jg_key_int(g, "xl_balance_plan", BAL__PLAN_VERSION);
    bal__jg_key_str(g, "outcome", bal_rebalance_outcome_name(r->outcome));
    bal__jg_str(g, "moves");
    yajl_gen_array_open(g);
    for (i = 0; i < r->nmoves; i++) {
        const bal_rebalance_move *m = &r->moves[i].pub;

        yajl_gen_map_open(g);
        bal__plan_json_move(g, &r->moves[i].pm, m->predicted_gain);
        bal__jg_key_num_opt(g, "predicted_s", m->predicted_s, 1);
        bal__jg_key_str(g, "type", bal_load_type_name(m->type));
        bal__jg_key_str(g, "state", bal_move_state_name(m->state));
        bal__jg_key_str(g, "detail", m->detail);
        if (m->state == BAL_MOVE_DONE || m->state == BAL_MOVE_FAILED ||
            m->state == BAL_MOVE_UNDEFINED) {
            bal__jg_key_int(g, "rc", m->rc);
            bal__jg_key_num_opt(g, "duration_s", m->duration_s, 3);
            bal__jg_key_num_opt(g, "downtime_s", m->downtime_s, 3);
            bal__jg_key_int(g, "bytes", (long long)m->bytes);
        }
        if (m->rates_valid) {
            bal__jg_key_num_opt(g, "cpu_pct_before", m->cpu_pct_before, 2);
            bal__jg_key_num_opt(g, "cpu_pct_after", m->cpu_pct_after, 2);
            bal__jg_key_num_opt(g, "disk_Bps_before", m->disk_Bps_before, 0);
            bal__jg_key_num_opt(g, "disk_Bps_after", m->disk_Bps_after, 0);
            bal__jg_key_num_opt(g, "net_Bps_before", m->net_Bps_before, 0);
            bal__jg_key_num_opt(g, "net_Bps_after", m->net_Bps_after, 0);
            bal__jg_key_num_opt(g, "gain", m->gain, 4);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    bal__jg_str(g, "recovered");
    yajl_gen_array_open(g);
    for (i = 0; i < r->nrec; i++) {
        const bal_rebalance_recovery *c = &r->rec[i].pub;

        yajl_gen_map_open(g);
        bal__jg_key_str(g, "vm", c->vm);
        bal__jg_key_str(g, "uuid", c->uuid);
        bal__jg_key_str(g, "from", c->from);
        bal__jg_key_str(g, "to", c->to);
        bal__jg_key_str(g, "found", c->found);
        bal__jg_key_bool(g, "problem", c->problem);
        bal__jg_key_str(g, "detail", c->detail);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = bal__jg_finish(g, json_r);
    yajl_gen_free(g);
    return rc;
}
