/*
 * cmd_help.c - `xl-balance help [VERB]` and every verb's --help.
 */
#include <stdio.h>
#include <string.h>

#include "xl_balance.h"

static void print_options(const char *options)
{
    const char *p = options, *nl;

    while (*p) {
        nl = strchr(p, '\n');
        if (!nl) nl = p + strlen(p);
        printf("  %.*s\n", (int)(nl - p), p);
        p = *nl ? nl + 1 : nl;
    }
}

void cli_help(const char *verb)
{
    const struct cmd_spec *cmd = verb ? cmdtable_lookup(verb) : NULL;
    int i;

    if (cmd) {
        printf("Usage: xl-balance [global options] %s %s\n\n%s.\n",
               cmd->name, cmd->usage, cmd->summary);
        if (*cmd->options) {
            printf("\nOptions:\n");
            print_options(cmd->options);
        }
        return;
    }

    printf("Usage: xl-balance [global options] VERB [ARGS]\n\n"
           "Keeps VMs of the same kind of load (cpu, io, net) on different Xen hosts.\n\n"
           "Global options:\n"
           "  -c, --config FILE    Configuration (default " BAL_DEFAULT_CONFIG ")\n"
           "  -b, --backend SPEC   xen (default): this dom0 and its configured peers\n"
           "                       peers: every host in hosts, over the transport,\n"
           "                       from a management host (no Xen needed)\n"
           "                       sim:SCENARIO: a simulated cluster (e.g. sim:paper)\n"
           "                       replay:TRACE: samples recorded by `sample --json'\n"
           "  --state-dir DIR      rebalance's state directory (default: the\n"
           "                       configuration's state_dir; on sim: and replay:\n"
           "                       a private one, removed at exit)\n"
           "  -v, --verbose        More messages (twice: debug)\n"
           "  --syslog             Log to syslog instead of stderr (for cron)\n"
           "  -h, --help           This help\n"
           "  --version            Print the version\n\n"
           "Verbs:\n");
    for (i = 0; i < cmd_table_size; i++)
        printf("  %-10s %s\n", cmd_table[i].name, cmd_table[i].summary);
    printf("\n`xl-balance VERB --help' for a verb's options.\n\n"
           "Exit codes:\n"
           "  0  success (rebalance: moved, or nothing to do)\n"
           "  1  failure: bad configuration, not a Xen dom0, backend error;\n"
           "     nothing was moved\n"
           "  2  bad command line\n"
           "  3  partial: some peers did not answer (the rest is shown), or\n"
           "     some moves failed (every VM still runs exactly once)\n"
           "  5  locked: another rebalance or migrate holds the lock\n"
           "  6  undefined: a VM may run on neither host or on both; an\n"
           "     admin must look (the journal keeps stopping runs until then)\n"
           "  7  not confirmed: moves need --yes when not run interactively\n");
}

int cmd_help(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        argv[1] = "help";
    if (argc > 2) {
        cli_err("help: takes at most one verb");
        return EXIT_USAGE;
    }
    if (argc == 2 && !cmdtable_lookup(argv[1])) {
        cli_err("help: `%s' is not a verb", argv[1]);
        return EXIT_USAGE;
    }
    cli_help(argc == 2 ? argv[1] : NULL);
    return EXIT_OK;
}
