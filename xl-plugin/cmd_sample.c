/*
 * cmd_sample.c - `xl-balance sample --json`: raw cumulative counters, one
 * JSON line per sample.  What a peer answers over ssh (--local), and what
 * `-b replay:TRACE` plays back when recorded with -n.
 */
#include <stdio.h>
#include <stdlib.h>

#include "xl_balance.h"

int cmd_sample(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json",     no_argument,       NULL, 'j' },
        { "local",    no_argument,       NULL, 'l' },
        { "interval", required_argument, NULL, 'i' },
        { "samples",  required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bool local = false;
    double interval = -1;
    int samples = 1, opt, rc, k;

    while ((opt = cli_getopt(argc, argv, "i:n:", opts, "sample")) != -1) {
        switch (opt) {
        case 'j': break;
        case 'l': local = true; break;
        case 'i':
            if (cli_parse_key("sample", "-i", "sample_interval", optarg,
                              &interval))
                return EXIT_USAGE;
            break;
        case 'n':
            if (cli_parse_int("sample", "-n", optarg, 1, 1000000, &samples))
                return EXIT_USAGE;
            break;
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err("sample: unexpected argument `%s'", argv[optind]);
        return EXIT_USAGE;
    }

    if ((rc = cli_open(&cfg, &be))) return cli_open_exit(rc);
    if (interval < 0) interval = bal_config_interval(cfg);

    rc = 0;
    for (k = 0; k < samples && !rc; k++) {
        char *json = NULL;

        if (k) rc = bal_backend_wait(be, interval);
        if (!rc) rc = bal_sample_json(g_ctx, be, local, &json);
        if (!rc) {
            puts(json);
            fflush(stdout);
        }
        free(json);
    }
    cli_close(cfg, be);
    return rc ? EXIT_FAIL : EXIT_OK;
}
