/*
 * cmd_rebalance.c - `xl-balance rebalance`: sample, plan, migrate,
 * verify (bal_rebalance), made for cron: silent when there was nothing
 * to do, one line per move otherwise, errors through the log sink
 * (--syslog), an exit code per outcome (doc/rebalance.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "xl_balance.h"

typedef struct confirm_state {
    bool yes;
    bool json;
    bool no_tty;            /* refused: nobody to ask */
    int nmoves;             /* what was asked for */
} confirm_state;

/* A name from the cluster, printed: control characters as '?', so that
 * no domain name can drive the admin's terminal. */
static void put_safe(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* "VERB vm1 HostA -> HostB" */
static void put_move(FILE *f, const char *verb, const bal_rebalance_move *m)
{
    fputs(verb, f);
    fputc(' ', f);
    put_safe(f, m->vm);
    fputc(' ', f);
    put_safe(f, m->from);
    fputs(" -> ", f);
    put_safe(f, m->to);
}

static int count_state(const bal_rebalance_report *r, bal_move_state s)
{
    int i, n = 0;

    for (i = 0; i < bal_rebalance_report_num_moves(r); i++)
        n += bal_rebalance_report_move(r, i)->state == s;
    return n;
}

/* The plan: the moves that would run, as a table, then the others. */
static void print_plan(FILE *f, const bal_rebalance_report *r)
{
    static const char *const hdr[] = { "Wave", "VM", "From", "To", "Reason" };
    table *t = table_new(5, hdr, "rllll");
    int i, n = bal_rebalance_report_num_moves(r), shown = 0;

    for (i = 0; i < n; i++) {
        const bal_rebalance_move *m = bal_rebalance_report_move(r, i);

        if (m->state != BAL_MOVE_PLANNED) continue;
        table_addf(t, 0, "%d", m->wave);
        table_addf(t, 1, "%s", m->vm);
        table_addf(t, 2, "%s", m->from);
        table_addf(t, 3, "%s", m->to);
        table_addf(t, 4, "%s", m->reason);
        shown++;
    }
    if (shown) table_print(t, f);
    table_free(t);
    for (i = 0; i < n; i++) {
        const bal_rebalance_move *m = bal_rebalance_report_move(r, i);

        if (m->state == BAL_MOVE_PLANNED) continue;
        put_move(f, bal_move_state_name(m->state), m);
        fputs(": ", f);
        put_safe(f, m->detail);
        fputc('\n', f);
    }
}

static bool confirm(void *opaque, const bal_rebalance_report *r)
{
    confirm_state *c = opaque;
    FILE *f = c->json ? stderr : stdout;
    char line[64];

    c->nmoves = count_state(r, BAL_MOVE_PLANNED);
    if (c->yes) return true;
    if (!isatty(STDIN_FILENO)) {
        c->no_tty = true;
        return false;
    }
    print_plan(f, r);
    fprintf(f, "Move %d VM%s? [y/N] ", c->nmoves, c->nmoves == 1 ? "" : "s");
    fflush(f);
    if (!fgets(line, sizeof(line), stdin)) return false;
    line[strcspn(line, "\r\n")] = '\0';
    return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

/* One line per move that was meant to run, and per VM a dead run left. */
static void print_summary(const bal_rebalance_report *r)
{
    int i, n = bal_rebalance_report_num_moves(r);

    for (i = 0; i < bal_rebalance_report_num_recovered(r); i++) {
        const bal_rebalance_recovery *c = bal_rebalance_report_recovered(r, i);
        bal_rebalance_move m;

        memset(&m, 0, sizeof(m));
        m.vm = c->vm;
        m.from = c->from;
        m.to = c->to;
        put_move(stdout, "checked", &m);
        printf(" (left by an earlier run): found %s%s\n",
               !strcmp(c->found, "source") ? "on the source" :
               !strcmp(c->found, "destination") ? "on the destination" :
               !strcmp(c->found, "elsewhere") ? "on another host" :
               !strcmp(c->found, "both") ? "twice" :
               !strcmp(c->found, "neither") ? "on no host" :
               "nowhere it could be looked for",
               c->problem ? ": an admin must look" : "");
    }
    for (i = 0; i < n; i++) {
        const bal_rebalance_move *m = bal_rebalance_report_move(r, i);

        switch (m->state) {
        case BAL_MOVE_PLANNED:
            continue;
        case BAL_MOVE_DONE:
            put_move(stdout, "moved", m);
            printf(" in %.1f s", m->duration_s);
            /* What the plan expected, beside it: an admin sees how far
             * off the cost model is (the history keeps both). */
            if (isfinite(m->predicted_s))
                printf(" (predicted %.1f s)", m->predicted_s);
            putchar('\n');
            continue;
        case BAL_MOVE_UNDEFINED:
            put_move(stdout, "UNDEFINED", m);
            break;
        default:
            put_move(stdout, bal_move_state_name(m->state), m);
            break;
        }
        fputs(": ", stdout);
        put_safe(stdout, m->detail);
        fputc('\n', stdout);
    }
}

/* Under --syslog, each move's outcome, whatever -v says: a move at
 * notice, a failure or an undefined state at err, so that a cron run's
 * moves are on record even when the log is quiet.  syslog(3) directly:
 * the library's sink has no notice level, and these are the run's
 * outcomes as the command reports them (as its summary on stdout). */
static void syslog_moves(const bal_rebalance_report *r)
{
    int i, n = bal_rebalance_report_num_moves(r);

    for (i = 0; i < n; i++) {
        const bal_rebalance_move *m = bal_rebalance_report_move(r, i);
        char line[1024], *p;
        int prio = LOG_ERR;

        switch (m->state) {
        case BAL_MOVE_DONE:
            snprintf(line, sizeof(line), "moved %s (%s) %s -> %s in %.1f s",
                     m->vm, m->uuid, m->from, m->to, m->duration_s);
            prio = LOG_NOTICE;
            break;
        case BAL_MOVE_FAILED:
            snprintf(line, sizeof(line), "migration of %s (%s) %s -> %s "
                     "failed: %s", m->vm, m->uuid, m->from, m->to, m->detail);
            break;
        case BAL_MOVE_UNDEFINED:
            snprintf(line, sizeof(line), "migration of %s (%s) %s -> %s: "
                     "STATE UNDEFINED: %s", m->vm, m->uuid, m->from, m->to,
                     m->detail);
            break;
        default:
            continue;
        }
        for (p = line; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
        syslog(prio, "%s", line);
    }
}

int cmd_rebalance(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dry-run",   no_argument,       NULL, 'n' },
        { "max-moves", required_argument, NULL, 'm' },
        { "apply",     required_argument, NULL, 'a' },
        { "yes",       no_argument,       NULL, 'y' },
        { "json",      no_argument,       NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_rebalance_report *rep = NULL;
    bal_rebalance_options o;
    confirm_state cs;
    char *json = NULL;
    int opt, rc, ret = EXIT_FAIL;

    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    memset(&cs, 0, sizeof(cs));
    while ((opt = cli_getopt(argc, argv, "ny", opts, "rebalance")) != -1) {
        switch (opt) {
        case 'n': o.dry_run = true; break;
        case 'y': cs.yes = true; break;
        case 'j': cs.json = true; break;
        case 'a': o.apply = optarg; break;
        case 'm':
            if (cli_parse_key_int("rebalance", "--max-moves", "max_moves",
                                  optarg, &o.max_moves))
                return EXIT_USAGE;
            break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err("rebalance: unexpected argument `%s'", argv[optind]);
        return EXIT_USAGE;
    }
    o.confirm = confirm;
    o.confirm_opaque = &cs;

    if ((rc = cli_open(&cfg, &be))) {
        ret = cli_open_exit(rc);
        goto out;
    }
    rc = bal_rebalance(g_ctx, be, cfg, &o, &rep);
    if (rc) goto out;       /* the library said why */
    if (g_syslog) syslog_moves(rep);

    if (cs.json) {
        rc = bal_rebalance_report_json(rep, &json);
        if (rc) {
            cli_err("rebalance: %s", bal_strerror(rc));
            goto out;
        }
        puts(json);
    }

    switch (bal_rebalance_report_outcome(rep)) {
    case BAL_REBALANCE_NOTHING:
        ret = EXIT_OK;
        break;
    case BAL_REBALANCE_PLANNED:
        if (!cs.json) {
            print_plan(stdout, rep);
            printf("Dry run: %d move%s planned, nothing moved.\n",
                   count_state(rep, BAL_MOVE_PLANNED),
                   count_state(rep, BAL_MOVE_PLANNED) == 1 ? "" : "s");
        }
        ret = EXIT_OK;
        break;
    case BAL_REBALANCE_DONE:
        if (!cs.json) print_summary(rep);
        ret = EXIT_OK;
        break;
    case BAL_REBALANCE_PARTIAL:
        if (!cs.json) {
            if (o.dry_run) print_plan(stdout, rep);
            else print_summary(rep);
        }
        ret = EXIT_PARTIAL;
        break;
    case BAL_REBALANCE_UNDEFINED:
        if (!cs.json) print_summary(rep);
        ret = EXIT_UNDEFINED;
        break;
    case BAL_REBALANCE_UNCONFIRMED:
        if (cs.no_tty)
            cli_err("rebalance: %d move%s planned, none made: not asking "
                    "without a terminal; use --yes (or --dry-run to see "
                    "them)", cs.nmoves, cs.nmoves == 1 ? "" : "s");
        else if (!cs.json)
            printf("Nothing moved.\n");
        ret = EXIT_REFUSED;
        break;
    case BAL_REBALANCE_LOCKED:
        ret = EXIT_LOCKED;  /* the library said who holds it */
        break;
    }
    ret = cli_metrics_textfile(cfg, bal_rebalance_report_status(rep), ret);

out:
    free(json);
    bal_rebalance_report_free(rep);
    cli_close(cfg, be);
    return ret;
}
