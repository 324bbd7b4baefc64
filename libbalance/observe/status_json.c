/*
 * status_json.c - the status as JSON, for `xl-balance status --json`.
 * Guests only under "vms" (dom0 is not a balancing candidate; its CPU is
 * in its host's "dom0_cpu_pct").  The format is in the README.
 */
#include <stdio.h>

#include "base/jsongen.h"
#include "base/loadtype.h"
#include "status.h"

static void gen_host(yajl_gen g, const bal_host_info *h)
{
    char key[32];
    int i;

    yajl_gen_map_open(g);
    bal__jg_key_str(g, "name", h->name);
    bal__jg_key_int(g, "pcpus", h->pcpus);
    bal__jg_key_int(g, "mem_kb", (long long)h->mem_kb);
    bal__jg_key_int(g, "free_kb", (long long)h->free_kb);
    bal__jg_key_num(g, "cpu_pct", h->cpu_pct, 2);
    bal__jg_key_num(g, "dom0_cpu_pct", h->dom0_cpu_pct, 2);
    bal__jg_key_int(g, "vms", h->nvms);
    /* Its guests by type, a key per type; its heavy ones contending for
     * each resource, heavy_RES. */
    for (i = 0; i < BAL_NTYPES; i++) {
        bal_load_type t = bal_load_type_listed(i);

        bal__jg_key_int(g, bal_load_type_name(t), h->ntype[t]);
    }
    for (i = 0; i < BAL_NRES; i++) {
        snprintf(key, sizeof(key), "heavy_%s", bal__resources[i].name);
        bal__jg_key_int(g, key, h->heavy[i]);
    }
    bal__jg_key_bool(g, "same_type_conflict", h->same_type_conflict);
    yajl_gen_map_close(g);
}

static void gen_vm(yajl_gen g, const bal_vm_info *v)
{
    char key[32];
    int i;

    yajl_gen_map_open(g);
    bal__jg_key_str(g, "name", v->name);
    bal__jg_key_str(g, "uuid", v->uuid);
    bal__jg_key_str(g, "host", v->host);
    bal__jg_key_int(g, "domid", v->domid);
    bal__jg_key_int(g, "vcpus", v->vcpus);
    bal__jg_key_int(g, "mem_kb", (long long)v->mem_kb);
    bal__jg_key_bool(g, "rates_valid", v->rates_valid);
    bal__jg_key_num(g, "cpu_pct", v->cpu_pct, 2);
    bal__jg_key_num(g, "rd_Bps", v->rd_Bps, 0);
    bal__jg_key_num(g, "wr_Bps", v->wr_Bps, 0);
    bal__jg_key_num(g, "rd_iops", v->rd_iops, 1);
    bal__jg_key_num(g, "wr_iops", v->wr_iops, 1);
    bal__jg_key_num(g, "net_rx_Bps", v->net_rx_Bps, 0);
    bal__jg_key_num(g, "net_tx_Bps", v->net_tx_Bps, 0);
    for (i = 0; i < BAL_NRES; i++) {
        snprintf(key, sizeof(key), "%s_level", bal__resources[i].name);
        bal__jg_key_num(g, key, v->level[i], 4);
    }
    bal__jg_key_str(g, "type", bal_load_type_name(v->type));
    bal__jg_key_bool(g, "heavy", v->heavy);
    yajl_gen_map_close(g);
}

int bal_status_json(const bal_status *st, char **json_r)
{
    yajl_gen g = NULL;
    int i, rc;

    if (!st || !json_r) return BAL_EINVAL;
    g = yajl_gen_alloc(NULL);
    if (!g) { rc = BAL_ENOMEM; goto out; }
    yajl_gen_config(g, yajl_gen_beautify, 1);

    yajl_gen_map_open(g);
    bal__jg_key_int(g, "xl_balance_status", 1);
    bal__jg_str(g, "hosts");
    yajl_gen_array_open(g);
    for (i = 0; i < st->nhosts; i++) gen_host(g, &st->hosts[i]);
    yajl_gen_array_close(g);
    bal__jg_str(g, "vms");
    yajl_gen_array_open(g);
    for (i = 0; i < st->nvms; i++)
        if (!st->vms[i].is_dom0) gen_vm(g, &st->vms[i]);
    yajl_gen_array_close(g);
    bal__jg_key_int(g, "peer_errors", st->npeer_errors);
    yajl_gen_map_close(g);

    rc = bal__jg_finish(g, json_r);

out:
    if (g) yajl_gen_free(g);
    return rc;
}
