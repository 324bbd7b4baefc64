/*
 * cli.c - what every verb uses: option parsing with --help, strict
 * numbers, opening the configuration and the backend.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl_balance.h"

int cli_getopt(int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *verb)
{
    static struct option all[32];
    static char shorts[64];
    int n = 0, opt;

    /* -h/--help on every verb, as in xl. */
    while (longopts && longopts[n].name && n < 30) { all[n] = longopts[n]; n++; }
    all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
    all[n] = (struct option){ NULL, 0, NULL, 0 };
    /* Options may follow the operands (`simulate paper --json`). */
    snprintf(shorts, sizeof(shorts), ":%sh", shortopts);

    opt = getopt_long(argc, argv, shorts, all, NULL);
    switch (opt) {
    case 'h':
        cli_help(verb);
        return -2;
    case '?':
        if (optopt)
            cli_err("%s: unknown option -%c; try `xl-balance %s --help'",
                    verb, optopt, verb);
        else
            cli_err("%s: unknown option `%s'; try `xl-balance %s --help'",
                    verb, argv[optind - 1], verb);
        return -3;
    case ':':
        /* Name the option as it was written: --apply, not its -a. */
        if (!strncmp(argv[optind - 1], "--", 2) || !optopt || optopt > 255)
            cli_err("%s: option `%s' needs a value", verb, argv[optind - 1]);
        else
            cli_err("%s: option -%c needs a value", verb, optopt);
        return -3;
    default:
        return opt;
    }
}

int cli_parse_double(const char *verb, const char *opt, const char *s,
                     double min, double max, double *out)
{
    char *end;
    double v;

    /* Decimal only, as in the configuration: strtod alone would also
     * take hexadecimal ("0x10"), leading blanks, "inf" and "nan". */
    errno = 0;
    v = strtod(s, &end);
    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s) || *end || errno ||
        !isfinite(v)) {
        cli_err("%s: %s: `%s' is not a number", verb, opt, s);
        return -1;
    }
    if (v < min || v > max) {
        cli_err("%s: %s: %s is out of range (%g to %g)", verb, opt, s,
                min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_int(const char *verb, const char *opt, const char *s,
                  int min, int max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    /* strtol would skip leading blanks: " 3" is not a number here. */
    if (!*s || strspn(s, "0123456789+-") != strlen(s) || *end || errno) {
        cli_err("%s: %s: `%s' is not a whole number", verb, opt, s);
        return -1;
    }
    if (v < min || v > max) {
        cli_err("%s: %s: %s is out of range (%d to %d)", verb, opt, s,
                min, max);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The library reads the value with its table of keys: the command line
 * and the configuration cannot disagree on a range or on the words that
 * refuse a value outside it. */
int cli_parse_key(const char *verb, const char *opt, const char *key,
                  const char *s, double *out)
{
    return bal_config_parse_value(g_ctx, verb, opt, key, s, out) ? -1 : 0;
}

int cli_parse_key_int(const char *verb, const char *opt, const char *key,
                      const char *s, int *out)
{
    double v;

    if (cli_parse_key(verb, opt, key, s, &v)) return -1;
    *out = (int)v;              /* a whole number in the key's range */
    return 0;
}

int cli_open(bal_config **cfg_r, bal_backend **be_r)
{
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    int rc;

    rc = bal_config_alloc(&cfg);
    if (rc) goto out;
    rc = bal_config_load(g_ctx, cfg,
                         g_config_file ? g_config_file : BAL_DEFAULT_CONFIG,
                         g_config_file != NULL);
    if (rc) goto out;
    if (be_r) {
        rc = bal_backend_open(g_ctx, cfg, g_backend ? g_backend : "xen",
                              &be);
        if (rc) goto out;
        rc = bal_config_set_state(g_ctx, cfg, be, g_state_dir);
        if (rc) goto out;
    }
    *cfg_r = cfg;
    cfg = NULL;
    if (be_r) *be_r = be;
    be = NULL;

out:
    /* The library logged the details; bal_strerror adds nothing. */
    bal_backend_close(be);
    bal_config_free(cfg);
    return rc;
}

int cli_open_exit(int rc)
{
    /* bal_backend_open's BAL_EBACKEND: the spec itself is wrong. */
    return rc == BAL_EBACKEND ? EXIT_USAGE : EXIT_FAIL;
}

void cli_close(bal_config *cfg, bal_backend *be)
{
    bal_backend_close(be);
    bal_config_free(cfg);
}

int cli_metrics_textfile(const bal_config *cfg, const bal_status *st, int ret)
{
    /* No status (a run that sampled nothing): the file stays as it was. */
    if (!st) return ret;
    if (bal_metrics_textfile(g_ctx, cfg, st) && ret == EXIT_OK)
        return EXIT_FAIL;
    return ret;
}
