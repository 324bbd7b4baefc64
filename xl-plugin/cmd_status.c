/*
 * cmd_status.c - `xl-balance status`: every VM's rates and load type and
 * every host's mix, as aligned tables (like `xl list` and xentop), JSON,
 * or OpenMetrics text for a scraper (libbalance's bal_metrics_write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl_balance.h"

#define MB 1e6

/* Whether v is heavy and its host holds another heavy VM contending for
 * one of v's resources: what rebalancing is for. */
static bool contended(const bal_vm_info *v, const bal_host_info *h)
{
    int r;

    if (!v->heavy || !h || !h->same_type_conflict) return false;
    for (r = 0; r < BAL_NRES; r++)
        if (bal_load_type_contends(v->type, r) && h->heavy[r] >= 2)
            return true;
    return false;
}

/* v's host, looked for from host *k on (wrapping) and left in *k: the
 * VMs come sorted by host, in the hosts' order (bal_status_vm), so the
 * walk over all VMs passes each host once, where a scan of every host
 * for each VM took 38 s at 200,000 VMs. */
static const bal_host_info *host_of(const bal_status *st,
                                    const bal_vm_info *v, int *k)
{
    int n = bal_status_num_hosts(st), i;

    for (i = 0; i < n; i++) {
        const bal_host_info *h = bal_status_host(st, (*k + i) % n);

        if (h->name == v->host) {
            *k = (*k + i) % n;
            return h;
        }
    }
    return NULL;
}

static void print_vms(const bal_status *st)
{
    static const char *const hdr[] = {
        "Name", "Host", "ID", "VCPUs", "Mem(MiB)", "CPU(%)", "RD(MB/s)",
        "WR(MB/s)", "RD(IOPS)", "WR(IOPS)", "NET(MB/s)", "Seen(s)", "Type",
    };
    table *t = table_new(13, hdr, "llrrrrrrrrrrl");
    int i, n = bal_status_num_vms(st), hk = 0;

    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);
        const bal_host_info *h = host_of(st, v, &hk);
        int k;

        table_addf(t, 0, "%s%s", v->name, v->pinned ? " (pinned)" : "");
        table_addf(t, 1, "%s", v->host);
        table_addf(t, 2, "%u", v->domid);
        table_addf(t, 3, "%u", v->vcpus);
        table_addf(t, 4, "%llu", (unsigned long long)(v->mem_kb / 1024));
        if (!v->rates_valid) {
            for (k = 5; k <= 11; k++) table_addf(t, k, "-");
        } else {
            table_addf(t, 5, "%.1f", v->cpu_pct);
            table_addf(t, 6, "%.2f", v->rd_Bps / MB);
            table_addf(t, 7, "%.2f", v->wr_Bps / MB);
            table_addf(t, 8, "%.0f", v->rd_iops);
            table_addf(t, 9, "%.0f", v->wr_iops);
            table_addf(t, 10, "%.2f", (v->net_rx_Bps + v->net_tx_Bps) / MB);
            /* The observed time behind the type: this run's samples, and
             * what earlier runs kept (type_window). */
            table_addf(t, 11, "%.0f", v->observed_s);
        }
        if (v->is_dom0)
            table_addf(t, 12, "(dom0)");
        else
            /* '!' marks a heavy VM whose host holds another heavy VM of
             * its type: what rebalancing is for. */
            table_addf(t, 12, "%s%s", bal_load_type_name(v->type),
                       contended(v, h) ? " !" : "");
    }
    table_print(t, stdout);
    table_free(t);
}

/* The hosts: their mix, a column per load type in listed order, and
 * where heavy VMs contend. */
static void print_hosts(const bal_status *st)
{
    enum { NFIXED = 7, NCOLS = NFIXED + BAL_NTYPES + 1 };
    const char *hdr[NCOLS] = {
        "Host", "pCPUs", "Mem(MiB)", "Free(MiB)", "CPU(%)", "Dom0(%)", "VMs",
    };
    char align[NCOLS + 1];
    table *t;
    int i, k;

    for (k = 0; k < BAL_NTYPES; k++)
        hdr[NFIXED + k] = bal_load_type_name(bal_load_type_listed(k));
    hdr[NCOLS - 1] = "Same-type";
    memset(align, 'r', NCOLS);
    align[0] = align[NCOLS - 1] = 'l';
    align[NCOLS] = '\0';
    t = table_new(NCOLS, hdr, align);

    for (i = 0; i < bal_status_num_hosts(st); i++) {
        const bal_host_info *h = bal_status_host(st, i);
        char same[160] = "!";
        size_t n = 1;

        table_addf(t, 0, "%s%s", h->name, h->drained ? " (drained)" : "");
        table_addf(t, 1, "%u", h->pcpus);
        table_addf(t, 2, "%llu", (unsigned long long)(h->mem_kb / 1024));
        table_addf(t, 3, "%llu", (unsigned long long)(h->free_kb / 1024));
        table_addf(t, 4, "%.1f", h->cpu_pct);
        table_addf(t, 5, "%.1f", h->dom0_cpu_pct);
        table_addf(t, 6, "%d", h->nvms);
        for (k = 0; k < BAL_NTYPES; k++)
            table_addf(t, NFIXED + k, "%d", h->ntype[bal_load_type_listed(k)]);
        /* "! 2 heavy cpu, 2 heavy io": each resource two of them share. */
        for (k = 0; k < BAL_NRES && n < sizeof(same); k++)
            if (h->heavy[k] >= 2)
                n += (size_t)snprintf(same + n, sizeof(same) - n,
                                      "%s %d heavy %s", n > 1 ? "," : "",
                                      h->heavy[k], bal_resource_name(k));
        table_addf(t, NCOLS - 1, "%s", h->same_type_conflict ? same : "-");
    }
    table_print(t, stdout);
    table_free(t);
}

int cmd_status(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json",     no_argument,       NULL, 'j' },
        { "openmetrics", no_argument,    NULL, 'o' },
        { "interval", required_argument, NULL, 'i' },
        { "samples",  required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_status *st = NULL;
    char *json = NULL;
    bool as_json = false, as_om = false;
    double interval = -1;
    int samples = -1, opt, rc, ret = EXIT_FAIL;

    while ((opt = cli_getopt(argc, argv, "i:n:", opts, "status")) != -1) {
        switch (opt) {
        case 'j': as_json = true; break;
        case 'o': as_om = true; break;
        case 'i':
            if (cli_parse_key("status", "-i", "sample_interval", optarg,
                              &interval))
                return EXIT_USAGE;
            break;
        case 'n':
            if (cli_parse_key_int("status", "-n", "sample_count", optarg,
                                  &samples))
                return EXIT_USAGE;
            break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err("status: unexpected argument `%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (as_json && as_om) {
        cli_err("status: --json and --openmetrics exclude each other");
        return EXIT_USAGE;
    }

    if ((rc = cli_open(&cfg, &be))) {
        ret = cli_open_exit(rc);
        goto out;
    }
    if (interval > 0) bal_config_set_interval(cfg, interval);
    if (samples > 0) bal_config_set_samples(cfg, samples);

    rc = bal_status_collect(g_ctx, be, cfg, &st);
    if (rc) goto out;

    if (as_json) {
        /* The realised-gain check of each guest the history knows
         * (logged when it cannot be read). */
        if (bal_status_read_history(g_ctx, cfg, st)) goto out;
        rc = bal_status_json(st, &json);
        if (rc) {
            cli_err("status: %s", bal_strerror(rc));
            goto out;
        }
        puts(json);
    } else if (as_om) {
        bal_counters *counters = NULL;
        int werr;

        /* Totals from the state directory; unreadable ones are reported
         * as not available rather than failing the scrape. */
        bal_counters_read(g_ctx, cfg, &counters);
        werr = bal_metrics_write(st, counters, BAL_METRICS_OPENMETRICS,
                                 stdout);
        bal_counters_free(counters);
        if (werr) {
            cli_err("status: cannot write the metrics to stdout");
            goto out;
        }
    } else {
        print_vms(st);
        putchar('\n');
        print_hosts(st);
    }
    ret = bal_status_peer_errors(st) ? EXIT_PARTIAL : EXIT_OK;
    ret = cli_metrics_textfile(cfg, st, ret);

out:
    free(json);
    bal_status_free(st);
    cli_close(cfg, be);
    return ret;
}
