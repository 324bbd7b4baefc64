/*
 * cmd_admin.c - `xl-balance drain/undrain HOST' and `pin/unpin VM': an
 * admin's word, kept in the state directory until undone (bal_drain,
 * bal_pin).
 */
#include <stdio.h>

#include "xl_balance.h"

/* One verb: VERB NAME, no option but --help. */
static int admin_verb(int argc, char **argv, const char *verb,
                      const char *what, bool on, bool pin)
{
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    const char *name;
    bool changed = false;
    int opt, rc;

    while ((opt = cli_getopt(argc, argv, "", NULL, verb)) != -1) {
        switch (opt) {
        case -2: return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_err("%s: wants one %s (`xl-balance %s --help')", verb, what,
                verb);
        return EXIT_USAGE;
    }
    name = argv[optind];
    if ((rc = cli_open(&cfg, &be))) return cli_open_exit(rc);
    rc = pin ? bal_pin(g_ctx, be, name, on, &changed)
             : bal_drain(g_ctx, be, name, on, &changed);
    cli_close(cfg, be);
    /* The library said why in one line. */
    if (rc) return rc == BAL_ELOCKED ? EXIT_LOCKED : EXIT_FAIL;
    if (changed)
        printf("%s %s\n", pin ? (on ? "pinned" : "unpinned")
                              : (on ? "drained" : "undrained"), name);
    else
        printf("%s was %s already\n", name,
               pin ? (on ? "pinned" : "not pinned")
                   : (on ? "drained" : "not drained"));
    return EXIT_OK;
}

int cmd_drain(int argc, char **argv)
{
    return admin_verb(argc, argv, "drain", "HOST", true, false);
}

int cmd_undrain(int argc, char **argv)
{
    return admin_verb(argc, argv, "undrain", "HOST", false, false);
}

int cmd_pin(int argc, char **argv)
{
    return admin_verb(argc, argv, "pin", "VM", true, true);
}

int cmd_unpin(int argc, char **argv)
{
    return admin_verb(argc, argv, "unpin", "VM", false, true);
}
