/*
 * cmd_migrate.c - `xl-balance migrate DOMAIN HOST`: the admin's verb, like
 * `xl migrate DOMAIN HOST`, through libbalance's own sender (bal_migrate:
 * libxl_domain_suspend live, xl's protocol, the stock `xl migrate-receive`
 * on HOST, reached with the configured transport).  One summary line on
 * stdout, or with --json one JSON object (bal_migrate_json: what another
 * dom0's rebalance reads when it has this host run a move); the
 * library's messages say why on failure.  It takes rebalance's lock: when
 * another holds it, exit 5 and, as rebalance, nothing on stdout (with
 * --json, the answer saying so).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl_balance.h"

/* A name from the cluster or the command line, printed: control
 * characters as '?' (no name drives the admin's terminal). */
static void put_safe(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* The summary line: "migrated NAME (UUID) FROM -> HOST in ...". */
static void print_summary(const bal_migrate_result *res, const char *host)
{
    fputs("migrated ", stdout);
    put_safe(stdout, res->name);
    printf(" (%s) ", res->uuid);
    put_safe(stdout, res->from);
    fputs(" -> ", stdout);
    put_safe(stdout, host);
    printf(" in %.1f s, %d round%s", res->duration_s, res->rounds,
           res->rounds == 1 ? "" : "s");
    /* The simulator knows what it sent; libxc does not say. */
    if (res->bytes)
        printf(", %.1f MiB", (double)res->bytes / (1024.0 * 1024.0));
    printf(", downtime %.3f s", res->downtime_s);
    /* Measured by our sender. */
    if (isfinite(res->dirty_Bps))
        printf(", dirtying %.2f MB/s", res->dirty_Bps / 1e6);
    /* What the planner's model said before the move. */
    if (isfinite(res->predicted_s))
        printf("; predicted %.1f s, %d round%s (%s)", res->predicted_s,
               res->predicted_rounds, res->predicted_rounds == 1 ? "" : "s",
               res->learned ? "learned" : "not learned");
    putchar('\n');
}

static void print_failure(int rc, const char *domain, const char *host)
{
    fputs(rc == BAL_EUNDEFINED ? "UNDEFINED " : "failed ", stdout);
    put_safe(stdout, domain);
    fputs(" -> ", stdout);
    put_safe(stdout, host);
    if (rc == BAL_EUNDEFINED)
        printf(": %s; it may run on neither host or on both: an admin "
               "must look\n", bal_strerror(rc));
    else
        printf(": %s; %s\n", bal_strerror(rc),
               /* No such VM here, or a backend that cannot move this
                * host's VMs (peers: a management host has none). */
               rc == BAL_ENOENT || rc == BAL_EBACKEND
                   ? "nothing done" : "it still runs on this host");
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_migrate_result res;
    const char *domain, *host;
    char *json = NULL;
    bool as_json = false, opened = false;
    int opt, rc, jrc, ret;

    while ((opt = cli_getopt(argc, argv, "", opts, "migrate")) != -1) {
        switch (opt) {
        case 'j': as_json = true; break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_err("migrate: wants DOMAIN and HOST (`xl-balance migrate --help')");
        return EXIT_USAGE;
    }
    domain = argv[optind];
    host = argv[optind + 1];

    bal_migrate_result_init(&res, BAL_MIGRATE_RESULT_VERSION);
    rc = cli_open(&cfg, &be);
    if (!rc) {
        opened = true;
        rc = bal_migrate(g_ctx, be, domain, host, &res);
    }
    ret = !rc ? EXIT_OK : !opened ? cli_open_exit(rc)
        : rc == BAL_ELOCKED ? EXIT_LOCKED
        : rc == BAL_EUNDEFINED ? EXIT_UNDEFINED : EXIT_FAIL;

    if (as_json) {
        /* Always an answer, failures and the lock included: a program
         * (another dom0's rebalance) reads it. */
        jrc = bal_migrate_json(rc, &res, host, &json);
        if (jrc)
            cli_err("migrate: cannot write the answer as JSON: %s",
                    bal_strerror(jrc));
        else
            puts(json);
    } else if (!rc) {
        print_summary(&res, host);
    } else if (opened && rc != BAL_ELOCKED) {
        /* As rebalance, a lock held elsewhere prints nothing here: the
         * library's one line said who holds it. */
        print_failure(rc, domain, host);
    }

    free(json);
    cli_close(cfg, be);
    return ret;
}
