/*
 * metrics.c - the status as metrics: OpenMetrics text for `status
 * --openmetrics', and Prometheus's text format (0.0.4) for the textfile
 * a run leaves for node_exporter's textfile collector (metrics_textfile).
 *
 * One list of families writes both.  A family's samples stay together:
 * its HELP and TYPE lines, then its samples; OpenMetrics ends with
 * "# EOF".  The textfile has no EOF marker and only the types the
 * collector reads (counter, gauge): the stateset of a VM's type and the
 * build's info become gauges with labels, a counter's TYPE names its
 * "_total" series (what the text format wants).
 *
 * Rates are gauges in the status table's units (percent of one pCPU,
 * bytes and requests per second), spelt out in the names; a VM without
 * valid rates (new, just migrated, rebooted) has no rate, level or type
 * samples rather than misleading zeros.  Beside them, every domain's
 * cumulative counters as `_total' counters, which a scraper rates itself
 * over any window: CPU seconds, disk bytes and requests, network bytes.
 *
 * The migration counters are rebalance's running totals in its state
 * directory (counters.c); xl_balance_history_available says whether they
 * could be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/state.h"
#include "metrics.h"

void bal__metrics_put_label_value(FILE *f, const char *s)
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

/* What a family is; the textfile has counters and gauges only. */
typedef enum { F_GAUGE, F_COUNTER, F_INFO, F_STATESET } fkind;

/* Where the families go, and in which format. */
typedef struct mw {
    FILE *f;
    bal_metrics_format fmt;
} mw;

/* A family's HELP and TYPE.  OpenMetrics names the family (its samples
 * add _total, _info); the text format names the series, and knows no
 * info or stateset: those are gauges there. */
static void family(const mw *w, const char *name, fkind kind,
                   const char *help)
{
    static const char *const om[] = {
        [F_GAUGE] = "gauge", [F_COUNTER] = "counter", [F_INFO] = "info",
        [F_STATESET] = "stateset",
    };
    static const char *const suffix[] = {
        [F_GAUGE] = "", [F_COUNTER] = "_total", [F_INFO] = "_info",
        [F_STATESET] = "",
    };

    if (w->fmt == BAL_METRICS_OPENMETRICS)
        fprintf(w->f, "# TYPE %s %s\n# HELP %s %s\n", name, om[kind], name,
                help);
    else
        fprintf(w->f, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, suffix[kind],
                help, name, suffix[kind],
                kind == F_COUNTER ? "counter" : "gauge");
}

/* "NAME{host="..",vm="..",uuid=".."" - the caller closes the braces. */
static void vm_labels(FILE *f, const char *name, const bal_vm_info *v)
{
    fprintf(f, "%s{host=\"", name);
    bal__metrics_put_label_value(f, v->host);
    fputs("\",vm=\"", f);
    bal__metrics_put_label_value(f, v->name);
    fprintf(f, "\",uuid=\"%s\"", v->uuid);
}

static void host_labels(FILE *f, const char *name, const bal_host_info *h)
{
    fprintf(f, "%s{host=\"", name);
    bal__metrics_put_label_value(f, h->name);
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

/* Per-VM counters, cumulative since the domain started on its host. */
struct vm_counter {
    const char *name, *help;
    size_t off;             /* of a uint64_t in bal_vm_info */
};

#define C(n, field, help) \
    { "xl_balance_vm_" n, help, offsetof(bal_vm_info, field) }

static const struct vm_counter vm_counters[] = {
    C("disk_read_bytes", rd_bytes,
      "Bytes read from the domain's virtual block devices since it started "
      "on its host."),
    C("disk_write_bytes", wr_bytes,
      "Bytes written to the domain's virtual block devices since it started "
      "on its host."),
    C("disk_read_requests", rd_reqs,
      "Read requests of the domain's virtual block devices since it started "
      "on its host."),
    C("disk_write_requests", wr_reqs,
      "Write requests of the domain's virtual block devices since it "
      "started on its host."),
    C("network_receive_bytes", net_rx_bytes,
      "Bytes received on the domain's vifs since it started on its host."),
    C("network_transmit_bytes", net_tx_bytes,
      "Bytes sent on the domain's vifs since it started on its host."),
};

static void print_vm_families(const mw *w, const bal_status *st)
{
    FILE *f = w->f;
    int n = bal_status_num_vms(st), i, t;
    char help[256];
    size_t g;

    family(w, "xl_balance_vm_vcpus", F_GAUGE, "Virtual CPUs of the domain.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        vm_labels(f, "xl_balance_vm_vcpus", v);
        fprintf(f, "} %u\n", v->vcpus);
    }
    family(w, "xl_balance_vm_memory_bytes", F_GAUGE,
           "Memory of the domain.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        vm_labels(f, "xl_balance_vm_memory_bytes", v);
        fprintf(f, "} %llu\n", (unsigned long long)v->mem_kb * 1024ULL);
    }

    for (g = 0; g < sizeof(vm_gauges) / sizeof(vm_gauges[0]); g++) {
        const struct vm_gauge *vg = &vm_gauges[g];

        family(w, vg->name, F_GAUGE, vg->help);
        for (i = 0; i < n; i++) {
            const bal_vm_info *v = bal_status_vm(st, i);

            if (!v->rates_valid || (vg->guests_only && v->is_dom0)) continue;
            vm_labels(f, vg->name, v);
            fputc('}', f);
            value(f, *(const double *)(const void *)
                        ((const char *)v + vg->off) * vg->scale);
        }
    }

    /* The counters: every domain, dom0 too, from the first sample on. */
    family(w, "xl_balance_vm_cpu_seconds", F_COUNTER,
           "CPU time of all the domain's vCPUs since it started on its "
           "host.");
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        vm_labels(f, "xl_balance_vm_cpu_seconds_total", v);
        fputc('}', f);
        value(f, v->cpu_s);
    }
    for (g = 0; g < sizeof(vm_counters) / sizeof(vm_counters[0]); g++) {
        const struct vm_counter *vc = &vm_counters[g];
        char series[96];

        family(w, vc->name, F_COUNTER, vc->help);
        snprintf(series, sizeof(series), "%s_total", vc->name);
        for (i = 0; i < n; i++) {
            const bal_vm_info *v = bal_status_vm(st, i);

            vm_labels(f, series, v);
            fprintf(f, "} %llu\n", (unsigned long long)
                    *(const uint64_t *)(const void *)
                    ((const char *)v + vc->off));
        }
    }

    /* One sample per type, 1 for the VM's own: a stateset in OpenMetrics,
     * a gauge labelled type= in the text format. */
    snprintf(help, sizeof(help),
             "Load type of the VM (%s), smoothed and held.", type_list());
    family(w, "xl_balance_vm_type", F_STATESET, help);
    for (i = 0; i < n; i++) {
        const bal_vm_info *v = bal_status_vm(st, i);

        if (!v->rates_valid || v->is_dom0) continue;
        for (t = 0; t < BAL_NTYPES; t++) {
            bal_load_type ty = bal_load_type_listed(t);

            vm_labels(f, "xl_balance_vm_type", v);
            fprintf(f, ",%s=\"%s\"} %d\n",
                    w->fmt == BAL_METRICS_OPENMETRICS ? "xl_balance_vm_type"
                                                      : "type",
                    bal_load_type_name(ty), v->type == ty);
        }
    }
    family(w, "xl_balance_vm_heavy", F_GAUGE,
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

static void print_host_families(const mw *w, const bal_status *st)
{
    FILE *f = w->f;
    int n = bal_status_num_hosts(st), i, t;
    char help[256];
    size_t g;

    for (g = 0; g < sizeof(host_gauges) / sizeof(host_gauges[0]); g++) {
        family(w, host_gauges[g].name, F_GAUGE, host_gauges[g].help);
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
    family(w, "xl_balance_host_vms", F_GAUGE, help);
    for (i = 0; i < n; i++) {
        const bal_host_info *h = bal_status_host(st, i);

        for (t = 0; t < BAL_NTYPES; t++) {
            bal_load_type ty = bal_load_type_listed(t);

            host_labels(f, "xl_balance_host_vms", h);
            fprintf(f, ",type=\"%s\"} %d\n", bal_load_type_name(ty),
                    h->ntype[ty]);
        }
    }
    family(w, "xl_balance_host_heavy_vms", F_GAUGE,
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

static void print_cluster_families(const mw *w, const bal_status *st,
                                   const bal_counters *counters)
{
    FILE *f = w->f;
    bal_counter c;

    family(w, "xl_balance_build", F_INFO, "Version of xl-balance.");
    fputs("xl_balance_build_info{version=\"" BAL_VERSION "\"} 1\n", f);
    family(w, "xl_balance_peer_errors", F_GAUGE,
           "Peers that did not answer; their hosts are missing above.");
    fprintf(f, "xl_balance_peer_errors %d\n", bal_status_peer_errors(st));

    family(w, "xl_balance_history_available", F_GAUGE,
           "1 when the migration counters were read from the state "
           "directory; 0 when they could not be (they are then 0).");
    fprintf(f, "xl_balance_history_available %d\n", counters ? 1 : 0);
    family(w, "xl_balance_migrations", F_COUNTER,
           "Migrations rebalance started, by result (done, failed, "
           "undefined).");
    for (c = BAL_COUNTER_DONE; c <= BAL_COUNTER_UNDEFINED; c++)
        fprintf(f, "xl_balance_migrations_total{result=\"%s\"} %llu\n",
                bal_counter_name(c),
                (unsigned long long)bal_counters_value(counters, c));
    family(w, "xl_balance_migrations_skipped", F_COUNTER,
           "Moves rebalance planned but did not start, by reason "
           "(refused: the live state did not allow it; skipped: an earlier "
           "move failed).");
    for (c = BAL_COUNTER_REFUSED; c <= BAL_COUNTER_SKIPPED; c++)
        fprintf(f, "xl_balance_migrations_skipped_total{reason=\"%s\"} "
                "%llu\n", bal_counter_name(c),
                (unsigned long long)bal_counters_value(counters, c));
}

int bal_metrics_write(const bal_status *st, const bal_counters *counters,
                      bal_metrics_format fmt, FILE *f)
{
    mw w = { f, fmt };

    if (!st || !f || (fmt != BAL_METRICS_OPENMETRICS &&
                      fmt != BAL_METRICS_PROMETHEUS))
        return BAL_EINVAL;
    print_vm_families(&w, st);
    print_host_families(&w, st);
    print_cluster_families(&w, st, counters);
    if (fmt == BAL_METRICS_OPENMETRICS) fputs("# EOF\n", f);
    return fflush(f) || ferror(f) ? BAL_EIO : 0;
}

/* ---- the textfile ----------------------------------------------------------- */

/* The text of the file: st and the totals, as the collector reads it. */
static int textfile_text(bal_ctx *ctx, const struct bal_config *cfg,
                         const bal_status *st, char **buf_r, size_t *len_r)
{
    bal_counters *counters = NULL;
    FILE *mf = NULL;
    int rc;

    *buf_r = NULL;
    /* Unreadable totals are reported as not available (logged), as by
     * status --openmetrics, rather than costing the scrape its status. */
    bal_counters_read(ctx, cfg, &counters);
    mf = open_memstream(buf_r, len_r);
    if (!mf) { rc = BAL_ENOMEM; goto out; }
    rc = bal_metrics_write(st, counters, BAL_METRICS_PROMETHEUS, mf);
    if (fclose(mf) && !rc) rc = BAL_ENOMEM;
    mf = NULL;

out:
    bal_counters_free(counters);
    if (rc) {
        free(*buf_r);
        *buf_r = NULL;
    }
    return rc;
}

int bal_metrics_textfile(bal_ctx *ctx, const bal_config *cfg,
                         const bal_status *st)
{
    const char *path, *name;
    char dir[4096], tmp[4096], tmppath[8256], *buf = NULL;
    size_t len = 0;
    int dirfd = -1, fd = -1, rc;
    bool created = false;

    if (!ctx || !cfg || !st) return BAL_EINVAL;
    path = cfg->metrics_textfile;
    if (!path || !*path) return 0;
    /* The loader took only absolute paths ending in NAME.prom. */
    name = strrchr(path, '/') + 1;
    snprintf(dir, sizeof(dir), "%.*s", name - path > 1 ?
             (int)(name - path - 1) : 1, path);
    /* Hidden, and not NAME.prom: the collector never reads it half
     * written.  Same directory: the rename replaces the file in one step. */
    snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
    snprintf(tmppath, sizeof(tmppath), "%s/%s", dir, tmp);

    rc = textfile_text(ctx, cfg, st, &buf, &len);
    if (rc) {
        BAL__ERR(ctx, "%s: cannot write the metrics: %s", path,
                 bal_strerror(rc));
        goto out;
    }
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        BAL__ERR(ctx, "%s: cannot write the metrics: %s: %s", path, dir,
                 strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = bal__state_open(ctx, dirfd, tmppath, tmp, "metrics file",
                         O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (rc) goto out;
    created = true;
    /* 0644, not a state file's 0600: the collector runs as its own user. */
    if (fchmod(fd, 0644) || bal__write_all(fd, buf, len) || fsync(fd)) {
        BAL__ERR(ctx, "%s: cannot write: %s", tmppath, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = close(fd);
    fd = -1;
    if (rc || renameat(dirfd, tmp, dirfd, name)) {
        BAL__ERR(ctx, "%s: cannot replace: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    created = false;
    rc = bal__state_sync_dir(ctx, dirfd, path);

out:
    if (fd >= 0) close(fd);
    if (created) unlinkat(dirfd, tmp, 0);
    if (dirfd >= 0) close(dirfd);
    free(buf);
    return rc;
}
