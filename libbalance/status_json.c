/*
 * status_json.c - the status as JSON, for `xl-balance status --json`.
 * Guests only under "vms" (dom0 is not a balancing candidate; its CPU is
 * in its host's "dom0_cpu_pct").  The format is in the README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "status.h"

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void key_str(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    str(g, v);
}

static void key_int(yajl_gen g, const char *k, long long v)
{
    str(g, k);
    yajl_gen_integer(g, v);
}

/* Fixed decimals: rates read better as 12.345 than as 12.34500000001. */
static void key_num(yajl_gen g, const char *k, double v, int decimals)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);

    str(g, k);
    yajl_gen_number(g, buf, (size_t)n);
}

static void key_bool(yajl_gen g, const char *k, bool v)
{
    str(g, k);
    yajl_gen_bool(g, v);
}

static void gen_host(yajl_gen g, const bal_host_info *h)
{
    yajl_gen_map_open(g);
    key_str(g, "name", h->name);
    key_int(g, "pcpus", h->pcpus);
    key_int(g, "mem_kb", (long long)h->mem_kb);
    key_int(g, "free_kb", (long long)h->free_kb);
    key_num(g, "cpu_pct", h->cpu_pct, 2);
    key_num(g, "dom0_cpu_pct", h->dom0_cpu_pct, 2);
    key_int(g, "vms", h->nvms);
    key_int(g, "cpu", h->ncpu);
    key_int(g, "io", h->nio);
    key_int(g, "mixed", h->nmixed);
    key_int(g, "idle", h->nidle);
    key_int(g, "heavy_cpu", h->heavy_cpu);
    key_int(g, "heavy_io", h->heavy_io);
    key_bool(g, "same_type_conflict", h->same_type_conflict);
    yajl_gen_map_close(g);
}

static void gen_vm(yajl_gen g, const bal_vm_info *v)
{
    yajl_gen_map_open(g);
    key_str(g, "name", v->name);
    key_str(g, "uuid", v->uuid);
    key_str(g, "host", v->host);
    key_int(g, "domid", v->domid);
    key_int(g, "vcpus", v->vcpus);
    key_int(g, "mem_kb", (long long)v->mem_kb);
    key_bool(g, "rates_valid", v->rates_valid);
    key_num(g, "cpu_pct", v->cpu_pct, 2);
    key_num(g, "rd_Bps", v->rd_Bps, 0);
    key_num(g, "wr_Bps", v->wr_Bps, 0);
    key_num(g, "rd_iops", v->rd_iops, 1);
    key_num(g, "wr_iops", v->wr_iops, 1);
    key_num(g, "net_rx_Bps", v->net_rx_Bps, 0);
    key_num(g, "net_tx_Bps", v->net_tx_Bps, 0);
    key_num(g, "cpu_level", v->cpu_level, 4);
    key_num(g, "io_level", v->io_level, 4);
    key_str(g, "type", bal_load_type_name(v->type));
    key_bool(g, "heavy", v->heavy);
    yajl_gen_map_close(g);
}

int bal_status_json(const bal_status *st, char **json_r)
{
    yajl_gen g = NULL;
    const unsigned char *buf;
    size_t len;
    char *out;
    int i, rc;

    if (!st || !json_r) return BAL_EINVAL;
    g = yajl_gen_alloc(NULL);
    if (!g) { rc = BAL_ENOMEM; goto out; }
    yajl_gen_config(g, yajl_gen_beautify, 1);

    yajl_gen_map_open(g);
    key_int(g, "xl_balance_status", 1);
    str(g, "hosts");
    yajl_gen_array_open(g);
    for (i = 0; i < st->nhosts; i++) gen_host(g, &st->hosts[i]);
    yajl_gen_array_close(g);
    str(g, "vms");
    yajl_gen_array_open(g);
    for (i = 0; i < st->nvms; i++)
        if (!st->vms[i].is_dom0) gen_vm(g, &st->vms[i]);
    yajl_gen_array_close(g);
    key_int(g, "peer_errors", st->npeer_errors);
    yajl_gen_map_close(g);

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        rc = BAL_ENOMEM;
        goto out;
    }
    out = malloc(len + 1);
    if (!out) { rc = BAL_ENOMEM; goto out; }
    memcpy(out, buf, len);
    out[len] = '\0';
    *json_r = out;
    rc = 0;

out:
    if (g) yajl_gen_free(g);
    return rc;
}

const char *bal_load_type_name(bal_load_type t)
{
    switch (t) {
    case BAL_TYPE_IDLE:  return "idle";
    case BAL_TYPE_CPU:   return "cpu";
    case BAL_TYPE_IO:    return "io";
    case BAL_TYPE_MIXED: return "mixed";
    }
    return "?";
}
