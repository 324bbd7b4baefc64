/*
 * report_json.c - a rebalance run's report as JSON (rebalance --json):
 * the plan file's moves (balance/plan_json.h), each with how it went.
 */
#include <math.h>

#include "base/jsongen.h"
#include "balance/history.h"
#include "balance/plan_json.h"
#include "rebalance.h"

int bal_rebalance_report_json(const bal_rebalance_report *r, char **json_r)
{
    bal__jw *w = NULL;
    int i, rc;

    if (!r || !json_r) return BAL_EINVAL;
    rc = bal__jw_doc(true, "xl_balance_plan", BAL__PLAN_VERSION, &w);
    if (rc) return rc;
    bal__jw_key_str(w, "outcome", bal_rebalance_outcome_name(r->outcome));
    bal__jw_str(w, "moves");
    bal__jw_array_open(w);
    for (i = 0; i < r->nmoves; i++) {
        const bal_rebalance_move *m = &r->moves[i].pub;

        bal__jw_map_open(w);
        bal__plan_json_move(w, &r->moves[i].pm, m->predicted_gain);
        bal__jw_key_num_opt(w, "predicted_s", m->predicted_s, 1);
        /* What the realised gain below is to be held against (history.h:
         * predicted_vm). */
        bal__jw_key_num_opt(w, "predicted_vm_gain", r->moves[i].pred.vm_gain,
                            4);
        bal__jw_key_str(w, "type", bal_load_type_name(m->type));
        bal__jw_key_str(w, "state", bal_move_state_name(m->state));
        bal__jw_key_str(w, "detail", m->detail);
        if (m->state == BAL_MOVE_DONE || m->state == BAL_MOVE_FAILED ||
            m->state == BAL_MOVE_UNDEFINED) {
            bal__jw_key_int(w, "rc", m->rc);
            bal__jw_key_num_opt(w, "duration_s", m->duration_s, 3);
            bal__jw_key_num_opt(w, "downtime_s", m->downtime_s, 3);
            bal__jw_key_int(w, "bytes", (long long)m->bytes);
        }
        if (m->rates_valid) {
            const double before[BAL_NRES] = {
                [BAL_RES_CPU] = m->cpu_pct_before,
                [BAL_RES_IO] = m->disk_Bps_before,
                [BAL_RES_NET] = m->net_Bps_before,
            };
            const double after[BAL_NRES] = {
                [BAL_RES_CPU] = m->cpu_pct_after,
                [BAL_RES_IO] = m->disk_Bps_after,
                [BAL_RES_NET] = m->net_Bps_after,
            };

            bal__hist_rates_json(w, before, after, m->gain);
        }
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_str(w, "recovered");
    bal__jw_array_open(w);
    for (i = 0; i < r->nrec; i++) {
        const bal_rebalance_recovery *c = &r->rec[i].pub;

        bal__jw_map_open(w);
        bal__jw_key_move(w, c->vm, c->uuid, c->from, c->to);
        bal__jw_key_str(w, "found", c->found);
        bal__jw_key_bool(w, "problem", c->problem);
        bal__jw_key_str(w, "detail", c->detail);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    return bal__jw_finish(w, json_r);
}
