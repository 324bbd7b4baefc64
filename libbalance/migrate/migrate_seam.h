/*
 * migrate_seam.h - the sender's side of `xl migrate`, without Xen: the
 * protocol engine (migrate_proto.c) that speaks to a stock
 * `xl migrate-receive` over two file descriptors, and the small table of
 * domain operations it needs.  migrate_xl.c fills the table with libxl
 * calls; tests fill it with fakes and play the receiver over pipes.
 *
 * The protocol and its safety rules are in doc/migration.md.  Nothing here
 * includes a Xen header.
 */
#ifndef BAL_MIGRATE_SEAM_H
#define BAL_MIGRATE_SEAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/child.h"
#include "base/internal.h"
#include "base/move.h"

/* A migration that failed after the point of no return: the VM may be
 * running on neither host or on both.  Not one of BAL_E*'s "the VM still
 * runs on `from`" failures.  (A public BAL_E* code is asked for.) */
#define BAL__EMIG_UNDEFINED BAL_EUNDEFINED

/* libxl's values, repeated so that this header needs no Xen header;
 * migrate_xl.c checks at compile time that they agree. */
#define BAL__MIG_SUSPEND_LIVE 2          /* LIBXL_SUSPEND_LIVE */
#define BAL__MIG_ERROR_GUEST_TIMEDOUT (-8) /* ERROR_GUEST_TIMEDOUT */

/* ---- the wire (tools/xl/xl.h of Xen 4.17) ------------------------------ */

/* The banner is sent without its NUL; the three messages after the
 * domain's memory are sent with theirs. */
#define BAL__MIG_BANNER \
    "xl migration receiver ready, send binary domain data.\n"
#define BAL__MIG_READY  "domain received, ready to unpause"
#define BAL__MIG_GO     "domain is yours, you are cleared to unpause"
#define BAL__MIG_REPORT "my copy unpause results are as follows"

/* The save-file header: 32 bytes of magic (no NUL of its own: the 32nd
 * byte is the '\r'), then four uint32 in this host's byte order. */
#define BAL__MIG_MAGIC "Xen saved domain, xl format\n \0 \r"
#define BAL__MIG_MAGIC_LEN 32
#define BAL__MIG_BYTEORDER 0x01020304u
#define BAL__MIG_FLAG_JSON 0x1u          /* XL_MANDATORY_FLAG_JSON */
#define BAL__MIG_FLAG_STREAMV2 0x2u      /* XL_MANDATORY_FLAG_STREAMv2 */
#define BAL__MIG_HEADER_LEN (BAL__MIG_MAGIC_LEN + 4 * 4)

/* The header and its optional data for config_json (sent with its NUL):
 * header, uint32 length, the JSON.  *buf_r is malloc'd. */
int bal__mig_header(const char *config_json, unsigned char **buf_r,
                    size_t *len_r);

/* ---- progress, from libxl's logger ------------------------------------- */

typedef struct bal__mig_progress {
    bal_ctx *ctx;
    const char *vm;             /* for the log lines */
    uint64_t start_ns;
    int rounds;                 /* memory rounds seen, the final one too */
    int xc_iteration;           /* the current round's number from xc */
    bool final_round;           /* the current one runs suspended */
    bool suspend_seen;          /* "Domain now suspended" since last round */
    unsigned long done, total;  /* pages of the current round */
    uint64_t pages;             /* sent in the rounds before it */
    uint64_t suspended_ns;      /* when the guest stopped; 0: not seen */
    uint64_t last_log_ns;
    /* For the dirty rate (bal__mig_progress_dirty_Bps): when the first
     * and the current round began, and the frames of the rounds >= 2
     * before the current one.  Running sums rather than a list: the
     * durations of rounds 1..n-1 add up to round n's start minus round
     * 1's. */
    uint64_t first_round_ns, round_ns;
    uint64_t dirty_frames;
} bal__mig_progress;

void bal__mig_progress_init(bal__mig_progress *p, bal_ctx *ctx,
                            const char *vm);
/* What a xentoollog progress callback receives.  libxc reports
 * "Frames iteration N" (pages done of total, every 4 MiB) for each
 * memory round and "Domain now suspended" before the final one. */
void bal__mig_progress_note(bal__mig_progress *p, const char *context,
                            const char *doing_what, unsigned long done,
                            unsigned long total);
/* The same at the time now_ns (bal__now_ns's clock): for tests. */
void bal__mig_progress_note_at(bal__mig_progress *p, uint64_t now_ns,
                               const char *context, const char *doing_what,
                               unsigned long done, unsigned long total);
/* Pages sent in all rounds so far. */
uint64_t bal__mig_progress_pages(const bal__mig_progress *p);
/* The rate the guest dirtied memory, bytes/s: what rounds 2..n sent (each
 * round's frame count, 4 KiB each: the pages dirtied while the round
 * before it ran) over the time rounds 1..n-1 took (start to start: the
 * last of them includes suspending the guest).  NAN with fewer than 2
 * rounds. */
double bal__mig_progress_dirty_Bps(const bal__mig_progress *p);

/* ---- the domain operations the protocol needs -------------------------
 * Each returns 0 or a negative libxl error code (ERROR_*).  h is the
 * table's own handle. */

typedef struct bal__mig_ops {
    /* Sends the domain's memory to fd (libxl_domain_suspend).  prog is
     * fed from libxl's progress reports while it runs. */
    int (*suspend)(void *h, uint32_t domid, int fd, int flags,
                   bal__mig_progress *prog);
    /* libxl_domain_rename: checks the old name transactionally. */
    int (*rename)(void *h, uint32_t domid, const char *old_name,
                  const char *new_name);
    /* libxl_domain_resume with suspend_cancel (the guest carries on where
     * it stopped, as xl does after a failed migration). */
    int (*resume)(void *h, uint32_t domid);
    int (*destroy)(void *h, uint32_t domid);
    /* 1: the domain is suspended (shut down for suspend), 0: it is not,
     * < 0: cannot tell.  Only asked when a resume failed, to say which. */
    int (*suspended)(void *h, uint32_t domid);
} bal__mig_ops;

/* ---- the transport ----------------------------------------------------- */

typedef struct bal__mig_chan {
    /* The transport process: proc.in_fd is our end of the receiver's
     * stdin, proc.out_fd of its stdout.  Tests fill these with a
     * receiver's pipes (and proc.pid with theirs, or -1). */
    bal__child proc;
    int err_fd;                 /* a memfd holding its stderr, or -1 */
} bal__mig_chan;

void bal__mig_chan_init(bal__mig_chan *c);
/* Runs argv (base/child.h: execvp, never a shell, a process group of its
 * own) with pipes on its stdin and stdout and a memfd on its stderr.
 * Fails (BAL_ETRANSPORT, logged) if it cannot be started, exec included. */
int bal__mig_chan_spawn(bal_ctx *ctx, const char *what, char *const argv[],
                        bal__mig_chan *c);
/* Closes our ends, waits up to wait_s for the process to exit (then
 * stops its group), reaps it and logs its stderr lines at level,
 * prefixed with what.  Idempotent; leaves c as after _init. */
void bal__mig_chan_shutdown(bal_ctx *ctx, const char *what,
                            bal__mig_chan *c, double wait_s,
                            bal_log_level level);

/* ---- one migration ----------------------------------------------------- */

typedef struct bal__mig_job {
    uint32_t domid;
    const char *name;           /* its name now: renamed away and back */
    const char *uuid;
    const char *from, *to;      /* hosts, for the messages */
    const char *config_json;    /* libxl_domain_config_to_json's */
    double timeout_s;           /* for each message from the receiver */
    double exit_wait_s;         /* for the transport to exit at the end */
} bal__mig_job;

/* Speaks the sender's side of the protocol over chan, which must have
 * been spawned (or, in tests, filled with a receiver's pipes): banner,
 * header, suspend, ready, rename, go, report.  Undoes what can be undone
 * when it fails before the point of no return; see doc/migration.md.
 * Always shuts chan down.  Fills res (rc, end_s, rounds, bytes, downtime;
 * start_s is the caller's) and returns res->rc.  Logs one INFO line on
 * success, one ERROR line on failure. */
int bal__mig_run(bal_ctx *ctx, const bal__mig_ops *ops, void *h,
                 const bal__mig_job *job, bal__mig_chan *chan,
                 bal__mig_progress *prog, bal__move_result *res);

#endif /* BAL_MIGRATE_SEAM_H */
