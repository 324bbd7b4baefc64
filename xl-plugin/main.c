/*
 * main.c - xl-balance: global options, then a verb from cmd_table, as xl.
 *
 *   xl-balance [-v] [-c FILE] [-b BACKEND] [--state-dir DIR] [--syslog]
 *              VERB [ARGS...]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "xl_balance.h"

const char *g_config_file;
const char *g_backend;
const char *g_state_dir;
int g_verbose;
bool g_syslog;
bal_ctx *g_ctx;

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config",  required_argument, NULL, 'c' },
        { "backend", required_argument, NULL, 'b' },
        { "verbose", no_argument,       NULL, 'v' },
        { "syslog",  no_argument,       NULL, 'S' },
        { "state-dir", required_argument, NULL, 'D' },
        { "help",    no_argument,       NULL, 'h' },
        { "version", no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd;
    bool use_syslog = false;
    int opt, rc;

    /* '+': stop at the verb, its options are its own. */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+c:b:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': g_config_file = optarg; break;
        case 'b': g_backend = optarg; break;
        case 'v': g_verbose++; break;
        case 'S': use_syslog = true; break;
        case 'D': g_state_dir = optarg; break;
        case 'h':
            cli_help(NULL);
            return EXIT_OK;
        case 'V':
            printf("xl-balance %s\n", BAL_VERSION);
            return EXIT_OK;
        default:
            /* A long option is named as written: --state-dir has no
             * letter of its own. */
            if (optopt && strncmp(argv[optind - 1], "--", 2))
                cli_err("option -%c: unknown or missing its value; "
                        "try `xl-balance help'", optopt);
            else
                cli_err("option `%s': unknown or missing its value; "
                        "try `xl-balance help'", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_err("no verb given; try `xl-balance help'");
        return EXIT_USAGE;
    }
    cmd = cmdtable_lookup(argv[optind]);
    if (!cmd) {
        cli_err("`%s' is not a verb; try `xl-balance help'", argv[optind]);
        return EXIT_USAGE;
    }

    g_syslog = use_syslog;
    if (use_syslog) openlog("xl-balance", LOG_PID, LOG_DAEMON);
    rc = bal_ctx_alloc(use_syslog ? bal_log_syslog : bal_log_stderr,
                       use_syslog ? NULL : "xl-balance",
                       g_verbose >= 2 ? BAL_LOG_DEBUG :
                       g_verbose == 1 ? BAL_LOG_INFO : BAL_LOG_WARN,
                       &g_ctx);
    if (rc) {
        cli_err("%s", bal_strerror(rc));
        return EXIT_FAIL;
    }

    /* The verb sees argv from its own name on, as getopt expects. */
    argc -= optind;
    argv += optind;
    /* 0, not 1: glibc then starts afresh, forgetting the `+' (stop at
     * the first operand) of the global options. */
    optind = 0;
    opterr = 0;
    rc = cmd->fn(argc, argv);

    bal_ctx_free(g_ctx);
    if (use_syslog) closelog();
    return rc;
}
