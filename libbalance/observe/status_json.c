/*
 * status_json.c - the status as JSON, for `xl-balance status --json`.
 * Guests only under "vms" (dom0 is not a balancing candidate; its CPU is
 * in its host's "dom0_cpu_pct").  The format is in the README.
 */
#include <stdio.h>

#include "base/jsongen.h"
#include "base/loadtype.h"
#include "status.h"

/* A key per resource, fmt naming it ("heavy_%s", "%s_level"): the
 * count n[r], or the number x[r] with its decimals when n is NULL. */
static void gen_per_res(bal__jw *w, const char *fmt, const int *n,
                        const double *x, int decimals)
{
    char key[32];
    int r;

    for (r = 0; r < BAL_NRES; r++) {
        snprintf(key, sizeof(key), fmt, bal__resources[r].name);
        if (n) bal__jw_key_int(w, key, n[r]);
        else bal__jw_key_num(w, key, x[r], decimals);
    }
}

static void gen_host(bal__jw *w, const bal_host_info *h)
{
    int i;

    bal__jw_map_open(w);
    bal__jw_key_str(w, "name", h->name);
    bal__jw_key_int(w, "pcpus", h->pcpus);
    bal__jw_key_int(w, "mem_kb", (long long)h->mem_kb);
    bal__jw_key_int(w, "free_kb", (long long)h->free_kb);
    bal__jw_key_num(w, "cpu_pct", h->cpu_pct, 2);
    bal__jw_key_num(w, "dom0_cpu_pct", h->dom0_cpu_pct, 2);
    bal__jw_key_int(w, "vms", h->nvms);
    /* Its guests by type, a key per type; its heavy ones contending for
     * each resource, heavy_RES. */
    for (i = 0; i < BAL_NTYPES; i++) {
        bal_load_type t = bal_load_type_listed(i);

        bal__jw_key_int(w, bal_load_type_name(t), h->ntype[t]);
    }
    gen_per_res(w, "heavy_%s", h->heavy, NULL, 0);
    bal__jw_key_bool(w, "same_type_conflict", h->same_type_conflict);
    bal__jw_key_bool(w, "drained", h->drained);
    bal__jw_map_close(w);
}

/* The realised-gain check of a VM with records in the history. */
static void gen_gain(bal__jw *w, const bal__vm_gain *g)
{
    bal__jw_str(w, "history");
    bal__jw_map_open(w);
    bal__jw_key_int(w, "moves", g->moves);
    bal__jw_key_num_opt(w, "last_gain", g->gain, 4);
    bal__jw_key_num_opt(w, "last_predicted_gain", g->predicted, 4);
    bal__jw_key_num(w, "trust", g->trust, 4);
    bal__jw_key_int(w, "trust_moves", g->trust_moves);
    bal__jw_map_close(w);
}

static void gen_vm(bal__jw *w, const bal_vm_info *v, const bal__vm_gain *g)
{
    bal__jw_map_open(w);
    bal__jw_key_str(w, "name", v->name);
    bal__jw_key_str(w, "uuid", v->uuid);
    bal__jw_key_str(w, "host", v->host);
    bal__jw_key_int(w, "domid", v->domid);
    bal__jw_key_int(w, "vcpus", v->vcpus);
    bal__jw_key_int(w, "mem_kb", (long long)v->mem_kb);
    bal__jw_key_bool(w, "rates_valid", v->rates_valid);
    bal__jw_key_num(w, "cpu_pct", v->cpu_pct, 2);
    bal__jw_key_num(w, "rd_Bps", v->rd_Bps, 0);
    bal__jw_key_num(w, "wr_Bps", v->wr_Bps, 0);
    bal__jw_key_num(w, "rd_iops", v->rd_iops, 1);
    bal__jw_key_num(w, "wr_iops", v->wr_iops, 1);
    bal__jw_key_num(w, "net_rx_Bps", v->net_rx_Bps, 0);
    bal__jw_key_num(w, "net_tx_Bps", v->net_tx_Bps, 0);
    gen_per_res(w, "%s_level", NULL, v->level, 4);
    bal__jw_key_str(w, "type", bal_load_type_name(v->type));
    bal__jw_key_bool(w, "heavy", v->heavy);
    bal__jw_key_num(w, "observed_s", v->observed_s, 1);
    bal__jw_key_bool(w, "pinned", v->pinned);
    if (g && g->moves > 0) gen_gain(w, g);
    bal__jw_map_close(w);
}

int bal_status_json(const bal_status *st, char **json_r)
{
    bal__jw *w = NULL;
    int i, rc;

    if (!st || !json_r) return BAL_EINVAL;
    rc = bal__jw_doc(true, "xl_balance_status", 1, &w);
    if (rc) return rc;
    bal__jw_str(w, "hosts");
    bal__jw_array_open(w);
    for (i = 0; i < st->nhosts; i++) gen_host(w, &st->hosts[i]);
    bal__jw_array_close(w);
    bal__jw_str(w, "vms");
    bal__jw_array_open(w);
    for (i = 0; i < st->nvms; i++)
        if (!st->vms[i].is_dom0)
            gen_vm(w, &st->vms[i], st->gains ? &st->gains[i] : NULL);
    bal__jw_array_close(w);
    bal__jw_key_int(w, "peer_errors", st->npeer_errors);
    bal__jw_map_close(w);

    return bal__jw_finish(w, json_r);
}
