/*
 * openmetrics.c - the status as OpenMetrics text (`status --openmetrics`).
 *
 * One family at a time (OpenMetrics wants a family's samples together):
 * "# TYPE", "# HELP", its samples; "# EOF" last.  Units are the status
 * table's (percent of one pCPU, bytes and requests per second), spelt out
 * in the names.  A VM without valid rates (new, just migrated, rebooted)
 * has no rate, level or type samples rather than misleading zeros.
 *
 * The migration counters are rebalance's running totals in its state
 * directory (libbalance/run/counters.c, read with bal_counters_read);
 * xl_balance_history_available says
 * whether they could be read.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "openmetrics.h"

void om_put_label_value(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': fputs("\\\\", f); break;
        case '"':  fputs("\\\"", f); break;
        case '\n': fputs("\\n", f); break;
        default:   fputc(*s, f); break;
        }
    }
}

static void family(FILE *f, const char *name, const char *type,
                   const char *help)
{
    fprintf(f, "# TYPE %s %s\n# HELP %s %s\n", name, type, name, help);
}

/* "NAME{host="..",vm="..",uuid=".."" - the caller closes the braces. */
static void vm_labels(FILE *f, const char *name, const bal_vm_info *v)
{
    fprintf(f, "%s{host=\"", name);
    om_put_label_value(f, v->host);
    fputs("\",vm=\"", f);
    om_put_label_value(f, v->name);
    fprintf(f, "\",uuid=\"%s\"", v->uuid);
}

static void host_labels(FILE *f, const char *name, const bal_host_info *h)
{
    fprintf(f, "%s{host=\"", name);
    om_put_label_value(f, h->name);
    fputc('"', f);
}

/* %.15g: shortest text that still round-trips what the table shows;
 * never "nan"/"inf" (the library's rates are finite, but be safe). */
static void value(FILE *f, double x)
{
    if (isnan(x)) fputs(" NaN\n", f);
    else if (isinf(x)) fputs(x > 0 ? " +Inf\n" : " -Inf\n", f);
    else fprintf(f, " %.15g\n", x);
}

/* Per-VM gauges read straight from bal_vm_info. */
struct vm_gauge {
    const char *name, *help;
    size_t off;             /* of a double in bal_vm_info */
    double scale;
    bool guests_only;       /* dom0 is reported but never classified */
};

#define G(n, field, scale, guests, help) \
    { "xl_balance_vm_" n, help, offsetof(bal_vm_info, field), scale, guests }

static const struct vm_gauge vm_gauges[] = {
    G("cpu_percent", cpu_pct, 1, false,
      "CPU use in the last sampling interval, percent of one pCPU (as xentop)."),
    G("disk_read_bytes_per_second", rd_Bps, 1, false,
      "Virtual block device reads in the last sampling interval."),
    G("disk_write_bytes_per_second", wr_Bps, 1, false,
      "Virtual block device writes in the last sampling interval."),
    G("disk_read_requests_per_second", rd_iops, 1, false,
      "Virtual block device read requests in the last sampling interval."),
    G("disk_write_requests_per_second", wr_iops, 1, false,
      "Virtual block device write requests in the last sampling interval."),
    G("network_receive_bytes_per_second", net_rx_Bps, 1, false,
      "Bytes received on the VM's vifs in the last sampling interval."),
    G("network_transmit_bytes_per_second", net_tx_Bps, 1, false,
      "Bytes sent on the VM's vifs in the last sampling interval."),
    G("cpu_level", level[BAL_RES_CPU], 1, true,
      "Smoothed CPU level: fraction of the CPUs the VM may use that it uses."),
    G("io_level", level[BAL_RES_IO], 1, true,
      "Smoothed disk level: fraction of the host's disk path it uses."),
    G("net_level", level[BAL_RES_NET], 1, true,
      "Smoothed network level: fraction of the host's NIC it uses "
      "(bytes received and sent)."),
};

/* "idle, cpu, io, mixed, net": the types as a help text lists them. */
static const char *type_list(void)
{
    static char buf[128];
    size_t n = 0;
    int t;

    if (!buf[0])
        for (t = 0; t < BAL_NTYPES && n < sizeof(buf); t++)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
                                  t ? ", " : "",
                                  bal_load_type_name(bal_load_type_listed(t)));
    return buf;
}

static void print_vm_families(FILE *f, const bal_status *st)
{
    int n = bal_status_num_vms(st), i, t;
    char help[256];
    size_t g;

    family(f, "xl_balance_vm_vcpus", "gauge", "Virtual CPUs of the domain.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        vm_labels(f, "xl_balance_vm_vcpus", v);
        fprintf(f, "} %u\n", v->vcpus);
    }
    family(f, "xl_balance_vm_memory_bytes", "gauge",
           "Memory of the domain.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        vm_labels(f, "xl_balance_vm_memory_bytes", v);
        fprintf(f, "} %llu\n", (unsigned long long)v->mem_kb * 1024ULL);
    }

    for (g = 0; g < sizeof(vm_gauges) / sizeof(vm_gauges[0]); g++) {
        const struct vm_gauge *vg = &vm_gauges[g];

        family(f, vg->name, "gauge", vg->help);
        for (i = 0; i < n; i++) {
            const bal_vm_info *v = bal_status_vm(st, i);

            if (!v->rates_valid || (vg->guests_only && v->is_dom0)) continue;
            vm_labels(f, vg->name, v);
            fputc('}', f);
            value(f, *(const double *)(const void *)
                        ((const char *)v + vg->off) * vg->scale);
        }
    }

    /* A stateset: one sample per type, 1 for the VM's own. */
    snprintf(help, sizeof(help),
             "Load type of the VM (%s), smoothed and held.", type_list());
    family(f, "xl_balance_vm_type", "stateset", help);
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        if (!v->rates_valid || v->is_dom0) continue;
        for (t = 0; t < BAL_NTYPES; t++) {
            bal_load_type ty = bal_load_type_listed(t);

            vm_labels(f, "xl_balance_vm_type", v);
            fprintf(f, ",xl_balance_vm_type=\"%s\"} %d\n",
                    bal_load_type_name(ty), v->type == ty);
        }
    }
    family(f, "xl_balance_vm_heavy", "gauge",
           "1 when the VM's dominant load is at or above its high threshold.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        if (!v->rates_valid || v->is_dom0) continue;
        vm_labels(f, "xl_balance_vm_heavy", v);
        fprintf(f, "} %d\n", v->heavy);
    }
}

/* Per-host integer gauges. */
struct host_gauge {
    const char *name, *help;
    int kind;
};
enum { H_PCPUS, H_MEM, H_FREE, H_CPU, H_DOM0, H_CONFLICT };

static const struct host_gauge host_gauges[] = {
    { "xl_balance_host_pcpus", "Physical CPUs of the host.", H_PCPUS },
    { "xl_balance_host_memory_bytes", "Memory of the host.", H_MEM },
    { "xl_balance_host_memory_free_bytes", "Free memory of the host.",
      H_FREE },
    { "xl_balance_host_cpu_percent",
      "CPU use of all its domains, percent of one pCPU.", H_CPU },
    { "xl_balance_host_dom0_cpu_percent",
      "CPU use of dom0 (it runs the I/O backends), percent of one pCPU.",
      H_DOM0 },
    { "xl_balance_host_same_type_conflict",
      "1 when two heavy VMs of one type share the host: what rebalancing "
      "separates.", H_CONFLICT },
};

static void print_host_families(FILE *f, const bal_status *st)
{
    int n = bal_status_num_hosts(st), i, t;
    char help[256];
    size_t g;

    for (g = 0; g < sizeof(host_gauges) / sizeof(host_gauges[0]); g++) {
        family(f, host_gauges[g].name, "gauge", host_gauges[g].help);
        for (i = 0; i < n; i++) {
            const bal_host_info *h = bal_status_host(st, i);

            host_labels(f, host_gauges[g].name, h);
            fputc('}', f);
            switch (host_gauges[g].kind) {
            case H_PCPUS: fprintf(f, " %u\n", h->pcpus); break;
            case H_MEM:
                fprintf(f, " %llu\n", (unsigned long long)h->mem_kb * 1024ULL);
                break;
            case H_FREE:
                fprintf(f, " %llu\n", (unsigned long long)h->free_kb * 1024ULL);
                break;
            case H_CPU:  value(f, h->cpu_pct); break;
            case H_DOM0: value(f, h->dom0_cpu_pct); break;
            default:     fprintf(f, " %d\n", h->same_type_conflict); break;
            }
        }
    }

    /* The host's mix: its guests by load type (dom0 excluded). */
    snprintf(help, sizeof(help), "Guests on the host by load type (%s).",
             type_list());
    family(f, "xl_balance_host_vms", "gauge", help);
    for (i = 0; i < n; i++) {
        const bal_host_info *h = bal_status_host(st, i);

        for (t = 0; t < BAL_NTYPES; t++) {
            bal_load_type ty = bal_load_type_listed(t);

            host_labels(f, "xl_balance_host_vms", h);
            fprintf(f, ",type=\"%s\"} %d\n", bal_load_type_name(ty),
                    h->ntype[ty]);
        }
    }
    family(f, "xl_balance_host_heavy_vms", "gauge",
           "Heavy guests on the host contending for its cores (cpu), its "
           "disk path (io) or its NIC (net); a mixed VM counts for cpu and "
           "io.");
    for (i = 0; i < n; i++) {
        const bal_host_info *h = bal_status_host(st, i);

        for (t = 0; t < BAL_NRES; t++) {
            host_labels(f, "xl_balance_host_heavy_vms", h);
            fprintf(f, ",resource=\"%s\"} %d\n", bal_resource_name(t),
                    h->heavy[t]);
        }
    }
}

static void print_cluster_families(FILE *f, const bal_status *st,
                                   const bal_counters *counters)
{
    bal_counter c;

    family(f, "xl_balance_build", "info", "Version of xl-balance.");
    fputs("xl_balance_build_info{version=\"" BAL_VERSION "\"} 1\n", f);
    family(f, "xl_balance_peer_errors", "gauge",
           "Peers that did not answer; their hosts are missing above.");
    fprintf(f, "xl_balance_peer_errors %d\n", bal_status_peer_errors(st));

    family(f, "xl_balance_history_available", "gauge",
           "1 when the migration counters were read from the state "
           "directory; 0 when they could not be (they are then 0).");
    fprintf(f, "xl_balance_history_available %d\n", counters ? 1 : 0);
    family(f, "xl_balance_migrations", "counter",
           "Migrations rebalance started, by result (done, failed, "
           "undefined).");
    for (c = BAL_COUNTER_DONE; c <= BAL_COUNTER_UNDEFINED; c++)
        fprintf(f, "xl_balance_migrations_total{result=\"%s\"} %llu\n",
                bal_counter_name(c),
                (unsigned long long)bal_counters_value(counters, c));
    family(f, "xl_balance_migrations_skipped", "counter",
           "Moves rebalance planned but did not start, by reason "
           "(refused: the live state did not allow it; skipped: an earlier "
           "move failed).");
    for (c = BAL_COUNTER_REFUSED; c <= BAL_COUNTER_SKIPPED; c++)
        fprintf(f, "xl_balance_migrations_skipped_total{reason=\"%s\"} "
                "%llu\n", bal_counter_name(c),
                (unsigned long long)bal_counters_value(counters, c));
}

int om_print_status(FILE *f, const bal_status *st,
                    const bal_counters *counters)
{
    print_vm_families(f, st);
    print_host_families(f, st);
    print_cluster_families(f, st, counters);
    fputs("# EOF\n", f);
    return fflush(f) || ferror(f) ? -1 : 0;
}
