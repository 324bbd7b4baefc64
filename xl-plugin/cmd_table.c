/*
 * cmd_table.c - the verbs of xl-balance, as xl's cmd_table.
 */
#include <string.h>

#include "xl_balance.h"

/* The help of drain, undrain, pin and unpin; what: "host" or "VM". */
#define ADMIN_HELP(what) \
    "Kept in the state directory (state_dir, or --state-dir) until undone;\n" \
    "status shows it; plan, rebalance and rebalance --apply honour it.\n" \
    "Exit codes:\n" \
    "  0  done (or it was so already)\n" \
    "  1  failure: configuration, state directory, backend, unknown " what "\n" \
    "  2  bad command line\n" \
    "  5  locked: a rebalance or migrate is running; nothing done"

struct cmd_spec cmd_table[] = {
    { "status", cmd_status,
      "Show every VM's rates and load type, and each host's mix",
      "[options]",
      "--json            Output as JSON\n"
      "--openmetrics     Output as OpenMetrics text, for a metrics scraper\n"
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
    { "plan", cmd_plan,
      "Show what rebalance would move where, in which waves, and why",
      "[options]",
      "--json            Output as JSON: a plan file that rebalance --apply runs\n"
      "--horizon S       Seconds ahead work counts (configuration: horizon)\n"
      "--max-moves N     At most N migrations (configuration: max_moves)\n"
      "--cluster FILE    Plan the cluster FILE describes instead, offline: the\n"
      "                  planner's JSON input (doc/planner.md); no backend,\n"
      "                  configuration, state or history (not with -b or -c)\n"
      "Moves nothing.  Prints the placement before and after, each move with\n"
      "its predicted time, break-even and gain, the waves, and every VM that\n"
      "would gain but stays, with the reason.  Exit codes:\n"
      "  0  planned (some moves, or none)\n"
      "  1  failure: configuration, backend; with --cluster, FILE\n"
      "  2  bad command line\n"
      "  3  some peers did not answer: their hosts are not in the plan" },
    { "rebalance", cmd_rebalance,
      "Move VMs so that heavy VMs of one type do not share a host",
      "[options]",
      "-n, --dry-run     Print the plan; lock, journal and VMs untouched\n"
      "-y, --yes         Move without asking (cron); otherwise asks on a terminal\n"
      "--max-moves N     At most N migrations (a swap is never cut in half)\n"
      "--apply FILE      Run a saved plan (from --dry-run --json), checked live\n"
      "--json            Output the plan and each move's outcome as JSON\n"
      "Prints one line per move (\"moved vm1 HostA -> HostB in 40.1 s\"),\n"
      "nothing when there is nothing to do.  Exit codes:\n"
      "  0  done, or nothing to do\n"
      "  1  failure: configuration, state directory, plan file, backend\n"
      "  2  bad command line\n"
      "  3  partial: some moves failed, were refused or skipped; every VM\n"
      "     still runs exactly once\n"
      "  5  locked: another rebalance is running; nothing done\n"
      "  6  undefined: a VM may run on no host or on two; an admin must look\n"
      "  7  not confirmed: no --yes, and no terminal to ask on" },
    { "migrate", cmd_migrate,
      "Live-migrate one VM of this host to HOST, like xl migrate",
      "[options] DOMAIN HOST",
      "--json            Output the outcome as one JSON object, failures too\n"
      "DOMAIN is a name or UUID on this host; HOST is reached with the\n"
      "configured transport, which runs `xl migrate-receive' there.\n"
      "Prints one line: \"migrated vm1 (UUID) HostA -> HostB in 4.2 s, ...\";\n"
      "with --json, {\"xl_balance_migrate\":1,\"outcome\":\"done\",\"rc\":0,...}\n"
      "(what another dom0's rebalance reads when it has this host run a move).\n"
      "Exit codes:\n"
      "  0  done: the VM runs on HOST, same UUID\n"
      "  1  failed: the VM still runs on this host (or was not found)\n"
      "  2  bad command line\n"
      "  5  locked: a rebalance or another migrate is running; nothing done\n"
      "  6  undefined: it may run on neither host or on both; an admin must look" },
    { "drain", cmd_drain,
      "Empty HOST: the next plan moves its VMs away, none onto it",
      "HOST",
      ADMIN_HELP("host") },
    { "undrain", cmd_undrain,
      "Undo drain: HOST takes VMs again",
      "HOST",
      ADMIN_HELP("host") },
    { "pin", cmd_pin,
      "Keep VM (name or UUID) where it runs: no plan moves it",
      "VM",
      ADMIN_HELP("VM") },
    { "unpin", cmd_unpin,
      "Undo pin: plans may move VM again",
      "VM",
      ADMIN_HELP("VM") },
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
