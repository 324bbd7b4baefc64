/*
 * xl_balance.h - what the xl-balance command's files share.
 * The command only uses libbalance's public API.
 */
#ifndef XL_BALANCE_H
#define XL_BALANCE_H

#include <getopt.h>
#include <stdbool.h>

#include "libbalance.h"

/* Exit codes, documented in `xl-balance help`. */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,       /* the work could not be done (message says why) */
    EXIT_USAGE = 2,      /* bad command line */
    EXIT_PARTIAL = 3,    /* done, but some peers did not answer; for
                          * rebalance: some moves failed, were refused or
                          * skipped, every VM still runs exactly once */
    EXIT_LOCKED = 5,     /* rebalance, migrate: another run holds the lock */
    EXIT_UNDEFINED = 6,  /* rebalance: a VM may run on no host or on two,
                          * an admin must look */
    EXIT_REFUSED = 7,    /* rebalance: not confirmed (no --yes and no
                          * terminal to ask on) */
};

struct cmd_spec {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage;   /* after "xl-balance VERB " */
    const char *options; /* one option a line, aligned */
};

extern struct cmd_spec cmd_table[];
extern int cmd_table_size;
const struct cmd_spec *cmdtable_lookup(const char *name);

/* Set by main() from the global options, for the verbs. */
extern const char *g_config_file;    /* -c FILE, or NULL: the default */
extern const char *g_backend;        /* -b SPEC, or NULL: xen */
extern const char *g_state_dir;      /* --state-dir DIR, or NULL */
extern int g_verbose;
extern bool g_syslog;                /* --syslog: the log sink is syslog */
extern bal_ctx *g_ctx;

/* Verbs. */
int cmd_help(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_rebalance(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_drain(int argc, char **argv);
int cmd_undrain(int argc, char **argv);
int cmd_pin(int argc, char **argv);
int cmd_unpin(int argc, char **argv);


/* getopt_long over a verb's options with -h/--help added; like xl's
 * SWITCH_FOREACH_OPT.  Returns the option, -1 at the end, or -2 after
 * printing help (exit 0) / -3 after a usage error (exit 2). */
int cli_getopt(int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *verb);
void cli_help(const char *verb);

/* One error line on stderr, "xl-balance: ..." */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Strict number parsing of an option's value; prints the error. */
int cli_parse_double(const char *verb, const char *opt, const char *s,
                     double min, double max, double *out);
int cli_parse_int(const char *verb, const char *opt, const char *s,
                  int min, int max, int *out);
/* An option that stands for the number key `key' of the configuration:
 * read and refused as the file's value is (bal_config_parse_value). */
int cli_parse_key(const char *verb, const char *opt, const char *key,
                  const char *s, double *out);
int cli_parse_key_int(const char *verb, const char *opt, const char *key,
                      const char *s, int *out);

/* Loads the configuration (default file or -c) and opens the backend,
 * and says where the state lives (--state-dir; private on sim: and
 * replay:); prints the error and returns non-zero on failure. */
int cli_open(bal_config **cfg_r, bal_backend **be_r);
/* The exit status of a failed cli_open (its rc): EXIT_USAGE for a -b
 * SPEC that names no backend or misses or adds its argument (a bad
 * command line), else EXIT_FAIL (a file that cannot be read, no dom0). */
int cli_open_exit(int rc);
void cli_close(bal_config *cfg, bal_backend *be);
/* After a run: the metrics textfile from st, when the configuration names
 * one (bal_metrics_textfile; it logs why it failed).  Returns ret, or
 * EXIT_FAIL when ret is EXIT_OK and the file could not be written: cron
 * hears of a scrape gone stale, a rebalance keeps its own exit code. */
int cli_metrics_textfile(const bal_config *cfg, const bal_status *st,
                         int ret);

/* ---- aligned tables, like xl list and xentop -------------------------- */
typedef struct table table;
table *table_new(int ncols, const char *const *headers, const char *align);
void table_add(table *t, ...);   /* ncols strings */
void table_addf(table *t, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void table_print(table *t, FILE *f);
void table_free(table *t);

#endif
