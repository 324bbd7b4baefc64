/*
 * notify.c - notify_command: the program told of a rebalance that moved a
 * VM, saw a migration fail or found an undefined state, with the run's
 * JSON report (rebalance --json's) on its stdin.
 *
 * Run through base/child.c (argv only, never a shell) under
 * notify_timeout.  Its own failure - it cannot be run, exits non-zero, is
 * killed, or outlives its timeout (then it is stopped) - is logged and
 * nothing more: the run's outcome is what happened to the VMs.
 */
#include <stdlib.h>
#include <string.h>

#include "base/child.h"
#include "base/config.h"
#include "rebalance.h"

/* What the hook is worth running for: something moved or failed, or an
 * admin must look.  Not a dry run, nothing to do, a refusal alone. */
static bool worth_telling(const bal_rebalance_report *rep)
{
    int i;

    if (rep->outcome == BAL_REBALANCE_UNDEFINED) return true;
    for (i = 0; i < rep->nmoves; i++)
        switch (rep->moves[i].pub.state) {
        case BAL_MOVE_DONE:
        case BAL_MOVE_FAILED:
        case BAL_MOVE_UNDEFINED:
            return true;
        default:
            break;
        }
    return false;
}

/* Its stdout is read and dropped (up to this much): it has nothing to
 * tell us; its stderr is ours, for the admin to read. */
#define NOTIFY_OUTPUT_MAX (1024 * 1024)

void bal__notify(bal_ctx *ctx, const struct bal_config *cfg,
                 const bal_rebalance_report *rep)
{
    static const char what[] = "notify_command";
    bal__child c;
    char *json = NULL, *out = NULL;
    size_t len;
    int status, rc;

    bal__child_init(&c);
    if (cfg->nnotify_command <= 0 || !worth_telling(rep)) return;
    rc = bal_rebalance_report_json(rep, &json);
    if (rc) {
        BAL__ERR(ctx, "%s: cannot make the report: %s", what,
                 bal_strerror(rc));
        goto out;
    }
    /* As rebalance --json prints it, a newline after it. */
    len = strlen(json);
    json[len] = '\n';
    rc = bal__child_start_input(ctx, what, cfg->notify_command, json,
                                len + 1, -1, cfg->notify_timeout, &c);
    json[len] = '\0';
    if (rc) goto out;
    rc = bal__child_finish(ctx, what, &c, NOTIFY_OUTPUT_MAX, &status, &out,
                           NULL);
    if (rc) goto out;
    bal__child_status(ctx, BAL_LOG_ERROR, what, cfg->notify_command[0],
                      status);

out:
    bal__child_dispose(&c);
    free(out);
    free(json);
}
