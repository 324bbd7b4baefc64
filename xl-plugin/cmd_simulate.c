/*
 * cmd_simulate.c - `xl-balance simulate`: a scenario on the simulated
 * cluster with the balancer in the loop, compared with the same scenario
 * left alone; or, with --sweep, the break-even study.  The one verb that
 * uses libbalance's research API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libbalance-research.h"
#include "xl_balance.h"

#define MIB (1024.0 * 1024.0)

static void print_report(const bal_sim_report *r, const char *scenario,
                         bool balanced)
{
    static const char *const mh[] = {
        "VM", "From", "To", "Wave", "Start(s)", "End(s)", "Time(s)",
        "Sent(MiB)", "Rounds", "Downtime(ms)", "Result",
    };
    static const char *const jh[] = {
        "VM", "Load", "Hosts", "Balanced(s)", "Unbalanced(s)", "Speedup",
    };
    static const char *const jh1[] = { "VM", "Load", "Host", "Time(s)" };
    int i, n;
    table *t;

    printf("Scenario %s: RTT %g ms, %s migrations", scenario,
           bal_sim_report_rtt_ms(r),
           bal_sim_report_concurrent(r) ? "concurrent" : "sequential");
    if (balanced)
        printf(", balancing from %g s\n\n", bal_sim_report_balance_at(r));
    else
        printf(", not balanced\n\n");

    if (balanced) {
        n = bal_sim_report_num_migrations(r);
        if (!n) {
            printf("No migrations.\n\n");
        } else {
            t = table_new(11, mh, "lllrrrrrrrl");
            for (i = 0; i < n; i++) {
                const bal_sim_migration_info *m = bal_sim_report_migration(r, i);

                table_addf(t, 0, "%s", m->vm);
                table_addf(t, 1, "%s", m->from);
                table_addf(t, 2, "%s", m->to);
                table_addf(t, 3, "%d", m->wave);
                table_addf(t, 4, "%.1f", m->start_s);
                table_addf(t, 5, "%.1f", m->end_s);
                table_addf(t, 6, "%.1f", m->end_s - m->start_s);
                table_addf(t, 7, "%.1f", (double)m->bytes / MIB);
                table_addf(t, 8, "%d", m->rounds);
                table_addf(t, 9, "%.0f", m->downtime_s * 1000);
                table_addf(t, 10, "%s", m->rc ? bal_strerror(m->rc) : "ok");
            }
            table_print(t, stdout);
            table_free(t);
            putchar('\n');
        }
    }

    t = balanced ? table_new(6, jh, "lllrrr") : table_new(4, jh1, "lllr");
    for (i = 0; i < bal_sim_report_num_vms(r); i++) {
        const bal_sim_vm_info *v = bal_sim_report_vm(r, i);

        if (!v->has_job) continue;
        table_addf(t, 0, "%s", v->name);
        table_addf(t, 1, "%s", bal_load_type_name(v->load));
        if (!balanced) {
            table_addf(t, 2, "%s", v->host_start);
            table_addf(t, 3, "%.1f", v->completion_s);
            continue;
        }
        if (strcmp(v->host_start, v->host_end))
            table_addf(t, 2, "%s->%s", v->host_start, v->host_end);
        else
            table_addf(t, 2, "%s", v->host_start);
        table_addf(t, 3, "%.1f", v->completion_s);
        table_addf(t, 4, "%.1f", v->baseline_s);
        if (v->completion_s > 0 && v->baseline_s > 0)
            table_addf(t, 5, "%.2fx", v->baseline_s / v->completion_s);
        else
            table_addf(t, 5, "-");
    }
    table_print(t, stdout);
    table_free(t);
}

static void print_sweep(const bal_sweep_report *sw)
{
    static const char *const h[] = {
        "RTT(ms)", "Jobs", "Break-even(s)", "Migration(s)", "Loss during",
        "Time after/before", "Closed form(s)",
    };
    table *t = table_new(7, h, "rlrrrrr");
    int i;

    for (i = 0; i < bal_sweep_report_num_rows(sw); i++) {
        const bal_sweep_row *r = bal_sweep_report_row(sw, i);

        table_addf(t, 0, "%g", r->rtt_ms);
        table_addf(t, 1, "%s", bal_load_type_name(r->type));
        if (r->breakeven_s < 0)
            table_addf(t, 2, "never");
        else
            table_addf(t, 2, "%.0f", r->breakeven_s);
        table_addf(t, 3, r->tm_s < 0 ? "-" : "%.1f", r->tm_s);
        table_addf(t, 4, "%.0f%%", r->d * 100);
        table_addf(t, 5, r->r < 0 ? "-" : "%.3f", r->r);
        if (r->closed_form_s < 0)
            table_addf(t, 6, "-");
        else
            table_addf(t, 6, "%.0f", r->closed_form_s);
    }
    table_print(t, stdout);
    table_free(t);
}

int cmd_simulate(int argc, char **argv)
{
    enum { OPT_NOBAL = 256, OPT_RTT, OPT_POLICY, OPT_PLOT, OPT_JSON,
           OPT_SWEEP, OPT_SCALE, OPT_AT };
    static const struct option opts[] = {
        { "no-balance", no_argument,       NULL, OPT_NOBAL },
        { "rtt",        required_argument, NULL, OPT_RTT },
        { "policy",     required_argument, NULL, OPT_POLICY },
        { "plot",       required_argument, NULL, OPT_PLOT },
        { "json",       no_argument,       NULL, OPT_JSON },
        { "sweep",      no_argument,       NULL, OPT_SWEEP },
        { "scale",      required_argument, NULL, OPT_SCALE },
        { "balance-at", required_argument, NULL, OPT_AT },
        { NULL, 0, NULL, 0 },
    };
    static const double sweep_rtts[] = { 0, 4, 16, 64 };
    bal_sim_options o;
    bal_config *cfg = NULL;
    bal_sim_report *rep = NULL;
    bal_sweep_report *sw = NULL;
    const char *plot = NULL;
    char *json = NULL;
    bool as_json = false, sweep = false;
    int opt, rc, ret = EXIT_FAIL;

    bal_sim_options_init(&o, BAL_SIM_OPTIONS_VERSION);
    while ((opt = cli_getopt(argc, argv, "", opts, "simulate")) != -1) {
        switch (opt) {
        case OPT_NOBAL: o.no_balance = true; break;
        case OPT_RTT:
            if (cli_parse_key("simulate", "--rtt", "rtt_ms", optarg,
                              &o.rtt_ms))
                return EXIT_USAGE;
            break;
        case OPT_POLICY:
            if (!strcmp(optarg, "sequential")) {
                o.policy = BAL_POLICY_SEQUENTIAL;
            } else if (!strcmp(optarg, "concurrent")) {
                o.policy = BAL_POLICY_CONCURRENT;
            } else {
                cli_err("simulate: --policy: `%s' is not sequential or "
                        "concurrent", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_PLOT: plot = optarg; break;
        case OPT_JSON: as_json = true; break;
        case OPT_SWEEP: sweep = true; break;
        case OPT_SCALE:
            if (cli_parse_double("simulate", "--scale", optarg, 0.001, 1000,
                                 &o.job_scale))
                return EXIT_USAGE;
            break;
        case OPT_AT:
            if (cli_parse_double("simulate", "--balance-at", optarg, 0,
                                 1e7, &o.balance_at))
                return EXIT_USAGE;
            break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_err("simulate: needs a scenario (a file, or a shipped name "
                "such as `paper')");
        return EXIT_USAGE;
    }
    if (optind + 1 < argc) {
        cli_err("simulate: unexpected argument `%s'", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (sweep && (o.no_balance || o.rtt_ms >= 0)) {
        cli_err("simulate: --sweep runs every RTT with and without "
                "balancing; it takes neither --rtt nor --no-balance");
        return EXIT_USAGE;
    }
    o.scenario = argv[optind];

    if (cli_open(&cfg, NULL)) goto out;

    if (sweep) {
        rc = bal_sim_sweep(g_ctx, cfg, &o, sweep_rtts,
                           (int)(sizeof(sweep_rtts) / sizeof(sweep_rtts[0])),
                           &sw);
        if (rc) goto out;
        if (plot && bal_sweep_report_plot(g_ctx, sw, plot)) goto out;
        if (as_json) {
            if (bal_sweep_report_json(sw, &json)) goto out;
            puts(json);
        } else {
            print_sweep(sw);
        }
        ret = EXIT_OK;
        goto out;
    }

    rc = bal_simulate(g_ctx, cfg, &o, &rep);
    if (rc) goto out;
    if (plot && bal_sim_report_plot(g_ctx, rep, plot)) goto out;
    if (as_json) {
        if (bal_sim_report_json(rep, &json)) goto out;
        puts(json);
    } else {
        print_report(rep, o.scenario, !o.no_balance);
    }
    ret = EXIT_OK;

out:
    free(json);
    bal_sweep_report_free(sw);
    bal_sim_report_free(rep);
    bal_config_free(cfg);
    return ret;
}
