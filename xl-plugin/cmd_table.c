/*
 * cmd_table.c - the verbs of xl-balance, as xl's cmd_table.
 */
#include <string.h>

#include "xl_balance.h"

struct cmd_spec cmd_table[] = {
    { "status", cmd_status,
      "Show every VM's rates and load type, and each host's mix",
      "[options]",
      "--json            Output as JSON\n"
      "-i, --interval S  Seconds between samples (configuration: sample_interval)\n"
      "-n, --samples N   Samples to take, at least 2 (configuration: sample_count)" },
    { "sample", cmd_sample,
      "Print this cluster's raw counters as JSON (for peers and traces)",
      "[options]",
      "--json            Output as JSON, one line per sample (the default)\n"
      "--local           This host only: do not ask the peers\n"
      "-i, --interval S  Seconds between samples\n"
      "-n, --samples N   Samples to print (default 1)" },
    { "simulate", cmd_simulate,
      "Run a scenario on the simulated cluster with the balancer in the loop",
      "[options] SCENARIO",
      "--no-balance      Only run it without balancing\n"
      "--rtt MS          Round-trip time between hosts (default: the scenario's)\n"
      "--policy P        sequential (one migration at a time) or concurrent\n"
      "--balance-at S    Start balancing at S simulated seconds\n"
      "--scale F         Multiply every job's work by F\n"
      "--plot FILE       Write timelines (or the sweep) as FILE.svg or FILE.png\n"
      "--json            Output as JSON\n"
      "--sweep           The break-even study: job lengths at RTT 0, 4, 16, 64 ms" },
    { "help", cmd_help,
      "Print this help, or a verb's",
      "[VERB]",
      "" },
};

int cmd_table_size = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *cmdtable_lookup(const char *name)
{
    int i;

    for (i = 0; i < cmd_table_size; i++)
        if (!strcmp(cmd_table[i].name, name)) return &cmd_table[i];
    return NULL;
}
