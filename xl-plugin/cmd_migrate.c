/*
 * cmd_migrate.c - `xl-balance migrate DOMAIN HOST`: the admin's verb, like
 * `xl migrate DOMAIN HOST`, through libbalance's own sender (bal_migrate:
 * libxl_domain_suspend live, xl's protocol, the stock `xl migrate-receive`
 * on HOST, reached with the configured transport).  One summary line on
 * stdout; the library's messages say why on failure.  It takes
 * rebalance's lock: when another holds it, nothing on stdout and exit 5,
 * as rebalance.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xl_balance.h"

/* A name from the cluster or the command line, printed: control
 * characters as '?' (no name drives the admin's terminal). */
static void put_safe(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_migrate_result res;
    const char *domain, *host;
    int opt, rc, ret = EXIT_FAIL;

    while ((opt = cli_getopt(argc, argv, "", opts, "migrate")) != -1) {
        switch (opt) {
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

    if (cli_open(&cfg, &be)) goto out;
    bal_migrate_result_init(&res, BAL_MIGRATE_RESULT_VERSION);
    rc = bal_migrate(g_ctx, be, domain, host, &res);
    if (!rc) {
        fputs("migrated ", stdout);
        put_safe(stdout, res.name);
        printf(" (%s) ", res.uuid);
        put_safe(stdout, res.from);
        fputs(" -> ", stdout);
        put_safe(stdout, host);
        printf(" in %.1f s, %d round%s", res.duration_s, res.rounds,
               res.rounds == 1 ? "" : "s");
        /* The simulator knows what it sent; libxc does not say. */
        if (res.bytes)
            printf(", %.1f MiB", (double)res.bytes / (1024.0 * 1024.0));
        printf(", downtime %.3f s", res.downtime_s);
        /* Measured by our sender; a rebalance that had this host run the
         * move learns it from this line (backend_xen.c). */
        if (isfinite(res.dirty_Bps))
            printf(", dirtying %.2f MB/s", res.dirty_Bps / 1e6);
        putchar('\n');
        ret = EXIT_OK;
        goto out;
    }
    if (rc == BAL_ELOCKED) {
        /* As rebalance: the library's one line said who holds it. */
        ret = EXIT_LOCKED;
        goto out;
    }
    fputs(rc == BAL_EUNDEFINED ? "UNDEFINED " : "failed ", stdout);
    put_safe(stdout, domain);
    fputs(" -> ", stdout);
    put_safe(stdout, host);
    if (rc == BAL_EUNDEFINED) {
        printf(": %s; it may run on neither host or on both: an admin "
               "must look\n", bal_strerror(rc));
        ret = EXIT_UNDEFINED;
    } else {
        printf(": %s; %s\n", bal_strerror(rc),
               rc == BAL_ENOENT ? "nothing done"
                                : "it still runs on this host");
        ret = EXIT_FAIL;
    }

out:
    cli_close(cfg, be);
    return ret;
}
