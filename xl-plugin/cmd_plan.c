/*
 * cmd_plan.c - `xl-balance plan`: what rebalance would do and why (bal_plan):
 * the placement before and after, each move with its predictions, the
 * waves, and the VMs that would gain but stay, with the reason.  Moves
 * nothing.  --json prints a plan file that `rebalance --apply' runs.
 * With --cluster FILE the same for the cluster FILE describes, offline
 * (bal_plan_cluster): no backend, configuration, state or lock.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl_balance.h"

/* A name from the cluster, printed: control characters as '?', so that
 * no domain name can drive the admin's terminal. */
static void safe(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* "vm1 io!, vm3 io" for the VMs on host h before or after; '!' marks a
 * heavy VM.  Cut to fit a terminal line's share. */
static void vm_list(const bal_plan_report *r, const char *h, bool after,
                    char *buf, size_t size)
{
    size_t o = 0;
    int i, n = 0;

    buf[0] = '\0';
    for (i = 0; i < bal_plan_report_num_vms(r) && o + 1 < size; i++) {
        const bal_plan_vm_info *v = bal_plan_report_vm(r, i);

        if (strcmp(after ? v->host_after : v->host_before, h)) continue;
        o += (size_t)snprintf(buf + o, size - o, "%s%s %s%s", n++ ? ", " : "",
                              v->vm, bal_load_type_name(v->type),
                              v->heavy ? "!" : "");
    }
    if (!n) snprintf(buf, size, "-");
    safe(buf);
}

static void print_placement(const bal_plan_report *r)
{
    static const char *const hdr[] = {
        "Host", "pCPUs", "Free(MiB)", "Before", "After",
    };
    table *t = table_new(5, hdr, "lrrll");
    char b[512];
    int i;

    for (i = 0; i < bal_plan_report_num_hosts(r); i++) {
        const bal_plan_host_info *h = bal_plan_report_host(r, i);

        /* Host names are checked on a live cluster, not in a cluster
         * file. */
        snprintf(b, sizeof(b), "%s%s", h->name, h->drained ? " (drained)" : "");
        safe(b);
        table_addf(t, 0, "%s", b);
        table_addf(t, 1, "%u", h->pcpus);
        if (h->free_kb_after == h->free_kb_before)
            table_addf(t, 2, "%lld", (long long)(h->free_kb_before / 1024));
        else
            table_addf(t, 2, "%lld->%lld",
                       (long long)(h->free_kb_before / 1024),
                       (long long)(h->free_kb_after / 1024));
        vm_list(r, h->name, false, b, sizeof(b));
        table_addf(t, 3, "%s", b);
        vm_list(r, h->name, true, b, sizeof(b));
        table_addf(t, 4, "%s", b);
    }
    table_print(t, stdout);
    table_free(t);
}

static void print_moves(const bal_plan_report *r)
{
    static const char *const hdr[] = {
        "Wave", "VM", "Type", "From", "To", "Time(s)", "Break-even(s)",
        "Gain(VMs)", "Reason",
    };
    table *t = table_new(9, hdr, "rllllrrrl");
    char b[200];
    int i;

    for (i = 0; i < bal_plan_report_num_moves(r); i++) {
        const bal_plan_move_info *m = bal_plan_report_move(r, i);

        table_addf(t, 0, "%d", m->wave);
        snprintf(b, sizeof(b), "%s", m->vm);
        safe(b);
        table_addf(t, 1, "%s", b);
        table_addf(t, 2, "%s", bal_load_type_name(m->type));
        snprintf(b, sizeof(b), "%s", m->from);
        safe(b);
        table_addf(t, 3, "%s", b);
        snprintf(b, sizeof(b), "%s", m->to);
        safe(b);
        table_addf(t, 4, "%s", b);
        table_addf(t, 5, "%.1f", m->wave_migration_s);
        if (m->evacuation)
            table_addf(t, 6, "evacuation");
        else if (isfinite(m->break_even_s))
            table_addf(t, 6, "%.1f", m->break_even_s);
        else
            table_addf(t, 6, "never");
        table_addf(t, 7, "%+.3f", m->gain_rate);
        snprintf(b, sizeof(b), "%s", m->reason);
        safe(b);
        table_addf(t, 8, "%s", b);
    }
    table_print(t, stdout);
    table_free(t);
}

static void print_rejected(const bal_plan_report *r)
{
    char b[400];
    int i, n = bal_plan_report_num_rejected(r);

    if (!n) return;
    printf("\nStaying, though they would gain:\n");
    for (i = 0; i < n; i++) {
        const bal_plan_reject_info *j = bal_plan_report_rejected(r, i);

        snprintf(b, sizeof(b), "%s (%s): %s", j->vm, j->reason, j->detail);
        safe(b);
        printf("  %s\n", b);
    }
}

static void print_report(const bal_plan_report *r)
{
    const bal_plan_summary *s = bal_plan_report_summary(r);
    int w;

    print_placement(r);
    putchar('\n');
    if (!s->nmoves) {
        /* The VMs that would gain say below why they stay. */
        printf("No move planned%s.\n", bal_plan_report_num_rejected(r) ? ""
               : ": no VM would gain from one");
    } else {
        print_moves(r);
        putchar('\n');
        for (w = 0; w < s->nwaves; w++) {
            int i, n = 0;

            for (i = 0; i < s->nmoves; i++)
                n += bal_plan_report_move(r, i)->wave == w;
            printf("Wave %d: %d move%s, %.1f s\n", w, n, n == 1 ? "" : "s",
                   bal_plan_report_wave_s(r, w));
        }
        printf("Plan: %d move%s in %d wave%s, %.1f s.\n", s->nmoves,
               s->nmoves == 1 ? "" : "s", s->nwaves, s->nwaves == 1 ? "" : "s",
               s->duration_s);
    }
    printf("Work over the %.0f s horizon: %.0f -> %.0f VM-s; same-type "
           "collisions %d -> %d", s->horizon_s, s->objective_before,
           s->objective_after, s->collisions_before, s->collisions_after);
    if (s->stranded)
        printf("; %d VM%s left on drained hosts", s->stranded,
               s->stranded == 1 ? "" : "s");
    printf(".\n");
    print_rejected(r);
}

int cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json",      no_argument,       NULL, 'j' },
        { "horizon",   required_argument, NULL, 'H' },
        { "max-moves", required_argument, NULL, 'm' },
        { "cluster",   required_argument, NULL, 'C' },
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_plan_report *rep = NULL;
    bal_plan_options o;
    const char *cluster = NULL;
    char *json = NULL;
    bool as_json = false;
    int opt, rc, ret = EXIT_FAIL;

    bal_plan_options_init(&o, BAL_PLAN_OPTIONS_VERSION);
    while ((opt = cli_getopt(argc, argv, "", opts, "plan")) != -1) {
        switch (opt) {
        case 'j': as_json = true; break;
        case 'H':
            if (cli_parse_key("plan", "--horizon", "horizon", optarg,
                              &o.horizon_s))
                return EXIT_USAGE;
            break;
        case 'm':
            if (cli_parse_key_int("plan", "--max-moves", "max_moves", optarg,
                                  &o.max_moves))
                return EXIT_USAGE;
            break;
        case 'C':
            if (!*optarg) {
                cli_err("plan: --cluster: needs a file");
                return EXIT_USAGE;
            }
            cluster = optarg;
            break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err("plan: unexpected argument `%s'", argv[optind]);
        return EXIT_USAGE;
    }

    /* The file is all an offline plan is told: a backend or a
     * configuration given with it would be silently ignored, and the
     * admin would take the plan for one of that cluster. */
    if (cluster && (g_backend || g_config_file)) {
        cli_err("plan: --cluster plans FILE alone, offline; it takes "
                "neither -b nor -c");
        return EXIT_USAGE;
    }

    if (cluster) {
        rc = bal_plan_cluster(g_ctx, cluster, &o, &rep);
    } else {
        if ((rc = cli_open(&cfg, &be))) {
            ret = cli_open_exit(rc);
            goto out;
        }
        rc = bal_plan(g_ctx, be, cfg, &o, &rep);
    }
    if (rc) goto out;       /* the library said why */
    if (as_json) {
        rc = bal_plan_report_json(rep, &json);
        if (rc) {
            cli_err("plan: %s", bal_strerror(rc));
            goto out;
        }
        puts(json);
    } else {
        print_report(rep);
    }
    ret = bal_plan_report_summary(rep)->peer_errors ? EXIT_PARTIAL : EXIT_OK;
    if (cfg) ret = cli_metrics_textfile(cfg, bal_plan_report_status(rep), ret);

out:
    free(json);
    bal_plan_report_free(rep);
    cli_close(cfg, be);
    return ret;
}
